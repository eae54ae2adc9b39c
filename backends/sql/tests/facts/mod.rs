//! Schema facts: what a DDL script states about tables, columns and indexes, in the
//! format of `fixtures/schemas/*.toml`, plus the comparison of two sets of facts and the
//! deviation list that explains the differences.

pub mod deviations;
pub mod differences;
pub mod from_ddl;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One fixture file: a documented schema for one dialect.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFacts {
    /// `postgres`, `mysql` or `mssql`.
    pub dialect: String,
    /// Where the documented DDL comes from.
    pub source: String,
    /// Tables by name.
    pub tables: BTreeMap<String, TableFacts>,
}

/// What a DDL states about one table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TableFacts {
    /// Primary-key columns; empty when there is none.
    #[serde(default)]
    pub primary_key: Vec<String>,
    /// Table options after the column list (MySQL `ENGINE = …`) as `sqlparser` prints them;
    /// empty if none.
    #[serde(default)]
    pub options: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnFacts>,
    /// Indexes created by `CREATE [UNIQUE] INDEX`.
    #[serde(default)]
    pub indexes: Vec<IndexFacts>,
}

/// What a DDL states about one column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnFacts {
    /// Column name.
    pub name: String,
    /// The declared type, uppercase, followed by any generation clause (`AUTO_INCREMENT`,
    /// `IDENTITY(1,1)`, `AUTOINCREMENT`) and `COLLATE x`.
    #[serde(rename = "type")]
    pub column_type: String,
    /// Whether `NULL` is accepted (a primary-key column never is).
    pub nullable: bool,
    /// The default expression, uppercase.
    #[serde(default)]
    pub default: Option<String>,
}

/// What a DDL states about one index.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexFacts {
    /// Index name.
    pub name: String,
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
    /// Key columns in order.
    pub columns: Vec<String>,
    /// The `WHERE` predicate without identifier quotes, uppercase keywords as parsed.
    #[serde(default)]
    pub filter: Option<String>,
}

/// `fixtures/schemas/` in the repository.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/schemas")
}

/// Reads and parses `fixtures/schemas/<dialect>.toml`.
pub fn load(dialect: &str) -> SchemaFacts {
    let path = fixtures_dir().join(format!("{dialect}.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

//! MySQL and MariaDB: `information_schema` (`TABLES`, `COLUMNS`, `STATISTICS`).
//!
//! Every text column is `CAST(… AS CHAR)`: MySQL 8 returns some `information_schema`
//! columns as binary strings, which a `String` cannot decode.

use super::catalog::{CatalogColumn, CatalogIndexColumn, assemble, declared_length};
use super::catalog_default::parse_default;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::{Collation, ColumnType, Schema};
use nextauth_adapter::TimestampRange;
use sqlx::Row;

/// Base tables of one database (`?`: the database).
pub const TABLES: &str = "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'";

/// Columns of one database's tables (views are dropped when assembling).
pub const COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
     CAST(ORDINAL_POSITION AS SIGNED), CAST(DATA_TYPE AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
     CAST(CHARACTER_MAXIMUM_LENGTH AS SIGNED), CAST(IS_NULLABLE AS CHAR), \
     CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), CAST(COLLATION_NAME AS CHAR), \
     CAST(DATETIME_PRECISION AS SIGNED) \
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?";

/// Key columns of every index; the primary key is the index named `PRIMARY`. A functional
/// key part (MySQL 8) has no `COLUMN_NAME`; its `EXPRESSION` is not read, so it shows as
/// `(expression)`.
pub const INDEX_COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), \
     CAST(NON_UNIQUE AS SIGNED), CAST(SEQ_IN_INDEX AS SIGNED), CAST(COLUMN_NAME AS CHAR) \
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?";

/// One row of [`COLUMNS`], typed: what any MySQL client reads from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRow {
    /// `TABLE_NAME`.
    pub table: String,
    /// `COLUMN_NAME`.
    pub column: String,
    /// `ORDINAL_POSITION`.
    pub position: i64,
    /// `DATA_TYPE` (`int`, `varchar`, `datetime`, …).
    pub data_type: String,
    /// `COLUMN_TYPE`, the full spelling (`varchar(255)`, `int(11) unsigned`).
    pub full_type: String,
    /// `CHARACTER_MAXIMUM_LENGTH`.
    pub length: Option<i64>,
    /// `IS_NULLABLE` (`YES` / `NO`).
    pub nullable: String,
    /// `COLUMN_DEFAULT`, as the catalog spells it.
    pub default: Option<String>,
    /// `EXTRA` (`auto_increment`, …).
    pub extra: Option<String>,
    /// `COLLATION_NAME`.
    pub collation: Option<String>,
    /// `DATETIME_PRECISION`.
    pub digits: Option<i64>,
}

/// One row of [`INDEX_COLUMNS`], typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    /// `TABLE_NAME`.
    pub table: String,
    /// `INDEX_NAME` (`PRIMARY` for the primary key).
    pub index: String,
    /// `NON_UNIQUE`: 0 for a unique index.
    pub non_unique: i64,
    /// `SEQ_IN_INDEX` (1-based).
    pub position: i64,
    /// `COLUMN_NAME`; `None` for a functional key part.
    pub column: Option<String>,
}

/// Reads the tables, columns, primary keys and indexes of MySQL/MariaDB database
/// `database` through sqlx. Read-only. A client of another driver runs [`TABLES`],
/// [`COLUMNS`] and [`INDEX_COLUMNS`] itself (each takes the database as its one parameter)
/// and calls [`assemble_rows`].
pub async fn introspect_mysql(
    pool: &sqlx::MySqlPool,
    database: &str,
) -> Result<Schema, IntrospectError> {
    let err = |source: sqlx::Error| IntrospectError::Query {
        dialect: Dialect::MySql,
        source: Box::new(source),
    };
    let tables: Vec<String> = sqlx::query_scalar(TABLES)
        .bind(database)
        .fetch_all(pool)
        .await
        .map_err(err)?;
    let mut columns = Vec::new();
    for row in sqlx::query(COLUMNS)
        .bind(database)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        columns.push(ColumnRow {
            table: row.try_get(0).map_err(err)?,
            column: row.try_get(1).map_err(err)?,
            position: row.try_get(2).map_err(err)?,
            data_type: row.try_get(3).map_err(err)?,
            full_type: row.try_get(4).map_err(err)?,
            length: row.try_get(5).map_err(err)?,
            nullable: row.try_get(6).map_err(err)?,
            default: row.try_get(7).map_err(err)?,
            extra: row.try_get(8).map_err(err)?,
            collation: row.try_get(9).map_err(err)?,
            digits: row.try_get(10).map_err(err)?,
        });
    }
    let mut indexes = Vec::new();
    for row in sqlx::query(INDEX_COLUMNS)
        .bind(database)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        indexes.push(IndexRow {
            table: row.try_get(0).map_err(err)?,
            index: row.try_get(1).map_err(err)?,
            non_unique: row.try_get(2).map_err(err)?,
            position: row.try_get(3).map_err(err)?,
            column: row.try_get(4).map_err(err)?,
        });
    }
    Ok(assemble_rows(tables, columns, indexes))
}

/// The schema that the rows of [`TABLES`], [`COLUMNS`] and [`INDEX_COLUMNS`] describe,
/// whichever client read them.
pub fn assemble_rows(
    tables: Vec<String>,
    columns: Vec<ColumnRow>,
    indexes: Vec<IndexRow>,
) -> Schema {
    let columns = columns
        .into_iter()
        .map(|row| {
            let auto_increment = row
                .extra
                .as_deref()
                .is_some_and(|e| e.to_ascii_lowercase().contains("auto_increment"));
            CatalogColumn {
                column_type: column_type(
                    &row.data_type,
                    &row.full_type,
                    row.length,
                    auto_increment,
                ),
                timestamp_range: if row.data_type.eq_ignore_ascii_case("timestamp") {
                    TimestampRange::Unix32
                } else {
                    TimestampRange::Full
                },
                nullable: row.nullable == "YES",
                default: parse_default(row.default.as_deref()),
                collation: row.collation.as_deref().map(Collation::mysql),
                timestamp_digits: row.digits.and_then(|d| u8::try_from(d).ok()),
                table: row.table,
                column: row.column,
                position: row.position,
            }
        })
        .collect();
    let indexes = indexes
        .into_iter()
        .map(|row| CatalogIndexColumn {
            table: row.table,
            primary: row.index == "PRIMARY",
            index: row.index,
            unique: row.non_unique == 0,
            position: row.position,
            column: row.column.unwrap_or_else(|| "(expression)".to_owned()),
            filter: None,
        })
        .collect();
    assemble(tables, columns, indexes)
}

/// `DATA_TYPE` (with `COLUMN_TYPE` for the verbatim spelling) as a logical type. Both
/// `DATETIME` and `TIMESTAMP` are [`ColumnType::Timestamp`]: the docs' `TIMESTAMP(6)` and
/// our `DATETIME(6)` hold the same instants within `TIMESTAMP`'s range, which the column's
/// [`TimestampRange`] records.
fn column_type(
    data_type: &str,
    full_type: &str,
    length: Option<i64>,
    auto_increment: bool,
) -> ColumnType {
    match data_type.to_ascii_lowercase().as_str() {
        "int" | "integer" if auto_increment => ColumnType::Id,
        "int" | "integer" => ColumnType::Integer,
        "varchar" => match length
            .and_then(|n| u32::try_from(n).ok())
            .or_else(|| declared_length(full_type))
        {
            Some(n) => ColumnType::Varchar(n),
            None => ColumnType::Other(full_type.to_owned()),
        },
        "text" => ColumnType::Text,
        "datetime" | "timestamp" => ColumnType::Timestamp,
        _ => ColumnType::Other(full_type.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_types_map_to_logical_types() {
        assert_eq!(column_type("int", "int(11)", None, true), ColumnType::Id);
        assert_eq!(
            column_type("int", "int(11)", None, false),
            ColumnType::Integer
        );
        assert_eq!(
            column_type("varchar", "varchar(255)", Some(255), false),
            ColumnType::Varchar(255)
        );
        assert_eq!(
            column_type("datetime", "datetime(6)", None, false),
            ColumnType::Timestamp
        );
        assert_eq!(
            column_type("timestamp", "timestamp(6)", None, false),
            ColumnType::Timestamp
        );
        assert_eq!(
            column_type("bigint", "bigint(20) unsigned", None, true),
            ColumnType::Other("bigint(20) unsigned".into())
        );
    }
}

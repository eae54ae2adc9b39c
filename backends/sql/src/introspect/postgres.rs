//! PostgreSQL: `information_schema` for tables and columns, `pg_catalog` for indexes
//! (`pg_indexes` only offers each index's definition as text).

use super::catalog::{CatalogColumn, CatalogIndexColumn, assemble};
use super::catalog_default::parse_default;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::{Collation, ColumnType, IndexFilter, Schema};
use sqlx::Row;

/// Base tables of one schema.
pub const TABLES: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = $1 AND table_type = 'BASE TABLE'";

/// Columns of the base tables of one schema.
pub const COLUMNS: &str = "SELECT c.table_name::text, c.column_name::text, c.ordinal_position::int8, \
     c.data_type::text, c.character_maximum_length::int8, c.is_nullable::text, \
     c.column_default::text, c.is_identity::text, c.collation_name::text, \
     (SELECT coll.collisdeterministic FROM pg_collation coll \
       WHERE coll.collname = c.collation_name ORDER BY coll.oid LIMIT 1), \
     c.datetime_precision::int8 \
     FROM information_schema.columns c \
     JOIN information_schema.tables t \
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
     WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'";

/// One row per key column of every index of one schema's tables. `pg_get_indexdef` gives
/// the column name (quoted when needed) or the expression of an expression index.
pub const INDEX_COLUMNS: &str = "SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary, \
     k.ord::int8, pg_get_indexdef(x.indexrelid, k.ord::int4, true), \
     pg_get_expr(x.indpred, x.indrelid, true) \
     FROM pg_index x \
     JOIN pg_class i ON i.oid = x.indexrelid \
     JOIN pg_class t ON t.oid = x.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     CROSS JOIN LATERAL generate_series(1, x.indnkeyatts::int4) AS k(ord) \
     WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')";

/// One row of [`COLUMNS`], typed: what any PostgreSQL client reads from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRow {
    /// `table_name`.
    pub table: String,
    /// `column_name`.
    pub column: String,
    /// `ordinal_position`.
    pub position: i64,
    /// `data_type`.
    pub data_type: String,
    /// `character_maximum_length`.
    pub length: Option<i64>,
    /// `is_nullable` (`YES` / `NO`).
    pub nullable: String,
    /// `column_default`, as the catalog spells it.
    pub default: Option<String>,
    /// `is_identity` (`YES` / `NO`).
    pub identity: Option<String>,
    /// `collation_name`.
    pub collation: Option<String>,
    /// Whether that collation is deterministic.
    pub deterministic: Option<bool>,
    /// `datetime_precision`.
    pub digits: Option<i64>,
}

/// One row of [`INDEX_COLUMNS`], typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    /// The table's name.
    pub table: String,
    /// The index's name.
    pub index: String,
    /// `indisunique`.
    pub unique: bool,
    /// `indisprimary`.
    pub primary: bool,
    /// The key column's position in the index (1-based).
    pub position: i64,
    /// `pg_get_indexdef` of the key column: its (possibly quoted) name or an expression.
    pub definition: String,
    /// The partial index's predicate.
    pub predicate: Option<String>,
}

/// Reads the tables, columns, primary keys and indexes of PostgreSQL schema `pg_schema`
/// through sqlx. Read-only. A client of another driver runs [`TABLES`], [`COLUMNS`] and
/// [`INDEX_COLUMNS`] itself (each takes the schema as `$1`) and calls [`assemble_rows`].
pub async fn introspect_postgres(
    pool: &sqlx::PgPool,
    pg_schema: &str,
) -> Result<Schema, IntrospectError> {
    let err = |source: sqlx::Error| IntrospectError::Query {
        dialect: Dialect::Postgres,
        source: Box::new(source),
    };
    let tables: Vec<String> = sqlx::query_scalar(TABLES)
        .bind(pg_schema)
        .fetch_all(pool)
        .await
        .map_err(err)?;
    let mut columns = Vec::new();
    for row in sqlx::query(COLUMNS)
        .bind(pg_schema)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        columns.push(ColumnRow {
            table: row.try_get(0).map_err(err)?,
            column: row.try_get(1).map_err(err)?,
            position: row.try_get(2).map_err(err)?,
            data_type: row.try_get(3).map_err(err)?,
            length: row.try_get(4).map_err(err)?,
            nullable: row.try_get(5).map_err(err)?,
            default: row.try_get(6).map_err(err)?,
            identity: row.try_get(7).map_err(err)?,
            collation: row.try_get(8).map_err(err)?,
            deterministic: row.try_get(9).map_err(err)?,
            digits: row.try_get(10).map_err(err)?,
        });
    }
    let mut indexes = Vec::new();
    for row in sqlx::query(INDEX_COLUMNS)
        .bind(pg_schema)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        indexes.push(IndexRow {
            table: row.try_get(0).map_err(err)?,
            index: row.try_get(1).map_err(err)?,
            unique: row.try_get(2).map_err(err)?,
            primary: row.try_get(3).map_err(err)?,
            position: row.try_get(4).map_err(err)?,
            definition: row.try_get(5).map_err(err)?,
            predicate: row.try_get(6).map_err(err)?,
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
            let generated = row.identity.as_deref() == Some("YES")
                || row
                    .default
                    .as_deref()
                    .is_some_and(|d| d.starts_with("nextval("));
            let column_type = column_type(&row.data_type, row.length, generated);
            CatalogColumn {
                // No type of this dialect the model maps to a timestamp stops at 2038.
                timestamp_range: nextauth_adapter::TimestampRange::Full,
                timestamp_digits: if column_type == ColumnType::Timestamp {
                    row.digits.and_then(|d| u8::try_from(d).ok())
                } else {
                    None
                },
                table: row.table,
                column: row.column,
                position: row.position,
                nullable: row.nullable == "YES",
                default: if generated {
                    None
                } else {
                    parse_default(row.default.as_deref())
                },
                // information_schema names a collation only where it is not the database's
                // default, which is deterministic (exact) on every PostgreSQL this kit supports.
                collation: row
                    .collation
                    .as_deref()
                    .map(|name| Collation::postgres(name, row.deterministic.unwrap_or(true))),
                column_type,
            }
        })
        .collect();
    let index_columns = indexes
        .into_iter()
        .map(|row| CatalogIndexColumn {
            column: unquote(&row.definition),
            filter: row.predicate.as_deref().map(IndexFilter::from_catalog),
            table: row.table,
            index: row.index,
            unique: row.unique,
            primary: row.primary,
            position: row.position,
        })
        .collect();
    assemble(tables, columns, index_columns)
}

/// `information_schema.columns.data_type` (plus length, plus whether the value is
/// generated) as a logical type. Only `timestamp with time zone` is a
/// [`ColumnType::Timestamp`]: a zoneless `timestamp` would shift with the session zone. An
/// unbounded `character varying` is [`ColumnType::Text`].
fn column_type(data_type: &str, length: Option<i64>, generated: bool) -> ColumnType {
    match (data_type, length) {
        ("integer", _) if generated => ColumnType::Id,
        ("integer", _) => ColumnType::Integer,
        ("character varying", Some(n)) => match u32::try_from(n) {
            Ok(n) => ColumnType::Varchar(n),
            Err(_) => ColumnType::Other(format!("character varying({n})")),
        },
        // `varchar` without a length (what TypeORM's synchronize creates) has no limit: it
        // stores what `text` stores.
        ("character varying", None) | ("text", _) => ColumnType::Text,
        ("timestamp with time zone", _) => ColumnType::Timestamp,
        (other, _) => ColumnType::Other(other.to_owned()),
    }
}

/// `"Email"` → `Email`; unquoted names pass through.
fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_types_map_to_logical_types() {
        assert_eq!(column_type("integer", None, true), ColumnType::Id);
        assert_eq!(column_type("integer", None, false), ColumnType::Integer);
        assert_eq!(
            column_type("character varying", Some(255), false),
            ColumnType::Varchar(255)
        );
        assert_eq!(
            column_type("character varying", None, false),
            ColumnType::Text
        );
        assert_eq!(
            column_type("timestamp with time zone", None, false),
            ColumnType::Timestamp
        );
        assert_eq!(
            column_type("timestamp without time zone", None, false),
            ColumnType::Other("timestamp without time zone".into())
        );
        assert_eq!(unquote("\"Email\""), "Email");
        assert_eq!(unquote("email"), "email");
    }
}

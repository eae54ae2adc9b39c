//! PostgreSQL: `information_schema` for tables and columns, `pg_catalog` for indexes
//! (`pg_indexes` only offers each index's definition as text).

use super::catalog::{CatalogColumn, CatalogIndexColumn, assemble};
use super::catalog_default::parse_default;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::{Collation, ColumnType, IndexFilter, Schema};
use sqlx::Row;

/// Base tables of one schema.
const TABLES: &str = "SELECT table_name::text FROM information_schema.tables \
     WHERE table_schema = $1 AND table_type = 'BASE TABLE'";

/// Columns of the base tables of one schema.
const COLUMNS: &str = "SELECT c.table_name::text, c.column_name::text, c.ordinal_position::int8, \
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
const INDEX_COLUMNS: &str = "SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary, \
     k.ord::int8, pg_get_indexdef(x.indexrelid, k.ord::int4, true), \
     pg_get_expr(x.indpred, x.indrelid, true) \
     FROM pg_index x \
     JOIN pg_class i ON i.oid = x.indexrelid \
     JOIN pg_class t ON t.oid = x.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     CROSS JOIN LATERAL generate_series(1, x.indnkeyatts::int4) AS k(ord) \
     WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')";

/// Reads the tables, columns, primary keys and indexes of PostgreSQL schema `pg_schema`.
/// Read-only.
pub async fn introspect_postgres(
    pool: &sqlx::PgPool,
    pg_schema: &str,
) -> Result<Schema, IntrospectError> {
    let err = |source| IntrospectError::Query {
        dialect: Dialect::Postgres,
        source,
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
        let data_type: String = row.try_get(3).map_err(err)?;
        let length: Option<i64> = row.try_get(4).map_err(err)?;
        let default: Option<String> = row.try_get(6).map_err(err)?;
        let identity: Option<String> = row.try_get(7).map_err(err)?;
        let collation: Option<String> = row.try_get(8).map_err(err)?;
        let deterministic: Option<bool> = row.try_get(9).map_err(err)?;
        let digits: Option<i64> = row.try_get(10).map_err(err)?;
        let generated = identity.as_deref() == Some("YES")
            || default
                .as_deref()
                .is_some_and(|d| d.starts_with("nextval("));
        let column_type = column_type(&data_type, length, generated);
        columns.push(CatalogColumn {
            // No type of this dialect the model maps to a timestamp stops at 2038.
            timestamp_range: nextauth_adapter::TimestampRange::Full,
            timestamp_digits: if column_type == ColumnType::Timestamp {
                digits.and_then(|d| u8::try_from(d).ok())
            } else {
                None
            },
            table: row.try_get(0).map_err(err)?,
            column: row.try_get(1).map_err(err)?,
            position: row.try_get(2).map_err(err)?,
            nullable: row.try_get::<String, _>(5).map_err(err)? == "YES",
            default: if generated {
                None
            } else {
                parse_default(default.as_deref())
            },
            // information_schema names a collation only where it is not the database's
            // default, which is deterministic (exact) on every PostgreSQL this kit supports.
            collation: collation
                .as_deref()
                .map(|name| Collation::postgres(name, deterministic.unwrap_or(true))),
            column_type,
        });
    }
    let mut index_columns = Vec::new();
    for row in sqlx::query(INDEX_COLUMNS)
        .bind(pg_schema)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        let column: String = row.try_get(5).map_err(err)?;
        let predicate: Option<String> = row.try_get(6).map_err(err)?;
        index_columns.push(CatalogIndexColumn {
            table: row.try_get(0).map_err(err)?,
            index: row.try_get(1).map_err(err)?,
            unique: row.try_get(2).map_err(err)?,
            primary: row.try_get(3).map_err(err)?,
            position: row.try_get(4).map_err(err)?,
            column: unquote(&column),
            filter: predicate.as_deref().map(IndexFilter::from_catalog),
        });
    }
    Ok(assemble(tables, columns, index_columns))
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

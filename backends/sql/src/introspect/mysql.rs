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

/// Base tables of one database.
const TABLES: &str = "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'";

/// Columns of one database's tables (views are dropped when assembling).
const COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
     CAST(ORDINAL_POSITION AS SIGNED), CAST(DATA_TYPE AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
     CAST(CHARACTER_MAXIMUM_LENGTH AS SIGNED), CAST(IS_NULLABLE AS CHAR), \
     CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), CAST(COLLATION_NAME AS CHAR), \
     CAST(DATETIME_PRECISION AS SIGNED) \
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?";

/// Key columns of every index; the primary key is the index named `PRIMARY`. A functional
/// key part (MySQL 8) has no `COLUMN_NAME`; its `EXPRESSION` is not read, so it shows as
/// `(expression)`.
const INDEX_COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), \
     CAST(NON_UNIQUE AS SIGNED), CAST(SEQ_IN_INDEX AS SIGNED), CAST(COLUMN_NAME AS CHAR) \
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?";

/// Reads the tables, columns, primary keys and indexes of MySQL/MariaDB database
/// `database`. Read-only.
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
        let data_type: String = row.try_get(3).map_err(err)?;
        let full_type: String = row.try_get(4).map_err(err)?;
        let length: Option<i64> = row.try_get(5).map_err(err)?;
        let extra: Option<String> = row.try_get(8).map_err(err)?;
        let default: Option<String> = row.try_get(7).map_err(err)?;
        let collation: Option<String> = row.try_get(9).map_err(err)?;
        let digits: Option<i64> = row.try_get(10).map_err(err)?;
        let auto_increment = extra
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().contains("auto_increment"));
        columns.push(CatalogColumn {
            table: row.try_get(0).map_err(err)?,
            column: row.try_get(1).map_err(err)?,
            position: row.try_get(2).map_err(err)?,
            column_type: column_type(&data_type, &full_type, length, auto_increment),
            timestamp_range: if data_type.eq_ignore_ascii_case("timestamp") {
                TimestampRange::Unix32
            } else {
                TimestampRange::Full
            },
            nullable: row.try_get::<String, _>(6).map_err(err)? == "YES",
            default: parse_default(default.as_deref()),
            collation: collation.as_deref().map(Collation::mysql),
            timestamp_digits: digits.and_then(|d| u8::try_from(d).ok()),
        });
    }
    let mut index_columns = Vec::new();
    for row in sqlx::query(INDEX_COLUMNS)
        .bind(database)
        .fetch_all(pool)
        .await
        .map_err(err)?
    {
        let index: String = row.try_get(1).map_err(err)?;
        let column: Option<String> = row.try_get(4).map_err(err)?;
        index_columns.push(CatalogIndexColumn {
            table: row.try_get(0).map_err(err)?,
            primary: index == "PRIMARY",
            index,
            unique: row.try_get::<i64, _>(2).map_err(err)? == 0,
            position: row.try_get(3).map_err(err)?,
            column: column.unwrap_or_else(|| "(expression)".to_owned()),
            filter: None,
        });
    }
    Ok(assemble(tables, columns, index_columns))
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

//! SQL Server, without a driver: the catalog queries ([`COLUMNS_QUERY`],
//! [`INDEXES_QUERY`]), the row types they return, and [`schema_from_rows`], which turns
//! the rows into a [`Schema`]. A backend runs the queries with its own client (e.g.
//! tiberius), binding the schema name (e.g. `dbo`) as the only parameter `@P1`, and
//! reads each result row into the matching struct by column name.

use super::catalog::{CatalogColumn, CatalogIndexColumn, assemble};
use super::catalog_default::parse_default;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::{Collation, ColumnType, IndexFilter, Schema};

/// Every column of every user table of schema `@P1`, one row each; read rows into
/// [`MsSqlColumnRow`]. Tables without columns do not exist in SQL Server.
pub const COLUMNS_QUERY: &str = "SELECT t.name AS table_name, c.name AS column_name, \
c.column_id AS column_id, ty.name AS type_name, c.max_length AS max_length, \
c.is_nullable AS is_nullable, c.is_identity AS is_identity, dc.definition AS default_definition, \
c.collation_name AS collation_name \
FROM sys.tables t \
JOIN sys.schemas s ON s.schema_id = t.schema_id \
JOIN sys.columns c ON c.object_id = t.object_id \
JOIN sys.types ty ON ty.user_type_id = c.user_type_id \
LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id \
WHERE s.name = @P1 \
ORDER BY t.name, c.column_id";

/// Every key column of every index (heaps excluded, included columns excluded) of schema
/// `@P1`'s user tables, one row each; read rows into [`MsSqlIndexRow`].
pub const INDEXES_QUERY: &str = "SELECT t.name AS table_name, i.name AS index_name, \
i.is_unique AS is_unique, i.is_primary_key AS is_primary_key, \
i.filter_definition AS filter_definition, ic.key_ordinal AS key_ordinal, c.name AS column_name \
FROM sys.indexes i \
JOIN sys.tables t ON t.object_id = i.object_id \
JOIN sys.schemas s ON s.schema_id = t.schema_id \
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id \
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id \
WHERE s.name = @P1 AND i.type > 0 AND ic.is_included_column = 0 \
ORDER BY t.name, i.name, ic.key_ordinal";

/// One row of [`COLUMNS_QUERY`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsSqlColumnRow {
    /// `table_name`.
    pub table_name: String,
    /// `column_name`.
    pub column_name: String,
    /// `column_id` (1-based position).
    pub column_id: i32,
    /// `type_name`: `int`, `nvarchar`, `datetime2`, …
    pub type_name: String,
    /// `max_length` in bytes (`nvarchar(255)` is 510); -1 for `(MAX)`.
    pub max_length: i16,
    /// `is_nullable`.
    pub is_nullable: bool,
    /// `is_identity`.
    pub is_identity: bool,
    /// `default_definition`, e.g. `(sysutcdatetime())`.
    pub default_definition: Option<String>,
    /// `collation_name`, e.g. `SQL_Latin1_General_CP1_CI_AS` (text columns only).
    pub collation_name: Option<String>,
}

/// One row of [`INDEXES_QUERY`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsSqlIndexRow {
    /// `table_name`.
    pub table_name: String,
    /// `index_name`.
    pub index_name: String,
    /// `is_unique`.
    pub is_unique: bool,
    /// `is_primary_key`.
    pub is_primary_key: bool,
    /// `filter_definition`, e.g. `([email] IS NOT NULL)`.
    pub filter_definition: Option<String>,
    /// `key_ordinal` (1-based).
    pub key_ordinal: u8,
    /// `column_name`.
    pub column_name: String,
}

/// The [`Schema`] described by the rows of [`COLUMNS_QUERY`] and [`INDEXES_QUERY`].
///
/// `varchar(n)` and `nvarchar(n)` are both [`ColumnType::Varchar`]`(n)` (the byte length
/// of `nvarchar` is halved); `text`, `ntext` and `(n)varchar(max)` are
/// [`ColumnType::Text`]; `datetime`, `datetime2` and `datetimeoffset` are
/// [`ColumnType::Timestamp`]. Fails on a row with a negative or odd `nvarchar` length.
pub fn schema_from_rows(
    columns: &[MsSqlColumnRow],
    indexes: &[MsSqlIndexRow],
) -> Result<Schema, IntrospectError> {
    let mut tables: Vec<String> = columns.iter().map(|c| c.table_name.clone()).collect();
    tables.dedup();
    let catalog_columns = columns
        .iter()
        .map(|c| {
            Ok(CatalogColumn {
                // No type of this dialect the model maps to a timestamp stops at 2038.
                timestamp_range: nextauth_adapter::TimestampRange::Full,
                timestamp_digits: None,
                table: c.table_name.clone(),
                column: c.column_name.clone(),
                position: i64::from(c.column_id),
                column_type: column_type(c)?,
                nullable: c.is_nullable,
                default: parse_default(c.default_definition.as_deref()),
                collation: c.collation_name.as_deref().map(Collation::mssql),
            })
        })
        .collect::<Result<Vec<_>, IntrospectError>>()?;
    let index_columns = indexes
        .iter()
        .map(|i| CatalogIndexColumn {
            table: i.table_name.clone(),
            index: i.index_name.clone(),
            unique: i.is_unique,
            primary: i.is_primary_key,
            position: i64::from(i.key_ordinal),
            column: i.column_name.clone(),
            filter: i
                .filter_definition
                .as_deref()
                .map(IndexFilter::from_catalog),
        })
        .collect();
    Ok(assemble(tables, catalog_columns, index_columns))
}

/// `sys.types.name` plus `max_length` as a logical type.
fn column_type(row: &MsSqlColumnRow) -> Result<ColumnType, IntrospectError> {
    let bad = |detail: String| IntrospectError::BadRow {
        dialect: Dialect::MsSql,
        table: row.table_name.clone(),
        detail,
    };
    let name = row.type_name.to_ascii_lowercase();
    Ok(match name.as_str() {
        "int" if row.is_identity => ColumnType::Id,
        "int" => ColumnType::Integer,
        "varchar" | "nvarchar" if row.max_length == -1 => ColumnType::Text,
        "varchar" | "nvarchar" => {
            let bytes = u32::try_from(row.max_length).map_err(|_| {
                bad(format!(
                    "{}: max_length {}",
                    row.column_name, row.max_length
                ))
            })?;
            if name == "nvarchar" {
                if bytes % 2 != 0 {
                    return Err(bad(format!(
                        "{}: odd nvarchar byte length {bytes}",
                        row.column_name
                    )));
                }
                ColumnType::Varchar(bytes / 2)
            } else {
                ColumnType::Varchar(bytes)
            }
        }
        "text" | "ntext" => ColumnType::Text,
        "datetime" | "datetime2" | "datetimeoffset" => ColumnType::Timestamp,
        _ => ColumnType::Other(row.type_name.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnDefault;

    fn col(name: &str, type_name: &str, max_length: i16) -> MsSqlColumnRow {
        MsSqlColumnRow {
            table_name: "users".into(),
            column_name: name.into(),
            column_id: 1,
            type_name: type_name.into(),
            max_length,
            is_nullable: true,
            is_identity: false,
            default_definition: None,
            collation_name: None,
        }
    }

    #[test]
    fn rows_become_a_schema() {
        let columns = [
            MsSqlColumnRow {
                is_identity: true,
                is_nullable: false,
                ..col("id", "int", 4)
            },
            MsSqlColumnRow {
                column_id: 2,
                ..col("email", "nvarchar", 510)
            },
            MsSqlColumnRow {
                column_id: 3,
                ..col("legacy", "varchar", 255)
            },
            MsSqlColumnRow {
                column_id: 4,
                ..col("bio", "nvarchar", -1)
            },
            MsSqlColumnRow {
                column_id: 5,
                is_nullable: false,
                default_definition: Some("(sysutcdatetime())".into()),
                ..col("created_at", "datetime2", 8)
            },
        ];
        let index = |name: &str, column: &str, primary, filter: Option<&str>| MsSqlIndexRow {
            table_name: "users".into(),
            index_name: name.into(),
            is_unique: true,
            is_primary_key: primary,
            filter_definition: filter.map(str::to_owned),
            key_ordinal: 1,
            column_name: column.into(),
        };
        let schema = schema_from_rows(
            &columns,
            &[
                index("users_pkey", "id", true, None),
                index("email", "email", false, Some("([email] IS NOT NULL)")),
            ],
        )
        .unwrap();
        let users = schema.table("users").unwrap();
        let types: Vec<_> = users
            .columns
            .iter()
            .map(|c| c.column_type.clone())
            .collect();
        assert_eq!(
            types,
            [
                ColumnType::Id,
                ColumnType::Varchar(255),
                ColumnType::Varchar(255),
                ColumnType::Text,
                ColumnType::Timestamp
            ]
        );
        assert_eq!(
            users.columns[4].default,
            Some(ColumnDefault::CurrentTimestamp)
        );
        assert_eq!(users.primary_key, ["id"]);
        assert_eq!(
            users.indexes[0].filter,
            Some(IndexFilter::NotNull("email".into()))
        );
    }

    #[test]
    fn impossible_lengths_are_errors_not_panics() {
        let err = schema_from_rows(&[col("x", "nvarchar", 511)], &[]).unwrap_err();
        assert!(
            err.to_string().contains("odd nvarchar byte length 511"),
            "{err}"
        );
        assert!(schema_from_rows(&[col("x", "varchar", -2)], &[]).is_err());
    }
}

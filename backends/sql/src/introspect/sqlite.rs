//! SQLite: `sqlite_master` and the table-valued pragmas `pragma_table_info`,
//! `pragma_index_list` and `pragma_index_info`.

use super::catalog::{CatalogColumn, CatalogIndexColumn, assemble, declared_length};
use super::catalog_default::parse_default;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::{Collation, ColumnType, IndexFilter, Schema};
use sqlx::Row;

/// User tables with their `CREATE TABLE` text (to see `AUTOINCREMENT`).
const TABLES: &str = "SELECT name, sql FROM sqlite_master \
     WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";

/// Columns of one table.
const COLUMNS: &str =
    "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)";

/// Indexes of one table; `origin` is `c` (CREATE INDEX), `u` (UNIQUE constraint) or
/// `pk` (PRIMARY KEY constraint).
const INDEXES: &str = "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)";

/// Key columns of one index (`name` is NULL for an expression).
const INDEX_COLUMNS: &str = "SELECT seqno, name FROM pragma_index_info(?)";

/// The `CREATE INDEX` text of a partial index, to read its `WHERE` clause.
const INDEX_SQL: &str = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?";

/// Reads the tables, columns, primary keys and indexes of the pool's `main` database.
/// Read-only.
///
/// A rowid primary key (`INTEGER PRIMARY KEY`) is [`ColumnType::Id`] only when declared
/// `AUTOINCREMENT`: without it SQLite may reuse a deleted row's id.
pub async fn introspect_sqlite(pool: &sqlx::SqlitePool) -> Result<Schema, IntrospectError> {
    let err = |source: sqlx::Error| IntrospectError::Query {
        dialect: Dialect::Sqlite,
        source: Box::new(source),
    };
    let tables: Vec<(String, Option<String>)> =
        sqlx::query_as(TABLES).fetch_all(pool).await.map_err(err)?;
    let mut columns = Vec::new();
    let mut index_columns = Vec::new();
    for (table, sql) in &tables {
        let autoincrement = sql
            .as_deref()
            .is_some_and(|s| s.to_ascii_uppercase().contains("AUTOINCREMENT"));
        let collations = sql.as_deref().map(column_collations).unwrap_or_default();
        for row in sqlx::query(COLUMNS)
            .bind(table)
            .fetch_all(pool)
            .await
            .map_err(err)?
        {
            let column: String = row.try_get(1).map_err(err)?;
            let declared: String = row.try_get(2).map_err(err)?;
            let not_null: i64 = row.try_get(3).map_err(err)?;
            let default: Option<String> = row.try_get(4).map_err(err)?;
            let pk: i64 = row.try_get(5).map_err(err)?;
            let column_type = column_type(&declared, pk == 1 && autoincrement);
            if pk > 0 {
                index_columns.push(CatalogIndexColumn {
                    table: table.clone(),
                    index: "PRIMARY KEY".into(),
                    unique: true,
                    primary: true,
                    position: pk,
                    column: column.clone(),
                    filter: None,
                });
            }
            columns.push(CatalogColumn {
                // No type of this dialect the model maps to a timestamp stops at 2038.
                timestamp_range: nextauth_adapter::TimestampRange::Full,
                timestamp_digits: None,
                table: table.clone(),
                nullable: not_null == 0 && column_type != ColumnType::Id,
                position: row.try_get(0).map_err(err)?,
                collation: collations
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&column))
                    .map(|(_, collation)| Collation::sqlite(collation)),
                column,
                column_type,
                default: parse_default(default.as_deref()),
            });
        }
        for index in sqlx::query(INDEXES)
            .bind(table)
            .fetch_all(pool)
            .await
            .map_err(err)?
        {
            let name: String = index.try_get(0).map_err(err)?;
            let unique: i64 = index.try_get(1).map_err(err)?;
            let origin: String = index.try_get(2).map_err(err)?;
            let partial: i64 = index.try_get(3).map_err(err)?;
            if origin == "pk" {
                continue; // Already read from pragma_table_info's `pk`.
            }
            let filter = if partial == 0 {
                None
            } else {
                let sql: Option<String> = sqlx::query_scalar(INDEX_SQL)
                    .bind(&name)
                    .fetch_optional(pool)
                    .await
                    .map_err(err)?
                    .flatten();
                sql.as_deref()
                    .and_then(where_clause)
                    .map(IndexFilter::from_catalog)
            };
            for key in sqlx::query(INDEX_COLUMNS)
                .bind(&name)
                .fetch_all(pool)
                .await
                .map_err(err)?
            {
                let column: Option<String> = key.try_get(1).map_err(err)?;
                index_columns.push(CatalogIndexColumn {
                    table: table.clone(),
                    index: name.clone(),
                    unique: unique != 0,
                    primary: false,
                    position: key.try_get(0).map_err(err)?,
                    column: column.unwrap_or_else(|| "(expression)".to_owned()),
                    filter: filter.clone(),
                });
            }
        }
    }
    Ok(assemble(
        tables.into_iter().map(|(name, _)| name),
        columns,
        index_columns,
    ))
}

/// A declared SQLite type as a logical type. SQLite enforces neither lengths nor date
/// types; the declaration is what the schema says, so that is what is compared.
fn column_type(declared: &str, rowid_autoincrement: bool) -> ColumnType {
    let upper = declared.trim().to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or_default().trim();
    match base {
        "INTEGER" if rowid_autoincrement => ColumnType::Id,
        "INTEGER" | "INT" => ColumnType::Integer,
        "VARCHAR" => match declared_length(&upper) {
            Some(n) => ColumnType::Varchar(n),
            None => ColumnType::Other(declared.to_owned()),
        },
        "TEXT" => ColumnType::Text,
        "DATETIME" | "TIMESTAMP" => ColumnType::Timestamp,
        _ => ColumnType::Other(declared.to_owned()),
    }
}

/// The text after the last ` WHERE ` of a `CREATE INDEX` statement.
fn where_clause(sql: &str) -> Option<&str> {
    let at = sql.to_ascii_uppercase().rfind(" WHERE ")?;
    Some(sql[at + " WHERE ".len()..].trim())
}

/// The columns of a `CREATE TABLE` text that declare a `COLLATE`, with the collation's name.
fn column_collations(sql: &str) -> Vec<(String, String)> {
    let Some(body) = sql.find('(').map(|at| &sql[at + 1..]) else {
        return Vec::new();
    };
    // Split the column list at the commas outside parentheses.
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0usize);
    for (i, ch) in body.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' if depth == 0 => {
                parts.push(&body[start..i]);
                break;
            }
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts
        .into_iter()
        .filter_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let name = words.first()?.trim_matches(['"', '`', '[', ']']);
            let at = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("COLLATE"))?;
            let collation = words.get(at + 1)?.trim_matches(['"', '`', ',']);
            Some((name.to_owned(), collation.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collations_are_read_from_the_table_text() {
        let sql = "CREATE TABLE \"users\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT, \"email\" VARCHAR(255) COLLATE NOCASE, \"name\" VARCHAR(255), CONSTRAINT x CHECK (length(name) > 0))";
        assert_eq!(
            column_collations(sql),
            vec![("email".to_owned(), "NOCASE".to_owned())]
        );
    }

    #[test]
    fn declared_types_map_to_logical_types() {
        assert_eq!(column_type("INTEGER", true), ColumnType::Id);
        assert_eq!(column_type("INTEGER", false), ColumnType::Integer);
        assert_eq!(column_type("varchar(255)", false), ColumnType::Varchar(255));
        assert_eq!(column_type("DATETIME", false), ColumnType::Timestamp);
        assert_eq!(column_type("BLOB", false), ColumnType::Other("BLOB".into()));
        assert_eq!(
            where_clause("CREATE UNIQUE INDEX e ON users (email) WHERE email IS NOT NULL"),
            Some("email IS NOT NULL")
        );
    }
}

//! Read-only introspection: a live database's catalog read into a [`Schema`], and
//! one-call checks that diff it against the expected schema.
//!
//! Nothing here writes: every query is a `SELECT` on the catalog (`information_schema`,
//! `pg_catalog`, SQLite pragmas, SQL Server `sys.*`). Catalog types are mapped to the
//! model's logical types per dialect; a type the model does not know becomes
//! [`ColumnType::Other`](crate::ColumnType::Other) with the catalog's spelling.
//!
//! SQL Server has no driver here: [`mssql`] provides the queries and turns their rows into
//! a [`Schema`], for a backend that runs them with its own client.

mod catalog;
mod catalog_default;
pub mod mssql;
pub mod mysql;
pub mod postgres;
mod sqlite;

pub use mysql::introspect_mysql;
pub use postgres::introspect_postgres;
pub use sqlite::introspect_sqlite;

use crate::dialect::Dialect;
use crate::diff::{Diff, diff};
use crate::error::Error;
use crate::model::Schema;
use crate::names::SchemaNames;

/// Introspects PostgreSQL schema `pg_schema` (e.g. `public`) and diffs it against the
/// expected schema under `names`.
pub async fn check_postgres(
    pool: &sqlx::PgPool,
    pg_schema: &str,
    names: &SchemaNames,
) -> Result<Diff, Error> {
    let expected = Schema::expected(Dialect::Postgres, names)?;
    Ok(diff(
        &expected,
        &introspect_postgres(pool, pg_schema).await?,
    ))
}

/// Introspects MySQL/MariaDB database `database` and diffs it against the expected schema
/// under `names`.
pub async fn check_mysql(
    pool: &sqlx::MySqlPool,
    database: &str,
    names: &SchemaNames,
) -> Result<Diff, Error> {
    let expected = Schema::expected(Dialect::MySql, names)?;
    Ok(diff(&expected, &introspect_mysql(pool, database).await?))
}

/// Introspects the SQLite database (`main`) and diffs it against the expected schema under
/// `names`.
pub async fn check_sqlite(pool: &sqlx::SqlitePool, names: &SchemaNames) -> Result<Diff, Error> {
    let expected = Schema::expected(Dialect::Sqlite, names)?;
    Ok(diff(&expected, &introspect_sqlite(pool).await?))
}

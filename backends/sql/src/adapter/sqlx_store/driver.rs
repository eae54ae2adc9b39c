//! [`Driver`]: what differs between the databases [`SqlxStore`](super::SqlxStore) runs on.

use super::exec::{Exec, Statement};
use crate::adapter::SqlOptions;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::Schema;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::Capabilities;
use sqlx::{Database, Pool};
use std::fmt::Debug;

/// One database under sqlx, as the generic store needs to know it: a zero-sized type per
/// backend crate, holding only what truly differs between them. Everything else (the
/// statements, their parameters, the decoding of rows, the transactions) is written once
/// in [`SqlxStore`](super::SqlxStore).
#[async_trait]
pub trait Driver: Debug + Clone + Send + Sync + 'static {
    /// sqlx's database type (`sqlx::Postgres`, `sqlx::MySql`, `sqlx::Sqlite`).
    type Db: Exec;

    /// The backend's name in errors and logs.
    const BACKEND: &'static str;

    /// The dialect whose statements and DDL the store runs.
    const DIALECT: Dialect;

    /// What the backend declares by default: exactly what its schema and driver guarantee.
    const CAPABILITIES: Capabilities;

    /// The statement that opens a transaction that writes; `None`: the driver's own `BEGIN`.
    /// (SQLite takes its write lock up front with `BEGIN IMMEDIATE`, so a transaction waits
    /// for the busy timeout instead of failing to upgrade a read lock.)
    const BEGIN_WRITE: Option<&'static str> = None;

    /// Whether DDL runs in a transaction (all tables or none), or statement by statement
    /// (MySQL commits each implicitly).
    const TRANSACTIONAL_DDL: bool;

    /// Binds an instant (`None`: SQL `NULL`) the way the database's columns hold it.
    fn bind_instant(statement: Statement<Self>, at: Option<DateTime<Utc>>) -> Statement<Self>;

    /// How many rows a write matched (sqlx has no trait for it).
    fn rows_affected(result: &<Self::Db as Database>::QueryResult) -> u64;

    /// The id an insert generated, for a dialect whose writes return no row; `None` where
    /// writes return the row instead.
    fn last_insert_id(result: &<Self::Db as Database>::QueryResult) -> Option<u64> {
        let _ = result;
        None
    }

    /// Opens a pool to `url` (the backend's URL syntax) sized by `options`.
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Pool<Self::Db>, sqlx::Error>;

    /// Reads the live schema of the connection's schema or database (read-only).
    async fn introspect(pool: &Pool<Self::Db>) -> Result<Schema, IntrospectError>;

    /// Whether this server runs `DELETE … RETURNING`; asked once per store. Only MySQL
    /// needs to ask (MariaDB has it, MySQL 8 does not).
    async fn deletes_return(pool: &Pool<Self::Db>) -> Result<bool, sqlx::Error> {
        let _ = pool;
        Ok(true)
    }

    /// The dialect's DDL `statements` as this server runs them; only MySQL asks which server
    /// it is, for its binary `NO PAD` collation ([`mysql_ddl_for`](crate::mysql_ddl_for)).
    async fn server_ddl(
        pool: &Pool<Self::Db>,
        statements: &[String],
    ) -> Result<Vec<String>, sqlx::Error> {
        let _ = pool;
        Ok(statements.to_vec())
    }
}

//! [`SqliteDriver`]: what SQLite needs of the shared sqlx store.
//!
//! Round trips per store operation: one each (`RETURNING` on writes, `DELETE … RETURNING`
//! for single-use verification), except the cascading `delete_user`: three deletes in one
//! `BEGIN IMMEDIATE` transaction (five statements on the one connection; SQLite runs in
//! process, so a "round trip" is a function call). Instants are bound as fixed-width UTC
//! text (see [`instant_text::text`]).

use crate::instant_text;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter_sql::adapter::{Driver, SqlOptions, SqlxStore, Statement};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, introspect_sqlite};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The v3 tables in one SQLite database (the pool's `main`), over a pool.
pub type SqliteStore = SqlxStore<SqliteDriver>;

/// SQLite under sqlx: instants bound as text, writes in immediate transactions.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDriver;

/// How long a write waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `url` names an in-memory database (`sqlite::memory:`, `?mode=memory`).
fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[async_trait]
impl Driver for SqliteDriver {
    type Db = Sqlite;
    const BACKEND: &'static str = "sqlite";
    const DIALECT: Dialect = Dialect::Sqlite;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    /// IMMEDIATE takes the write lock up front, so the transaction waits (busy timeout)
    /// instead of failing to upgrade a read lock.
    const BEGIN_WRITE: Option<&'static str> = Some("BEGIN IMMEDIATE");
    /// SQLite's DDL is transactional: all tables or none.
    const TRANSACTIONAL_DDL: bool = true;

    fn bind_instant(statement: Statement<Self>, at: Option<DateTime<Utc>>) -> Statement<Self> {
        statement.bind(instant_text::opt_text(at))
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<SqlitePool, sqlx::Error> {
        let connect = SqliteConnectOptions::from_str(url)?;
        if is_in_memory(url) {
            // One connection, never closed: an in-memory database lives as long as a
            // connection to it, and every call must see the same one.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(connect)
                .await
        } else {
            SqlitePoolOptions::new()
                .max_connections(options.pool_size())
                .connect_with(
                    connect
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(BUSY_TIMEOUT),
                )
                .await
        }
    }

    async fn introspect(pool: &SqlitePool) -> Result<Schema, IntrospectError> {
        introspect_sqlite(pool).await
    }
}

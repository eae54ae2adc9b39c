//! [`Connections`]: the store's pool of tokio-postgres connections, and the one rule by
//! which a statement gets a connection that is alive.
//!
//! A connection the server closed while it sat idle in the pool (an administrator's kill,
//! an idle timeout, a restart) must not fail the next call. sqlx's pool pings every
//! connection it hands out, a round trip per statement. This pool does not: it hands out a
//! connection as soon as its client has not seen it close (deadpool's `Fast` recycling),
//! and each statement decides what to do if it finds it dead:
//!
//! - a **read** runs again on another connection: running a `SELECT` twice is harmless,
//!   and a read that met a dead connection ran at most on a session that is gone;
//! - a **write** is sent only on a connection that has just answered a ping (an empty query,
//!   one round trip), and a failed ping is tried again on another connection; once the
//!   write is under way (its preparation included) a failure reaches the caller, and the
//!   write is never repeated: it may or may not have happened.
//!
//! Each retries at most once per connection the pool can hold, plus one: enough to step
//! over every idle connection of the pool, killed at once, and reach a new one.

use super::values::{connection_lost, store_error};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use nextauth_adapter::error::BoxError;
use nextauth_adapter_sql::adapter::{StoreError, StoreResult};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// Whether a statement changes data, which decides how a dead connection is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Repeated on another connection when its connection was found dead.
    Read,
    /// Sent on a connection that has just answered a ping; never repeated once sent.
    Write,
}

/// A pool of tokio-postgres connections, sized by the store's options.
#[derive(Clone)]
pub(super) struct Connections {
    pool: Pool,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: only its size is shown.
        f.debug_struct("Connections")
            .field("max_size", &self.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

/// Opens a pool of at most `size` connections to `url` (a libpq URL or key-value string;
/// `options=-c search_path=…` picks the schema) and makes one connection now, so that an
/// unreachable server or a refused password fails here, not at the first call.
pub(super) async fn open(url: &str, size: u32) -> Result<Pool, BoxError> {
    let config: tokio_postgres::Config = url.parse()?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(usize::try_from(size.max(1)).unwrap_or(usize::MAX))
        .build()?;
    drop(pool.get().await?);
    Ok(pool)
}

impl Connections {
    /// The store's connections over `pool` (the application's own, or [`open`]'s).
    pub(super) fn new(pool: Pool) -> Self {
        Connections { pool }
    }

    /// The pool underneath.
    pub(super) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// How many connections a statement may try before it reports the last failure.
    fn attempts(&self) -> usize {
        self.pool.status().max_size + 1
    }

    /// A connection from the pool; a pool error (the server cannot be reached) as the
    /// store's.
    async fn get(&self) -> StoreResult<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Driver(Box::new(e)))
    }

    /// Runs `sql` (prepared once per connection) with `params` and returns its rows: a read
    /// again on another connection when it found its own dead, a write once, on a connection
    /// that has just answered a ping.
    pub(super) async fn query(
        &self,
        access: Access,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<Vec<Row>> {
        if access == Access::Write {
            let client = self.verified().await?;
            return run(&client, sql, params).await.map_err(store_error);
        }
        let attempts = self.attempts();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let client = self.get().await?;
            match run(&client, sql, params).await {
                Ok(rows) => return Ok(rows),
                Err(e) if connection_lost(&e) && attempt < attempts => {
                    tracing::debug!(attempt, error = %e, "a pooled connection was closed; reading on another");
                    // Out of the pool for good, whether or not its client noticed yet.
                    drop(Object::take(client));
                }
                Err(e) => return Err(store_error(e)),
            }
        }
    }

    /// A connection that has just answered a ping (an empty query): for a write, and for
    /// statements run in a transaction.
    pub(super) async fn verified(&self) -> StoreResult<Object> {
        let attempts = self.attempts();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let client = self.get().await?;
            match client.simple_query("").await {
                Ok(_) => return Ok(client),
                Err(e) if connection_lost(&e) && attempt < attempts => {
                    drop(Object::take(client));
                }
                Err(e) => return Err(store_error(e)),
            }
        }
    }
}

/// Prepares (once per connection) and runs `sql` on `client`.
async fn run(
    client: &Object,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = client.prepare_cached(sql).await?;
    client.query(&statement, params).await
}

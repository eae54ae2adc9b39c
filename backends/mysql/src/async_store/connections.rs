//! [`Connections`]: the store's pool of mysql_async connections, and the one rule by which
//! a statement gets a connection that is alive.
//!
//! The rule is the tokio-postgres store's (see its `connections` module): the pool hands out
//! a connection without a round trip, and a connection the server closed while it sat idle
//! (an administrator's `KILL`, `wait_timeout`, a restart) must not fail the next call.
//!
//! - a **read** runs again on another connection when it found its own gone;
//! - a **write** is sent only on a connection that has just answered a ping (`COM_PING`, one
//!   round trip), a failed ping tried again on another connection; once the write is sent
//!   (its preparation included) a failure reaches the caller, and the write is never
//!   repeated: it may or may not have happened.
//!
//! Each retries at most once per connection the pool can hold, plus one.

use super::url;
use super::values::{connection_lost, store_error};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Params, Pool, PoolConstraints, PoolOpts, Row, Value};
use nextauth_adapter::error::BoxError;
use nextauth_adapter_sql::adapter::{Sql, StoreResult};

/// What every session runs once, when it connects: instants are UTC on `TIMESTAMP` columns
/// too, text is `utf8mb4`, and DDL never silently swaps the storage engine (what sqlx's
/// MySQL driver sets, so both stores see the same session).
const SESSION_SETUP: &str = "SET time_zone = '+00:00', NAMES utf8mb4, \
     sql_mode = CONCAT(@@sql_mode, ',NO_ENGINE_SUBSTITUTION')";

/// What a write did.
#[derive(Debug, Clone, Copy)]
pub(super) struct Written {
    /// Rows it matched (the connection asks for `CLIENT_FOUND_ROWS`: an update that changes
    /// nothing still counts the row it found).
    pub(super) matched: u64,
    /// The id an insert generated.
    pub(super) inserted_id: Option<u64>,
}

/// A pool of mysql_async connections.
#[derive(Clone)]
pub(super) struct Connections {
    pool: Pool,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's options hold the password: nothing of them is shown.
        f.debug_struct("Connections").finish_non_exhaustive()
    }
}

/// Opens a pool of at most `size` connections to `url` (sqlx's MySQL URL syntax) and makes
/// one connection now, so that an unreachable server or a refused password fails here, not
/// at the first call.
pub(super) async fn open(url: &str, size: u32) -> Result<Pool, BoxError> {
    let size = usize::try_from(size.max(1)).unwrap_or(usize::MAX);
    // Idle connections stay open, as in sqlx's pool (mysql_async closes those above the
    // minimum); a connection goes back as it is, its prepared statements kept (mysql_async
    // would reset it, a round trip that also drops them).
    let constraints =
        PoolConstraints::new(size, size).ok_or_else(|| format!("a pool of {size} connections"))?;
    let options = url::options(url)?
        .init(vec![SESSION_SETUP])
        .client_found_rows(true)
        .pool_opts(
            PoolOpts::default()
                .with_constraints(constraints)
                .with_reset_connection(false),
        );
    let pool = Pool::new(options);
    drop(pool.get_conn().await?);
    Ok(pool)
}

/// What to do with a pooled connection: a statement (or a ping) run on it.
trait OnConnection<T>: FnMut(Conn) -> BoxFuture<T> {}

impl<T, F: FnMut(Conn) -> BoxFuture<T>> OnConnection<T> for F {}

/// A boxed future of a driver result.
type BoxFuture<T> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<T, mysql_async::Error>> + Send + 'static>,
>;

impl Connections {
    /// The store's connections over `pool` (the application's own, or [`open`]'s).
    pub(super) fn new(pool: Pool) -> Self {
        Connections { pool }
    }

    /// The pool underneath.
    pub(super) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// `work` on a pooled connection, again on another connection while it finds its own
    /// gone: at most once per connection the pool can hold, plus one.
    async fn on_live<T>(
        &self,
        what: &'static str,
        mut work: impl OnConnection<T>,
    ) -> StoreResult<T> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let conn = self.pool.get_conn().await.map_err(store_error)?;
            let attempts = conn.opts().pool_opts().constraints().max() + 1;
            match work(conn).await {
                Ok(done) => return Ok(done),
                Err(e) if connection_lost(&e) && attempt < attempts => {
                    tracing::debug!(attempt, what, error = %e, "a pooled connection was closed; trying another");
                }
                Err(e) => return Err(store_error(e)),
            }
        }
    }

    /// The first row of `sql` (prepared once per connection) with `params`, run again on
    /// another connection when it found its own gone.
    pub(super) async fn read(&self, sql: &Sql, params: &[Value]) -> StoreResult<Option<Row>> {
        self.on_live("read", |mut conn| {
            let (sql, params) = (Sql::clone(sql), Params::Positional(params.to_vec()));
            Box::pin(async move { conn.exec_first::<Row, _, _>(&*sql, params).await })
        })
        .await
    }

    /// Every row of `sql` with `params`, read as [`read`](Self::read) reads (the catalog).
    pub(super) async fn read_all(&self, sql: &Sql, params: &[Value]) -> StoreResult<Vec<Row>> {
        self.on_live("read", |mut conn| {
            let (sql, params) = (Sql::clone(sql), Params::Positional(params.to_vec()));
            Box::pin(async move { conn.exec::<Row, _, _>(&*sql, params).await })
        })
        .await
    }

    /// A connection that has just answered a ping: for a write, and for statements run in a
    /// transaction or in order (DDL).
    pub(super) async fn verified(&self) -> StoreResult<Conn> {
        self.on_live("ping", |mut conn| {
            Box::pin(async move {
                conn.ping().await?;
                Ok(conn)
            })
        })
        .await
    }

    /// Runs a write once, on a connection that has just answered a ping.
    pub(super) async fn write(&self, sql: &str, params: Vec<Value>) -> StoreResult<Written> {
        let mut conn = self.verified().await?;
        conn.exec_drop(sql, Params::Positional(params))
            .await
            .map_err(store_error)?;
        Ok(Written {
            matched: conn.affected_rows(),
            inserted_id: conn.last_insert_id(),
        })
    }

    /// Runs a write that returns rows (`DELETE … RETURNING`) once, on a connection that has
    /// just answered a ping; its first row.
    pub(super) async fn write_returning(
        &self,
        sql: &str,
        params: Vec<Value>,
    ) -> StoreResult<Option<Row>> {
        let mut conn = self.verified().await?;
        conn.exec_first(sql, Params::Positional(params))
            .await
            .map_err(store_error)
    }
}

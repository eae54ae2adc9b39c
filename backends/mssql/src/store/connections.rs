//! [`Connections`]: the store's pool of tiberius clients, and the one rule by which a
//! statement gets a connection that is alive.
//!
//! The rule is the other second-driver stores' (PostgreSQL's on tokio-postgres, MySQL's on
//! mysql_async): the pool hands out a connection without a round trip, and a connection the
//! server closed while it sat idle must not fail the next call.
//!
//! - a **read** runs again on another connection when it found its own gone;
//! - a **write** is sent only on a connection that has just answered a ping (`SELECT 1`),
//!   a failed ping tried again on another connection; once the write is sent a failure
//!   reaches the caller, and the write is never repeated: it may or may not have happened.
//!
//! tiberius cannot tell whether a client is closed, so a connection that met a lost-connection
//! error is taken out of the pool for good. Each retries at most once per connection the pool
//! can hold, plus one.

use super::values::{connection_lost, store_error};
use crate::url::Target;
use deadpool::managed::{Metrics, Object, RecycleResult};
use nextauth_adapter_sql::adapter::{StoreError, StoreResult};
use tiberius::error::Error;
use tiberius::{Client, Row, ToSql};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// A connection: a tiberius client on a tokio TCP stream.
pub type Connection = Client<Compat<TcpStream>>;

/// The pool of [`Connection`]s a [`MsSqlStore`](crate::MsSqlStore) runs on.
pub type Pool = deadpool::managed::Pool<Manager>;

/// Makes the pool's connections: TCP (no Nagle delay), then tiberius' login, within the
/// URL's connect timeout.
pub struct Manager {
    target: Target,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the password: only the address is shown.
        f.debug_struct("Manager")
            .field("addr", &self.target.config.get_addr())
            .finish_non_exhaustive()
    }
}

impl Manager {
    /// A manager connecting as `target` says.
    pub fn new(target: Target) -> Manager {
        Manager { target }
    }

    /// One connection, or why not within the connect timeout.
    async fn connect(&self) -> Result<Connection, Error> {
        let config = self.target.config.clone();
        let timed_out = |what: &str| Error::Io {
            kind: std::io::ErrorKind::TimedOut,
            message: format!(
                "{what} {} took longer than {} s (the URL's connect_timeout)",
                config.get_addr(),
                self.target.connect_timeout.as_secs()
            ),
        };
        let tcp = tokio::time::timeout(
            self.target.connect_timeout,
            TcpStream::connect(config.get_addr()),
        )
        .await
        .map_err(|_| timed_out("connecting to"))?
        .map_err(|e| Error::Io {
            kind: e.kind(),
            message: format!("connecting to {}: {e}", config.get_addr()),
        })?;
        tcp.set_nodelay(true)?;
        tokio::time::timeout(
            self.target.connect_timeout,
            Client::connect(config.clone(), tcp.compat_write()),
        )
        .await
        .map_err(|_| timed_out("logging in to"))?
    }
}

impl deadpool::managed::Manager for Manager {
    type Type = Connection;
    type Error = Error;

    async fn create(&self) -> Result<Connection, Error> {
        self.connect().await
    }

    /// No round trip: a dead connection is found by the statement that uses it.
    async fn recycle(&self, _: &mut Connection, _: &Metrics) -> RecycleResult<Error> {
        Ok(())
    }
}

/// Opens a pool of at most `size` connections as `target` says and makes one connection
/// now, so that an unreachable server or a refused login fails here, within the connect
/// timeout, not at the first call.
pub(crate) async fn open(
    target: Target,
    size: u32,
) -> Result<Pool, nextauth_adapter::error::BoxError> {
    let address = target.config.get_addr().to_owned();
    let pool = Pool::builder(Manager::new(target))
        .max_size(usize::try_from(size.max(1)).unwrap_or(usize::MAX))
        .build()?;
    match pool.get().await {
        Ok(first) => drop(first),
        Err(deadpool::managed::PoolError::Backend(source)) => {
            return Err(Box::new(NoConnection { address, source }));
        }
        Err(other) => return Err(Box::new(other)),
    }
    Ok(pool)
}

/// The first connection of a new pool could not be made: the server is unreachable, silent,
/// or refused the login.
#[derive(Debug, thiserror::Error)]
#[error("no connection to SQL Server at {address}: {}", reason(source))]
pub struct NoConnection {
    /// `host:port`.
    address: String,
    /// tiberius' error.
    #[source]
    source: Error,
}

/// What went wrong, without tiberius' generic preamble for I/O errors.
fn reason(error: &Error) -> String {
    match error {
        Error::Io { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// The store's connections.
#[derive(Clone)]
pub(super) struct Connections {
    pool: Pool,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("max_size", &self.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

/// A pooled connection.
pub(super) type Pooled = Object<Manager>;

/// Parameters of a statement.
pub(super) type Params<'a> = [&'a dyn ToSql];

impl Connections {
    /// The store's connections over `pool`.
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
    async fn get(&self) -> StoreResult<Pooled> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Driver(Box::new(e)))
    }

    /// Every row of the first result of `sql` with `params`, run again on another
    /// connection when it found its own gone.
    pub(super) async fn read(&self, sql: &str, params: &Params<'_>) -> StoreResult<Vec<Row>> {
        let attempts = self.attempts();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut client = self.get().await?;
            match rows(&mut client, sql, params).await {
                Ok(rows) => return Ok(rows),
                Err(e) if connection_lost(&e) && attempt < attempts => {
                    tracing::debug!(attempt, error = %e, "a pooled connection was closed; reading on another");
                    drop(Object::take(client));
                }
                Err(e) => return Err(failed(client, e)),
            }
        }
    }

    /// Runs a write once on a connection that has just answered a ping; the rows it
    /// returned (`OUTPUT`), if any.
    pub(super) async fn write(&self, sql: &str, params: &Params<'_>) -> StoreResult<Vec<Row>> {
        let mut client = self.verified().await?;
        match rows(&mut client, sql, params).await {
            Ok(rows) => Ok(rows),
            Err(e) => Err(failed(client, e)),
        }
    }

    /// Runs a write that returns no rows once on a connection that has just answered a
    /// ping; how many rows it matched.
    pub(super) async fn execute(&self, sql: &str, params: &Params<'_>) -> StoreResult<u64> {
        let mut client = self.verified().await?;
        match client.execute(sql, params).await {
            Ok(done) => Ok(done.total()),
            Err(e) => Err(failed(client, e)),
        }
    }

    /// A connection that has just answered a ping (`SELECT 1`): for a write, and for
    /// statements run in a transaction.
    pub(super) async fn verified(&self) -> StoreResult<Pooled> {
        let attempts = self.attempts();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut client = self.get().await?;
            let ping = match client.simple_query("SELECT 1").await {
                Ok(stream) => stream.into_results().await.map(drop),
                Err(e) => Err(e),
            };
            match ping {
                Ok(()) => return Ok(client),
                Err(e) if connection_lost(&e) && attempt < attempts => {
                    drop(Object::take(client));
                }
                Err(e) => return Err(failed(client, e)),
            }
        }
    }
}

/// The first result's rows of `sql` (sent through `sp_executesql`) with `params`.
pub(super) async fn rows(
    client: &mut Connection,
    sql: &str,
    params: &Params<'_>,
) -> Result<Vec<Row>, Error> {
    client.query(sql, params).await?.into_first_result().await
}

/// `error` as the store's, the connection taken out of the pool when the error says it is
/// gone or unusable.
pub(super) fn failed(client: Pooled, error: Error) -> StoreError {
    if connection_lost(&error) {
        drop(Object::take(client));
    }
    store_error(error)
}

//! One entry point for the SQL adapters: [`connect`] picks PostgreSQL, MySQL/MariaDB,
//! SQLite or SQL Server from the URL's scheme, the way NextAuth v3's `database` option takes a connection
//! string; [`connect_default`] gives an in-memory SQLite database, the embedded default for
//! development and tests.
//!
//! | scheme | adapter |
//! | --- | --- |
//! | `postgres://`, `postgresql://` | [`nextauth_adapter_postgres`] |
//! | `mysql://`, `mariadb://` (rewritten to `mysql://`) | [`nextauth_adapter_mysql`] |
//! | `sqlite:` (`sqlite::memory:`, `sqlite://file.db?mode=rwc`) | [`nextauth_adapter_sqlite`] |
//! | `mssql://`, `sqlserver://` | [`nextauth_adapter_mssql`] (certified only where a SQL Server runs) |
//!
//! As in v3 (contract-v3 §8.3), the query parameter `synchronize=true` creates the missing
//! tables on connect (and refuses a schema that differs); it is removed before the URL
//! reaches the driver. An in-memory SQLite database starts empty, so it is always
//! synchronized.
//!
//! ```no_run
//! # async fn demo() -> Result<(), nextauth_adapter_default::ConnectError> {
//! use nextauth_adapter::AdapterConfig;
//! let adapter = nextauth_adapter_default::connect(
//!     "postgres://app:secret@localhost/app?synchronize=true",
//!     AdapterConfig::default(),
//! )
//! .await?;
//! assert_eq!(adapter.display_name(), "postgres");
//! # Ok(()) }
//! ```

mod scheme;
mod store;

pub use nextauth_adapter_sql::Server;
pub use scheme::{ParsedUrl, parse_url};
pub use store::{Declared, StoreJob, with_store};

use nextauth_adapter::{AdapterConfig, SharedAdapter};
use nextauth_adapter_sql::{ConnectStore, SqlAdapter, SqlOptions, SyncError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The URL of the embedded default: one in-memory SQLite database per adapter.
pub const DEFAULT_URL: &str = "sqlite::memory:";

/// Why no adapter could be built. Never carries the URL itself (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL's scheme names no backend this crate has.
    #[error(
        "unknown database URL scheme {scheme:?}: expected postgres://, postgresql://, mysql://, mariadb://, sqlite:, mssql:// or sqlserver://"
    )]
    UnknownScheme {
        /// The scheme as written (empty when the URL has none).
        scheme: String,
    },
    /// The backend could not connect (bad URL, unreachable server, invalid names).
    #[error(transparent)]
    Connect(#[from] nextauth_adapter_sql::ConnectError),
    /// `synchronize` refused or failed; nothing was dropped or altered.
    #[error(transparent)]
    Synchronize(#[from] SyncError),
}

/// The adapter for `url`, chosen by its scheme, with each backend's declared capabilities
/// and the documented table names.
pub async fn connect(url: &str, config: AdapterConfig) -> Result<SharedAdapter, ConnectError> {
    let parsed = parse_url(url)?;
    let sync = parsed.synchronize;
    tracing::debug!(backend = ?parsed.backend, synchronize = sync, "connecting the default adapter");
    with_store(
        parsed.backend,
        Open {
            url: parsed.url,
            config,
            options: SqlOptions::default(),
            synchronize: sync,
        },
    )
    .await
}

/// The job that connects a backend's SQL adapter to `url` with `options`, and synchronizes
/// it when `synchronize` (see [`with_store`]).
#[derive(Debug)]
pub struct Open {
    /// The driver's URL.
    pub url: String,
    /// v3's application options.
    pub config: AdapterConfig,
    /// Names, declared capabilities, pool size.
    pub options: SqlOptions,
    /// Whether to create missing tables (and refuse a schema that differs).
    pub synchronize: bool,
}

impl StoreJob for Open {
    type Output = Pin<Box<dyn Future<Output = Result<SharedAdapter, ConnectError>> + Send>>;

    fn run<S: ConnectStore>(self) -> Self::Output {
        Box::pin(async move {
            let adapter = SqlAdapter::<S>::connect(&self.url, self.config, self.options).await?;
            if self.synchronize {
                adapter.synchronize().await?;
            }
            Ok(Arc::new(adapter) as SharedAdapter)
        })
    }
}

/// The embedded default: a fresh in-memory SQLite database with the four tables, seen by
/// every call of the adapter (one connection that is never closed) and gone with it.
pub async fn connect_default(config: AdapterConfig) -> Result<SharedAdapter, ConnectError> {
    connect(DEFAULT_URL, config).await
}

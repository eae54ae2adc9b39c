//! Building a [`SqlAdapter`] from a URL or a pool: [`SqlOptions`], [`ConnectStore`] and
//! [`ConnectError`], shared by the backend crates so that `PostgresAdapter::connect`,
//! `MySqlAdapter::connect` and `SqliteAdapter::connect` are one function.

use super::error::CapabilityError;
use super::sql_adapter::SqlAdapter;
use super::store::SqlStore;
use crate::dialect::Dialect;
use crate::error::NameError;
use crate::model::Schema;
use crate::names::SchemaNames;
use async_trait::async_trait;
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{AdapterConfig, Capabilities};

/// The pool size when [`SqlOptions::max_connections`] is not set: enough for the
/// concurrency a small server sees (and the conformance suite's 32-way races, which queue),
/// small enough for a database's default connection limit shared by many processes.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// How a SQL adapter is set up beyond its URL and v3's application options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlOptions {
    /// Table and index names (the documented ones by default).
    pub names: SchemaNames,
    /// What the adapter declares; `None`: the backend's own `CAPABILITIES`, with the e-mail
    /// matching that [`SqlAdapter::synchronize`] reads off the live tables' collation.
    /// Anything can be declared but an e-mail matching the tables do not compare by (which
    /// `synchronize` refuses, naming the column and the fix) and `CaseInsensitive`, which no
    /// collation the kit models provides.
    pub capabilities: Option<Capabilities>,
    /// The most connections the pool opens; `None`: [`DEFAULT_MAX_CONNECTIONS`] (an
    /// in-memory SQLite database always uses one).
    pub max_connections: Option<u32>,
}

impl SqlOptions {
    /// The pool size these options ask for.
    pub fn pool_size(&self) -> u32 {
        self.max_connections
            .unwrap_or(DEFAULT_MAX_CONNECTIONS)
            .max(1)
    }
}

/// A store that can be opened from a URL or built over an existing pool: what
/// [`SqlAdapter::connect`] and [`SqlAdapter::from_pool`] need from a backend.
#[async_trait]
pub trait ConnectStore: SqlStore + Sized {
    /// The driver's pool.
    type Pool: Clone + Send + Sync + 'static;

    /// What the backend declares by default: exactly what its schema and driver guarantee.
    const CAPABILITIES: Capabilities;

    /// The backend's name, as [`SqlStore::backend`] returns it.
    const BACKEND: &'static str;

    /// The backend's dialect, as [`SqlStore::dialect`] returns it.
    const DIALECT: Dialect;

    /// Opens a pool to `url` (the backend's URL syntax) sized by `options`.
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Self::Pool, BoxError>;

    /// A store over `pool` using `names` (already validated).
    fn over_pool(pool: Self::Pool, names: SchemaNames) -> Self;

    /// The pool underneath.
    fn pool(&self) -> &Self::Pool;
}

/// Why a SQL adapter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL could not be parsed or the server not reached.
    #[error("cannot connect the {backend} adapter: {source}")]
    Connect {
        /// The backend (`postgres`, `mysql`, `sqlite`).
        backend: &'static str,
        /// The driver's error.
        #[source]
        source: BoxError,
    },
    /// The schema names cannot be used.
    #[error("invalid schema names: {0}")]
    Names(#[from] NameError),
    /// The requested capabilities cannot be honoured.
    #[error(transparent)]
    Capabilities(#[from] CapabilityError),
}

impl<S: ConnectStore> SqlAdapter<S> {
    /// Connects to `url` and builds the adapter. Does not touch the schema: call
    /// [`synchronize`](Self::synchronize) to create missing tables and check existing ones.
    pub async fn connect(
        url: &str,
        config: AdapterConfig,
        options: SqlOptions,
    ) -> Result<Self, ConnectError> {
        Schema::expected(S::DIALECT, &options.names)?;
        let pool = S::open_pool(url, &options)
            .await
            .map_err(|source| ConnectError::Connect {
                backend: S::BACKEND,
                source,
            })?;
        Self::from_pool(pool, config, options)
    }

    /// The adapter over an existing pool (the application's own), with `options`' names
    /// and capabilities (its `max_connections` is the pool's business then).
    pub fn from_pool(
        pool: S::Pool,
        config: AdapterConfig,
        options: SqlOptions,
    ) -> Result<Self, ConnectError> {
        Schema::expected(S::DIALECT, &options.names)?;
        Ok(SqlAdapter::declaring(
            S::over_pool(pool, options.names),
            config,
            options.capabilities.unwrap_or(S::CAPABILITIES),
            options.capabilities.is_some(),
        )?)
    }

    /// The pool underneath, for the application's own queries.
    pub fn pool(&self) -> &S::Pool {
        self.store.pool()
    }
}

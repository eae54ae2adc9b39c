//! One interop run: a fresh namespace on the server, its tables made by our DDL or by
//! next-auth's own `synchronize`, next-auth@3's default adapter (through the bridge) and our
//! SQL adapter opened on it, the scenarios run both ways, everything torn down.

use crate::report::{Direction, FORMAT, InteropReport};
use crate::scenarios::{Shared, Side, both_ways_of};
use nextauth_adapter::{
    AdapterConfig, Capabilities, EmailProvider, ManualClock, RecordingSender, SharedAdapter,
};
use nextauth_adapter_bridge::{
    BridgeError, BridgeFactory, DEFAULT_REQUEST_TIMEOUT, SYNCHRONIZE, node_command_with_tables,
    node_modules_installed,
};
use nextauth_adapter_sql::{ConnectStore, SqlAdapter, SqlOptions, SyncError};
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server, TestkitError};
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

/// Who makes the namespace's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InteropTables {
    /// The project's DDL.
    OurDdl,
    /// next-auth@3's own `synchronize` (TypeORM), as the seed's example configuration has it.
    NextAuthSynchronize,
}

impl InteropTables {
    /// The bridge server's `--tables` value.
    fn bridge_value(self) -> &'static str {
        match self {
            InteropTables::OurDdl => "ddl",
            InteropTables::NextAuthSynchronize => SYNCHRONIZE,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct InteropOptions {
    /// The database server: PostgreSQL or MySQL/MariaDB.
    pub server: Server,
    /// Its URL; the run works in a fresh namespace there and drops it afterwards.
    pub server_url: String,
    /// Who makes the tables.
    pub tables: InteropTables,
    /// Variables added to next-auth's Node process's environment (`TZ`, for one).
    pub node_env: Vec<(String, String)>,
    /// The bridge server's adapter: `next-auth` (what a user runs), or the deliberately
    /// broken `next-auth-raw-token`, with which the lane must fail.
    pub next_auth_adapter: String,
}

impl InteropOptions {
    /// next-auth@3's default adapter against `server_url`, tables made by `tables`, Node
    /// in the inherited environment.
    pub fn new(server: Server, server_url: impl Into<String>, tables: InteropTables) -> Self {
        InteropOptions {
            server,
            server_url: server_url.into(),
            tables,
            node_env: Vec::new(),
            next_auth_adapter: "next-auth".to_owned(),
        }
    }
}

/// Why a run could not take place (a difference between the adapters is a finding in the
/// report, not an error).
#[derive(Debug, thiserror::Error)]
pub enum InteropError {
    /// SQLite or another server the lane does not cover.
    #[error("the interop lane runs on PostgreSQL and MySQL/MariaDB, not {0}")]
    Server(Server),
    /// `bridge/node/node_modules` is missing.
    #[error("next-auth@3 is not installed: bridge/node/node_modules is missing (run ci/bridge.sh)")]
    NodeMissing,
    /// The next-auth side could not start or open.
    #[error("next-auth's side: {0}")]
    Bridge(#[from] BridgeError),
    /// The namespace could not be made or dropped.
    #[error("the namespace: {0}")]
    Namespace(#[from] TestkitError),
    /// Our adapter could not connect.
    #[error("our adapter cannot connect: {0}")]
    Connect(#[from] nextauth_adapter_sql::ConnectError),
    /// Our adapter refused the tables.
    #[error("our adapter refuses the tables: {0}")]
    Sync(#[from] SyncError),
    /// Tearing down failed after the checks ran.
    #[error("tearing down: {0}")]
    Teardown(String),
}

/// Our adapter, whichever server.
enum Ours {
    Postgres(Arc<nextauth_adapter_postgres::PostgresAdapter>),
    MySql(Arc<nextauth_adapter_mysql::MySqlAdapter>),
}

impl Ours {
    async fn open(server: Server, url: &str, config: AdapterConfig) -> Result<Ours, InteropError> {
        match server {
            Server::Postgres => Ok(Ours::Postgres(open::<_>(url, config).await?)),
            Server::MySql => Ok(Ours::MySql(open::<_>(url, config).await?)),
            other => Err(InteropError::Server(other)),
        }
    }

    fn adapter(&self) -> SharedAdapter {
        match self {
            Ours::Postgres(a) => Arc::clone(a) as SharedAdapter,
            Ours::MySql(a) => Arc::clone(a) as SharedAdapter,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Ours::Postgres(_) => "nextauth-adapter-postgres",
            Ours::MySql(_) => "nextauth-adapter-mysql",
        }
    }

    fn capabilities(&self) -> Capabilities {
        match self {
            Ours::Postgres(a) => a.declared_capabilities(),
            Ours::MySql(a) => a.declared_capabilities(),
        }
    }

    /// The server's own name for itself (`SELECT version()`).
    async fn server_version(&self) -> Option<String> {
        let query = "SELECT CAST(version() AS CHAR(200))";
        match self {
            Ours::Postgres(a) => a
                .pool()
                .get()
                .await
                .ok()?
                .query_one("SELECT version()", &[])
                .await
                .ok()?
                .try_get::<_, String>(0)
                .ok(),
            Ours::MySql(a) => {
                use mysql_async::prelude::Queryable;
                let mut conn = a.pool().get_conn().await.ok()?;
                conn.query_first::<String, _>(query).await.ok()?
            }
        }
    }

    async fn close(self) {
        match self {
            Ours::Postgres(a) => a.pool().close(),
            Ours::MySql(a) => {
                // Every connection closed: the lane's server sees none of ours left.
                let _ = a.pool().clone().disconnect().await;
            }
        }
    }
}

/// Our adapter connected to `url` with the backend's own capabilities, synchronized: it
/// reads what it declares off the tables.
async fn open<S: ConnectStore>(
    url: &str,
    config: AdapterConfig,
) -> Result<Arc<SqlAdapter<S>>, InteropError> {
    let adapter = SqlAdapter::<S>::connect(url, config, SqlOptions::default()).await?;
    adapter.synchronize().await?;
    Ok(Arc::new(adapter))
}

/// Runs the lane: see the [crate documentation](crate).
pub async fn run(options: &InteropOptions) -> Result<InteropReport, InteropError> {
    if !matches!(options.server, Server::Postgres | Server::MySql) {
        return Err(InteropError::Server(options.server));
    }
    if !node_modules_installed() {
        return Err(InteropError::NodeMissing);
    }
    let factory = BridgeFactory::connect(
        node_command_with_tables(
            &options.next_auth_adapter,
            &options.server_url,
            options.tables.bridge_value(),
        ),
        options.node_env.clone(),
        DEFAULT_REQUEST_TIMEOUT,
    )
    .await?;
    let result = in_namespace(&factory, options).await;
    factory.shutdown().await;
    result
}

async fn in_namespace(
    factory: &BridgeFactory,
    options: &InteropOptions,
) -> Result<InteropReport, InteropError> {
    let tables = factory.tables();
    let ns = Namespace::create_for(
        tables,
        options.server,
        &options.server_url,
        SchemaNames::default(),
        None,
    )
    .await?;
    tracing::info!(
        namespace = ns.name(),
        tables = tables.label(),
        "interop namespace created"
    );
    let result = with_adapters(factory, &ns, options).await;
    let dropped = ns.drop().await;
    let report = result?;
    dropped?;
    Ok(report)
}

async fn with_adapters(
    factory: &BridgeFactory,
    ns: &Namespace,
    options: &InteropOptions,
) -> Result<InteropReport, InteropError> {
    ns.make_tables(factory.tables()).await?;
    let clock = ManualClock::starting_now();
    let config = AdapterConfig::with_clock(clock.shared());
    // next-auth first: on `synchronize` tables, opening its adapter makes them.
    let fixture = factory.attach(ns, config.clone()).await?;
    let ours = match Ours::open(options.server, ns.url(), config.clone()).await {
        Ok(ours) => ours,
        Err(e) => {
            if let Some(teardown) = fixture.teardown {
                let _ = teardown().await;
            }
            return Err(e);
        }
    };
    let next_auth = Side {
        label: "next-auth",
        adapter: fixture.adapter.as_ref(),
        database_clock: true,
    };
    let ours_adapter = ours.adapter();
    let ours_side = Side {
        label: "ours",
        adapter: ours_adapter.as_ref(),
        database_clock: false,
    };
    let provider = EmailProvider::new(Arc::new(RecordingSender::new()));
    let shared = Shared {
        clock: &clock,
        config: &config,
        provider: &provider,
        secret: nextauth_adapter_harness::context::SECRET,
        next: AtomicU32::new(0),
    };
    let mut checks = both_ways_of(&shared, Direction::NextAuthToOurs, &next_auth, &ours_side).await;
    checks.extend(both_ways_of(&shared, Direction::OursToNextAuth, &ours_side, &next_auth).await);
    let report = InteropReport {
        format: FORMAT,
        server: options.server.name().to_owned(),
        server_version: ours.server_version().await,
        tables: factory.tables().label().to_owned(),
        next_auth: factory.adapter_name().to_owned(),
        next_auth_capabilities: nextauth_adapter_harness::BackendFactory::capabilities(factory),
        ours: ours.name().to_owned(),
        ours_capabilities: ours.capabilities(),
        node_time_zone: options
            .node_env
            .iter()
            .find(|(k, _)| k == "TZ")
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var("TZ").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| "system default".to_owned()),
        checks,
    };
    drop(ours_adapter);
    ours.close().await;
    if let Some(teardown) = fixture.teardown {
        teardown()
            .await
            .map_err(|e| InteropError::Teardown(e.to_string()))?;
    }
    Ok(report)
}

//! [`LiveFactory`]: the harness's [`BackendFactory`] for any adapter over fresh namespaces.

use crate::admin;
use crate::error::TestkitError;
use crate::inspector::SqlInspector;
use crate::namespace::{Namespace, NamespaceInfo, Tables};
use crate::server::Server;
use crate::urls::redact;
use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{AdapterConfig, Capabilities, SharedAdapter};
use nextauth_adapter_harness::backend::BackendError;
use nextauth_adapter_harness::faults::FaultSupport;
use nextauth_adapter_harness::{BackendFactory, Fixture, teardown};
use nextauth_adapter_sql::SchemaNames;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

/// Builds the adapter under test inside a namespace (schema already applied): typically
/// connects to [`Namespace::url`] with the given configuration.
pub type BuildAdapter = Arc<
    dyn Fn(&Namespace, AdapterConfig) -> BoxFuture<'static, Result<SharedAdapter, BackendError>>
        + Send
        + Sync,
>;

/// A [`BuildAdapter`] from an async closure over the namespace's owned [`NamespaceInfo`]:
/// what an author writes instead of boxing a future by hand.
///
/// ```no_run
/// # use nextauth_adapter_testkit::{build_adapter, BuildAdapter};
/// # struct MyAdapter;
/// # impl MyAdapter { async fn connect(_: &str, _: nextauth_adapter::AdapterConfig) -> Result<MyAdapter, std::io::Error> { unimplemented!() } }
/// # impl MyAdapter { fn shared(self) -> nextauth_adapter::SharedAdapter { unimplemented!() } }
/// let build: BuildAdapter = build_adapter(|ns, config| async move {
///     Ok(MyAdapter::connect(&ns.url, config).await?.shared())
/// });
/// ```
pub fn build_adapter<F, Fut>(build: F) -> BuildAdapter
where
    F: Fn(NamespaceInfo, AdapterConfig) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<SharedAdapter, BackendError>> + Send + 'static,
{
    Arc::new(move |ns, config| Box::pin(build(ns.info(), config)))
}

/// Whether [`sql_adapter`] synchronizes the adapter it builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronize {
    /// Use the tables as they are, with the capabilities the adapter was built with (the
    /// namespace holds our DDL).
    No,
    /// Call `synchronize()` first, so that the adapter reads what it declares off tables
    /// another tool made ([`Tables::Made`]).
    Yes,
}

/// The builder of the project's SQL adapter `SqlAdapter<S>` in a namespace: connected to
/// the namespace's URL with its table names and the backend's own capabilities, then
/// synchronized if `synchronize` says so. Every live suite of a project backend uses it.
pub fn sql_adapter<S>(synchronize: Synchronize) -> BuildAdapter
where
    S: nextauth_adapter_sql::ConnectStore + 'static,
{
    build_adapter(move |ns, config| async move {
        let options = nextauth_adapter_sql::SqlOptions {
            names: ns.names,
            ..nextauth_adapter_sql::SqlOptions::default()
        };
        let adapter =
            nextauth_adapter_sql::SqlAdapter::<S>::connect(&ns.url, config, options).await?;
        if synchronize == Synchronize::Yes {
            adapter.synchronize().await?;
        }
        Ok(Arc::new(adapter) as SharedAdapter)
    })
}

/// How many emptied namespaces a factory keeps for reuse at most; the rest are dropped.
pub const MAX_POOLED_NAMESPACES: usize = 32;

/// A namespace between two fixtures: schema applied, every table empty, every id sequence
/// restarted, its inspector still connected.
struct Pooled {
    ns: Namespace,
    inspector: SqlInspector,
}

/// The emptied namespaces of one factory (one server, one set of names, one session time
/// zone), dropped when the last clone of the factory goes.
///
/// Each is kept with the id of the tokio runtime it was used on and handed out only on that
/// runtime: its inspector's connections are registered with that runtime's I/O driver (the
/// harness runs rules on one runtime and the property test on another).
#[derive(Default)]
struct NamespacePool {
    idle: Mutex<Vec<(tokio::runtime::Id, Pooled)>>,
}

/// The id of the runtime the caller runs on (`None` outside one: nothing is pooled then).
fn runtime_id() -> Option<tokio::runtime::Id> {
    tokio::runtime::Handle::try_current().ok().map(|h| h.id())
}

impl NamespacePool {
    /// The pooled namespace of any runtime, with that runtime's id (an adopted namespace,
    /// pooled alone).
    fn take_any(&self) -> Option<(tokio::runtime::Id, Pooled)> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    fn take(&self) -> Option<Pooled> {
        let here = runtime_id()?;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let at = idle.iter().rposition(|(id, _)| *id == here)?;
        Some(idle.swap_remove(at).1)
    }

    /// Keeps `pooled` for the next fixture on this runtime, or gives it back when the pool is
    /// full (or there is no runtime).
    fn put(&self, pooled: Pooled) -> Option<Pooled> {
        let Some(here) = runtime_id() else {
            return Some(pooled);
        };
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_POOLED_NAMESPACES {
            idle.push((here, pooled));
            None
        } else {
            Some(pooled)
        }
    }
}

/// Closes the inspector and drops the namespace, logging (not returning) a failure.
async fn discard(pooled: Pooled) -> Result<(), TestkitError> {
    pooled.inspector.close().await;
    pooled.ns.drop().await
}

impl Drop for NamespacePool {
    /// Drops every pooled namespace (a run's leak check, made after its factory is gone,
    /// finds nothing left). The inspectors' connections belong to the runtimes they were used
    /// on (which may be blocked in this very drop, or gone): they are dropped, not closed.
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        let namespaces = idle
            .into_iter()
            .map(|(_, pooled)| {
                drop(pooled.inspector);
                pooled.ns
            })
            .collect();
        crate::namespace::drop_on_own_runtime(namespaces, "pooled");
    }
}

/// A [`BackendFactory`] over fresh namespaces of one server: each `open` gives the adapter
/// under test an empty namespace of its own with the schema applied, builds the adapter and
/// connects the inspector; the teardown returns the namespace.
///
/// **Namespace reuse.** Creating a namespace and its tables and dropping it again costs more
/// than most rules (PostgreSQL: two catalog-heavy transactions and four connections). So a
/// namespace whose fixture is over is emptied instead — every row deleted, every id sequence
/// restarted at 1 ([`SqlInspector`]'s reset, one round trip) — and kept for a later fixture,
/// which first checks that it holds no row. A namespace is reused only when nothing can still
/// write to it: the adapter the rule used must be gone (the fixture's handle is the last one;
/// a rule that leaked its adapter into a task still running gets its namespace dropped as
/// before). Rules therefore see exactly what a fresh namespace shows: no rows, ids from 1.
/// The pooled namespaces are dropped when the last clone of the factory is dropped, so
/// [`verify_dropped`](crate::verify_dropped) after a run still proves nothing is left.
/// [`fresh_namespaces`](Self::fresh_namespaces) turns reuse off.
///
/// `in_time_zone` gives the same factory with a non-UTC session time zone (PostgreSQL,
/// MySQL), with its own pool.
#[derive(Clone)]
pub struct LiveFactory {
    server: Server,
    server_url: String,
    capabilities: Capabilities,
    build: BuildAdapter,
    names: SchemaNames,
    name: String,
    time_zone: Option<String>,
    version: Arc<OnceLock<String>>,
    pool: Arc<NamespacePool>,
    reuse: bool,
    tables: Tables,
    control: Option<Arc<dyn crate::containers::ServerControl>>,
    /// Every fixture in this one existing namespace, one fixture at a time.
    adopted: Option<Adopted>,
    /// Set when the factory refuses a URL whose own namespace holds tables
    /// ([`Self::refusing_an_occupied_url`]): the outcome of that check, made once; an `Err`
    /// (the reason) makes every rule not run.
    occupied_check: Option<Arc<tokio::sync::OnceCell<Result<(), String>>>>,
    /// Why that check could not connect to the server at all: every fixture's setup then
    /// fails at once with it, instead of each waiting out the URL's connect timeout again.
    unreachable: Arc<OnceLock<String>>,
}

/// The namespace a factory was told to use, and the lock that lets one fixture at a time
/// use it.
#[derive(Clone)]
struct Adopted {
    name: String,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for LiveFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFactory")
            .field("server", &self.server)
            .field("server_url", &redact(&self.server_url))
            .field("name", &self.name)
            .field("names", &self.names)
            .field("time_zone", &self.time_zone)
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

impl LiveFactory {
    /// A factory of adapters built by `build`, each in a fresh namespace of the server at
    /// `server_url`, declared to have `capabilities`. Uses the documented table names and
    /// reports under the server's name (`postgres`, …).
    pub fn new(
        server: Server,
        server_url: String,
        capabilities: Capabilities,
        build: BuildAdapter,
    ) -> Self {
        LiveFactory {
            server,
            server_url,
            capabilities,
            build,
            names: SchemaNames::default(),
            name: server.name().to_owned(),
            time_zone: None,
            version: Arc::default(),
            pool: Arc::default(),
            reuse: true,
            tables: Tables::OurDdl,
            control: None,
            adopted: None,
            occupied_check: None,
            unreachable: Arc::default(),
        }
    }

    /// The same factory with tables made another way in each namespace (next-auth's
    /// `synchronize`, …) instead of our DDL.
    pub fn with_tables(mut self, tables: Tables) -> Self {
        self.tables = tables;
        self.pool = Arc::default();
        self
    }

    /// The same factory creating a new namespace for every fixture and dropping it at
    /// teardown (no reuse; slower, for suites that want to see creation itself).
    pub fn fresh_namespaces(mut self) -> Self {
        self.reuse = false;
        self
    }

    /// The same factory running every fixture in the existing, empty namespace `name`
    /// (a schema or database the caller was granted) instead of creating namespaces: one
    /// fixture at a time, the namespace emptied between them, and only the tables the suite
    /// created dropped at the end ([`Namespace::adopt`]). A namespace holding any other
    /// table is refused. No session time-zone rerun in this mode.
    pub fn in_namespace(mut self, name: impl Into<String>) -> Self {
        self.adopted = Some(Adopted {
            name: name.into(),
            turn: Arc::default(),
        });
        self.pool = Arc::default();
        self
    }

    /// The same factory refusing to run when the namespace the server URL itself lands in
    /// (PostgreSQL: its current schema, `public` by default; MySQL: its database) holds tables
    /// the suite did not create, unless [`in_namespace`](Self::in_namespace) names where to
    /// run: what `nextauth-certify --url` does, since an operator may point it at a database
    /// in use. The suite would not touch those tables (it works in namespaces of its own), but
    /// a database in use is not where a certification belongs.
    pub fn refusing_an_occupied_url(mut self) -> Self {
        self.occupied_check = Some(Arc::default());
        self
    }

    /// Whether the namespace the server URL itself lands in holds tables this suite did not
    /// create; then (unless [`in_namespace`](Self::in_namespace) names where to run) the
    /// factory refuses to run: every rule is reported as not run with the reason. Checked
    /// once, at the first fixture.
    async fn refusal(&self) -> Result<(), String> {
        let Some(check) = self
            .occupied_check
            .as_ref()
            .filter(|_| self.adopted.is_none())
        else {
            return Ok(());
        };
        check
            .get_or_init(|| async {
                match Namespace::tables_at_url(self.server, &self.server_url).await {
                    Ok(Some((own, tables))) if !tables.is_empty() => {
                        Err(TestkitError::OccupiedUrl {
                            server: self.server,
                            namespace: own,
                            tables: tables.into_iter().take(10).collect(),
                        }
                        .to_string())
                    }
                    // An unreachable server fails each rule's setup: with this error at once.
                    Err(e @ TestkitError::Connect { .. }) => {
                        let _ = self.unreachable.set(e.to_string());
                        Ok(())
                    }
                    _ => Ok(()),
                }
            })
            .await
            .clone()
    }

    /// The same factory, able to stop and start its server through `control`, so that
    /// `fault.server.restart` runs. Only for a server no other suite or rule uses (an
    /// [`OwnContainer`](crate::OwnContainer)): every rule sharing it would lose its connections.
    pub fn with_server_control(
        mut self,
        control: Arc<dyn crate::containers::ServerControl>,
    ) -> Self {
        self.control = Some(control);
        self.pool = Arc::default();
        self
    }

    /// The same factory creating its tables under `names` (a prefix, renamed tables).
    pub fn with_names(mut self, names: SchemaNames) -> Self {
        self.names = names;
        self.pool = Arc::default();
        self
    }

    /// The same factory reporting as `name` (test kinds, report file names), e.g.
    /// `tokio-postgres`, so that two adapters on one server do not share a report.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The same factory declaring what its adapters declare once built on its tables: opens
    /// one fixture (tables made, adapter built: a SQL adapter that synchronizes reads its
    /// e-mail matching off the tables' collation), reads the adapter's `capabilities()`, and
    /// tears the fixture down. For adapters whose declaration follows the live schema.
    pub async fn adopting_capabilities(mut self) -> Result<Self, BackendError> {
        let fixture = self.open_fixture(AdapterConfig::default()).await?;
        let declared = fixture.adapter.capabilities();
        drop(fixture.adapter);
        drop(fixture.inspector);
        if let Some(teardown) = fixture.teardown {
            teardown().await?;
        }
        self.capabilities = declared;
        Ok(self)
    }

    /// The server this factory creates namespaces on.
    pub fn server(&self) -> Server {
        self.server
    }

    /// The session time zone of this factory's namespaces, if any.
    pub fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }

    /// Connects once to read the server's version (shown by `describe`), so that an
    /// unreachable server fails before any rule runs. Creates and drops one namespace.
    pub async fn probe(&self) -> Result<String, TestkitError> {
        let ns = Namespace::create(self.server, &self.server_url, self.names.clone(), None).await?;
        let version = match SqlInspector::connect(&ns).await {
            Ok(inspector) => {
                let v = inspector.server_version().await;
                inspector.close().await;
                v
            }
            Err(e) => Err(e),
        };
        let dropped = ns.drop().await;
        let version = version?;
        dropped?;
        let _ = self.version.set(version.clone());
        Ok(version)
    }

    /// A pooled namespace that holds no row, if there is one; a namespace found not empty
    /// (something wrote after its reset) is dropped, never handed out.
    async fn reuse(&self) -> Option<Pooled> {
        while let Some(pooled) = self.pool.take() {
            match pooled.inspector.row_count().await {
                Ok(0) => return Some(pooled),
                Ok(n) => {
                    tracing::warn!(
                        namespace = pooled.ns.name(),
                        rows = n,
                        "a pooled namespace is not empty; dropping it"
                    );
                }
                Err(e) => {
                    tracing::warn!(namespace = pooled.ns.name(), error = %e, "a pooled namespace cannot be checked; dropping it");
                }
            }
            if let Err(e) = discard(pooled).await {
                tracing::error!(error = %e, "dropping a pooled namespace");
            }
        }
        None
    }

    /// The adopted namespace from an earlier fixture (emptied at its teardown), whichever
    /// runtime that fixture ran on: from another runtime, its inspector is connected again
    /// on this one. `None` before the first fixture.
    async fn reuse_adopted(&self) -> Result<Option<Pooled>, BackendError> {
        let Some((used_on, pooled)) = self.pool.take_any() else {
            return Ok(None);
        };
        if runtime_id() == Some(used_on) {
            return Ok(Some(pooled));
        }
        let Pooled { ns, inspector } = pooled;
        drop(inspector);
        let inspector = SqlInspector::connect(&ns)
            .await?
            .with_server_control(self.control.clone());
        Ok(Some(Pooled { ns, inspector }))
    }

    /// A fresh namespace with the schema applied and its inspector connected.
    async fn create(&self) -> Result<Pooled, BackendError> {
        let ns = match &self.adopted {
            Some(adopted) => {
                Namespace::adopt(
                    self.server,
                    &self.server_url,
                    &adopted.name,
                    self.names.clone(),
                    None,
                )
                .await?
            }
            None => {
                Namespace::create_for(
                    &self.tables,
                    self.server,
                    &self.server_url,
                    self.names.clone(),
                    self.time_zone.as_deref(),
                )
                .await?
            }
        };
        let prepared = async {
            ns.make_tables(&self.tables).await?;
            Ok::<_, TestkitError>(
                SqlInspector::connect(&ns)
                    .await?
                    .with_server_control(self.control.clone()),
            )
        }
        .await;
        match prepared {
            Ok(inspector) => Ok(Pooled { ns, inspector }),
            Err(e) => {
                if let Err(drop_error) = ns.drop().await {
                    tracing::error!(error = %drop_error, "dropping a namespace after a failed setup");
                }
                Err(e.into())
            }
        }
    }

    async fn open_fixture(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        self.refusal().await?;
        if let Some(reason) = self.unreachable.get() {
            return Err(
                format!("{reason} (the first connection; not tried again for each rule)").into(),
            );
        }
        // In an adopted namespace, one fixture at a time: the turn is held until teardown.
        let turn = match &self.adopted {
            Some(adopted) => Some(Arc::clone(&adopted.turn).lock_owned().await),
            None => None,
        };
        let pooled = match (self.reuse, &self.adopted) {
            (_, Some(_)) => self.reuse_adopted().await?,
            (true, None) => self.reuse().await,
            (false, None) => None,
        };
        let Pooled { ns, inspector } = match pooled {
            Some(p) => p,
            None => self.create().await?,
        };
        // From here on, every failure drops the namespace before returning.
        let adapter = match self.build_in(&ns, config).await {
            Ok(adapter) => adapter,
            Err(e) => {
                if let Err(drop_error) = discard(Pooled { ns, inspector }).await {
                    tracing::error!(error = %drop_error, "dropping a namespace after a failed setup");
                }
                return Err(e);
            }
        };
        if self.version.get().is_none()
            && let Ok(v) = inspector.server_version().await
        {
            let _ = self.version.set(v);
        }
        let kept = inspector.clone();
        let last_handle = Arc::clone(&adapter);
        let pool = self.reuse.then(|| Arc::clone(&self.pool));
        Ok(Fixture {
            adapter,
            inspector: Arc::new(inspector),
            teardown: Some(teardown(move || async move {
                let _turn = turn;
                let pooled = Pooled {
                    ns,
                    inspector: kept,
                };
                // Reusable only if nothing else holds the adapter: then nothing can
                // write to the namespace once this handle is dropped.
                let reusable = Arc::strong_count(&last_handle) == 1;
                drop(last_handle);
                let Some(pool) = pool.filter(|_| reusable) else {
                    return discard(pooled)
                        .await
                        .map_err(|e| Box::new(e) as BackendError);
                };
                if let Err(e) = pooled.inspector.reset().await {
                    tracing::warn!(error = %e, "cannot empty a namespace for reuse; dropping it");
                    return discard(pooled)
                        .await
                        .map_err(|e| Box::new(e) as BackendError);
                }
                match pool.put(pooled) {
                    None => Ok(()),
                    Some(full) => discard(full).await.map_err(|e| Box::new(e) as BackendError),
                }
            })),
        })
    }

    async fn build_in(
        &self,
        ns: &Namespace,
        config: AdapterConfig,
    ) -> Result<SharedAdapter, BackendError> {
        (self.build)(ns, config).await.map_err(|e| -> BackendError {
            format!(
                "{}: building the adapter in namespace {} failed: {e}",
                self.server,
                ns.name()
            )
            .into()
        })
    }
}

#[async_trait]
impl BackendFactory for LiveFactory {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        let version = self
            .version
            .get()
            .map_or_else(|| "version unknown".to_owned(), Clone::clone);
        let tz = self
            .time_zone
            .as_deref()
            .map_or_else(String::new, |tz| format!(", session time zone {tz}"));
        let tables = match &self.tables {
            Tables::OurDdl => String::new(),
            made => format!(", tables made by {}", made.label()),
        };
        format!(
            "{} ({version}) at {}{tz}{tables}",
            self.name,
            redact(&self.server_url)
        )
    }

    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        self.open_fixture(config).await
    }

    /// PostgreSQL and MySQL: connections killed, statements cancelled, locks held through
    /// [`SqlFaults`](crate::SqlFaults); the server is never restarted (every rule of the run
    /// shares it). SQLite and SQL Server: none.
    fn fault_support(&self) -> FaultSupport {
        match self.server {
            Server::Sqlite => FaultSupport::none(
                "SQLite is a file opened inside this process: there is no server connection to kill",
            ),
            Server::MsSql => FaultSupport::none(
                "fault injection is not built for SQL Server (killing sessions needs its own statements, untested without a server here)",
            ),
            _ => FaultSupport {
                connections: Ok(()),
                restart: match self.control {
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "the {} server is shared by every rule of this run; the restart runs in a suite with a container of its own",
                        self.server
                    )),
                },
            },
        }
    }

    /// Gone when the URL was refused: every rule is then not run, with the reason.
    fn gone(&self) -> Option<String> {
        self.occupied_check
            .as_ref()?
            .get()
            .and_then(|checked| checked.clone().err())
    }

    fn in_time_zone(&self, tz: &str) -> Option<Arc<dyn BackendFactory>> {
        if self.adopted.is_some() {
            tracing::info!(server = %self.server, "every fixture runs in one adopted namespace; the time-zone rules do not run");
            return None;
        }
        if admin::of(self.server).time_zone_statement(tz).is_none() {
            tracing::info!(
                server = %self.server,
                tz,
                "the server cannot put a session in this zone; the time-zone rules do not run"
            );
            return None;
        }
        let mut other = self.clone();
        other.time_zone = Some(tz.to_owned());
        // Its namespaces' URLs carry the zone: they must not mix with ours.
        other.pool = Arc::default();
        Some(Arc::new(other))
    }
}

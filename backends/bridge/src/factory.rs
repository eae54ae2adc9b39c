//! [`BridgeFactory`]: the harness's [`BackendFactory`] over one adapter process.
//!
//! One child serves every fixture of a factory (one process per database): `open` creates a
//! fresh namespace (`nx_<made>_<host>_<pid>_<random>`, through the testkit, with the project's DDL applied, or,
//! when the child synchronizes its own tables, empty and with the server's default
//! collation), tells the child to open an adapter instance on it, and returns a fixture whose
//! teardown closes the instance and empties the namespace for a later fixture (or drops it:
//! docs/bridge-protocol.md, *Namespace reuse*). Measured against a process per fixture, this
//! keeps the 256 property sequences and their shrinking affordable (see docs/bridge-protocol.md).

use crate::adapter::{BridgeAdapter, BridgeInspector};
use crate::error::BridgeError;
use crate::process::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
use crate::protocol::{Hello, NamespaceRef, OpenArgs, SessionTimeZone};
use async_trait::async_trait;
use nextauth_adapter::{AdapterConfig, Capabilities, SharedAdapter};
use nextauth_adapter_harness::backend::BackendError;
use nextauth_adapter_harness::{BackendFactory, Fixture, Inspector, teardown};
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server, SpareNamespaces, Tables};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The application secret the child's adapter is built with (`appOptions.secret`) unless
/// configured otherwise: the secret the harness passes to the verification methods, as v3
/// core passes `options.secret` to them.
pub const DEFAULT_APP_SECRET: &str = nextauth_adapter_harness::context::SECRET;

/// Runs `handshake` to completion on a helper thread with a runtime of its own, so that a
/// factory can be built from anywhere, async code included; `command` names the child in
/// errors.
pub(crate) fn handshake_blocking<T: Send>(
    command: &[String],
    handshake: impl std::future::Future<Output = Result<T, BridgeError>> + Send,
) -> Result<T, BridgeError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| BridgeError::Spawn {
                        command: command.join(" "),
                        reason: format!("no runtime for the handshake: {e}"),
                    })?;
                rt.block_on(handshake)
            })
            .join()
            .unwrap_or_else(|_| {
                Err(BridgeError::Spawn {
                    command: command.join(" "),
                    reason: "the handshake thread panicked".to_owned(),
                })
            })
    })
}

/// A [`BackendFactory`] whose adapters live in a child process speaking the line protocol.
///
/// [`in_time_zone`](BackendFactory::in_time_zone) gives the same child with every fixture's
/// database sessions in another zone, when the child announced it can
/// (`session_time_zone` in its `hello`).
#[derive(Clone)]
pub struct BridgeFactory {
    process: Arc<BridgeProcess>,
    hello: Hello,
    /// What the child declared (a v3 declaration: the factory refuses other profiles).
    capabilities: Capabilities,
    server: Option<(Server, String)>,
    /// How the parent makes a namespace ready: our DDL, or nothing (the child's adapter
    /// synchronizes its own tables on `open`).
    tables: Tables,
    /// Namespaces whose fixtures are over, emptied for the next one (shared with the
    /// time-zone copy); `None` when the child makes its tables on `open` and did not announce
    /// `namespaces.reuse`.
    spares: Option<SpareNamespaces>,
    /// Fixture ids are unique per child: shared with the time-zone copy.
    fixtures: Arc<AtomicU64>,
    app_secret: String,
    /// The session time zone of this factory's fixtures; `None`: the server's default.
    time_zone: Option<SessionTimeZone>,
}

impl std::fmt::Debug for BridgeFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeFactory")
            .field("name", &self.hello.name)
            .field("process", &self.process)
            .finish_non_exhaustive()
    }
}

impl BridgeFactory {
    /// Starts `command` (program and arguments, e.g. `["node", "bridge/node/server.js",
    /// "--adapter", "next-auth", "--url", "postgres://…"]`) with `env` added to its
    /// environment, and shakes hands once to learn the adapter's name, its declared
    /// capabilities and where its namespaces live.
    ///
    /// Blocks until the handshake is done (on a helper thread, so it may be called from
    /// anywhere); use [`connect`](Self::connect) from async code.
    pub fn new(command: Vec<String>, env: Vec<(String, String)>) -> Result<Self, BridgeError> {
        Self::with_timeout(command, env, DEFAULT_REQUEST_TIMEOUT)
    }

    /// [`new`](Self::new) with a per-request timeout other than 30 s.
    pub fn with_timeout(
        command: Vec<String>,
        env: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<Self, BridgeError> {
        handshake_blocking(&command, Self::connect(command.clone(), env, timeout))
    }

    /// Starts the process and shakes hands (async form of [`with_timeout`](Self::with_timeout)).
    pub async fn connect(
        command: Vec<String>,
        env: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<Self, BridgeError> {
        let process = Arc::new(BridgeProcess::spawn(&command, &env, timeout)?);
        let hello = process.hello().await?;
        let capabilities = hello.v3_capabilities()?;
        let server = namespace_server(&hello)?;
        let tables = match hello.namespaces.as_ref().and_then(|n| n.tables.as_deref()) {
            None | Some("ddl") => Tables::OurDdl,
            Some("synchronize") => Tables::Made {
                by: format!("{} synchronize", hello.name),
                // The child makes them when the fixture opens: nothing to do beforehand.
                make: Arc::new(|_| Box::pin(async { Ok(()) })),
            },
            Some(crate::tables::PRISMA_LEGACY) => match &server {
                Some((server, _)) => crate::tables::prisma_legacy_tables(
                    *server,
                    hello
                        .namespaces
                        .as_ref()
                        .and_then(|n| n.table_prefix.as_deref())
                        .unwrap_or(""),
                )?,
                None => Tables::OurDdl,
            },
            Some(other) => {
                return Err(BridgeError::BadReply {
                    method: "hello".to_owned(),
                    reason: format!(
                        "namespaces.tables must be ddl, synchronize or prisma-legacy, not {other:?}"
                    ),
                });
            }
        };
        tracing::info!(name = %hello.name, pid = ?process.pid(), tables = tables.label(), "adapter process ready");
        let spares = reuses_namespaces(&hello, &tables).then(SpareNamespaces::new);
        Ok(BridgeFactory {
            process,
            hello,
            capabilities,
            server,
            tables,
            spares,
            fixtures: Arc::new(AtomicU64::new(0)),
            app_secret: DEFAULT_APP_SECRET.to_owned(),
            time_zone: None,
        })
    }

    /// The same factory building its adapters with another `appOptions.secret`.
    pub fn with_app_secret(mut self, secret: impl Into<String>) -> Self {
        self.app_secret = secret.into();
        self
    }

    /// The adapter's name as the child announced it, e.g. `next-auth@3.29.10`.
    pub fn adapter_name(&self) -> &str {
        &self.hello.name
    }

    /// How the namespaces of this factory get their tables: our DDL, or the child's own
    /// `synchronize` when it opens an adapter.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The database server the child's namespaces are created on, if the parent creates them.
    pub fn server(&self) -> Option<Server> {
        self.server.as_ref().map(|(s, _)| *s)
    }

    /// The session time zone of this factory's fixtures (`None`: the server's default).
    pub fn time_zone(&self) -> Option<&SessionTimeZone> {
        self.time_zone.as_ref()
    }

    /// The child's process id, while it runs (tests kill it to see a clean failure).
    pub fn process_id(&self) -> Option<u32> {
        self.process.pid()
    }

    /// The reason the child is unusable, if it is.
    pub fn dead_reason(&self) -> Option<String> {
        self.process.dead_reason()
    }

    /// Asks the child to exit and makes sure it is gone.
    pub async fn shutdown(&self) {
        self.process.shutdown().await;
    }

    async fn open_fixture(&self, config: AdapterConfig) -> Result<Fixture, BridgeError> {
        if let Some(reason) = self.process.dead_reason() {
            return Err(BridgeError::Dead {
                command: self.process.command().to_owned(),
                reason,
            });
        }
        let (namespace, tables_made) = match &self.server {
            Some((server, url)) => {
                let (ns, made) =
                    ready_namespace(self.spares.as_ref(), &self.tables, *server, url).await?;
                (Some(ns), made)
            }
            None => (None, false),
        };
        match self
            .open_on(
                namespace.as_ref().map(|ns| (ns.name(), ns.server())),
                tables_made,
                config,
            )
            .await
        {
            Ok((fixture, adapter, inspector)) => {
                let process = Arc::clone(&self.process);
                let spares = self.spares.clone();
                Ok(Fixture {
                    adapter,
                    inspector,
                    teardown: Some(teardown(move || async move {
                        let closed = close(&process, &fixture).await;
                        let dropped = match namespace {
                            // A fixture the child could not close may still write: dropped.
                            Some(ns) => match (&spares, &closed) {
                                (Some(spares), Ok(())) => spares.give_back(ns).await,
                                _ => ns.drop().await,
                            }
                            .map_err(|e| e.to_string()),
                            None => Ok(()),
                        };
                        closed.map_err(|e| Box::new(e) as BackendError)?;
                        dropped.map_err(|e| -> BackendError {
                            format!("dropping the namespace: {e}").into()
                        })
                    })),
                })
            }
            Err(e) => {
                if let Some(ns) = namespace {
                    drop_namespace(ns).await;
                }
                Err(e)
            }
        }
    }

    /// An adapter of the child over an existing `namespace` this factory does not own (the
    /// interop lane shares one namespace between this adapter and another): its teardown
    /// closes the fixture and leaves the namespace. When the child synchronizes its own
    /// tables, opening makes any that are missing.
    pub async fn attach(
        &self,
        namespace: &Namespace,
        config: AdapterConfig,
    ) -> Result<Fixture, BridgeError> {
        self.attach_named(namespace.name(), namespace.server(), config)
            .await
    }

    /// [`attach`](Self::attach) by the namespace's name and server.
    pub async fn attach_named(
        &self,
        namespace: &str,
        server: Server,
        config: AdapterConfig,
    ) -> Result<Fixture, BridgeError> {
        if let Some(reason) = self.process.dead_reason() {
            return Err(BridgeError::Dead {
                command: self.process.command().to_owned(),
                reason,
            });
        }
        let (fixture, adapter, inspector) = self
            .open_on(Some((namespace, server)), false, config)
            .await?;
        let process = Arc::clone(&self.process);
        Ok(Fixture {
            adapter,
            inspector,
            teardown: Some(teardown(move || async move {
                close(&process, &fixture)
                    .await
                    .map_err(|e| Box::new(e) as BackendError)
            })),
        })
    }

    /// Opens a fixture of the child in `namespace` (name, server; `tables_made`: it holds
    /// an earlier fixture's tables, emptied) and builds its adapter and inspector; returns the
    /// fixture's id.
    async fn open_on(
        &self,
        namespace: Option<(&str, Server)>,
        tables_made: bool,
        config: AdapterConfig,
    ) -> Result<(String, SharedAdapter, Arc<dyn Inspector>), BridgeError> {
        let fixture = format!("f{}", self.fixtures.fetch_add(1, Ordering::Relaxed) + 1);
        let args = OpenArgs {
            namespace: namespace.map(|(name, server)| NamespaceRef {
                name: name.to_owned(),
                server,
                tables_made,
            }),
            session: config.session.into(),
            base_url: config.base_url.clone(),
            secret: self.app_secret.clone(),
            time_zone: self.time_zone.clone(),
        };
        let now = config.clock.now().timestamp_micros();
        let opened = self.process.open(&fixture, now, &args).await?;
        if let Some(zone) = &self.time_zone {
            let reported = opened.session_time_zone.as_deref();
            if reported != Some(zone.name.as_str()) && reported != Some(zone.offset.as_str()) {
                // The fixture is open in the child: close it before failing.
                let _ = self.process.close(&fixture).await;
                return Err(BridgeError::BadReply {
                    method: "open".to_owned(),
                    reason: format!(
                        "asked for a session in {} ({}), the adapter's session reports {}",
                        zone.name,
                        zone.offset,
                        reported.map_or("nothing".to_owned(), |r| format!("{r:?}"))
                    ),
                });
            }
        }
        let adapter: SharedAdapter = Arc::new(BridgeAdapter::new(
            Arc::clone(&self.process),
            fixture.clone(),
            self.hello.name.clone(),
            self.capabilities,
            config,
            self.app_secret.clone(),
        ));
        let inspector: Arc<dyn Inspector> = Arc::new(BridgeInspector::new(
            Arc::clone(&self.process),
            fixture.clone(),
        ));
        Ok((fixture, adapter, inspector))
    }
}

/// The server (and its URL) on which the parent creates the child's namespaces, as the
/// child's `hello` names it; `None` when the child isolates its fixtures itself.
pub(crate) fn namespace_server(hello: &Hello) -> Result<Option<(Server, String)>, BridgeError> {
    let Some(ns) = &hello.namespaces else {
        return Ok(None);
    };
    let server = Server::from_name(&ns.server)
        .filter(|s| *s != Server::Sqlite)
        .ok_or_else(|| BridgeError::BadReply {
            method: "hello".to_owned(),
            reason: format!(
                "namespaces.server must be postgres or mysql, not {:?}",
                ns.server
            ),
        })?;
    Ok(Some((server, ns.url.clone())))
}

/// Whether the parent may hand a namespace emptied after one fixture to the next: when it
/// makes the tables itself, or when the child announced it accepts one (`namespaces.reuse`).
pub(crate) fn reuses_namespaces(hello: &Hello, tables: &Tables) -> bool {
    matches!(tables, Tables::OurDdl)
        || hello
            .namespaces
            .as_ref()
            .is_some_and(|n| n.reuse || n.tables.as_deref() == Some(crate::tables::PRISMA_LEGACY))
}

/// A namespace for the next fixture: a spare one (its tables made, every one empty:
/// `true`), or a fresh one made ready as `tables` says (`false`).
pub(crate) async fn ready_namespace(
    spares: Option<&SpareNamespaces>,
    tables: &Tables,
    server: Server,
    url: &str,
) -> Result<(Namespace, bool), BridgeError> {
    if let Some(spares) = spares
        && let Some(ns) = spares.take().await
    {
        return Ok((ns, true));
    }
    Ok((create_namespace(tables, server, url).await?, false))
}

/// A fresh namespace on `server` at `url`, its tables made as `tables` says (dropped again
/// when they cannot be made).
pub(crate) async fn create_namespace(
    tables: &Tables,
    server: Server,
    url: &str,
) -> Result<Namespace, BridgeError> {
    let ns = Namespace::create_for(tables, server, url, SchemaNames::default(), None)
        .await
        .map_err(|e| BridgeError::Namespace(e.to_string()))?;
    if let Err(e) = ns.make_tables(tables).await {
        drop_namespace(ns).await;
        return Err(BridgeError::Namespace(e.to_string()));
    }
    Ok(ns)
}

/// Closes fixture `fixture` of the child.
async fn close(process: &BridgeProcess, fixture: &str) -> Result<(), BridgeError> {
    process.close(fixture).await
}

/// Drops `ns` after a failed setup, logging (not returning) a failure to drop it.
pub(crate) async fn drop_namespace(ns: Namespace) {
    let name = ns.name().to_owned();
    if let Err(e) = ns.drop().await {
        tracing::error!(namespace = %name, error = %e, "dropping a namespace after a failed setup");
    }
}

#[async_trait]
impl BackendFactory for BridgeFactory {
    /// `<adapter>-<server>`, and `-synchronize` when the adapter makes its own tables: each
    /// cell of a results matrix has its own report.
    fn name(&self) -> String {
        let setup = match self
            .hello
            .namespaces
            .as_ref()
            .and_then(|n| n.tables.as_deref())
        {
            Some(crate::tables::SYNCHRONIZE) => "-synchronize",
            _ => "",
        };
        match &self.server {
            Some((server, _)) => format!("{}-{}{setup}", self.hello.name, server.name()),
            None => self.hello.name.clone(),
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        let what = self
            .hello
            .description
            .clone()
            .unwrap_or_else(|| self.hello.name.clone());
        match &self.server {
            Some((_, url)) => format!(
                "{what}, bridged from `{}`, namespaces at {}",
                self.process.command_redacted(),
                nextauth_adapter_testkit::urls::redact(url)
            ),
            None => format!("{what}, bridged from `{}`", self.process.command_redacted()),
        }
    }

    /// Gone once the child process is: it exited, closed its output, or was killed for a
    /// reply it could not give. Every rule after that is reported as not run.
    fn gone(&self) -> Option<String> {
        self.process.dead_reason().map(|reason| {
            format!(
                "the adapter process `{}` is gone: {reason}",
                self.process.command_redacted()
            )
        })
    }

    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        self.open_fixture(config)
            .await
            .map_err(|e| Box::new(e) as BackendError)
    }

    /// The same child, its fixtures' sessions in `tz`: when the child announced
    /// `session_time_zone` and the zone has an offset the testkit knows (MySQL
    /// takes the offset, not the name).
    fn in_time_zone(&self, tz: &str) -> Option<Arc<dyn BackendFactory>> {
        if !self.hello.session_time_zone {
            tracing::info!(name = %self.hello.name, "the child does not announce session time zones; the time-zone rules do not run");
            return None;
        }
        let offset = match nextauth_adapter_testkit::urls::mysql_offset(tz) {
            Ok(offset) => offset,
            Err(e) => {
                tracing::info!(tz, error = %e, "no offset for the zone; the time-zone rules do not run");
                return None;
            }
        };
        let mut other = self.clone();
        other.time_zone = Some(SessionTimeZone {
            name: tz.to_owned(),
            offset,
        });
        Some(Arc::new(other))
    }
}

//! [`AuthjsBridgeFactory`]: the Auth.js profile's backend factory over one adapter process.

use super::adapter::{AuthjsBridgeAdapter, AuthjsBridgeInspector};
use crate::SYNCHRONIZE;
use crate::error::BridgeError;
use crate::factory::{drop_namespace, namespace_server, ready_namespace, reuses_namespaces};
use crate::process::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
use crate::protocol::{Hello, NamespaceRef, OpenArgs, SessionArgs};
use async_trait::async_trait;
use nextauth_adapter::authjs::Capabilities;
use nextauth_adapter_harness::authjs::{BackendFactory, Fixture};
use nextauth_adapter_harness::backend::{BackendError, teardown};
use nextauth_adapter_testkit::{Namespace, Server, SpareNamespaces, Tables};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A factory of Auth.js adapters living in a child process: the child's `hello` says
/// `"profile": "authjs"`, and every fixture is an adapter the child opens over storage it
/// isolates itself, or, when the child names `namespaces`, over a fresh, empty namespace the
/// parent creates on that server and drops at teardown: the child makes the adapter's own
/// tables in it (`tables: "synchronize"`; the kit has no Auth.js DDL of its own, so an
/// Auth.js child asking for the parent's is refused). When the child's `hello` says
/// `namespaces.reuse`, a namespace whose fixture is over is emptied and handed to a later
/// fixture with `tablesMade` instead (docs/bridge-protocol.md, *Namespace reuse*).
#[derive(Clone)]
pub struct AuthjsBridgeFactory {
    process: Arc<BridgeProcess>,
    hello: Hello,
    capabilities: Capabilities,
    /// The server the parent creates each fixture's namespace on, when the child asks.
    server: Option<(Server, String)>,
    tables: Tables,
    /// Held while a namespace is made ready (created, its tables made by the child) and while
    /// one is dropped: an ORM making its tables reads the server's catalog (Sequelize's
    /// `sync()` on PostgreSQL), which fails on a table another fixture's teardown drops at
    /// that moment. One application's tables are not created while another's vanish.
    schema_changes: Arc<tokio::sync::Mutex<()>>,
    /// Namespaces whose fixtures are over, emptied for the next one, when the child
    /// announced `namespaces.reuse`.
    spares: Option<SpareNamespaces>,
    fixtures: Arc<AtomicU64>,
}

impl std::fmt::Debug for AuthjsBridgeFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthjsBridgeFactory")
            .field("name", &self.hello.name)
            .field("process", &self.process)
            .finish_non_exhaustive()
    }
}

impl AuthjsBridgeFactory {
    /// Starts `command` with `env` added and shakes hands. Blocks (on a helper thread) until
    /// the handshake is done; use [`connect`](Self::connect) from async code.
    pub fn new(command: Vec<String>, env: Vec<(String, String)>) -> Result<Self, BridgeError> {
        crate::factory::handshake_blocking(
            &command,
            Self::connect(command.clone(), env, DEFAULT_REQUEST_TIMEOUT),
        )
    }

    /// Starts the process and shakes hands: refused unless the child serves the Auth.js
    /// contract and isolates its fixtures itself.
    pub async fn connect(
        command: Vec<String>,
        env: Vec<(String, String)>,
        timeout: Duration,
    ) -> Result<Self, BridgeError> {
        let process = Arc::new(BridgeProcess::spawn(&command, &env, timeout)?);
        let hello = process.hello().await?;
        let capabilities = hello.authjs_capabilities()?;
        let server = namespace_server(&hello)?;
        if let Some(ns) = &hello.namespaces
            && ns.tables.as_deref() != Some(SYNCHRONIZE)
        {
            return Err(BridgeError::BadReply {
                method: "hello".to_owned(),
                reason: format!(
                    "an Auth.js child makes its namespaces' tables itself (namespaces.tables \"synchronize\"), not {:?}",
                    ns.tables.as_deref().unwrap_or("ddl")
                ),
            });
        }
        let tables = Tables::Made {
            by: format!("{} (the child, on open)", hello.name),
            make: Arc::new(|_| Box::pin(async { Ok(()) })),
        };
        tracing::info!(name = %hello.name, pid = ?process.pid(), "Auth.js adapter process ready");
        let spares = reuses_namespaces(&hello, &tables).then(SpareNamespaces::new);
        Ok(AuthjsBridgeFactory {
            process,
            hello,
            capabilities,
            server,
            tables,
            schema_changes: Arc::new(tokio::sync::Mutex::new(())),
            spares,
            fixtures: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Asks the child to exit and makes sure it is gone.
    pub async fn shutdown(&self) {
        self.process.shutdown().await;
    }
}

#[async_trait]
impl BackendFactory for AuthjsBridgeFactory {
    /// The adapter's name, and `-<server>` when the parent makes its namespaces: each cell
    /// of a results matrix has its own report.
    fn name(&self) -> String {
        match &self.server {
            Some((server, _)) => format!("{}-{}", self.hello.name, server.name()),
            None => self.hello.name.clone(),
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        format!(
            "{} (over the bridge: {})",
            self.hello
                .description
                .as_deref()
                .unwrap_or(&self.hello.name),
            self.process.command_redacted()
        )
    }

    async fn open(&self) -> Result<Fixture, BackendError> {
        if let Some(reason) = self.process.dead_reason() {
            return Err(Box::new(BridgeError::Dead {
                command: self.process.command().to_owned(),
                reason,
            }));
        }
        let changing = self.schema_changes.lock().await;
        let (namespace, tables_made) = match &self.server {
            Some((server, url)) => {
                let (ns, made) = ready_namespace(self.spares.as_ref(), &self.tables, *server, url)
                    .await
                    .map_err(|e| Box::new(e) as BackendError)?;
                (Some(ns), made)
            }
            None => (None, false),
        };
        let opened = self.open_on(namespace.as_ref(), tables_made).await;
        drop(changing);
        match opened {
            Ok(mut fixture) => {
                let close = fixture.teardown.take();
                let schema_changes = Arc::clone(&self.schema_changes);
                let spares = self.spares.clone();
                fixture.teardown = Some(teardown(move || async move {
                    let closed = match close {
                        Some(close) => close().await,
                        None => Ok(()),
                    };
                    let dropped = match namespace {
                        Some(ns) => {
                            let _changing = schema_changes.lock().await;
                            // A fixture the child could not close may still write: dropped.
                            match (&spares, &closed) {
                                (Some(spares), Ok(())) => spares.give_back(ns).await,
                                _ => ns.drop().await,
                            }
                            .map_err(|e| e.to_string())
                        }
                        None => Ok(()),
                    };
                    closed?;
                    dropped.map_err(|e| -> BackendError {
                        format!("dropping the namespace: {e}").into()
                    })
                }));
                Ok(fixture)
            }
            Err(e) => {
                if let Some(ns) = namespace {
                    let _changing = self.schema_changes.lock().await;
                    drop_namespace(ns).await;
                }
                Err(e)
            }
        }
    }

    fn gone(&self) -> Option<String> {
        self.process.dead_reason()
    }
}

impl AuthjsBridgeFactory {
    /// Opens a fixture of the child over `namespace` (or storage it isolates itself); its
    /// teardown closes the fixture.
    async fn open_on(
        &self,
        namespace: Option<&Namespace>,
        tables_made: bool,
    ) -> Result<Fixture, BackendError> {
        let fixture = format!("a{}", self.fixtures.fetch_add(1, Ordering::Relaxed) + 1);
        // An Auth.js adapter has no clock, session policy or secret of its own: the open
        // message carries v3's defaults, which an Auth.js child ignores.
        let args = OpenArgs {
            namespace: namespace.map(|ns| NamespaceRef {
                name: ns.name().to_owned(),
                server: ns.server(),
                tables_made,
            }),
            session: SessionArgs::from(nextauth_adapter::SessionPolicy::default()),
            base_url: "http://localhost:3000".to_owned(),
            secret: crate::factory::DEFAULT_APP_SECRET.to_owned(),
            time_zone: None,
        };
        self.process
            .open(&fixture, 0, &args)
            .await
            .map_err(|e| Box::new(e) as BackendError)?;
        let adapter = Arc::new(AuthjsBridgeAdapter::new(
            Arc::clone(&self.process),
            fixture.clone(),
            self.hello.name.clone(),
            self.capabilities,
        ));
        let inspector = Arc::new(AuthjsBridgeInspector::new(
            Arc::clone(&self.process),
            fixture.clone(),
        ));
        let process = Arc::clone(&self.process);
        Ok(Fixture {
            adapter,
            inspector,
            teardown: Some(teardown(move || async move {
                process
                    .close(&fixture)
                    .await
                    .map_err(|e| Box::new(e) as BackendError)
            })),
        })
    }
}

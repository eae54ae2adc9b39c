//! [`LiveFactory`]: the harness's [`BackendFactory`] for any adapter over fresh namespaces.

use crate::error::TestkitError;
use crate::inspector::SqlInspector;
use crate::namespace::Namespace;
use crate::server::Server;
use crate::urls::{mysql_offset, redact};
use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{AdapterConfig, Capabilities, SharedAdapter};
use nextauth_adapter_harness::backend::BackendError;
use nextauth_adapter_harness::{BackendFactory, Fixture};
use nextauth_adapter_sql::SchemaNames;
use std::sync::{Arc, OnceLock};

/// Builds the adapter under test inside a namespace (schema already applied): typically
/// connects to [`Namespace::url`] with the given configuration.
pub type BuildAdapter = Arc<
    dyn Fn(&Namespace, AdapterConfig) -> BoxFuture<'static, Result<SharedAdapter, BackendError>>
        + Send
        + Sync,
>;

/// A [`BackendFactory`] over fresh namespaces of one server: each `open` creates a
/// namespace, applies the schema, builds the adapter, connects the inspector; the teardown
/// closes the inspector and drops the namespace. `in_time_zone` gives the same factory with
/// a non-UTC session time zone (PostgreSQL, MySQL).
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
}

impl std::fmt::Debug for LiveFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFactory")
            .field("server", &self.server)
            .field("server_url", &redact(&self.server_url))
            .field("name", &self.name)
            .field("names", &self.names)
            .field("time_zone", &self.time_zone)
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
        }
    }

    /// The same factory creating its tables under `names` (a prefix, renamed tables).
    pub fn with_names(mut self, names: SchemaNames) -> Self {
        self.names = names;
        self
    }

    /// The same factory reporting as `name` (test kinds, report file names), e.g.
    /// `tokio-postgres`, so that two adapters on one server do not share a report.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
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

    async fn open_fixture(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        let ns = Namespace::create(
            self.server,
            &self.server_url,
            self.names.clone(),
            self.time_zone.as_deref(),
        )
        .await?;
        // From here on, every failure drops the namespace before returning.
        let inspector = match self.prepare(&ns, config).await {
            Ok(ok) => ok,
            Err(e) => {
                if let Err(drop_error) = ns.drop().await {
                    tracing::error!(error = %drop_error, "dropping a namespace after a failed setup");
                }
                return Err(e);
            }
        };
        let (adapter, inspector) = inspector;
        if self.version.get().is_none()
            && let Ok(v) = inspector.server_version().await
        {
            let _ = self.version.set(v);
        }
        let closing = inspector.clone();
        Ok(Fixture {
            adapter,
            inspector: Arc::new(inspector),
            teardown: Some(Box::new(move || {
                Box::pin(async move {
                    closing.close().await;
                    ns.drop().await.map_err(|e| Box::new(e) as BackendError)
                })
            })),
        })
    }

    async fn prepare(
        &self,
        ns: &Namespace,
        config: AdapterConfig,
    ) -> Result<(SharedAdapter, SqlInspector), BackendError> {
        ns.apply_schema().await?;
        let adapter = (self.build)(ns, config)
            .await
            .map_err(|e| -> BackendError {
                format!(
                    "{}: building the adapter in namespace {} failed: {e}",
                    self.server,
                    ns.name()
                )
                .into()
            })?;
        let inspector = SqlInspector::connect(ns).await?;
        Ok((adapter, inspector))
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
        format!(
            "{} ({version}) at {}{tz}",
            self.name,
            redact(&self.server_url)
        )
    }

    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        self.open_fixture(config).await
    }

    fn in_time_zone(&self, tz: &str) -> Option<Arc<dyn BackendFactory>> {
        match self.server {
            Server::Sqlite => None,
            Server::MySql if mysql_offset(tz).is_err() => {
                tracing::warn!(
                    tz,
                    "no MySQL offset known for this zone; the time-zone rules do not run"
                );
                None
            }
            Server::Postgres | Server::MySql => {
                let mut other = self.clone();
                other.time_zone = Some(tz.to_owned());
                Some(Arc::new(other))
            }
        }
    }
}

//! [`AuthjsBridgeFactory`]: the Auth.js profile's backend factory over one adapter process.

use super::adapter::{AuthjsBridgeAdapter, AuthjsBridgeInspector};
use crate::error::BridgeError;
use crate::process::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
use crate::protocol::{Hello, OpenArgs, SessionArgs};
use async_trait::async_trait;
use nextauth_adapter::authjs::Capabilities;
use nextauth_adapter_harness::authjs::{BackendFactory, Fixture};
use nextauth_adapter_harness::backend::{BackendError, teardown};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A factory of Auth.js adapters living in a child process: the child's `hello` says
/// `"profile": "authjs"`, and every fixture is an adapter the child opens over storage it
/// isolates itself (a child that asks the parent for namespaces is refused: the Auth.js
/// tables the parent would make are not part of the kit yet).
#[derive(Clone)]
pub struct AuthjsBridgeFactory {
    process: Arc<BridgeProcess>,
    hello: Hello,
    capabilities: Capabilities,
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
        if hello.namespaces.is_some() {
            return Err(BridgeError::BadReply {
                method: "hello".to_owned(),
                reason: "an Auth.js child must isolate its fixtures itself (no namespaces)"
                    .to_owned(),
            });
        }
        tracing::info!(name = %hello.name, pid = ?process.pid(), "Auth.js adapter process ready");
        Ok(AuthjsBridgeFactory {
            process,
            hello,
            capabilities,
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
    fn name(&self) -> String {
        self.hello.name.clone()
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
        let fixture = format!("a{}", self.fixtures.fetch_add(1, Ordering::Relaxed) + 1);
        // An Auth.js adapter has no clock, session policy or secret of its own: the open
        // message carries v3's defaults, which an Auth.js child ignores.
        let args = OpenArgs {
            namespace: None,
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

    fn gone(&self) -> Option<String> {
        self.process.dead_reason()
    }
}

//! How the suite gets a fresh adapter for every rule.

use crate::inspector::Inspector;
use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{AdapterConfig, Capabilities, SharedAdapter};
use nextauth_adapter_reference::ReferenceAdapter;
use std::sync::Arc;

/// An error from setting up or tearing down a backend.
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Work to run after a rule, e.g. dropping the rule's schema.
pub type Teardown = Box<dyn FnOnce() -> BoxFuture<'static, Result<(), BackendError>> + Send>;

/// A [`Teardown`] from an async closure, so an author writes
/// `teardown(move || async move { drop_schema(&pool, &schema).await })` rather than boxing a
/// future by hand.
pub fn teardown<F, Fut>(work: F) -> Teardown
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), BackendError>> + Send + 'static,
{
    Box::new(move || Box::pin(work()))
}

/// One adapter in its own empty namespace, with the inspector that reads that namespace.
pub struct Fixture {
    /// The adapter under test, built with the configuration the suite passed.
    pub adapter: SharedAdapter,
    /// Raw reads of the same namespace.
    pub inspector: Arc<dyn Inspector>,
    /// Removes the namespace after the rule, whether it passed or failed.
    pub teardown: Option<Teardown>,
}

/// A backend under test: makes a fresh, isolated adapter for each rule.
///
/// `open` is called once per rule with the configuration the rule needs (its clock, its
/// session policy). It must return an adapter over an empty namespace that no other rule
/// shares (its own schema, database or in-memory store), so rules are independent and run in
/// parallel.
#[async_trait]
pub trait BackendFactory: Send + Sync + 'static {
    /// The backend's name in test names and reports, e.g. `"postgres"`.
    fn name(&self) -> String;

    /// What the backend's adapters declare. Rules that these rule out are reported as not
    /// applicable.
    fn capabilities(&self) -> Capabilities;

    /// A short description of the backend for the report (server version, URL without
    /// password, …).
    fn describe(&self) -> String {
        self.name()
    }

    /// A fresh adapter over an empty namespace, built with `config`.
    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError>;

    /// The same backend with its database session in time zone `tz` (an IANA name), so the
    /// time-sensitive rules run again where the server's local time is not UTC. `None`: the
    /// backend has no session time zone (the default).
    fn in_time_zone(&self, tz: &str) -> Option<std::sync::Arc<dyn BackendFactory>> {
        let _ = tz;
        None
    }

    /// Why the backend is gone for good (an adapter process that exited), or `None` while it
    /// can still open fixtures. The rules that find it gone are reported as not run with this
    /// reason, rather than each failing on its own.
    fn gone(&self) -> Option<String> {
        None
    }

    /// Which faults the `fault.*` rules can inject into this backend's adapters (through
    /// each fixture's [`Inspector::faults`]); by default none, with the reason.
    fn fault_support(&self) -> crate::faults::FaultSupport {
        crate::faults::FaultSupport::default()
    }
}

/// The reference adapter as a backend: each rule gets a new in-memory store.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReferenceFactory {
    /// The capabilities the reference adapters are configured with.
    pub capabilities: Capabilities,
}

impl ReferenceFactory {
    /// A factory of reference adapters configured to `capabilities`.
    pub fn with_capabilities(capabilities: Capabilities) -> Self {
        ReferenceFactory { capabilities }
    }
}

#[async_trait]
impl BackendFactory for ReferenceFactory {
    fn name(&self) -> String {
        "reference".to_owned()
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        "in-memory reference adapter".to_owned()
    }

    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        let adapter = Arc::new(ReferenceAdapter::with_capabilities(
            config,
            self.capabilities,
        ));
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

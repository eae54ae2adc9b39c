//! How the Auth.js suite gets a fresh adapter, and raw reads of its storage, for every rule.

use crate::backend::{BackendError, Teardown};
use crate::inspector::InspectError;
use async_trait::async_trait;
use nextauth_adapter::authjs::{Capabilities, SharedAdapter};
use nextauth_adapter_reference::authjs::{ReferenceAdapter, Stored};
use std::sync::Arc;

/// Reads an Auth.js adapter's storage directly, never through the adapter: a SQL backend
/// selects from its tables, the reference copies its rows. Rules use it to check that what a
/// method returned is what was stored and that a removed row is really gone.
#[async_trait]
pub trait Inspector: Send + Sync {
    /// Every stored row of the adapter's namespace.
    async fn stored(&self) -> Result<Stored, InspectError>;
}

#[async_trait]
impl Inspector for ReferenceAdapter {
    async fn stored(&self) -> Result<Stored, InspectError> {
        Ok(ReferenceAdapter::stored(self))
    }
}

/// One Auth.js adapter in its own empty namespace, with the inspector of that namespace.
pub struct Fixture {
    /// The adapter under test.
    pub adapter: SharedAdapter,
    /// Raw reads of the same namespace.
    pub inspector: Arc<dyn Inspector>,
    /// Removes the namespace after the rule, whether it passed or failed.
    pub teardown: Option<Teardown>,
}

/// An Auth.js backend under test: makes a fresh, isolated adapter for each rule (its own
/// schema, database or in-memory store), so that rules are independent and run in parallel.
#[async_trait]
pub trait BackendFactory: Send + Sync + 'static {
    /// The backend's name in test names and reports.
    fn name(&self) -> String;

    /// What the backend's adapters declare.
    fn capabilities(&self) -> Capabilities;

    /// A short description for the report (versions, URL without password, …).
    fn describe(&self) -> String {
        self.name()
    }

    /// A fresh adapter over an empty namespace.
    async fn open(&self) -> Result<Fixture, BackendError>;

    /// Why the backend is gone for good (an adapter process that exited), or `None`.
    fn gone(&self) -> Option<String> {
        None
    }
}

/// The Auth.js reference adapter as a backend: each rule gets a new in-memory store.
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
        "authjs-reference".to_owned()
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        "in-memory Auth.js reference adapter".to_owned()
    }

    async fn open(&self) -> Result<Fixture, BackendError> {
        let adapter = Arc::new(ReferenceAdapter::with_capabilities(self.capabilities));
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

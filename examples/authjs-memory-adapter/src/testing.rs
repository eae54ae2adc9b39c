//! What the conformance suite needs to certify [`MemoryAdapter`] in the Auth.js profile: a
//! factory and an inspector. Compiled only with the `testing` feature; it lives in the crate
//! because the inspector reads the private tables, never the adapter's methods.

use crate::MemoryAdapter;
use async_trait::async_trait;
use nextauth_adapter::authjs::Capabilities;
use nextauth_adapter_harness::authjs_prelude::{
    BackendError, BackendFactory, Fixture, Inspector, Stored,
};
use nextauth_adapter_harness::inspector::InspectError;
use std::sync::Arc;

/// Opens a new, empty [`MemoryAdapter`] for every rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryFactory;

#[async_trait]
impl BackendFactory for MemoryFactory {
    fn name(&self) -> String {
        "authjs-memory-example".to_owned()
    }

    fn capabilities(&self) -> Capabilities {
        MemoryAdapter::CAPABILITIES
    }

    fn describe(&self) -> String {
        "example in-memory Auth.js adapter (examples/authjs-memory-adapter)".to_owned()
    }

    async fn open(&self) -> Result<Fixture, BackendError> {
        let adapter = Arc::new(MemoryAdapter::new());
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

#[async_trait]
impl Inspector for MemoryAdapter {
    async fn stored(&self) -> Result<Stored, InspectError> {
        Ok(self.with(|t| Stored {
            users: t.users.values().cloned().collect(),
            accounts: t.accounts.values().cloned().collect(),
            sessions: t.sessions.values().cloned().collect(),
            verification_tokens: t.tokens.values().cloned().collect(),
            authenticators: Vec::new(),
        }))
    }
}

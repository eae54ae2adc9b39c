//! What the conformance suite needs to certify [`MemoryAdapter`]: a
//! [`BackendFactory`] and an [`Inspector`].
//!
//! Compiled only with the cargo feature `testing`, which the crate's self dev-dependency
//! turns on for `cargo test`. It lives in the crate rather than in the test file because the
//! inspector must read the adapter's private tables directly, never through the adapter's
//! own methods: a broken adapter must not be able to vouch for itself.

use crate::MemoryAdapter;
use async_trait::async_trait;
use nextauth_adapter::AdapterConfig;
use nextauth_adapter_harness::backend::BackendError;
use nextauth_adapter_harness::inspector::InspectError;
use nextauth_adapter_harness::{BackendFactory, Fixture, Inspector, Stored};
use std::sync::Arc;

/// Opens a new, empty [`MemoryAdapter`] for every rule of the catalogue.
///
/// Each adapter owns its tables, so every rule gets its own namespace for free, and rules can
/// run in parallel. Nothing outlives the rule, so there is no teardown: the tables are
/// dropped with the last `Arc`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryFactory;

#[async_trait]
impl BackendFactory for MemoryFactory {
    fn name(&self) -> String {
        "memory-example".to_owned()
    }

    fn capabilities(&self) -> nextauth_adapter::Capabilities {
        MemoryAdapter::CAPABILITIES
    }

    fn describe(&self) -> String {
        "example in-memory adapter (examples/memory-adapter)".to_owned()
    }

    async fn open(&self, config: AdapterConfig) -> Result<Fixture, BackendError> {
        let adapter = Arc::new(MemoryAdapter::new(config));
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

/// Reads the four maps under the read lock: the in-memory equivalent of a SQL backend's
/// `SELECT * FROM users`, and so on. Rows come back sorted by creation time and id, so that
/// two reads of unchanged storage compare equal.
#[async_trait]
impl Inspector for MemoryAdapter {
    async fn stored(&self) -> Result<Stored, InspectError> {
        let tables = self.tables.read().await;
        let mut stored = Stored {
            users: tables.users.values().cloned().collect(),
            accounts: tables.accounts.values().cloned().collect(),
            sessions: tables.sessions.values().cloned().collect(),
            verification_requests: tables.verification_requests.values().cloned().collect(),
        };
        stored
            .users
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        stored
            .accounts
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        stored
            .sessions
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        stored
            .verification_requests
            .sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(stored)
    }
}

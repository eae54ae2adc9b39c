//! [`SqlAdapter`]: the v3 semantics over any [`SqlStore`], and the helpers its methods share.

use super::error::{CapabilityError, StoreError, check_capabilities};
use super::store::SqlStore;
use super::unique::UniqueIndexes;
use chrono::{DateTime, Utc};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{AdapterConfig, AdapterError, Capabilities, Method, UniqueKey};
use std::fmt;
use std::sync::{PoisonError, RwLock};

/// A NextAuth v3 adapter over a SQL store: every rule of the contract, written once for
/// every SQL backend.
///
/// The adapter validates input against the declared [`FieldLimits`](nextauth_adapter::FieldLimits)
/// before any write, reads time only from the configured clock, truncates every instant to
/// the declared precision before it is bound (so what is returned equals what is stored),
/// decides expiry in Rust against that clock, hashes verification tokens with the `secret`
/// argument, calls the e-mail sender once after the row is stored, and turns unique-index
/// violations into [`AdapterError::Conflict`] with the key the index enforces. The store
/// only runs SQL.
///
/// Ids are canonical decimal strings of the integer keys: a string that is not one
/// (`"01"`, `"abc"`, beyond `i64`) names no row, exactly as in the reference adapter.
pub struct SqlAdapter<S: SqlStore> {
    pub(super) store: S,
    pub(super) config: AdapterConfig,
    pub(super) capabilities: Capabilities,
    unique: RwLock<UniqueIndexes>,
}

impl<S: SqlStore> fmt::Debug for SqlAdapter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlAdapter")
            .field("backend", &self.store.backend())
            .field("names", self.store.names())
            .field("capabilities", &self.capabilities)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: SqlStore> SqlAdapter<S> {
    /// An adapter over `store`, built with v3's application options and declaring
    /// `capabilities`. Refuses capabilities a SQL schema cannot honour (case-insensitive
    /// e-mail matching: the unique index compares exactly).
    pub fn new(
        store: S,
        config: AdapterConfig,
        capabilities: Capabilities,
    ) -> Result<Self, CapabilityError> {
        check_capabilities(&capabilities)?;
        let unique = RwLock::new(UniqueIndexes::new(store.names()));
        Ok(SqlAdapter {
            store,
            config,
            capabilities,
            unique,
        })
    }

    /// The store underneath (its pool, for an application's own queries).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The configuration this adapter was built with.
    pub fn config(&self) -> &AdapterConfig {
        &self.config
    }

    /// What this adapter declares.
    pub fn declared_capabilities(&self) -> Capabilities {
        self.capabilities
    }

    /// Now, from the injected clock: the only source of time for expiry decisions.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// `t` as stored at the declared precision.
    pub(super) fn stored(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.capabilities.timestamp_precision.apply(t)
    }

    /// Refuses `value` for `field` unless the declared limits allow it.
    pub(super) fn check(
        &self,
        method: Method,
        field: Field,
        value: &str,
    ) -> Result<(), AdapterError> {
        self.capabilities.limits.check(method, field, value)
    }

    /// [`check`](Self::check) for an optional value.
    pub(super) fn check_opt(
        &self,
        method: Method,
        field: Field,
        value: Option<&str>,
    ) -> Result<(), AdapterError> {
        self.capabilities.limits.check_opt(method, field, value)
    }

    /// A store failure as the method's error, naming the backend.
    pub(super) fn backend_error(&self, method: Method, error: StoreError) -> AdapterError {
        tracing::warn!(backend = self.store.backend(), %method, %error, "store operation failed");
        let source = match error {
            StoreError::Driver(source) | StoreError::UniqueViolation { source, .. } => source,
        };
        AdapterError::Backend {
            method,
            backend: self.store.backend().to_owned(),
            source,
        }
    }

    /// A failed write as the method's error: a [`Conflict`](AdapterError::Conflict) when a
    /// unique index among `candidates` refused it, a backend error otherwise.
    pub(super) fn write_error(
        &self,
        method: Method,
        error: StoreError,
        candidates: &[UniqueKey],
    ) -> AdapterError {
        let key = self
            .unique
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .recognise(&error, candidates);
        match key {
            Some(key) => {
                tracing::debug!(backend = self.store.backend(), %method, %key, "unique key conflict");
                AdapterError::Conflict { method, key }
            }
            None => self.backend_error(method, error),
        }
    }

    /// Recognise `live` as the live name of the documented index `documented` (full name).
    pub(super) fn alias_index(&self, documented: &str, live: &str) {
        self.unique
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .alias(documented, live);
    }
}

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
    /// What the adapter declares; `synchronize` sets the e-mail matching the live tables
    /// decide unless it was declared explicitly.
    capabilities: RwLock<Capabilities>,
    /// Whether the declaration was the caller's own (kept, and checked against the tables)
    /// rather than the backend's default (adapted to the tables).
    pub(super) explicit: bool,
    unique: RwLock<UniqueIndexes>,
}

impl<S: SqlStore> fmt::Debug for SqlAdapter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlAdapter")
            .field("backend", &self.store.backend())
            .field("names", self.store.names())
            .field("capabilities", &self.caps())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: SqlStore> SqlAdapter<S> {
    /// An adapter over `store`, built with v3's application options and declaring
    /// `capabilities`. Refuses capabilities a SQL schema cannot honour (see
    /// [`check_capabilities`](super::error::check_capabilities)). The declaration counts as
    /// the caller's own: [`synchronize`](Self::synchronize) checks it against the tables
    /// instead of adapting it.
    pub fn new(
        store: S,
        config: AdapterConfig,
        capabilities: Capabilities,
    ) -> Result<Self, CapabilityError> {
        Self::declaring(store, config, capabilities, true)
    }

    /// [`new`](Self::new), saying whether the declaration is the caller's own (`explicit`)
    /// or the backend's default, which `synchronize` adapts to the live tables.
    pub(super) fn declaring(
        store: S,
        config: AdapterConfig,
        capabilities: Capabilities,
        explicit: bool,
    ) -> Result<Self, CapabilityError> {
        check_capabilities(store.dialect(), &capabilities)?;
        let unique = RwLock::new(UniqueIndexes::new(store.names()));
        Ok(SqlAdapter {
            store,
            config,
            capabilities: RwLock::new(capabilities),
            explicit,
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
        self.caps()
    }

    /// What this adapter declares (a copy: the declaration changes only in `synchronize`).
    pub(super) fn caps(&self) -> Capabilities {
        *self
            .capabilities
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Declares `capabilities` from now on (`synchronize`, adapting to the live tables).
    pub(super) fn set_caps(&self, capabilities: Capabilities) {
        *self
            .capabilities
            .write()
            .unwrap_or_else(PoisonError::into_inner) = capabilities;
    }

    /// Now, from the injected clock: the only source of time for expiry decisions.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// `t` as stored at the declared precision.
    pub(super) fn stored(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.caps().timestamp_precision.apply(t)
    }

    /// Refuses an instant outside the declared
    /// [`TimestampRange`](nextauth_adapter::TimestampRange), before anything is written.
    pub(super) fn in_range(
        &self,
        method: Method,
        field: &str,
        t: DateTime<Utc>,
    ) -> Result<(), AdapterError> {
        self.caps().timestamp_range.check(method, field, t)
    }

    /// Refuses `value` for `field` unless the declared limits allow it.
    pub(super) fn check(
        &self,
        method: Method,
        field: Field,
        value: &str,
    ) -> Result<(), AdapterError> {
        self.caps().limits.check(method, field, value)
    }

    /// [`check`](Self::check) for an optional value.
    pub(super) fn check_opt(
        &self,
        method: Method,
        field: Field,
        value: Option<&str>,
    ) -> Result<(), AdapterError> {
        self.caps().limits.check_opt(method, field, value)
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

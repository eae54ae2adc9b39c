//! A NextAuth.js v3 database adapter for PostgreSQL (10 or later).
//!
//! [`PostgresAdapter`] is the shared SQL adapter of
//! [`nextauth-adapter-sql`](nextauth_adapter_sql) over [`PostgresStore`]: every rule of the
//! v3 contract lives there, written once; this crate runs its statements with the fewest
//! round trips PostgreSQL allows (`INSERT … RETURNING`, `UPDATE … RETURNING`,
//! `DELETE … RETURNING` for single-use verification, one data-modifying `WITH` for the
//! cascading `delete_user`), on one of two drivers:
//!
//! - [`TokioPostgresStore`] (the default, [`PostgresStore`]): tokio-postgres pooled by
//!   deadpool-postgres. Chosen by measurement: see `docs/performance.md`.
//! - [`SqlxPostgresStore`] ([`SqlxPostgresAdapter`]): sqlx, for an application that already
//!   has a [`sqlx::PgPool`] and wants the adapter to share it
//!   ([`SqlAdapter::from_pool`](nextauth_adapter_sql::SqlAdapter::from_pool)).
//!
//! Both run the same statement texts and are certified by the same conformance suite.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use nextauth_adapter::AdapterConfig;
//! use nextauth_adapter_postgres::{PostgresAdapter, SqlOptions};
//! let adapter = PostgresAdapter::connect(
//!     "postgres://app:secret@localhost/app",
//!     AdapterConfig::default(),
//!     SqlOptions::default(),
//! )
//! .await?;
//! adapter.synchronize().await?; // creates missing tables, refuses a schema that differs
//! # Ok(()) }
//! ```
//!
//! The schema is the one of [`nextauth_adapter_sql::statements`] for PostgreSQL
//! (`TIMESTAMPTZ` with microseconds, `VARCHAR(255)`, `TEXT` tokens); the documented
//! PostgreSQL DDL is accepted too. The tables live in the connection's `search_path`
//! (set it with `?options=-c search_path=<schema>`).

mod driver;
mod tokio_store;

pub use driver::{PostgresDriver, SqlxPostgresStore};
pub use tokio_store::TokioPostgresStore;

/// The store [`PostgresAdapter`] uses.
pub type PostgresStore = TokioPostgresStore;
pub use nextauth_adapter_sql::{ConnectError, SqlOptions, SyncError, SyncOutcome};

use nextauth_adapter::Capabilities;

/// The PostgreSQL adapter: the shared SQL semantics over a [`PostgresStore`].
pub type PostgresAdapter = nextauth_adapter_sql::SqlAdapter<PostgresStore>;

/// The PostgreSQL adapter over sqlx: the shared SQL semantics over a [`SqlxPostgresStore`].
pub type SqlxPostgresAdapter = nextauth_adapter_sql::SqlAdapter<SqlxPostgresStore>;

/// What the PostgreSQL adapter declares: the hardened choices with the documented limits.
///
/// - expired sessions deleted on read, `delete_user` cascading in one statement,
///   `unlink_account` supported, single-use verification (`DELETE … RETURNING`): all
///   implemented, so all declared;
/// - exact e-mail matching: PostgreSQL's deterministic collations compare bytes;
/// - microseconds: `TIMESTAMPTZ`'s precision;
/// - [`FieldLimits::DOCUMENTED`](nextauth_adapter::FieldLimits::DOCUMENTED): `VARCHAR(255)`
///   counts characters as the limits do; `TEXT` is unlimited; `users.image` is held to 255
///   characters as in the other dialects even where the docs' DDL made it `TEXT`, so data
///   stays portable.
pub const CAPABILITIES: Capabilities = Capabilities::HARDENED;

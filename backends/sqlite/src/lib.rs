//! A NextAuth.js v3 database adapter for SQLite, over sqlx: a database file, or an
//! in-memory database for development and tests.
//!
//! [`SqliteAdapter`] is the shared SQL adapter of
//! [`nextauth-adapter-sql`](nextauth_adapter_sql) over [`SqliteStore`]: every rule of the
//! v3 contract lives there, written once; this crate runs its statements on a
//! [`sqlx::SqlitePool`] (`RETURNING` on writes, SQLite 3.35+, which sqlx bundles).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use nextauth_adapter::AdapterConfig;
//! use nextauth_adapter_sqlite::{SqliteAdapter, SqlOptions};
//! let adapter =
//!     SqliteAdapter::connect("sqlite::memory:", AdapterConfig::default(), SqlOptions::default())
//!         .await?;
//! adapter.synchronize().await?; // creates the four tables
//! # Ok(()) }
//! ```
//!
//! - `sqlite::memory:` (or `?mode=memory`) is one database per adapter, held by a pool of
//!   exactly one connection that is never closed, so every call sees the same data for the
//!   adapter's whole life.
//! - A file (`sqlite://path/auth.db?mode=rwc`) is opened in WAL mode with a busy timeout,
//!   so readers never block the writer and concurrent writers queue instead of failing.
//! - Instants are stored as UTC text `YYYY-MM-DD HH:MM:SS.ffffff` (SQLite's own date format
//!   with microseconds): fixed width, so text order is time order and the expiry guard
//!   `expires < ?` compares correctly.

mod driver;
mod instant_text;

pub use driver::{SqliteDriver, SqliteStore};
pub use nextauth_adapter_sql::{ConnectError, SqlOptions, SyncError, SyncOutcome};

use nextauth_adapter::Capabilities;

/// The SQLite adapter: the shared SQL semantics over a [`SqliteStore`].
pub type SqliteAdapter = nextauth_adapter_sql::SqlAdapter<SqliteStore>;

/// What the SQLite adapter declares: the hardened choices with the documented limits.
///
/// - every hardened behaviour is implemented (delete on read, cascading `delete_user` in
///   an immediate transaction, single-use verification with `DELETE … RETURNING`);
/// - exact e-mail matching: SQLite's default `BINARY` collation;
/// - microseconds: the stored text carries six fractional digits;
/// - [`FieldLimits::DOCUMENTED`](nextauth_adapter::FieldLimits::DOCUMENTED): SQLite does not
///   enforce `VARCHAR(255)` at all, so the adapter's validation is what keeps overlong values
///   out, exactly as on the servers that do enforce it.
pub const CAPABILITIES: Capabilities = Capabilities::HARDENED;

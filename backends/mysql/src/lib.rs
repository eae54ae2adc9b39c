//! A NextAuth.js v3 database adapter for MySQL 8 and MariaDB (10.3 or later).
//!
//! [`MySqlAdapter`] is the shared SQL adapter of
//! [`nextauth-adapter-sql`](nextauth_adapter_sql) over [`MySqlStore`]: every rule of the
//! v3 contract lives there, written once; this crate runs its statements on a
//! mysql_async pool ([`MysqlAsyncStore`]), or, for an application that shares its
//! [`sqlx::MySqlPool`], on sqlx ([`SqlxMySqlAdapter`] over [`SqlxMySqlStore`]). Both run the
//! same statement texts, take the same URL (sqlx's syntax; see [`UrlError`] for what the
//! mysql_async store accepts of it) and are certified by the same conformance suite; the
//! default is the one that measured faster (`docs/performance.md`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use nextauth_adapter::AdapterConfig;
//! use nextauth_adapter_mysql::{MySqlAdapter, SqlOptions};
//! let adapter = MySqlAdapter::connect(
//!     "mysql://app:secret@localhost/app",
//!     AdapterConfig::default(),
//!     SqlOptions::default(),
//! )
//! .await?;
//! adapter.synchronize().await?; // creates missing tables, refuses a schema that differs
//! # Ok(()) }
//! ```
//!
//! # One spelling for MySQL and MariaDB
//!
//! MySQL 8 has no `RETURNING` (MariaDB 10.5+ has `INSERT/DELETE … RETURNING`, but not
//! `UPDATE … RETURNING`). Rather than detect the server, the store uses what both have: an
//! insert takes its id from `LAST_INSERT_ID()` (in the same round trip's OK packet) and
//! returns the values it bound, which are exactly what was stored (already validated and
//! truncated to microseconds); an update is followed by a read of the row. Single-use
//! verification is the one place where the server is asked which it is (once per store,
//! `SELECT VERSION()`): on MariaDB one `DELETE … RETURNING` removes and returns the row; on
//! MySQL 8 the store selects the row, checks it, and deletes it by id, the delete's
//! affected-row count deciding which of concurrent callers consumed it.
//!
//! # Time zones
//!
//! The schema stores instants in `DATETIME(6)` columns, which hold no zone and are never
//! converted by the server: the adapter writes and reads them as UTC and never relies on
//! `CURRENT_TIMESTAMP` defaults. Tables made from the *documented* DDL, and by next-auth's
//! TypeORM `synchronize`, use `TIMESTAMP(6)`, which the server converts from the session's
//! `time_zone` to UTC on write and back on read. The adapter therefore sets every session to
//! `+00:00`, whatever the URL's `timezone=` parameter says, so that such a column holds the
//! true instant and another client of the same tables (next-auth, whose `mysql` driver
//! writes in the Node process's zone to a session in the server's zone) reads it right
//! whenever those two zones agree. `TIMESTAMP` stops at 2038: on such tables
//! [`synchronize`](nextauth_adapter_sql::SqlAdapter::synchronize) declares
//! `timestamp_range = Unix32`.
//!
//! # Exact keys and `NO PAD`
//!
//! Tables are `utf8mb4` with the server's binary `NO PAD` collation, picked when
//! [`synchronize`](nextauth_adapter_sql::SqlAdapter::synchronize) creates them from
//! `SELECT VERSION()`: `utf8mb4_nopad_bin` on MariaDB (10.2.2 and later), `utf8mb4_0900_bin` on
//! MySQL 8 ([`nextauth_adapter_sql::mysql_ddl_for`]). Case, accents, width and normal forms
//! matter, and so do trailing spaces, in comparisons *and in the unique index*: `"a@x.org "`
//! beside `"a@x.org"` is a second user, as `EmailMatching::Exact` declares (specification
//! H13). The older `utf8mb4_bin` is `PAD SPACE`: its unique index holds the two one address,
//! which no declaration says, so the schema check reports such a column and `synchronize`
//! refuses it with the `ALTER TABLE` that fixes it. MySQL's `=` still ignores trailing spaces
//! whatever the collation in some comparisons, so lookups stay exact in Rust besides (a user
//! found by SQL whose address differs in trailing spaces is not returned, or SQL checks the
//! byte length), and a session is read and its token compared in Rust before
//! `update_session` or `delete_session` writes by token.

mod async_store;
mod driver;

pub use async_store::{MysqlAsyncStore, UrlError};
pub use driver::{MySqlDriver, SqlxMySqlStore};

/// The store [`MySqlAdapter`] uses.
pub type MySqlStore = MysqlAsyncStore;
pub use nextauth_adapter_sql::{ConnectError, SqlOptions, SyncError, SyncOutcome};

use nextauth_adapter::capabilities::Capabilities;
use nextauth_adapter::limits::{FieldLimits, StringLimit};

/// The MySQL/MariaDB adapter: the shared SQL semantics over a [`MySqlStore`].
pub type MySqlAdapter = nextauth_adapter_sql::SqlAdapter<MySqlStore>;

/// The MySQL/MariaDB adapter over sqlx: the shared SQL semantics over a [`SqlxMySqlStore`].
pub type SqlxMySqlAdapter = nextauth_adapter_sql::SqlAdapter<SqlxMySqlStore>;

/// The limits of the MySQL schema, column by column as `nextauth_adapter_sql` renders it:
/// `VARCHAR(255)` in `utf8mb4` holds 255 characters (the e-mail, name, image, provider
/// columns and the verification identifier), `TEXT` holds 65,535 bytes (the OAuth tokens).
pub const LIMITS: FieldLimits = FieldLimits {
    varchar: StringLimit::chars(255),
    image: StringLimit::chars(255),
    text: StringLimit::bytes(65_535),
};

/// What the MySQL/MariaDB adapter declares: the hardened choices with [`LIMITS`].
///
/// - every hardened behaviour is implemented (delete on read, cascading `delete_user` in a
///   transaction, single-use verification decided by the delete's affected rows);
/// - exact e-mail matching: a binary `NO PAD` collation, as the crate documentation explains;
/// - microseconds: `DATETIME(6)`;
/// - `TEXT` is 65,535 bytes, so a longer OAuth token is `InvalidInput` rather than an error
///   (strict mode) or a silently truncated token (non-strict mode).
pub const CAPABILITIES: Capabilities = Capabilities {
    limits: LIMITS,
    ..Capabilities::HARDENED
};

//! A NextAuth.js v3 database adapter for Microsoft SQL Server (2016 or later), over
//! tiberius.
//!
//! [`MsSqlAdapter`] is the shared SQL adapter of
//! [`nextauth-adapter-sql`](nextauth_adapter_sql) over [`MsSqlStore`]: every rule of the v3
//! contract lives there, written once; this crate runs its statements (`Queries` rendered
//! for SQL Server) on a pool of tiberius clients.
//!
//! **Certified only where a SQL Server runs.** No SQL Server runs on this project's
//! machines: the adapter is written to the contract and to SQL Server's documented
//! behaviour, every statement it sends is parsed in SQL Server's dialect by a unit test
//! (`backends/sql/tests/queries_parse.rs`), and its conformance suite runs wherever
//! `NEXTAUTH_TEST_MSSQL_URL` names a server (the project's GitHub workflow starts the
//! official image for it).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use nextauth_adapter::AdapterConfig;
//! use nextauth_adapter_mssql::{MsSqlAdapter, SqlOptions};
//! let adapter = MsSqlAdapter::connect(
//!     "mssql://app:secret@localhost:1433/app",
//!     AdapterConfig::default(),
//!     SqlOptions::default(),
//! )
//! .await?;
//! adapter.synchronize().await?; // creates missing tables, refuses a schema that differs
//! # Ok(()) }
//! ```
//!
//! # SQL Server's own facts, and what the adapter does with them
//!
//! - **A unique index admits one `NULL`**: `users.email` is unique through a filtered index
//!   (`WHERE [email] IS NOT NULL`), so any number of users may have no address.
//! - **The default collation ignores case** (`SQL_Latin1_General_CP1_CI_AS`): the tables'
//!   text columns are `NVARCHAR … COLLATE Latin1_General_100_BIN2`, which compares code
//!   points, so e-mail matching is exact, as declared.
//! - **`=` ignores trailing spaces** under every collation, binary ones included (ANSI
//!   padding), in lookups and in unique indexes alike: lookups are made exact (in Rust, or
//!   with a `DATALENGTH` check in SQL), and `update_session` and `delete_session` read the
//!   session and compare its token byte for byte before writing; the unique index cannot be,
//!   so creating `"a@x.org "` while `"a@x.org"` exists is a `Conflict` here, which
//!   `security.email.unique-every-axis-as-declared` (specification H13) will fail where a SQL
//!   Server runs: a known limit of the server, not yet fixed (an exact key would need a
//!   persisted computed column, the address with its `DATALENGTH`, under the unique index).
//!   MySQL and MariaDB have `NO PAD` collations and no longer share it.
//! - **`OUTPUT` instead of `RETURNING`**: every write returns its row in the same round trip;
//!   single-use verification is one `DELETE … OUTPUT DELETED.…`.
//! - **Instants** are `DATETIME2(6)`: microseconds, no zone, written and read as UTC; the
//!   documented DDL's `DATETIME` (a 3.33 ms grid) is read too.
//! - **Unicode**: `NVARCHAR`, which tiberius binds every string as.
//! - **Races on unique keys** under the default `READ COMMITTED`: the unique indexes decide,
//!   and their violation (errors 2601, 2627) is a `Conflict` naming the key.
//! - **The documented v3 DDL is refused** by `synchronize` (nothing changed, every reason in
//!   the diff; `tests/documented_tables.rs`): its tables have no primary key, its
//!   `UNIQUE` index on `users.email` admits one `NULL`, and its `VARCHAR` columns under the
//!   server's default case-insensitive collation decide the e-mail matching in a way the kit
//!   does not model (and cannot hold text outside code page 1252). Let `synchronize` create
//!   the tables, or migrate them to the project's DDL (`nextauth_adapter_sql::script`).

mod store;
mod url;

pub use nextauth_adapter_sql::{ConnectError, SqlOptions, SyncError, SyncOutcome};
pub use store::{Connection, Manager, MsSqlStore, Pool};
pub use url::{DEFAULT_CONNECT_TIMEOUT, Target, UrlError, config, target};

use nextauth_adapter::capabilities::Capabilities;
use nextauth_adapter::limits::{FieldLimits, StringLimit};

/// The SQL Server adapter: the shared SQL semantics over a [`MsSqlStore`].
pub type MsSqlAdapter = nextauth_adapter_sql::SqlAdapter<MsSqlStore>;

/// The limits of the SQL Server schema as `nextauth_adapter_sql` renders it: `NVARCHAR(255)`
/// holds 255 UTF-16 code units, which is 255 characters only while none is outside the Basic
/// Multilingual Plane (an emoji takes two), so the limit counts both
/// ([`StringLimit::utf16`]): 255 accented letters fit, 128 emoji do not. `NVARCHAR(MAX)`
/// (the OAuth tokens) is unlimited.
pub const LIMITS: FieldLimits = FieldLimits {
    varchar: StringLimit::utf16(255),
    image: StringLimit::utf16(255),
    text: StringLimit::UNLIMITED,
};

/// What the SQL Server adapter declares: the hardened choices with [`LIMITS`].
///
/// - every hardened behaviour is implemented (delete on read, cascading `delete_user` in a
///   transaction, single-use verification by `DELETE … OUTPUT`);
/// - exact e-mail matching: binary collations, trailing spaces handled as the crate
///   documentation explains;
/// - microseconds: `DATETIME2(6)`.
pub const CAPABILITIES: Capabilities = Capabilities {
    limits: LIMITS,
    ..Capabilities::HARDENED
};

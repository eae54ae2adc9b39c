//! An example community adapter: NextAuth.js v3 on PostgreSQL, written with
//! [tokio-postgres](https://docs.rs/tokio-postgres) rather than sqlx.
//!
//! It is a showcase for adapter authors outside this workspace: it depends only on the
//! contract crate (`nextauth-adapter`) and its driver, uses the documented v3 schema
//! (`nextauth_adapter_sql::statements(Dialect::Postgres, ..)` creates it), and is certified by
//! a test file of a few lines (`tests/conformance.rs`) that runs the whole conformance harness
//! against a live PostgreSQL through `nextauth-adapter-testkit`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use nextauth_adapter::{Adapter, AdapterConfig, NewUser};
//! use nextauth_example_tokio_postgres::TokioPostgresAdapter;
//!
//! let adapter = TokioPostgresAdapter::connect(
//!     "postgres://postgres:postgres@127.0.0.1:5432/postgres",
//!     AdapterConfig::default(),
//! )
//! .await?;
//! let user = adapter
//!     .create_user(NewUser { email: Some("ann@example.com".into()), ..NewUser::default() })
//!     .await?;
//! assert!(adapter.get_user(&user.id).await?.is_some());
//! # Ok(()) }
//! ```
//!
//! How it keeps v3's semantics with one statement per method (so no method needs a
//! transaction, and none can be half-applied):
//!
//! - ids are `SERIAL` integers in SQL and decimal strings in the contract; a string that is
//!   not a canonical decimal (`"01"`, `"abc"`, a JWT `sub`) names no row;
//! - every instant is the configured clock's, truncated to microseconds (what `timestamptz`
//!   stores) before it is bound, so what a method returns is what is stored; expiry is decided
//!   in Rust against the clock, never against the database's `now()`;
//! - unique keys are the schema's unique indexes; a violation is recognised by the index's
//!   name and becomes [`AdapterError::Conflict`](nextauth_adapter::AdapterError::Conflict);
//! - `delete_user` cascades in one statement (data-modifying `WITH`), and a verification
//!   request is consumed by `DELETE … RETURNING`, so two concurrent redemptions cannot both
//!   succeed.

mod adapter;
mod rows;

pub use adapter::{CAPABILITIES, ConnectError, TokioPostgresAdapter};

//! The v3 adapter over SQL: [`SqlStore`], the primitive operations each backend implements
//! over its driver, and [`SqlAdapter`], every rule of the contract written once on top.
//!
//! A backend crate (`nextauth-adapter-postgres`, `-mysql`, `-sqlite`) implements
//! [`SqlStore`] with prepared statements over its pool and declares its
//! [`Capabilities`](nextauth_adapter::Capabilities); `SqlAdapter<ItsStore>` is its adapter.
//! The split keeps the semantics (validation, clock, expiry, hashing, the sender, conflict
//! mapping) in one place that the conformance harness certifies once per backend, and
//! leaves each backend only SQL: its statements, its round trips, its transactions.

mod accounts;
mod connect;
mod contract_impl;
mod error;
mod ids;
mod queries;
pub mod rows;
mod sessions;
mod sql_adapter;
mod sqlx_store;
mod store;
mod sync;
mod tables;
mod unique;
mod users;
mod verification;

pub use connect::{ConnectError, ConnectStore, DEFAULT_MAX_CONNECTIONS, SqlOptions};
pub use error::{CapabilityError, StoreError, check_capabilities, mysql_duplicate_key};
pub use ids::{fits_user_id_column, parse_id};
pub use queries::{
    ACCOUNT_COLUMNS, ByIdentifier, Cascade, Queries, SESSION_COLUMNS, Sql, USER_COLUMNS,
    VERIFICATION_COLUMNS, Writes,
};
pub use sql_adapter::SqlAdapter;
pub use sqlx_store::{Driver, Exec, Prepared, Running, SqlxStore, Statement};
pub use store::{
    AccountValues, SessionValues, SqlStore, StoreResult, UserValues, VerificationValues,
    consume_in_two_steps,
};
pub use sync::{SyncError, SyncOutcome};
pub use tables::{
    MatchingDecision, SchemaCheck, check_declared_matching, exact_fix, matching_of_tables,
};
pub use unique::UniqueIndexes;

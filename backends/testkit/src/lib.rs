//! Test plumbing for SQL adapters of the NextAuth.js v3 conformance kit.
//!
//! A backend's conformance test is a few lines (a test target with `harness = false`):
//!
//! ```no_run
//! use nextauth_adapter_testkit::{Server, build_adapter, run_live};
//! # struct MyAdapter;
//! # impl MyAdapter { async fn connect(_: &str, _: nextauth_adapter::AdapterConfig) -> Result<nextauth_adapter::SharedAdapter, Box<dyn std::error::Error + Send + Sync>> { unimplemented!() } }
//!
//! fn main() -> std::process::ExitCode {
//!     // Judged by what the adapter's `capabilities()` declares.
//!     run_live(Server::Postgres, build_adapter(|ns, config| async move {
//!         MyAdapter::connect(&ns.url, config).await
//!     }))
//! }
//! ```
//!
//! The pieces, usable alone:
//!
//! - [`Server`], [`is_required`], [`locate`]: where the live suite runs
//!   (`NEXTAUTH_TEST_POSTGRES_URL`, `NEXTAUTH_TEST_MYSQL_URL`, a temporary directory for
//!   SQLite; with the feature `testcontainers`, a Docker container) and whether it must
//!   (`NEXTAUTH_REQUIRE_BACKENDS`);
//! - [`Namespace`]: a fresh `nx_<made>_<host>_<pid>_<random>` schema, database or file per
//!   test, dropped alone, accounted for in a process-wide registry ([`verify_dropped`]);
//! - [`stale`]: who made a namespace and when, read from its name; what a killed run left,
//!   the next run on the machine drops, and [`stale::clean`] anything older than asked;
//! - [`SqlInspector`]: the harness's raw reads of the four tables;
//! - [`LiveFactory`]: a harness `BackendFactory` for any adapter over fresh namespaces;
//! - [`SpareNamespaces`]: namespaces emptied for the next fixture, whoever made their tables;
//! - [`run_live`] / [`LiveRun`]: the whole harness, a loud NOT RUN banner without a server,
//!   and a check that nothing was left behind;
//! - [`trials`]: a live check as a libtest-mimic trial, listed on any machine, NOT RUN (failing
//!   when required, ignored otherwise) where its server is missing.
//!
//! The testkit depends on no backend crate: a community adapter (diesel, tokio-postgres, …)
//! uses it as the workspace's own backends do.

mod admin;
mod containers;
mod error;
mod factory;
mod faults;
mod inspector;
mod namespace;
mod run;
pub mod scenarios;
mod server;
mod spare;
pub mod stale;
pub mod trials;
pub mod urls;

#[cfg(feature = "testcontainers")]
pub use containers::OwnContainer;
pub use containers::{ServerControl, image, image_env_var, local_engine, release_containers};
pub use error::TestkitError;
pub use factory::{BuildAdapter, LiveFactory, Synchronize, build_adapter, sql_adapter};
pub use faults::SqlFaults;
pub use inspector::SqlInspector;
pub use namespace::{
    MakeTables, NAMESPACE_PREFIX, Namespace, NamespaceInfo, Tables, created_count, drop_leftovers,
    live_namespaces, random_name, verify_dropped,
};
pub use run::{LiveRun, run_live};
pub use server::{
    Decision, REQUIRE_ENV, Server, ServerEnv, Target, decide, is_required, is_required_in, locate,
    not_run_banner, url_or_skip,
};
pub use spare::{MAX_SPARE_NAMESPACES, SpareNamespaces};

// Re-exported so that a conformance test needs no direct dependency on them.
pub use nextauth_adapter_harness::backend::BackendError;
pub use nextauth_adapter_sql::SchemaNames;

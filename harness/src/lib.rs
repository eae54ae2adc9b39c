//! The NextAuth.js v3 adapter conformance suite.
//!
//! An adapter author adds this crate as a dev-dependency and writes a test file of a few
//! lines (with `harness = false`):
//!
//! ```no_run
//! use nextauth_adapter_harness::{ReferenceFactory, run_main};
//!
//! fn main() -> std::process::ExitCode {
//!     // Replace `ReferenceFactory` with your own `BackendFactory`.
//!     run_main(ReferenceFactory::default())
//! }
//! ```
//!
//! `cargo test` then runs every rule of the v3 contract against the adapter, each rule a
//! named test that can be listed (`-- --list`), filtered, and rerun alone
//! (`-- session.get.expired-is-none --exact`). The pieces:
//!
//! - [`catalogue`]: the rules, each with a stable dotted id, an [`Area`], a [`Level`] (MUST
//!   or SHOULD), the capability it depends on and its source;
//! - [`BackendFactory`]: how the suite gets a fresh adapter, in its own namespace, for every rule;
//! - [`Inspector`]: raw reads of what is stored, bypassing the adapter, so rules check
//!   persistence and storage format and not just round trips;
//! - [`v3core`]: the call sequences of NextAuth v3 core (sign-in, callback, session read,
//!   sign-out) that the flow rules drive;
//! - [`execute`]: runs rules and collects outcomes; [`runner`] turns the catalogue into
//!   libtest-mimic trials; [`report`] renders the verdict as a table, JSON and JUnit XML;
//! - [`broken`]: deliberately broken adapters that prove each rule can fail.

pub mod backend;
pub mod broken;
pub mod catalogue;
pub mod context;
pub mod execute;
pub mod inspector;
pub mod properties;
pub mod report;
pub mod rule;
pub mod runner;
pub mod v3core;

pub use backend::{BackendFactory, Fixture, ReferenceFactory};
pub use context::Ctx;
pub use execute::{Outcome, RuleOutcome, SuiteOptions, run_suite};
pub use inspector::{Inspector, Stored};
pub use report::{Report, Verdict};
pub use rule::{Area, Failure, Level, Requires, Rule, RuleResult};
pub use runner::{RunOptions, run_main, run_main_with};

/// The harness's version, recorded in every report.
pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");

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
//! - [`suite`]: what a run consists of (rules, time-zone reruns, the property test) and how
//!   each case runs; [`execute`] runs one rule, races alone on a runtime of their own;
//!   [`runner`] turns the suite into libtest-mimic trials; [`report`] renders the verdict,
//!   the [`finding`]s (failures grouped by cause, with a severity) and every rule as text,
//!   JSON and JUnit XML;
//! - [`sources`]: every rule cites `docs/specification.md` or a public reference;
//! - [`broken`]: deliberately broken adapters that prove each rule can fail.
//!
//! A run is reproducible: the property test draws its sequences from a fixed seed of the
//! harness version, and every race runs a fixed number of rounds. Exploration with fresh
//! randomness is explicit (`NEXTAUTH_PROPTEST_SEED=random`).

pub mod backend;
pub mod broken;
pub mod catalogue;
pub mod context;
pub mod execute;
pub mod finding;
pub mod inspector;
pub mod properties;
pub mod report;
pub mod rule;
pub mod runner;
pub mod sources;
pub mod suite;
pub mod v3core;

pub use backend::{BackendFactory, Fixture, ReferenceFactory};
pub use context::Ctx;
pub use execute::{Outcome, RuleOutcome};
pub use finding::Severity;
pub use inspector::{Inspector, Stored};
pub use report::{Finding, Report, Verdict};
pub use rule::{Area, Failure, Level, Requires, Rule, RuleKind, RuleResult};
pub use runner::{RunOptions, run_main, run_main_with};
pub use suite::{Suite, SuiteOptions, run_suite};

/// The harness's version, recorded in every report.
pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");

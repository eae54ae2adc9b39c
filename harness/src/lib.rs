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
//! (`-- session.get.expired-is-none --exact`).
//!
//! What an adapter author uses is all in [`prelude`] (and at this crate's root):
//!
//! - [`BackendFactory`] and [`Fixture`]: how the suite gets a fresh adapter, in its own
//!   namespace, for every rule;
//! - [`Inspector`] and [`Stored`]: raw reads of what is stored, bypassing the adapter, so
//!   rules check persistence and storage format and not just round trips;
//! - [`run_main`] / [`run_main_with`] and [`RunOptions`]: the test binary's `main`;
//! - [`Report`] and [`Verdict`]: what a run concluded, as `certify` and CI read it;
//! - [`ReferenceFactory`]: the in-memory reference adapter as a factory, to try the above;
//! - for an Auth.js (`@auth/core`) adapter: [`run_main_authjs`] and [`authjs_prelude`] (the
//!   same three ideas over `nextauth_adapter::authjs`).
//!
//! A run is reproducible: the property test draws its sequences from a fixed seed of the
//! harness version, and every race runs a fixed number of rounds. Exploration with fresh
//! randomness is explicit (`NEXTAUTH_PROPTEST_SEED=random`). The rules and what they hold
//! adapters to are in `docs/rules.md` and `docs/specification.md`.
//!
//! Everything else (the catalogue, the rule executor, the property test, findings, the
//! deliberately broken adapters) is the kit's own machinery, public for its other crates
//! (`nextauth-certify`, the bridge, the testkit) and hidden from these docs: it may change
//! without notice.

#[doc(hidden)]
pub mod authjs;
#[doc(hidden)]
pub mod axes;
#[doc(hidden)]
pub mod backend;
#[doc(hidden)]
pub mod broken;
#[doc(hidden)]
pub mod catalogue;
#[doc(hidden)]
pub mod context;
#[doc(hidden)]
pub mod execute;
#[doc(hidden)]
pub mod faults;
#[doc(hidden)]
pub mod finding;
#[doc(hidden)]
pub mod fragile;
#[doc(hidden)]
pub mod inspector;
#[doc(hidden)]
pub mod layer;
#[doc(hidden)]
pub mod properties;
#[doc(hidden)]
pub mod randomness;
/// Whether a user can meet a finding through the real core, and how.
pub mod reach;
/// Any backend with its adapter calls written down in order.
pub mod recording;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod rule;
#[doc(hidden)]
pub mod runner;
#[doc(hidden)]
pub mod soak;
#[doc(hidden)]
pub mod sources;
#[doc(hidden)]
pub mod suite;
#[doc(hidden)]
pub mod v3core;

/// What an adapter author needs, in one `use nextauth_adapter_harness::prelude::*;`.
pub mod prelude {
    pub use crate::backend::{BackendError, BackendFactory, Fixture, ReferenceFactory, teardown};
    pub use crate::inspector::{InspectError, Inspector, Stored};
    pub use crate::report::{Report, Verdict};
    pub use crate::runner::{
        RunOptions, run_main, run_main_authjs, run_main_authjs_with, run_main_with,
    };
}

/// What an author of an Auth.js adapter needs besides [`run_main_authjs`]: the factory, the
/// fixture and the inspector of the Auth.js profile, and its reference adapter.
pub mod authjs_prelude {
    pub use crate::authjs::{BackendFactory, Fixture, Inspector, ReferenceFactory};
    pub use crate::backend::{BackendError, teardown};
    pub use nextauth_adapter_reference::authjs::Stored;
}

pub use prelude::*;

// The kit's own crates reach these from the root; they are not part of the author's API.
#[doc(hidden)]
pub use context::Ctx;
#[doc(hidden)]
pub use execute::{Outcome, RuleOutcome};
#[doc(hidden)]
pub use finding::Severity;
#[doc(hidden)]
pub use report::Finding;
#[doc(hidden)]
pub use rule::{Area, Failure, Level, Profile, Requires, Rule, RuleKind, RuleResult};
#[doc(hidden)]
pub use suite::{Suite, SuiteOptions, run_suite};

/// The harness's version, recorded in every report.
pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");

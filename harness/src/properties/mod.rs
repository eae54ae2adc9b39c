//! Model-based differential testing: random sequences over all fifteen methods and clock
//! steps, applied to the adapter under test and to the reference configured with the same
//! capabilities, compared after every step; a failure shrinks to a minimal sequence, printed
//! as a readable trace and saved as a regression that every later run replays first.
//!
//! Knobs (environment):
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `NEXTAUTH_PROPTEST_CASES` | 256 | random sequences per run |
//! | `NEXTAUTH_PROPTEST_STEPS` | 40 | the longest sequence |
//! | `NEXTAUTH_PROPTEST_SEED` | random | a 64-bit seed; every failure prints the seed that found it |
//! | `NEXTAUTH_PROPTEST_DEEP` | unset | `1`: 4096 sequences of up to 100 steps (nightly, not CI) |
//! | `NEXTAUTH_REGRESSIONS_DIR` | unset | where regressions are replayed from and saved to |

mod corpus;
mod differential;
mod machine;
mod regressions;
pub mod step;

pub use corpus::{Corpus, corpus};
pub use differential::{Divergence, run_sequence};
pub use machine::Sequences;
pub use regressions::{Regression, load_regressions, save_regression};

use crate::backend::BackendFactory;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use std::path::PathBuf;
use step::Op;

/// Settings of a property run.
#[derive(Debug, Clone)]
pub struct PropertyConfig {
    /// Random sequences to try.
    pub cases: u32,
    /// The longest sequence.
    pub max_steps: usize,
    /// The seed of the random sequences.
    pub seed: u64,
    /// Where regressions are replayed from and saved to.
    pub regressions: Option<PathBuf>,
}

impl PropertyConfig {
    /// The default CI setting: 256 sequences of up to 40 steps, a fresh seed.
    pub fn ci() -> Self {
        PropertyConfig {
            cases: 256,
            max_steps: 40,
            seed: fresh_seed(),
            regressions: None,
        }
    }

    /// The deep setting: 4096 sequences of up to 100 steps.
    pub fn deep() -> Self {
        PropertyConfig {
            cases: 4096,
            max_steps: 100,
            ..PropertyConfig::ci()
        }
    }

    /// The setting the environment asks for (see the [module documentation](self)).
    pub fn from_env() -> Self {
        let mut c = if std::env::var("NEXTAUTH_PROPTEST_DEEP").is_ok_and(|v| v == "1") {
            PropertyConfig::deep()
        } else {
            PropertyConfig::ci()
        };
        if let Some(n) = env_parse("NEXTAUTH_PROPTEST_CASES") {
            c.cases = n;
        }
        if let Some(n) = env_parse("NEXTAUTH_PROPTEST_STEPS") {
            c.max_steps = n;
        }
        if let Some(n) = env_parse("NEXTAUTH_PROPTEST_SEED") {
            c.seed = n;
        }
        c.regressions = std::env::var_os("NEXTAUTH_REGRESSIONS_DIR").map(PathBuf::from);
        c
    }
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// A seed from the operating system's random source.
fn fresh_seed() -> u64 {
    let token = nextauth_adapter::formulas::random_token();
    u64::from_str_radix(&token[..16], 16).unwrap_or(0x5eed)
}

/// The property test's id in test names, reports and the catalogue.
pub const PROPERTY_ID: &str = "property.differential.sequences";

/// Where the property test comes from, as reports cite it.
pub const PROPERTY_SOURCE: &str = "issue 4; anchors §0.3";

/// What the property test checks, as reports and the catalogue say it.
pub const PROPERTY_SUMMARY: &str = "random sequences over all fifteen methods and clock steps behave as the reference with the same capabilities";

/// The property test's result as a MUST entry of the report, next to the rules'.
pub fn property_outcome(
    outcome: crate::execute::Outcome,
    elapsed: std::time::Duration,
) -> crate::execute::RuleOutcome {
    crate::execute::RuleOutcome {
        id: PROPERTY_ID.to_owned(),
        area: crate::rule::Area::Properties,
        level: crate::rule::Level::Must,
        source: PROPERTY_SOURCE.to_owned(),
        summary: PROPERTY_SUMMARY.to_owned(),
        outcome,
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    }
}

/// What a passing run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyStats {
    /// Saved regressions replayed before the random cases.
    pub regressions_replayed: usize,
    /// Random sequences run.
    pub cases: u32,
    /// The seed of the random sequences.
    pub seed: u64,
}

/// A failing run: the minimal sequence found, readable and replayable.
#[derive(Debug, Clone)]
pub struct PropertyFailure {
    /// The seed that found it (`None` when a saved regression failed).
    pub seed: Option<u64>,
    /// The minimal failing sequence.
    pub steps: Vec<Op>,
    /// Where the sides diverged.
    pub divergence: Divergence,
    /// The regression file it was saved to, if any.
    pub saved_to: Option<PathBuf>,
}

impl PropertyFailure {
    /// The failure as a numbered trace, the diverging step marked.
    pub fn trace(&self) -> String {
        let mut out = String::new();
        for (i, op) in self.steps.iter().enumerate() {
            let mark = if i == self.divergence.step {
                "  <-- diverged"
            } else {
                ""
            };
            out.push_str(&format!("  {:>2}. {op}{mark}\n", i + 1));
        }
        out
    }
}

impl std::fmt::Display for PropertyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seed {
            Some(seed) => writeln!(
                f,
                "a {}-step sequence diverges from the reference (seed {seed}; rerun with NEXTAUTH_PROPTEST_SEED={seed}):",
                self.steps.len()
            )?,
            None => writeln!(
                f,
                "a saved regression diverges from the reference ({} steps):",
                self.steps.len()
            )?,
        }
        write!(f, "{}", self.trace())?;
        writeln!(
            f,
            "    step {}: {}",
            self.divergence.step + 1,
            self.divergence.message
        )?;
        if let Some(p) = &self.saved_to {
            writeln!(f, "    saved as {}", p.display())?;
        }
        Ok(())
    }
}

/// Replays the saved regressions, then runs `config.cases` random sequences against
/// `factory`. Builds its own runtime: call it from a plain thread, not from async code.
pub fn check_properties(
    factory: &dyn BackendFactory,
    config: &PropertyConfig,
) -> Result<PropertyStats, Box<PropertyFailure>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Box::new(PropertyFailure {
                seed: None,
                steps: Vec::new(),
                divergence: Divergence {
                    step: 0,
                    message: format!("cannot start a runtime: {e}"),
                },
                saved_to: None,
            })
        })?;
    let saved = config
        .regressions
        .as_deref()
        .map(load_regressions)
        .unwrap_or_default();
    for regression in &saved {
        if let Err(divergence) = runtime.block_on(run_sequence(factory, &regression.steps, None)) {
            return Err(Box::new(PropertyFailure {
                seed: None,
                steps: regression.steps.clone(),
                divergence,
                saved_to: regression.path.clone(),
            }));
        }
    }
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&config.seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(proptest_config, rng);
    let strategy = Sequences::sequential_strategy(1..=config.max_steps.max(1));
    let outcome = runner.run(&strategy, |(_, ops, seen)| {
        runtime
            .block_on(run_sequence(factory, &ops, seen.as_deref()))
            .map_err(|d| TestCaseError::fail(d.message))
    });
    match outcome {
        Ok(()) => Ok(PropertyStats {
            regressions_replayed: saved.len(),
            cases: config.cases,
            seed: config.seed,
        }),
        Err(TestError::Fail(_, (_, steps, _))) => {
            let divergence = runtime
                .block_on(run_sequence(factory, &steps, None))
                .err()
                .unwrap_or(Divergence {
                    step: steps.len().saturating_sub(1),
                    message:
                        "the minimal sequence failed once but not when replayed (flaky adapter?)"
                            .to_owned(),
                });
            let saved_to = config.regressions.as_deref().and_then(|dir| {
                save_regression(
                    dir,
                    &factory.name(),
                    config.seed,
                    &steps,
                    &divergence.message,
                )
                .ok()
            });
            Err(Box::new(PropertyFailure {
                seed: Some(config.seed),
                steps,
                divergence,
                saved_to,
            }))
        }
        Err(TestError::Abort(reason)) => Err(Box::new(PropertyFailure {
            seed: Some(config.seed),
            steps: Vec::new(),
            divergence: Divergence {
                step: 0,
                message: format!("proptest aborted: {reason}"),
            },
            saved_to: None,
        })),
    }
}

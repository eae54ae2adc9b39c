//! Model-based differential testing: random sequences over all fifteen methods and clock
//! steps, applied to the adapter under test and to the reference configured with the same
//! capabilities, compared after every step; a failure shrinks to a minimal sequence, printed
//! as a readable trace and saved as a regression that every later run replays first.
//!
//! A certification is reproducible: by default the random sequences come from a fixed seed
//! of the harness version ([`default_seed`]), so the same adapter gets the same verdict on
//! every run. Exploration with fresh randomness is explicit (`NEXTAUTH_PROPTEST_SEED=random`,
//! `nextauth-certify --explore`); whatever it finds is saved to the regressions directory and
//! replayed first by every later run, the default ones included.
//!
//! A difference in a behaviour the catalogue only rates SHOULD ends its sequence and is
//! reported against that SHOULD rule ([`levels`]); it never fails this MUST test.
//!
//! Knobs (environment):
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `NEXTAUTH_PROPTEST_CASES` | 256 | random sequences per run |
//! | `NEXTAUTH_PROPTEST_STEPS` | 40 | the longest sequence |
//! | `NEXTAUTH_PROPTEST_SEED` | the harness version's | a 64-bit seed, or `random` to explore with a fresh one; every failure prints the seed that found it |
//! | `NEXTAUTH_PROPTEST_DEEP` | unset | `1`: 4096 sequences of up to 100 steps (nightly, not CI) |
//! | `NEXTAUTH_REGRESSIONS_DIR` | unset | where regressions are replayed from and saved to |

mod corpus;
mod differential;
pub mod levels;
mod machine;
mod regressions;
pub mod step;

pub use corpus::{Corpus, corpus};
pub use differential::{Divergence, SequenceEnd, ShouldDivergence, run_sequence};
pub use machine::Sequences;
pub use regressions::{Regression, load_regressions, save_regression, what_it_checks};

use crate::backend::BackendFactory;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
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
    /// Whether the seed is fresh randomness (exploration) rather than a fixed one.
    pub explore: bool,
    /// Where regressions are replayed from and saved to.
    pub regressions: Option<PathBuf>,
}

impl PropertyConfig {
    /// The default CI setting: 256 sequences of up to 40 steps from the harness version's
    /// fixed seed.
    pub fn ci() -> Self {
        PropertyConfig {
            cases: 256,
            max_steps: 40,
            seed: default_seed(),
            explore: false,
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

    /// The same setting exploring: a fresh seed from the operating system.
    pub fn exploring(self) -> Self {
        PropertyConfig {
            seed: fresh_seed(),
            explore: true,
            ..self
        }
    }

    /// Where the regressions of `backend` are replayed from and saved to: the regressions
    /// directory itself, or for a deliberately broken adapter (its name starts with
    /// [`crate::broken::BROKEN_PREFIX`]) a directory of its own under it,
    /// `broken/<backend>/`. What a demonstration finds in a defect it was built with is
    /// replayed only against that defect: a real adapter's run never replays it, so never
    /// fails on it nor names it.
    pub fn regressions_for(&self, backend: &str) -> Option<PathBuf> {
        let dir = self.regressions.as_ref()?;
        Some(if backend.starts_with(crate::broken::BROKEN_PREFIX) {
            dir.join("broken").join(backend)
        } else {
            dir.clone()
        })
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
        match std::env::var("NEXTAUTH_PROPTEST_SEED").map(|v| v.trim().to_owned()) {
            Ok(v) if v.eq_ignore_ascii_case("random") => c = c.exploring(),
            Ok(v) => {
                if let Ok(n) = v.parse() {
                    c.seed = n;
                }
            }
            Err(_) => {}
        }
        c.regressions = std::env::var_os("NEXTAUTH_REGRESSIONS_DIR").map(PathBuf::from);
        c
    }
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// The seed every default run of this harness version uses: the first 64 bits of
/// `sha256("nextauth-adapter-harness <version>")`, so verdicts are reproducible and change
/// only with the harness.
pub fn default_seed() -> u64 {
    let digest = nextauth_adapter::formulas::hash_token(
        &format!("nextauth-adapter-harness {}", crate::HARNESS_VERSION),
        "",
    );
    u64::from_str_radix(&digest[..16], 16).unwrap_or(0x5eed)
}

/// A seed from the operating system's random source.
fn fresh_seed() -> u64 {
    let token = nextauth_adapter::formulas::random_token();
    u64::from_str_radix(&token[..16], 16).unwrap_or(0x5eed)
}

/// The property test's id in test names, reports and the catalogue.
pub const PROPERTY_ID: &str = "property.differential.sequences";

/// Where the property test comes from, as reports cite it.
pub const PROPERTY_SOURCE: &str = "H10";

/// What the property test checks, as reports and the catalogue say it.
pub const PROPERTY_SUMMARY: &str = "random sequences over all fifteen methods and clock steps behave as the reference with the same capabilities, in every behaviour a MUST rule demands";

/// The property test's result as a MUST entry of the report, next to the rules': a failure's
/// cause is the one its divergence shows, else the property test's own.
pub fn property_outcome(
    profile: crate::rule::Profile,
    outcome: crate::execute::Outcome,
    cause: Option<&'static str>,
    elapsed: std::time::Duration,
) -> crate::execute::RuleOutcome {
    let (id, source, summary) = match profile {
        crate::rule::Profile::V3 => (PROPERTY_ID, PROPERTY_SOURCE, PROPERTY_SUMMARY),
        crate::rule::Profile::Authjs => (
            crate::authjs::properties::PROPERTY_ID,
            crate::authjs::properties::PROPERTY_SOURCE,
            crate::authjs::properties::PROPERTY_SUMMARY,
        ),
    };
    let cause = matches!(outcome, crate::execute::Outcome::Failed(_)).then(|| {
        cause
            .unwrap_or_else(|| crate::finding::cause_of_rule(id).id)
            .to_owned()
    });
    crate::execute::RuleOutcome {
        id: id.to_owned(),
        area: crate::rule::Area::Properties,
        level: crate::rule::Level::Must,
        source: source.to_owned(),
        summary: summary.to_owned(),
        outcome,
        cause,
        duration_ms: crate::execute::millis(elapsed),
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
    /// SHOULD-level differences found (the shortest sequence per rule).
    pub should_divergences: Vec<ShouldDivergence>,
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
    /// SHOULD-level differences found before the failure.
    pub should_divergences: Vec<ShouldDivergence>,
}

impl PropertyFailure {
    /// The failure as a numbered trace naming each entity by the step that created it
    /// (`user@3`), the diverging step marked.
    pub fn trace(&self) -> String {
        step::trace(&self.steps, Some(self.divergence.step), "  <-- diverged")
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
                "a saved sequence ({} steps: {}) diverges from the reference:",
                self.steps.len(),
                regressions::what_it_checks(&self.steps)
            )?,
        }
        write!(f, "{}", self.trace())?;
        writeln!(
            f,
            "    step {}: {}",
            self.divergence.step + 1,
            self.divergence.message
        )?;
        writeln!(f, "    (user@N, session@N: what step N created)")?;
        if let Some(p) = &self.saved_to {
            writeln!(f, "    saved as {}", p.display())?;
        }
        Ok(())
    }
}

/// What the report records of the property test: how it ran, so a reader can rerun it.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyRun {
    /// The seed of the random sequences.
    pub seed: u64,
    /// Whether the seed was fresh randomness (`--explore`) rather than the harness version's.
    pub explored: bool,
    /// Random sequences requested.
    pub cases: u32,
    /// The longest sequence.
    pub max_steps: usize,
    /// Saved regressions replayed first (when the run passed).
    pub regressions_replayed: Option<usize>,
    /// Where a failing sequence was saved.
    pub saved_to: Option<PathBuf>,
    /// For a failure without a diagnosed cause: the id prefix of the rules about the method
    /// at which the sequence diverged (`session.get.`).
    #[serde(skip)]
    pub diverged_at: Option<&'static str>,
    /// SHOULD-level differences found, each reported against its rule.
    pub should_divergences: Vec<ShouldDivergence>,
}

impl PropertyRun {
    fn base(config: &PropertyConfig) -> Self {
        PropertyRun {
            seed: config.seed,
            explored: config.explore,
            cases: config.cases,
            max_steps: config.max_steps,
            regressions_replayed: None,
            saved_to: None,
            diverged_at: None,
            should_divergences: Vec::new(),
        }
    }

    /// A passing run.
    pub fn passed(config: &PropertyConfig, stats: &PropertyStats) -> Self {
        PropertyRun {
            regressions_replayed: Some(stats.regressions_replayed),
            should_divergences: stats.should_divergences.clone(),
            ..PropertyRun::base(config)
        }
    }

    /// A failing run.
    pub fn failed(config: &PropertyConfig, failure: &PropertyFailure) -> Self {
        PropertyRun {
            saved_to: failure.saved_to.clone(),
            diverged_at: failure
                .steps
                .get(failure.divergence.step)
                .and_then(Op::rule_prefix),
            should_divergences: failure.should_divergences.clone(),
            ..PropertyRun::base(config)
        }
    }

    /// A run that panicked.
    pub fn panicked(config: &PropertyConfig) -> Self {
        PropertyRun::base(config)
    }

    /// A run with `config` that has not ended yet: the Auth.js property test fills in the
    /// rest as it goes.
    pub fn unrun(config: &PropertyConfig) -> Self {
        PropertyRun::base(config)
    }

    /// One line: what ran, from which seed, and how to explore or replay.
    pub fn summary(&self) -> String {
        let replayed = self
            .regressions_replayed
            .map(|n| format!("{n} saved regressions replayed, "))
            .unwrap_or_default();
        let seed = if self.explored {
            format!(
                "exploring: fresh seed {}, replay with NEXTAUTH_PROPTEST_SEED={}",
                self.seed, self.seed
            )
        } else {
            format!(
                "the harness version's seed {}; NEXTAUTH_PROPTEST_SEED=random explores",
                self.seed
            )
        };
        let should = match self.should_divergences.len() {
            0 => String::new(),
            n => format!("; {n} SHOULD behaviour(s) differ, reported against their rules"),
        };
        format!(
            "{replayed}{} random sequences of up to {} steps agree with the reference in every MUST behaviour ({seed}){should}",
            self.cases, self.max_steps
        )
    }
}

/// The shortest SHOULD-level difference found per rule.
#[derive(Default)]
struct ShouldFound(Mutex<BTreeMap<&'static str, ShouldDivergence>>);

impl ShouldFound {
    fn record(&self, d: ShouldDivergence) {
        let mut found = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match found.get(d.rule) {
            Some(known) if known.steps.len() <= d.steps.len() => {}
            _ => {
                found.insert(d.rule, d);
            }
        }
    }

    fn take(&self) -> Vec<ShouldDivergence> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
            .into_values()
            .collect()
    }
}

/// Replays the saved regressions, then runs `config.cases` random sequences against
/// `factory`. Builds its own runtime: call it from a plain thread, not from async code.
pub fn check_properties(
    factory: &dyn BackendFactory,
    config: &PropertyConfig,
) -> Result<PropertyStats, Box<PropertyFailure>> {
    let runtime = runtime()?;
    let should = ShouldFound::default();
    let dir = config.regressions_for(&factory.name());
    let saved = dir
        .as_deref()
        .map(load_regressions::<Op>)
        .unwrap_or_default();
    for regression in &saved {
        match runtime.block_on(run_sequence(factory, &regression.steps, None)) {
            Ok(SequenceEnd::Agreed) => {}
            Ok(SequenceEnd::Should(d)) => should.record(d),
            Err(divergence) => {
                return Err(Box::new(PropertyFailure {
                    seed: None,
                    steps: regression.steps.clone(),
                    divergence,
                    saved_to: regression.path.clone(),
                    should_divergences: should.take(),
                }));
            }
        }
    }
    let lanes = LANES.min(config.cases.max(1) as usize);
    // Each lane on a thread of its own, with its own runtime, runner and SHOULD findings;
    // all are merged in lane order once every lane has ended, so that what is reported does
    // not depend on which lane finished first.
    let ended: Vec<(Result<(), Box<PropertyFailure>>, ShouldFound)> = std::thread::scope(|scope| {
        let lanes: Vec<_> = (0..lanes)
            .map(|lane| scope.spawn(move || run_lane(factory, config, lane, lanes)))
            .collect();
        lanes
            .into_iter()
            .map(|lane| {
                lane.join().unwrap_or_else(|_| {
                    (
                        Err(not_run(
                            None,
                            "a lane of the property test panicked".to_owned(),
                        )),
                        ShouldFound::default(),
                    )
                })
            })
            .collect()
    });
    let mut failure = None;
    for (result, found) in ended {
        for d in found.take() {
            should.record(d);
        }
        if let (None, Err(f)) = (&failure, result) {
            failure = Some(f);
        }
    }
    match failure {
        None => Ok(PropertyStats {
            regressions_replayed: saved.len(),
            cases: config.cases,
            seed: config.seed,
            should_divergences: should.take(),
        }),
        Some(mut f) => {
            // The reported failure alone is saved (other lanes may have failed too). An empty
            // sequence failing is the backend failing to open (a server gone, a refused
            // connection): nothing about the adapter to replay, so nothing is saved.
            if f.seed.is_some() && !f.steps.is_empty() {
                f.saved_to = dir.as_deref().and_then(|dir| {
                    save_regression(
                        dir,
                        &factory.name(),
                        config.seed,
                        &f.steps,
                        &f.divergence.message,
                    )
                    .ok()
                });
            }
            f.should_divergences = should.take();
            Err(f)
        }
    }
}

/// How many lanes share a run's random sequences. The sequences are independent, each in a
/// fixture (a namespace) of its own, and on a live server a sequence's time is mostly round
/// trips: lanes overlap them. Each lane runs its share of the cases (`cases / n`, one more
/// for the first `cases % n` lanes) from a seed of its own derived from the run's (lane 0's
/// is the run's seed itself), so the sequences run, and what a failing one reports, are the
/// same on every run.
const LANES: usize = 2;

/// Runs lane `lane` of `lanes`: its share of `config.cases` random sequences, from its seed,
/// shrinking a failing one.
fn run_lane(
    factory: &dyn BackendFactory,
    config: &PropertyConfig,
    lane: usize,
    lanes: usize,
) -> (Result<(), Box<PropertyFailure>>, ShouldFound) {
    let should = ShouldFound::default();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(failure) => return (Err(failure), should),
    };
    let share =
        config.cases / lanes as u32 + u32::from((lane as u32) < config.cases % lanes as u32);
    let proptest_config = Config {
        cases: share,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&config.seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&(lane as u64).to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(proptest_config, rng);
    let strategy = Sequences::sequential_strategy(1..=config.max_steps.max(1));
    let outcome = runner.run(&strategy, |(_, ops, seen)| {
        match runtime.block_on(run_sequence(factory, &ops, seen.as_deref())) {
            Ok(SequenceEnd::Agreed) => Ok(()),
            Ok(SequenceEnd::Should(d)) => {
                should.record(d);
                Ok(())
            }
            Err(d) => Err(TestCaseError::fail(d.message)),
        }
    });
    let result = match outcome {
        Ok(()) => Ok(()),
        Err(TestError::Fail(_, (_, steps, _))) => {
            let divergence = match runtime.block_on(run_sequence(factory, &steps, None)) {
                Err(d) => d,
                Ok(_) => Divergence {
                    step: steps.len().saturating_sub(1),
                    message:
                        "the minimal sequence failed once but not when replayed (flaky adapter?)"
                            .to_owned(),
                    cause: None,
                },
            };
            Err(Box::new(PropertyFailure {
                seed: Some(config.seed),
                steps,
                divergence,
                saved_to: None,
                should_divergences: Vec::new(),
            }))
        }
        Err(TestError::Abort(reason)) => Err(not_run(
            Some(config.seed),
            format!("proptest aborted: {reason}"),
        )),
    };
    (result, should)
}

/// The runtime sequences run on (one per thread: call from a plain thread).
fn runtime() -> Result<tokio::runtime::Runtime, Box<PropertyFailure>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| not_run(None, format!("cannot start a runtime: {e}")))
}

/// A failure of the test itself, not of a sequence: no steps to show or replay.
fn not_run(seed: Option<u64>, message: String) -> Box<PropertyFailure> {
    Box::new(PropertyFailure {
        seed,
        steps: Vec::new(),
        divergence: Divergence {
            step: 0,
            message,
            cause: None,
        },
        saved_to: None,
        should_divergences: Vec::new(),
    })
}

//! The libtest-mimic runner: the catalogue as named trials of one backend.

use crate::backend::BackendFactory;
use crate::catalogue;
use crate::execute::{Outcome, RuleOutcome, run_rule};
use crate::properties::{PropertyConfig, check_properties, property_outcome};
use crate::report::Report;
use crate::rule::Rule;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable naming a directory to write the report into after a run
/// (`<backend>.json`, `<backend>.junit.xml`, `<backend>.txt`).
pub const REPORT_DIR_ENV: &str = "NEXTAUTH_REPORT_DIR";

/// How long one rule may run before it fails as hung.
pub const RULE_TIMEOUT: Duration = Duration::from_secs(60);

/// The non-UTC time zone the time-sensitive rules run again in, when the backend supports it:
/// UTC+12:45 (+13:45 in summer), an offset no rounding to hours or half hours hides.
pub const SECOND_TIME_ZONE: &str = "Pacific/Chatham";

/// How many trials run at once unless `--test-threads` (or `RUST_TEST_THREADS`) says
/// otherwise. Rules are I/O-bound — each spends most of its time waiting on its own
/// namespace's database — so more run at once than the machine has cores; libtest's default
/// (one per core) left a two-core machine mostly idle. Matches `nextauth-certify
/// --concurrency`'s default.
pub const DEFAULT_TEST_THREADS: usize = 8;

pub use crate::properties::PROPERTY_ID;

/// How a run is set up beyond the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The property test's settings.
    pub properties: PropertyConfig,
}

impl RunOptions {
    /// The options the environment asks for (see [`crate::properties`]).
    pub fn from_env() -> Self {
        RunOptions {
            properties: PropertyConfig::from_env(),
        }
    }

    /// The same options, replaying and saving regressions in `dir` unless the environment
    /// named another directory.
    pub fn with_regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.properties.regressions.get_or_insert(dir.into());
        self
    }
}

/// Runs the whole catalogue against `factory` as a libtest-mimic test binary: parses the
/// command line (`--list`, filters, `--exact`, `--test-threads`, …), runs one trial per
/// rule, each with a fresh fixture, then the differential property test, prints the summary
/// and, if `NEXTAUTH_REPORT_DIR` is set, writes the report there. Call it from `main` of a
/// test target with `harness = false`.
pub fn run_main(factory: impl BackendFactory) -> ExitCode {
    run_main_with(factory, RunOptions::from_env())
}

/// [`run_main`] with explicit options.
pub fn run_main_with(factory: impl BackendFactory, options: RunOptions) -> ExitCode {
    let args = Arguments::from_args();
    run_with_args(Arc::new(factory), &args, &options)
}

/// [`run_main`] with parsed arguments and a shared factory.
pub fn run_with_args(
    factory: Arc<dyn BackendFactory>,
    args: &Arguments,
    options: &RunOptions,
) -> ExitCode {
    let mut args = args.clone();
    if args.test_threads.is_none() {
        let from_env = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|n: &usize| *n > 0);
        args.test_threads = Some(from_env.unwrap_or(DEFAULT_TEST_THREADS));
    }
    match run_trials(factory, &args, options) {
        Ok((conclusion, report)) => {
            if let Some(report) = report {
                println!("{}", report.summary_line());
                if let Some(dir) = std::env::var_os(REPORT_DIR_ENV) {
                    match report.write_to(std::path::Path::new(&dir)) {
                        Ok(paths) => {
                            for p in paths {
                                println!("report written: {}", p.display());
                            }
                        }
                        Err(e) => {
                            eprintln!("cannot write the report to {}: {e}", dir.to_string_lossy());
                            return ExitCode::FAILURE;
                        }
                    }
                }
            }
            conclusion.exit_code()
        }
        Err(e) => {
            eprintln!("cannot run the conformance suite: {e}");
            ExitCode::FAILURE
        }
    }
}

type Outcomes = Arc<Mutex<Vec<RuleOutcome>>>;

fn record(outcomes: &Outcomes, outcome: RuleOutcome) -> Result<Completion, Failed> {
    let result = match &outcome.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        Outcome::NotApplicable(reason) => Ok(Completion::ignored_with(format!("n/a: {reason}"))),
        Outcome::Failed(reason) => Err(Failed::from(format!(
            "[{} {}] {reason}\n  source: {}",
            outcome.level, outcome.id, outcome.source
        ))),
    };
    outcomes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(outcome);
    result
}

fn rule_trial(
    id: String,
    rule: Rule,
    factory: Arc<dyn BackendFactory>,
    runtime: Arc<tokio::runtime::Runtime>,
    outcomes: Outcomes,
) -> Trial {
    let kind = factory.name();
    Trial::ignorable_test(id.clone(), move || {
        let mut outcome = runtime.block_on(run_rule(&*factory, &rule, RULE_TIMEOUT));
        outcome.id = id;
        record(&outcomes, outcome)
    })
    .with_kind(kind)
}

/// Runs the catalogue and the property test as libtest-mimic trials and returns
/// libtest-mimic's conclusion and the report of what ran (`None` for `--list`).
pub fn run_trials(
    factory: Arc<dyn BackendFactory>,
    args: &Arguments,
    options: &RunOptions,
) -> std::io::Result<(libtest_mimic::Conclusion, Option<Report>)> {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?,
    );
    let outcomes: Outcomes = Arc::default();
    let rules = catalogue::all();
    let mut trials: Vec<Trial> = rules
        .iter()
        .map(|rule| {
            rule_trial(
                rule.id.to_owned(),
                rule.clone(),
                Arc::clone(&factory),
                Arc::clone(&runtime),
                Arc::clone(&outcomes),
            )
        })
        .collect();
    if let Some(tz_factory) = factory.in_time_zone(SECOND_TIME_ZONE) {
        let prefix = format!("tz-{}::", SECOND_TIME_ZONE.to_lowercase().replace('/', "-"));
        for rule in rules.iter().filter(|r| r.is_time_sensitive()) {
            trials.push(rule_trial(
                format!("{prefix}{}", rule.id),
                rule.clone(),
                Arc::clone(&tz_factory),
                Arc::clone(&runtime),
                Arc::clone(&outcomes),
            ));
        }
    }
    {
        let kind = factory.name();
        let factory = Arc::clone(&factory);
        let outcomes = Arc::clone(&outcomes);
        let config = options.properties.clone();
        // First: the property test is one long sequential trial; started first, it runs
        // beside the rules instead of alone after them.
        trials.insert(
            0,
            Trial::ignorable_test(PROPERTY_ID, move || {
                let started = Instant::now();
                let outcome = match check_properties(&*factory, &config) {
                    Ok(stats) => {
                        println!(
                            "{PROPERTY_ID}: {} regressions replayed, {} random sequences passed (seed {})",
                            stats.regressions_replayed, stats.cases, stats.seed
                        );
                        Outcome::Passed
                    }
                    Err(failure) => Outcome::Failed(failure.to_string()),
                };
                record(&outcomes, property_outcome(outcome, started.elapsed()))
            })
            .with_kind(kind),
        );
    }
    let expected = trials.len();
    let started = Instant::now();
    let conclusion = libtest_mimic::run(args, trials);
    if args.list {
        return Ok((conclusion, None));
    }
    let mut results = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|p| p.into_inner()));
    let order: std::collections::HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    results.sort_by_key(|r| {
        let base = r.id.rsplit("::").next().unwrap_or(&r.id);
        (
            r.id.contains("::"),
            order.get(base).copied().unwrap_or(usize::MAX),
        )
    });
    let complete = results.len() == expected;
    let report = Report::new(
        factory.name(),
        factory.describe(),
        factory.capabilities(),
        results,
        complete,
        started.elapsed(),
    );
    Ok((conclusion, Some(report)))
}

//! The libtest-mimic runner: the suite's cases as named trials of one backend.

use crate::backend::BackendFactory;
use crate::execute::{Outcome, RuleOutcome};
use crate::report::Report;
use crate::rule::Level;
use crate::suite::{Case, Suite, Target};
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use crate::properties::PROPERTY_ID;
pub use crate::suite::{SECOND_TIME_ZONE, SuiteOptions as RunOptions};

/// The environment variable naming a directory to write the report into after a run
/// (`<backend>.json`, `<backend>.junit.xml`, `<backend>.txt`).
pub const REPORT_DIR_ENV: &str = "NEXTAUTH_REPORT_DIR";

/// How long one rule may run before it fails as hung.
pub const RULE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// How many trials run at once unless `--test-threads` (or `RUST_TEST_THREADS`) says
/// otherwise. Rules are I/O-bound — each spends most of its time waiting on its own
/// namespace's database — so more run at once than the machine has cores; libtest's default
/// (one per core) left a two-core machine mostly idle. Matches `nextauth-certify
/// --concurrency`'s default.
pub const DEFAULT_TEST_THREADS: usize = 8;

/// Runs the whole suite against `factory` as a libtest-mimic test binary: parses the command
/// line (`--list`, filters, `--exact`, `--skip`, `--test-threads`, …), runs one trial per
/// case, each rule with a fresh fixture, prints the summary with the findings and the failing
/// SHOULD rules and, if `NEXTAUTH_REPORT_DIR` is set, writes the report there. Call it from
/// `main` of a test target with `harness = false`.
///
/// The exit status follows the verdict: 0 when the adapter conforms, even with failing SHOULD
/// rules (printed prominently); with `NEXTAUTH_STRICT=1` failing SHOULD rules fail the run.
pub fn run_main(factory: impl BackendFactory) -> ExitCode {
    run_main_with(factory, RunOptions::from_env())
}

/// [`run_main`] with explicit options. Unless the options (or `NEXTAUTH_REGRESSIONS_DIR`)
/// name a regressions directory, property-test divergences are saved to and replayed from
/// `nextauth-regressions/` beside the test target's `Cargo.toml`, as proptest keeps its own
/// regressions beside the tests: commit them, and every later run replays them first.
pub fn run_main_with(factory: impl BackendFactory, options: RunOptions) -> ExitCode {
    run_target_main(Target::V3(Arc::new(factory)), options)
}

/// [`run_main`] for an Auth.js adapter: the Auth.js profile's rules and property test
/// against `factory`, with everything else as [`run_main`] does it.
pub fn run_main_authjs(factory: impl crate::authjs::BackendFactory) -> ExitCode {
    run_main_authjs_with(factory, RunOptions::from_env())
}

/// [`run_main_authjs`] with explicit options (regressions as [`run_main_with`] keeps them).
pub fn run_main_authjs_with(
    factory: impl crate::authjs::BackendFactory,
    options: RunOptions,
) -> ExitCode {
    run_target_main(Target::Authjs(Arc::new(factory)), options)
}

fn run_target_main(target: Target, mut options: RunOptions) -> ExitCode {
    if options.properties.regressions.is_none()
        && let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR")
    {
        options.properties.regressions =
            Some(std::path::PathBuf::from(dir).join("nextauth-regressions"));
    }
    let args = Arguments::from_args();
    run_target_with_args(target, &args, &options)
}

/// [`run_main`] with parsed arguments and a shared factory.
pub fn run_with_args(
    factory: Arc<dyn BackendFactory>,
    args: &Arguments,
    options: &RunOptions,
) -> ExitCode {
    run_target_with_args(Target::V3(factory), args, options)
}

/// [`run_with_args`] for a backend of either profile.
pub fn run_target_with_args(target: Target, args: &Arguments, options: &RunOptions) -> ExitCode {
    let mut args = args.clone();
    if args.test_threads.is_none() {
        let from_env = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|n: &usize| *n > 0);
        args.test_threads = Some(from_env.unwrap_or(DEFAULT_TEST_THREADS));
    }
    match run_trials(target, &args, options) {
        Ok((conclusion, report)) => {
            let Some(report) = report else {
                return conclusion.exit_code();
            };
            print!("{}", should_failures_text(&report));
            print!("{}", report.findings_text());
            println!("{}", report.summary_line());
            println!("{}", report.through_core.line());
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
            if conclusion.has_failed() || (report.complete && !report.passes()) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("cannot run the conformance suite: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The failing SHOULD rules, as printed after a run: they do not change the verdict (unless
/// strict), so they must not scroll by unseen.
pub fn should_failures_text(report: &Report) -> String {
    let failing: Vec<&RuleOutcome> = report.should_failures().collect();
    if failing.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{}: {} SHOULD rule{} failed{}:\n",
        if report.strict { "error" } else { "warning" },
        failing.len(),
        if failing.len() == 1 { "" } else { "s" },
        if report.strict {
            " (strict: they fail the run)"
        } else {
            " (hardening; the verdict stands — NEXTAUTH_STRICT=1 makes them fail the run)"
        }
    );
    for r in failing {
        if let Outcome::Failed(reason) = &r.outcome {
            out.push_str(&format!(
                "  {} ({})\n    {}\n",
                r.id,
                r.source,
                reason.replace('\n', "\n    ")
            ));
        }
    }
    out
}

type Outcomes = Arc<Mutex<Vec<RuleOutcome>>>;

fn record(outcomes: &Outcomes, outcome: RuleOutcome, strict: bool) -> Result<Completion, Failed> {
    let result = match &outcome.outcome {
        Outcome::Passed => Ok(Completion::Completed),
        Outcome::NotApplicable(reason) => Ok(Completion::ignored_with(format!("n/a: {reason}"))),
        // Nothing was checked, and the verdict cannot conform: it fails the test.
        Outcome::NotRun(reason) => Err(Failed::from(format!(
            "[{} {}] not run: {reason}",
            outcome.level, outcome.id
        ))),
        Outcome::Failed(_) if outcome.level == Level::Should && !strict => Ok(
            Completion::ignored_with("SHOULD rule failed: see the warning after the run"),
        ),
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

/// Runs the suite's cases as libtest-mimic trials and returns libtest-mimic's conclusion and
/// the report of what ran (`None` for `--list`).
pub fn run_trials(
    target: Target,
    args: &Arguments,
    options: &RunOptions,
) -> std::io::Result<(libtest_mimic::Conclusion, Option<Report>)> {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?,
    );
    let kind = target.name();
    let suite = Arc::new(Suite::of(target, options.clone()));
    let outcomes: Outcomes = Arc::default();
    let cases = suite.cases();
    if !args.list
        && let Some(reason) = runtime.block_on(suite.unreachable())
    {
        // Nothing can run: say so first, once, rather than through every case.
        eprintln!("could not certify {kind}: {reason}");
        let started = Instant::now();
        let results = runtime.block_on(suite.run_cases(&cases, &|_| {}));
        let conclusion = libtest_mimic::Conclusion {
            num_filtered_out: 0,
            num_passed: 0,
            num_failed: cases.len() as u64,
            num_ignored: 0,
            num_measured: 0,
        };
        return Ok((
            conclusion,
            Some(suite.report(results, true, started.elapsed())),
        ));
    }
    let trials: Vec<Trial> = cases
        .iter()
        .map(|case| {
            let (suite, runtime, outcomes, case) = (
                Arc::clone(&suite),
                Arc::clone(&runtime),
                Arc::clone(&outcomes),
                case.clone(),
            );
            let strict = options.strict;
            Trial::ignorable_test(case.id(), move || {
                let outcome = runtime.block_on(suite.run(&case));
                if let (Case::Properties(_), Outcome::Passed, Some(run)) =
                    (&case, &outcome.outcome, suite.property_run())
                {
                    println!("{}: {}", case.id(), run.summary());
                }
                record(&outcomes, outcome, strict)
            })
            .with_kind(kind.clone())
        })
        .collect();
    let expected = trials.len();
    let started = Instant::now();
    let conclusion = libtest_mimic::run(args, trials);
    if args.list {
        return Ok((conclusion, None));
    }
    let mut results = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|p| p.into_inner()));
    let order: std::collections::HashMap<String, usize> =
        cases.iter().enumerate().map(|(i, c)| (c.id(), i)).collect();
    results.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
    let complete = results.len() == expected;
    let report = suite.report(results, complete, started.elapsed());
    Ok((conclusion, Some(report)))
}

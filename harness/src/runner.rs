//! The libtest-mimic runner: the catalogue as named trials of one backend.

use crate::backend::BackendFactory;
use crate::catalogue;
use crate::execute::{Outcome, RuleOutcome, run_rule};
use crate::report::Report;
use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable naming a directory to write the report into after a run
/// (`<backend>.json`, `<backend>.junit.xml`, `<backend>.txt`).
pub const REPORT_DIR_ENV: &str = "NEXTAUTH_REPORT_DIR";

/// How long one rule may run before it fails as hung.
pub const RULE_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the whole catalogue against `factory` as a libtest-mimic test binary: parses the
/// command line (`--list`, filters, `--exact`, `--test-threads`, …), runs one trial per
/// rule, each with a fresh fixture, prints the summary and, if `NEXTAUTH_REPORT_DIR` is set,
/// writes the report there. Call it from `main` of a test target with `harness = false`.
pub fn run_main(factory: impl BackendFactory) -> ExitCode {
    let args = Arguments::from_args();
    run_with_args(Arc::new(factory), &args)
}

/// [`run_main`] with parsed arguments and a shared factory.
pub fn run_with_args(factory: Arc<dyn BackendFactory>, args: &Arguments) -> ExitCode {
    match run_trials(factory, args) {
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

/// Runs the catalogue as libtest-mimic trials and returns libtest-mimic's conclusion and
/// the report of the rules that ran (`None` for `--list`).
pub fn run_trials(
    factory: Arc<dyn BackendFactory>,
    args: &Arguments,
) -> std::io::Result<(libtest_mimic::Conclusion, Option<Report>)> {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => Arc::new(rt),
        Err(e) => return Err(e),
    };
    let outcomes: Arc<Mutex<Vec<RuleOutcome>>> = Arc::default();
    let kind = factory.name();
    let rules = catalogue::all();
    let trials: Vec<Trial> = rules
        .iter()
        .cloned()
        .map(|rule| {
            let factory = Arc::clone(&factory);
            let runtime = Arc::clone(&runtime);
            let outcomes = Arc::clone(&outcomes);
            Trial::ignorable_test(rule.id, move || {
                let outcome = runtime.block_on(run_rule(&*factory, &rule, RULE_TIMEOUT));
                let result = match &outcome.outcome {
                    Outcome::Passed => Ok(Completion::Completed),
                    Outcome::NotApplicable(reason) => {
                        Ok(Completion::ignored_with(format!("n/a: {reason}")))
                    }
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
            })
            .with_kind(kind.clone())
        })
        .collect();
    let started = Instant::now();
    let conclusion = libtest_mimic::run(args, trials);
    if args.list {
        return Ok((conclusion, None));
    }
    let mut results = std::mem::take(&mut *outcomes.lock().unwrap_or_else(|p| p.into_inner()));
    let order: std::collections::HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    results.sort_by_key(|r| order.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
    let complete = results.len() == rules.len();
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

//! A certification run: every rule and the property test against each target, with
//! progress, then the report on screen and the artifacts on disk.

use crate::artifacts;
use crate::cli::CertifyArgs;
use crate::progress::Progress;
use crate::targets;
use nextauth_adapter_harness::execute::{Outcome, RuleOutcome, SuiteOptions, run_suite};
use nextauth_adapter_harness::properties::{PropertyConfig, check_properties, property_outcome};
use nextauth_adapter_harness::runner::PROPERTY_ID;
use nextauth_adapter_harness::{BackendFactory, Report, Verdict, catalogue};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Errors that stop a run before a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CertifyError {
    /// The targets could not be set up.
    #[error(transparent)]
    Targets(#[from] targets::TargetError),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The report could not be written.
    #[error("cannot write the reports to {dir}: {source}")]
    Artifacts {
        /// The report directory.
        dir: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Certifies every target `args` names; exit status 0 only if all conform.
pub fn run(args: &CertifyArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CertifyError::Runtime)?;
    let targets = runtime.block_on(async { targets::targets(args) })?;
    let mut reports = Vec::new();
    for factory in targets {
        let report = certify_one(&runtime, &factory, args);
        if args.quiet {
            println!("{}", report.summary_line());
        } else {
            println!("{}", report.to_text());
        }
        reports.push(report);
    }
    let written =
        artifacts::write(&args.report_dir, &reports).map_err(|source| CertifyError::Artifacts {
            dir: args.report_dir.display().to_string(),
            source,
        })?;
    if !args.quiet {
        println!(
            "\nreports: {}",
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let all = reports.iter().all(|r| r.verdict == Verdict::Conforms);
    println!(
        "verdict: {}",
        reports
            .iter()
            .map(|r| format!("{} {}", r.backend, r.verdict.text()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Ok(if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn property_config(args: &CertifyArgs) -> PropertyConfig {
    let mut c = PropertyConfig::from_env();
    if let Some(n) = args.cases {
        c.cases = n;
    }
    if let Some(n) = args.seed {
        c.seed = n;
    }
    if let Some(n) = args.steps {
        c.max_steps = n;
    }
    c
}

/// Runs the (filtered) catalogue and the property test against one backend.
pub fn certify_one(
    runtime: &tokio::runtime::Runtime,
    factory: &Arc<dyn BackendFactory>,
    args: &CertifyArgs,
) -> Report {
    let rules: Vec<_> = catalogue::all()
        .into_iter()
        .filter(|r| {
            args.filters.is_empty() || args.filters.iter().any(|f| r.id.contains(f.as_str()))
        })
        .collect();
    let properties = property_config(args);
    let run_properties = properties.cases > 0
        && (args.filters.is_empty()
            || args
                .filters
                .iter()
                .any(|f| PROPERTY_ID.contains(f.as_str())));
    let total = rules.len() as u64 + u64::from(run_properties);
    let progress = Progress::new(&factory.name(), total, args.quiet);
    let started = Instant::now();
    let options = SuiteOptions {
        concurrency: args.concurrency.max(1),
        ..SuiteOptions::default()
    };
    // The property test is one long sequential run in namespaces of its own: it runs on
    // its own thread beside the rules instead of alone after them.
    let property = run_properties.then(|| {
        let (factory, config) = (Arc::clone(factory), properties.clone());
        std::thread::spawn(move || run_property_test(&factory, &config))
    });
    let mut results = runtime.block_on(run_suite(
        &**factory,
        &rules,
        &options,
        &|o: &RuleOutcome| progress.step(&o.id),
    ));
    if let Some(property) = property {
        progress.working_on(&format!("{PROPERTY_ID} ({} sequences)", properties.cases));
        results.push(property.join().unwrap_or_else(|_| panicked_property()));
        progress.step(PROPERTY_ID);
    }
    progress.finish();
    let complete = args.filters.is_empty() && run_properties;
    Report::new(
        factory.name(),
        factory.describe(),
        factory.capabilities(),
        results,
        complete,
        started.elapsed(),
    )
}

/// The property test's outcome, timed (call it from a plain thread: it runs its own
/// runtime).
fn run_property_test(factory: &Arc<dyn BackendFactory>, config: &PropertyConfig) -> RuleOutcome {
    let started = Instant::now();
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_properties(&**factory, config)
    })) {
        Ok(Ok(_)) => Outcome::Passed,
        Ok(Err(failure)) => Outcome::Failed(failure.to_string()),
        Err(_) => Outcome::Failed("the property test panicked".to_owned()),
    };
    property_outcome(outcome, started.elapsed())
}

/// The outcome of a property thread that died without one.
fn panicked_property() -> RuleOutcome {
    property_outcome(
        Outcome::Failed("the property test panicked".to_owned()),
        Duration::ZERO,
    )
}

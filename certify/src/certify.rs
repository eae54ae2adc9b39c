//! A certification run: every rule and the property test against each target, with
//! progress, then the report on screen and the artifacts on disk.

use crate::artifacts;
use crate::cli::{CertifyArgs, ReportFormat};
use crate::output::{self, Stdout};
use crate::progress::Progress;
use crate::report_formats;
use crate::report_text::{self, Detail};
use crate::targets;
use nextauth_adapter_harness::execute::RuleOutcome;
use nextauth_adapter_harness::properties::PropertyConfig;
use nextauth_adapter_harness::suite::{Case, Selection, Suite, SuiteOptions};
use nextauth_adapter_harness::{BackendFactory, Report};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

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

/// Certifies every target `args` names; exit status 0 only if all conform (and, with
/// `--strict`, no SHOULD rule failed). Each backend's text report is written to `out` as
/// soon as its run ends; another `--format` writes every report at the end.
pub fn run(args: &CertifyArgs, out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CertifyError::Runtime)?;
    let targets = runtime.block_on(async { targets::targets(args) })?;
    let detail = if args.quiet {
        Detail::Quiet
    } else if args.verbose {
        Detail::Verbose
    } else {
        Detail::Compact
    };
    let text = args.format == ReportFormat::Text;
    let mut reports = Vec::new();
    for factory in targets {
        let report = certify_one(&runtime, &factory, args);
        if text {
            report_text::write_report(out, &report, detail)?;
        }
        reports.push(report);
    }
    let written =
        artifacts::write(&args.report_dir, &reports).map_err(|source| CertifyError::Artifacts {
            dir: args.report_dir.display().to_string(),
            source,
        })?;
    if text {
        report_text::write_end(out, detail, &args.report_dir, &written, &reports)?;
    } else {
        report_formats::write(out, args.format, &reports)?;
        if !args.quiet {
            output::note(&report_text::verdict_line(&reports, false));
        }
    }
    out.flush()?;
    Ok(if reports.iter().all(Report::passes) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The property test's settings: the environment's, then the command line's. `--explore`
/// draws a fresh seed; the regressions directory is `--regressions-dir`, else
/// `NEXTAUTH_REGRESSIONS_DIR`, else `nextauth-regressions/`, so that what an exploring run
/// finds is replayed by every later run.
fn property_config(args: &CertifyArgs) -> PropertyConfig {
    let mut c = PropertyConfig::from_env();
    if let Some(n) = args.cases {
        c.cases = n;
    }
    if let Some(n) = args.seed {
        c.seed = n;
        c.explore = false;
    }
    if let Some(n) = args.steps {
        c.max_steps = n;
    }
    if args.explore {
        c = c.exploring();
    }
    if let Some(dir) = &args.regressions_dir {
        c.regressions = Some(dir.clone());
    }
    c.regressions
        .get_or_insert_with(|| std::path::PathBuf::from("nextauth-regressions"));
    c
}

/// Runs the (filtered) suite against one backend: its rules, their time-zone reruns and the
/// property test.
pub fn certify_one(
    runtime: &tokio::runtime::Runtime,
    factory: &Arc<dyn BackendFactory>,
    args: &CertifyArgs,
) -> Report {
    let options = SuiteOptions {
        concurrency: args.concurrency.max(1),
        strict: args.strict
            || std::env::var(nextauth_adapter_harness::suite::STRICT_ENV)
                .is_ok_and(|v| v.trim() == "1"),
        properties: property_config(args),
        ..SuiteOptions::default()
    };
    let suite = Suite::new(Arc::clone(factory), options);
    let selection = Selection {
        filters: args.filters.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
    };
    let all = suite.cases();
    let total = all.len();
    let cases: Vec<Case> = all
        .into_iter()
        .filter(|c| selection.selects(&c.id()))
        .filter(|c| !matches!(c, Case::Properties) || suite.options().properties.cases > 0)
        .collect();
    let complete = cases.len() == total;
    let progress = Progress::new(&factory.name(), cases.len() as u64, args.quiet);
    let started = Instant::now();
    let results =
        runtime.block_on(suite.run_cases(&cases, &|o: &RuleOutcome| progress.step(&o.id)));
    progress.finish();
    suite.report(results, complete, started.elapsed())
}

//! A certification run: every rule and the property test against each target, the targets at
//! once, with progress, then the reports on screen in the targets' order and the artifacts on
//! disk.

use crate::artifacts;
use crate::cli::{CertifyArgs, ReportFormat};
use crate::memory;
use crate::output::{self, Stdout};
use crate::progress::{Bar, Progress};
use crate::report_formats;
use crate::report_text::{self, Detail};
use crate::targets;
use nextauth_adapter_harness::execute::RuleOutcome;
use nextauth_adapter_harness::properties::PropertyConfig;
use nextauth_adapter_harness::suite::{Case, Selection, Suite, SuiteOptions, Target};
use nextauth_adapter_harness::{Report, Verdict};
use std::io::Write;
use std::process::ExitCode;
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

/// Certifies every target `args` names, all at once; exit status 0 only if all conform (and,
/// with `--strict`, no SHOULD rule failed). Each backend's text report is written to `out`
/// as soon as its run and the runs of the backends before it have ended, so the reports
/// come in the order of the targets whichever ends first; another `--format` writes every
/// report at the end.
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
    let progress = Progress::new(args.quiet);
    let names = report_names(targets.iter().map(Target::name));
    let concurrency = concurrency_each(args.concurrency, targets.len());
    let runs: Vec<TargetRun> = targets
        .into_iter()
        .zip(names)
        .map(|(target, name)| TargetRun::new(target, name, concurrency, args, &progress))
        .collect();
    let reports = run_all(&runtime, runs, |report| {
        if text {
            progress.suspend(|| report_text::write_report(out, report, detail))
        } else {
            Ok(())
        }
    })?;
    // After every run: the peak of the whole process, whatever ran at once, in each report.
    let peak = memory::peak_rss_bytes();
    let reports: Vec<Report> = reports.into_iter().map(|r| r.with_peak_rss(peak)).collect();
    let written =
        artifacts::write(&args.report_dir, &reports).map_err(|source| CertifyError::Artifacts {
            dir: args.report_dir.display().to_string(),
            source,
        })?;
    if text {
        report_text::write_end(out, detail, &args.report_dir, &written, &reports, peak)?;
    } else {
        report_formats::write(out, args.format, &reports)?;
        if !args.quiet {
            output::note(&report_text::verdict_line(&reports, false));
        }
    }
    out.flush()?;
    Ok(exit_status(&reports))
}

/// The exit status of a run that reported: 1 when a backend does not conform (or, strict,
/// failed a SHOULD rule): that is a finding, whatever else happened; else 2 when a backend
/// could not be certified ([`NOT_CERTIFIED`]); else 0.
pub fn exit_status(reports: &[Report]) -> ExitCode {
    if reports
        .iter()
        .any(|r| r.verdict != Verdict::NotCertified && !r.passes())
    {
        ExitCode::FAILURE
    } else if reports.iter().any(|r| r.verdict == Verdict::NotCertified) {
        ExitCode::from(NOT_CERTIFIED)
    } else {
        ExitCode::SUCCESS
    }
}

/// The exit status of a run that could not certify: the backend could not be reached or set
/// up, the URL was refused, rules did not run or only a selection ran. The same status as a
/// command line the tool refuses, or an error that stops it before a verdict: in each,
/// nothing was certified.
pub const NOT_CERTIFIED: u8 = 2;

/// The stack of a thread that runs a backend: the main thread's, as when one backend ran on
/// it.
const RUN_STACK: usize = 8 * 1024 * 1024;

/// Runs every target at once, each on a thread of its own driving its suite on `runtime`,
/// and gives each report to `each` in the order of `runs`: a report waits for those before it.
/// The reports come back in that order. When `each` fails (stdout went away), no report is
/// given to it any more and its error is returned once every run has ended (so that each
/// drops the namespaces it made).
fn run_all(
    runtime: &tokio::runtime::Runtime,
    runs: Vec<TargetRun>,
    mut each: impl FnMut(&Report) -> std::io::Result<()>,
) -> std::io::Result<Vec<Report>> {
    let count = runs.len();
    std::thread::scope(|scope| {
        let (done, finished) = std::sync::mpsc::channel::<(usize, Report)>();
        for (i, run) in runs.into_iter().enumerate() {
            let done = done.clone();
            std::thread::Builder::new()
                .name(format!("certify-{}", run.name))
                .stack_size(RUN_STACK)
                .spawn_scoped(scope, move || {
                    // The receiver outlives every run.
                    let _ = done.send((i, runtime.block_on(run.run())));
                })?;
        }
        drop(done);
        let mut reports: Vec<Option<Report>> = (0..count).map(|_| None).collect();
        let mut next = 0;
        let mut failed = None;
        // Until every run has ended: each sends its report, or panics and drops its sender
        // (the scope then passes the panic on).
        for (i, report) in finished {
            reports[i] = Some(report);
            while failed.is_none()
                && let Some(Some(report)) = reports.get(next)
            {
                match each(report) {
                    Ok(()) => next += 1,
                    Err(e) => failed = Some(e),
                }
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(reports.into_iter().flatten().collect()),
        }
    })
}

/// How many rules each of `targets` backends runs at once: `--concurrency` is the run's, shared
/// among the backends that run at once (at least one each). Each rule works in a namespace of
/// its own on its server, and the servers share the machine: more rules at once than the
/// machine has room for only make every server wait on the others (on two cores, four backends
/// at eight rules each took half as long again as at two each).
fn concurrency_each(concurrency: usize, targets: usize) -> usize {
    (concurrency / targets.max(1)).max(1)
}

/// The names the reports go by: the backends' own, and `<name>-2`, `<name>-3`, … for a
/// backend named like one before it (two PostgreSQL servers), so that no report overwrites
/// another's files.
fn report_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|name| {
            let mut unique = name.clone();
            let mut n = 1;
            while !taken.insert(unique.clone()) {
                n += 1;
                unique = format!("{name}-{n}");
            }
            unique
        })
        .collect()
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

/// The (filtered) suite against one backend, ready to run: its rules, their time-zone reruns
/// and the property test, and its progress bar.
struct TargetRun {
    suite: Suite,
    cases: Vec<Case>,
    complete: bool,
    name: String,
    bar: Bar,
}

impl TargetRun {
    /// The run of `target`'s suite as `args` selects it, `concurrency` rules at once,
    /// reported as `name`.
    fn new(
        target: Target,
        name: String,
        concurrency: usize,
        args: &CertifyArgs,
        progress: &Progress,
    ) -> Self {
        let options = SuiteOptions {
            concurrency: concurrency.max(1),
            strict: args.strict
                || std::env::var(nextauth_adapter_harness::suite::STRICT_ENV)
                    .is_ok_and(|v| v.trim() == "1"),
            properties: property_config(args),
            ..SuiteOptions::default()
        };
        let suite = Suite::of(target, options);
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
            .filter(|c| !matches!(c, Case::Properties(_)) || suite.options().properties.cases > 0)
            .collect();
        let complete = cases.len() == total;
        let bar = progress.bar(&name, cases.len() as u64);
        TargetRun {
            suite,
            cases,
            complete,
            name,
            bar,
        }
    }

    /// Runs the cases and reports.
    async fn run(self) -> Report {
        let started = Instant::now();
        let results = self
            .suite
            .run_cases(&self.cases, &|o: &RuleOutcome| self.bar.step(&o.id))
            .await;
        self.bar.finish();
        let mut report = self.suite.report(results, self.complete, started.elapsed());
        report.backend = self.name;
        report
    }
}

#[cfg(test)]
mod tests {
    use super::{concurrency_each, report_names};

    #[test]
    fn the_concurrency_is_shared_among_the_backends() {
        assert_eq!(concurrency_each(8, 1), 8);
        assert_eq!(concurrency_each(8, 2), 4);
        assert_eq!(concurrency_each(8, 4), 2);
        assert_eq!(concurrency_each(8, 3), 2);
        assert_eq!(concurrency_each(2, 4), 1);
        assert_eq!(concurrency_each(0, 1), 1);
    }

    #[test]
    fn backends_named_alike_are_numbered() {
        let names = ["reference", "postgres", "sqlite", "postgres", "postgres"];
        assert_eq!(
            report_names(names.map(String::from)),
            [
                "reference",
                "postgres",
                "sqlite",
                "postgres-2",
                "postgres-3"
            ]
        );
        assert_eq!(report_names(["a".to_owned()]), ["a"]);
    }
}

//! What the bridged certifications share: each cell a libtest-mimic trial (listed on any
//! machine, NOT RUN where its install or server is missing), the run of those trials with the
//! namespace check after them, and one cell of the results matrix (an adapter of `bridge/node`
//! on one server under one setup) certified and held to its exact failing MUST rules and
//! findings, as `docs/next-auth-v3-results.md` explains them.

use libtest_mimic::{Arguments, Failed, Trial};
use nextauth_adapter_bridge::{BridgeFactory, NodeSide, bridged_url, node_command_with_tables};
use nextauth_adapter_harness::execute::{Outcome, RuleOutcome};
use nextauth_adapter_harness::report::Verdict;
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::suite::in_time_zone_id;
use nextauth_adapter_harness::{BackendFactory, Level};
use nextauth_adapter_testkit::{Server, trials};
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// How many cells run at once when `--test-threads` does not say: the servers and Node
/// are the bound, not this process, and each cell's inner run already uses two threads
/// (`docs/performance.md`, "Cells in parallel", has the measurements behind it).
pub const WIDTH: usize = 2;

/// The cell `name` as a trial: when it runs, `body` gets the URL of `server`, or the trial is
/// NOT RUN (failing when required) without `side` installed or without the URL.
pub fn trial(
    name: impl Into<String>,
    server: Server,
    side: NodeSide,
    body: impl FnOnce(&str) -> Result<(), Failed> + Send + 'static,
) -> Trial {
    trials::live_trial(
        name,
        move || bridged_url(server, side),
        move |url| body(&url),
    )
}

/// Runs `trials` as this binary's tests (`--list`, filters, `--exact`, `--skip`; [`WIDTH`]
/// at once unless `--test-threads` says), then checks that every namespace the run created on
/// each of `servers` is gone: after the trials, whatever order they ran in. A leak fails the
/// run with a LEAK banner.
pub fn run(all: Vec<Trial>, servers: &[Server]) -> ExitCode {
    let mut args = Arguments::from_args();
    trials::default_width(&mut args, WIDTH);
    let conclusion = libtest_mimic::run(&args, all);
    if args.list {
        return ExitCode::SUCCESS;
    }
    let mut ok = !conclusion.has_failed();
    for &server in servers {
        if let Ok(url) = trials::server_url(server) {
            ok &= all_dropped("cells", server, &url);
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What a cell found wrong: each problem shouted when found (with its cell's label, so that
/// parallel cells' lines stay apart) and all of them the trial's failure message.
#[derive(Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// Records `text` and prints it on stdout and stderr.
    pub fn add(&mut self, text: String) {
        shout(&text);
        self.0.push(text);
    }

    /// The trial's result: `Ok` when nothing was recorded.
    pub fn result(self) -> Result<(), Failed> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0.join("\n").into())
        }
    }
}

/// The bridge's logs on stderr: errors only, unless `RUST_LOG` asks for more.
pub fn init_tracing() {
    let filter =
        std::env::var("RUST_LOG").unwrap_or_else(|_| "nextauth_adapter_bridge=error".to_owned());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

/// The arguments of a cell's inner run: quiet, two threads, and its per-rule lines (failures
/// expected) in `nextauth-<cell>-<pid>.log` in the temporary directory (`cell` its trial name,
/// so that cells running at once write apart), not in this test's output, where they would
/// read like failures of the test itself.
pub fn inner_run_args(cell: &str) -> Arguments {
    Arguments {
        quiet: true,
        test_threads: Some(2),
        logfile: Some(
            std::env::temp_dir()
                .join(format!(
                    "nextauth-{}-{}.log",
                    cell.replace(['/', '.'], "-"),
                    std::process::id()
                ))
                .to_string_lossy()
                .into_owned(),
        ),
        ..Arguments::default()
    }
}

/// Prints `text` on stdout and stderr (test runners capture one or the other).
pub fn shout(text: &str) {
    println!("{text}");
    eprintln!("{text}");
}

/// One cell of the results matrix: an adapter of `bridge/node` (`server.js --adapter`) on one
/// server under one setup (`--tables`), and what it must show: the verdict `does not
/// conform`, exactly these failing MUST rules (those that fail again in the session time zone
/// listed apart) and exactly these findings' causes.
pub struct Cell<'a> {
    /// The database server.
    pub server: Server,
    /// `server.js --adapter`.
    pub adapter: &'a str,
    /// `server.js --tables`: `ddl` or `synchronize`.
    pub tables: &'a str,
    /// The failing MUST rules in the server's default (UTC) session, as lists to join.
    pub failing: &'a [&'a [&'a str]],
    /// The MUST rules failing again with the adapter's session in the harness's second time
    /// zone (`tz-pacific-chatham::<id>`).
    pub failing_in_zone: &'a [&'a [&'a str]],
    /// The findings, as [`finding_key`] writes them: `<cause> <severity> <reached|not-reached>`.
    pub findings: &'a [&'a str],
}

impl Cell<'_> {
    /// The cell's trial name, `<adapter>/<server>/<tables>` (`next-auth/postgres/ddl`): what
    /// `cargo test … -- <name>` runs, and the label of every line it prints.
    pub fn name(&self) -> String {
        format!("{}/{}/{}", self.adapter, self.server, self.tables)
    }
}

/// `cell` as a trial ([`Cell::name`]): certified on its server when it runs.
pub fn cell_trial(cell: &'static Cell<'static>) -> Trial {
    trial(cell.name(), cell.server, NodeSide::NextAuth, move |url| {
        certify(cell, url)
    })
}

/// Certifies `cell` with the whole suite against the server at `url`; `Ok` when it shows
/// exactly what the cell expects, otherwise every difference.
pub fn certify(cell: &Cell<'_>, url: &str) -> Result<(), Failed> {
    let Cell {
        adapter, tables, ..
    } = *cell;
    let label = cell.name();
    let mut problems = Problems::default();
    let started = Instant::now();
    let factory =
        match BridgeFactory::new(node_command_with_tables(adapter, url, tables), Vec::new()) {
            Ok(f) => f,
            Err(e) => {
                problems.add(format!("{label}: the adapter process did not start: {e}"));
                return problems.result();
            }
        };
    let name = factory.name();
    let args = inner_run_args(&label);
    let factory: std::sync::Arc<dyn BackendFactory> = std::sync::Arc::new(factory);
    let target = nextauth_adapter_harness::suite::Target::V3(Arc::clone(&factory));
    let (_, report) = match run_trials(target, &args, &RunOptions::from_env()) {
        Ok(r) => r,
        Err(e) => {
            problems.add(format!("{label}: the suite could not run: {e}"));
            return problems.result();
        }
    };
    let Some(report) = report else {
        problems.add(format!("{label}: no report"));
        return problems.result();
    };
    if let Some(dir) = std::env::var_os("NEXTAUTH_REPORT_DIR") {
        let _ = report.write_to(std::path::Path::new(&dir));
    }
    let failing: BTreeSet<String> = report
        .results
        .iter()
        .filter(|r| r.level == Level::Must && matches!(r.outcome, Outcome::Failed(_)))
        .map(|r| r.id.clone())
        .collect();
    let expected: BTreeSet<String> = cell
        .failing
        .iter()
        .flat_map(|list| list.iter())
        .map(|s| (*s).to_owned())
        .chain(
            cell.failing_in_zone
                .iter()
                .flat_map(|list| list.iter())
                .map(|s| in_time_zone_id(s)),
        )
        .collect();
    print!("{label}: {}", report.findings_text());
    println!(
        "{label}: {name}: {} in {:.1} s; MUST {}/{}/{} (pass/fail/n.a.), SHOULD {}/{}/{}",
        report.verdict.text(),
        started.elapsed().as_secs_f64(),
        report.must.passed,
        report.must.failed,
        report.must.not_applicable,
        report.should.passed,
        report.should.failed,
        report.should.not_applicable,
    );
    if std::env::var_os("NEXTAUTH_BRIDGE_PRINT").is_some() {
        for r in &report.results {
            if !matches!(r.outcome, Outcome::Passed) {
                println!(
                    "  {} {} {}: {:?}",
                    r.outcome.word(),
                    r.level,
                    r.id,
                    r.outcome
                );
            }
        }
    }
    if report.verdict != Verdict::DoesNotConform || !report.complete {
        problems.add(format!(
            "{label}: expected a complete run and the verdict `does not conform`, got {} (complete: {})",
            report.verdict.text(),
            report.complete
        ));
    }
    let findings: BTreeSet<String> = report.findings.iter().map(finding_key).collect();
    let expected_findings: BTreeSet<String> =
        cell.findings.iter().map(|s| (*s).to_owned()).collect();
    if findings != expected_findings {
        problems.add(format!(
            "{label}: the findings changed\n  now: {findings:?}\n  expected: {expected_findings:?}"
        ));
    }
    same_failures(
        &mut problems,
        &label,
        "MUST rules",
        &failing,
        &expected,
        &report.results,
    );
    problems.result()
}

/// Whether the rules failing `now` are the `expected` ones; if not, adds to `problems` which
/// changed (with the reasons of those failing unexpectedly, from `results`).
pub fn same_failures(
    problems: &mut Problems,
    label: &str,
    what: &str,
    now: &BTreeSet<String>,
    expected: &BTreeSet<String>,
    results: &[RuleOutcome],
) -> bool {
    if now == expected {
        return true;
    }
    let unexpected: Vec<_> = now.difference(expected).collect();
    let missing: Vec<_> = expected.difference(now).collect();
    problems.add(format!(
        "{label}: the failing {what} changed\n  failing now but not expected: {unexpected:?}\n  expected but passing now: {missing:?}"
    ));
    for r in results {
        if unexpected.contains(&&r.id)
            && let Outcome::Failed(reason) = &r.outcome
        {
            problems.add(format!("{label}:   {}: {reason}", r.id));
        }
    }
    false
}

/// Whether every namespace this process created on `server` is gone (a LEAK banner if not);
/// `label` prefixes the line that says so.
pub fn all_dropped(label: &str, server: Server, url: &str) -> bool {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(nextauth_adapter_testkit::verify_dropped(server, url)) {
        Ok(n) => {
            println!("{label}/{server}: all {n} namespaces this run created are gone");
            true
        }
        Err(e) => {
            shout(&format!("LEAK on {server}: {e}"));
            false
        }
    }
}

/// A finding as a cell lists it: its cause, the severity users meet and whether core reaches
/// it, `secret-ignored contract not-reached`.
pub fn finding_key(f: &nextauth_adapter_harness::report::Finding) -> String {
    format!(
        "{} {} {}",
        f.cause,
        f.severity,
        if f.reach.is_reached() {
            "reached"
        } else {
            "not-reached"
        }
    )
}

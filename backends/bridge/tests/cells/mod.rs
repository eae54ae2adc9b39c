//! What the bridged certifications share: a loud banner, and one cell of the results matrix
//! (an adapter of `bridge/node` on one server under one setup) certified and held to its
//! exact failing MUST rules and findings, as `docs/next-auth-v3-results.md` explains them.

use libtest_mimic::Arguments;
use nextauth_adapter_bridge::{
    BridgeFactory, bridge_required, node_command_with_tables, node_modules_installed,
};
use nextauth_adapter_harness::execute::{Outcome, RuleOutcome};
use nextauth_adapter_harness::report::Verdict;
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::suite::in_time_zone_id;
use nextauth_adapter_harness::{BackendFactory, Level};
use nextauth_adapter_testkit::{Server, ServerEnv, is_required};
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

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
/// expected) in `nextauth-<log>-<pid>.log` in the temporary directory, not in this test's
/// output, where they would read like failures of the test itself.
pub fn inner_run_args(log: &str) -> Arguments {
    Arguments {
        quiet: true,
        test_threads: Some(2),
        logfile: Some(
            std::env::temp_dir()
                .join(format!("nextauth-{log}-{}.log", std::process::id()))
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

/// `None` when `bridge/node` is installed; otherwise, after a NOT RUN banner for `what`, the
/// exit status the test ends with (a failure when the bridge is required).
pub fn missing_node(what: &str) -> Option<ExitCode> {
    if node_modules_installed() {
        return None;
    }
    let fail = bridge_required();
    banner(
        &format!("{what}: bridge/node/node_modules is missing; run `ci/bridge.sh`"),
        fail,
    );
    Some(if fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The URL of `server` from its environment variable; otherwise `Err(fail)` after a NOT RUN
/// banner for `what`, `fail` saying whether its absence fails the test.
pub fn server_url(server: Server, what: &str) -> Result<String, bool> {
    match std::env::var(server.env_var()) {
        Ok(u) if !u.trim().is_empty() => Ok(u.trim().to_owned()),
        _ => {
            let fail = is_required(server) || bridge_required();
            banner(
                &format!("{what} on {server}: {} is not set", server.env_var()),
                fail,
            );
            Err(fail)
        }
    }
}

/// A loud NOT RUN banner saying whether its absence fails the run.
pub fn banner(what: &str, fail: bool) {
    let rule = "*".repeat(72);
    let verdict = if fail {
        "this is a FAILURE: it is required"
    } else {
        "not required, so this is not a failure"
    };
    shout(&format!("{rule}\nNOT RUN: {what}\n  {verdict}\n{rule}"));
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

/// Certifies `cell` with the whole suite against the server at `url`; `true` when it shows
/// exactly what the cell expects.
pub fn certify(cell: &Cell<'_>, url: &str) -> bool {
    let Cell {
        server,
        adapter,
        tables,
        ..
    } = *cell;
    let label = format!("bridge/{adapter}/{server}/{tables}");
    let started = Instant::now();
    let factory =
        match BridgeFactory::new(node_command_with_tables(adapter, url, tables), Vec::new()) {
            Ok(f) => f,
            Err(e) => {
                shout(&format!("{label}: the adapter process did not start: {e}"));
                return false;
            }
        };
    let name = factory.name();
    let args = inner_run_args(&format!("bridge-{adapter}-{server}-{tables}"));
    let factory: std::sync::Arc<dyn BackendFactory> = std::sync::Arc::new(factory);
    let target = nextauth_adapter_harness::suite::Target::V3(Arc::clone(&factory));
    let (_, report) = match run_trials(target, &args, &RunOptions::from_env()) {
        Ok(r) => r,
        Err(e) => {
            shout(&format!("{label}: the suite could not run: {e}"));
            return false;
        }
    };
    let Some(report) = report else {
        shout(&format!("{label}: no report"));
        return false;
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
    let mut ok = true;
    if report.verdict != Verdict::DoesNotConform || !report.complete {
        shout(&format!(
            "{label}: expected a complete run and the verdict `does not conform`, got {} (complete: {})",
            report.verdict.text(),
            report.complete
        ));
        ok = false;
    }
    let findings: BTreeSet<String> = report.findings.iter().map(finding_key).collect();
    let expected_findings: BTreeSet<String> =
        cell.findings.iter().map(|s| (*s).to_owned()).collect();
    if findings != expected_findings {
        shout(&format!(
            "{label}: the findings changed\n  now: {findings:?}\n  expected: {expected_findings:?}"
        ));
        ok = false;
    }
    ok &= same_failures(&label, "MUST rules", &failing, &expected, &report.results);
    ok
}

/// Whether the rules failing `now` are the `expected` ones; if not, says which changed (with
/// the reasons of those failing unexpectedly, from `results`).
pub fn same_failures(
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
    shout(&format!(
        "{label}: the failing {what} changed\n  failing now but not expected: {unexpected:?}\n  expected but passing now: {missing:?}"
    ));
    for r in results {
        if unexpected.contains(&&r.id)
            && let Outcome::Failed(reason) = &r.outcome
        {
            shout(&format!("  {}: {reason}", r.id));
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

//! What the bridged certifications share: a loud banner, and one cell of the results matrix
//! (an adapter of `bridge/node` on one server) certified and held to its exact failing MUST
//! rules and findings, as `docs/next-auth-v3-results.md` explains them.

use libtest_mimic::Arguments;
use nextauth_adapter_bridge::{
    BridgeFactory, bridge_required, node_command, node_modules_installed,
};
use nextauth_adapter_harness::execute::Outcome;
use nextauth_adapter_harness::report::Verdict;
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::{BackendFactory, Level};
use nextauth_adapter_testkit::{Server, ServerEnv, is_required};
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;

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

/// The whole suite against the bridged adapter `adapter` (`bridge/node/server.js --adapter`)
/// on `server`: the verdict must be `does not conform`, the failing MUST rules exactly
/// `expected` and the findings' causes exactly `expected_findings`.
pub fn certify(
    server: Server,
    url: &str,
    adapter: &str,
    expected: &[&str],
    expected_findings: &[&str],
) -> bool {
    let started = Instant::now();
    let factory = match BridgeFactory::new(node_command(adapter, url), Vec::new()) {
        Ok(f) => f,
        Err(e) => {
            shout(&format!(
                "bridge/{server}: the adapter process did not start: {e}"
            ));
            return false;
        }
    };
    let name = factory.name();
    let args = Arguments {
        quiet: true,
        test_threads: Some(2),
        // The inner run's per-rule lines (failures expected) go to a file, not into this
        // test's output, where they would read like failures of the test itself.
        logfile: Some(
            std::env::temp_dir()
                .join(format!(
                    "nextauth-bridge-{adapter}-{server}-{}.log",
                    std::process::id()
                ))
                .to_string_lossy()
                .into_owned(),
        ),
        ..Arguments::default()
    };
    let factory: std::sync::Arc<dyn BackendFactory> = std::sync::Arc::new(factory);
    let (_, report) = match run_trials(factory, &args, &RunOptions::from_env()) {
        Ok(r) => r,
        Err(e) => {
            shout(&format!("bridge/{server}: the suite could not run: {e}"));
            return false;
        }
    };
    let Some(report) = report else {
        shout(&format!("bridge/{server}: no report"));
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
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    print!("bridge/{server}: {}", report.findings_text());
    println!(
        "bridge/{server}: {name}: {} in {:.1} s; MUST {}/{}/{} (pass/fail/n.a.), SHOULD {}/{}/{}",
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
            "bridge/{server}: expected a complete run and the verdict `does not conform`, got {} (complete: {})",
            report.verdict.text(),
            report.complete
        ));
        ok = false;
    }
    let findings: BTreeSet<&str> = report.findings.iter().map(|f| f.cause).collect();
    let expected_findings: BTreeSet<&str> = expected_findings.iter().copied().collect();
    if findings != expected_findings {
        shout(&format!(
            "bridge/{server}: the findings changed\n  now: {findings:?}\n  expected: {expected_findings:?}"
        ));
        ok = false;
    }
    if failing != expected {
        let unexpected: Vec<_> = failing.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&failing).collect();
        shout(&format!(
            "bridge/{server}: the failing MUST rules changed\n  failing now but not expected: {unexpected:?}\n  expected but passing now: {missing:?}"
        ));
        for r in &report.results {
            if unexpected.contains(&&r.id)
                && let Outcome::Failed(reason) = &r.outcome
            {
                shout(&format!("  {}: {reason}", r.id));
            }
        }
        ok = false;
    }
    ok
}

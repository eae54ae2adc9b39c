//! `nextauth-certify serve`: our adapters served over the bridge protocol, the other
//! direction of the protocol the bridge certifies JavaScript adapters with. Certified back
//! through the bridge (`--adapter-command "nextauth-certify serve --url sqlite:"`), our SQLite
//! adapter must conform exactly as it does directly: every message of both directions
//! carries what the contract means, or some rule sees the difference. No database server
//! needed.

use std::process::Command;

fn certify(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(args)
        .arg("--report-dir")
        .arg(dir)
        .env("NEXTAUTH_REGRESSIONS_DIR", dir.join("regressions"))
        .output()
        .expect("runs");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn our_sqlite_adapter_served_over_the_bridge_conforms() {
    let dir = std::env::temp_dir().join(format!("nextauth-serve-{}", std::process::id()));
    let command = format!(
        "{} serve --url sqlite:",
        env!("CARGO_BIN_EXE_nextauth-certify")
    );
    let (code, out) = certify(&["--adapter-command", &command, "--quiet"], &dir);
    assert_eq!(code, Some(0), "{out}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sqlite.json")).expect("the report"),
    )
    .expect("JSON");
    assert_eq!(report["verdict"], "conforms", "{out}");
    assert_eq!(report["complete"], true, "{out}");
    // The whole suite ran: every MUST rule passed or was ruled out by a declaration.
    assert_eq!(report["must"]["failed"], 0);
    assert!(
        report["must"]["passed"].as_u64().unwrap_or(0) > 140,
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_without_a_backend() {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .arg("serve")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--url"));
    assert!(o.stdout.is_empty(), "stdout carries protocol lines only");
}

#[test]
fn a_child_killed_mid_suite_leaves_the_remaining_rules_not_run() {
    // The reference adapter served over the bridge, its output cut after 30,000 bytes (dd, which writes each byte as it reads it; head buffers): the
    // child's stdout closes part-way through the suite, at the same point on every run.
    let dir = std::env::temp_dir().join(format!("nextauth-serve-killed-{}", std::process::id()));
    let command = format!(
        "sh -c '{} serve --reference | dd bs=1 count=30000 status=none'",
        env!("CARGO_BIN_EXE_nextauth-certify")
    );
    let started = std::time::Instant::now();
    let (code, out) = certify(&["--adapter-command", &command, "--quiet"], &dir);
    let took = started.elapsed();
    // The reference failed nothing before it went: the run could not certify it.
    assert_eq!(code, Some(2), "{out}");
    // Bounded: no rule waits for a child that is gone.
    assert!(
        took < std::time::Duration::from_secs(90),
        "took {took:?}: {out}"
    );
    let name = std::fs::read_dir(&dir)
        .expect("the report directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".json"))
        .expect("a JSON report");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(&name)).expect("the report"))
            .expect("JSON");
    assert_eq!(report["verdict"], "not_certified", "{out}");
    assert_eq!(report["findings"], serde_json::json!([]), "{out}");
    let not_run = report["must"]["not_run"].as_u64().unwrap_or(0)
        + report["should"]["not_run"].as_u64().unwrap_or(0);
    assert!(not_run > 0, "no rule reported as not run: {report}");
    let results = report["results"].as_array().expect("results");
    let reasons: Vec<&str> = results
        .iter()
        .filter(|r| r["status"] == "not_run")
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert_eq!(reasons.len() as u64, not_run, "{report}");
    assert!(
        reasons
            .iter()
            .all(|r| r.contains("is gone") && r.contains("serve --reference")),
        "each not-run reason names the adapter command: {reasons:?}"
    );
    assert!(
        out.contains("not run"),
        "the summary says rules did not run: {out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! The text report's three levels of detail: compact by default (a line per area, findings
//! and failing rules with their details, the verdict), every rule with `-v`, the verdict
//! lines with `-q`.

mod common;

fn stdout(args: &[&str]) -> (Option<i32>, String) {
    let o = common::run(args);
    (o.status.code(), String::from_utf8(o.stdout).expect("UTF-8"))
}

#[test]
fn the_default_report_is_a_line_per_area_and_the_verdict() {
    let (status, out) = stdout(&common::FAST);
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("\nusers ("), "{out}");
    assert!(out.contains("\nproperties ("), "{out}");
    assert!(
        !out.contains("session.get.expired-is-none"),
        "passing rules are not listed: {out}"
    );
    assert!(out.ends_with("verdict: reference conforms\n"), "{out}");
    assert!(
        out.lines().count() <= 20,
        "one backend, {} lines:\n{out}",
        out.lines().count()
    );
}

#[test]
fn the_default_report_details_failures_and_findings() {
    let (status, out) = stdout(&["--broken", "raw-verification-token", "--cases", "8"]);
    assert_eq!(status, Some(1), "{out}");
    assert!(out.contains("Findings (1):"), "{out}");
    assert!(out.contains("Failing MUST rules ("), "{out}");
    assert!(
        out.contains("  verification.create.stores-hash [MUST]"),
        "{out}"
    );
    assert!(
        out.contains("verification (17 pass, 7 fail, 0 n/a)"),
        "{out}"
    );
    assert!(!out.contains("user.create.returns-record"), "{out}");
}

#[test]
fn verbose_lists_every_rule() {
    let mut args = common::FAST.to_vec();
    args.push("-v");
    let (status, out) = stdout(&args);
    assert_eq!(status, Some(0), "{out}");
    assert!(out.contains("session.get.expired-is-none"), "{out}");
    assert!(out.lines().count() > 150, "{out}");
}

#[test]
fn quiet_prints_the_verdict_lines_only() {
    let mut args = common::FAST.to_vec();
    args.push("-q");
    let (status, out) = stdout(&args);
    assert_eq!(status, Some(0), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    // The contract verdict, what users meet through core, the run's verdict.
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("reference: conforms — MUST"), "{out}");
    assert_eq!(
        lines[1],
        "through next-auth@3.29.10's core: 0 findings reached (security 0, integrity 0)"
    );
    assert_eq!(lines[2], "verdict: reference conforms");
}

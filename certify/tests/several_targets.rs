//! Several backends in one run: `--reference` with any number of `--url`, certified at once
//! and reported in the order given, in one report; `--namespace` goes with one `--url` only;
//! the run's peak resident memory is reported (Linux) and is no part of the verdict.

mod common;

use std::process::Output;

/// Stdout of `o` as text.
fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

/// The reports of a `--format json` run's stdout.
fn json_reports(o: &Output) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(o)).expect("stdout is one JSON document");
    json.as_array().expect("an array of reports").clone()
}

#[test]
fn the_reference_and_a_url_are_certified_in_one_run_in_the_order_given() {
    let o = common::run(&["--reference", "--url", "sqlite:", "--cases", "8"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
    let reference = out
        .find("Conformance report: reference (")
        .expect("the reference's report");
    let sqlite = out
        .find("Conformance report: sqlite (")
        .expect("SQLite's report");
    assert!(reference < sqlite, "the reference comes first: {out}");
    assert!(
        out.contains("\nreference: conforms — MUST") && out.contains("\nsqlite: conforms — MUST"),
        "a summary line per backend: {out}"
    );
    assert!(
        out.contains("(7 files: JSON, JUnit and text per backend, summary.md)"),
        "{out}"
    );
    assert!(
        out.ends_with("verdict: reference conforms; sqlite conforms\n"),
        "{out}"
    );

    let mut args = vec!["--reference", "--url", "sqlite:", "--cases", "8"];
    args.extend(["--format", "json"]);
    let o = common::run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
    let reports = json_reports(&o);
    let verdicts: Vec<(&str, &str)> = reports
        .iter()
        .map(|r| {
            (
                r["backend"].as_str().expect("a backend"),
                r["verdict"].as_str().expect("a verdict"),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [("reference", "conforms"), ("sqlite", "conforms")],
        "{}",
        common::text(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("verdict: reference conforms; sqlite conforms"),
        "{}",
        common::text(&o)
    );
}

#[test]
fn urls_of_one_server_kind_get_reports_of_their_own() {
    let dir = common::temp_dir("several-urls");
    let o = common::run(&[
        "--url",
        "sqlite:",
        "--url",
        "sqlite:",
        "--filter",
        "session.get",
        "--cases",
        "0",
        "-q",
        "--report-dir",
        dir.to_str().expect("UTF-8 path"),
    ]);
    // A filtered run is partial: it cannot certify.
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    // Each backend's two verdict lines (the contract, then what users meet through core), then
    // the run's.
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[0].starts_with("sqlite: could not certify"), "{out}");
    assert!(
        lines[1].starts_with("through next-auth@3.29.10's core: 0 findings reached"),
        "{out}"
    );
    assert!(lines[2].starts_with("sqlite-2: could not certify"), "{out}");
    assert!(
        lines[3].starts_with("through next-auth@3.29.10's core: 0 findings reached"),
        "{out}"
    );
    assert_eq!(
        lines[4],
        "verdict: could not certify sqlite: only the selected rules ran (a filtered run): a verdict needs every rule; could not certify sqlite-2: only the selected rules ran (a filtered run): a verdict needs every rule"
    );
    for f in [
        "sqlite.json",
        "sqlite-2.json",
        "sqlite-2.junit.xml",
        "summary.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let second: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sqlite-2.json")).expect("the second report"),
    )
    .expect("JSON");
    assert_eq!(second["backend"], "sqlite-2");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn namespace_with_more_than_one_url_is_refused() {
    let o = common::run(&[
        "--url",
        "sqlite:",
        "--url",
        "sqlite:",
        "--namespace",
        "certify",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: --namespace names one schema or database")
            && err.contains("more than one --url (2 given)"),
        "{err}"
    );
    assert!(err.contains("Usage: nextauth-certify"), "{err}");
    assert!(o.stdout.is_empty(), "nothing ran: {}", common::text(&o));

    // Still with one --url only, and only with one.
    let o = common::run(&["--namespace", "certify"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--url <URL>"),
        "{}",
        common::text(&o)
    );
}

#[test]
fn broken_and_adapter_command_stay_exclusive_with_url() {
    for args in [
        ["--broken", "raw-verification-token", "--url", "sqlite:"],
        ["--adapter-command", "true", "--url", "sqlite:"],
    ] {
        let o = common::run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", common::text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("cannot be used with '--url <URL>'"),
            "{args:?}: {}",
            common::text(&o)
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_peak_memory_is_reported_in_json_and_text() {
    let dir = common::temp_dir("peak-memory");
    let mut args = common::FAST.to_vec();
    args.extend(["--format", "json", "--report-dir"]);
    args.push(dir.to_str().expect("UTF-8 path"));
    let o = common::run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
    let reports = json_reports(&o);
    let peak = reports[0]["peak_rss_bytes"]
        .as_u64()
        .expect("peak_rss_bytes on Linux");
    assert!(
        (1 << 20..200 << 20).contains(&peak),
        "a peak between 1 MiB and 200 MiB: {peak}"
    );
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("reference.json")).expect("the JSON file"),
    )
    .expect("JSON");
    assert_eq!(
        file["peak_rss_bytes"], peak,
        "the file carries the same figure"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let o = common::run(&common::FAST);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("peak memory: "))
        .unwrap_or_else(|| panic!("a peak memory line: {out}"));
    assert!(line.ends_with(" MiB"), "{line}");
}

#[cfg(not(target_os = "linux"))]
#[test]
fn without_proc_the_peak_memory_is_left_out() {
    let mut args = common::FAST.to_vec();
    args.extend(["--format", "json"]);
    let o = common::run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
    assert!(json_reports(&o)[0].get("peak_rss_bytes").is_none());
    assert!(!stdout(&common::run(&common::FAST)).contains("peak memory"));
}

/// A report with what varies from run to run taken out: wall times and the peak memory.
fn normalised(mut report: serde_json::Value) -> serde_json::Value {
    let object = report.as_object_mut().expect("a report object");
    object.remove("duration_ms");
    object.remove("peak_rss_bytes");
    for r in object
        .get_mut("results")
        .and_then(serde_json::Value::as_array_mut)
        .expect("results")
    {
        r.as_object_mut().expect("a result").remove("duration_ms");
    }
    report
}

#[test]
fn two_runs_give_the_same_report_but_for_times_and_memory() {
    let run = || {
        let mut args = common::FAST.to_vec();
        args.extend(["--format", "json"]);
        let o = common::run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", common::text(&o));
        json_reports(&o)
            .into_iter()
            .map(normalised)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

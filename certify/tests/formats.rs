//! `--format` writes one report to stdout, each read back by a real parser: JSON with
//! serde_json, JUnit XML with quick-xml (checked against the JUnit schema's structure: the
//! counts each `<testsuite>` and the root declare are those of the cases they hold), Markdown
//! as the summary file's text. The files in `--report-dir` are written whatever the format.

mod common;

use quick_xml::events::Event;

/// Stdout of a successful fast reference run with `--format format` (and `extra`).
fn report(format: &str, extra: &[&str]) -> String {
    let mut args = common::FAST.to_vec();
    args.extend(["--format", format]);
    args.extend_from_slice(extra);
    let o = common::run(&args);
    assert!(o.status.success(), "{}", common::text(&o));
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn json_is_an_array_of_reports_and_nothing_else() {
    let out = report("json", &[]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("stdout is one JSON document");
    let reports = json.as_array().expect("an array of reports");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["format"], "nextauth-adapter-conformance/v2");
    assert_eq!(reports[0]["backend"], "reference");
    assert_eq!(reports[0]["verdict"], "conforms");
    assert!(
        reports[0]["results"]
            .as_array()
            .is_some_and(|r| r.len() > 100)
    );
}

#[test]
fn the_verdict_goes_to_stderr_when_stdout_is_a_report() {
    let mut args = common::FAST.to_vec();
    args.extend(["--format", "json"]);
    let o = common::run(&args);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("verdict: reference conforms"),
        "{}",
        common::text(&o)
    );
    let quiet = {
        args.push("--quiet");
        common::run(&args)
    };
    assert!(quiet.stderr.is_empty(), "{}", common::text(&quiet));
}

/// Counts one `<testsuite>` holds, as declared and as found.
#[derive(Debug, Default)]
struct Suite {
    name: String,
    declared_tests: usize,
    declared_failures: usize,
    cases: usize,
    failures: usize,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .filter_map(Result::ok)
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

fn count(e: &quick_xml::events::BytesStart<'_>, name: &str) -> usize {
    attr(e, name)
        .unwrap_or_else(|| {
            panic!(
                "<{}> has no {name}",
                String::from_utf8_lossy(e.name().as_ref())
            )
        })
        .parse()
        .expect("a count")
}

/// Parses a JUnit document, checks its structure and counts, and returns its suites.
fn junit_suites(xml: &str) -> Vec<Suite> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    let mut root: Option<(usize, usize)> = None;
    let mut depth = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                depth -= 1;
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        let Some(e) = start else { continue };
        match (depth, e.name().as_ref()) {
            (0, b"testsuites") => root = Some((count(&e, "tests"), count(&e, "failures"))),
            (0, other) => panic!(
                "root <{}>, not <testsuites>",
                String::from_utf8_lossy(other)
            ),
            (1, b"testsuite") => suites.push(Suite {
                name: attr(&e, "name").expect("a suite name"),
                declared_tests: count(&e, "tests"),
                declared_failures: count(&e, "failures"),
                ..Suite::default()
            }),
            (2, b"testcase") => {
                assert!(attr(&e, "name").is_some(), "a test case without a name");
                assert!(
                    attr(&e, "classname").is_some(),
                    "a test case without a classname"
                );
                suites.last_mut().expect("a case in a suite").cases += 1;
            }
            (3, b"failure") => suites.last_mut().expect("in a suite").failures += 1,
            (d, name) if d <= 2 => {
                panic!("<{}> at depth {d}", String::from_utf8_lossy(name))
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
    }
    let (tests, failures) = root.expect("a <testsuites> root");
    for s in &suites {
        assert_eq!(s.declared_tests, s.cases, "{}: tests=", s.name);
        assert_eq!(s.declared_failures, s.failures, "{}: failures=", s.name);
    }
    assert_eq!(
        tests,
        suites.iter().map(|s| s.cases).sum::<usize>(),
        "root tests="
    );
    assert_eq!(
        failures,
        suites.iter().map(|s| s.failures).sum::<usize>(),
        "root failures="
    );
    suites
}

#[test]
fn junit_is_one_valid_document() {
    let suites = junit_suites(&report("junit", &[]));
    assert!(
        suites.iter().any(|s| s.name == "reference.users"),
        "{suites:?}"
    );
    assert!(suites.iter().all(|s| s.failures == 0), "{suites:?}");
}

#[test]
fn junit_of_a_failing_run_names_its_failures() {
    let o = common::run(&[
        "--broken",
        "raw-verification-token",
        "--cases",
        "8",
        "--format",
        "junit",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", common::text(&o));
    let suites = junit_suites(&String::from_utf8(o.stdout).expect("UTF-8"));
    let failed: usize = suites.iter().map(|s| s.failures).sum();
    assert!(failed >= 9, "{suites:?}");
}

#[test]
fn markdown_is_the_summary() {
    let out = report("markdown", &[]);
    assert!(
        out.starts_with("# NextAuth.js v3 adapter conformance\n"),
        "{out}"
    );
    assert!(out.contains("| reference | conforms |"), "{out}");
}

#[test]
fn the_report_files_are_written_whatever_the_format() {
    let dir = common::temp_dir("format-files");
    let o = common::run(&[
        "--reference",
        "--cases",
        "8",
        "--format",
        "json",
        "--report-dir",
        dir.to_str().expect("UTF-8 path"),
    ]);
    assert!(o.status.success(), "{}", common::text(&o));
    for f in [
        "reference.json",
        "reference.junit.xml",
        "reference.txt",
        "summary.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_backends_make_one_junit_document_and_one_json_array() {
    // Reference and embedded SQLite, a few rules each (partial: could not certify, exit 2).
    let args = ["--filter", "session.get", "--cases", "0", "--format"];
    let run = |format: &str| {
        let mut all = args.to_vec();
        all.push(format);
        let o = common::run(&all);
        assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
        String::from_utf8(o.stdout).expect("UTF-8")
    };
    let suites = junit_suites(&run("junit"));
    for name in ["reference.sessions", "sqlite.sessions"] {
        assert!(suites.iter().any(|s| s.name == name), "{name}: {suites:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("one JSON document");
    let backends: Vec<&str> = json
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|r| r["backend"].as_str())
        .collect();
    assert_eq!(backends, ["reference", "sqlite"]);
}

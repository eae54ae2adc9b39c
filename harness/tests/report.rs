//! The report's artifacts: JUnit XML that a JUnit consumer reads back, JSON of the
//! documented shape, a readable table, findings first everywhere; and the exit status of a
//! run following the verdict (failing SHOULD rules fail it only in strict mode).

use libtest_mimic::Arguments;
use nextauth_adapter_harness::broken::BrokenFactory;
use nextauth_adapter_harness::runner::{RunOptions, run_with_args};
use nextauth_adapter_harness::suite::Suite;
use nextauth_adapter_harness::{
    BackendFactory, Outcome, Report, Severity, SuiteOptions, Verdict, catalogue, run_suite,
};
use quick_xml::events::Event;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

async fn broken_report() -> Report {
    let factory = BrokenFactory::named("raw-verification-token");
    let outcomes = run_suite(
        Arc::new(factory),
        &catalogue::all(),
        &SuiteOptions::default(),
        &|_| {},
    )
    .await;
    Report::new(
        factory.name(),
        factory.describe(),
        factory.capabilities(),
        outcomes,
        true,
        Duration::from_millis(5),
    )
}

#[tokio::test]
async fn junit_parses_back_with_findings_first_then_every_rule() {
    let report = broken_report().await;
    let xml = report.to_junit().expect("serialise");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped) = (Vec::new(), Vec::new(), 0);
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                current = e
                    .attributes()
                    .filter_map(Result::ok)
                    .find(|a| a.key.as_ref() == b"name")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
                cases.push(current.clone());
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"failure" => {
                failures.push(current.clone())
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"skipped" => skipped += 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        cases.len(),
        catalogue::all().len() + report.findings.len(),
        "a case per rule and per finding"
    );
    assert_eq!(
        cases[0], "finding.raw-token",
        "findings come first: {cases:?}"
    );
    assert!(
        failures.contains(&"verification.create.stores-hash".to_owned()),
        "{failures:?}"
    );
    assert_eq!(
        failures.len(),
        report.failures().count() + report.findings.len()
    );
    assert_eq!(
        skipped,
        report
            .results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::NotApplicable(_)))
            .count()
    );
    // And the JUnit model reads it back too.
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("quick-junit reads it");
    assert_eq!(parsed.failures, failures.len());
}

#[tokio::test]
async fn json_has_the_documented_shape() {
    let report = broken_report().await;
    assert_eq!(report.verdict, Verdict::DoesNotConform);
    let v: serde_json::Value = serde_json::from_str(&report.to_json()).expect("valid JSON");
    for key in [
        "format",
        "harness_version",
        "backend",
        "backend_description",
        "capabilities",
        "complete",
        "verdict",
        "strict",
        "findings",
        "through_core",
        "property_test",
        "must",
        "should",
        "hardening_score",
        "duration_ms",
        "results",
    ] {
        assert!(v.get(key).is_some(), "missing top-level key {key}");
    }
    assert_eq!(v["format"], "nextauth-adapter-conformance/v2");
    assert_eq!(v["verdict"], "does_not_conform");
    let finding = &v["findings"][0];
    assert_eq!(finding["cause"], "raw-token");
    assert_eq!(finding["severity"], "security");
    assert!(finding["fix"].as_str().unwrap().contains("sha256"));
    // A raw token is stored by the call core makes in every e-mail sign-in.
    assert_eq!(finding["cause_severity"], "security");
    assert_eq!(finding["reach"]["status"], "reached");
    assert_eq!(finding["reach"]["scenario"], "email.new-user");
    assert_eq!(finding["reach"]["core"], "next-auth@3.29.10");
    assert_eq!(finding["reach"]["real_core_lane"], true);
    for f in v["findings"].as_array().unwrap() {
        let reached = f["reach"]["status"] == "reached";
        assert!(
            reached || f["reach"]["status"] == "not_reached" && f["reach"]["reason"].is_string(),
            "{f}"
        );
        if f["severity"] == "security" || f["severity"] == "integrity" {
            assert!(
                reached,
                "a {} finding that no user meets: {f}",
                f["severity"]
            );
        }
    }
    assert_eq!(v["through_core"]["core"], "next-auth@3.29.10");
    assert!(v["through_core"]["security"].as_u64().unwrap() >= 1);
    let rules: Vec<&str> = finding["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"verification.create.stores-hash"),
        "{rules:?}"
    );
    let failed = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "verification.create.stores-hash")
        .unwrap();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["cause"], "raw-token");
    assert!(failed["reason"].as_str().unwrap().contains("stored token"));
    for key in [
        "id",
        "area",
        "level",
        "source",
        "summary",
        "status",
        "duration_ms",
    ] {
        assert!(failed.get(key).is_some(), "result without {key}");
    }
    assert_eq!(v["capabilities"]["delete_user"], "cascade");
}

#[tokio::test]
async fn text_shows_findings_first_then_rules_and_verdict() {
    let report = broken_report().await;
    let text = report.to_text();
    let findings = text.find("Findings (").expect("a findings block");
    let table = text.find("\nusers (").expect("the users table");
    assert!(findings < table, "{text}");
    assert!(text.contains("[security, MUST] Verification tokens are stored raw"));
    assert!(text.contains("Failures:"));
    assert!(text.contains("verification.create.stores-hash [MUST]"));
    assert!(text.contains("does not conform"));
}

#[test]
fn findings_group_failures_by_cause_most_severe_first() {
    // Two defects at once are not built here; a timestamp-only difference is diagnosed as a
    // precision finding whatever rule saw it.
    let report = Suite::new(
        Arc::new(BrokenFactory::named("coarse-timestamps-outside-sessions")),
        SuiteOptions::default(),
    )
    .certify(&|_| {})
    .expect("runtime");
    assert!(!report.findings.is_empty());
    for pair in report.findings.windows(2) {
        assert!(
            pair[0].severity <= pair[1].severity,
            "{:?}",
            report.findings
        );
    }
    let precision = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Precision)
        .expect("a precision finding");
    assert!(
        precision
            .rules
            .iter()
            .any(|r| r == "data.timestamps.every-column-precision"),
        "{precision:?}"
    );
}

fn quiet_args() -> Arguments {
    Arguments {
        quiet: true,
        test_threads: Some(4),
        logfile: Some(
            std::env::temp_dir()
                .join(format!("nextauth-exit-{}.log", std::process::id()))
                .to_string_lossy()
                .into_owned(),
        ),
        ..Arguments::default()
    }
}

#[test]
fn a_conforming_adapter_with_a_failing_should_rule_exits_zero_unless_strict() {
    // update-user-upserts breaks only a SHOULD behaviour (user.update.missing-is-not-found).
    let factory: Arc<dyn BackendFactory> = Arc::new(BrokenFactory::named("update-user-upserts"));
    let lenient = RunOptions::default();
    assert_eq!(
        run_with_args(Arc::clone(&factory), &quiet_args(), &lenient),
        ExitCode::SUCCESS,
        "a conforming adapter with a failing SHOULD rule must pass cargo test"
    );
    let strict = RunOptions {
        strict: true,
        ..RunOptions::default()
    };
    assert_eq!(
        run_with_args(factory, &quiet_args(), &strict),
        ExitCode::FAILURE,
        "NEXTAUTH_STRICT=1 must fail a run with a failing SHOULD rule"
    );
}

#[test]
fn a_failing_must_rule_fails_the_run() {
    let factory: Arc<dyn BackendFactory> = Arc::new(BrokenFactory::named("raw-verification-token"));
    assert_eq!(
        run_with_args(factory, &quiet_args(), &RunOptions::default()),
        ExitCode::FAILURE
    );
}

#[tokio::test]
async fn reports_of_an_npm_scoped_name_land_in_the_directory_asked_for() {
    let mut report = broken_report().await;
    report.backend = "@auth/pg-adapter@1.11.3-postgres".to_owned();
    let dir = std::env::temp_dir().join(format!("nextauth-report-stem-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = report.write_to(&dir).expect("the reports are written");
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            assert_eq!(p.parent(), Some(dir.as_path()), "{p:?} is not in {dir:?}");
            p.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "@auth_pg-adapter@1.11.3-postgres.json",
            "@auth_pg-adapter@1.11.3-postgres.junit.xml",
            "@auth_pg-adapter@1.11.3-postgres.txt"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written[0]).unwrap()).unwrap();
    assert_eq!(json["backend"], "@auth/pg-adapter@1.11.3-postgres");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A backend whose server cannot be reached: every fixture fails to open, as a closed port
/// does.
struct Unreachable;

#[async_trait::async_trait]
impl BackendFactory for Unreachable {
    fn name(&self) -> String {
        "unreachable".to_owned()
    }

    fn capabilities(&self) -> nextauth_adapter::Capabilities {
        nextauth_adapter::Capabilities::HARDENED
    }

    async fn open(
        &self,
        _: nextauth_adapter::AdapterConfig,
    ) -> Result<nextauth_adapter_harness::Fixture, nextauth_adapter_harness::BackendError> {
        Err("connection refused (os error 111)".into())
    }
}

#[test]
fn an_unreachable_backend_could_not_be_certified_and_is_no_finding() {
    let args = Arguments::from_iter(["conformance"]);
    let (conclusion, report) = nextauth_adapter_harness::runner::run_trials(
        nextauth_adapter_harness::suite::Target::V3(Arc::new(Unreachable)),
        &args,
        &RunOptions::default(),
    )
    .expect("runs");
    let report = report.expect("a report");
    // `cargo test` fails, and nothing is said about the adapter.
    assert!(conclusion.has_failed());
    assert_eq!(report.verdict, Verdict::NotCertified);
    assert!(!report.passes());
    let why = report.not_certified.as_deref().expect("the reason");
    assert!(
        why.contains("connection refused") && why.ends_with("no rule ran"),
        "{why}"
    );
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::NotRun(_)) && r.cause.is_none()),
        "a rule ran or has a cause"
    );
    assert_eq!(report.must.failed + report.should.failed, 0);
    assert!(report.summary_line().contains("could not certify"));
    let v: serde_json::Value = serde_json::from_str(&report.to_json()).expect("JSON");
    assert_eq!(v["verdict"], "not_certified");
    assert_eq!(v["not_certified"], why);
    // JUnit: errors, not failures.
    let xml = report.to_junit().expect("serialise");
    assert!(xml.contains("<error") && !xml.contains("<failure"), "{xml}");
}

#[test]
fn a_rule_whose_fixture_cannot_be_torn_down_is_not_run_not_a_finding() {
    let outcome = nextauth_adapter_harness::RuleOutcome::of(
        &catalogue::all()[0],
        Err(
            nextauth_adapter_harness::Failure::new("teardown failed: gone")
                .because(nextauth_adapter_harness::finding::SETUP),
        ),
        std::time::Instant::now(),
    );
    assert_eq!(
        outcome.outcome,
        Outcome::NotRun("teardown failed: gone".to_owned())
    );
    assert_eq!(outcome.cause, None);
    let report = Report::new(
        "x".to_owned(),
        "x".to_owned(),
        nextauth_adapter::Capabilities::HARDENED,
        vec![outcome],
        true,
        Duration::ZERO,
    );
    assert_eq!(report.verdict, Verdict::NotCertified);
    assert!(report.findings.is_empty());
}

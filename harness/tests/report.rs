//! The report's artifacts: JUnit XML that a JUnit consumer reads back, JSON of the
//! documented shape, and a readable table.

use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::{
    BackendFactory, Outcome, Report, SuiteOptions, Verdict, catalogue, run_suite,
};
use quick_xml::events::Event;
use std::time::Duration;

async fn broken_report() -> Report {
    let factory = BrokenFactory::new(Defect::RawVerificationToken);
    let outcomes = run_suite(
        &factory,
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
async fn junit_parses_back_with_every_rule_and_the_failures() {
    let report = broken_report().await;
    let xml = report.to_junit().expect("serialise");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped) = (0, Vec::new(), 0);
    let mut current = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                cases += 1;
                current = e
                    .attributes()
                    .filter_map(Result::ok)
                    .find(|a| a.key.as_ref() == b"name")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"failure" => {
                failures.push(current.clone())
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"skipped" => skipped += 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, catalogue::all().len());
    assert!(
        failures.contains(&"verification.create.stores-hash".to_owned()),
        "{failures:?}"
    );
    assert_eq!(failures.len(), report.failures().count());
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
        "must",
        "should",
        "hardening_score",
        "duration_ms",
        "results",
    ] {
        assert!(v.get(key).is_some(), "missing top-level key {key}");
    }
    assert_eq!(v["format"], "nextauth-adapter-conformance/v1");
    assert_eq!(v["verdict"], "does_not_conform");
    let failed = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "verification.create.stores-hash")
        .unwrap();
    assert_eq!(failed["status"], "failed");
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
async fn text_table_names_failures_and_verdict() {
    let report = broken_report().await;
    let text = report.to_text();
    assert!(text.contains("Failures:"));
    assert!(text.contains("verification.create.stores-hash [MUST]"));
    assert!(text.contains("does not conform"));
}

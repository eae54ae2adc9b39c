//! The catalogue as data: ids unique and well formed, every rule sourced, enough rules, and
//! a rule run alone gives the same result as in the full run.

use libtest_mimic::Arguments;
use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::{
    Area, Level, Outcome, ReferenceFactory, SuiteOptions, catalogue, run_suite,
};
use std::collections::HashSet;
use std::sync::Arc;

#[test]
fn ids_are_unique_dotted_and_sourced() {
    let rules = catalogue::all();
    assert!(rules.len() >= 80, "only {} rules", rules.len());
    let mut seen = HashSet::new();
    for r in &rules {
        assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
        assert!(
            r.id.split('.').count() >= 3,
            "{} is not <entity>.<topic>.<behaviour>",
            r.id
        );
        assert!(
            r.id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
            "{} has characters outside [a-z0-9.-]",
            r.id
        );
        assert!(!r.source.trim().is_empty(), "{} has no source", r.id);
        assert!(!r.summary.trim().is_empty(), "{} has no summary", r.id);
    }
    for area in [
        Area::Users,
        Area::Accounts,
        Area::Sessions,
        Area::Verification,
        Area::Flows,
        Area::Data,
        Area::Security,
    ] {
        assert!(rules.iter().any(|r| r.area == area), "no rule in {area}");
    }
    assert!(rules.iter().any(|r| r.level == Level::Should));
}

#[test]
fn must_rules_never_depend_on_a_capability() {
    // Conformance requires every MUST rule to run; declared choices are checked by rules
    // that branch on the declaration instead of being skipped.
    for r in catalogue::all() {
        if r.level == Level::Must {
            assert_eq!(
                r.requires,
                nextauth_adapter_harness::Requires::Nothing,
                "{} is a MUST rule gated on {:?}",
                r.id,
                r.requires
            );
        }
    }
}

/// The outcome with random 64-hex tokens masked: the same rule draws other tokens each run.
fn masked(o: &Outcome) -> String {
    let text = format!("{o:?}");
    let mut out = String::new();
    let mut run = String::new();
    for ch in text.chars() {
        if ch.is_ascii_hexdigit() {
            run.push(ch);
        } else {
            out.push_str(if run.len() >= 32 { "<token>" } else { &run });
            run.clear();
            out.push(ch);
        }
    }
    out.push_str(if run.len() >= 32 { "<token>" } else { &run });
    out
}

fn quiet_args(filter: Option<&str>) -> Arguments {
    Arguments {
        filter: filter.map(str::to_owned),
        exact: filter.is_some(),
        quiet: true,
        test_threads: Some(2),
        // Keep the inner runs' output (with their deliberate failures) out of this test's.
        logfile: Some(
            std::env::temp_dir()
                .join(format!("nextauth-isolation-{}.log", std::process::id()))
                .to_string_lossy()
                .into_owned(),
        ),
        ..Arguments::default()
    }
}

#[test]
fn a_rule_run_alone_matches_the_full_run() {
    // A broken backend has failures, so "the same result" covers failures too.
    for defect in [
        Defect::ExpiredSessionReturned,
        Defect::DuplicateEmailAccepted,
    ] {
        let factory: Arc<dyn nextauth_adapter_harness::BackendFactory> =
            Arc::new(BrokenFactory::new(defect));
        // A fixed seed, so the property test draws the same sequences alone and in the full run.
        let mut options = RunOptions::from_env();
        options.properties.seed = 7;
        options.properties.cases = 64;
        options.properties.regressions = None;
        let (_, full) = run_trials(factory.clone(), &quiet_args(None), &options).expect("full run");
        let full = full.expect("a report");
        assert!(full.complete);
        for outcome in full.results.iter().step_by(3).chain(full.failures()) {
            let (_, alone) = run_trials(factory.clone(), &quiet_args(Some(&outcome.id)), &options)
                .expect("single run");
            let alone = alone.expect("a report");
            assert_eq!(
                alone.results.len(),
                1,
                "{} --exact ran {} rules",
                outcome.id,
                alone.results.len()
            );
            assert!(!alone.complete);
            assert_eq!(
                masked(&alone.results[0].outcome),
                masked(&outcome.outcome),
                "{} alone vs in the full run",
                outcome.id
            );
        }
    }
}

#[tokio::test]
async fn not_applicable_rules_are_reported_with_their_reason() {
    let caps = nextauth_adapter::Capabilities::V3_TYPEORM;
    let outcomes = run_suite(
        &ReferenceFactory::with_capabilities(caps),
        &catalogue::all(),
        &SuiteOptions::default(),
        &|_| {},
    )
    .await;
    let na: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match &o.outcome {
            Outcome::NotApplicable(reason) => Some((o.id.clone(), reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes.len(), catalogue::all().len(), "a rule was dropped");
    assert!(
        na.iter()
            .any(|(id, reason)| id == "session.get.expired-row-deleted" && reason.contains("kept")),
        "{na:?}"
    );
    assert!(
        na.iter().any(|(id, _)| id == "user.delete.cascades"),
        "{na:?}"
    );
}

#[test]
fn every_known_bug_and_every_auth_js_case_is_cited() {
    let rules = catalogue::all();
    let cited = |needle: &str| {
        rules.iter().any(|r| {
            r.source
                .split([';', ',', ' ', '('])
                .any(|part| part.trim_end_matches(')') == needle)
        })
    };
    // contract-v3 §10: every known bug an adapter can get wrong.
    for g in 1..=24 {
        assert!(cited(&format!("G{g}")), "no rule cites G{g}");
    }
    // Auth.js's shared adapter tests (anchors §1.3), except "methods exist" (cases 1, 12, 15),
    // which the Rust trait guarantees at compile time, and the WebAuthn cases 18–22, which
    // are not part of the v3 contract.
    for case in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 17] {
        assert!(
            cited(&format!("AJS#{case}")),
            "no rule cites Auth.js case {case}"
        );
    }
}

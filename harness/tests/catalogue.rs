//! The catalogue as data: ids unique and well formed, every source resolving to the
//! specification or a public URL, every rule under one cause, declared behaviours as MUST
//! rules, and a rule run alone gives the same result as in the full run.

use libtest_mimic::Arguments;
use nextauth_adapter_harness::broken::BrokenFactory;
use nextauth_adapter_harness::finding::CAUSES;
use nextauth_adapter_harness::properties::{PROPERTY_ID, PROPERTY_SOURCE, levels};
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::sources::{self, Target};
use nextauth_adapter_harness::{
    Area, Level, Outcome, ReferenceFactory, Requires, SuiteOptions, catalogue, run_suite,
};
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

#[test]
fn ids_are_unique_dotted_and_sourced() {
    let rules = catalogue::all();
    assert!(rules.len() >= 80, "only {} rules", rules.len());
    let v3_rules = rules.len();
    // Both profiles' ids share the report's namespace: unique across both.
    let rules: Vec<_> = rules
        .into_iter()
        .chain(nextauth_adapter_harness::authjs::catalogue::all())
        .collect();
    assert!(rules.len() > v3_rules);
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
    for area in Area::ALL {
        if area != Area::Properties {
            assert!(rules.iter().any(|r| r.area == area), "no rule in {area}");
        }
    }
    assert!(rules.iter().any(|r| r.level == Level::Should));
}

#[test]
fn a_declared_behaviour_is_a_must_rule() {
    // A rule gated on a capability checks what that value promises: the adapter declared it,
    // so it is a MUST rule (not applicable, with the reason, under the other values).
    // A rule that judges a declared value together with core is the exception: v3 allows the
    // value, so it is a SHOULD rule.
    for r in catalogue::all() {
        if r.requires.judges_with_core() {
            assert_eq!(
                r.level,
                Level::Should,
                "{} judges a declaration with core ({:?}) but is a MUST rule",
                r.id,
                r.requires
            );
        } else if r.requires != Requires::Nothing {
            assert_eq!(
                r.level,
                Level::Must,
                "{} checks a declared behaviour ({:?}) but is a SHOULD rule",
                r.id,
                r.requires
            );
        }
    }
}

#[test]
fn every_rule_source_resolves() {
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/specification.md"
    ))
    .expect("docs/specification.md is readable");
    let anchors: HashSet<String> = sources::anchors(&spec).into_iter().collect();
    let mut sources_of: Vec<(String, String)> = catalogue::all()
        .iter()
        .map(|r| (r.id.to_owned(), r.source.to_owned()))
        .collect();
    sources_of.push((PROPERTY_ID.to_owned(), PROPERTY_SOURCE.to_owned()));
    sources_of.extend(
        nextauth_adapter_harness::authjs::catalogue::all()
            .iter()
            .map(|r| (r.id.to_owned(), r.source.to_owned())),
    );
    sources_of.push((
        nextauth_adapter_harness::authjs::properties::PROPERTY_ID.to_owned(),
        nextauth_adapter_harness::authjs::properties::PROPERTY_SOURCE.to_owned(),
    ));
    let mut unresolved = Vec::new();
    for (id, source) in &sources_of {
        for citation in sources::citations(source) {
            match sources::resolve(citation) {
                Ok(Target::Anchor(anchor)) if anchors.contains(&anchor) => {}
                Ok(Target::Anchor(anchor)) => unresolved.push(format!(
                    "{id}: {citation:?} points to #{anchor}, which docs/specification.md lacks"
                )),
                Ok(Target::Url(url)) => assert!(url.starts_with("https://github.com/"), "{url}"),
                Err(e) => unresolved.push(format!("{id}: {e}")),
            }
        }
    }
    assert!(unresolved.is_empty(), "{}", unresolved.join("\n"));
}

#[test]
fn every_rule_has_exactly_one_cause() {
    let mut ids: Vec<String> = catalogue::all().iter().map(|r| r.id.to_owned()).collect();
    ids.push(PROPERTY_ID.to_owned());
    ids.extend(
        nextauth_adapter_harness::authjs::catalogue::all()
            .iter()
            .map(|r| r.id.to_owned()),
    );
    ids.push(nextauth_adapter_harness::authjs::properties::PROPERTY_ID.to_owned());
    let known: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    for cause in CAUSES {
        for rule in cause.rules {
            assert!(
                known.contains(rule),
                "cause {} lists {rule}, which is not a rule",
                cause.id
            );
        }
    }
    for id in &ids {
        let causes: Vec<&str> = CAUSES
            .iter()
            .filter(|c| c.rules.contains(&id.as_str()))
            .map(|c| c.id)
            .collect();
        assert_eq!(causes.len(), 1, "{id} is under causes {causes:?}");
    }
    let mut cause_ids: Vec<&str> = CAUSES.iter().map(|c| c.id).collect();
    cause_ids.sort_unstable();
    let n = cause_ids.len();
    cause_ids.dedup();
    assert_eq!(cause_ids.len(), n, "duplicate cause ids");
}

#[test]
fn the_property_test_defers_only_to_should_rules() {
    let rules = catalogue::all();
    for id in levels::SHOULD_RULES {
        let rule = rules
            .iter()
            .find(|r| r.id == *id)
            .unwrap_or_else(|| panic!("{id} is not a rule"));
        assert_eq!(
            rule.level,
            Level::Should,
            "the property test excuses {id}, which is a MUST rule"
        );
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
    for defect in ["expired-session-returned", "duplicate-email-accepted"] {
        let factory: Arc<dyn nextauth_adapter_harness::BackendFactory> =
            Arc::new(BrokenFactory::named(defect));
        let mut options = RunOptions::default();
        options.properties.cases = 64;
        let target = || nextauth_adapter_harness::suite::Target::V3(factory.clone());
        let (_, full) = run_trials(target(), &quiet_args(None), &options).expect("full run");
        let full = full.expect("a report");
        assert!(full.complete);
        for outcome in full.results.iter().step_by(3).chain(full.failures()) {
            let (_, alone) =
                run_trials(target(), &quiet_args(Some(&outcome.id)), &options).expect("single run");
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
        Arc::new(ReferenceFactory::with_capabilities(caps)),
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
        rules
            .iter()
            .map(|r| r.source)
            .chain([PROPERTY_SOURCE])
            .any(|source| {
                source
                    .split([';', ',', ' ', '('])
                    .any(|part| part.trim_end_matches(')') == needle)
            })
    };
    // Specification §10: every known bug an adapter can get wrong.
    for g in 1..=24 {
        assert!(cited(&format!("G{g}")), "no rule cites G{g}");
    }
    // Auth.js's shared adapter tests (specification §13), except "methods exist" (cases 1,
    // 12, 15), which the Rust trait guarantees at compile time, and the WebAuthn cases 18–22,
    // which are not part of the v3 contract.
    for case in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 17] {
        assert!(
            cited(&format!("AJS#{case}")),
            "no rule cites Auth.js case {case}"
        );
    }
    // Specification §12: every hardening item.
    for h in 1..=10 {
        assert!(cited(&format!("H{h}")), "no rule cites H{h}");
    }
}

#[test]
fn every_security_and_integrity_rule_has_a_path_through_core() {
    use nextauth_adapter_harness::finding::{Severity, cause_of_rule};
    use nextauth_adapter_harness::reach;
    use nextauth_adapter_harness::rule::Profile;
    let v3: Vec<&str> = catalogue::all().iter().map(|r| r.id).collect();
    let authjs: Vec<&str> = nextauth_adapter_harness::authjs::catalogue::all()
        .iter()
        .map(|r| r.id)
        .collect();
    let mut missing = Vec::new();
    for (profile, ids) in [(Profile::V3, &v3), (Profile::Authjs, &authjs)] {
        for id in ids {
            if cause_of_rule(id).severity <= Severity::Integrity
                && reach::path(profile, id).is_none()
            {
                missing.push(format!("{profile}: {id}"));
            }
        }
        let mut named: BTreeSet<(&str, &str)> = BTreeSet::new();
        for (rules, _) in reach::table(profile) {
            for rule in *rules {
                // `<rule>@<cause>`: the path of a failure the rule diagnoses as that cause.
                let (rule, diagnosis): (&str, &str) = rule.split_once('@').unwrap_or((*rule, ""));
                assert!(
                    diagnosis.is_empty()
                        || nextauth_adapter_harness::finding::cause(diagnosis).is_some(),
                    "{rule}@{diagnosis}: no such cause"
                );
                assert!(
                    ids.contains(&rule),
                    "the {profile} reach table names {rule}, which is not a {profile} rule"
                );
                assert!(
                    named.insert((rule, diagnosis)),
                    "{rule}@{diagnosis} is twice in the {profile} table"
                );
            }
        }
    }
    assert!(
        missing.is_empty(),
        "security or integrity rules with no path through core:\n{}",
        missing.join("\n")
    );
}

#[test]
fn severity_follows_reach() {
    use nextauth_adapter_harness::finding::Severity;
    use nextauth_adapter_harness::reach::{self, Reach};
    use nextauth_adapter_harness::rule::Profile;
    // The ignored secret: core passes the one secret every call agrees on.
    let (r, s) = reach::judge(
        Profile::V3,
        "secret-ignored",
        Severity::Security,
        &["verification.get.wrong-secret".to_owned()],
        None,
    );
    assert!(!r.is_reached(), "{r:?}");
    assert_eq!(s, Severity::Contract);
    // A link that signs in twice, seen through the lane's scenario, in the zone rerun too.
    let (r, s) = reach::judge(
        Profile::V3,
        "link-reuse",
        Severity::Security,
        &[
            "tz-pacific-chatham::verification.get.single-use".to_owned(),
            "flow.email.link-used-twice".to_owned(),
        ],
        None,
    );
    assert!(
        matches!(
            &r,
            Reach::Reached {
                scenario,
                real_core_lane: true,
                ..
            } if scenario == "email.link-used-twice"
        ),
        "{r:?}"
    );
    assert_eq!(s, Severity::Security);
    // A flow rule is core's own sequence, whatever the cause it was diagnosed with; the most
    // serious path of a finding's rules decides.
    let (r, s) = reach::judge(
        Profile::Authjs,
        "errors",
        Severity::Contract,
        &[
            "authjs.users.update.missing-is-not-found".to_owned(),
            "authjs.flows.oauth.linking-while-signed-in".to_owned(),
        ],
        None,
    );
    assert!(
        matches!(&r, Reach::Reached { scenario, .. } if scenario == "oauth.linking-while-signed-in"),
        "{r:?}"
    );
    assert_eq!(s, Severity::Contract);
    // A re-cased callback address: only the link's holder can do it, into the same mailbox.
    let (r, s) = reach::judge(
        Profile::V3,
        "inexact-lookup",
        Severity::Security,
        &["flow.email.callback-case-as-declared".to_owned()],
        None,
    );
    assert!(r.is_reached(), "{r:?}");
    assert_eq!(s, Severity::Contract);
    // Precision stays precision, reached or not.
    let (_, s) = reach::judge(
        Profile::Authjs,
        "timestamp-precision",
        Severity::Precision,
        &["authjs.data.timestamps.declared-precision".to_owned()],
        None,
    );
    assert_eq!(s, Severity::Precision);
    // Where the real-core lane ran the scenario on the adapter, what it saw decides.
    let race = ["authjs.concurrency.verification.used-once".to_owned()];
    let mut lane = reach::Lane::default();
    lane.shown
        .insert("email.link-used-concurrently".to_owned(), true);
    let (r, s) = reach::judge(
        Profile::Authjs,
        "link-reuse",
        Severity::Security,
        &race,
        Some(&lane),
    );
    assert!(
        matches!(
            r,
            Reach::Reached {
                shown_by_lane: true,
                real_core_lane: true,
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(s, Severity::Security);
    lane.shown
        .insert("email.link-used-concurrently".to_owned(), false);
    let (r, s) = reach::judge(
        Profile::Authjs,
        "link-reuse",
        Severity::Security,
        &race,
        Some(&lane),
    );
    assert!(
        matches!(&r, Reach::NotReached { reason, .. } if reason.contains("real-core lane ran email.link-used-concurrently")),
        "{r:?}"
    );
    assert_eq!(s, Severity::Contract);
    // Shown only in another session zone: core reads through the adapter alone.
    let (r, s) = reach::judge(
        Profile::V3,
        "time-zone",
        Severity::Integrity,
        &["tz-pacific-chatham::verification.get.expired-is-none".to_owned()],
        None,
    );
    assert!(!r.is_reached(), "{r:?}");
    assert_eq!(s, Severity::Contract);
}

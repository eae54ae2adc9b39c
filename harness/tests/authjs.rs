//! The Auth.js profile proves itself: the reference conforms under every declared value, every
//! deliberately broken adapter is caught by the rules it names (and not only by the property
//! test) in every run, and the catalogue cites all 22 of Auth.js's shared test cases.

use nextauth_adapter::authjs::{Capabilities, IdSource, MethodSet};
use nextauth_adapter::{EmailMatching, TimestampPrecision};
use nextauth_adapter_harness::authjs::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::authjs::{self, ReferenceFactory};
use nextauth_adapter_harness::suite::{Suite, Target, run_rules};
use nextauth_adapter_harness::{Level, Outcome, Profile, SuiteOptions, Verdict, sources};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every value of every capability, each varied alone from the full declaration, and the
/// declarations of the real adapters the survey found.
fn declarations() -> Vec<Capabilities> {
    let full = Capabilities::FULL;
    let mut all = vec![full];
    for methods in [
        MethodSet::CORE,
        MethodSet::CORE.union(MethodSet::VERIFICATION),
        MethodSet::CORE.union(MethodSet::DELETION),
        MethodSet::ALL.without(MethodSet::WEBAUTHN),
        MethodSet::VERIFICATION,
    ] {
        all.push(Capabilities { methods, ..full });
    }
    all.push(Capabilities {
        user_id: IdSource::Adapter,
        ..full
    });
    for email_matching in [
        EmailMatching::CaseInsensitive,
        EmailMatching::MysqlGeneralCi,
    ] {
        all.push(Capabilities {
            email_matching,
            ..full
        });
    }
    for timestamp_precision in [
        TimestampPrecision::Microsecond,
        TimestampPrecision::Second,
        TimestampPrecision::SqlServerDatetime,
    ] {
        all.push(Capabilities {
            timestamp_precision,
            ..full
        });
    }
    // Prisma on MariaDB: own ids, case-insensitive addresses, no WebAuthn.
    all.push(Capabilities {
        methods: MethodSet::ALL.without(MethodSet::WEBAUTHN),
        user_id: IdSource::Adapter,
        email_matching: EmailMatching::CaseInsensitive,
        timestamp_precision: TimestampPrecision::Millisecond,
    });
    all
}

/// Rules about what the adapter declares: a declaration without those methods fails them by
/// design, the reference included.
fn about_the_declaration(id: &str) -> bool {
    id.starts_with("authjs.adapter.methods.") && id.ends_with("-declared")
}

#[test]
fn the_reference_conforms_under_every_declaration() {
    for caps in declarations() {
        let suite = Suite::authjs(
            Arc::new(ReferenceFactory::with_capabilities(caps)),
            SuiteOptions::default(),
        );
        let report = suite.certify(&|_| {}).expect("a runtime");
        for r in &report.results {
            if let Outcome::Failed(why) = &r.outcome {
                assert!(
                    about_the_declaration(&r.id),
                    "the reference declaring {caps:?} fails {}: {why}",
                    r.id
                );
            }
        }
        assert_eq!(report.profile, Profile::Authjs);
        let declares_core = caps.methods.contains_all(MethodSet::CORE);
        assert_eq!(
            report.verdict == Verdict::Conforms,
            declares_core,
            "the reference declaring {caps:?}: {:?}",
            report.verdict
        );
        // Rules about undeclared methods are not applicable, with the reason.
        for r in &report.results {
            if let Outcome::NotApplicable(reason) = &r.outcome {
                assert!(reason.starts_with("the adapter "), "{}: {reason}", r.id);
            }
        }
    }
}

fn failed(outcomes: &[nextauth_adapter_harness::RuleOutcome]) -> BTreeSet<String> {
    outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
        .map(|o| o.id.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_adapter_is_caught_by_its_named_rules_in_every_run() {
    let rules = authjs::catalogue::all();
    assert!(
        Defect::all().len() >= 15,
        "only {} broken Auth.js adapters",
        Defect::all().len()
    );
    // Every rule can fail: each is named by a broken adapter it catches.
    for rule in &rules {
        assert!(
            Defect::all().iter().any(|d| d.caught_by.contains(&rule.id)),
            "no broken adapter proves that {} can fail",
            rule.id
        );
    }
    let mut seen = BTreeSet::new();
    for defect in Defect::all() {
        assert!(seen.insert(defect.name), "{defect:?} is listed twice");
        assert!(!defect.caught_by.is_empty(), "{defect:?} names no rule");
        let mut first: Option<BTreeSet<String>> = None;
        for _run in 0..2 {
            let outcomes = run_rules(
                Target::Authjs(Arc::new(BrokenFactory::new(*defect))),
                &rules,
                &SuiteOptions::default(),
                &|_| {},
            )
            .await;
            let failed = failed(&outcomes);
            for expected in defect.caught_by {
                assert!(
                    authjs::catalogue::find(expected).is_some(),
                    "{defect:?} names {expected}, which is not an Auth.js rule"
                );
                assert!(
                    failed.contains(*expected),
                    "{defect:?} was not caught by {expected}; failed: {failed:?}"
                );
            }
            match &first {
                None => first = Some(failed),
                Some(before) => assert_eq!(
                    before, &failed,
                    "{defect:?}: two runs failed different rules"
                ),
            }
        }
    }
}

#[test]
fn the_property_test_catches_a_broken_adapter_and_passes_the_reference() {
    let config = nextauth_adapter_harness::properties::PropertyConfig {
        cases: 64,
        ..nextauth_adapter_harness::properties::PropertyConfig::ci()
    };
    let (outcome, _, _) =
        authjs::properties::check_properties(&ReferenceFactory::default(), &config);
    assert_eq!(outcome, Outcome::Passed);
    let broken = BrokenFactory::new(Defect::find("authjs-token-not-consumed").expect("a defect"));
    let (outcome, _, _) = authjs::properties::check_properties(&broken, &config);
    match outcome {
        Outcome::Failed(why) => assert!(why.contains("diverges from the reference"), "{why}"),
        other => panic!("the property test let a reusable token through: {other:?}"),
    }
    // A MUST test: what only SHOULD rules ask (no orphan rows) is left to those rules.
    let should_only =
        BrokenFactory::new(Defect::find("authjs-orphans-accepted").expect("a defect"));
    let (outcome, _, _) = authjs::properties::check_properties(&should_only, &config);
    assert_eq!(
        outcome,
        Outcome::Passed,
        "the property test judged a SHOULD behaviour"
    );
}

#[test]
fn the_catalogue_is_named_sourced_and_cites_every_shared_test_case() {
    let rules = authjs::catalogue::all();
    let mut ids = BTreeSet::new();
    let mut cited = BTreeSet::new();
    for rule in &rules {
        assert!(ids.insert(rule.id), "{} is listed twice", rule.id);
        assert!(
            rule.id.starts_with("authjs."),
            "{} lacks the profile's prefix",
            rule.id
        );
        assert_eq!(rule.profile(), Profile::Authjs, "{}", rule.id);
        for citation in sources::citations(rule.source) {
            sources::resolve(citation).unwrap_or_else(|e| panic!("{}: {e}", rule.id));
            if let Some(n) = citation.strip_prefix("AJS#") {
                cited.insert(n.parse::<u32>().expect("a case number"));
            }
        }
    }
    let all: BTreeSet<u32> = (1..=22).collect();
    assert_eq!(cited, all, "shared test cases not cited by an Auth.js rule");
    assert!(rules.iter().filter(|r| r.level == Level::Must).count() >= 50);
}

/// The Auth.js reference, whose fixtures cannot be opened after the first `works` (the
/// suite's own check that the backend answers): a server that went away under the run.
struct FailsAfter {
    works: usize,
    opened: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl authjs::BackendFactory for FailsAfter {
    fn name(&self) -> String {
        "fails-after".to_owned()
    }

    fn capabilities(&self) -> Capabilities {
        ReferenceFactory::default().capabilities()
    }

    async fn open(
        &self,
    ) -> Result<authjs::Fixture, nextauth_adapter_harness::backend::BackendError> {
        if self
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            < self.works
        {
            ReferenceFactory::default().open().await
        } else {
            Err("could not extend file \"base/5/1247\": No space left on device".into())
        }
    }
}

#[test]
fn a_property_test_whose_fixtures_cannot_be_set_up_is_not_run_not_a_finding() {
    let suite = Suite::authjs(
        Arc::new(FailsAfter {
            works: 1,
            opened: Default::default(),
        }),
        SuiteOptions::default(),
    );
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let outcome = runtime.block_on(
        suite.run(&nextauth_adapter_harness::suite::Case::Properties(
            Profile::Authjs,
        )),
    );
    match &outcome.outcome {
        Outcome::NotRun(why) => assert!(why.contains("No space left on device"), "{why}"),
        other => panic!("expected not run, got {other:?}"),
    }
    assert_eq!(outcome.cause, None);
}

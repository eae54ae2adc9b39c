//! Every rule can fail: each deliberately broken adapter is caught by the rules it names,
//! and the reference under every capability configuration passes every rule that applies.

use nextauth_adapter::{
    Capabilities, DeleteUserSupport, EmailMatching, ExpiredSessionHandling, TimestampPrecision,
    UnlinkAccountSupport, VerificationConsumption,
};
use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::{Outcome, ReferenceFactory, SuiteOptions, catalogue, run_suite};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_is_caught_by_its_named_rules() {
    let rules = catalogue::all();
    assert!(
        Defect::ALL.len() >= 20,
        "the issue asks for at least 20 broken adapters"
    );
    let mut report = Vec::new();
    for defect in Defect::ALL {
        let outcomes = run_suite(
            &BrokenFactory::new(defect),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
            .map(|o| o.id.as_str())
            .collect();
        for expected in defect.caught_by() {
            assert!(
                catalogue::find(expected).is_some(),
                "{defect:?} names rule {expected}, which is not in the catalogue"
            );
            assert!(
                failed.contains(expected),
                "{defect:?} was not caught by {expected}; failed rules: {failed:?}"
            );
        }
        if defect != Defect::EveryThirdUpdateExtends {
            assert!(!failed.is_empty(), "{defect:?} passed every rule");
        }
        report.push(format!(
            "{:<32} caught by {} rule(s): {}",
            defect.name(),
            failed.len(),
            failed.join(", ")
        ));
    }
    println!("{}", report.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequence_defect_escapes_every_scenario_rule() {
    // The property tests exist because of defects like this one: no single scenario catches it.
    let outcomes = run_suite(
        &BrokenFactory::new(Defect::EveryThirdUpdateExtends),
        &catalogue::all(),
        &SuiteOptions::default(),
        &|_| {},
    )
    .await;
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
        .map(|o| &o.id)
        .collect();
    assert!(
        failed.is_empty(),
        "a scenario rule caught the sequence defect after all: {failed:?}"
    );
}

fn all_capability_variants() -> Vec<Capabilities> {
    let mut out = Vec::new();
    for expired_session in [
        ExpiredSessionHandling::DeleteOnRead,
        ExpiredSessionHandling::KeepRow,
    ] {
        for delete_user in [
            DeleteUserSupport::Unsupported,
            DeleteUserSupport::UserOnly,
            DeleteUserSupport::Cascade,
        ] {
            for unlink_account in [
                UnlinkAccountSupport::Unsupported,
                UnlinkAccountSupport::Supported,
            ] {
                for email_matching in [EmailMatching::Exact, EmailMatching::CaseInsensitive] {
                    for verification_consumption in [
                        VerificationConsumption::OnGet,
                        VerificationConsumption::OnDelete,
                    ] {
                        out.push(Capabilities {
                            expired_session,
                            delete_user,
                            unlink_account,
                            email_matching,
                            verification_consumption,
                            ..Capabilities::HARDENED
                        });
                    }
                }
            }
        }
    }
    for timestamp_precision in [
        TimestampPrecision::Millisecond,
        TimestampPrecision::Second,
        TimestampPrecision::SqlServerDatetime,
    ] {
        out.push(Capabilities {
            timestamp_precision,
            ..Capabilities::HARDENED
        });
    }
    out.push(Capabilities::V3_TYPEORM);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_passes_every_applicable_rule_under_every_capability_variant() {
    let rules = catalogue::all();
    for caps in all_capability_variants() {
        let outcomes = run_suite(
            &ReferenceFactory::with_capabilities(caps),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        let failed: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match &o.outcome {
                Outcome::Failed(reason) => Some(format!("{}: {reason}", o.id)),
                _ => None,
            })
            .collect();
        assert!(
            failed.is_empty(),
            "the reference with {caps:?} failed:\n{}",
            failed.join("\n")
        );
        let must_na: Vec<_> = outcomes
            .iter()
            .filter(|o| {
                o.level == nextauth_adapter_harness::Level::Must
                    && matches!(o.outcome, Outcome::NotApplicable(_))
            })
            .map(|o| &o.id)
            .collect();
        assert!(
            must_na.is_empty(),
            "MUST rules were not applicable to {caps:?}: {must_na:?}"
        );
    }
}

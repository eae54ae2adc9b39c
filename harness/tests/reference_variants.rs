//! The reference adapter conforms under every value of every capability: the catalogue's
//! MUST rules about each declared value run against a reference declaring it. With
//! `reference_conformance` (the default capabilities, through the runner, with the property
//! test), this is what `cargo mutants` runs against mutants of `reference/src`
//! (`.cargo/mutants.toml`).

use nextauth_adapter_harness::{
    Level, Outcome, ReferenceFactory, SuiteOptions, catalogue, run_suite,
};
use std::sync::Arc;

fn all_capability_variants() -> Vec<nextauth_adapter::Capabilities> {
    use nextauth_adapter::{
        Capabilities, DeleteUserSupport, EmailMatching, ExpiredSessionHandling, TimestampPrecision,
        TimestampRange, UnlinkAccountSupport, VerificationConsumption,
    };
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
                for email_matching in [
                    EmailMatching::Exact,
                    EmailMatching::CaseInsensitive,
                    EmailMatching::MysqlGeneralCi,
                ] {
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
    out.push(Capabilities {
        timestamp_range: TimestampRange::Unix32,
        ..Capabilities::HARDENED
    });
    out.push(Capabilities {
        timestamp_range: TimestampRange::Unix32,
        timestamp_precision: TimestampPrecision::Second,
        email_matching: EmailMatching::MysqlGeneralCi,
        ..Capabilities::V3_TYPEORM
    });
    out.push(Capabilities::V3_TYPEORM);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_conforms_under_every_value_of_every_capability() {
    let rules = catalogue::all();
    for caps in all_capability_variants() {
        let outcomes = run_suite(
            Arc::new(ReferenceFactory::with_capabilities(caps)),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        // A rule that judges a declared value with core fails wherever the value is declared,
        // the reference too: that failure is the rule's point (its own check below).
        let with_core = |id: &str| {
            rules
                .iter()
                .any(|r| r.id == id && r.requires.judges_with_core())
        };
        for o in outcomes.iter().filter(|o| with_core(&o.id)) {
            let rule = rules.iter().find(|r| r.id == o.id).expect("a rule");
            match rule.requires.not_applicable(&caps) {
                None => assert!(
                    matches!(o.outcome, Outcome::Failed(_)),
                    "{} passed for the reference declaring {:?}: a declaration whose consequence with core it is must fail it",
                    o.id,
                    rule.requires
                ),
                Some(_) => assert!(
                    matches!(o.outcome, Outcome::NotApplicable(_)),
                    "{}: {:?}",
                    o.id,
                    o.outcome
                ),
            }
        }
        let failed: Vec<String> = outcomes
            .iter()
            .filter(|o| !with_core(&o.id))
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
        // Every MUST rule that is not applicable names the declaration that rules it out, or,
        // for a fault rule, why the reference has no fault injector.
        for o in &outcomes {
            if let (Level::Must, Outcome::NotApplicable(reason)) = (o.level, &o.outcome) {
                if o.id.starts_with("fault.") && !reason.contains("declares") {
                    assert!(reason.contains("no fault injector"), "{}: {reason}", o.id);
                } else {
                    assert!(reason.contains("declares"), "{}: {reason}", o.id);
                }
            }
        }
    }
}

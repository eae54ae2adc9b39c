//! Every rule can fail: each deliberately broken adapter is caught by the named rules it
//! lists, not only by the property test. Part of what `cargo mutants` runs against mutants of
//! `reference/src` (`.cargo/mutants.toml`): the broken adapters are built on the reference.

use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::{Outcome, SuiteOptions, catalogue, run_suite};
use std::collections::BTreeSet;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_is_caught_by_its_named_rules() {
    let rules = catalogue::all();
    assert!(
        Defect::all().len() >= 40,
        "only {} broken adapters",
        Defect::all().len()
    );
    let mut report = Vec::new();
    for defect in Defect::all() {
        assert!(
            !defect.caught_by.is_empty(),
            "{defect:?} names no rule that catches it"
        );
        // The named rules only: the property test is not part of this run.
        let outcomes = run_suite(
            Arc::new(BrokenFactory::new(*defect)),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        let failed: BTreeSet<String> = outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
            .map(|o| o.id.clone())
            .collect();
        for expected in defect.caught_by {
            assert!(
                catalogue::find(expected).is_some(),
                "{defect:?} names rule {expected}, which is not in the catalogue"
            );
            assert!(
                failed.contains(*expected),
                "{defect:?} was not caught by {expected}; failed rules: {failed:?}"
            );
        }
        report.push(format!(
            "{:<36} caught by {} rule(s): {}",
            defect.name,
            failed.len(),
            failed.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    println!("{}", report.join("\n"));
}

/// The defects of keys folded along an axis (specification H13) are caught by the key rules,
/// and by no rule outside them but the older e-mail rule whose samples include an accent:
/// no other part of the catalogue looks at a key along these axes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axis_defects_are_caught_by_the_key_rules_only() {
    const KEY_RULES: &[&str] = &[
        "security.email.lookup-every-axis-as-declared",
        "security.email.unique-every-axis-as-declared",
        "security.account.key-exact-on-every-axis",
        "security.session.token-exact-on-every-axis",
        "security.verification.key-exact-on-every-axis",
        // Its samples are a re-cased, an accented and a dotted-İ address.
        "user.get-by-email.declared-matching",
    ];
    let rules = catalogue::all();
    for name in [
        "keys-case-folded",
        "keys-blanks-trimmed",
        "keys-unicode-folded",
        "email-unique-pad-space",
    ] {
        let outcomes = run_suite(
            Arc::new(BrokenFactory::new(Defect::named(name))),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        let outside: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
            .map(|o| o.id.as_str())
            .filter(|id| !KEY_RULES.contains(id))
            .collect();
        assert!(
            outside.is_empty(),
            "{name} is caught by rules outside the key rules: {outside:?}"
        );
    }
}

//! Every verdict is reproducible: every race defect is caught by its race rule in every run,
//! the races stay fast, and twenty certifications of the reference and of every broken adapter
//! give the same verdict and the same failing rules.

use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::suite::{Case, Suite};
use nextauth_adapter_harness::{
    BackendFactory, Outcome, ReferenceFactory, RuleKind, SuiteOptions, Verdict, catalogue,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn failed_ids(outcomes: &[nextauth_adapter_harness::RuleOutcome]) -> BTreeSet<String> {
    outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
        .map(|o| o.id.clone())
        .collect()
}

/// A certification of `factory`: verdict and failing rules.
fn certify(factory: Arc<dyn BackendFactory>) -> (Verdict, BTreeSet<String>) {
    let report = Suite::new(factory, SuiteOptions::default())
        .certify(&|_| {})
        .expect("a runtime");
    assert!(report.complete);
    (report.verdict, failed_ids(&report.results))
}

#[test]
fn twenty_certifications_give_identical_verdicts() {
    let mut subjects: Vec<(String, Arc<dyn BackendFactory>)> =
        vec![("reference".into(), Arc::new(ReferenceFactory::default()))];
    for d in Defect::all() {
        subjects.push((d.name.to_owned(), Arc::new(BrokenFactory::new(*d))));
    }
    let started = Instant::now();
    for (name, factory) in subjects {
        let first = certify(Arc::clone(&factory));
        if name == "reference" {
            assert_eq!(first.0, Verdict::Conforms, "{:?}", first.1);
        } else {
            assert!(!first.1.is_empty(), "{name} passed every rule");
        }
        for run in 2..=20 {
            let again = certify(Arc::clone(&factory));
            assert_eq!(
                again, first,
                "{name}: certification {run} differs from the first"
            );
        }
    }
    println!(
        "20 certifications of {} subjects in {:?}",
        Defect::all().len() + 1,
        started.elapsed()
    );
}

#[test]
fn every_race_defect_is_caught_by_its_race_rule_in_100_of_100_runs() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let races: Vec<&Defect> = Defect::all().iter().filter(|d| d.is_race()).collect();
    assert!(races.len() >= 4, "{races:?}");
    for defect in races {
        let suite = Suite::new(
            Arc::new(BrokenFactory::new(*defect)),
            SuiteOptions::default(),
        );
        for rule_id in defect.caught_by {
            let rule = catalogue::find(rule_id).expect("a rule");
            assert_eq!(rule.kind, RuleKind::Race, "{rule_id} is not a race");
            let case = Case::Rule(rule);
            let mut caught = 0;
            for _ in 0..100 {
                if matches!(
                    runtime.block_on(suite.run(&case)).outcome,
                    Outcome::Failed(_)
                ) {
                    caught += 1;
                }
            }
            assert_eq!(
                caught, 100,
                "{} was caught by {rule_id} in {caught} of 100 runs",
                defect.name
            );
        }
    }
}

#[test]
fn race_rules_take_under_five_seconds_in_a_reference_certification() {
    let report = Suite::new(
        Arc::new(ReferenceFactory::default()),
        SuiteOptions::default(),
    )
    .certify(&|_| {})
    .expect("a runtime");
    let races: Vec<_> = report
        .results
        .iter()
        .filter(|r| catalogue::find(&r.id).is_some_and(|rule| rule.kind == RuleKind::Race))
        .collect();
    assert!(races.len() >= 7);
    let total: Duration = races
        .iter()
        .map(|r| Duration::from_millis(r.duration_ms))
        .sum();
    println!("race rules: {total:?} in all");
    assert!(total < Duration::from_secs(5), "race rules took {total:?}");
}

//! The soak finds what it exists to find: the reference soaks clean, and adapters with a
//! single-use race or a rolled expiry that is never stored are caught by its invariants.

use nextauth_adapter_harness::ReferenceFactory;
use nextauth_adapter_harness::broken::BrokenFactory;
use nextauth_adapter_harness::soak::{SoakOptions, soak};
use std::sync::Arc;
use std::time::Duration;

/// Five seconds with the clock moving a minute every 50 ms: an hour-long session's first
/// expiry comes after three.
fn short() -> SoakOptions {
    SoakOptions {
        duration: Duration::from_secs(5),
        clock_step: chrono::Duration::minutes(1),
        ..SoakOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reference_soaks_clean() {
    let figures = soak(Arc::new(ReferenceFactory::default()), &short(), &|_| {})
        .await
        .expect("soak");
    assert!(figures.passed(), "{:#?}", figures.violations);
    assert_eq!(
        figures.flows.len(),
        6,
        "every flow ran: {:?}",
        figures.flows
    );
    assert!(
        figures.flows.values().all(|n| *n > 0),
        "{:?}",
        figures.flows
    );
    assert!(figures.simulated_hours > 0.5, "{}", figures.simulated_hours);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn broken_adapters_violate_its_invariants() {
    for (defect, symptom) in [
        ("racy-consume", "signed in 2 times"),
        ("extension-not-stored", "did not resolve"),
    ] {
        let figures = soak(Arc::new(BrokenFactory::named(defect)), &short(), &|_| {})
            .await
            .expect("soak");
        assert!(!figures.passed(), "{defect} soaked clean: {figures:#?}");
        assert!(
            figures.violations.iter().any(|v| v.contains(symptom)),
            "{defect}: no violation says {symptom:?}: {:#?}",
            figures.violations
        );
    }
}

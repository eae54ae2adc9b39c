//! The differential property tests: the reference against itself passes at the CI setting,
//! a sequence-dependent defect is found and shrunk, and saved regressions are replayed.

use nextauth_adapter::Capabilities;
use nextauth_adapter_harness::ReferenceFactory;
use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::properties::{PropertyConfig, check_properties, load_regressions};

fn config(cases: u32, seed: u64) -> PropertyConfig {
    PropertyConfig {
        cases,
        max_steps: 40,
        seed,
        regressions: None,
    }
}

#[test]
fn reference_against_itself_passes_the_ci_setting() {
    let c = PropertyConfig {
        regressions: None,
        ..PropertyConfig::ci()
    };
    assert!(
        c.cases >= 256 && c.max_steps >= 40,
        "the CI default is at least 256 sequences of up to 40 steps"
    );
    let stats =
        check_properties(&ReferenceFactory::default(), &c).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(stats.cases, c.cases);
}

#[test]
fn reference_with_v3_typeorm_capabilities_against_itself_passes() {
    let f = ReferenceFactory::with_capabilities(Capabilities::V3_TYPEORM);
    check_properties(&f, &config(64, 7)).unwrap_or_else(|f| panic!("{f}"));
}

#[test]
fn sequence_defect_is_found_and_shrunk_to_at_most_eight_steps() {
    let failure = check_properties(
        &BrokenFactory::new(Defect::EveryThirdUpdateExtends),
        &config(256, 42),
    )
    .expect_err("the property test must find the every-third-update defect");
    println!("{failure}");
    assert!(
        failure.steps.len() <= 8,
        "shrunk to {} steps:\n{failure}",
        failure.steps.len()
    );
    let text = failure.to_string();
    assert!(text.contains("update_session"), "{text}");
    assert!(text.contains("NEXTAUTH_PROPTEST_SEED=42"), "{text}");
}

#[test]
fn defects_scenario_rules_catch_are_found_by_properties_too() {
    for defect in [
        Defect::ExpiredSessionReturned,
        Defect::DuplicateEmailAccepted,
        Defect::VerificationIdentifierIgnored,
    ] {
        let failure = check_properties(&BrokenFactory::new(defect), &config(256, 3));
        assert!(failure.is_err(), "{defect:?} escaped 256 sequences");
    }
}

#[test]
fn saved_regressions_are_replayed_first() {
    let dir = std::env::temp_dir().join(format!("nextauth-regressions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let broken = BrokenFactory::new(Defect::EveryThirdUpdateExtends);
    let found = check_properties(
        &broken,
        &PropertyConfig {
            regressions: Some(dir.clone()),
            ..config(256, 42)
        },
    )
    .expect_err("defect found");
    let saved = found.saved_to.clone().expect("the failure is saved");
    assert!(saved.starts_with(&dir));
    let loaded = load_regressions(&dir);
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].steps, found.steps);

    // The next run replays it before any random case: zero random cases still fail on it.
    let replayed = check_properties(
        &broken,
        &PropertyConfig {
            regressions: Some(dir.clone()),
            ..config(0, 1)
        },
    )
    .expect_err("the saved regression fails again");
    assert_eq!(
        replayed.seed, None,
        "failed on the saved regression, not a random case"
    );
    assert_eq!(replayed.steps, found.steps);

    // A correct adapter replays it and passes.
    let ok = check_properties(
        &ReferenceFactory::default(),
        &PropertyConfig {
            regressions: Some(dir.clone()),
            ..config(0, 1)
        },
    )
    .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(ok.regressions_replayed, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

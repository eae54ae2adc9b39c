//! The differential property tests: the reference against itself passes at the CI setting,
//! a sequence-dependent defect is found and shrunk, saved regressions are replayed, the
//! default seed is fixed, a SHOULD-level difference is reported against its SHOULD rule
//! instead of failing the test, and traces name entities by the step that created them.

use nextauth_adapter::Capabilities;
use nextauth_adapter_harness::broken::BrokenFactory;
use nextauth_adapter_harness::properties::{
    PropertyConfig, check_properties, default_seed, load_regressions,
};
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory};

fn config(cases: u32, seed: u64) -> PropertyConfig {
    PropertyConfig {
        cases,
        max_steps: 40,
        seed,
        explore: false,
        regressions: None,
    }
}

#[test]
fn reference_against_itself_passes_the_ci_setting() {
    let c = PropertyConfig::ci();
    assert!(
        c.cases >= 256 && c.max_steps >= 40,
        "the CI default is at least 256 sequences of up to 40 steps"
    );
    let stats =
        check_properties(&ReferenceFactory::default(), &c).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(stats.cases, c.cases);
    assert!(stats.should_divergences.is_empty());
}

#[test]
fn the_default_seed_is_fixed_and_exploring_is_explicit() {
    assert_eq!(PropertyConfig::ci().seed, default_seed());
    assert_eq!(PropertyConfig::ci().seed, PropertyConfig::ci().seed);
    assert!(!PropertyConfig::ci().explore);
    let explore = PropertyConfig::ci().exploring();
    assert!(explore.explore);
    let again = PropertyConfig::ci().exploring();
    assert_ne!(
        explore.seed, again.seed,
        "two explorations drew the same seed"
    );
}

#[test]
fn reference_with_v3_typeorm_capabilities_against_itself_passes() {
    let f = ReferenceFactory::with_capabilities(Capabilities::V3_TYPEORM);
    check_properties(&f, &config(64, 7)).unwrap_or_else(|f| panic!("{f}"));
}

#[test]
fn sequence_defect_is_found_and_shrunk_to_at_most_eight_steps() {
    let failure = check_properties(
        &BrokenFactory::named("every-third-update-extends"),
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
fn traces_name_entities_by_the_step_that_created_them() {
    let failure = check_properties(
        &BrokenFactory::named("every-third-update-extends"),
        &config(256, 42),
    )
    .expect_err("found");
    let trace = failure.trace();
    // The session the failing update touches is named by its create_session step.
    let create_step = failure
        .steps
        .iter()
        .position(|op| {
            matches!(
                op,
                nextauth_adapter_harness::properties::step::Op::CreateSession(_)
            )
        })
        .expect("a create_session step")
        + 1;
    assert!(
        trace.contains(&format!("session@{create_step}")),
        "the trace does not name the session by step {create_step}:\n{trace}"
    );
    assert!(!trace.contains("#0"), "{trace}");
}

#[test]
fn defects_scenario_rules_catch_are_found_by_properties_too() {
    for defect in [
        "expired-session-returned",
        "duplicate-email-accepted",
        "verification-identifier-ignored",
    ] {
        let failure = check_properties(&BrokenFactory::named(defect), &config(256, 3));
        assert!(failure.is_err(), "{defect} escaped 256 sequences");
    }
}

#[test]
fn a_should_level_difference_is_reported_against_its_rule_not_as_a_failure() {
    // The adapter upserts on update_user of a deleted user: a SHOULD behaviour. The property
    // test passes (it holds the adapter to MUST behaviour only) and names the SHOULD rule.
    let stats = check_properties(
        &BrokenFactory::named("update-user-upserts"),
        &PropertyConfig::ci(),
    )
    .unwrap_or_else(|f| panic!("a SHOULD-level difference failed the property test:\n{f}"));
    let rules: Vec<&str> = stats.should_divergences.iter().map(|d| d.rule).collect();
    assert_eq!(rules, vec!["user.update.missing-is-not-found"], "{stats:?}");
    let d = &stats.should_divergences[0];
    assert!(d.trace.contains("update_user"), "{}", d.trace);
    assert!(d.trace.contains("delete_user"), "{}", d.trace);
}

#[test]
fn saved_regressions_are_replayed_first() {
    let dir = std::env::temp_dir().join(format!("nextauth-regressions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let broken = BrokenFactory::named("every-third-update-extends");
    let found = check_properties(
        &broken,
        &PropertyConfig {
            regressions: Some(dir.clone()),
            ..config(256, 42)
        },
    )
    .expect_err("defect found");
    let saved = found.saved_to.clone().expect("the failure is saved");
    // A deliberately broken adapter's find is kept under its own name, apart from real ones'.
    let own = dir.join("broken").join(broken.name());
    assert!(saved.starts_with(&own), "{}", saved.display());
    let loaded = load_regressions::<nextauth_adapter_harness::properties::step::Op>(&own);
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

    // A real adapter does not replay a demonstration's find.
    let reference = || {
        check_properties(
            &ReferenceFactory::default(),
            &PropertyConfig {
                regressions: Some(dir.clone()),
                ..config(0, 1)
            },
        )
        .unwrap_or_else(|f| panic!("{f}"))
    };
    assert_eq!(reference().regressions_replayed, 0);

    // The same sequence found on a real backend is replayed by every adapter, and a correct
    // one passes it.
    std::fs::copy(&saved, dir.join(saved.file_name().expect("a file"))).expect("copied");
    assert_eq!(reference().regressions_replayed, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A backend that cannot open at all (its server gone) fails the property test, and leaves no
/// regression behind: an empty sequence has nothing about the adapter to replay.
#[test]
fn a_backend_that_cannot_open_fails_without_saving_a_regression() {
    use async_trait::async_trait;
    use nextauth_adapter::AdapterConfig;
    use nextauth_adapter_harness::Fixture;
    use nextauth_adapter_harness::backend::BackendError;

    struct Gone;
    #[async_trait]
    impl BackendFactory for Gone {
        fn name(&self) -> String {
            "gone".to_owned()
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::default()
        }
        async fn open(&self, _: AdapterConfig) -> Result<Fixture, BackendError> {
            Err("connection refused".into())
        }
    }

    let dir = std::env::temp_dir().join(format!("nextauth-gone-{}", std::process::id()));
    let failure = check_properties(
        &Gone,
        &PropertyConfig {
            regressions: Some(dir.clone()),
            ..config(8, default_seed())
        },
    )
    .expect_err("a backend that cannot open fails");
    assert!(
        failure.to_string().contains("connection refused"),
        "{failure}"
    );
    assert!(
        load_regressions::<nextauth_adapter_harness::properties::step::Op>(&dir).is_empty(),
        "nothing saved for a backend that never opened"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! The suite: what a certification run consists of (the rules, their reruns in a second
//! time zone, the differential property test) and how each case runs, shared by the
//! libtest-mimic runner (`cargo test`) and `nextauth-certify`.

use crate::authjs;
use crate::backend::BackendFactory;
use crate::catalogue;
use crate::execute::{Outcome, RaceRuntime, RuleOutcome, run_rule};
use crate::properties::{self, PropertyConfig, PropertyRun, ShouldDivergence, check_properties};
use crate::report::{Declared, Report};
use crate::rule::{Level, Profile, Rule};
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The non-UTC time zone the time-sensitive rules run again in, when the backend supports it:
/// UTC+12:45 (+13:45 in summer), an offset no rounding to hours or half hours hides.
pub const SECOND_TIME_ZONE: &str = "Pacific/Chatham";

/// The environment variable that makes failing SHOULD rules fail the run (`1`).
pub const STRICT_ENV: &str = "NEXTAUTH_STRICT";

/// Which cases a run selects, by libtest's rules: with no filter every case, else the cases
/// whose id contains a filter (equals one, with `exact`); then every case whose id contains a
/// `skip` pattern (equals one, with `exact`) is left out. The libtest-mimic runner gets the
/// same from libtest's own `FILTER`, `--exact` and `--skip`; `nextauth-certify` takes the same
/// flags and selects with this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Keep cases matching any of these (none: every case).
    pub filters: Vec<String>,
    /// Leave out cases matching any of these.
    pub skip: Vec<String>,
    /// Match whole ids instead of substrings.
    pub exact: bool,
}

impl Selection {
    /// Whether `pattern` matches `id`.
    fn matches(&self, pattern: &str, id: &str) -> bool {
        if self.exact {
            id == pattern
        } else {
            id.contains(pattern)
        }
    }

    /// Whether the case with this id is selected.
    pub fn selects(&self, id: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(f, id)))
            && !self.skip.iter().any(|s| self.matches(s, id))
    }
}

/// Settings of a suite run.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// How many cases run at once (each rule in its own namespace).
    pub concurrency: usize,
    /// How long one rule may take before it fails as hung.
    pub rule_timeout: Duration,
    /// Whether failing SHOULD rules fail the run (`NEXTAUTH_STRICT=1`).
    pub strict: bool,
    /// The differential property test's settings.
    pub properties: PropertyConfig,
}

impl Default for SuiteOptions {
    /// Eight cases at once, a minute per rule, not strict, the property test's reproducible
    /// default (its fixed seed, no regressions directory).
    fn default() -> Self {
        SuiteOptions {
            concurrency: 8,
            rule_timeout: Duration::from_secs(60),
            strict: false,
            properties: PropertyConfig::ci(),
        }
    }
}

impl SuiteOptions {
    /// The options the environment asks for: `NEXTAUTH_STRICT` and the property test's
    /// variables (see [`crate::properties`]).
    pub fn from_env() -> Self {
        SuiteOptions {
            strict: std::env::var(STRICT_ENV).is_ok_and(|v| v.trim() == "1"),
            properties: PropertyConfig::from_env(),
            ..SuiteOptions::default()
        }
    }

    /// The same options, replaying and saving regressions in `dir` unless the environment
    /// named another directory.
    pub fn with_regressions_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.properties.regressions.get_or_insert(dir.into());
        self
    }
}

/// One case of a run.
#[derive(Clone)]
pub enum Case {
    /// A rule against the backend.
    Rule(Rule),
    /// A time-sensitive rule again, against the backend in [`SECOND_TIME_ZONE`].
    InTimeZone(Rule),
    /// The differential property test of the profile.
    Properties(Profile),
}

impl Case {
    /// The case's name in test lists and reports: the rule id, `tz-pacific-chatham::<id>`,
    /// or [`properties::PROPERTY_ID`].
    pub fn id(&self) -> String {
        match self {
            Case::Rule(rule) => rule.id.to_owned(),
            Case::InTimeZone(rule) => in_time_zone_id(rule.id),
            Case::Properties(Profile::V3) => properties::PROPERTY_ID.to_owned(),
            Case::Properties(Profile::Authjs) => authjs::properties::PROPERTY_ID.to_owned(),
        }
    }

    /// MUST or SHOULD.
    pub fn level(&self) -> Level {
        match self {
            Case::Rule(rule) | Case::InTimeZone(rule) => rule.level,
            Case::Properties(_) => Level::Must,
        }
    }
}

/// The id under which rule `rule_id` runs again in [`SECOND_TIME_ZONE`]:
/// `tz-pacific-chatham::<rule_id>`.
pub fn in_time_zone_id(rule_id: &str) -> String {
    format!(
        "tz-{}::{rule_id}",
        SECOND_TIME_ZONE.to_lowercase().replace('/', "-")
    )
}

/// What a suite certifies: a backend of one of the two profiles.
#[derive(Clone)]
pub enum Target {
    /// A v3 backend.
    V3(Arc<dyn BackendFactory>),
    /// An Auth.js backend.
    Authjs(Arc<dyn authjs::BackendFactory>),
}

impl Target {
    /// The contract the backend implements.
    pub fn profile(&self) -> Profile {
        match self {
            Target::V3(_) => Profile::V3,
            Target::Authjs(_) => Profile::Authjs,
        }
    }

    /// The backend's name.
    pub fn name(&self) -> String {
        match self {
            Target::V3(f) => f.name(),
            Target::Authjs(f) => f.name(),
        }
    }

    /// The backend's description.
    pub fn describe(&self) -> String {
        match self {
            Target::V3(f) => f.describe(),
            Target::Authjs(f) => f.describe(),
        }
    }

    /// What the backend declares.
    pub fn declared(&self) -> Declared {
        match self {
            Target::V3(f) => f.capabilities().into(),
            Target::Authjs(f) => f.capabilities().into(),
        }
    }

    /// Why the backend is gone for good, if it is.
    pub fn gone(&self) -> Option<String> {
        match self {
            Target::V3(f) => f.gone(),
            Target::Authjs(f) => f.gone(),
        }
    }

    /// Opens one fixture and tears it down: whether the backend can be reached and set up at
    /// all. `Err` says why not, in the words of what failed (the connection, the refused URL,
    /// the adapter process).
    pub async fn preflight(&self) -> Result<(), String> {
        let opened = match self {
            Target::V3(f) => f
                .open(crate::execute::rule_config_default())
                .await
                .map(|fixture| fixture.teardown),
            Target::Authjs(f) => f.open().await.map(|fixture| fixture.teardown),
        };
        let teardown = opened.map_err(|e| match self.gone() {
            Some(gone) => gone,
            None => format!("the backend could not be set up: {e}"),
        })?;
        match teardown {
            Some(teardown) => teardown()
                .await
                .map_err(|e| format!("the backend could not be torn down: {e}")),
            None => Ok(()),
        }
    }

    /// The profile's catalogue.
    pub fn catalogue(&self) -> Vec<Rule> {
        match self {
            Target::V3(_) => catalogue::all(),
            Target::Authjs(_) => authjs::catalogue::all(),
        }
    }
}

/// A certification run against one backend: its cases, how to run each, and the report.
pub struct Suite {
    target: Target,
    in_time_zone: Option<Arc<dyn BackendFactory>>,
    options: SuiteOptions,
    races: RaceRuntime,
    property: Mutex<Option<PropertyRun>>,
    should: Mutex<Vec<ShouldDivergence>>,
    /// Whether the backend could be set up, checked once before the first case runs; `Err`
    /// holds why not, and then no case touches the backend.
    reachable: tokio::sync::OnceCell<Result<(), String>>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("backend", &self.target.name())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// The suite for the v3 backend `factory`.
    pub fn new(factory: Arc<dyn BackendFactory>, options: SuiteOptions) -> Self {
        Suite::of(Target::V3(factory), options)
    }

    /// The suite for the Auth.js backend `factory`.
    pub fn authjs(factory: Arc<dyn authjs::BackendFactory>, options: SuiteOptions) -> Self {
        Suite::of(Target::Authjs(factory), options)
    }

    /// The suite for `target`.
    pub fn of(target: Target, options: SuiteOptions) -> Self {
        let in_time_zone = match &target {
            Target::V3(factory) => factory.in_time_zone(SECOND_TIME_ZONE),
            Target::Authjs(_) => None,
        };
        Suite {
            target,
            in_time_zone,
            options,
            races: RaceRuntime::default(),
            property: Mutex::new(None),
            should: Mutex::new(Vec::new()),
            reachable: tokio::sync::OnceCell::new(),
        }
    }

    /// The backend under test.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The options.
    pub fn options(&self) -> &SuiteOptions {
        &self.options
    }

    /// How the property test ran, once it has.
    pub fn property_run(&self) -> Option<PropertyRun> {
        self.property
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every case, the property test first (it is one long sequential case, so started first
    /// it runs beside the rules instead of alone after them), then the rules in catalogue
    /// order, then the time-zone reruns.
    pub fn cases(&self) -> Vec<Case> {
        let rules = self.target.catalogue();
        let mut cases = vec![Case::Properties(self.target.profile())];
        cases.extend(rules.iter().cloned().map(Case::Rule));
        if self.in_time_zone.is_some() {
            cases.extend(
                rules
                    .into_iter()
                    .filter(Rule::is_time_sensitive)
                    .map(Case::InTimeZone),
            );
        }
        cases
    }

    /// Why the backend cannot be certified at all, if it cannot: the [`Target::preflight`]
    /// made before the first case, once per suite.
    pub async fn unreachable(&self) -> Option<String> {
        self.reachable
            .get_or_init(|| self.target.preflight())
            .await
            .clone()
            .err()
    }

    /// Runs one case. The property test runs on a blocking thread with a runtime of its own.
    /// When the backend could not be set up ([`Self::unreachable`]), no case runs: each is
    /// reported as not run with the reason.
    pub async fn run(&self, case: &Case) -> RuleOutcome {
        if let Some(reason) = self.unreachable().await {
            return self.not_run(case, reason);
        }
        let timeout = self.options.rule_timeout;
        match case {
            Case::Rule(rule) => match &self.target {
                Target::V3(factory) => {
                    run_rule(factory, rule, rule.timeout(timeout), &self.races).await
                }
                Target::Authjs(factory) => {
                    authjs::execute::run_rule(factory, rule, rule.timeout(timeout), &self.races)
                        .await
                }
            },
            Case::InTimeZone(rule) => {
                let Some(factory) = &self.in_time_zone else {
                    return RuleOutcome::of(
                        rule,
                        Ok(Outcome::NotApplicable(
                            "the backend has no session time zone".to_owned(),
                        )),
                        Instant::now(),
                    );
                };
                let mut outcome = run_rule(factory, rule, rule.timeout(timeout), &self.races).await;
                outcome.id = case.id();
                outcome
            }
            Case::Properties(_) => {
                let config = self.options.properties.clone();
                let started = Instant::now();
                let run = match &self.target {
                    Target::V3(factory) => {
                        let factory = Arc::clone(factory);
                        tokio::task::spawn_blocking(move || {
                            match check_properties(&*factory, &config) {
                                Ok(stats) => {
                                    (Outcome::Passed, None, PropertyRun::passed(&config, &stats))
                                }
                                Err(failure) => (
                                    Outcome::Failed(failure.to_string()),
                                    failure.divergence.cause,
                                    PropertyRun::failed(&config, &failure),
                                ),
                            }
                        })
                        .await
                    }
                    Target::Authjs(factory) => {
                        let factory = Arc::clone(factory);
                        tokio::task::spawn_blocking(move || {
                            authjs::properties::check_properties(&*factory, &config)
                        })
                        .await
                    }
                };
                let elapsed = started.elapsed();
                let (outcome, cause, run) = run.unwrap_or_else(|e| {
                    (
                        Outcome::Failed(format!("the property test panicked: {e}")),
                        None,
                        PropertyRun::panicked(&self.options.properties),
                    )
                });
                // The backend went away (or was refused) under the property test: it
                // checked nothing.
                let (outcome, cause) = match (outcome, self.target.gone()) {
                    (Outcome::Failed(_), Some(reason)) => (Outcome::NotRun(reason), None),
                    // It could not set up or tear down a fixture, or read one: nothing about
                    // the adapter was learnt.
                    (Outcome::Failed(reason), None) if cause == Some(crate::finding::SETUP) => {
                        (Outcome::NotRun(reason), None)
                    }
                    (outcome, _) => (outcome, cause),
                };
                self.should
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend(run.should_divergences.iter().cloned());
                *self.property.lock().unwrap_or_else(|p| p.into_inner()) = Some(run);
                properties::property_outcome(self.target.profile(), outcome, cause, elapsed)
            }
        }
    }

    /// `case` reported as not run because of `reason`, without touching the backend.
    fn not_run(&self, case: &Case, reason: String) -> RuleOutcome {
        match case {
            Case::Rule(rule) | Case::InTimeZone(rule) => {
                let mut outcome =
                    RuleOutcome::of(rule, Ok(Outcome::NotRun(reason)), Instant::now());
                outcome.id = case.id();
                outcome
            }
            Case::Properties(profile) => properties::property_outcome(
                *profile,
                Outcome::NotRun(reason),
                None,
                Duration::ZERO,
            ),
        }
    }

    /// Runs `cases`, [`SuiteOptions::concurrency`] at a time, calling `progress` after each;
    /// outcomes come back in the order of `cases`.
    pub async fn run_cases(
        &self,
        cases: &[Case],
        progress: &(dyn Fn(&RuleOutcome) + Sync),
    ) -> Vec<RuleOutcome> {
        let mut indexed: Vec<(usize, RuleOutcome)> =
            futures::stream::iter(cases.iter().enumerate())
                .map(|(i, case)| async move {
                    let outcome = self.run(case).await;
                    progress(&outcome);
                    (i, outcome)
                })
                .buffer_unordered(self.options.concurrency.max(1))
                .collect()
                .await;
        indexed.sort_by_key(|(i, _)| *i);
        indexed.into_iter().map(|(_, o)| o).collect()
    }

    /// The report over `results`: SHOULD-level divergences the property test found are
    /// added to the SHOULD rules they concern (a rule that passed on its own scenario fails
    /// with the property test's sequence as evidence). `complete` says whether every case
    /// ran.
    pub fn report(
        &self,
        mut results: Vec<RuleOutcome>,
        complete: bool,
        elapsed: Duration,
    ) -> Report {
        let should = self
            .should
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for divergence in &should {
            let Some(r) = results.iter_mut().find(|r| r.id == divergence.rule) else {
                continue;
            };
            let evidence = format!(
                "the differential property test found a sequence where this SHOULD behaviour differs from the reference:\n{}",
                divergence.trace
            );
            match &mut r.outcome {
                Outcome::Passed => {
                    r.outcome = Outcome::Failed(evidence);
                    r.cause = Some(crate::finding::cause_of_rule(divergence.rule).id.to_owned());
                }
                Outcome::Failed(reason) => {
                    reason.push('\n');
                    reason.push_str(&evidence);
                }
                Outcome::NotApplicable(_) | Outcome::NotRun(_) => {}
            }
        }
        let property = self.property_run();
        attribute_property_failure(&mut results, property.as_ref());
        attribute_zone_only_failures(&mut results);
        Report::new(
            self.target.name(),
            self.target.describe(),
            self.target.declared(),
            results,
            complete,
            elapsed,
        )
        .with_property_run(property)
        .with_strict(self.options.strict)
    }

    /// Runs every case and reports: the whole certification of one backend. Builds its own
    /// runtime: call it from synchronous code.
    pub fn certify(&self, progress: &(dyn Fn(&RuleOutcome) + Sync)) -> std::io::Result<Report> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let started = Instant::now();
        let cases = self.cases();
        let results = runtime.block_on(self.run_cases(&cases, progress));
        Ok(self.report(results, true, started.elapsed()))
    }
}

/// A rule that fails only in [`SECOND_TIME_ZONE`] (it passed in UTC) shows one cause, whatever
/// the rule: the stored instants depend on the database session's zone.
fn attribute_zone_only_failures(results: &mut [RuleOutcome]) {
    let passed_in_utc: Vec<String> = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Passed))
        .map(|r| in_time_zone_id(&r.id))
        .collect();
    for r in results.iter_mut() {
        if matches!(r.outcome, Outcome::Failed(_)) && passed_in_utc.contains(&r.id) {
            r.cause = Some(crate::finding::TIME_ZONE.to_owned());
        }
    }
}

/// A property-test failure whose divergence showed no cause of its own joins the finding of
/// the first failing MUST rule about the same method: the sequence is usually one more
/// symptom of what that rule names.
fn attribute_property_failure(results: &mut [RuleOutcome], run: Option<&PropertyRun>) {
    let Some(prefix) = run.and_then(|r| r.diverged_at) else {
        return;
    };
    let differential = crate::finding::cause_of_rule(properties::PROPERTY_ID).id;
    let cause = results
        .iter()
        .find(|r| {
            r.level == Level::Must
                && r.id.starts_with(prefix)
                && matches!(r.outcome, Outcome::Failed(_))
        })
        .and_then(|r| r.cause.clone());
    if let Some(cause) = cause
        && let Some(property) = results
            .iter_mut()
            .find(|r| r.id == properties::PROPERTY_ID && r.cause.as_deref() == Some(differential))
    {
        property.cause = Some(cause);
    }
}

/// Runs `rules` against `factory` (no property test, no time-zone reruns), `options.concurrency`
/// at a time, calling `progress` after each. Outcomes come back in the order of `rules`.
pub async fn run_suite(
    factory: Arc<dyn BackendFactory>,
    rules: &[Rule],
    options: &SuiteOptions,
    progress: &(dyn Fn(&RuleOutcome) + Sync),
) -> Vec<RuleOutcome> {
    run_rules(Target::V3(factory), rules, options, progress).await
}

/// [`run_suite`] for a target of either profile.
pub async fn run_rules(
    target: Target,
    rules: &[Rule],
    options: &SuiteOptions,
    progress: &(dyn Fn(&RuleOutcome) + Sync),
) -> Vec<RuleOutcome> {
    let suite = Suite::of(target, options.clone());
    let cases: Vec<Case> = rules.iter().cloned().map(Case::Rule).collect();
    suite.run_cases(&cases, progress).await
}

#[cfg(test)]
mod tests {
    use super::Selection;

    #[test]
    fn selects_like_libtest() {
        let id = "session.get.expired-is-none";
        assert!(Selection::default().selects(id));
        let sub = Selection {
            filters: vec!["session.get".into()],
            ..Selection::default()
        };
        assert!(sub.selects(id) && !sub.selects("user.get.missing"));
        let exact = Selection {
            filters: vec!["session.get".into()],
            exact: true,
            ..Selection::default()
        };
        assert!(!exact.selects(id));
        let whole = Selection {
            filters: vec![id.into()],
            exact: true,
            ..Selection::default()
        };
        assert!(whole.selects(id));
        let skip = Selection {
            skip: vec!["expired".into()],
            ..Selection::default()
        };
        assert!(!skip.selects(id) && skip.selects("session.get.unknown-is-none"));
        let skip_exact = Selection {
            skip: vec!["expired".into()],
            exact: true,
            ..Selection::default()
        };
        assert!(skip_exact.selects(id));
    }
}

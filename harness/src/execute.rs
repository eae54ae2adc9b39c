//! Running one rule against a backend: a fresh fixture per rule, a timeout, panics caught,
//! teardown always run; races alone on a runtime of their own. The Auth.js profile's
//! executor ([`crate::authjs::execute`]) shares every step but the fixture.

use crate::backend::{BackendError, BackendFactory, Teardown};
use crate::context::{Ctx, start_instant};
use crate::finding;
use crate::rule::{Area, Body, Failure, Level, Rule, RuleFn, RuleKind};
use futures::FutureExt;
use nextauth_adapter::{AdapterConfig, ManualClock, SessionPolicy};
use serde::Serialize;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Worker threads of the runtime race rules run on: more than the cores of a small CI machine,
/// so that racing tasks are preempted in the middle of a call, as requests of a busy server are.
pub const RACE_WORKER_THREADS: usize = 8;

/// How a rule ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    /// The adapter behaved as the rule requires.
    Passed,
    /// It did not; the reason says what was expected and what happened.
    Failed(String),
    /// The backend's declared capabilities rule the rule out; the reason names the declaration.
    NotApplicable(String),
    /// The backend went away before the rule could run (an adapter process that exited): the
    /// rule checked nothing, and the run cannot conform. The reason says what went.
    NotRun(String),
}

impl Outcome {
    /// A short word for tables: `pass`, `FAIL`, `n/a`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Passed => "pass",
            Outcome::Failed(_) => "FAIL",
            Outcome::NotApplicable(_) => "n/a",
            Outcome::NotRun(_) => "not run",
        }
    }
}

/// A rule's outcome with the rule's catalogue data, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    /// The rule's id.
    pub id: String,
    /// Its area.
    pub area: Area,
    /// MUST or SHOULD.
    pub level: Level,
    /// Where the behaviour is specified.
    pub source: String,
    /// What the rule checks.
    pub summary: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// For a failure: the id of its cause ([`crate::finding::CAUSES`]), which groups failures
    /// into findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// How long it took, setup and teardown included, in milliseconds.
    pub duration_ms: u64,
}

impl RuleOutcome {
    /// The outcome of `rule`, timed from `started`.
    pub fn of(rule: &Rule, result: Result<Outcome, Failure>, started: Instant) -> Self {
        let (outcome, cause) = match result {
            Ok(outcome) => (outcome, None),
            // The backend could not be set up or torn down (the server, the namespace, the
            // fault injector): nothing about the adapter was learnt, so it is no finding.
            Err(failure) if failure.cause == Some(finding::SETUP) => {
                (Outcome::NotRun(failure.message), None)
            }
            Err(failure) => {
                let own = finding::cause_of_rule(rule.id).id;
                let cause = failure.cause.unwrap_or(
                    // A call the rule needed to succeed failed: an error where none is due,
                    // unless refusing such values is what the rule's own cause is about.
                    if failure.unexpected_error && !finding::ERRORS_ARE_THEIR_OWN.contains(&own) {
                        "errors"
                    } else {
                        own
                    },
                );
                (Outcome::Failed(failure.message), Some(cause.to_owned()))
            }
        };
        RuleOutcome {
            id: rule.id.to_owned(),
            area: rule.area,
            level: rule.level,
            source: rule.source.to_owned(),
            summary: rule.summary.to_owned(),
            outcome,
            cause,
            duration_ms: millis(started.elapsed()),
        }
    }
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The configuration a rule's adapter is built with: a manual clock at the fixed start
/// instant and the rule's session policy.
pub fn rule_config(rule: &Rule) -> (ManualClock, AdapterConfig) {
    let session = match rule.session_policy {
        Some((max_age, update_age)) => SessionPolicy::from_v3_seconds(max_age, update_age),
        None => SessionPolicy::default(),
    };
    config_with(session)
}

/// A manual clock at the fixed start instant and the configuration of an adapter with
/// `session` on it.
fn config_with(session: SessionPolicy) -> (ManualClock, AdapterConfig) {
    let clock = ManualClock::new(start_instant());
    let config = AdapterConfig {
        clock: clock.shared(),
        session,
        base_url: "http://localhost:3000".to_owned(),
    };
    (clock, config)
}

/// The configuration of an adapter opened outside any rule (to check that the backend can be
/// set up at all): a manual clock at the fixed start instant, the default session policy.
pub(crate) fn rule_config_default() -> AdapterConfig {
    config_with(SessionPolicy::default()).1
}

/// The runtime race rules run on, one race at a time: built on first use, shut down (without
/// blocking, so it may be dropped anywhere) with its owner.
#[derive(Default)]
pub struct RaceRuntime {
    runtime: OnceLock<Option<tokio::runtime::Runtime>>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for RaceRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RaceRuntime").finish_non_exhaustive()
    }
}

impl RaceRuntime {
    pub(crate) fn handle(&self) -> Result<tokio::runtime::Handle, Failure> {
        self.runtime
            .get_or_init(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(RACE_WORKER_THREADS)
                    .thread_name("nextauth-race")
                    .enable_all()
                    .build()
                    .ok()
            })
            .as_ref()
            .map(|rt| rt.handle().clone())
            .ok_or_else(|| Failure::new("cannot start the race runtime"))
    }
}

impl Drop for RaceRuntime {
    fn drop(&mut self) {
        if let Some(Some(rt)) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Runs one rule against a fresh fixture of `factory`: scenario rules on the caller's
/// runtime, race rules alone on `races`.
pub async fn run_rule(
    factory: &Arc<dyn BackendFactory>,
    rule: &Rule,
    timeout: Duration,
    races: &RaceRuntime,
) -> RuleOutcome {
    let started = Instant::now();
    let caps = factory.capabilities();
    let not_applicable = rule
        .not_applicable(&caps)
        .or_else(|| rule.requires.not_supported(&factory.fault_support()));
    let result = match (not_applicable, factory.gone(), rule.run) {
        (Some(reason), _, _) => Ok(Outcome::NotApplicable(reason)),
        (None, Some(gone), _) => Ok(Outcome::NotRun(gone)),
        (None, None, Body::Authjs(_)) => Ok(Outcome::NotApplicable(
            "an Auth.js rule, and the backend is a v3 adapter".to_owned(),
        )),
        (None, None, Body::V3(body)) => {
            let work = run_applicable(Arc::clone(factory), rule.clone(), body, timeout);
            gone_under_it(on_its_runtime(rule.kind, races, work).await, factory.gone())
        }
    };
    let outcome = RuleOutcome::of(rule, result, started);
    tracing::debug!(rule = rule.id, backend = %factory.name(), outcome = outcome.outcome.word(), "rule finished");
    outcome
}

/// Runs a rule's work where its kind says: a scenario on the caller's runtime, a race alone on
/// `races`.
pub(crate) async fn on_its_runtime<F>(
    kind: RuleKind,
    races: &RaceRuntime,
    work: F,
) -> Result<Outcome, Failure>
where
    F: std::future::Future<Output = Result<Outcome, Failure>> + Send + 'static,
{
    match kind {
        RuleKind::Scenario => work.await,
        RuleKind::Race => {
            let handle = races.handle()?;
            let _alone = races.one_at_a_time.lock().await;
            handle
                .spawn(work)
                .await
                .unwrap_or_else(|e| Err(Failure::new(format!("the race panicked: {e}"))))
        }
    }
}

async fn run_applicable(
    factory: Arc<dyn BackendFactory>,
    rule: Rule,
    body: RuleFn,
    timeout: Duration,
) -> Result<Outcome, Failure> {
    let (clock, config) = rule_config(&rule);
    let fixture = match factory.open(config.clone()).await {
        Ok(fixture) => fixture,
        // The backend went while this rule was being set up: it checked nothing.
        Err(e) => return setup_failed(factory.gone(), &e),
    };
    let inspector = Arc::clone(&fixture.inspector);
    let ctx = Ctx::new(
        fixture.adapter,
        fixture.inspector,
        clock,
        config,
        factory.capabilities(),
    );
    let raw_tokens = ctx.raw_tokens();
    let mut result = guarded(body(ctx), timeout).await;
    // Whatever a failing rule saw, a raw verification token in storage is the cause to fix.
    if let Err(failure) = &mut result
        && failure.cause.is_none()
        && Ctx::raw_token_stored(&*inspector, &raw_tokens).await
    {
        failure.cause = Some("raw-token");
    }
    drop(inspector);
    torn_down(result, fixture.teardown).await
}

/// The result of a rule that was running when the backend went away for good (`gone`, an
/// adapter process that exited): a failure then says what the process did, not what the
/// adapter does, so the rule is not run, with the reason, rather than a finding. (A failure
/// the rule saw before the process went is lost with it; the run then cannot certify, which
/// is what it can honestly say.)
pub(crate) fn gone_under_it(
    result: Result<Outcome, Failure>,
    gone: Option<String>,
) -> Result<Outcome, Failure> {
    match (result, gone) {
        (Err(_), Some(gone)) => Ok(Outcome::NotRun(gone)),
        (result, _) => result,
    }
}

/// The outcome of a fixture that could not be opened: not run when the backend is gone,
/// otherwise a setup failure.
pub(crate) fn setup_failed(gone: Option<String>, error: &BackendError) -> Result<Outcome, Failure> {
    match gone {
        Some(gone) => Ok(Outcome::NotRun(gone)),
        None => Err(Failure::new(format!("backend setup failed: {error}")).because(finding::SETUP)),
    }
}

/// A rule body's result, with its panic caught and its time bounded.
pub(crate) async fn guarded(
    body: futures::future::BoxFuture<'static, crate::rule::RuleResult>,
    timeout: Duration,
) -> Result<Outcome, Failure> {
    match tokio::time::timeout(timeout, AssertUnwindSafe(body).catch_unwind()).await {
        Ok(Ok(Ok(()))) => Ok(Outcome::Passed),
        Ok(Ok(Err(failure))) => Err(failure),
        Ok(Err(panic)) => Err(Failure::new(format!(
            "the rule panicked: {}",
            panic_message(&panic)
        ))),
        Err(_) => Err(Failure::new(format!(
            "timed out after {timeout:?} (a hung adapter call?)"
        ))),
    }
}

/// `result` after the fixture's teardown ran: a failing teardown fails the rule too.
pub(crate) async fn torn_down(
    mut result: Result<Outcome, Failure>,
    teardown: Option<Teardown>,
) -> Result<Outcome, Failure> {
    if let Some(teardown) = teardown
        && let Err(e) = teardown().await
    {
        let reason = format!("teardown failed: {e}");
        result = Err(match result {
            Err(first) => Failure {
                message: format!("{}; {reason}", first.message),
                ..first
            },
            Ok(_) => Failure::new(reason).because(finding::SETUP),
        });
    }
    result
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

//! Running rules against a backend: one fresh fixture per rule, a timeout, panics caught,
//! teardown always run.

use crate::backend::BackendFactory;
use crate::context::{Ctx, start_instant};
use crate::rule::{Area, Level, Rule};
use futures::{FutureExt, StreamExt};
use nextauth_adapter::{AdapterConfig, ManualClock, SessionPolicy};
use serde::Serialize;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

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
}

impl Outcome {
    /// A short word for tables: `pass`, `FAIL`, `n/a`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Passed => "pass",
            Outcome::Failed(_) => "FAIL",
            Outcome::NotApplicable(_) => "n/a",
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
    /// How long it took, setup and teardown included, in milliseconds.
    pub duration_ms: u64,
}

/// Settings of a suite run.
#[derive(Debug, Clone)]
pub struct SuiteOptions {
    /// How many rules run at once (each in its own namespace).
    pub concurrency: usize,
    /// How long one rule may take before it fails as hung.
    pub rule_timeout: Duration,
}

impl Default for SuiteOptions {
    fn default() -> Self {
        SuiteOptions {
            concurrency: 8,
            rule_timeout: Duration::from_secs(60),
        }
    }
}

/// The configuration a rule's adapter is built with: a manual clock at the fixed start
/// instant and the rule's session policy.
pub fn rule_config(rule: &Rule) -> (ManualClock, AdapterConfig) {
    let clock = ManualClock::new(start_instant());
    let session = match rule.session_policy {
        Some((max_age, update_age)) => SessionPolicy::from_v3_seconds(max_age, update_age),
        None => SessionPolicy::default(),
    };
    let config = AdapterConfig {
        clock: clock.shared(),
        session,
        base_url: "http://localhost:3000".to_owned(),
    };
    (clock, config)
}

/// Runs one rule against a fresh fixture of `factory`.
pub async fn run_rule(factory: &dyn BackendFactory, rule: &Rule, timeout: Duration) -> RuleOutcome {
    let started = Instant::now();
    let caps = factory.capabilities();
    let outcome = match rule.not_applicable(&caps) {
        Some(reason) => Outcome::NotApplicable(reason),
        None => run_applicable(factory, rule, timeout).await,
    };
    tracing::debug!(rule = rule.id, backend = %factory.name(), outcome = outcome.word(), "rule finished");
    RuleOutcome {
        id: rule.id.to_owned(),
        area: rule.area,
        level: rule.level,
        source: rule.source.to_owned(),
        summary: rule.summary.to_owned(),
        outcome,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

async fn run_applicable(factory: &dyn BackendFactory, rule: &Rule, timeout: Duration) -> Outcome {
    let (clock, config) = rule_config(rule);
    let fixture = match factory.open(config.clone()).await {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(format!("backend setup failed: {e}")),
    };
    let ctx = Ctx::new(
        fixture.adapter,
        fixture.inspector,
        clock,
        config,
        factory.capabilities(),
    );
    let body = AssertUnwindSafe((rule.run)(ctx)).catch_unwind();
    let mut outcome = match tokio::time::timeout(timeout, body).await {
        Ok(Ok(Ok(()))) => Outcome::Passed,
        Ok(Ok(Err(failure))) => Outcome::Failed(failure.message),
        Ok(Err(panic)) => Outcome::Failed(format!("the rule panicked: {}", panic_message(&panic))),
        Err(_) => Outcome::Failed(format!(
            "timed out after {timeout:?} (a hung adapter call?)"
        )),
    };
    if let Some(teardown) = fixture.teardown
        && let Err(e) = teardown().await
    {
        let reason = format!("teardown failed: {e}");
        outcome = match outcome {
            Outcome::Failed(first) => Outcome::Failed(format!("{first}; {reason}")),
            _ => Outcome::Failed(reason),
        };
    }
    outcome
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

/// Runs `rules` against `factory`, `options.concurrency` at a time, calling `progress` after
/// each. Outcomes come back in the order of `rules`.
pub async fn run_suite(
    factory: &dyn BackendFactory,
    rules: &[Rule],
    options: &SuiteOptions,
    progress: &(dyn Fn(&RuleOutcome) + Sync),
) -> Vec<RuleOutcome> {
    let mut indexed: Vec<(usize, RuleOutcome)> = futures::stream::iter(rules.iter().enumerate())
        .map(|(i, rule)| async move {
            let outcome = run_rule(factory, rule, options.rule_timeout).await;
            progress(&outcome);
            (i, outcome)
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    indexed.sort_by_key(|(i, _)| *i);
    indexed.into_iter().map(|(_, o)| o).collect()
}

//! Running one Auth.js rule: the v3 executor's steps ([`crate::execute`]) over an Auth.js
//! fixture.

use super::backend::BackendFactory;
use super::context::Ctx;
use crate::execute::{
    Outcome, RaceRuntime, RuleOutcome, gone_under_it, guarded, on_its_runtime, setup_failed,
    torn_down,
};
use crate::rule::{AuthjsRuleFn, Body, Failure, Rule};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs one rule against a fresh fixture of `factory`.
pub async fn run_rule(
    factory: &Arc<dyn BackendFactory>,
    rule: &Rule,
    timeout: Duration,
    races: &RaceRuntime,
) -> RuleOutcome {
    let started = Instant::now();
    let caps = factory.capabilities();
    let result = match (
        rule.requires.not_applicable_authjs(&caps),
        factory.gone(),
        rule.run,
    ) {
        (Some(reason), _, _) => Ok(Outcome::NotApplicable(reason)),
        (None, Some(gone), _) => Ok(Outcome::NotRun(gone)),
        (None, None, Body::V3(_)) => Ok(Outcome::NotApplicable(
            "a v3 rule, and the backend is an Auth.js adapter".to_owned(),
        )),
        (None, None, Body::Authjs(body)) => {
            let work = run_applicable(Arc::clone(factory), body, timeout);
            gone_under_it(on_its_runtime(rule.kind, races, work).await, factory.gone())
        }
    };
    let outcome = RuleOutcome::of(rule, result, started);
    tracing::debug!(rule = rule.id, backend = %factory.name(), outcome = outcome.outcome.word(), "rule finished");
    outcome
}

async fn run_applicable(
    factory: Arc<dyn BackendFactory>,
    body: AuthjsRuleFn,
    timeout: Duration,
) -> Result<Outcome, Failure> {
    let fixture = match factory.open().await {
        Ok(fixture) => fixture,
        Err(e) => return setup_failed(factory.gone(), &e),
    };
    let ctx = Ctx::new(fixture.adapter, fixture.inspector, factory.capabilities());
    let result = guarded(body(ctx), timeout).await;
    torn_down(result, fixture.teardown).await
}

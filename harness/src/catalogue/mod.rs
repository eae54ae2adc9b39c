//! The catalogue: every rule of the v3 contract this suite checks, by area.
//!
//! Rule ids are stable: `<entity>.<method or topic>.<behaviour>`. Each rule names its source:
//! a section of contract-v3.md (`§3.10`), a known bug (`G6`), an Auth.js shared-test case
//! (`AJS#6`) or an issue or pull request.

mod accounts;
mod concurrency;
mod data;
mod flows;
mod security;
mod sessions;
mod users;
mod verification;

use crate::rule::Rule;

/// Turns an `async fn(Ctx) -> RuleResult` into a rule body.
macro_rules! body {
    ($f:path) => {
        |ctx| Box::pin($f(ctx))
    };
}
pub(crate) use body;
pub use concurrency::RACERS;

/// Every rule, in report order.
pub fn all() -> Vec<Rule> {
    let mut rules = Vec::new();
    rules.extend(users::rules());
    rules.extend(accounts::rules());
    rules.extend(sessions::rules());
    rules.extend(verification::rules());
    rules.extend(flows::rules());
    rules.extend(data::rules());
    rules.extend(security::rules());
    rules.extend(concurrency::rules());
    rules
}

/// The rule with this id.
pub fn find(id: &str) -> Option<Rule> {
    all().into_iter().find(|r| r.id == id)
}

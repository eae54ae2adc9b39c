//! The catalogue: every rule of the v3 contract this suite checks, by area.
//!
//! Rule ids are stable: `<entity>.<method or topic>.<behaviour>`. Each rule names its sources
//! in `docs/specification.md` (`§3.10`, the known bug `G6`, the Auth.js shared-test case
//! `AJS#6`, the hardening item `H7`, the capability `cap:delete-user`) or a public issue
//! (`next-auth#1644`); [`crate::sources`] resolves them and a test proves every one does.

mod accounts;
mod adapter;
pub(crate) mod concurrency;
mod data;
mod faults;
mod flows;
mod keys;
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
pub use concurrency::{RACERS, ROUNDS};

/// Fails unless `result`, a write of `what` for user `id`, whom nobody has, was refused as
/// `NotFound` on the user and left the rows as `before` (no orphan written). A refusal of
/// another kind that wrote nothing is the `errors` cause: the wrong error, no orphan.
pub(crate) async fn refused_for_missing_user<T: std::fmt::Debug>(
    c: &crate::context::Ctx,
    result: nextauth_adapter::Result<T>,
    id: &str,
    before: &crate::inspector::Stored,
    what: &str,
) -> crate::rule::RuleResult {
    use crate::rule::Failure;
    use nextauth_adapter::{AdapterError, Entity};
    let after = c.stored().await?;
    let wrote = after != *before;
    match result {
        Ok(written) => Err(Failure::new(format!(
            "{what} for user {id:?}, whom nobody has, was accepted and stored an orphan: {written:?}"
        ))),
        Err(_) if wrote => Err(Failure::new(format!(
            "{what} for user {id:?}, whom nobody has, failed but changed the stored rows: before {before:?}, after {after:?}"
        ))),
        Err(AdapterError::NotFound {
            entity: Entity::User,
            ..
        }) => Ok(()),
        Err(e) => Err(Failure::new(format!(
            "{what} for user {id:?}, whom nobody has, gave {e}, expected NotFound on the user (nothing was written)"
        ))
        .because("errors")),
    }
}

/// Every rule, in report order.
pub fn all() -> Vec<Rule> {
    let mut rules = Vec::new();
    rules.extend(adapter::rules());
    rules.extend(users::rules());
    rules.extend(accounts::rules());
    rules.extend(sessions::rules());
    rules.extend(verification::rules());
    rules.extend(flows::rules());
    rules.extend(data::rules());
    rules.extend(security::rules());
    rules.extend(keys::rules());
    rules.extend(concurrency::rules());
    rules.extend(faults::rules());
    rules
}

/// The rule with this id.
pub fn find(id: &str) -> Option<Rule> {
    all().into_iter().find(|r| r.id == id)
}

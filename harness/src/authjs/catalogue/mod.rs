//! The Auth.js catalogue: every rule of the Auth.js contract this suite checks, by area.
//!
//! Rule ids start with `authjs.` and are otherwise shaped like the v3 ones:
//! `authjs.<entity>.<method or topic>.<behaviour>`. Sources cite part II of
//! `docs/specification.md` (`§14.4`, `§15.2`) and Auth.js's shared test cases (`AJS#14`);
//! every one of the 22 cases is cited by at least one rule here.

mod accounts;
mod adapter;
mod authenticators;
mod concurrency;
mod data;
mod flows;
mod sessions;
mod users;
mod verification;

use crate::rule::Rule;
use nextauth_adapter::Method;
use nextauth_adapter::authjs::MethodSet;

/// What a rule using core's ten methods and `methods` needs declared (every Auth.js rule
/// needs the ten unless it says otherwise: [`needs_only`]).
pub(crate) const fn needs(methods: &[Method]) -> crate::rule::Requires {
    crate::rule::Requires::Implements(MethodSet::CORE.union(MethodSet::of(methods)))
}

/// What a rule using `methods` alone needs declared.
pub(crate) const fn needs_only(methods: &[Method]) -> crate::rule::Requires {
    crate::rule::Requires::Implements(MethodSet::of(methods))
}

/// Every Auth.js rule, in report order.
pub fn all() -> Vec<Rule> {
    let mut rules = Vec::new();
    rules.extend(adapter::rules());
    rules.extend(users::rules());
    rules.extend(accounts::rules());
    rules.extend(sessions::rules());
    rules.extend(verification::rules());
    rules.extend(authenticators::rules());
    rules.extend(flows::rules());
    rules.extend(data::rules());
    rules.extend(concurrency::rules());
    rules
}

/// The Auth.js rule with this id.
pub fn find(id: &str) -> Option<Rule> {
    all().into_iter().find(|r| r.id == id)
}

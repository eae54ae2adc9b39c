//! Which differences of the property test concern a behaviour the catalogue only rates
//! SHOULD, so that the property test never holds an adapter to more than the MUST rules do.
//!
//! Each entry names the SHOULD rule, when a step exercises its behaviour (judged from the
//! step, the reference's rows before it and both results), and what to mask when comparing:
//! a difference that disappears under the mask is that rule's, any other is a MUST
//! divergence. A test (`harness/tests/properties.rs`) checks every rule named here is a
//! SHOULD rule of the catalogue.

use super::differential::{Side, StepResult};
use super::step::Op;
use nextauth_adapter_reference::Snapshot;

/// What to leave out when comparing the two sides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mask {
    /// The whole step is the SHOULD behaviour: any difference is that rule's.
    pub everything: bool,
    /// Users' `email_verified`.
    pub email_verified: bool,
}

const WHOLE_STEP: Mask = Mask {
    everything: true,
    email_verified: false,
};

/// Every SHOULD rule the property test can tell apart, for the catalogue test.
pub const SHOULD_RULES: &[&str] = &[
    UPDATE_MISSING,
    CLEARS_EMAIL_VERIFIED,
    DELETED_NOT_RESURRECTED,
    IDENTIFIER_WILDCARDS,
    LINK_MISSING_USER,
    SESSION_MISSING_USER,
];

const UPDATE_MISSING: &str = "user.update.missing-is-not-found";
const CLEARS_EMAIL_VERIFIED: &str = "user.update.clears-email-verified";
const DELETED_NOT_RESURRECTED: &str = "session.update.deleted-not-resurrected";
const IDENTIFIER_WILDCARDS: &str = "security.verification.identifier-wildcards-literal";
const LINK_MISSING_USER: &str = "account.link.missing-user-refused";
const SESSION_MISSING_USER: &str = "session.create.missing-user-refused";

/// The SHOULD rule whose behaviour step `op` exercises, with the mask under which the sides
/// must then agree; `None`: any difference at this step is a MUST divergence.
pub(super) fn should_rule(
    op: &Op,
    before: &Snapshot,
    reference: &Side,
    got: &StepResult,
) -> Option<(&'static str, Mask)> {
    match op {
        Op::UpdateUser { user, verified, .. } => {
            let target = reference.user(*user)?;
            let stored = before.users.iter().find(|u| u.id == target.id);
            match stored {
                None => Some((UPDATE_MISSING, WHOLE_STEP)),
                Some(u) if !verified && u.email_verified.is_some() => Some((
                    CLEARS_EMAIL_VERIFIED,
                    Mask {
                        email_verified: true,
                        ..Mask::default()
                    },
                )),
                Some(_) => None,
            }
        }
        // A write for a user the sequence deleted: whether it is refused is a SHOULD rule.
        Op::LinkAccount { user, .. } => {
            let target = reference.user(*user)?;
            let gone = !before.users.iter().any(|u| u.id == target.id);
            gone.then_some((LINK_MISSING_USER, WHOLE_STEP))
        }
        Op::CreateSession(p) => {
            let target = reference.user(*p)?;
            let gone = !before.users.iter().any(|u| u.id == target.id);
            gone.then_some((SESSION_MISSING_USER, WHOLE_STEP))
        }
        Op::UpdateSession { session, .. } => {
            let held = reference.session(*session)?;
            let exists = before
                .sessions
                .iter()
                .any(|s| s.session_token == held.session_token);
            (!exists).then_some((DELETED_NOT_RESURRECTED, WHOLE_STEP))
        }
        Op::GetVerification { identifier, .. } => {
            let asked = super::corpus::pick(&super::corpus::corpus().emails, *identifier);
            let is_pattern = asked.contains(['%', '_']);
            // The adapter found another address's request that the pattern matches, where
            // the reference found none.
            let other = got
                .request()
                .is_some_and(|v| v.identifier != asked && like(&v.identifier, asked));
            (is_pattern && other).then_some((IDENTIFIER_WILDCARDS, WHOLE_STEP))
        }
        _ => None,
    }
}

/// SQL `LIKE` matching of `value` against `pattern` (`%` any run, `_` one character).
pub fn like(value: &str, pattern: &str) -> bool {
    fn go(v: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('%', rest)) => (0..=v.len()).any(|i| go(&v[i..], rest)),
            Some(('_', rest)) => !v.is_empty() && go(&v[1..], rest),
            Some((c, rest)) => v.first() == Some(c) && go(&v[1..], rest),
        }
    }
    let v: Vec<char> = value.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&v, &p)
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_matches_sql_semantics() {
        assert!(like("alice@example.com", "%"));
        assert!(like("alice@example.com", "alic_@example.com"));
        assert!(!like("alice@example.com", "bob%"));
        assert!(like("a_b", "a_b"));
        assert!(like("zoe@example.com", "%@example.com"));
    }
}

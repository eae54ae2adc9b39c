//! The steps of a property sequence: every adapter method and clock steps, with arguments
//! drawn from small pools so that sequences collide on emails, accounts and tokens.

use super::corpus::corpus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Picks what the n-th `create_user` (or `create_session`) step of the sequence created, so
/// a sequence means the same on both sides whatever ids each assigned; traces name it by that
/// step (`user@3`). A pick of a creation that failed refers to nothing, and the step is skipped
/// on both sides.
pub type Pick = u8;

/// Providers: two, so the same account id at another provider is a different account.
pub const PROVIDERS: &[&str] = &["github", "google"];

/// How far a clock step moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// A microsecond: crosses strict boundaries.
    Micro,
    /// A second.
    Second,
    /// An hour.
    Hour,
    /// Thirteen hours: two make a v3 update interval.
    HalfDay,
    /// Thirty-one days: past every session's expiry.
    Month,
    /// Twenty years: the clock, and every expiry after it, past 2038.
    Decades,
}

impl Step {
    /// The step as people write it: `1µs`, `13h`, `31 days`.
    pub fn label(self) -> &'static str {
        match self {
            Step::Micro => "1µs",
            Step::Second => "1s",
            Step::Hour => "1h",
            Step::HalfDay => "13h",
            Step::Month => "31 days",
            Step::Decades => "20 years",
        }
    }

    /// The step as a duration.
    pub fn duration(self) -> chrono::Duration {
        match self {
            Step::Micro => chrono::Duration::microseconds(1),
            Step::Second => chrono::Duration::seconds(1),
            Step::Hour => chrono::Duration::hours(1),
            Step::HalfDay => chrono::Duration::hours(13),
            Step::Month => chrono::Duration::days(31),
            Step::Decades => chrono::Duration::days(20 * 365),
        }
    }
}

/// A session token a step looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenRef {
    /// The token of the n-th session created.
    Of(Pick),
    /// A token no session has.
    Unknown,
    /// No cookie at all.
    Absent,
    /// A JWT string (JWT mode calls `get_session` with it).
    Jwt,
}

/// One call of a property sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `create_user` from pooled values.
    CreateUser {
        /// Index into the corpus's names, or none.
        name: Option<u8>,
        /// Index into the corpus's e-mail addresses, or none.
        email: Option<u8>,
        /// Whether the profile is marked verified.
        verified: bool,
    },
    /// `get_user` of the user the n-th `create_user` step created, or of an id never issued.
    GetUser(Option<Pick>),
    /// `get_user_by_email` of a pooled address, or none.
    GetUserByEmail(Option<u8>),
    /// `get_user_by_provider_account_id`.
    GetUserByAccount {
        /// Index into [`PROVIDERS`].
        provider: u8,
        /// Index into the corpus's provider account ids.
        account: u8,
    },
    /// `update_user` of the n-th created user as last read, with new values.
    UpdateUser {
        /// Which user.
        user: Pick,
        /// New name (index into the corpus's names) or none.
        name: Option<u8>,
        /// New email (index into the corpus's e-mail addresses) or none.
        email: Option<u8>,
        /// Set email_verified to now (true) or clear it (false).
        verified: bool,
    },
    /// `delete_user` of the n-th created user.
    DeleteUser(Pick),
    /// `link_account`.
    LinkAccount {
        /// Which user.
        user: Pick,
        /// Index into [`PROVIDERS`].
        provider: u8,
        /// Index into the corpus's provider account ids.
        account: u8,
        /// Index into the corpus's access tokens.
        access: u8,
    },
    /// `unlink_account`.
    UnlinkAccount {
        /// Which user.
        user: Pick,
        /// Index into [`PROVIDERS`].
        provider: u8,
        /// Index into the corpus's provider account ids.
        account: u8,
    },
    /// `create_session` for the n-th created user.
    CreateSession(Pick),
    /// `get_session`.
    GetSession(TokenRef),
    /// `update_session` of the n-th session object (as core holds it: mutated in place).
    UpdateSession {
        /// Which session.
        session: Pick,
        /// The force flag.
        force: bool,
    },
    /// `delete_session`.
    DeleteSession(TokenRef),
    /// `create_verification_request`.
    CreateVerification {
        /// Index into the corpus's e-mail addresses.
        identifier: u8,
        /// Index into the corpus's verification tokens.
        token: u8,
    },
    /// `get_verification_request`.
    GetVerification {
        /// Index into the corpus's e-mail addresses.
        identifier: u8,
        /// Index into the corpus's verification tokens.
        token: u8,
    },
    /// `delete_verification_request`.
    DeleteVerification {
        /// Index into the corpus's e-mail addresses.
        identifier: u8,
        /// Index into the corpus's verification tokens.
        token: u8,
    },
    /// Moves both clocks.
    Advance(Step),
}

/// A pooled value as a trace shows it: quoted, long values shortened with their length.
fn pooled<S: AsRef<str>>(pool: &[S], i: u8) -> String {
    let v = if pool.is_empty() {
        ""
    } else {
        pool[usize::from(i) % pool.len()].as_ref()
    };
    let n = v.chars().count();
    if n > 40 {
        let head: String = v.chars().take(24).collect();
        format!("{head:?}… ({n} characters)")
    } else {
        format!("{v:?}")
    }
}

fn opt(pool: &[String], i: Option<u8>) -> String {
    i.map_or_else(
        || "None".to_owned(),
        |i| format!("Some({})", pooled(pool, i)),
    )
}

/// How a trace names what earlier steps created.
pub trait Naming {
    /// The user of the `pick`-th `create_user` step.
    fn user(&self, pick: Pick) -> String;
    /// The session of the `pick`-th `create_session` step.
    fn session(&self, pick: Pick) -> String;
}

/// Names by creation order alone (`user #0`): for an op shown without its sequence.
struct ByOrder;

impl Naming for ByOrder {
    fn user(&self, pick: Pick) -> String {
        format!("user #{pick}")
    }
    fn session(&self, pick: Pick) -> String {
        format!("session #{pick}")
    }
}

/// Names each entity by the step that created it (`user@3`: the user created by step 3),
/// for the steps of one sequence.
#[derive(Debug, Clone, Default)]
pub struct StepNames {
    users: Vec<usize>,
    sessions: Vec<usize>,
}

impl StepNames {
    /// The names in `steps`: the `k`-th `create_user` step creates `user@<its step number>`.
    pub fn of(steps: &[Op]) -> Self {
        let mut names = StepNames::default();
        for (i, op) in steps.iter().enumerate() {
            match op {
                Op::CreateUser { .. } => names.users.push(i + 1),
                Op::CreateSession(_) => names.sessions.push(i + 1),
                _ => {}
            }
        }
        names
    }

    /// The step number (1-based) of the `pick`-th `create_user` step.
    pub fn user_step(&self, pick: Pick) -> Option<usize> {
        self.users.get(usize::from(pick)).copied()
    }
}

impl Naming for StepNames {
    fn user(&self, pick: Pick) -> String {
        self.user_step(pick)
            .map_or_else(|| format!("user #{pick}"), |s| format!("user@{s}"))
    }
    fn session(&self, pick: Pick) -> String {
        self.sessions
            .get(usize::from(pick))
            .map_or_else(|| format!("session #{pick}"), |s| format!("session@{s}"))
    }
}

impl Op {
    /// The step as a trace line, naming entities with `names`.
    pub fn describe(&self, names: &dyn Naming) -> String {
        let token = |t: TokenRef| match t {
            TokenRef::Of(p) => format!("<token of {}>", names.session(p)),
            TokenRef::Unknown => "<unknown token>".to_owned(),
            TokenRef::Absent => "None".to_owned(),
            TokenRef::Jwt => "<JWT string>".to_owned(),
        };
        match self {
            Op::CreateUser {
                name,
                email,
                verified,
            } => format!(
                "create_user(name: {}, email: {}, email_verified: {})",
                opt(&corpus().names, *name),
                opt(&corpus().emails, *email),
                if *verified { "Some(now)" } else { "None" }
            ),
            Op::GetUser(Some(p)) => format!("get_user(<{}>)", names.user(*p)),
            Op::GetUser(None) => "get_user(<id never issued>)".to_owned(),
            Op::GetUserByEmail(e) => format!("get_user_by_email({})", opt(&corpus().emails, *e)),
            Op::GetUserByAccount { provider, account } => format!(
                "get_user_by_provider_account_id({}, {})",
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account)
            ),
            Op::UpdateUser {
                user,
                name,
                email,
                verified,
            } => format!(
                "update_user(<{}> with name: {}, email: {}, email_verified: {})",
                names.user(*user),
                opt(&corpus().names, *name),
                opt(&corpus().emails, *email),
                if *verified { "Some(now)" } else { "None" }
            ),
            Op::DeleteUser(p) => format!("delete_user(<{}>)", names.user(*p)),
            Op::LinkAccount {
                user,
                provider,
                account,
                access,
            } => format!(
                "link_account(<{}>, {}, {}, access_token: {})",
                names.user(*user),
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account),
                pooled(&corpus().access_tokens, *access)
            ),
            Op::UnlinkAccount {
                user,
                provider,
                account,
            } => format!(
                "unlink_account(<{}>, {}, {})",
                names.user(*user),
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account)
            ),
            Op::CreateSession(p) => format!("create_session(<{}>)", names.user(*p)),
            Op::GetSession(t) => format!("get_session({})", token(*t)),
            Op::UpdateSession { session, force } => {
                format!(
                    "update_session(<{}>, force: {force})",
                    names.session(*session)
                )
            }
            Op::DeleteSession(t) => format!("delete_session({})", token(*t)),
            Op::CreateVerification { identifier, token } => format!(
                "create_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::GetVerification { identifier, token } => format!(
                "get_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::DeleteVerification { identifier, token } => format!(
                "delete_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::Advance(s) => format!("clock += {}", s.label()),
        }
    }
}

impl Op {
    /// The id prefix of the rules about this step's method (`session.get.`), so that a
    /// divergence here can join the finding of a failing rule about the same method; `None`
    /// for a clock step.
    pub fn rule_prefix(&self) -> Option<&'static str> {
        Some(match self {
            Op::CreateUser { .. } => "user.create.",
            Op::GetUser(_) => "user.get.",
            Op::GetUserByEmail(_) => "user.get-by-email.",
            Op::GetUserByAccount { .. } => "account.get-user.",
            Op::UpdateUser { .. } => "user.update.",
            Op::DeleteUser(_) => "user.delete.",
            Op::LinkAccount { .. } => "account.link.",
            Op::UnlinkAccount { .. } => "account.unlink.",
            Op::CreateSession(_) => "session.create.",
            Op::GetSession(_) => "session.get.",
            Op::UpdateSession { .. } => "session.update.",
            Op::DeleteSession(_) => "session.delete.",
            Op::CreateVerification { .. } => "verification.create.",
            Op::GetVerification { .. } => "verification.get.",
            Op::DeleteVerification { .. } => "verification.delete.",
            Op::Advance(_) => return None,
        })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&ByOrder))
    }
}

/// The steps as a numbered trace naming each entity by the step that created it, `mark`
/// appended to the line of step `marked` (0-based).
pub fn trace(steps: &[Op], marked: Option<usize>, mark: &str) -> String {
    let names = StepNames::of(steps);
    let mut out = String::new();
    for (i, op) in steps.iter().enumerate() {
        let note = if Some(i) == marked { mark } else { "" };
        out.push_str(&format!("  {:>2}. {}{note}\n", i + 1, op.describe(&names)));
    }
    out
}

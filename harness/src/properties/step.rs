//! The steps of a property sequence: every adapter method and clock steps, with arguments
//! drawn from small pools so that sequences collide on emails, accounts and tokens.

use super::corpus::corpus;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Picks the n-th of what a side has created so far (modulo how many there are), so a
/// sequence means the same on both sides whatever ids each assigned.
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
    /// `get_user` of the n-th created user, or of an id never issued.
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

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::CreateUser {
                name,
                email,
                verified,
            } => write!(
                f,
                "create_user(name: {}, email: {}, email_verified: {})",
                opt(&corpus().names, *name),
                opt(&corpus().emails, *email),
                if *verified { "Some(now)" } else { "None" }
            ),
            Op::GetUser(Some(p)) => write!(f, "get_user(<user #{p}>)"),
            Op::GetUser(None) => write!(f, "get_user(<id never issued>)"),
            Op::GetUserByEmail(e) => write!(f, "get_user_by_email({})", opt(&corpus().emails, *e)),
            Op::GetUserByAccount { provider, account } => write!(
                f,
                "get_user_by_provider_account_id({}, {})",
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account)
            ),
            Op::UpdateUser {
                user,
                name,
                email,
                verified,
            } => write!(
                f,
                "update_user(<user #{user}> with name: {}, email: {}, email_verified: {})",
                opt(&corpus().names, *name),
                opt(&corpus().emails, *email),
                if *verified { "Some(now)" } else { "None" }
            ),
            Op::DeleteUser(p) => write!(f, "delete_user(<user #{p}>)"),
            Op::LinkAccount {
                user,
                provider,
                account,
                access,
            } => write!(
                f,
                "link_account(<user #{user}>, {}, {}, access_token: {})",
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account),
                pooled(&corpus().access_tokens, *access)
            ),
            Op::UnlinkAccount {
                user,
                provider,
                account,
            } => write!(
                f,
                "unlink_account(<user #{user}>, {}, {})",
                pooled(PROVIDERS, *provider),
                pooled(&corpus().provider_account_ids, *account)
            ),
            Op::CreateSession(p) => write!(f, "create_session(<user #{p}>)"),
            Op::GetSession(t) => write!(f, "get_session({})", token_ref(*t)),
            Op::UpdateSession { session, force } => {
                write!(f, "update_session(<session #{session}>, force: {force})")
            }
            Op::DeleteSession(t) => write!(f, "delete_session({})", token_ref(*t)),
            Op::CreateVerification { identifier, token } => write!(
                f,
                "create_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::GetVerification { identifier, token } => write!(
                f,
                "get_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::DeleteVerification { identifier, token } => write!(
                f,
                "delete_verification_request({}, token {})",
                pooled(&corpus().emails, *identifier),
                pooled(&corpus().verification_tokens, *token)
            ),
            Op::Advance(s) => write!(f, "clock += {}", s.label()),
        }
    }
}

fn token_ref(t: TokenRef) -> String {
    match t {
        TokenRef::Of(p) => format!("<token of session #{p}>"),
        TokenRef::Unknown => "<unknown token>".to_owned(),
        TokenRef::Absent => "None".to_owned(),
        TokenRef::Jwt => "<JWT string>".to_owned(),
    }
}

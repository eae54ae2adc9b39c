//! Runs one sequence against the adapter under test and the reference configured with the
//! same capabilities, comparing every result and the stored rows after every step.

use super::corpus::{corpus, pick};
use super::step::{Op, PROVIDERS, TokenRef};
use crate::backend::BackendFactory;
use crate::context::{SECRET, start_instant};
use crate::inspector::{Inspector, Stored};
use nextauth_adapter::{
    Account, AdapterConfig, AdapterError, Capabilities, EmailProvider, ManualClock, NewAccount,
    NewUser, RecordingSender, Session, SessionPolicy, SharedAdapter, User, VerificationRequest,
    formulas,
};
use nextauth_adapter_reference::ReferenceAdapter;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Why a sequence failed: at which step, and how the two sides differed.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The index of the step (0-based) at which the sides first differed.
    pub step: usize,
    /// What the adapter under test did and what the reference did.
    pub message: String,
}

/// One side of the comparison: an adapter and what the sequence created on it.
struct Side {
    adapter: SharedAdapter,
    inspector: Arc<dyn Inspector>,
    provider: EmailProvider,
    sender: RecordingSender,
    users: Vec<User>,
    sessions: Vec<Session>,
    caps: Capabilities,
}

/// An id no side issues within a sequence.
const NEVER_ISSUED: &str = "424242424";

fn pool<S: AsRef<str>>(p: &[S], i: u8) -> String {
    if p.is_empty() {
        return String::new();
    }
    p[usize::from(i) % p.len()].as_ref().to_owned()
}

fn pick_owned(p: &[String], i: u8) -> String {
    pick(p, i).to_owned()
}

fn jwt() -> String {
    format!("eyJhbGciOiJIUzUxMiJ9.{}.sig", "eyJzdWIiOiIxIn0".repeat(20))
}

impl Side {
    fn new(adapter: SharedAdapter, inspector: Arc<dyn Inspector>, caps: Capabilities) -> Self {
        let sender = RecordingSender::new();
        Side {
            adapter,
            inspector,
            provider: EmailProvider::new(Arc::new(sender.clone())),
            sender,
            users: Vec::new(),
            sessions: Vec::new(),
            caps,
        }
    }

    fn user(&self, p: u8) -> Option<User> {
        (!self.users.is_empty()).then(|| self.users[usize::from(p) % self.users.len()].clone())
    }

    fn user_index(&self, id: &str) -> String {
        self.users.iter().position(|u| u.id == id).map_or_else(
            || format!("<id {id:?} not created by the sequence>"),
            |i| format!("#{i}"),
        )
    }

    fn session_index(&self, token: &str) -> String {
        self.sessions
            .iter()
            .position(|s| s.session_token == token)
            .map_or_else(|| "<unknown token>".to_owned(), |i| format!("#{i}"))
    }

    fn instant(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.caps
            .timestamp_precision
            .apply(t)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    fn norm_user(&self, u: &User) -> String {
        format!(
            "user {} name={:?} email={:?} email_verified={:?} image={:?}",
            self.user_index(&u.id),
            u.name,
            u.email,
            u.email_verified.map(|t| self.instant(t)),
            u.image
        )
    }

    fn norm_session(&self, s: &Session) -> String {
        format!(
            "session {} of user {} expires={}",
            self.session_index(&s.session_token),
            self.user_index(&s.user_id),
            self.instant(s.expires)
        )
    }

    fn norm_account(&self, a: &Account) -> String {
        format!(
            "account {}:{} of user {} compound={} refresh={:?} access={:?}",
            a.provider_id,
            a.provider_account_id,
            self.user_index(&a.user_id),
            a.compound_id,
            a.refresh_token,
            a.access_token
        )
    }

    fn norm_verification(&self, v: &VerificationRequest) -> String {
        format!(
            "verification {:?} token={} expires={}",
            v.identifier,
            v.token,
            self.instant(v.expires)
        )
    }

    fn norm_stored(&self, s: &Stored) -> Vec<String> {
        let mut rows: Vec<String> = Vec::new();
        rows.extend(s.users.iter().map(|u| self.norm_user(u)));
        rows.extend(s.accounts.iter().map(|a| self.norm_account(a)));
        rows.extend(s.sessions.iter().map(|x| self.norm_session(x)));
        rows.extend(
            s.verification_requests
                .iter()
                .map(|v| self.norm_verification(v)),
        );
        rows.sort();
        rows
    }

    fn token(&self, t: TokenRef) -> Option<String> {
        match t {
            TokenRef::Of(p) => (!self.sessions.is_empty())
                .then(|| {
                    self.sessions[usize::from(p) % self.sessions.len()]
                        .session_token
                        .clone()
                })
                .or_else(|| Some(formulas::hash_token("unknown", "session"))),
            TokenRef::Unknown => Some(formulas::hash_token("unknown", "session")),
            TokenRef::Absent => None,
            TokenRef::Jwt => Some(jwt()),
        }
    }

    /// Applies one step and describes its result in side-independent terms.
    async fn apply(&mut self, op: &Op, now: chrono::DateTime<chrono::Utc>) -> String {
        fn err(e: &AdapterError) -> String {
            format!("error {:?} key={:?}", e.kind(), e.conflict_key())
        }
        let a = Arc::clone(&self.adapter);
        match op {
            Op::CreateUser {
                name,
                email,
                verified,
            } => {
                let profile = NewUser {
                    name: name.map(|i| pick_owned(&corpus().names, i)),
                    email: email.map(|i| pick_owned(&corpus().emails, i)),
                    image: None,
                    email_verified: verified.then_some(now),
                };
                match a.create_user(profile).await {
                    Ok(u) => {
                        self.users.push(u.clone());
                        self.norm_user(&u)
                    }
                    Err(e) => err(&e),
                }
            }
            Op::GetUser(pick) => {
                let id = pick
                    .and_then(|p| self.user(p))
                    .map_or_else(|| NEVER_ISSUED.to_owned(), |u| u.id);
                match a.get_user(&id).await {
                    Ok(u) => format!("{:?}", u.map(|u| self.norm_user(&u))),
                    Err(e) => err(&e),
                }
            }
            Op::GetUserByEmail(email) => {
                let email = email.map(|i| pick_owned(&corpus().emails, i));
                match a.get_user_by_email(email.as_deref()).await {
                    Ok(u) => format!("{:?}", u.map(|u| self.norm_user(&u))),
                    Err(e) => err(&e),
                }
            }
            Op::GetUserByAccount { provider, account } => {
                match a
                    .get_user_by_provider_account_id(
                        &pool(PROVIDERS, *provider),
                        &pick_owned(&corpus().provider_account_ids, *account),
                    )
                    .await
                {
                    Ok(u) => format!("{:?}", u.map(|u| self.norm_user(&u))),
                    Err(e) => err(&e),
                }
            }
            Op::UpdateUser {
                user,
                name,
                email,
                verified,
            } => {
                let Some(u) = self.user(*user) else {
                    return "no user".to_owned();
                };
                let edited = User {
                    name: name.map(|i| pick_owned(&corpus().names, i)),
                    email: email.map(|i| pick_owned(&corpus().emails, i)),
                    email_verified: verified.then_some(now),
                    ..u
                };
                match a.update_user(&edited).await {
                    Ok(updated) => {
                        if let Some(slot) = self.users.iter_mut().find(|x| x.id == updated.id) {
                            *slot = updated.clone();
                        }
                        self.norm_user(&updated)
                    }
                    Err(e) => err(&e),
                }
            }
            Op::DeleteUser(p) => {
                let Some(u) = self.user(*p) else {
                    return "no user".to_owned();
                };
                match a.delete_user(&u.id).await {
                    Ok(()) => "ok".to_owned(),
                    Err(e) => err(&e),
                }
            }
            Op::LinkAccount {
                user,
                provider,
                account,
                access,
            } => {
                let Some(u) = self.user(*user) else {
                    return "no user".to_owned();
                };
                let new = NewAccount {
                    user_id: u.id.clone(),
                    provider_id: pool(PROVIDERS, *provider),
                    provider_type: "oauth".to_owned(),
                    provider_account_id: pick_owned(&corpus().provider_account_ids, *account),
                    refresh_token: None,
                    access_token: Some(pick_owned(&corpus().access_tokens, *access)),
                    access_token_expires: None,
                };
                match a.link_account(new).await {
                    Ok(acc) => self.norm_account(&acc),
                    Err(e) => err(&e),
                }
            }
            Op::UnlinkAccount {
                user,
                provider,
                account,
            } => {
                let Some(u) = self.user(*user) else {
                    return "no user".to_owned();
                };
                match a
                    .unlink_account(
                        &u.id,
                        &pool(PROVIDERS, *provider),
                        &pick_owned(&corpus().provider_account_ids, *account),
                    )
                    .await
                {
                    Ok(()) => "ok".to_owned(),
                    Err(e) => err(&e),
                }
            }
            Op::CreateSession(p) => {
                let Some(u) = self.user(*p) else {
                    return "no user".to_owned();
                };
                match a.create_session(&u).await {
                    Ok(s) => {
                        self.sessions.push(s.clone());
                        self.norm_session(&s)
                    }
                    Err(e) => err(&e),
                }
            }
            Op::GetSession(t) => {
                let token = self.token(*t);
                match a.get_session(token.as_deref()).await {
                    Ok(s) => format!("{:?}", s.map(|s| self.norm_session(&s))),
                    Err(e) => err(&e),
                }
            }
            Op::UpdateSession { session, force } => {
                if self.sessions.is_empty() {
                    return "no session".to_owned();
                }
                let i = usize::from(*session) % self.sessions.len();
                let mut held = self.sessions[i].clone();
                let r = a.update_session(&mut held, *force).await;
                let arg = self.norm_session(&held);
                self.sessions[i] = held;
                match r {
                    Ok(s) => format!("{:?}; argument now {arg}", s.map(|s| self.norm_session(&s))),
                    Err(e) => err(&e),
                }
            }
            Op::DeleteSession(t) => {
                let token = self.token(*t);
                match a.delete_session(token.as_deref()).await {
                    Ok(()) => "ok".to_owned(),
                    Err(e) => err(&e),
                }
            }
            Op::CreateVerification { identifier, token } => {
                let (id, tok) = (
                    pick_owned(&corpus().emails, *identifier),
                    pick_owned(&corpus().verification_tokens, *token),
                );
                let before = self.sender.sent().len();
                let r = a
                    .create_verification_request(
                        &id,
                        "http://localhost:3000/x",
                        &tok,
                        SECRET,
                        &self.provider,
                    )
                    .await;
                let sent = self.sender.sent().len() - before;
                match r {
                    Ok(v) => format!("{}; sent {sent}", self.norm_verification(&v)),
                    Err(e) => format!("{}; sent {sent}", err(&e)),
                }
            }
            Op::GetVerification { identifier, token } => {
                match a
                    .get_verification_request(
                        &pick_owned(&corpus().emails, *identifier),
                        &pick_owned(&corpus().verification_tokens, *token),
                        SECRET,
                        &self.provider,
                    )
                    .await
                {
                    Ok(v) => format!("{:?}", v.map(|v| self.norm_verification(&v))),
                    Err(e) => err(&e),
                }
            }
            Op::DeleteVerification { identifier, token } => {
                match a
                    .delete_verification_request(
                        &pick_owned(&corpus().emails, *identifier),
                        &pick_owned(&corpus().verification_tokens, *token),
                        SECRET,
                        &self.provider,
                    )
                    .await
                {
                    Ok(()) => "ok".to_owned(),
                    Err(e) => err(&e),
                }
            }
            Op::Advance(_) => "ok".to_owned(),
        }
    }

    /// The invariants every adapter's storage keeps, whatever the sequence.
    fn invariants(&self, stored: &Stored) -> Result<(), String> {
        let matching = self.caps.email_matching;
        let emails: Vec<&str> = stored
            .users
            .iter()
            .filter_map(|u| u.email.as_deref())
            .collect();
        for (i, a) in emails.iter().enumerate() {
            if emails[i + 1..].iter().any(|b| matching.same(a, b)) {
                return Err(format!("two stored users share the email {a:?}"));
            }
        }
        let unique = |what: &str, mut v: Vec<&str>| {
            let n = v.len();
            v.sort_unstable();
            v.dedup();
            if v.len() == n {
                Ok(())
            } else {
                Err(format!("duplicate {what} stored"))
            }
        };
        unique(
            "session tokens",
            stored
                .sessions
                .iter()
                .map(|s| s.session_token.as_str())
                .collect(),
        )?;
        unique(
            "session access tokens",
            stored
                .sessions
                .iter()
                .map(|s| s.access_token.as_str())
                .collect(),
        )?;
        unique(
            "account compound ids",
            stored
                .accounts
                .iter()
                .map(|a| a.compound_id.as_str())
                .collect(),
        )?;
        unique(
            "verification tokens",
            stored
                .verification_requests
                .iter()
                .map(|v| v.token.as_str())
                .collect(),
        )?;
        for a in &stored.accounts {
            if a.compound_id != formulas::compound_id(&a.provider_id, &a.provider_account_id) {
                return Err(format!("account {} has a wrong compound id", a.id));
            }
        }
        Ok(())
    }
}

/// Runs `ops` against a fresh fixture of `factory` and a reference with the same
/// capabilities. `seen` counts applied steps for proptest-state-machine's shrinking.
pub async fn run_sequence(
    factory: &dyn BackendFactory,
    ops: &[Op],
    seen: Option<&AtomicUsize>,
) -> Result<(), Divergence> {
    let caps = factory.capabilities();
    let clock = ManualClock::new(start_instant());
    let config = AdapterConfig {
        clock: clock.shared(),
        session: SessionPolicy::default(),
        base_url: "http://localhost:3000".to_owned(),
    };
    let fixture = factory.open(config.clone()).await.map_err(|e| Divergence {
        step: 0,
        message: format!("backend setup failed: {e}"),
    })?;
    let oracle = Arc::new(ReferenceAdapter::with_capabilities(config, caps));
    let crate::backend::Fixture {
        adapter,
        inspector,
        teardown,
    } = fixture;
    let mut sut = Side::new(adapter, inspector, caps);
    let mut reference = Side::new(oracle.clone(), oracle, caps);
    let mut result = Ok(());
    for (i, op) in ops.iter().enumerate() {
        if let Some(seen) = seen {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        if let Op::Advance(step) = op {
            clock.advance(step.duration());
        }
        let now = nextauth_adapter::Clock::now(&clock);
        let got = sut.apply(op, now).await;
        let want = reference.apply(op, now).await;
        if got != want {
            result = Err(Divergence {
                step: i,
                message: format!("{op}\n      adapter:   {got}\n      reference: {want}"),
            });
            break;
        }
        let stored = match sut.inspector.stored().await {
            Ok(s) => s,
            Err(e) => {
                result = Err(Divergence {
                    step: i,
                    message: format!("the inspector failed after {op}: {e}"),
                });
                break;
            }
        };
        if let Err(broken) = sut.invariants(&stored) {
            result = Err(Divergence {
                step: i,
                message: format!("after {op}: invariant broken: {broken}"),
            });
            break;
        }
        let oracle_stored = reference.inspector.stored().await.unwrap_or_default();
        let (got_rows, want_rows) = (
            sut.norm_stored(&stored),
            reference.norm_stored(&oracle_stored),
        );
        if got_rows != want_rows {
            let extra: Vec<_> = got_rows.iter().filter(|r| !want_rows.contains(r)).collect();
            let missing: Vec<_> = want_rows.iter().filter(|r| !got_rows.contains(r)).collect();
            result = Err(Divergence {
                step: i,
                message: format!(
                    "after {op}: stored rows differ\n      only in the adapter:   {extra:?}\n      only in the reference: {missing:?}"
                ),
            });
            break;
        }
    }
    // The sequence's handles go first, so that the teardown sees the adapter released (a
    // factory may then reuse the namespace).
    drop(sut);
    drop(reference);
    if let Some(teardown) = teardown
        && let Err(e) = teardown().await
        && result.is_ok()
    {
        result = Err(Divergence {
            step: ops.len(),
            message: format!("teardown failed: {e}"),
        });
    }
    result
}

//! Runs one sequence against the adapter under test and the reference configured with the
//! same capabilities, comparing every result and the stored rows after every step.
//!
//! A difference is a MUST divergence, unless it concerns a behaviour the catalogue only rates
//! SHOULD ([`super::levels`]): then the sequence ends there and the difference is reported
//! against that SHOULD rule, so the property test is never stricter than the catalogue.

use super::corpus::{corpus, pick};
use super::levels::{self, Mask};
use super::step::{Op, PROVIDERS, Pick, StepNames, TokenRef, trace};
use crate::backend::BackendFactory;
use crate::context::{SECRET, start_instant};
use crate::inspector::{Inspector, Stored};
use nextauth_adapter::{
    Account, AdapterConfig, AdapterError, Capabilities, EmailProvider, ErrorKind, ManualClock,
    NewAccount, NewUser, RecordingSender, Session, SessionPolicy, SharedAdapter, UniqueKey, User,
    VerificationRequest, formulas,
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
    /// The cause the difference shows ([`crate::finding::CAUSES`]), when it shows one: a raw
    /// verification token stored, or timestamps that differ only below a second.
    pub cause: Option<&'static str>,
}

/// The cause a step's difference shows: the reference refusing as unsupported what the
/// adapter did (the declaration is wrong), or the adapter failing where the reference did not
/// on an argument with a character outside the Basic Multilingual Plane (the storage cannot
/// hold it), else what [`diagnose`] sees.
fn diagnose_step(
    op: &str,
    got: &StepResult,
    want: &StepResult,
    rendered: (&str, &str),
    stored: Option<&Stored>,
) -> Option<&'static str> {
    match (got, want) {
        (other, StepResult::Error(ErrorKind::Unsupported, _))
            if !matches!(other, StepResult::Error(ErrorKind::Unsupported, _)) =>
        {
            return Some("declaration");
        }
        (StepResult::Error(ErrorKind::Backend, _), w)
            if !matches!(w, StepResult::Error(..)) && op.chars().any(|c| c.len_utf8() == 4) =>
        {
            return Some("data-fidelity");
        }
        _ => {}
    }
    diagnose(rendered.0, rendered.1, stored)
}

/// The cause a difference between `got` and `want` shows, judged from their renderings and
/// what the adapter stored.
fn diagnose(got: &str, want: &str, stored: Option<&Stored>) -> Option<&'static str> {
    let raw = &corpus().verification_tokens;
    if stored.is_some_and(|s| {
        s.verification_requests
            .iter()
            .any(|v| raw.contains(&v.token))
    }) {
        return Some("raw-token");
    }
    crate::rule::differs_only_in_timestamps(want, got)
        .then_some(crate::finding::TIMESTAMP_PRECISION)
}

/// A difference in a behaviour the catalogue rates SHOULD: reported against that rule, not
/// as a failure of the property test.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShouldDivergence {
    /// The SHOULD rule the difference concerns.
    pub rule: &'static str,
    /// The sequence up to the differing step.
    #[serde(skip)]
    pub steps: Vec<Op>,
    /// The sequence as a readable trace, with what each side did at the last step.
    pub trace: String,
}

/// How a sequence that did not diverge at MUST level ended.
#[derive(Debug, Clone)]
pub enum SequenceEnd {
    /// Every step agreed.
    Agreed,
    /// A step differed in a SHOULD-level behaviour; the sequence stopped there.
    Should(ShouldDivergence),
}

/// What a step did, in side-independent terms.
#[derive(Debug, Clone)]
pub(super) enum StepResult {
    /// The step referred to a creation that failed on this side: nothing was called.
    Skipped(&'static str),
    /// `Ok(())`.
    Unit,
    /// An error of this kind (and unique key, for conflicts).
    Error(ErrorKind, Option<UniqueKey>),
    /// A user or none.
    User(Option<User>),
    /// A linked account.
    Account(Account),
    /// A session or none.
    Session(Option<Session>),
    /// `update_session`'s return value and its argument afterwards.
    Updated {
        returned: Option<Session>,
        argument: Session,
    },
    /// A verification request (or none, or an error) and how many messages were sent.
    Request {
        result: Result<Option<VerificationRequest>, (ErrorKind, Option<UniqueKey>)>,
        sent: Option<usize>,
    },
}

impl StepResult {
    fn error(e: &AdapterError) -> Self {
        StepResult::Error(e.kind(), e.conflict_key())
    }

    /// The request the step found or created, if any.
    pub(super) fn request(&self) -> Option<&VerificationRequest> {
        match self {
            StepResult::Request {
                result: Ok(Some(v)),
                ..
            } => Some(v),
            _ => None,
        }
    }
}

/// One side of the comparison: an adapter and what the sequence created on it.
pub(super) struct Side {
    adapter: SharedAdapter,
    inspector: Arc<dyn Inspector>,
    provider: EmailProvider,
    sender: RecordingSender,
    /// What each `create_user` step created (`None`: it failed), and at which step.
    users: Vec<(usize, Option<User>)>,
    /// What each `create_session` step created, and at which step.
    sessions: Vec<(usize, Option<Session>)>,
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

fn unknown_token() -> String {
    formulas::hash_token("unknown", "session")
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

    /// The user the `p`-th `create_user` step created, as last returned to the sequence.
    pub(super) fn user(&self, p: Pick) -> Option<User> {
        self.users.get(usize::from(p))?.1.clone()
    }

    /// The session the `p`-th `create_session` step created, as the sequence holds it.
    pub(super) fn session(&self, p: Pick) -> Option<Session> {
        self.sessions.get(usize::from(p))?.1.clone()
    }

    fn user_name(&self, id: &str) -> String {
        self.users
            .iter()
            .find(|(_, u)| u.as_ref().is_some_and(|u| u.id == id))
            .map_or_else(
                || format!("<id {id:?} not created by the sequence>"),
                |(step, _)| format!("user@{}", step + 1),
            )
    }

    fn session_name(&self, token: &str) -> String {
        self.sessions
            .iter()
            .find(|(_, s)| s.as_ref().is_some_and(|s| s.session_token == token))
            .map_or_else(
                || "<unknown token>".to_owned(),
                |(step, _)| format!("session@{}", step + 1),
            )
    }

    fn instant(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.caps
            .timestamp_precision
            .apply(t)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    fn norm_user(&self, u: &User, mask: Mask) -> String {
        let verified = if mask.email_verified {
            "<masked>".to_owned()
        } else {
            format!("{:?}", u.email_verified.map(|t| self.instant(t)))
        };
        format!(
            "{} name={:?} email={:?} email_verified={verified} image={:?}",
            self.user_name(&u.id),
            u.name,
            u.email,
            u.image
        )
    }

    fn norm_session(&self, s: &Session) -> String {
        format!(
            "{} of {} expires={}",
            self.session_name(&s.session_token),
            self.user_name(&s.user_id),
            self.instant(s.expires)
        )
    }

    fn norm_account(&self, a: &Account) -> String {
        format!(
            "account {}:{} of {} compound={} refresh={:?} access={:?}",
            a.provider_id,
            a.provider_account_id,
            self.user_name(&a.user_id),
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

    fn norm_stored(&self, s: &Stored, mask: Mask) -> Vec<String> {
        let mut rows: Vec<String> = Vec::new();
        rows.extend(s.users.iter().map(|u| self.norm_user(u, mask)));
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

    /// A step's result as compared between the sides.
    fn render(&self, r: &StepResult, mask: Mask) -> String {
        let err = |kind: &ErrorKind, key: &Option<UniqueKey>| format!("error {kind:?} key={key:?}");
        match r {
            StepResult::Skipped(what) => (*what).to_owned(),
            StepResult::Unit => "ok".to_owned(),
            StepResult::Error(kind, key) => err(kind, key),
            StepResult::User(u) => format!("{:?}", u.as_ref().map(|u| self.norm_user(u, mask))),
            StepResult::Account(a) => self.norm_account(a),
            StepResult::Session(s) => {
                format!("{:?}", s.as_ref().map(|s| self.norm_session(s)))
            }
            StepResult::Updated { returned, argument } => format!(
                "{:?}; argument now {}",
                returned.as_ref().map(|s| self.norm_session(s)),
                self.norm_session(argument)
            ),
            StepResult::Request { result, sent } => {
                let shown = match result {
                    Ok(v) => format!("{:?}", v.as_ref().map(|v| self.norm_verification(v))),
                    Err((kind, key)) => err(kind, key),
                };
                match sent {
                    Some(n) => format!("{shown}; sent {n}"),
                    None => shown,
                }
            }
        }
    }

    fn token(&self, t: TokenRef) -> Option<String> {
        match t {
            TokenRef::Of(p) => Some(
                self.session(p)
                    .map_or_else(unknown_token, |s| s.session_token),
            ),
            TokenRef::Unknown => Some(unknown_token()),
            TokenRef::Absent => None,
            TokenRef::Jwt => Some(jwt()),
        }
    }

    /// Applies step `step` of the sequence.
    async fn apply(
        &mut self,
        step: usize,
        op: &Op,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StepResult {
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
                        self.users.push((step, Some(u.clone())));
                        StepResult::User(Some(u))
                    }
                    Err(e) => {
                        self.users.push((step, None));
                        StepResult::error(&e)
                    }
                }
            }
            Op::GetUser(pick) => {
                let id = match pick {
                    Some(p) => match self.user(*p) {
                        Some(u) => u.id,
                        None => return StepResult::Skipped("no user"),
                    },
                    None => NEVER_ISSUED.to_owned(),
                };
                match a.get_user(&id).await {
                    Ok(u) => StepResult::User(u),
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::GetUserByEmail(email) => {
                let email = email.map(|i| pick_owned(&corpus().emails, i));
                match a.get_user_by_email(email.as_deref()).await {
                    Ok(u) => StepResult::User(u),
                    Err(e) => StepResult::error(&e),
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
                    Ok(u) => StepResult::User(u),
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::UpdateUser {
                user,
                name,
                email,
                verified,
            } => {
                let Some(u) = self.user(*user) else {
                    return StepResult::Skipped("no user");
                };
                let edited = User {
                    name: name.map(|i| pick_owned(&corpus().names, i)),
                    email: email.map(|i| pick_owned(&corpus().emails, i)),
                    email_verified: verified.then_some(now),
                    ..u
                };
                match a.update_user(&edited).await {
                    Ok(updated) => {
                        if let Some((_, Some(slot))) = self.users.get_mut(usize::from(*user)) {
                            *slot = updated.clone();
                        }
                        StepResult::User(Some(updated))
                    }
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::DeleteUser(p) => {
                let Some(u) = self.user(*p) else {
                    return StepResult::Skipped("no user");
                };
                match a.delete_user(&u.id).await {
                    Ok(()) => StepResult::Unit,
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::LinkAccount {
                user,
                provider,
                account,
                access,
            } => {
                let Some(u) = self.user(*user) else {
                    return StepResult::Skipped("no user");
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
                    Ok(acc) => StepResult::Account(acc),
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::UnlinkAccount {
                user,
                provider,
                account,
            } => {
                let Some(u) = self.user(*user) else {
                    return StepResult::Skipped("no user");
                };
                match a
                    .unlink_account(
                        &u.id,
                        &pool(PROVIDERS, *provider),
                        &pick_owned(&corpus().provider_account_ids, *account),
                    )
                    .await
                {
                    Ok(()) => StepResult::Unit,
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::CreateSession(p) => {
                let Some(u) = self.user(*p) else {
                    self.sessions.push((step, None));
                    return StepResult::Skipped("no user");
                };
                match a.create_session(&u).await {
                    Ok(s) => {
                        self.sessions.push((step, Some(s.clone())));
                        StepResult::Session(Some(s))
                    }
                    Err(e) => {
                        self.sessions.push((step, None));
                        StepResult::error(&e)
                    }
                }
            }
            Op::GetSession(t) => {
                let token = self.token(*t);
                match a.get_session(token.as_deref()).await {
                    Ok(s) => StepResult::Session(s),
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::UpdateSession { session, force } => {
                let Some(mut held) = self.session(*session) else {
                    return StepResult::Skipped("no session");
                };
                let r = a.update_session(&mut held, *force).await;
                if let Some((_, Some(slot))) = self.sessions.get_mut(usize::from(*session)) {
                    *slot = held.clone();
                }
                match r {
                    Ok(returned) => StepResult::Updated {
                        returned,
                        argument: held,
                    },
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::DeleteSession(t) => {
                let token = self.token(*t);
                match a.delete_session(token.as_deref()).await {
                    Ok(()) => StepResult::Unit,
                    Err(e) => StepResult::error(&e),
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
                StepResult::Request {
                    result: r.map(Some).map_err(|e| (e.kind(), e.conflict_key())),
                    sent: Some(sent),
                }
            }
            Op::GetVerification { identifier, token } => {
                let r = a
                    .get_verification_request(
                        &pick_owned(&corpus().emails, *identifier),
                        &pick_owned(&corpus().verification_tokens, *token),
                        SECRET,
                        &self.provider,
                    )
                    .await;
                StepResult::Request {
                    result: r.map_err(|e| (e.kind(), e.conflict_key())),
                    sent: None,
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
                    Ok(()) => StepResult::Unit,
                    Err(e) => StepResult::error(&e),
                }
            }
            Op::Advance(_) => StepResult::Unit,
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

/// Where one step of a sequence left the two sides.
enum StepVerdict {
    Agreed,
    Should(&'static str, String),
    Must(String, Option<&'static str>),
}

/// Runs `ops` against a fresh fixture of `factory` and a reference with the same
/// capabilities. `seen` counts applied steps for proptest-state-machine's shrinking.
pub async fn run_sequence(
    factory: &dyn BackendFactory,
    ops: &[Op],
    seen: Option<&AtomicUsize>,
) -> Result<SequenceEnd, Divergence> {
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
        cause: Some(crate::finding::SETUP),
    })?;
    let oracle = Arc::new(ReferenceAdapter::with_capabilities(config, caps));
    let crate::backend::Fixture {
        adapter,
        inspector,
        teardown,
    } = fixture;
    let mut sut = Side::new(adapter, inspector, caps);
    let mut reference = Side::new(oracle.clone(), oracle.clone(), caps);
    let mut result = Ok(SequenceEnd::Agreed);
    let names = StepNames::of(ops);
    for (i, op) in ops.iter().enumerate() {
        if let Some(seen) = seen {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        if let Op::Advance(step) = op {
            clock.advance(step.duration());
        }
        let now = nextauth_adapter::Clock::now(&clock);
        let before = oracle.snapshot();
        let got = sut.apply(i, op, now).await;
        let want = reference.apply(i, op, now).await;
        let level = levels::should_rule(op, &before, &reference, &got);
        let shown = op.describe(&names);
        let verdict = compare(&sut, &reference, &shown, &got, &want, level).await;
        match verdict {
            StepVerdict::Agreed => {}
            StepVerdict::Should(rule, message) => {
                let steps = ops[..=i].to_vec();
                result = Ok(SequenceEnd::Should(ShouldDivergence {
                    rule,
                    trace: format!(
                        "{}    step {}: {message}\n",
                        trace(&steps, Some(i), "  <-- differs"),
                        i + 1
                    ),
                    steps,
                }));
                break;
            }
            StepVerdict::Must(message, cause) => {
                result = Err(Divergence {
                    step: i,
                    message,
                    cause,
                });
                break;
            }
        }
    }
    // The sequence's handles go first, so that the teardown sees the adapter released (a
    // factory may then reuse the namespace).
    drop(sut);
    drop(reference);
    drop(oracle);
    if let Some(teardown) = teardown
        && let Err(e) = teardown().await
        && result.is_ok()
    {
        result = Err(Divergence {
            step: ops.len(),
            message: format!("teardown failed: {e}"),
            cause: Some(crate::finding::SETUP),
        });
    }
    result
}

/// Compares one step's results and the stored rows after it. A difference is SHOULD-level
/// when `level` names a SHOULD rule and the sides agree once that rule's behaviour is masked
/// (a mask of everything: the whole step is that behaviour).
async fn compare(
    sut: &Side,
    reference: &Side,
    op: &str,
    got: &StepResult,
    want: &StepResult,
    level: Option<(&'static str, Mask)>,
) -> StepVerdict {
    let strict = Mask::default();
    let mask = level.map(|(_, m)| m).unwrap_or_default();
    let stored = sut.inspector.stored().await;
    let classify = |message: String, agree_masked: bool, cause: Option<&'static str>| match level {
        Some((rule, _)) if agree_masked => StepVerdict::Should(rule, message),
        _ => StepVerdict::Must(message, cause),
    };
    let (g, w) = (sut.render(got, strict), reference.render(want, strict));
    if g != w {
        let agree = mask.everything || sut.render(got, mask) == reference.render(want, mask);
        let cause = diagnose_step(op, got, want, (&g, &w), stored.as_ref().ok());
        return classify(
            format!("{op}\n      adapter:   {g}\n      reference: {w}"),
            agree,
            cause,
        );
    }
    let stored = match stored {
        Ok(s) => s,
        Err(e) => {
            return StepVerdict::Must(
                format!("the inspector failed after {op}: {e}"),
                Some(crate::finding::SETUP),
            );
        }
    };
    if let Err(broken) = sut.invariants(&stored) {
        return classify(
            format!("after {op}: invariant broken: {broken}"),
            mask.everything,
            diagnose("", "", Some(&stored)),
        );
    }
    let oracle_stored = reference.inspector.stored().await.unwrap_or_default();
    let (got_rows, want_rows) = (
        sut.norm_stored(&stored, strict),
        reference.norm_stored(&oracle_stored, strict),
    );
    if got_rows != want_rows {
        let extra: Vec<_> = got_rows.iter().filter(|r| !want_rows.contains(r)).collect();
        let missing: Vec<_> = want_rows.iter().filter(|r| !got_rows.contains(r)).collect();
        let agree = mask.everything
            || sut.norm_stored(&stored, mask) == reference.norm_stored(&oracle_stored, mask);
        let cause = diagnose(
            &format!("{got_rows:?}"),
            &format!("{want_rows:?}"),
            Some(&stored),
        );
        return classify(
            format!(
                "after {op}: stored rows differ\n      only in the adapter:   {extra:?}\n      only in the reference: {missing:?}"
            ),
            agree,
            cause,
        );
    }
    StepVerdict::Agreed
}

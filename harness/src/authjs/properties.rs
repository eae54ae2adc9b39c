//! The Auth.js differential property test: random sequences over the nineteen methods,
//! applied to the adapter under test and to the Auth.js reference configured with the same
//! capabilities, every answer compared; a failure shrinks to a minimal sequence, is printed
//! as a readable trace and saved (in `authjs/` under the regressions directory) to be replayed
//! first by every later run. The seed and knobs are the v3 property test's
//! ([`crate::properties::PropertyConfig`]): a run is reproducible unless it explores.
//!
//! The sequences draw from small pools of addresses, provider keys, tokens and credential ids
//! so that they collide: unique keys, single use and cascades are exercised, not dodged.
//! Users are named by creation order on each side (`user#2`), so an adapter that issues its
//! own ids compares equal to the reference that keeps core's.

use super::backend::BackendFactory;
use super::context::unknown_id_like;
use crate::execute::Outcome;
use crate::properties::{PropertyConfig, PropertyRun, load_regressions, save_regression};
use chrono::{DateTime, Duration, Utc};
use nextauth_adapter::authjs::{
    Account, AccountKey, AccountType, Adapter, Authenticator, NewUser, Patch, Session,
    SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, formulas};
use nextauth_adapter_reference::authjs::{ReferenceAdapter, Stored};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The property test's id in reports.
pub const PROPERTY_ID: &str = "authjs.property.differential.sequences";

/// Where it comes from, as reports cite it.
pub const PROPERTY_SOURCE: &str = "§14.11";

/// What it checks.
pub const PROPERTY_SUMMARY: &str = "random sequences over the nineteen Auth.js methods give the answers and leave the rows of the Auth.js reference with the same capabilities";

const EMAILS: [&str; 4] = [
    "ann@example.com",
    "Ann@Example.com",
    "bob@example.com",
    "a_n%@example.com",
];
const PROVIDERS: [&str; 2] = ["github", "google"];

/// One step of a sequence. Small numbers index the pools above, or the users created so far
/// (modulo their count; a step naming a user before any exists names one nobody has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Step {
    /// `createUser`, with core's id or without one (WebAuthn).
    CreateUser {
        core_id: bool,
        email: Option<u8>,
        name: u8,
    },
    /// `getUser` of the n-th user.
    GetUser { user: u8 },
    /// `getUserByEmail`.
    GetUserByEmail { email: u8 },
    /// `updateUser` of the n-th user: a new name (or none: cleared), maybe an address.
    UpdateUser {
        user: u8,
        name: Option<Option<u8>>,
        email: Option<u8>,
    },
    /// `deleteUser`.
    DeleteUser { user: u8 },
    /// `linkAccount`.
    LinkAccount { user: u8, provider: u8, id: u8 },
    /// `getUserByAccount`.
    GetUserByAccount { provider: u8, id: u8 },
    /// `getAccount`.
    GetAccount { provider: u8, id: u8 },
    /// `unlinkAccount`.
    UnlinkAccount { provider: u8, id: u8 },
    /// `createSession`, expiring `hours` from the fixed instant.
    CreateSession { user: u8, token: u8, hours: i16 },
    /// `getSessionAndUser`.
    GetSessionAndUser { token: u8 },
    /// `updateSession` of the expiry.
    UpdateSession { token: u8, hours: i16 },
    /// `deleteSession`.
    DeleteSession { token: u8 },
    /// `createVerificationToken`.
    CreateVerificationToken { email: u8, token: u8 },
    /// `useVerificationToken`.
    UseVerificationToken { email: u8, token: u8 },
    /// `createAuthenticator` for the n-th user.
    CreateAuthenticator {
        user: u8,
        credential: u8,
        counter: u16,
    },
    /// `getAuthenticator`.
    GetAuthenticator { credential: u8 },
    /// `listAuthenticatorsByUserId`.
    ListAuthenticators { user: u8 },
    /// `updateAuthenticatorCounter`.
    UpdateCounter { credential: u8, counter: u16 },
}

fn step() -> impl Strategy<Value = Step> {
    let n = || 0u8..4;
    prop_oneof![
        3 => (any::<bool>(), n(), n()).prop_map(|(core_id, email, name)| Step::CreateUser { core_id, email: Some(email), name }),
        1 => n().prop_map(|user| Step::GetUser { user }),
        2 => n().prop_map(|email| Step::GetUserByEmail { email }),
        2 => (n(), proptest::option::of(proptest::option::of(n())), proptest::option::of(n())).prop_map(|(user, name, email)| Step::UpdateUser { user, name, email }),
        1 => n().prop_map(|user| Step::DeleteUser { user }),
        2 => (n(), 0u8..2, 0u8..3).prop_map(|(user, provider, id)| Step::LinkAccount { user, provider, id }),
        2 => (0u8..2, 0u8..3).prop_map(|(provider, id)| Step::GetUserByAccount { provider, id }),
        1 => (0u8..2, 0u8..3).prop_map(|(provider, id)| Step::GetAccount { provider, id }),
        1 => (0u8..2, 0u8..3).prop_map(|(provider, id)| Step::UnlinkAccount { provider, id }),
        2 => (n(), 0u8..3, -48i16..800).prop_map(|(user, token, hours)| Step::CreateSession { user, token, hours }),
        2 => (0u8..3).prop_map(|token| Step::GetSessionAndUser { token }),
        1 => (0u8..3, -48i16..800).prop_map(|(token, hours)| Step::UpdateSession { token, hours }),
        1 => (0u8..3).prop_map(|token| Step::DeleteSession { token }),
        2 => (n(), 0u8..3).prop_map(|(email, token)| Step::CreateVerificationToken { email, token }),
        2 => (n(), 0u8..3).prop_map(|(email, token)| Step::UseVerificationToken { email, token }),
        1 => (n(), 0u8..3, 0u16..500).prop_map(|(user, credential, counter)| Step::CreateAuthenticator { user, credential, counter }),
        1 => (0u8..3).prop_map(|credential| Step::GetAuthenticator { credential }),
        1 => n().prop_map(|user| Step::ListAuthenticators { user }),
        1 => (0u8..3, 0u16..500).prop_map(|(credential, counter)| Step::UpdateCounter { credential, counter }),
    ]
}

/// One side of a sequence: an adapter, the ids of the live users it created, in order, and
/// how many users it created in all (core's next id).
struct Side<'a> {
    adapter: &'a dyn Adapter,
    users: Vec<String>,
    created: usize,
    /// The last id the adapter issued, deleted or not: what an id nobody has is shaped like.
    last_issued: Option<String>,
}

fn start() -> DateTime<Utc> {
    crate::context::start_instant()
}

/// The answer of a step about a user when no user exists: not run on either side. A write
/// for a user nobody has is a SHOULD behaviour (`authjs.accounts.link.missing-user-refused`,
/// `authjs.sessions.create.missing-user-refused`) that this MUST test must not judge; a
/// read, update or delete before the adapter issued any id has no id of its kind to ask
/// with.
const NO_USER: &str = "skipped: no user yet";

impl Side<'_> {
    /// The n-th live user's id; when there is none, an id nobody has, shaped like the ones
    /// the adapter issued ([`unknown_id_like`]); `None` before it issued any (the step is
    /// then skipped on both sides, as nothing says what an id of this adapter looks like).
    fn user_id(&self, n: u8) -> Option<String> {
        self.existing_user(n).or_else(|| {
            self.last_issued
                .as_deref()
                .map(|issued| unknown_id_like(issued, 0xdddd))
        })
    }

    /// The n-th live user's id (creation order, deleted users left out).
    fn existing_user(&self, n: u8) -> Option<String> {
        match self.users.len() {
            0 => None,
            len => Some(self.users[usize::from(n) % len].clone()),
        }
    }

    /// A user's id as the other side would name it: `user#k`.
    fn name_id(&self, id: &str) -> String {
        match self.users.iter().position(|u| u == id) {
            Some(k) => format!("user#{k}"),
            None => format!("unknown({id})"),
        }
    }

    fn user(&self, u: &User) -> String {
        format!(
            "{{id: {}, email: {:?}, verified: {:?}, name: {:?}, image: {:?}}}",
            self.name_id(&u.id),
            u.email,
            u.email_verified,
            u.name,
            u.image
        )
    }

    fn account(&self, a: &Account) -> String {
        format!(
            "{{user: {}, {}/{}, {:?}}}",
            self.name_id(&a.user_id),
            a.provider,
            a.provider_account_id,
            a.access_token
        )
    }

    fn session(&self, s: &Session) -> String {
        format!(
            "{{{}, user: {}, expires: {:?}}}",
            s.session_token,
            self.name_id(&s.user_id),
            s.expires
        )
    }

    fn authenticator(&self, a: &Authenticator) -> String {
        format!(
            "{{{}, user: {}, counter: {}}}",
            a.credential_id,
            self.name_id(&a.user_id),
            a.counter
        )
    }

    fn error(e: &AdapterError) -> String {
        match e.conflict_key() {
            Some(key) => format!("Err(Conflict on {key})"),
            None => format!("Err({:?})", e.kind()),
        }
    }

    /// Runs `step`; returns its answer, rendered with users named by creation order.
    async fn run(&mut self, step: &Step) -> String {
        let a = self.adapter;
        let key =
            |p: u8, id: u8| AccountKey::new(PROVIDERS[usize::from(p) % 2], format!("acct-{id}"));
        // A token belongs to its identifier: core's tokens are random, so one token under two
        // identifiers never arises, and an adapter whose key on the token alone is stricter
        // than (identifier, token) diverges in nothing core does. (A token used with another
        // identifier: `authjs.verification.use.wrong-identifier`.)
        let vt = |email: u8, token: u8| {
            let identifier = EMAILS[usize::from(email) % 4];
            VerificationKey {
                identifier: identifier.to_owned(),
                token: formulas::hash_token(
                    &format!("raw-{identifier}-{token}"),
                    crate::context::SECRET,
                ),
            }
        };
        let opt = |r: Result<Option<String>, AdapterError>| match r {
            Ok(Some(s)) => format!("Some({s})"),
            Ok(None) => "None".to_owned(),
            Err(e) => Side::error(&e),
        };
        match step {
            Step::CreateUser {
                core_id,
                email,
                name,
            } => {
                self.created += 1;
                let next = self.created;
                let new = NewUser {
                    id: core_id.then(|| format!("5f0c6a1e-0000-4000-8000-{next:012x}")),
                    email: email.map(|e| EMAILS[usize::from(e) % 4].to_owned()),
                    email_verified: None,
                    name: Some(format!("name-{name}")),
                    image: None,
                };
                match a.create_user(new).await {
                    Ok(u) => {
                        self.users.push(u.id.clone());
                        self.last_issued = Some(u.id.clone());
                        format!("Ok({})", self.user(&u))
                    }
                    Err(e) => Side::error(&e),
                }
            }
            Step::GetUser { user } => {
                let Some(id) = self.user_id(*user) else {
                    return NO_USER.to_owned();
                };
                opt(a.get_user(&id).await.map(|u| u.map(|u| self.user(&u))))
            }
            Step::GetUserByEmail { email } => opt(a
                .get_user_by_email(EMAILS[usize::from(*email) % 4])
                .await
                .map(|u| u.map(|u| self.user(&u)))),
            Step::UpdateUser { user, name, email } => {
                let Some(id) = self.user_id(*user) else {
                    return NO_USER.to_owned();
                };
                let patch = UserPatch {
                    name: match name {
                        None => Patch::Keep,
                        Some(None) => Patch::Clear,
                        Some(Some(n)) => Patch::Set(format!("renamed-{n}")),
                    },
                    email: email.map_or(Patch::Keep, |e| {
                        Patch::Set(EMAILS[usize::from(e) % 4].to_owned())
                    }),
                    ..UserPatch::of(id)
                };
                match a.update_user(patch).await {
                    Ok(u) => format!("Ok({})", self.user(&u)),
                    Err(e) => Side::error(&e),
                }
            }
            Step::DeleteUser { user } => {
                let Some(id) = self.user_id(*user) else {
                    return NO_USER.to_owned();
                };
                match a.delete_user(&id).await {
                    Ok(()) => {
                        self.users.retain(|u| *u != id);
                        "Ok".to_owned()
                    }
                    // Both answers to a missing row are allowed: they compare equal.
                    Err(e) if e.kind() == nextauth_adapter::ErrorKind::NotFound => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::LinkAccount { user, provider, id } => {
                let Some(user_id) = self.existing_user(*user) else {
                    return NO_USER.to_owned();
                };
                let k = key(*provider, *id);
                let account = Account {
                    user_id,
                    account_type: AccountType::Oauth,
                    provider: k.provider,
                    provider_account_id: k.provider_account_id,
                    refresh_token: None,
                    access_token: Some(format!("access-{id}")),
                    expires_at: Some(start().timestamp() + 3600),
                    token_type: Some("bearer".to_owned()),
                    scope: None,
                    id_token: None,
                    session_state: None,
                };
                match a.link_account(account).await {
                    Ok(_) => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::GetUserByAccount { provider, id } => opt(a
                .get_user_by_account(&key(*provider, *id))
                .await
                .map(|u| u.map(|u| self.user(&u)))),
            Step::GetAccount { provider, id } => {
                let k = key(*provider, *id);
                opt(a
                    .get_account(&k.provider_account_id, &k.provider)
                    .await
                    .map(|x| x.map(|x| self.account(&x))))
            }
            Step::UnlinkAccount { provider, id } => {
                match a.unlink_account(&key(*provider, *id)).await {
                    Ok(()) => "Ok".to_owned(),
                    Err(e) if e.kind() == nextauth_adapter::ErrorKind::NotFound => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::CreateSession { user, token, hours } => {
                let Some(user_id) = self.existing_user(*user) else {
                    return NO_USER.to_owned();
                };
                let session = Session {
                    session_token: format!("session-{token}"),
                    user_id,
                    expires: start() + Duration::hours(i64::from(*hours)),
                };
                match a.create_session(session).await {
                    Ok(s) => format!("Ok({})", self.session(&s)),
                    Err(e) => Side::error(&e),
                }
            }
            Step::GetSessionAndUser { token } => opt(a
                .get_session_and_user(&format!("session-{token}"))
                .await
                .map(|x| {
                    x.map(|x| format!("{} of {}", self.session(&x.session), self.user(&x.user)))
                })),
            Step::UpdateSession { token, hours } => {
                let patch = SessionPatch {
                    session_token: format!("session-{token}"),
                    user_id: None,
                    expires: Some(start() + Duration::hours(i64::from(*hours))),
                };
                match a.update_session(patch).await {
                    // Returning the session is optional: compare what is stored instead.
                    Ok(_) => "Ok".to_owned(),
                    Err(e) if e.kind() == nextauth_adapter::ErrorKind::NotFound => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::DeleteSession { token } => {
                match a.delete_session(&format!("session-{token}")).await {
                    Ok(()) => "Ok".to_owned(),
                    Err(e) if e.kind() == nextauth_adapter::ErrorKind::NotFound => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::CreateVerificationToken { email, token } => {
                let k = vt(*email, *token);
                let t = VerificationToken {
                    identifier: k.identifier,
                    token: k.token,
                    expires: start() + Duration::hours(24),
                };
                match a.create_verification_token(t).await {
                    Ok(_) => "Ok".to_owned(),
                    Err(e) => Side::error(&e),
                }
            }
            Step::UseVerificationToken { email, token } => opt(a
                .use_verification_token(&vt(*email, *token))
                .await
                .map(|t| t.map(|t| format!("{} {} {:?}", t.identifier, &t.token[..8], t.expires)))),
            Step::CreateAuthenticator {
                user,
                credential,
                counter,
            } => {
                let Some(user_id) = self.existing_user(*user) else {
                    return NO_USER.to_owned();
                };
                let authenticator = Authenticator {
                    credential_id: format!("cred-{credential}"),
                    user_id,
                    provider_account_id: format!("cred-{credential}"),
                    counter: u64::from(*counter),
                    credential_backed_up: false,
                    credential_public_key: "pk".to_owned(),
                    transports: None,
                    credential_device_type: "singleDevice".to_owned(),
                };
                match a.create_authenticator(authenticator).await {
                    Ok(x) => format!("Ok({})", self.authenticator(&x)),
                    Err(e) => Side::error(&e),
                }
            }
            Step::GetAuthenticator { credential } => opt(a
                .get_authenticator(&format!("cred-{credential}"))
                .await
                .map(|x| x.map(|x| self.authenticator(&x)))),
            Step::ListAuthenticators { user } => {
                let Some(id) = self.user_id(*user) else {
                    return NO_USER.to_owned();
                };
                match a.list_authenticators_by_user_id(&id).await {
                    Ok(list) => {
                        let mut names: Vec<_> =
                            list.iter().map(|x| self.authenticator(x)).collect();
                        names.sort();
                        format!("Ok({names:?})")
                    }
                    Err(e) => Side::error(&e),
                }
            }
            Step::UpdateCounter {
                credential,
                counter,
            } => match a
                .update_authenticator_counter(&format!("cred-{credential}"), u64::from(*counter))
                .await
            {
                Ok(x) => format!("Ok({})", self.authenticator(&x)),
                Err(e) => Side::error(&e),
            },
        }
    }

    /// What is stored, rendered with users named by creation order and rows sorted.
    fn rows(&self, s: &Stored) -> Vec<String> {
        let mut rows: Vec<String> = s
            .users
            .iter()
            .map(|u| format!("user {}", self.user(u)))
            .collect();
        rows.extend(
            s.accounts
                .iter()
                .map(|a| format!("account {}", self.account(a))),
        );
        rows.extend(
            s.sessions
                .iter()
                .map(|x| format!("session {}", self.session(x))),
        );
        rows.extend(s.verification_tokens.iter().map(|t| {
            format!(
                "token {} {} {:?}",
                t.identifier,
                &t.token[..8.min(t.token.len())],
                t.expires
            )
        }));
        rows.extend(
            s.authenticators
                .iter()
                .map(|a| format!("authenticator {}", self.authenticator(a))),
        );
        rows.sort();
        rows
    }
}

/// Where and how a sequence diverged.
#[derive(Debug, Clone)]
struct Divergence {
    step: usize,
    message: String,
    /// The fixture could not be set up or torn down: nothing about the adapter was learnt
    /// (the suite reports the property test as not run, as the v3 one).
    setup: bool,
}

impl Divergence {
    /// The cause the suite reads: [`crate::finding::SETUP`] for a fixture that could not be
    /// set up or torn down.
    fn cause(&self) -> Option<&'static str> {
        self.setup.then_some(crate::finding::SETUP)
    }
}

/// Runs `steps` on a fresh fixture of `factory` and on the reference; the first difference.
async fn run_sequence(factory: &dyn BackendFactory, steps: &[Step]) -> Result<(), Divergence> {
    let fixture = factory.open().await.map_err(|e| Divergence {
        step: 0,
        message: format!("backend setup failed: {e}"),
        setup: true,
    })?;
    let reference = ReferenceAdapter::with_capabilities(factory.capabilities());
    let mut theirs = Side {
        adapter: &*fixture.adapter,
        users: Vec::new(),
        created: 0,
        last_issued: None,
    };
    let mut ours = Side {
        adapter: &reference,
        users: Vec::new(),
        created: 0,
        last_issued: None,
    };
    let mut result = Ok(());
    for (i, step) in steps.iter().enumerate() {
        let (got, want) = (theirs.run(step).await, ours.run(step).await);
        if got != want {
            result = Err(Divergence {
                step: i,
                message: format!("the adapter answered {got}, the reference {want}"),
                setup: false,
            });
            break;
        }
        let stored = fixture.inspector.stored().await.map_err(|e| Divergence {
            step: i,
            message: format!("the inspector failed: {e}"),
            setup: true,
        });
        let stored = match stored {
            Ok(s) => s,
            Err(d) => {
                result = Err(d);
                break;
            }
        };
        let (got, want) = (theirs.rows(&stored), ours.rows(&reference.stored()));
        if got != want {
            result = Err(Divergence {
                step: i,
                message: format!(
                    "after it the adapter stores {got:#?}\nthe reference stores {want:#?}"
                ),
                setup: false,
            });
            break;
        }
    }
    if let Some(teardown) = fixture.teardown
        && let Err(e) = teardown().await
        && result.is_ok()
    {
        result = Err(Divergence {
            step: steps.len().saturating_sub(1),
            message: format!("teardown failed: {e}"),
            setup: true,
        });
    }
    result
}

fn trace(steps: &[Step], failed: usize) -> String {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "  {:>3}. {}{}\n",
                i + 1,
                serde_json::to_string(s).unwrap_or_default(),
                if i == failed { "  <-- diverged" } else { "" }
            )
        })
        .collect()
}

/// The directory `backend`'s Auth.js regressions are saved in and replayed from
/// ([`PropertyConfig::regressions_for`], then `authjs/`).
fn regressions_dir(config: &PropertyConfig, backend: &str) -> Option<PathBuf> {
    config.regressions_for(backend).map(|d| d.join("authjs"))
}

/// Replays the saved Auth.js regressions, then runs `config.cases` random sequences. Builds
/// its own runtime: call it from a plain thread. Returns the outcome, its cause and how it
/// ran, as the suite reports them.
pub fn check_properties(
    factory: &dyn BackendFactory,
    config: &PropertyConfig,
) -> (Outcome, Option<&'static str>, PropertyRun) {
    let mut run = PropertyRun::unrun(config);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return (
                Outcome::Failed(format!("cannot start a runtime: {e}")),
                None,
                run,
            );
        }
    };
    let dir = regressions_dir(config, &factory.name());
    let saved = dir
        .as_deref()
        .map(load_regressions::<Step>)
        .unwrap_or_default();
    for regression in &saved {
        if let Err(d) = runtime.block_on(run_sequence(factory, &regression.steps)) {
            run.saved_to = regression.path.clone();
            let message = format!(
                "a saved sequence ({} steps: {}) diverges from the reference:\n{}    step {}: {}",
                regression.steps.len(),
                crate::properties::what_it_checks(&regression.steps),
                trace(&regression.steps, d.step),
                d.step + 1,
                d.message
            );
            return (Outcome::Failed(message), d.cause(), run);
        }
    }
    run.regressions_replayed = Some(saved.len());
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&config.seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(b"authjs!!");
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(proptest_config, rng);
    let strategy = proptest::collection::vec(step(), 1..=config.max_steps.max(1));
    let outcome = runner.run(&strategy, |steps| {
        runtime
            .block_on(run_sequence(factory, &steps))
            .map_err(|d| TestCaseError::fail(d.message))
    });
    match outcome {
        Ok(()) => (Outcome::Passed, None, run),
        Err(TestError::Fail(_, steps)) => {
            let d = runtime
                .block_on(run_sequence(factory, &steps))
                .err()
                .unwrap_or(Divergence {
                    step: steps.len().saturating_sub(1),
                    message:
                        "the minimal sequence failed once but not when replayed (flaky adapter?)"
                            .to_owned(),
                    setup: false,
                });
            run.regressions_replayed = None;
            // A fixture that could not be set up says nothing of the adapter: nothing to keep.
            run.saved_to = dir.as_deref().filter(|_| !d.setup).and_then(|dir| {
                save_regression(dir, &factory.name(), config.seed, &steps, &d.message).ok()
            });
            let mut message = format!(
                "a {}-step sequence diverges from the reference (seed {}; rerun with NEXTAUTH_PROPTEST_SEED={}):\n{}    step {}: {}",
                steps.len(),
                config.seed,
                config.seed,
                trace(&steps, d.step),
                d.step + 1,
                d.message
            );
            if let Some(p) = &run.saved_to {
                message.push_str(&format!("\n    saved as {}", p.display()));
            }
            (Outcome::Failed(message), d.cause(), run)
        }
        Err(TestError::Abort(reason)) => (
            Outcome::Failed(format!("proptest aborted: {reason}")),
            None,
            run,
        ),
    }
}

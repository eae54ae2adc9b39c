//! Deliberately broken adapters: the reference adapter with exactly one behaviour broken.
//!
//! They prove that the catalogue's rules can fail: each [`Defect`] names the rules that must
//! catch it, and the harness's own tests run the whole catalogue against every defect and
//! assert those rules fail. Most defects are bugs real v3 adapters shipped (contract-v3 §10).
//! `nextauth-certify --broken <defect>` certifies one, to show what a failure looks like.

use crate::backend::{BackendError, BackendFactory, Fixture};
use crate::inspector::{InspectError, Inspector, Stored};
use async_trait::async_trait;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, EmailProvider, Method, NewAccount,
    NewUser, Result, Session, User, VerificationRequest, formulas,
};
use nextauth_adapter_reference::{ReferenceAdapter, Snapshot};
use serde::Serialize;
use std::sync::Arc;

/// One deliberately broken behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Defect {
    /// `get_session` returns sessions past their expiry (dynamodb 0.4, G23).
    ExpiredSessionReturned,
    /// A session whose expiry equals now is treated as expired (`>=` instead of `>`).
    ExpiryInclusive,
    /// The verification token is stored raw instead of hashed.
    RawVerificationToken,
    /// `get_verification_request` ignores the identifier (Prisma 3.0–3.2, upstash; G4).
    VerificationIdentifierIgnored,
    /// `update_session` is due at exactly the due time (`>=` instead of `>`).
    UpdateDueInclusive,
    /// Declares a cascading `delete_user` but leaves the user's sessions.
    DeleteUserLeavesSessions,
    /// A second user with an existing email is stored.
    DuplicateEmailAccepted,
    /// Declares exact email matching but folds case on lookup.
    EmailCaseFolded,
    /// `update_session(force)` extends a session that is not due (prisma-0.x, fauna, …).
    ForceExtends,
    /// `delete_session` of a missing token fails (Prisma P2025, next-auth#4495).
    DeleteMissingSessionFails,
    /// `get_session` of an unknown token fails instead of returning none (fauna 0.2, G23).
    UnknownSessionFails,
    /// `update_user` of a missing id inserts it (TypeORM `save`).
    UpdateUserUpserts,
    /// An expired verification request gives none but stays stored.
    ExpiredVerificationKept,
    /// The verification hash uses a fixed application secret, not the argument (G3).
    SecretArgumentIgnored,
    /// A provider account can be linked twice.
    DuplicateAccountAccepted,
    /// `unlink_account` ignores the user id (Prisma, §3.8).
    UnlinkIgnoresUser,
    /// Session tokens are 32 hex characters (16 random bytes), not 64.
    ShortSessionTokens,
    /// Overlong values are silently cut to the column (MySQL without strict mode).
    SilentTruncation,
    /// An extended expiry is written into the argument but never stored.
    ExtensionNotStored,
    /// `get_user` of a non-numeric id fails (Prisma "Provided String, expected Int", G11).
    ForeignUserIdFails,
    /// `get_user_by_email` treats `%` and `_` as wildcards (a `LIKE` lookup).
    EmailLookupLike,
    /// `get_user_by_provider_account_id` ignores the provider.
    ProviderIgnored,
    /// `get_session(None)` returns the first session (TypeORM `findOne({x: undefined})`).
    NoTokenMatchesFirst,
    /// Declares microsecond timestamps but stores whole seconds.
    SecondsDeclaredMicro,
    /// `update_session` extends on every read, ignoring `update_age`.
    UpdateAgeIgnored,
    /// The verification e-mail is sent twice.
    SenderCalledTwice,
    /// `update_session` extends on every third call even when not due: a sequence-dependent
    /// defect no single scenario rule catches, for the property tests.
    EveryThirdUpdateExtends,
}

impl Defect {
    /// Every defect.
    pub const ALL: [Defect; 27] = [
        Defect::ExpiredSessionReturned,
        Defect::ExpiryInclusive,
        Defect::RawVerificationToken,
        Defect::VerificationIdentifierIgnored,
        Defect::UpdateDueInclusive,
        Defect::DeleteUserLeavesSessions,
        Defect::DuplicateEmailAccepted,
        Defect::EmailCaseFolded,
        Defect::ForceExtends,
        Defect::DeleteMissingSessionFails,
        Defect::UnknownSessionFails,
        Defect::UpdateUserUpserts,
        Defect::ExpiredVerificationKept,
        Defect::SecretArgumentIgnored,
        Defect::DuplicateAccountAccepted,
        Defect::UnlinkIgnoresUser,
        Defect::ShortSessionTokens,
        Defect::SilentTruncation,
        Defect::ExtensionNotStored,
        Defect::ForeignUserIdFails,
        Defect::EmailLookupLike,
        Defect::ProviderIgnored,
        Defect::NoTokenMatchesFirst,
        Defect::SecondsDeclaredMicro,
        Defect::UpdateAgeIgnored,
        Defect::SenderCalledTwice,
        Defect::EveryThirdUpdateExtends,
    ];

    /// The defect's name on the command line, e.g. `raw-verification-token`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The defect named `name`.
    pub fn from_name(name: &str) -> Option<Defect> {
        Defect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The rules that must fail against this defect. Empty for
    /// [`EveryThirdUpdateExtends`](Defect::EveryThirdUpdateExtends), which only the property
    /// tests find.
    pub fn caught_by(self) -> &'static [&'static str] {
        match self {
            Defect::ExpiredSessionReturned => &["session.get.expired-is-none"],
            Defect::ExpiryInclusive => &["session.get.valid-at-expiry"],
            Defect::RawVerificationToken => &[
                "verification.create.stores-hash",
                "security.verification.raw-token-never-stored",
            ],
            Defect::VerificationIdentifierIgnored => &[
                "verification.get.wrong-identifier",
                "flow.email.other-address-in-link",
            ],
            Defect::UpdateDueInclusive => &["session.update.at-due-time-not-due"],
            Defect::DeleteUserLeavesSessions => &["user.delete.cascades"],
            Defect::DuplicateEmailAccepted => &[
                "user.create.duplicate-email-conflict",
                "user.create.duplicate-email-writes-nothing",
            ],
            Defect::EmailCaseFolded => &["user.get-by-email.declared-matching"],
            Defect::ForceExtends => &["session.update.force-not-due-unchanged"],
            Defect::DeleteMissingSessionFails => &[
                "session.delete.missing-is-noop",
                "flow.signout.stale-cookie",
            ],
            Defect::UnknownSessionFails => &["session.get.unknown-is-none"],
            Defect::UpdateUserUpserts => &["user.update.missing-is-not-found"],
            Defect::ExpiredVerificationKept => &["verification.get.expired-row-deleted"],
            Defect::SecretArgumentIgnored => &["verification.create.uses-secret-argument"],
            Defect::DuplicateAccountAccepted => &["account.link.duplicate-conflict"],
            Defect::UnlinkIgnoresUser => &["account.unlink.other-users-account-kept"],
            Defect::ShortSessionTokens => &["session.create.tokens-are-64-hex"],
            Defect::SilentTruncation => &["data.length.past-limit-refused"],
            Defect::ExtensionNotStored => &[
                "session.update.after-due-time-extends",
                "flow.session.read-rolls-expiry",
            ],
            Defect::ForeignUserIdFails => &["user.get.foreign-id-is-none"],
            Defect::EmailLookupLike => &["security.email.wildcards-are-literal"],
            Defect::ProviderIgnored => &["account.get-user.other-provider"],
            Defect::NoTokenMatchesFirst => &["session.get.no-token-is-none"],
            Defect::SecondsDeclaredMicro => &["data.timestamps.precision-as-declared"],
            Defect::UpdateAgeIgnored => &["session.update.not-due-is-none"],
            Defect::SenderCalledTwice => &["verification.create.sends-once"],
            Defect::EveryThirdUpdateExtends => &[],
        }
    }
}

/// The secret [`Defect::SecretArgumentIgnored`] hashes with instead of the argument.
const APP_SECRET: &str = "the-app-secret";

/// The reference adapter with one [`Defect`].
pub struct BrokenAdapter {
    inner: Arc<ReferenceAdapter>,
    defect: Defect,
    config: AdapterConfig,
    declared: Capabilities,
    update_calls: std::sync::atomic::AtomicU32,
}

impl BrokenAdapter {
    /// A broken adapter declaring `declared` (the reference underneath behaves as declared,
    /// except for the defect).
    pub fn new(config: AdapterConfig, declared: Capabilities, defect: Defect) -> Self {
        let mut actual = declared;
        if defect == Defect::SecondsDeclaredMicro {
            actual.timestamp_precision = nextauth_adapter::TimestampPrecision::Second;
        }
        if defect == Defect::SilentTruncation {
            actual.limits = nextauth_adapter::FieldLimits {
                varchar: nextauth_adapter::limits::StringLimit::UNLIMITED,
                image: nextauth_adapter::limits::StringLimit::UNLIMITED,
                text: nextauth_adapter::limits::StringLimit::UNLIMITED,
            };
        }
        BrokenAdapter {
            inner: Arc::new(ReferenceAdapter::with_capabilities(config.clone(), actual)),
            defect,
            config,
            declared,
            update_calls: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.config.clock.now()
    }

    fn snapshot(&self) -> Snapshot {
        self.inner.snapshot()
    }

    fn next_id<T>(rows: &[T], id: impl Fn(&T) -> &str) -> String {
        let max = rows
            .iter()
            .filter_map(|r| id(r).parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (max + 1).to_string()
    }

    fn truncate(s: Option<String>) -> Option<String> {
        s.map(|s| s.chars().take(255).collect())
    }

    /// Extends the stored session to now + max_age, bypassing checks.
    fn extend(&self, session: &mut Session) -> Option<Session> {
        let expires = self
            .declared
            .timestamp_precision
            .apply(self.config.session.expires_from(self.now()));
        self.inner.edit(|rows| {
            let s = rows.sessions.iter_mut().find(|s| s.id == session.id)?;
            s.expires = expires;
            s.updated_at = self.declared.timestamp_precision.apply(self.now());
            *session = s.clone();
            Some(s.clone())
        })
    }
}

#[async_trait]
impl Adapter for BrokenAdapter {
    fn display_name(&self) -> &str {
        "broken"
    }

    fn capabilities(&self) -> Capabilities {
        self.declared
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        match self.defect {
            Defect::DuplicateEmailAccepted if profile.email.is_some() => {
                let now = self.declared.timestamp_precision.apply(self.now());
                Ok(self.inner.edit(|rows| {
                    let user = User {
                        id: Self::next_id(&rows.users, |u| &u.id),
                        name: profile.name,
                        email: profile.email,
                        email_verified: profile.email_verified.map(|_| now),
                        image: profile.image,
                        created_at: now,
                        updated_at: now,
                    };
                    rows.users.push(user.clone());
                    user
                }))
            }
            Defect::SilentTruncation => {
                let p = NewUser {
                    name: Self::truncate(profile.name),
                    email: Self::truncate(profile.email),
                    image: Self::truncate(profile.image),
                    ..profile
                };
                self.inner.create_user(p).await
            }
            _ => self.inner.create_user(profile).await,
        }
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        if self.defect == Defect::ForeignUserIdFails && id.parse::<u64>().is_err() {
            return Err(AdapterError::backend(
                Method::GetUser,
                "broken",
                format!("Provided String {id:?}, expected Int"),
            ));
        }
        self.inner.get_user(id).await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return self.inner.get_user_by_email(email).await;
        };
        match self.defect {
            Defect::EmailCaseFolded => Ok(self.snapshot().users.into_iter().find(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase() == email.to_lowercase())
            })),
            Defect::EmailLookupLike => Ok(self
                .snapshot()
                .users
                .into_iter()
                .find(|u| u.email.as_deref().is_some_and(|e| like(e, email)))),
            _ => self.inner.get_user_by_email(Some(email)).await,
        }
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        if self.defect == Defect::ProviderIgnored {
            let rows = self.snapshot();
            let Some(a) = rows
                .accounts
                .iter()
                .find(|a| a.provider_account_id == provider_account_id)
            else {
                return Ok(None);
            };
            return Ok(rows.users.into_iter().find(|u| u.id == a.user_id));
        }
        self.inner
            .get_user_by_provider_account_id(provider_id, provider_account_id)
            .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        match self.inner.update_user(user).await {
            Err(AdapterError::NotFound { .. }) if self.defect == Defect::UpdateUserUpserts => {
                let u = user.clone();
                self.inner.edit(|rows| rows.users.push(u.clone()));
                Ok(user.clone())
            }
            other => other,
        }
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        if self.defect == Defect::DeleteUserLeavesSessions {
            let id = user_id.to_owned();
            self.inner.edit(|rows| {
                rows.users.retain(|u| u.id != id);
                rows.accounts.retain(|a| a.user_id != id);
            });
            return Ok(());
        }
        self.inner.delete_user(user_id).await
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        match self.defect {
            Defect::DuplicateAccountAccepted => {
                let now = self.declared.timestamp_precision.apply(self.now());
                Ok(self.inner.edit(|rows| {
                    let a = Account {
                        id: Self::next_id(&rows.accounts, |a| &a.id),
                        compound_id: formulas::compound_id(
                            &account.provider_id,
                            &account.provider_account_id,
                        ),
                        user_id: account.user_id,
                        provider_type: account.provider_type,
                        provider_id: account.provider_id,
                        provider_account_id: account.provider_account_id,
                        refresh_token: account.refresh_token,
                        access_token: account.access_token,
                        access_token_expires: account.access_token_expires,
                        created_at: now,
                        updated_at: now,
                    };
                    rows.accounts.push(a.clone());
                    a
                }))
            }
            Defect::SilentTruncation => {
                let a = NewAccount {
                    provider_id: account.provider_id.chars().take(255).collect(),
                    provider_account_id: account.provider_account_id.chars().take(255).collect(),
                    provider_type: account.provider_type.chars().take(255).collect(),
                    ..account
                };
                self.inner.link_account(a).await
            }
            _ => self.inner.link_account(account).await,
        }
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        if self.defect == Defect::UnlinkIgnoresUser {
            let compound = formulas::compound_id(provider_id, provider_account_id);
            self.inner
                .edit(|rows| rows.accounts.retain(|a| a.compound_id != compound));
            return Ok(());
        }
        self.inner
            .unlink_account(user_id, provider_id, provider_account_id)
            .await
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        let session = self.inner.create_session(user).await?;
        if self.defect == Defect::ShortSessionTokens {
            let short = session.session_token[..32].to_owned();
            return Ok(self.inner.edit(|rows| {
                let s = rows.sessions.iter_mut().find(|s| s.id == session.id);
                match s {
                    Some(s) => {
                        s.session_token = short;
                        s.clone()
                    }
                    None => session.clone(),
                }
            }));
        }
        Ok(session)
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        let now = self.now();
        match (self.defect, session_token) {
            (Defect::NoTokenMatchesFirst, None) => Ok(self.snapshot().sessions.into_iter().next()),
            (Defect::ExpiredSessionReturned, Some(t)) => Ok(self
                .snapshot()
                .sessions
                .into_iter()
                .find(|s| s.session_token == t)),
            (Defect::ExpiryInclusive, Some(t)) => {
                let found = self
                    .snapshot()
                    .sessions
                    .into_iter()
                    .find(|s| s.session_token == t);
                match found {
                    Some(s) if now >= s.expires => Ok(None),
                    _ => self.inner.get_session(Some(t)).await,
                }
            }
            (Defect::UnknownSessionFails, Some(t)) => {
                match self.inner.get_session(Some(t)).await? {
                    Some(s) => Ok(Some(s)),
                    None => Err(AdapterError::NotFound {
                        method: Method::GetSession,
                        entity: nextauth_adapter::Entity::Session,
                        id: t.to_owned(),
                    }),
                }
            }
            _ => self.inner.get_session(session_token).await,
        }
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        let policy = self.config.session;
        let now = self.now();
        let due_at = policy.update_due(session.expires);
        match self.defect {
            Defect::UpdateDueInclusive if now == due_at => Ok(self.extend(session)),
            Defect::ForceExtends if force => Ok(self.extend(session)),
            Defect::UpdateAgeIgnored => Ok(self.extend(session)),
            Defect::ExtensionNotStored if policy.is_update_due(session.expires, now) => {
                session.expires = self
                    .declared
                    .timestamp_precision
                    .apply(policy.expires_from(now));
                Ok(Some(session.clone()))
            }
            Defect::EveryThirdUpdateExtends => {
                let n = self
                    .update_calls
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;
                if n.is_multiple_of(3) && !policy.is_update_due(session.expires, now) {
                    return Ok(self.extend(session));
                }
                self.inner.update_session(session, force).await
            }
            _ => self.inner.update_session(session, force).await,
        }
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        if self.defect == Defect::DeleteMissingSessionFails {
            let exists = session_token.is_some_and(|t| {
                self.snapshot()
                    .sessions
                    .iter()
                    .any(|s| s.session_token == t)
            });
            if !exists {
                return Err(AdapterError::NotFound {
                    method: Method::DeleteSession,
                    entity: nextauth_adapter::Entity::Session,
                    id: session_token.unwrap_or("undefined").to_owned(),
                });
            }
        }
        self.inner.delete_session(session_token).await
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let secret = if self.defect == Defect::SecretArgumentIgnored {
            APP_SECRET
        } else {
            secret
        };
        let created = self
            .inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await?;
        match self.defect {
            Defect::RawVerificationToken => Ok(self.inner.edit(|rows| {
                let v = rows
                    .verification_requests
                    .iter_mut()
                    .find(|v| v.id == created.id);
                match v {
                    Some(v) => {
                        v.token = token.to_owned();
                        v.clone()
                    }
                    None => created.clone(),
                }
            })),
            Defect::SenderCalledTwice => {
                let _ = provider
                    .sender
                    .send(nextauth_adapter::VerificationMessage {
                        identifier: identifier.to_owned(),
                        url: url.to_owned(),
                        token: token.to_owned(),
                        base_url: self.config.base_url.clone(),
                        provider_id: provider.id.clone(),
                    })
                    .await;
                Ok(created)
            }
            _ => Ok(created),
        }
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let now = self.now();
        match self.defect {
            Defect::RawVerificationToken => {
                let found = self
                    .snapshot()
                    .verification_requests
                    .into_iter()
                    .find(|v| v.identifier == identifier && v.token == token);
                Ok(found.filter(|v| now <= v.expires))
            }
            Defect::VerificationIdentifierIgnored => {
                let hash = formulas::hash_token(token, secret);
                let found = self
                    .snapshot()
                    .verification_requests
                    .into_iter()
                    .find(|v| v.token == hash);
                Ok(found.filter(|v| now <= v.expires))
            }
            Defect::ExpiredVerificationKept => {
                let hash = formulas::hash_token(token, secret);
                let found = self
                    .snapshot()
                    .verification_requests
                    .into_iter()
                    .find(|v| v.identifier == identifier && v.token == hash);
                match found {
                    Some(v) if now > v.expires => Ok(None),
                    _ => {
                        self.inner
                            .get_verification_request(identifier, token, secret, provider)
                            .await
                    }
                }
            }
            Defect::SecretArgumentIgnored => {
                self.inner
                    .get_verification_request(identifier, token, APP_SECRET, provider)
                    .await
            }
            _ => {
                self.inner
                    .get_verification_request(identifier, token, secret, provider)
                    .await
            }
        }
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        match self.defect {
            Defect::RawVerificationToken => {
                let (id, tok) = (identifier.to_owned(), token.to_owned());
                self.inner.edit(|rows| {
                    rows.verification_requests
                        .retain(|v| !(v.identifier == id && v.token == tok))
                });
                Ok(())
            }
            Defect::SecretArgumentIgnored => {
                self.inner
                    .delete_verification_request(identifier, token, APP_SECRET, provider)
                    .await
            }
            _ => {
                self.inner
                    .delete_verification_request(identifier, token, secret, provider)
                    .await
            }
        }
    }
}

#[async_trait]
impl Inspector for BrokenAdapter {
    async fn stored(&self) -> std::result::Result<Stored, InspectError> {
        self.inner.stored().await
    }
}

/// SQL `LIKE` matching of `value` against `pattern` (`%` any run, `_` one character).
fn like(value: &str, pattern: &str) -> bool {
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

/// A backend of [`BrokenAdapter`]s with one defect, declaring the hardened capabilities.
#[derive(Debug, Clone, Copy)]
pub struct BrokenFactory {
    /// The defect every adapter has.
    pub defect: Defect,
    /// What the adapters declare.
    pub capabilities: Capabilities,
}

impl BrokenFactory {
    /// Broken adapters with `defect`, declaring the hardened capabilities.
    pub fn new(defect: Defect) -> Self {
        BrokenFactory {
            defect,
            capabilities: Capabilities::HARDENED,
        }
    }
}

#[async_trait]
impl BackendFactory for BrokenFactory {
    fn name(&self) -> String {
        format!("broken-{}", self.defect.name())
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn describe(&self) -> String {
        format!(
            "reference adapter with the deliberate defect {:?}",
            self.defect
        )
    }

    async fn open(&self, config: AdapterConfig) -> std::result::Result<Fixture, BackendError> {
        let adapter = Arc::new(BrokenAdapter::new(config, self.capabilities, self.defect));
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_sql_semantics() {
        assert!(like("alice@example.com", "%"));
        assert!(like("alice@example.com", "alic_@example.com"));
        assert!(!like("alice@example.com", "bob%"));
        assert!(like("a_b", "a_b"));
    }

    #[test]
    fn defect_names_round_trip() {
        for d in Defect::ALL {
            assert_eq!(Defect::from_name(&d.name()), Some(d), "{d:?}");
        }
        assert_eq!(
            Defect::RawVerificationToken.name(),
            "raw-verification-token"
        );
    }
}

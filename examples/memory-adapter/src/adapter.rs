//! [`MemoryAdapter`]: the fifteen methods over four in-memory tables.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, DeleteUserSupport, EmailMatching,
    EmailProvider, Entity, ExpiredSessionHandling, FieldLimits, Method, NewAccount, NewUser,
    Result, Session, TimestampPrecision, TimestampRange, UniqueKey, UnlinkAccountSupport, User,
    VerificationConsumption, VerificationMessage, VerificationRequest, formulas,
};
use std::collections::HashMap;
use tokio::sync::RwLock;

/// The four tables of the v3 schema (contract-v3 §2), each keyed by the column lookups use.
///
/// Keying accounts, sessions and verification requests by their unique column makes the
/// unique key a property of the map: a second row with the same key cannot exist.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    /// `users`, by id.
    pub(crate) users: HashMap<String, User>,
    /// `accounts`, by `compound_id` (the table's unique key).
    pub(crate) accounts: HashMap<String, Account>,
    /// `sessions`, by `session_token` (the cookie's value, and a unique key).
    pub(crate) sessions: HashMap<String, Session>,
    /// `verification_requests`, by hashed token (unique globally, not per identifier).
    pub(crate) verification_requests: HashMap<String, VerificationRequest>,
}

/// A NextAuth v3 adapter that keeps everything in memory: four hash maps behind one
/// [`tokio::sync::RwLock`].
///
/// Written from scratch against the [`Adapter`] contract as an example for adapter authors;
/// see `docs/adapter-guide.md`. Every check-then-write (a unique key, an expiry) happens
/// under one write lock, so concurrent calls cannot slip a duplicate in between.
///
/// It declares [`MemoryAdapter::CAPABILITIES`] and behaves exactly so.
#[derive(Debug)]
pub struct MemoryAdapter {
    config: AdapterConfig,
    pub(crate) tables: RwLock<Tables>,
}

impl MemoryAdapter {
    /// What this adapter declares, and what the conformance suite holds it to:
    ///
    /// - expired sessions are deleted when `get_session` meets them;
    /// - `delete_user` deletes the user row only, leaving its accounts and sessions (as
    ///   Prisma's v3 adapter does);
    /// - `unlink_account` deletes an account when it belongs to the given user;
    /// - e-mail addresses are compared byte for byte;
    /// - timestamps are stored to the microsecond, like PostgreSQL's `timestamptz`, so an
    ///   application moving to Postgres later sees the same values;
    /// - a verification request stays redeemable until `delete_verification_request` (v3's
    ///   built-in behaviour: core deletes it right after reading it);
    /// - strings are limited as in the documented SQL schemas (255 characters).
    pub const CAPABILITIES: Capabilities = Capabilities {
        expired_session: ExpiredSessionHandling::DeleteOnRead,
        delete_user: DeleteUserSupport::UserOnly,
        unlink_account: UnlinkAccountSupport::Supported,
        email_matching: EmailMatching::Exact,
        timestamp_precision: TimestampPrecision::Microsecond,
        timestamp_range: TimestampRange::Full,
        verification_consumption: VerificationConsumption::OnDelete,
        limits: FieldLimits::DOCUMENTED,
    };

    /// An empty adapter that reads time from `config.clock` and sessions' lifetimes from
    /// `config.session`.
    pub fn new(config: AdapterConfig) -> Self {
        MemoryAdapter {
            config,
            tables: RwLock::new(Tables::default()),
        }
    }

    /// The clock's now: the only source of time in this adapter.
    fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// `t` as this adapter stores it: truncated to the declared precision.
    fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
        Self::CAPABILITIES.timestamp_precision.apply(t)
    }

    /// Refuses a string the declared limits cannot hold, before anything is written.
    fn check(method: Method, field: Field, value: Option<&str>) -> Result<()> {
        Self::CAPABILITIES.limits.check_opt(method, field, value)
    }

    /// Refuses an e-mail address another user (other than `except`) already has.
    fn check_email_free(
        tables: &Tables,
        method: Method,
        email: Option<&str>,
        except: Option<&str>,
    ) -> Result<()> {
        let Some(email) = email else { return Ok(()) };
        let taken = tables.users.values().any(|u| {
            Some(u.id.as_str()) != except
                && u.email
                    .as_deref()
                    .is_some_and(|e| Self::CAPABILITIES.email_matching.same(e, email))
        });
        if taken {
            return Err(AdapterError::Conflict {
                method,
                key: UniqueKey::UserEmail,
            });
        }
        Ok(())
    }
}

impl Default for MemoryAdapter {
    /// An empty adapter with the system clock and v3's default session policy.
    fn default() -> Self {
        MemoryAdapter::new(AdapterConfig::default())
    }
}

/// A fresh id shaped like a UUID (8-4-4-4-12 lowercase hex), from the OS's random source.
/// Random rather than sequential so that ids leak nothing about how many users exist.
fn new_id() -> String {
    let hex = formulas::random_token();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[async_trait]
impl Adapter for MemoryAdapter {
    fn display_name(&self) -> &str {
        "memory"
    }

    fn capabilities(&self) -> Capabilities {
        Self::CAPABILITIES
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        let m = Method::CreateUser;
        Self::check(m, Field::UserName, profile.name.as_deref())?;
        Self::check(m, Field::UserEmail, profile.email.as_deref())?;
        Self::check(m, Field::UserImage, profile.image.as_deref())?;
        let now = Self::stored(self.now());
        let mut tables = self.tables.write().await;
        Self::check_email_free(&tables, m, profile.email.as_deref(), None)?;
        let user = User {
            id: new_id(),
            name: profile.name,
            email: profile.email,
            // v3 stores its own "now" for a verified profile, not the value passed.
            email_verified: profile.email_verified.map(|_| now),
            image: profile.image,
            created_at: now,
            updated_at: now,
        };
        tables.users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        // Any string is a valid key here, so an id we never issued (a JWT `sub`, "abc") is
        // simply not found.
        Ok(self.tables.read().await.users.get(id).cloned())
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let tables = self.tables.read().await;
        Ok(tables
            .users
            .values()
            .find(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| Self::CAPABILITIES.email_matching.same(e, email))
            })
            .cloned())
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        let tables = self.tables.read().await;
        // An orphan account (its user deleted) finds nobody, as in v3.
        Ok(tables
            .accounts
            .get(&compound_id)
            .and_then(|a| tables.users.get(&a.user_id))
            .cloned())
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        let m = Method::UpdateUser;
        Self::check(m, Field::UserName, user.name.as_deref())?;
        Self::check(m, Field::UserEmail, user.email.as_deref())?;
        Self::check(m, Field::UserImage, user.image.as_deref())?;
        let now = Self::stored(self.now());
        let not_found = || AdapterError::NotFound {
            method: m,
            entity: Entity::User,
            id: user.id.clone(),
        };
        let mut tables = self.tables.write().await;
        // A missing user is the first thing wrong: `update_user` never inserts.
        if !tables.users.contains_key(&user.id) {
            return Err(not_found());
        }
        Self::check_email_free(&tables, m, user.email.as_deref(), Some(&user.id))?;
        let row = tables.users.get_mut(&user.id).ok_or_else(not_found)?;
        row.name.clone_from(&user.name);
        row.email.clone_from(&user.email);
        row.email_verified = user.email_verified.map(Self::stored);
        row.image.clone_from(&user.image);
        row.updated_at = now;
        Ok(row.clone())
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        // Declared `UserOnly`: the user's accounts and sessions stay behind as orphans, which
        // every lookup above already treats as "no user". A missing id removes nothing.
        self.tables.write().await.users.remove(user_id);
        Ok(())
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        let m = Method::LinkAccount;
        Self::check(m, Field::ProviderType, Some(&account.provider_type))?;
        Self::check(m, Field::ProviderId, Some(&account.provider_id))?;
        Self::check(
            m,
            Field::ProviderAccountId,
            Some(&account.provider_account_id),
        )?;
        Self::check(m, Field::RefreshToken, account.refresh_token.as_deref())?;
        Self::check(
            m,
            Field::AccountAccessToken,
            account.access_token.as_deref(),
        )?;
        let compound_id = formulas::compound_id(&account.provider_id, &account.provider_account_id);
        let now = Self::stored(self.now());
        let mut tables = self.tables.write().await;
        // No orphans: an account for a user nobody has is refused (v3's schemas have no
        // foreign key, so its adapters wrote one; a SHOULD rule of the catalogue).
        if !tables.users.contains_key(&account.user_id) {
            return Err(AdapterError::NotFound {
                method: m,
                entity: Entity::User,
                id: account.user_id,
            });
        }
        if tables.accounts.contains_key(&compound_id) {
            return Err(AdapterError::Conflict {
                method: m,
                key: UniqueKey::AccountCompoundId,
            });
        }
        let row = Account {
            id: new_id(),
            compound_id: compound_id.clone(),
            user_id: account.user_id,
            provider_type: account.provider_type,
            provider_id: account.provider_id,
            provider_account_id: account.provider_account_id,
            refresh_token: account.refresh_token,
            access_token: account.access_token,
            access_token_expires: account.access_token_expires.map(Self::stored),
            created_at: now,
            updated_at: now,
        };
        tables.accounts.insert(compound_id, row.clone());
        Ok(row)
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        let mut tables = self.tables.write().await;
        // Only the owner can unlink; another user's account, or a missing one, is left alone.
        if tables
            .accounts
            .get(&compound_id)
            .is_some_and(|a| a.user_id == user_id)
        {
            tables.accounts.remove(&compound_id);
        }
        Ok(())
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        let now = self.now();
        let session = Session {
            id: new_id(),
            user_id: user.id.clone(),
            expires: Self::stored(self.config.session.expires_from(now)),
            // 256 random bits each: a collision is not a case worth a code path.
            session_token: formulas::random_token(),
            access_token: formulas::random_token(),
            created_at: Self::stored(now),
            updated_at: Self::stored(now),
        };
        let mut tables = self.tables.write().await;
        // No orphans: a session for a user nobody has is refused.
        if !tables.users.contains_key(&user.id) {
            return Err(AdapterError::NotFound {
                method: Method::CreateSession,
                entity: Entity::User,
                id: user.id.clone(),
            });
        }
        tables
            .sessions
            .insert(session.session_token.clone(), session.clone());
        Ok(session)
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        // No cookie (`None`), an empty one, or a JWT string: none is a key of the map.
        let Some(token) = session_token else {
            return Ok(None);
        };
        let now = self.now();
        {
            let tables = self.tables.read().await;
            match tables.sessions.get(token) {
                None => return Ok(None),
                // Valid up to and including its expiry instant: expired means strictly after.
                Some(s) if now <= s.expires => return Ok(Some(s.clone())),
                Some(_) => {}
            }
        }
        // Expired: delete it (declared `DeleteOnRead`). Re-check under the write lock, since
        // a concurrent `update_session` may have extended it since the read above.
        let mut tables = self.tables.write().await;
        match tables.sessions.get(token) {
            Some(s) if now > s.expires => {
                tables.sessions.remove(token);
                Ok(None)
            }
            other => Ok(other.cloned()),
        }
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        let now = self.now();
        let policy = self.config.session;
        let due = policy.is_update_due(session.expires, now);
        if !due && !force {
            return Ok(None);
        }
        // Due: roll to now + max_age. Forced but not due: store the row unchanged (only
        // `updated_at` moves).
        let new_expires = due.then(|| Self::stored(policy.expires_from(now)));
        let mut tables = self.tables.write().await;
        let row = tables
            .sessions
            .get_mut(&session.session_token)
            .filter(|row| row.id == session.id)
            // A deleted session (signed out meanwhile) is not brought back.
            .ok_or_else(|| AdapterError::NotFound {
                method: Method::UpdateSession,
                entity: Entity::Session,
                id: session.id.clone(),
            })?;
        if let Some(expires) = new_expires {
            row.expires = expires;
        }
        row.updated_at = Self::stored(now);
        // v3 core reads the new expiry from the argument: once the write stuck, the argument
        // becomes the stored row.
        *session = row.clone();
        Ok(Some(row.clone()))
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        if let Some(token) = session_token {
            self.tables.write().await.sessions.remove(token);
        }
        Ok(())
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let m = Method::CreateVerificationRequest;
        Self::check(m, Field::VerificationIdentifier, Some(identifier))?;
        if provider.max_age <= chrono::Duration::zero() {
            return Err(AdapterError::invalid_input(
                m,
                "provider.max_age",
                format!(
                    "{} is not positive: the request would never be valid",
                    provider.max_age
                ),
            ));
        }
        let now = self.now();
        // Only the hash is stored, made with the `secret` argument (contract-v3 §10 G3).
        let hashed = formulas::hash_token(token, secret);
        let request = VerificationRequest {
            id: new_id(),
            identifier: identifier.to_owned(),
            token: hashed.clone(),
            expires: Self::stored(now + provider.max_age),
            created_at: Self::stored(now),
            updated_at: Self::stored(now),
        };
        {
            let mut tables = self.tables.write().await;
            if tables.verification_requests.contains_key(&hashed) {
                return Err(AdapterError::Conflict {
                    method: m,
                    key: UniqueKey::VerificationToken,
                });
            }
            tables.verification_requests.insert(hashed, request.clone());
        } // The lock is released before sending: an e-mail can take seconds.
        let message = VerificationMessage {
            identifier: identifier.to_owned(),
            url: url.to_owned(),
            token: token.to_owned(),
            base_url: self.config.base_url.clone(),
            provider_id: provider.id.clone(),
        };
        // If sending fails the row stays, as in v3; core shows `error=EmailSignin`.
        provider
            .sender
            .send(message)
            .await
            .map_err(|e| AdapterError::Delivery {
                method: m,
                source: Box::new(e),
            })?;
        Ok(request)
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let hashed = formulas::hash_token(token, secret);
        let now = self.now();
        let mut tables = self.tables.write().await;
        let Some(request) = tables
            .verification_requests
            .get(&hashed)
            .filter(|r| r.identifier == identifier)
        else {
            return Ok(None);
        };
        if now > request.expires {
            tables.verification_requests.remove(&hashed);
            return Ok(None);
        }
        // Declared `OnDelete`: a valid request stays until `delete_verification_request`.
        Ok(Some(request.clone()))
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        let hashed = formulas::hash_token(token, secret);
        let mut tables = self.tables.write().await;
        // The identifier must match too: a token alone does not delete someone else's link.
        if tables
            .verification_requests
            .get(&hashed)
            .is_some_and(|r| r.identifier == identifier)
        {
            tables.verification_requests.remove(&hashed);
        }
        Ok(())
    }
}

//! The reference adapter's fifteen methods.

use crate::store::{Snapshot, Storage, Store, Table};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, DeleteUserSupport, EmailProvider,
    Entity, ExpiredSessionHandling, Method, NewAccount, NewUser, Result, Session, UniqueKey,
    UnlinkAccountSupport, User, VerificationConsumption, VerificationMessage, VerificationRequest,
    formulas,
};
use std::sync::MutexGuard;

/// The in-memory reference adapter. See the [crate documentation](crate).
#[derive(Debug)]
pub struct ReferenceAdapter {
    config: AdapterConfig,
    capabilities: Capabilities,
    store: Storage,
}

impl ReferenceAdapter {
    /// A reference adapter with the hardened capabilities.
    pub fn new(config: AdapterConfig) -> Self {
        ReferenceAdapter::with_capabilities(config, Capabilities::HARDENED)
    }

    /// A reference adapter that behaves as `capabilities` declare: the model for an adapter
    /// under test that declares the same.
    pub fn with_capabilities(config: AdapterConfig, capabilities: Capabilities) -> Self {
        ReferenceAdapter::over(Storage::new(), config, capabilities)
    }

    /// A reference adapter over `storage` (which its owner may also read and rewrite
    /// directly, see [`Storage`]).
    pub fn over(storage: Storage, config: AdapterConfig, capabilities: Capabilities) -> Self {
        ReferenceAdapter {
            config,
            capabilities,
            store: storage,
        }
    }

    /// A copy of every stored row, read without going through the adapter's methods.
    pub fn snapshot(&self) -> Snapshot {
        self.store.snapshot()
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// Now, as read from the clock at the declared precision: what expiry decisions compare
    /// against. An adapter whose clock reads whole milliseconds cannot see a microsecond
    /// step, and the reference models it exactly.
    fn now(&self) -> DateTime<Utc> {
        self.stored(self.config.clock.now())
    }

    /// An instant as this adapter stores it, at its declared precision.
    fn stored(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.capabilities.timestamp_precision.apply(t)
    }

    /// Refuses an instant the declared [`TimestampRange`](nextauth_adapter::TimestampRange)
    /// cannot store, before anything is written.
    fn in_range(&self, method: Method, field: &str, t: DateTime<Utc>) -> Result<()> {
        self.capabilities.timestamp_range.check(method, field, t)
    }

    fn same_email(&self, a: &str, b: &str) -> bool {
        self.capabilities.email_matching.same(a, b)
    }

    fn check(&self, method: Method, field: Field, value: &str) -> Result<()> {
        self.capabilities.limits.check(method, field, value)
    }

    fn check_opt(&self, method: Method, field: Field, value: Option<&str>) -> Result<()> {
        self.capabilities.limits.check_opt(method, field, value)
    }

    fn email_taken(&self, store: &Store, email: Option<&str>, except: Option<u64>) -> bool {
        let Some(email) = email else { return false };
        store.users.rows.iter().any(|(id, u)| {
            Some(*id) != except
                && u.email
                    .as_deref()
                    .is_some_and(|e| self.same_email(e, email))
        })
    }

    fn find_verification(&self, store: &Store, identifier: &str, hash: &str) -> Option<u64> {
        store
            .verification_requests
            .rows
            .iter()
            .find(|(_, v)| v.token == hash && self.same_email(&v.identifier, identifier))
            .map(|(id, _)| *id)
    }
}

#[async_trait]
impl Adapter for ReferenceAdapter {
    fn display_name(&self) -> &str {
        "reference"
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        const M: Method = Method::CreateUser;
        self.check_opt(M, Field::UserName, profile.name.as_deref())?;
        self.check_opt(M, Field::UserEmail, profile.email.as_deref())?;
        self.check_opt(M, Field::UserImage, profile.image.as_deref())?;
        let now = self.stored(self.now());
        self.in_range(M, "created_at", now)?;
        let mut store = self.lock();
        if self.email_taken(&store, profile.email.as_deref(), None) {
            return Err(AdapterError::Conflict {
                method: M,
                key: UniqueKey::UserEmail,
            });
        }
        let id = store.users.issue_id();
        let user = User {
            id: id.to_string(),
            name: profile.name,
            email: profile.email,
            email_verified: profile.email_verified.map(|_| now),
            image: profile.image,
            created_at: now,
            updated_at: now,
        };
        store.users.rows.insert(id, user.clone());
        tracing::debug!(user_id = %user.id, "reference: created user");
        Ok(user)
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        Ok(self.lock().users.get(id).cloned())
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let store = self.lock();
        Ok(store
            .users
            .rows
            .values()
            .find(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| self.same_email(e, email))
            })
            .cloned())
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let compound = formulas::compound_id(provider_id, provider_account_id);
        let store = self.lock();
        let Some(account) = store
            .accounts
            .rows
            .values()
            .find(|a| a.compound_id == compound)
        else {
            return Ok(None);
        };
        Ok(store.users.get(&account.user_id).cloned())
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        const M: Method = Method::UpdateUser;
        self.check_opt(M, Field::UserName, user.name.as_deref())?;
        self.check_opt(M, Field::UserEmail, user.email.as_deref())?;
        self.check_opt(M, Field::UserImage, user.image.as_deref())?;
        let now = self.stored(self.now());
        let email_verified = user.email_verified.map(|t| self.stored(t));
        if let Some(t) = email_verified {
            self.in_range(M, "email_verified", t)?;
        }
        self.in_range(M, "updated_at", now)?;
        let mut store = self.lock();
        let not_found = || AdapterError::NotFound {
            method: M,
            entity: Entity::User,
            id: user.id.clone(),
        };
        let key = Table::<User>::key(&user.id).ok_or_else(not_found)?;
        if !store.users.rows.contains_key(&key) {
            return Err(not_found());
        }
        if self.email_taken(&store, user.email.as_deref(), Some(key)) {
            return Err(AdapterError::Conflict {
                method: M,
                key: UniqueKey::UserEmail,
            });
        }
        let stored = store.users.rows.get_mut(&key).ok_or_else(not_found)?;
        stored.name.clone_from(&user.name);
        stored.email.clone_from(&user.email);
        stored.email_verified = email_verified;
        stored.image.clone_from(&user.image);
        stored.updated_at = now;
        Ok(stored.clone())
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        let cascade = match self.capabilities.delete_user {
            DeleteUserSupport::Unsupported => {
                return Err(AdapterError::Unsupported {
                    method: Method::DeleteUser,
                });
            }
            DeleteUserSupport::UserOnly => false,
            DeleteUserSupport::Cascade => true,
        };
        let Some(key) = Table::<User>::key(user_id) else {
            return Ok(());
        };
        let mut store = self.lock();
        if store.users.rows.remove(&key).is_some() && cascade {
            store.accounts.rows.retain(|_, a| a.user_id != user_id);
            store.sessions.rows.retain(|_, s| s.user_id != user_id);
        }
        Ok(())
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        const M: Method = Method::LinkAccount;
        self.check(M, Field::ProviderId, &account.provider_id)?;
        self.check(M, Field::ProviderType, &account.provider_type)?;
        self.check(M, Field::ProviderAccountId, &account.provider_account_id)?;
        self.check_opt(M, Field::RefreshToken, account.refresh_token.as_deref())?;
        self.check_opt(
            M,
            Field::AccountAccessToken,
            account.access_token.as_deref(),
        )?;
        if Table::<User>::key(&account.user_id).is_none() {
            return Err(AdapterError::invalid_input(
                M,
                "user_id",
                format!("{:?} is not an id this adapter issues", account.user_id),
            ));
        }
        let compound_id = formulas::compound_id(&account.provider_id, &account.provider_account_id);
        let now = self.stored(self.now());
        let access_token_expires = account.access_token_expires.map(|t| self.stored(t));
        if let Some(t) = access_token_expires {
            self.in_range(M, "access_token_expires", t)?;
        }
        self.in_range(M, "created_at", now)?;
        let mut store = self.lock();
        // No orphan: a user nobody has is refused (a foreign key would), before the unique key.
        if store.users.get(&account.user_id).is_none() {
            return Err(AdapterError::NotFound {
                method: M,
                entity: Entity::User,
                id: account.user_id,
            });
        }
        if store
            .accounts
            .rows
            .values()
            .any(|a| a.compound_id == compound_id)
        {
            return Err(AdapterError::Conflict {
                method: M,
                key: UniqueKey::AccountCompoundId,
            });
        }
        let id = store.accounts.issue_id();
        let stored = NewAccount {
            access_token_expires,
            ..account
        }
        .into_account(id.to_string(), now);
        store.accounts.rows.insert(id, stored.clone());
        Ok(stored)
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        if self.capabilities.unlink_account == UnlinkAccountSupport::Unsupported {
            return Err(AdapterError::Unsupported {
                method: Method::UnlinkAccount,
            });
        }
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        self.lock()
            .accounts
            .rows
            .retain(|_, a| !(a.compound_id == compound_id && a.user_id == user_id));
        Ok(())
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        const M: Method = Method::CreateSession;
        if Table::<User>::key(&user.id).is_none() {
            return Err(AdapterError::invalid_input(
                M,
                "user.id",
                format!("{:?} is not an id this adapter issues", user.id),
            ));
        }
        let now = self.now();
        let expires = self.stored(self.config.session.expires_from(now));
        let now = self.stored(now);
        self.in_range(M, "expires", expires)?;
        self.in_range(M, "created_at", now)?;
        let session_token = formulas::random_token();
        let access_token = formulas::random_token();
        let mut store = self.lock();
        // No orphan: a session for a user nobody has is refused.
        if store.users.get(&user.id).is_none() {
            return Err(AdapterError::NotFound {
                method: M,
                entity: Entity::User,
                id: user.id.clone(),
            });
        }
        for s in store.sessions.rows.values() {
            if s.session_token == session_token {
                return Err(AdapterError::Conflict {
                    method: M,
                    key: UniqueKey::SessionToken,
                });
            }
            if s.access_token == access_token {
                return Err(AdapterError::Conflict {
                    method: M,
                    key: UniqueKey::SessionAccessToken,
                });
            }
        }
        let id = store.sessions.issue_id();
        let session = Session {
            id: id.to_string(),
            user_id: user.id.clone(),
            expires,
            session_token,
            access_token,
            created_at: now,
            updated_at: now,
        };
        store.sessions.rows.insert(id, session.clone());
        Ok(session)
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        let Some(token) = session_token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let now = self.now();
        let mut store = self.lock();
        let Some((&id, session)) = store
            .sessions
            .rows
            .iter()
            .find(|(_, s)| s.session_token == token)
        else {
            return Ok(None);
        };
        if now > session.expires {
            if self.capabilities.expired_session == ExpiredSessionHandling::DeleteOnRead {
                store.sessions.rows.remove(&id);
            }
            return Ok(None);
        }
        Ok(Some(session.clone()))
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        const M: Method = Method::UpdateSession;
        let now = self.now();
        let policy = self.config.session;
        let due = policy.is_update_due(session.expires, now);
        if !due && !force {
            return Ok(None);
        }
        let new_expires = due.then(|| self.stored(policy.expires_from(now)));
        if let Some(t) = new_expires {
            self.in_range(M, "expires", t)?;
        }
        let now = self.stored(now);
        self.in_range(M, "updated_at", now)?;
        let mut store = self.lock();
        let stored = Table::<Session>::key(&session.id)
            .and_then(|k| store.sessions.rows.get_mut(&k))
            .filter(|s| s.session_token == session.session_token)
            .ok_or_else(|| AdapterError::NotFound {
                method: M,
                entity: Entity::Session,
                id: session.id.clone(),
            })?;
        if let Some(expires) = new_expires {
            stored.expires = expires;
        }
        stored.updated_at = now;
        *session = stored.clone();
        Ok(Some(stored.clone()))
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        let Some(token) = session_token else {
            return Ok(());
        };
        self.lock()
            .sessions
            .rows
            .retain(|_, s| s.session_token != token);
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
        const M: Method = Method::CreateVerificationRequest;
        self.check(M, Field::VerificationIdentifier, identifier)?;
        if provider.max_age <= chrono::Duration::zero() {
            return Err(AdapterError::invalid_input(
                M,
                "provider.max_age",
                format!("must be positive, got {}", provider.max_age),
            ));
        }
        let hash = formulas::hash_token(token, secret);
        let now = self.now();
        let expires = self.stored(now + provider.max_age);
        let now = self.stored(now);
        self.in_range(M, "expires", expires)?;
        self.in_range(M, "created_at", now)?;
        let request = {
            let mut store = self.lock();
            if store
                .verification_requests
                .rows
                .values()
                .any(|v| v.token == hash)
            {
                return Err(AdapterError::Conflict {
                    method: M,
                    key: UniqueKey::VerificationToken,
                });
            }
            let id = store.verification_requests.issue_id();
            let request = VerificationRequest {
                id: id.to_string(),
                identifier: identifier.to_owned(),
                token: hash,
                expires,
                created_at: now,
                updated_at: now,
            };
            store.verification_requests.rows.insert(id, request.clone());
            request
        };
        // The row is stored before the e-mail goes out, and stays if sending fails (v3).
        let message = VerificationMessage {
            identifier: identifier.to_owned(),
            url: url.to_owned(),
            token: token.to_owned(),
            base_url: self.config.base_url.clone(),
            provider_id: provider.id.clone(),
        };
        provider
            .sender
            .send(message)
            .await
            .map_err(|e| AdapterError::Delivery {
                method: M,
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
        let hash = formulas::hash_token(token, secret);
        let now = self.now();
        let mut store = self.lock();
        let Some(id) = self.find_verification(&store, identifier, &hash) else {
            return Ok(None);
        };
        if now > store.verification_requests.rows[&id].expires {
            store.verification_requests.rows.remove(&id);
            return Ok(None);
        }
        Ok(match self.capabilities.verification_consumption {
            VerificationConsumption::OnGet => store.verification_requests.rows.remove(&id),
            VerificationConsumption::OnDelete => store.verification_requests.rows.get(&id).cloned(),
        })
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        let hash = formulas::hash_token(token, secret);
        let mut store = self.lock();
        if let Some(id) = self.find_verification(&store, identifier, &hash) {
            store.verification_requests.rows.remove(&id);
        }
        Ok(())
    }
}

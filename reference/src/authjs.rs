//! The in-memory reference adapter for the Auth.js contract
//! ([`nextauth_adapter::authjs::Adapter`]).
//!
//! The oracle of the Auth.js profile: it does what the contract says and nothing else, under
//! any [`Capabilities`] an adapter may declare. Methods outside the declared
//! [`MethodSet`](nextauth_adapter::authjs::MethodSet) return
//! [`Unsupported`](AdapterError::Unsupported); user ids are core's or its own
//! (`user-1`, `user-2`, …) as [`IdSource`] says; instants are stored at the declared
//! precision; e-mail addresses match as declared. Every method runs under one lock, so each
//! is atomic, and `use_verification_token` is single use under any concurrency.

use async_trait::async_trait;
use nextauth_adapter::authjs::{
    Account, AccountKey, Adapter, Authenticator, Capabilities, IdSource, NewUser, Patch, Session,
    SessionAndUser, SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, Entity, Method, Result, UniqueKey};
use std::sync::{Mutex, MutexGuard};

/// Everything an Auth.js store holds, read around the adapter: what the reference returns to
/// the harness's inspector, and what every inspector of an Auth.js backend returns (on the
/// bridge, the reply to `stored`, in camelCase).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    /// Users, in insertion order.
    pub users: Vec<User>,
    /// Linked accounts, in insertion order.
    pub accounts: Vec<Account>,
    /// Sessions, in insertion order.
    pub sessions: Vec<Session>,
    /// Verification tokens, with the token as stored, in insertion order.
    pub verification_tokens: Vec<VerificationToken>,
    /// WebAuthn authenticators, in insertion order.
    #[serde(default)]
    pub authenticators: Vec<Authenticator>,
}

impl Stored {
    /// The stored user with this id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The stored session with this token.
    pub fn session(&self, token: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.session_token == token)
    }

    /// The stored account with this key.
    pub fn account(&self, key: &AccountKey) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.key() == key)
    }

    /// The stored authenticator with this credential id.
    pub fn authenticator(&self, credential_id: &str) -> Option<&Authenticator> {
        self.authenticators
            .iter()
            .find(|a| a.credential_id == credential_id)
    }
}

#[derive(Debug, Default)]
struct State {
    stored: Stored,
    next_user: u64,
}

/// The reference Auth.js adapter.
#[derive(Debug)]
pub struct ReferenceAdapter {
    capabilities: Capabilities,
    state: Mutex<State>,
}

impl Default for ReferenceAdapter {
    fn default() -> Self {
        ReferenceAdapter::with_capabilities(Capabilities::FULL)
    }
}

impl ReferenceAdapter {
    /// A reference adapter, empty, behaving as `capabilities` declare.
    pub fn with_capabilities(capabilities: Capabilities) -> Self {
        ReferenceAdapter {
            capabilities,
            state: Mutex::default(),
        }
    }

    /// A copy of everything stored.
    pub fn stored(&self) -> Stored {
        self.lock().stored.clone()
    }

    /// Changes the stored rows directly, bypassing every rule of the contract: how the
    /// harness's deliberately broken adapters (the reference with one behaviour broken) write
    /// what a correct adapter never would. Not for anything else.
    pub fn write_raw<T>(&self, change: impl FnOnce(&mut Stored) -> T) -> T {
        change(&mut self.lock().stored)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic under the lock leaves no half-written row (every method validates before it
        // writes), so a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state, if the adapter implements `method`.
    fn enter(&self, method: Method) -> Result<MutexGuard<'_, State>> {
        if self.capabilities.implements(method) {
            Ok(self.lock())
        } else {
            Err(AdapterError::Unsupported { method })
        }
    }

    /// Whether a stored address and another are the same key (users without an address
    /// never collide).
    fn same_email(&self, stored: Option<&str>, other: Option<&str>) -> bool {
        match (stored, other) {
            (Some(a), Some(b)) => self.capabilities.email_matching.same(a, b),
            _ => false,
        }
    }

    /// Whether two verification identifiers (addresses) are the same key, as declared.
    fn same_identifier(&self, a: &str, b: &str) -> bool {
        self.capabilities.email_matching.same(a, b)
    }

    fn instant(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        self.capabilities.timestamp_precision.apply(t)
    }
}

fn not_found(method: Method, entity: Entity, id: &str) -> AdapterError {
    AdapterError::NotFound {
        method,
        entity,
        id: id.to_owned(),
    }
}

fn conflict(method: Method, key: UniqueKey) -> AdapterError {
    AdapterError::Conflict { method, key }
}

#[async_trait]
impl Adapter for ReferenceAdapter {
    fn display_name(&self) -> &str {
        "reference"
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn create_user(&self, user: NewUser) -> Result<User> {
        const M: Method = Method::CreateUser;
        let mut state = self.enter(M)?;
        let core_id = match (self.capabilities.user_id, &user.id) {
            (IdSource::Core, Some(id)) => Some(id.clone()),
            _ => None,
        };
        if core_id.as_deref() == Some("") {
            return Err(AdapterError::invalid_input(M, "id", "an empty id"));
        }
        let s = &state.stored;
        if let Some(id) = &core_id
            && s.user(id).is_some()
        {
            return Err(conflict(M, UniqueKey::UserId));
        }
        if s.users
            .iter()
            .any(|u| self.same_email(u.email.as_deref(), user.email.as_deref()))
        {
            return Err(conflict(M, UniqueKey::UserEmail));
        }
        let id = match core_id {
            Some(id) => id,
            None => loop {
                state.next_user += 1;
                let id = format!("user-{}", state.next_user);
                if state.stored.user(&id).is_none() {
                    break id;
                }
            },
        };
        let mut stored = user.into_user(id);
        stored.email_verified = stored.email_verified.map(|t| self.instant(t));
        state.stored.users.push(stored.clone());
        Ok(stored)
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        let state = self.enter(Method::GetUser)?;
        Ok(state.stored.user(id).cloned())
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        let state = self.enter(Method::GetUserByEmail)?;
        Ok(state
            .stored
            .users
            .iter()
            .find(|u| self.same_email(u.email.as_deref(), Some(email)))
            .cloned())
    }

    async fn get_user_by_account(&self, key: &AccountKey) -> Result<Option<User>> {
        let state = self.enter(Method::GetUserByAccount)?;
        let s = &state.stored;
        Ok(s.account(key).and_then(|a| s.user(&a.user_id)).cloned())
    }

    async fn update_user(&self, patch: UserPatch) -> Result<User> {
        const M: Method = Method::UpdateUser;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        let Some(index) = s.users.iter().position(|u| u.id == patch.id) else {
            return Err(not_found(M, Entity::User, &patch.id));
        };
        if let Patch::Set(email) = &patch.email
            && s.users
                .iter()
                .any(|u| u.id != patch.id && self.same_email(u.email.as_deref(), Some(email)))
        {
            return Err(conflict(M, UniqueKey::UserEmail));
        }
        let mut updated = patch.apply(&s.users[index]);
        updated.email_verified = updated.email_verified.map(|t| self.instant(t));
        s.users[index] = updated.clone();
        Ok(updated)
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        let mut state = self.enter(Method::DeleteUser)?;
        let s = &mut state.stored;
        s.users.retain(|u| u.id != id);
        s.sessions.retain(|x| x.user_id != id);
        s.accounts.retain(|a| a.user_id != id);
        s.authenticators.retain(|a| a.user_id != id);
        Ok(())
    }

    async fn link_account(&self, account: Account) -> Result<Option<Account>> {
        const M: Method = Method::LinkAccount;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        if s.user(&account.user_id).is_none() {
            return Err(not_found(M, Entity::User, &account.user_id));
        }
        if s.account(&account.key()).is_some() {
            return Err(conflict(M, UniqueKey::AccountProvider));
        }
        s.accounts.push(account.clone());
        Ok(Some(account))
    }

    async fn unlink_account(&self, key: &AccountKey) -> Result<()> {
        let mut state = self.enter(Method::UnlinkAccount)?;
        state.stored.accounts.retain(|a| &a.key() != key);
        Ok(())
    }

    async fn create_session(&self, session: Session) -> Result<Session> {
        const M: Method = Method::CreateSession;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        if s.user(&session.user_id).is_none() {
            return Err(not_found(M, Entity::User, &session.user_id));
        }
        if s.session(&session.session_token).is_some() {
            return Err(conflict(M, UniqueKey::SessionToken));
        }
        let stored = Session {
            expires: self.instant(session.expires),
            ..session
        };
        s.sessions.push(stored.clone());
        Ok(stored)
    }

    async fn get_session_and_user(&self, session_token: &str) -> Result<Option<SessionAndUser>> {
        let state = self.enter(Method::GetSessionAndUser)?;
        let s = &state.stored;
        Ok(s.session(session_token).and_then(|session| {
            s.user(&session.user_id).map(|user| SessionAndUser {
                session: session.clone(),
                user: user.clone(),
            })
        }))
    }

    async fn update_session(&self, patch: SessionPatch) -> Result<Option<Session>> {
        const M: Method = Method::UpdateSession;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        let Some(index) = s
            .sessions
            .iter()
            .position(|x| x.session_token == patch.session_token)
        else {
            return Ok(None);
        };
        if let Some(user_id) = &patch.user_id
            && s.user(user_id).is_none()
        {
            return Err(not_found(M, Entity::User, user_id));
        }
        let mut updated = patch.apply(&s.sessions[index]);
        updated.expires = self.instant(updated.expires);
        s.sessions[index] = updated.clone();
        Ok(Some(updated))
    }

    async fn delete_session(&self, session_token: &str) -> Result<()> {
        let mut state = self.enter(Method::DeleteSession)?;
        state
            .stored
            .sessions
            .retain(|x| x.session_token != session_token);
        Ok(())
    }

    async fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> Result<Option<VerificationToken>> {
        const M: Method = Method::CreateVerificationToken;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        if s.verification_tokens.iter().any(|v| {
            self.same_identifier(&v.identifier, &token.identifier) && v.token == token.token
        }) {
            return Err(conflict(M, UniqueKey::VerificationIdentifierToken));
        }
        let stored = VerificationToken {
            expires: self.instant(token.expires),
            ..token
        };
        s.verification_tokens.push(stored.clone());
        Ok(Some(stored))
    }

    async fn use_verification_token(
        &self,
        key: &VerificationKey,
    ) -> Result<Option<VerificationToken>> {
        let mut state = self.enter(Method::UseVerificationToken)?;
        let tokens = &mut state.stored.verification_tokens;
        let found = tokens.iter().position(|v| {
            self.same_identifier(&v.identifier, &key.identifier) && v.token == key.token
        });
        Ok(found.map(|i| tokens.remove(i)))
    }

    async fn get_account(
        &self,
        provider_account_id: &str,
        provider: &str,
    ) -> Result<Option<Account>> {
        let state = self.enter(Method::GetAccount)?;
        Ok(state
            .stored
            .account(&AccountKey::new(provider, provider_account_id))
            .cloned())
    }

    async fn get_authenticator(&self, credential_id: &str) -> Result<Option<Authenticator>> {
        let state = self.enter(Method::GetAuthenticator)?;
        Ok(state.stored.authenticator(credential_id).cloned())
    }

    async fn create_authenticator(&self, authenticator: Authenticator) -> Result<Authenticator> {
        const M: Method = Method::CreateAuthenticator;
        let mut state = self.enter(M)?;
        let s = &mut state.stored;
        if s.user(&authenticator.user_id).is_none() {
            return Err(not_found(M, Entity::User, &authenticator.user_id));
        }
        if s.authenticator(&authenticator.credential_id).is_some() {
            return Err(conflict(M, UniqueKey::AuthenticatorCredentialId));
        }
        s.authenticators.push(authenticator.clone());
        Ok(authenticator)
    }

    async fn list_authenticators_by_user_id(&self, user_id: &str) -> Result<Vec<Authenticator>> {
        let state = self.enter(Method::ListAuthenticatorsByUserId)?;
        Ok(state
            .stored
            .authenticators
            .iter()
            .filter(|a| a.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn update_authenticator_counter(
        &self,
        credential_id: &str,
        counter: u64,
    ) -> Result<Authenticator> {
        const M: Method = Method::UpdateAuthenticatorCounter;
        let mut state = self.enter(M)?;
        let Some(found) = state
            .stored
            .authenticators
            .iter_mut()
            .find(|a| a.credential_id == credential_id)
        else {
            return Err(not_found(M, Entity::Authenticator, credential_id));
        };
        found.counter = counter;
        Ok(found.clone())
    }
}

//! The Auth.js adapter trait: `@auth/core`'s `Adapter` interface, every method optional.

use super::capabilities::Capabilities;
use super::records::{
    Account, AccountKey, Authenticator, NewUser, Session, SessionAndUser, SessionPatch, User,
    UserPatch, VerificationKey, VerificationToken,
};
use crate::error::{AdapterError, Result};
use crate::method::Method;
use async_trait::async_trait;
use std::sync::Arc;

/// An Auth.js adapter shared between tasks.
pub type SharedAdapter = Arc<dyn Adapter>;

/// The error of a method the adapter does not implement.
fn unsupported<T>(method: Method) -> Result<T> {
    Err(AdapterError::Unsupported { method })
}

/// An Auth.js (`@auth/core`) database adapter.
///
/// Every method of the interface is optional in JavaScript; here every method has a body
/// that returns [`Unsupported`](crate::AdapterError::Unsupported), an adapter overrides the
/// ones it implements, and [`Capabilities::methods`] says which those are: the suite holds the
/// adapter to exactly what it declares, and proves each "unsupported" by the error.
///
/// Unlike a v3 adapter, an Auth.js adapter decides nothing about time: core computes every
/// expiry, hashes every verification token and chooses every session token; the adapter
/// stores, finds and removes. What core cannot do for it: keep keys unique, make
/// [`use_verification_token`](Adapter::use_verification_token) single use, and remove a
/// deleted user's sessions and accounts.
///
/// Missing rows: a lookup of a missing row is `Ok(None)`. A write that names a missing row
/// ([`update_session`](Adapter::update_session), [`delete_session`](Adapter::delete_session),
/// [`unlink_account`](Adapter::unlink_account), [`delete_user`](Adapter::delete_user)) either
/// changes nothing and succeeds, or returns [`NotFound`](crate::AdapterError::NotFound); both
/// occur among the maintained adapters and core copes with both.
/// [`update_user`](Adapter::update_user) and
/// [`update_authenticator_counter`](Adapter::update_authenticator_counter) of a missing row
/// are `NotFound`: they must return a record and have none. When several errors apply, the
/// order of [`crate::Adapter`]'s documentation holds.
#[async_trait]
pub trait Adapter: Send + Sync {
    /// A short name for logs and reports, e.g. `"prisma"`.
    fn display_name(&self) -> &str;

    /// What the adapter implements and how it differs where adapters may.
    fn capabilities(&self) -> Capabilities;

    /// Inserts a user and returns it. Keeps the id core passed or issues its own, as
    /// [`IdSource`](super::IdSource) declares; stores every other field as given. An e-mail
    /// address another user has gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`UserEmail`](crate::UniqueKey::UserEmail); an id another user has, on
    /// [`UserId`](crate::UniqueKey::UserId).
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let _ = user;
        unsupported(Method::CreateUser)
    }

    /// The user with this id, or `None` (also for an id this adapter could never issue).
    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        let _ = id;
        unsupported(Method::GetUser)
    }

    /// The user with this address, or `None`; matching as
    /// [`EmailMatching`](crate::EmailMatching) declares.
    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        let _ = email;
        unsupported(Method::GetUserByEmail)
    }

    /// The user owning the account `(provider, providerAccountId)`, or `None`.
    async fn get_user_by_account(&self, key: &AccountKey) -> Result<Option<User>> {
        let _ = key;
        unsupported(Method::GetUserByAccount)
    }

    /// Applies a partial update and returns the stored user. Fields the patch keeps stay as
    /// they were. A missing id gives [`NotFound`](crate::AdapterError::NotFound) and writes
    /// nothing; an address another user has, [`Conflict`](crate::AdapterError::Conflict).
    async fn update_user(&self, patch: UserPatch) -> Result<User> {
        let _ = patch;
        unsupported(Method::UpdateUser)
    }

    /// Deletes the user **and its sessions, accounts and authenticators**.
    async fn delete_user(&self, id: &str) -> Result<()> {
        let _ = id;
        unsupported(Method::DeleteUser)
    }

    /// Links an account to an existing user; returns the stored account, or `None` for an
    /// adapter that returns nothing (core ignores the value). An account that is already
    /// linked gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`AccountProvider`](crate::UniqueKey::AccountProvider).
    async fn link_account(&self, account: Account) -> Result<Option<Account>> {
        let _ = account;
        unsupported(Method::LinkAccount)
    }

    /// Removes the account `(provider, providerAccountId)`, and nothing else (an authenticator
    /// belongs to its user, not to the account: core never unlinks, and the maintained schemas
    /// tie authenticators to users only).
    async fn unlink_account(&self, key: &AccountKey) -> Result<()> {
        let _ = key;
        unsupported(Method::UnlinkAccount)
    }

    /// Stores a session for an existing user and returns it. A token another session has
    /// gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`SessionToken`](crate::UniqueKey::SessionToken).
    async fn create_session(&self, session: Session) -> Result<Session> {
        let _ = session;
        unsupported(Method::CreateSession)
    }

    /// The session with this token and its user, or `None`. Expired or not: core decides.
    async fn get_session_and_user(&self, session_token: &str) -> Result<Option<SessionAndUser>> {
        let _ = session_token;
        unsupported(Method::GetSessionAndUser)
    }

    /// Applies a partial update to the session with `patch.session_token`; returns the stored
    /// session, or `None` (nothing returned, or no such session).
    async fn update_session(&self, patch: SessionPatch) -> Result<Option<Session>> {
        let _ = patch;
        unsupported(Method::UpdateSession)
    }

    /// Deletes the session with this token.
    async fn delete_session(&self, session_token: &str) -> Result<()> {
        let _ = session_token;
        unsupported(Method::DeleteSession)
    }

    /// Stores a verification token and returns it, or `None` for an adapter that returns
    /// nothing. The pair `(identifier, token)` another row has gives
    /// [`Conflict`](crate::AdapterError::Conflict) on
    /// [`VerificationIdentifierToken`](crate::UniqueKey::VerificationIdentifierToken).
    async fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> Result<Option<VerificationToken>> {
        let _ = token;
        unsupported(Method::CreateVerificationToken)
    }

    /// Returns the token matching `identifier` **and** `token` and removes it in the same
    /// atomic step, or `None`: of any number of concurrent calls, at most one returns it.
    /// Expired or not: core decides.
    async fn use_verification_token(
        &self,
        key: &VerificationKey,
    ) -> Result<Option<VerificationToken>> {
        let _ = key;
        unsupported(Method::UseVerificationToken)
    }

    /// The account `(provider, providerAccountId)`, or `None`. Takes its arguments in
    /// `@auth/core`'s order: the provider's account id first.
    async fn get_account(
        &self,
        provider_account_id: &str,
        provider: &str,
    ) -> Result<Option<Account>> {
        let _ = (provider_account_id, provider);
        unsupported(Method::GetAccount)
    }

    /// The authenticator with this credential id, or `None`.
    async fn get_authenticator(&self, credential_id: &str) -> Result<Option<Authenticator>> {
        let _ = credential_id;
        unsupported(Method::GetAuthenticator)
    }

    /// Stores an authenticator and returns it. A credential id another authenticator has
    /// gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`AuthenticatorCredentialId`](crate::UniqueKey::AuthenticatorCredentialId).
    async fn create_authenticator(&self, authenticator: Authenticator) -> Result<Authenticator> {
        let _ = authenticator;
        unsupported(Method::CreateAuthenticator)
    }

    /// Every authenticator of the user, in no particular order; empty for an unknown user.
    async fn list_authenticators_by_user_id(&self, user_id: &str) -> Result<Vec<Authenticator>> {
        let _ = user_id;
        unsupported(Method::ListAuthenticatorsByUserId)
    }

    /// Sets the authenticator's counter and returns it. A missing credential gives
    /// [`NotFound`](crate::AdapterError::NotFound).
    async fn update_authenticator_counter(
        &self,
        credential_id: &str,
        counter: u64,
    ) -> Result<Authenticator> {
        let _ = (credential_id, counter);
        unsupported(Method::UpdateAuthenticatorCounter)
    }
}

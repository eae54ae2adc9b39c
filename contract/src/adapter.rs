//! The adapter trait: the fifteen methods of NextAuth v3 (contract-v3 §1.1, §3).

use crate::capabilities::Capabilities;
use crate::error::Result;
use crate::records::{Account, NewAccount, NewUser, Session, User, VerificationRequest};
use crate::verification::EmailProvider;
use async_trait::async_trait;
use std::sync::Arc;

/// An adapter shared between tasks.
pub type SharedAdapter = Arc<dyn Adapter>;

/// A NextAuth v3 database adapter.
///
/// Method names and argument order follow v3 (contract-v3 §1.1) in Rust types: ids are
/// strings, absent values are `None`, and every failure is an
/// [`AdapterError`](crate::AdapterError) naming the method. An adapter is built with an
/// [`AdapterConfig`](crate::AdapterConfig) and reads time only from its clock.
///
/// Implementations must be safe to call from many tasks at once: v3 serves concurrent
/// requests, and the conformance suite races them.
///
/// When several errors apply to one call, an adapter returns the first of, in this order:
/// [`InvalidInput`](crate::AdapterError::InvalidInput) (the arguments alone are refused,
/// nothing is looked up), [`Unsupported`](crate::AdapterError::Unsupported),
/// [`NotFound`](crate::AdapterError::NotFound) (the row the call needs is missing), and
/// [`Conflict`](crate::AdapterError::Conflict) (the write would break a unique key). The
/// conformance suite compares error kinds with the reference adapter, so the order is part of
/// the contract: `update_user` of a missing id whose new email another user has is
/// `NotFound`, not `Conflict`.
#[async_trait]
pub trait Adapter: Send + Sync {
    /// A short name for logs and reports (v3's `displayName`), e.g. `"postgres"`.
    fn display_name(&self) -> &str;

    /// What this adapter declares about the choices where v3 adapters differ.
    fn capabilities(&self) -> Capabilities;

    /// Inserts a user from a profile and returns it with its new id.
    ///
    /// Stores `name`, `email` and `image` exactly as given (no lowercasing, no trimming);
    /// `email_verified: Some(_)` stores the adapter clock's now. An email another user has
    /// gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`UserEmail`](crate::UniqueKey::UserEmail); several users without an email are allowed.
    async fn create_user(&self, profile: NewUser) -> Result<User>;

    /// The user with this id, or `None`, also for an id this adapter could never have issued
    /// (a JWT `sub` that is not a number on an integer-keyed backend is `None`, not an error).
    async fn get_user(&self, id: &str) -> Result<Option<User>>;

    /// The user with this email, or `None`. `None` and `""` give `None` without a lookup.
    /// Matching follows [`EmailMatching`](crate::EmailMatching).
    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>>;

    /// The user owning the account `(provider_id, provider_account_id)`, found through its
    /// compound id. `None` when there is no such account, or when its user no longer exists.
    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>>;

    /// Writes `name`, `email`, `email_verified` and `image` of the user with `user.id`,
    /// bumps its `updated_at`, and returns the stored user. A missing id gives
    /// [`NotFound`](crate::AdapterError::NotFound); nothing is inserted.
    async fn update_user(&self, user: &User) -> Result<User>;

    /// Deletes a user, as [`DeleteUserSupport`](crate::DeleteUserSupport) declares. Deleting a
    /// missing user is a no-op.
    async fn delete_user(&self, user_id: &str) -> Result<()>;

    /// Links an OAuth account to a user and returns the stored account. A user nobody has
    /// should give [`NotFound`](crate::AdapterError::NotFound) on
    /// [`User`](crate::Entity::User) and write nothing (v3's documented schemas have no foreign
    /// key, so its adapters wrote the orphan; a SHOULD rule). A provider account that is
    /// already linked gives [`Conflict`](crate::AdapterError::Conflict) on
    /// [`AccountCompoundId`](crate::UniqueKey::AccountCompoundId). `access_token_expires` is
    /// stored at the declared [`TimestampPrecision`](crate::TimestampPrecision).
    async fn link_account(&self, account: NewAccount) -> Result<Account>;

    /// Unlinks the account `(provider_id, provider_account_id)` from `user_id`, as
    /// [`UnlinkAccountSupport`](crate::UnlinkAccountSupport) declares. Unlinking an account
    /// that is missing, or that belongs to another user, changes nothing.
    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()>;

    /// Starts a session for `user`, expiring `max_age` from now, with two fresh 64-hex tokens.
    /// A user nobody has should give [`NotFound`](crate::AdapterError::NotFound) on
    /// [`User`](crate::Entity::User) and write nothing (a SHOULD rule, as for `link_account`).
    async fn create_session(&self, user: &User) -> Result<Session>;

    /// The session with this token, or `None`: for a missing token, for `None` (core calls it
    /// without a cookie), for a JWT string, and for a session that has expired (strictly
    /// `now > expires`; a session expiring exactly now is valid). An expired session is
    /// deleted or kept as [`ExpiredSessionHandling`](crate::ExpiredSessionHandling) declares.
    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>>;

    /// The rolling expiry of contract-v3 §3.11. When the session is due
    /// (`now > expires − max_age + update_age`), sets `session.expires` to `now + max_age`,
    /// stores it and returns the stored session. When it is not due: with `force`, stores the
    /// session unchanged and returns it; without, returns `None` and touches nothing.
    ///
    /// Takes `&mut` because v3 mutates its argument and core reads the new expiry from it.
    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>>;

    /// Deletes the session with this token. A missing token, or `None`, is a no-op.
    async fn delete_session(&self, session_token: Option<&str>) -> Result<()>;

    /// Stores a verification request for `identifier` whose token is stored only as
    /// `hash_token(token, secret)`, expiring `provider.max_age` from now; then calls the
    /// provider's sender exactly once with the raw token. If sending fails the row stays and
    /// the error is [`Delivery`](crate::AdapterError::Delivery).
    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest>;

    /// The request matching `identifier` **and** `hash_token(token, secret)`, or `None`. An
    /// expired request (strictly `now > expires`) is deleted and gives `None`. Under
    /// [`VerificationConsumption::OnGet`](crate::VerificationConsumption::OnGet) the request
    /// returned is removed in the same atomic step.
    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>>;

    /// Deletes the request matching `identifier` and `hash_token(token, secret)`. A missing
    /// request is a no-op.
    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()>;
}

//! [`Layered`]: an adapter wrapped around another, every call passing through one
//! [`Layer`]. Written once for the kit's wrappers of live adapters: the recording of calls
//! ([`crate::recording`]) and the deliberately fragile adapters ([`crate::fragile`]).
//!
//! A layer says what happens around every call ([`Layer::around`]: note it, guard it, map its
//! error) and overrides a method only where it does more; every other method goes to the
//! inner adapter through `around`.

use async_trait::async_trait;
use futures::future::BoxFuture;
use nextauth_adapter::{
    Account, Adapter, Capabilities, EmailProvider, Method, NewAccount, NewUser, Result, Session,
    SharedAdapter, User, VerificationRequest,
};

/// What happens around each call of a [`Layered`] adapter.
#[async_trait]
pub trait Layer: Send + Sync + 'static {
    /// Runs `call`, the inner adapter's `method`. The default just awaits it.
    async fn around<'a, T: Send + 'a>(
        &'a self,
        method: Method,
        call: BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        let _ = method;
        call.await
    }

    /// `update_user` on `inner`, through [`around`](Self::around).
    async fn update_user(&self, inner: &dyn Adapter, user: &User) -> Result<User> {
        self.around(Method::UpdateUser, inner.update_user(user))
            .await
    }

    /// `delete_user` on `inner`, through [`around`](Self::around).
    async fn delete_user(&self, inner: &dyn Adapter, user_id: &str) -> Result<()> {
        self.around(Method::DeleteUser, inner.delete_user(user_id))
            .await
    }

    /// `link_account` on `inner`, through [`around`](Self::around).
    async fn link_account(&self, inner: &dyn Adapter, account: NewAccount) -> Result<Account> {
        self.around(Method::LinkAccount, inner.link_account(account))
            .await
    }

    /// `create_session` on `inner`, through [`around`](Self::around).
    async fn create_session(&self, inner: &dyn Adapter, user: &User) -> Result<Session> {
        self.around(Method::CreateSession, inner.create_session(user))
            .await
    }
}

/// `inner` with every call passing through `layer`.
pub struct Layered<L> {
    /// The adapter underneath.
    pub inner: SharedAdapter,
    /// What happens around its calls.
    pub layer: L,
}

#[async_trait]
impl<L: Layer> Adapter for Layered<L> {
    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        self.layer
            .around(Method::CreateUser, self.inner.create_user(profile))
            .await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.layer
            .around(Method::GetUser, self.inner.get_user(id))
            .await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        self.layer
            .around(Method::GetUserByEmail, self.inner.get_user_by_email(email))
            .await
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        self.layer
            .around(
                Method::GetUserByProviderAccountId,
                self.inner
                    .get_user_by_provider_account_id(provider_id, provider_account_id),
            )
            .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        self.layer.update_user(&*self.inner, user).await
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.layer.delete_user(&*self.inner, user_id).await
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        self.layer.link_account(&*self.inner, account).await
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.layer
            .around(
                Method::UnlinkAccount,
                self.inner
                    .unlink_account(user_id, provider_id, provider_account_id),
            )
            .await
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        self.layer.create_session(&*self.inner, user).await
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        self.layer
            .around(Method::GetSession, self.inner.get_session(session_token))
            .await
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        self.layer
            .around(
                Method::UpdateSession,
                self.inner.update_session(session, force),
            )
            .await
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.layer
            .around(
                Method::DeleteSession,
                self.inner.delete_session(session_token),
            )
            .await
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        self.layer
            .around(
                Method::CreateVerificationRequest,
                self.inner
                    .create_verification_request(identifier, url, token, secret, provider),
            )
            .await
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        self.layer
            .around(
                Method::GetVerificationRequest,
                self.inner
                    .get_verification_request(identifier, token, secret, provider),
            )
            .await
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        self.layer
            .around(
                Method::DeleteVerificationRequest,
                self.inner
                    .delete_verification_request(identifier, token, secret, provider),
            )
            .await
    }
}

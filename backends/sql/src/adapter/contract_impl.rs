//! `impl Adapter for SqlAdapter`: the fifteen methods, each delegating to its file
//! (`users`, `accounts`, `sessions`, `verification`).

use super::sql_adapter::SqlAdapter;
use super::store::SqlStore;
use async_trait::async_trait;
use nextauth_adapter::{
    Account, Adapter, Capabilities, EmailProvider, NewAccount, NewUser, Result, Session, User,
    VerificationRequest,
};

#[async_trait]
impl<S: SqlStore> Adapter for SqlAdapter<S> {
    fn display_name(&self) -> &str {
        self.store.backend()
    }

    fn capabilities(&self) -> Capabilities {
        self.caps()
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        self.create_user_impl(profile).await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.get_user_impl(id).await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        self.get_user_by_email_impl(email).await
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        self.get_user_by_provider_account_id_impl(provider_id, provider_account_id)
            .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        self.update_user_impl(user).await
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.delete_user_impl(user_id).await
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        self.link_account_impl(account).await
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.unlink_account_impl(user_id, provider_id, provider_account_id)
            .await
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        self.create_session_impl(user).await
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        self.get_session_impl(session_token).await
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        self.update_session_impl(session, force).await
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.delete_session_impl(session_token).await
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        self.create_verification_request_impl(identifier, url, token, secret, provider)
            .await
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        self.get_verification_request_impl(identifier, token, secret)
            .await
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        self.delete_verification_request_impl(identifier, token, secret)
            .await
    }
}

//! [`RecordingFactory`]: any backend, with every adapter call its fixtures receive written
//! down in order, by the method's v3 name: what a rule (or a flow of v3 core) asked of the
//! adapter, to set beside what the real next-auth core asks (`certify/tests/real_core.rs`).

use crate::backend::{BackendError, BackendFactory, Fixture};
use async_trait::async_trait;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, Capabilities, EmailProvider, Method, NewAccount, NewUser,
    Result, Session, SharedAdapter, User, VerificationRequest,
};
use std::sync::{Arc, Mutex};

/// The calls made so far, shared by a factory and its adapters.
pub type CallLog = Arc<Mutex<Vec<Method>>>;

/// `inner`, recording every adapter call of every fixture it opens into one [`CallLog`].
pub struct RecordingFactory {
    inner: Arc<dyn BackendFactory>,
    log: CallLog,
}

impl RecordingFactory {
    /// Records the calls made to `inner`'s adapters.
    pub fn new(inner: Arc<dyn BackendFactory>) -> Self {
        RecordingFactory {
            inner,
            log: CallLog::default(),
        }
    }

    /// The calls recorded since the last [`take`](Self::take), in order; empties the log.
    pub fn take(&self) -> Vec<Method> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait]
impl BackendFactory for RecordingFactory {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn open(&self, config: AdapterConfig) -> std::result::Result<Fixture, BackendError> {
        let fixture = self.inner.open(config).await?;
        Ok(Fixture {
            adapter: Arc::new(Recording {
                inner: fixture.adapter,
                log: Arc::clone(&self.log),
            }),
            ..fixture
        })
    }
}

/// An adapter that writes each call's method into the log, then delegates.
struct Recording {
    inner: SharedAdapter,
    log: CallLog,
}

impl Recording {
    fn note(&self, method: Method) {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(method);
    }
}

#[async_trait]
impl Adapter for Recording {
    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        self.note(Method::CreateUser);
        self.inner.create_user(profile).await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.note(Method::GetUser);
        self.inner.get_user(id).await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        self.note(Method::GetUserByEmail);
        self.inner.get_user_by_email(email).await
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        self.note(Method::GetUserByProviderAccountId);
        self.inner
            .get_user_by_provider_account_id(provider_id, provider_account_id)
            .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        self.note(Method::UpdateUser);
        self.inner.update_user(user).await
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.note(Method::DeleteUser);
        self.inner.delete_user(user_id).await
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        self.note(Method::LinkAccount);
        self.inner.link_account(account).await
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.note(Method::UnlinkAccount);
        self.inner
            .unlink_account(user_id, provider_id, provider_account_id)
            .await
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        self.note(Method::CreateSession);
        self.inner.create_session(user).await
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        self.note(Method::GetSession);
        self.inner.get_session(session_token).await
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        self.note(Method::UpdateSession);
        self.inner.update_session(session, force).await
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.note(Method::DeleteSession);
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
        self.note(Method::CreateVerificationRequest);
        self.inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        self.note(Method::GetVerificationRequest);
        self.inner
            .get_verification_request(identifier, token, secret, provider)
            .await
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        self.note(Method::DeleteVerificationRequest);
        self.inner
            .delete_verification_request(identifier, token, secret, provider)
            .await
    }
}

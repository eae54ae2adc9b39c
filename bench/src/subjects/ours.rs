//! [`Ours`]: our adapter through the contract's `Adapter` trait.

use super::{Flow, MAX_AGE_SECONDS, SECRET, Subject, URL, flow_error};
use crate::data::{PROVIDER, SeedUser};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::Utc;
use nextauth_adapter::{
    EmailProvider, SendError, SharedAdapter, VerificationMessage, VerificationSender,
};
use std::sync::Arc;

/// A sender that accepts every message (the benchmark measures the adapter, not e-mail).
#[derive(Debug)]
struct NullSender;

#[async_trait]
impl VerificationSender for NullSender {
    async fn send(&self, _message: VerificationMessage) -> Result<(), SendError> {
        Ok(())
    }
}

/// Our adapter, through the contract.
pub struct Ours {
    adapter: SharedAdapter,
    provider: EmailProvider,
}

impl Ours {
    /// The column over `adapter`.
    pub fn new(adapter: SharedAdapter) -> Self {
        let mut provider = EmailProvider::new(Arc::new(NullSender));
        provider.max_age = chrono::Duration::seconds(MAX_AGE_SECONDS);
        Ours { adapter, provider }
    }
}

#[async_trait]
impl Subject for Ours {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "ours";
        let a = &*self.adapter;
        match flow {
            Flow::SessionRead => {
                let mut session = a
                    .get_session(Some(&user.session_token))
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                if a.update_session(&mut session, false).await?.is_some() {
                    return Err(flow_error(S, flow.name(), "the update was due"));
                }
                a.get_user(&session.user_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
            }
            Flow::OauthSignin => {
                a.get_user_by_provider_account_id(PROVIDER, &user.provider_account_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                let found = a
                    .get_user_by_provider_account_id(PROVIDER, &user.provider_account_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                a.create_session(&found).await?;
            }
            Flow::EmailSignin => {
                let p = &self.provider;
                a.create_verification_request(&user.email, URL, token, SECRET, p)
                    .await?;
                a.get_verification_request(&user.email, token, SECRET, p)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no verification request"))?;
                a.delete_verification_request(&user.email, token, SECRET, p)
                    .await?;
                let mut found = a
                    .get_user_by_email(Some(&user.email))
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                found.email_verified = Some(Utc::now());
                let updated = a.update_user(&found).await?;
                a.create_session(&updated).await?;
            }
        }
        Ok(())
    }
}

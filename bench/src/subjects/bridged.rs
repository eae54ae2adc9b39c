//! [`Bridged`]: next-auth@3's default adapter called over the process bridge.

use super::{Flow, MAX_AGE_SECONDS, SECRET, Subject, URL, flow_error};
use crate::data::{PROVIDER, SeedUser};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::Utc;
use nextauth_adapter::Method;
use nextauth_adapter_bridge::BridgeProcess;
use nextauth_adapter_bridge::protocol::Call;
use serde_json::{Value, json};
use std::sync::Arc;

/// next-auth@3's default adapter in the bridge's Node child, one fixture opened over the
/// seeded namespace. Calls are sent as v3 core makes them (records passed back as the
/// adapter returned them); the bridge's own extra read after `createVerificationRequest`
/// (which the contract needs and v3 core does not) is not made.
pub struct Bridged {
    process: Arc<BridgeProcess>,
    fixture: String,
    provider: Value,
}

impl Bridged {
    /// The column over the open `fixture` of `process`.
    pub fn new(process: Arc<BridgeProcess>, fixture: String) -> Self {
        Bridged {
            process,
            fixture,
            provider: json!({ "id": "email", "maxAge": MAX_AGE_SECONDS }),
        }
    }

    async fn call(&self, method: Method, args: Value) -> Result<Value, BenchError> {
        let now = Utc::now().timestamp_micros();
        let reply = self
            .process
            .request(Call::Adapter(method), Some(&self.fixture), Some(now), args)
            .await?;
        if let Some(e) = reply.error {
            return Err(BenchError::Peer {
                method: method.js_name(),
                kind: e.kind,
                message: e.message,
            });
        }
        Ok(reply.ok.unwrap_or(Value::Null))
    }
}

#[async_trait]
impl Subject for Bridged {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "next-auth bridged";
        let missing = |what: &str| flow_error(S, flow.name(), format!("no {what}"));
        match flow {
            Flow::SessionRead => {
                let session = self
                    .call(Method::GetSession, json!([user.session_token]))
                    .await?;
                if session.is_null() {
                    return Err(missing("session"));
                }
                let user_id = session["userId"].clone();
                let updated = self
                    .call(Method::UpdateSession, json!([session, false]))
                    .await?;
                if !updated["returned"].is_null() {
                    return Err(flow_error(S, flow.name(), "the update was due"));
                }
                if self
                    .call(Method::GetUser, json!([user_id]))
                    .await?
                    .is_null()
                {
                    return Err(missing("user"));
                }
            }
            Flow::OauthSignin => {
                let args = json!([PROVIDER, user.provider_account_id]);
                self.call(Method::GetUserByProviderAccountId, args.clone())
                    .await?;
                let found = self.call(Method::GetUserByProviderAccountId, args).await?;
                if found.is_null() {
                    return Err(missing("user"));
                }
                self.call(Method::CreateSession, json!([found])).await?;
            }
            Flow::EmailSignin => {
                let p = &self.provider;
                self.call(
                    Method::CreateVerificationRequest,
                    json!([user.email, URL, token, SECRET, p]),
                )
                .await?;
                let got = self
                    .call(
                        Method::GetVerificationRequest,
                        json!([user.email, token, SECRET, p]),
                    )
                    .await?;
                if got.is_null() {
                    return Err(missing("verification request"));
                }
                self.call(
                    Method::DeleteVerificationRequest,
                    json!([user.email, token, SECRET, p]),
                )
                .await?;
                let mut found = self
                    .call(Method::GetUserByEmail, json!([user.email]))
                    .await?;
                if found.is_null() {
                    return Err(missing("user"));
                }
                found["emailVerified"] = json!(Utc::now().to_rfc3339());
                let updated = self.call(Method::UpdateUser, json!([found])).await?;
                let for_session = if updated.is_null() { found } else { updated };
                self.call(Method::CreateSession, json!([for_session]))
                    .await?;
            }
        }
        Ok(())
    }
}

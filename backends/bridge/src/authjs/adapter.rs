//! [`AuthjsBridgeAdapter`]: the Auth.js contract's adapter over one fixture of an adapter
//! process, and [`AuthjsBridgeInspector`]: that fixture's raw reads.

use super::wire;
use crate::adapter::adapter_error;
use crate::error::BridgeError;
use crate::process::BridgeProcess;
use crate::protocol::{Call, Control, normalize_ids};
use async_trait::async_trait;
use nextauth_adapter::authjs::{
    Account, AccountKey, Adapter, Authenticator, Capabilities, NewUser, Session, SessionAndUser,
    SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, Method, Result};
use nextauth_adapter_harness::authjs::Inspector;
use nextauth_adapter_harness::inspector::InspectError;
use nextauth_adapter_reference::authjs::Stored;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

/// An Auth.js adapter served by a child process: every call sends `@auth/core`'s arguments
/// and decodes what the child's adapter returned.
pub struct AuthjsBridgeAdapter {
    process: Arc<BridgeProcess>,
    fixture: String,
    name: String,
    capabilities: Capabilities,
}

impl std::fmt::Debug for AuthjsBridgeAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthjsBridgeAdapter")
            .field("name", &self.name)
            .field("fixture", &self.fixture)
            .finish_non_exhaustive()
    }
}

impl AuthjsBridgeAdapter {
    /// The adapter of the open fixture `fixture` of `process`.
    pub fn new(
        process: Arc<BridgeProcess>,
        fixture: String,
        name: String,
        capabilities: Capabilities,
    ) -> Self {
        AuthjsBridgeAdapter {
            process,
            fixture,
            name,
            capabilities,
        }
    }

    /// One call with `args` (the JavaScript arguments); its result, ids normalised to strings.
    async fn call(&self, method: Method, args: Value) -> Result<Value> {
        tracing::trace!(method = method.js_name(), fixture = %self.fixture, "bridge call");
        let reply = self
            .process
            .request(Call::Adapter(method), Some(&self.fixture), None, args)
            .await
            .map_err(|e| AdapterError::backend(method, self.name.clone(), e))?;
        if let Some(e) = reply.error {
            return Err(adapter_error(&self.name, method, e));
        }
        let mut value = reply.ok.unwrap_or(Value::Null);
        normalize_ids(&mut value);
        Ok(value)
    }

    fn decode<T: DeserializeOwned>(&self, method: Method, value: Value) -> Result<T> {
        serde_json::from_value(value.clone()).map_err(|e| {
            AdapterError::backend(
                method,
                self.name.clone(),
                BridgeError::BadReply {
                    method: method.js_name().to_owned(),
                    reason: format!("{e} in {value}"),
                },
            )
        })
    }

    /// A result that may be `null` (or `undefined`, sent as `null`).
    async fn optional<T: DeserializeOwned>(
        &self,
        method: Method,
        args: Value,
    ) -> Result<Option<T>> {
        let value = self.call(method, args).await?;
        if value.is_null() {
            Ok(None)
        } else {
            self.decode(method, value).map(Some)
        }
    }

    /// A result that must be there.
    async fn required<T: DeserializeOwned>(&self, method: Method, args: Value) -> Result<T> {
        let value = self.call(method, args).await?;
        if value.is_null() {
            return Err(AdapterError::backend(
                method,
                self.name.clone(),
                format!("{} returned nothing", method.js_name()),
            ));
        }
        self.decode(method, value)
    }

    /// A call whose result core ignores.
    async fn done(&self, method: Method, args: Value) -> Result<()> {
        self.call(method, args).await.map(drop)
    }
}

#[async_trait]
impl Adapter for AuthjsBridgeAdapter {
    fn display_name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn create_user(&self, user: NewUser) -> Result<User> {
        let mut object = json!({
            "email": user.email,
            "emailVerified": user.email_verified,
            "name": user.name,
            "image": user.image,
        });
        if let Some(id) = &user.id {
            object["id"] = json!(id);
        }
        self.required(Method::CreateUser, json!([object])).await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.optional(Method::GetUser, json!([id])).await
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.optional(Method::GetUserByEmail, json!([email])).await
    }

    async fn get_user_by_account(&self, key: &AccountKey) -> Result<Option<User>> {
        self.optional(Method::GetUserByAccount, json!([key])).await
    }

    async fn update_user(&self, patch: UserPatch) -> Result<User> {
        self.required(Method::UpdateUser, json!([wire::user_patch(&patch)]))
            .await
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        self.done(Method::DeleteUser, json!([id])).await
    }

    async fn link_account(&self, account: Account) -> Result<Option<Account>> {
        self.optional(Method::LinkAccount, json!([account])).await
    }

    async fn unlink_account(&self, key: &AccountKey) -> Result<()> {
        self.done(Method::UnlinkAccount, json!([key])).await
    }

    async fn create_session(&self, session: Session) -> Result<Session> {
        self.required(Method::CreateSession, json!([session])).await
    }

    async fn get_session_and_user(&self, session_token: &str) -> Result<Option<SessionAndUser>> {
        self.optional(Method::GetSessionAndUser, json!([session_token]))
            .await
    }

    async fn update_session(&self, patch: SessionPatch) -> Result<Option<Session>> {
        self.optional(Method::UpdateSession, json!([wire::session_patch(&patch)]))
            .await
    }

    async fn delete_session(&self, session_token: &str) -> Result<()> {
        self.done(Method::DeleteSession, json!([session_token]))
            .await
    }

    async fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> Result<Option<VerificationToken>> {
        self.optional(Method::CreateVerificationToken, json!([token]))
            .await
    }

    async fn use_verification_token(
        &self,
        key: &VerificationKey,
    ) -> Result<Option<VerificationToken>> {
        self.optional(Method::UseVerificationToken, json!([key]))
            .await
    }

    async fn get_account(
        &self,
        provider_account_id: &str,
        provider: &str,
    ) -> Result<Option<Account>> {
        self.optional(Method::GetAccount, json!([provider_account_id, provider]))
            .await
    }

    async fn get_authenticator(&self, credential_id: &str) -> Result<Option<Authenticator>> {
        self.optional(Method::GetAuthenticator, json!([credential_id]))
            .await
    }

    async fn create_authenticator(&self, authenticator: Authenticator) -> Result<Authenticator> {
        self.required(Method::CreateAuthenticator, json!([authenticator]))
            .await
    }

    async fn list_authenticators_by_user_id(&self, user_id: &str) -> Result<Vec<Authenticator>> {
        self.required(Method::ListAuthenticatorsByUserId, json!([user_id]))
            .await
    }

    async fn update_authenticator_counter(
        &self,
        credential_id: &str,
        counter: u64,
    ) -> Result<Authenticator> {
        self.required(
            Method::UpdateAuthenticatorCounter,
            json!([credential_id, counter]),
        )
        .await
    }
}

/// The raw reads of one fixture of an Auth.js child (`stored`): the child reads its storage
/// itself, never through its adapter.
pub struct AuthjsBridgeInspector {
    process: Arc<BridgeProcess>,
    fixture: String,
}

impl AuthjsBridgeInspector {
    /// The inspector of the open fixture `fixture` of `process`.
    pub fn new(process: Arc<BridgeProcess>, fixture: String) -> Self {
        AuthjsBridgeInspector { process, fixture }
    }
}

#[async_trait]
impl Inspector for AuthjsBridgeInspector {
    async fn stored(&self) -> std::result::Result<Stored, InspectError> {
        let mut value = self
            .process
            .control(Control::Stored, Some(&self.fixture), None, json!({}))
            .await?;
        normalize_ids(&mut value);
        Ok(serde_json::from_value(value)?)
    }
}

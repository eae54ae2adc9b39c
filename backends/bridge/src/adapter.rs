//! [`BridgeAdapter`]: the contract's [`Adapter`] over one fixture of an adapter process, and
//! [`BridgeInspector`]: the raw reads of that fixture (the child reads its tables with the
//! database driver, never through the adapter).

use crate::error::BridgeError;
use crate::process::BridgeProcess;
use crate::protocol::{Call, Control, WireError, WireSent, normalize_ids};
use async_trait::async_trait;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, EmailProvider, Entity, ErrorKind,
    Method, NewAccount, NewUser, Result, SendError, Session, User, VerificationMessage,
    VerificationRequest, formulas,
};
use nextauth_adapter_harness::inspector::{InspectError, Inspector, Stored};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

/// The contract's adapter, served by a child process over the line protocol.
///
/// Every call sends the clock's instant (`now`, microseconds since the epoch) so the child's
/// `Date` follows the harness's manual clock, and forwards the messages the child's
/// `sendVerificationRequest` received to the Rust [`EmailProvider`]'s sender.
pub struct BridgeAdapter {
    process: Arc<BridgeProcess>,
    fixture: String,
    name: String,
    capabilities: Capabilities,
    config: AdapterConfig,
    app_secret: String,
}

impl std::fmt::Debug for BridgeAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeAdapter")
            .field("name", &self.name)
            .field("fixture", &self.fixture)
            .finish_non_exhaustive()
    }
}

fn truncate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let cut: String = s.chars().take(300).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn entity_of(method: Method) -> Entity {
    match method {
        Method::LinkAccount
        | Method::UnlinkAccount
        | Method::GetUserByProviderAccountId
        | Method::GetAccount => Entity::Account,
        Method::CreateSession
        | Method::GetSession
        | Method::GetSessionAndUser
        | Method::UpdateSession
        | Method::DeleteSession => Entity::Session,
        Method::CreateVerificationRequest
        | Method::GetVerificationRequest
        | Method::DeleteVerificationRequest => Entity::VerificationRequest,
        Method::CreateVerificationToken | Method::UseVerificationToken => Entity::VerificationToken,
        Method::GetAuthenticator
        | Method::CreateAuthenticator
        | Method::ListAuthenticatorsByUserId
        | Method::UpdateAuthenticatorCounter => Entity::Authenticator,
        _ => Entity::User,
    }
}

/// The contract's error for a child's error object, from the adapter `name`'s `method`: one
/// mapping for the adapters of both profiles.
pub(crate) fn adapter_error(name: &str, method: Method, e: WireError) -> AdapterError {
    let detail = if e.message.is_empty() {
        e.kind.to_string()
    } else {
        e.message.clone()
    };
    let backend = |detail: String| AdapterError::backend(method, name.to_owned(), detail);
    match e.kind.error_kind() {
        Some(ErrorKind::Conflict) => match e.key {
            Some(key) => AdapterError::Conflict { method, key },
            None => backend(format!(
                "a conflict on an unnamed or unknown unique key: {detail}"
            )),
        },
        Some(ErrorKind::InvalidInput) => AdapterError::InvalidInput {
            method,
            field: e.field.unwrap_or_else(|| "value".to_owned()),
            reason: detail,
        },
        Some(ErrorKind::NotFound) => AdapterError::NotFound {
            method,
            entity: entity_of(method),
            id: String::new(),
        },
        Some(ErrorKind::Unsupported) => AdapterError::Unsupported { method },
        Some(ErrorKind::Delivery) => AdapterError::Delivery {
            method,
            source: detail.into(),
        },
        Some(ErrorKind::Backend) | None => backend(format!("{}: {detail}", e.kind)),
    }
}

impl BridgeAdapter {
    /// An adapter over the open fixture `fixture` of `process`.
    pub fn new(
        process: Arc<BridgeProcess>,
        fixture: String,
        name: String,
        capabilities: Capabilities,
        config: AdapterConfig,
        app_secret: String,
    ) -> Self {
        BridgeAdapter {
            process,
            fixture,
            name,
            capabilities,
            config,
            app_secret,
        }
    }

    fn backend(
        &self,
        method: Method,
        e: impl Into<nextauth_adapter::error::BoxError>,
    ) -> AdapterError {
        AdapterError::backend(method, self.name.clone(), e)
    }

    /// The contract's error for the child's error object.
    fn wire_error(&self, method: Method, e: WireError) -> AdapterError {
        adapter_error(&self.name, method, e)
    }

    /// One adapter call: the result (ids normalised to strings) and the messages sent.
    async fn call(&self, method: Method, args: Value) -> Result<(Value, Vec<WireSent>)> {
        let now = self.config.clock.now().timestamp_micros();
        tracing::trace!(method = method.js_name(), fixture = %self.fixture, "bridge call");
        let reply = self
            .process
            .request(Call::Adapter(method), Some(&self.fixture), Some(now), args)
            .await
            .map_err(|e| self.backend(method, e))?;
        if let Some(e) = reply.error {
            return Err(self.wire_error(method, e));
        }
        let mut value = reply.ok.unwrap_or(Value::Null);
        normalize_ids(&mut value);
        Ok((value, reply.sent))
    }

    fn decode<T: DeserializeOwned>(&self, method: Method, value: Value) -> Result<T> {
        serde_json::from_value(value.clone()).map_err(|e| {
            self.backend(
                method,
                BridgeError::BadReply {
                    method: method.js_name().to_owned(),
                    reason: format!("{e} in {}", truncate(&value)),
                },
            )
        })
    }

    fn decode_opt<T: DeserializeOwned>(&self, method: Method, value: Value) -> Result<Option<T>> {
        if value.is_null() {
            Ok(None)
        } else {
            self.decode(method, value).map(Some)
        }
    }

    fn decode_some<T: DeserializeOwned>(&self, method: Method, value: Value) -> Result<T> {
        if value.is_null() {
            return Err(self.backend(method, format!("{} returned nothing", method.js_name())));
        }
        self.decode(method, value)
    }

    /// Hands the messages the child's sender received to the Rust provider's sender.
    async fn deliver(
        &self,
        method: Method,
        provider: &EmailProvider,
        sent: Vec<WireSent>,
    ) -> Result<()> {
        for m in sent {
            let message = VerificationMessage {
                identifier: m.identifier,
                url: m.url,
                token: m.token,
                base_url: m.base_url.unwrap_or_else(|| self.config.base_url.clone()),
                provider_id: m.provider_id.unwrap_or_else(|| provider.id.clone()),
            };
            provider
                .sender
                .send(message)
                .await
                .map_err(|e: SendError| AdapterError::Delivery {
                    method,
                    source: Box::new(e),
                })?;
        }
        Ok(())
    }

    fn provider_json(provider: &EmailProvider) -> Value {
        let seconds = provider.max_age.num_milliseconds() as f64 / 1000.0;
        json!({ "id": provider.id, "maxAge": seconds })
    }

    /// The stored row a `createVerificationRequest` that returned nothing (v3 allows
    /// `void`; the legacy TypeORM adapter returns `undefined`) wrote: the row with this
    /// identifier whose token is the hash under the argument's or the application's secret
    /// (or the raw token), else the newest row of the identifier.
    async fn created_row(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
    ) -> Result<VerificationRequest> {
        let method = Method::CreateVerificationRequest;
        let stored = read_stored(&self.process, &self.fixture)
            .await
            .map_err(|e| self.backend(method, e))?;
        let candidates = [
            formulas::hash_token(token, secret),
            formulas::hash_token(token, &self.app_secret),
            token.to_owned(),
        ];
        let mine: Vec<VerificationRequest> = stored
            .verification_requests
            .into_iter()
            .filter(|v| v.identifier == identifier)
            .collect();
        let by_token = mine.iter().find(|v| candidates.contains(&v.token)).cloned();
        let newest = mine
            .iter()
            .max_by_key(|v| v.id.parse::<u64>().unwrap_or(0))
            .cloned();
        by_token.or(newest).ok_or_else(|| {
            self.backend(
                method,
                "createVerificationRequest returned nothing and no stored row has its identifier",
            )
        })
    }
}

#[async_trait]
impl Adapter for BridgeAdapter {
    fn display_name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        let m = Method::CreateUser;
        let (v, _) = self.call(m, json!([profile])).await?;
        self.decode_some(m, v)
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        let m = Method::GetUser;
        let (v, _) = self.call(m, json!([id])).await?;
        self.decode_opt(m, v)
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        let m = Method::GetUserByEmail;
        let (v, _) = self.call(m, json!([email])).await?;
        self.decode_opt(m, v)
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let m = Method::GetUserByProviderAccountId;
        let (v, _) = self
            .call(m, json!([provider_id, provider_account_id]))
            .await?;
        self.decode_opt(m, v)
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        let m = Method::UpdateUser;
        let (v, _) = self.call(m, json!([user])).await?;
        self.decode_some(m, v)
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.call(Method::DeleteUser, json!([user_id])).await?;
        Ok(())
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        let m = Method::LinkAccount;
        let (v, _) = self
            .call(
                m,
                json!([
                    account.user_id,
                    account.provider_id,
                    account.provider_type,
                    account.provider_account_id,
                    account.refresh_token,
                    account.access_token,
                    account.access_token_expires,
                ]),
            )
            .await?;
        self.decode_some(m, v)
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.call(
            Method::UnlinkAccount,
            json!([user_id, provider_id, provider_account_id]),
        )
        .await?;
        Ok(())
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        let m = Method::CreateSession;
        let (v, _) = self.call(m, json!([user])).await?;
        self.decode_some(m, v)
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        let m = Method::GetSession;
        let (v, _) = self.call(m, json!([session_token])).await?;
        self.decode_opt(m, v)
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        #[derive(Deserialize)]
        struct Updated {
            returned: Option<Value>,
            argument: Value,
        }
        let m = Method::UpdateSession;
        let (v, _) = self.call(m, json!([&*session, force])).await?;
        let updated: Updated = self.decode(m, v)?;
        // v3 mutates its argument; core reads the new expiry from it.
        *session = self.decode(m, updated.argument)?;
        self.decode_opt(m, updated.returned.unwrap_or(Value::Null))
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.call(Method::DeleteSession, json!([session_token]))
            .await?;
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
        let m = Method::CreateVerificationRequest;
        let (v, sent) = self
            .call(
                m,
                json!([
                    identifier,
                    url,
                    token,
                    secret,
                    Self::provider_json(provider)
                ]),
            )
            .await?;
        self.deliver(m, provider, sent).await?;
        if v.is_null() {
            self.created_row(identifier, token, secret).await
        } else {
            self.decode(m, v)
        }
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let m = Method::GetVerificationRequest;
        let (v, sent) = self
            .call(
                m,
                json!([identifier, token, secret, Self::provider_json(provider)]),
            )
            .await?;
        self.deliver(m, provider, sent).await?;
        self.decode_opt(m, v)
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        let m = Method::DeleteVerificationRequest;
        let (_, sent) = self
            .call(
                m,
                json!([identifier, token, secret, Self::provider_json(provider)]),
            )
            .await?;
        self.deliver(m, provider, sent).await
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStored {
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    sessions: Vec<Session>,
    #[serde(default)]
    verification_requests: Vec<VerificationRequest>,
}

async fn read_stored(process: &BridgeProcess, fixture: &str) -> Result<Stored, BridgeError> {
    let mut value = process
        .control(Control::Stored, Some(fixture), None, json!({}))
        .await?;
    normalize_ids(&mut value);
    let wire: WireStored =
        serde_json::from_value(value.clone()).map_err(|e| BridgeError::BadReply {
            method: "stored".to_owned(),
            reason: format!("{e} in {}", truncate(&value)),
        })?;
    Ok(Stored {
        users: wire.users,
        accounts: wire.accounts,
        sessions: wire.sessions,
        verification_requests: wire.verification_requests,
    })
}

/// The harness's raw reads of one fixture: the child's `stored` message, which reads the
/// four tables with the database driver directly.
#[derive(Debug, Clone)]
pub struct BridgeInspector {
    process: Arc<BridgeProcess>,
    fixture: String,
}

impl BridgeInspector {
    /// The inspector of fixture `fixture` of `process`.
    pub fn new(process: Arc<BridgeProcess>, fixture: String) -> Self {
        BridgeInspector { process, fixture }
    }
}

#[async_trait]
impl Inspector for BridgeInspector {
    async fn stored(&self) -> std::result::Result<Stored, InspectError> {
        Ok(read_stored(&self.process, &self.fixture).await?)
    }
}

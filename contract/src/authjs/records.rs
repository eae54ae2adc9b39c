//! What an Auth.js adapter stores and returns, and what its methods take.
//!
//! The shapes of `@auth/core`'s `AdapterUser`, `AdapterAccount`, `AdapterSession`,
//! `VerificationToken` and `AdapterAuthenticator`, in Rust spelling; serialised, they use
//! Auth.js's own names (`emailVerified`, `providerAccountId`, `credentialID`, the OAuth
//! fields in snake case as core passes them), so a record means the same on both sides of the
//! bridge. Unlike v3, records carry no timestamps of their own: core decides every expiry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A stored user (`AdapterUser`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id: the one core passed to `create_user`, or one the adapter issued, as
    /// [`IdSource`](super::IdSource) declares.
    pub id: String,
    /// E-mail address, unique among users that have one. Stored as given: core normalises
    /// the address of an e-mail sign-in before the adapter sees it; the adapter never does.
    /// `None` for an OAuth user whose provider gave no address (core passes `undefined`).
    pub email: Option<String>,
    /// When the address was proven by an e-mail sign-in; `None` until then.
    pub email_verified: Option<DateTime<Utc>>,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}

/// What `create_user` takes: a user whose id core may or may not have chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    /// The id core generated (`crypto.randomUUID()` in the OAuth and e-mail flows); `None`
    /// where core passes none. An adapter declaring [`IdSource::Core`](super::IdSource::Core)
    /// stores it; one declaring [`IdSource::Adapter`](super::IdSource::Adapter) issues its own.
    pub id: Option<String>,
    /// E-mail address; `None` when the provider gave none.
    pub email: Option<String>,
    /// When the address was proven, stored as given (core sets it, not the adapter).
    pub email_verified: Option<DateTime<Utc>>,
    /// Display name.
    pub name: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}

impl NewUser {
    /// The user these fields become when stored under `id`.
    pub fn into_user(self, id: String) -> User {
        User {
            id,
            email: self.email,
            email_verified: self.email_verified,
            name: self.name,
            image: self.image,
        }
    }
}

/// What a partial update does to one field: `updateUser({id, name})` leaves every field it does
/// not name as it was, and `null` clears a field. JavaScript tells "absent" from `null`; Rust
/// says it with this type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op", content = "value")]
pub enum Patch<T> {
    /// The field is absent from the update: keep the stored value.
    #[default]
    Keep,
    /// The field is `null`: clear it.
    Clear,
    /// The field has a value: store it.
    Set(T),
}

impl<T: Clone> Patch<T> {
    /// The field's value after the patch, given its value before.
    pub fn apply(&self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(v) => Some(v.clone()),
        }
    }

    /// Whether the patch leaves the field as it was.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

/// What `update_user` takes: the user's id and the fields to change
/// (`Partial<AdapterUser> & Pick<AdapterUser, "id">`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    /// The user to update.
    pub id: String,
    /// The address.
    pub email: Patch<String>,
    /// The verification instant.
    pub email_verified: Patch<DateTime<Utc>>,
    /// The display name.
    pub name: Patch<String>,
    /// The avatar URL.
    pub image: Patch<String>,
}

impl UserPatch {
    /// A patch of the user `id` that changes nothing yet.
    pub fn of(id: impl Into<String>) -> Self {
        UserPatch {
            id: id.into(),
            ..UserPatch::default()
        }
    }

    /// `user` with this patch applied (the id is not changed).
    pub fn apply(&self, user: &User) -> User {
        User {
            id: user.id.clone(),
            email: self.email.apply(user.email.clone()),
            email_verified: self.email_verified.apply(user.email_verified),
            name: self.name.apply(user.name.clone()),
            image: self.image.apply(user.image.clone()),
        }
    }
}

/// The kind of a linked account (`AdapterAccount["type"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// An OAuth 2 provider.
    Oauth,
    /// An OpenID Connect provider.
    Oidc,
    /// The e-mail provider (core links no account for it today; the type exists).
    Email,
    /// A WebAuthn credential (the account's `providerAccountId` is the credential id).
    Webauthn,
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccountType::Oauth => "oauth",
            AccountType::Oidc => "oidc",
            AccountType::Email => "email",
            AccountType::Webauthn => "webauthn",
        })
    }
}

/// The key core looks accounts up by: `(provider, providerAccountId)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountKey {
    /// The provider's id, e.g. `"github"`.
    pub provider: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
}

impl AccountKey {
    /// The key `(provider, provider_account_id)`.
    pub fn new(provider: impl Into<String>, provider_account_id: impl Into<String>) -> Self {
        AccountKey {
            provider: provider.into(),
            provider_account_id: provider_account_id.into(),
        }
    }
}

/// A linked account (`AdapterAccount`): what `link_account` takes and the store returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user the account belongs to.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The kind of account.
    #[serde(rename = "type")]
    pub account_type: AccountType,
    /// The provider's id, e.g. `"github"`.
    pub provider: String,
    /// The user's id at the provider.
    #[serde(rename = "providerAccountId")]
    pub provider_account_id: String,
    /// OAuth refresh token.
    pub refresh_token: Option<String>,
    /// OAuth access token; may be a multi-kilobyte JWT.
    pub access_token: Option<String>,
    /// When the access token expires, in whole seconds since the epoch (core computes it
    /// from the provider's `expires_in`).
    pub expires_at: Option<i64>,
    /// OAuth token type, e.g. `"bearer"`.
    pub token_type: Option<String>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// OpenID Connect ID token.
    pub id_token: Option<String>,
    /// OpenID Connect session state.
    pub session_state: Option<String>,
}

impl Account {
    /// The account's lookup key.
    pub fn key(&self) -> AccountKey {
        AccountKey::new(&self.provider, &self.provider_account_id)
    }
}

/// A database session (`AdapterSession`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The cookie's value, chosen by core.
    pub session_token: String,
    /// The signed-in user.
    pub user_id: String,
    /// When core stops accepting the session; the adapter stores it and never decides.
    pub expires: DateTime<Utc>,
}

/// What `update_session` takes: the session's token and the fields to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionPatch {
    /// The session to update.
    pub session_token: String,
    /// A new owner, or `None` to keep it.
    pub user_id: Option<String>,
    /// A new expiry, or `None` to keep it (core's rolling expiry passes only this).
    pub expires: Option<DateTime<Utc>>,
}

impl SessionPatch {
    /// `session` with this patch applied (the token is not changed).
    pub fn apply(&self, session: &Session) -> Session {
        Session {
            session_token: session.session_token.clone(),
            user_id: self
                .user_id
                .clone()
                .unwrap_or_else(|| session.user_id.clone()),
            expires: self.expires.unwrap_or(session.expires),
        }
    }
}

/// The session `get_session_and_user` found, with its user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAndUser {
    /// The session.
    pub session: Session,
    /// Its user.
    pub user: User,
}

/// A pending e-mail sign-in (`VerificationToken`). Core hashes the token before the adapter
/// sees it ([`formulas::hash_token`](crate::formulas::hash_token) with the app's secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationToken {
    /// The address the link was sent to.
    pub identifier: String,
    /// The hashed token.
    pub token: String,
    /// When core stops accepting the link.
    pub expires: DateTime<Utc>,
}

/// What `use_verification_token` takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VerificationKey {
    /// The address from the link.
    pub identifier: String,
    /// The hashed token from the link.
    pub token: String,
}

/// A WebAuthn credential (`AdapterAuthenticator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    /// The credential's id (base64url), unique.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// The user the credential signs in.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// The id of the `webauthn` account linked for it (the credential id in practice).
    #[serde(rename = "providerAccountId")]
    pub provider_account_id: String,
    /// The signature counter, raised on every authentication.
    pub counter: u64,
    /// Whether the credential is backed up (synced passkey).
    #[serde(rename = "credentialBackedUp")]
    pub credential_backed_up: bool,
    /// The public key (base64).
    #[serde(rename = "credentialPublicKey")]
    pub credential_public_key: String,
    /// Comma-separated transports, e.g. `"usb,ble,nfc"`.
    pub transports: Option<String>,
    /// `"singleDevice"` or `"multiDevice"` (core stores what the browser reported).
    #[serde(rename = "credentialDeviceType")]
    pub credential_device_type: String,
}

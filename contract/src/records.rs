//! What the adapter stores and returns, and what its methods take.
//!
//! Field names follow contract-v3 §2 in Rust spelling; serialised, they use v3's camelCase
//! names (`emailVerified`, `sessionToken`), so the records mean the same on both sides of the
//! out-of-process protocol. Ids are opaque strings: v3 core compares ids as strings, SQL
//! backends hold integers and others UUIDs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Opaque id issued by the adapter.
    pub id: String,
    /// Display name, as the provider gave it.
    pub name: Option<String>,
    /// E-mail address; unique among users that have one. Stored as given: v3 core lowercases
    /// it before calling the adapter, the adapter never does.
    pub email: Option<String>,
    /// When the address was last proven by an e-mail sign-in; `None` for OAuth-only users.
    pub email_verified: Option<DateTime<Utc>>,
    /// Avatar URL.
    pub image: Option<String>,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
}

/// The profile `create_user` takes (contract-v3 §3.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    /// Display name.
    pub name: Option<String>,
    /// E-mail address, stored exactly as given.
    pub email: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
    /// `Some(_)` marks the address as verified. As in v3's TypeORM model, the adapter stores
    /// its own clock's "now", not the value passed.
    pub email_verified: Option<DateTime<Utc>>,
}

/// A row of `accounts`: one OAuth account linked to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Opaque id issued by the adapter.
    pub id: String,
    /// `sha256_hex(provider_id ":" provider_account_id)`: the account's unique key
    /// (see [`formulas::compound_id`](crate::formulas::compound_id)).
    pub compound_id: String,
    /// The user the account belongs to. No foreign key in v3's schemas, so an account whose
    /// user was deleted (an orphan) can exist; writing one is refused (a SHOULD rule).
    pub user_id: String,
    /// `"oauth"` in practice.
    pub provider_type: String,
    /// The provider's id, e.g. `"github"`.
    pub provider_id: String,
    /// The user's id at the provider, as a string (v3 core stringifies numeric ids).
    pub provider_account_id: String,
    /// OAuth refresh token (OAuth1: the token secret).
    pub refresh_token: Option<String>,
    /// OAuth access token; may be a multi-kilobyte JWT.
    pub access_token: Option<String>,
    /// When the access token expires; always `None` from v3 core.
    pub access_token_expires: Option<DateTime<Utc>>,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
}

/// The arguments of `link_account`, in v3's order (contract-v3 §3.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    /// The user to link to: one nobody has should be `NotFound` (v3 did not check).
    pub user_id: String,
    /// The provider's id, e.g. `"github"`.
    pub provider_id: String,
    /// `"oauth"` in practice.
    pub provider_type: String,
    /// The user's id at the provider.
    pub provider_account_id: String,
    /// OAuth refresh token.
    pub refresh_token: Option<String>,
    /// OAuth access token.
    pub access_token: Option<String>,
    /// When the access token expires.
    pub access_token_expires: Option<DateTime<Utc>>,
}

impl NewAccount {
    /// The account these arguments become when stored as `id` at `now`: its compound id
    /// computed ([`formulas::compound_id`](crate::formulas::compound_id)), both timestamps
    /// `now`, every other field as given.
    pub fn into_account(self, id: String, now: DateTime<Utc>) -> Account {
        Account {
            id,
            compound_id: crate::formulas::compound_id(&self.provider_id, &self.provider_account_id),
            user_id: self.user_id,
            provider_type: self.provider_type,
            provider_id: self.provider_id,
            provider_account_id: self.provider_account_id,
            refresh_token: self.refresh_token,
            access_token: self.access_token,
            access_token_expires: self.access_token_expires,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A row of `sessions`: a database session whose token lives in the browser's cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Opaque id issued by the adapter.
    pub id: String,
    /// The signed-in user. No foreign key.
    pub user_id: String,
    /// The session is valid while `now <= expires` (strict `>` means expired).
    pub expires: DateTime<Utc>,
    /// The cookie's value: 64 lowercase hex characters.
    pub session_token: String,
    /// A second 64-hex token exposed to the client by `/api/auth/session` (not an OAuth token).
    pub access_token: String,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
}

/// A row of `verification_requests`: a pending e-mail sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequest {
    /// Opaque id issued by the adapter.
    pub id: String,
    /// The e-mail address the link was sent to.
    pub identifier: String,
    /// The *hashed* token (see [`formulas::hash_token`](crate::formulas::hash_token)); the raw
    /// token only ever exists in the e-mail.
    pub token: String,
    /// The request is valid while `now <= expires`.
    pub expires: DateTime<Utc>,
    /// When the row was inserted.
    pub created_at: DateTime<Utc>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
}

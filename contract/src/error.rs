//! The one error type every adapter method returns.

use crate::method::Method;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A boxed error from a driver, a sender or another source below the adapter.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result of an adapter method.
pub type Result<T, E = AdapterError> = std::result::Result<T, E>;

/// A unique key of the v3 schema (contract-v3 §2) or of the Auth.js one. A
/// [`AdapterError::Conflict`] names the one that a write would have violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UniqueKey {
    /// `users.email` (several users without an email are allowed).
    UserEmail,
    /// `accounts.compound_id`: one row per provider account.
    AccountCompoundId,
    /// `sessions.session_token`.
    SessionToken,
    /// `sessions.access_token` (the session's own token, not the OAuth one).
    SessionAccessToken,
    /// `verification_requests.token`: unique globally, not per identifier.
    VerificationToken,
    /// Auth.js `users.id`: core passed an id another user already has.
    UserId,
    /// Auth.js `accounts(provider, providerAccountId)`: one row per provider account.
    AccountProvider,
    /// Auth.js `verification_tokens(identifier, token)`.
    VerificationIdentifierToken,
    /// Auth.js `authenticators.credentialID`.
    AuthenticatorCredentialId,
}

impl UniqueKey {
    /// The key as `table.column`, as a person reading an error expects it.
    pub fn column(self) -> &'static str {
        match self {
            UniqueKey::UserEmail => "users.email",
            UniqueKey::AccountCompoundId => "accounts.compound_id",
            UniqueKey::SessionToken => "sessions.session_token",
            UniqueKey::SessionAccessToken => "sessions.access_token",
            UniqueKey::VerificationToken => "verification_requests.token",
            UniqueKey::UserId => "users.id",
            UniqueKey::AccountProvider => "accounts.(provider, providerAccountId)",
            UniqueKey::VerificationIdentifierToken => "verification_tokens.(identifier, token)",
            UniqueKey::AuthenticatorCredentialId => "authenticators.credentialID",
        }
    }
}

impl fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.column())
    }
}

/// A kind of stored record, named by [`AdapterError::NotFound`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A row of `users`.
    User,
    /// A row of `accounts`.
    Account,
    /// A row of `sessions`.
    Session,
    /// A row of `verification_requests`.
    VerificationRequest,
    /// An Auth.js row of `verification_tokens`.
    VerificationToken,
    /// An Auth.js row of `authenticators` (a WebAuthn credential).
    Authenticator,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::User => "user",
            Entity::Account => "account",
            Entity::Session => "session",
            Entity::VerificationRequest => "verification request",
            Entity::VerificationToken => "verification token",
            Entity::Authenticator => "authenticator",
        })
    }
}

/// The kind of an [`AdapterError`], without its payload: what rules assert on and what the
/// out-of-process protocol carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// See [`AdapterError::Conflict`].
    Conflict,
    /// See [`AdapterError::InvalidInput`].
    InvalidInput,
    /// See [`AdapterError::NotFound`].
    NotFound,
    /// See [`AdapterError::Unsupported`].
    Unsupported,
    /// See [`AdapterError::Delivery`].
    Delivery,
    /// See [`AdapterError::Backend`].
    Backend,
}

/// Every way an adapter method can fail. Each variant names the [`Method`] that failed, so a
/// log line or a report says where without a backtrace.
///
/// Adapters must return the most specific variant: a unique-key violation is a
/// [`Conflict`](AdapterError::Conflict) naming the key, not a `Backend` error wrapping the
/// driver's message; input a column cannot hold is [`InvalidInput`](AdapterError::InvalidInput)
/// before anything is written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// A write would violate a unique key. Nothing was written.
    #[error("{method}: conflict on unique key {key}")]
    Conflict {
        /// The method that failed.
        method: Method,
        /// The unique key the write would have violated.
        key: UniqueKey,
    },
    /// The input cannot be stored as given (too long for its column, a NUL character, a
    /// non-positive max age, …). Nothing was written.
    #[error("{method}: invalid input for {field}: {reason}")]
    InvalidInput {
        /// The method that failed.
        method: Method,
        /// The argument or field at fault, e.g. `email` or `provider.max_age`.
        field: String,
        /// Why it was refused, e.g. `256 characters, the column holds 255`.
        reason: String,
    },
    /// The method needs a row that does not exist (e.g. `update_user` of a missing id).
    #[error("{method}: no {entity} with id {id:?}")]
    NotFound {
        /// The method that failed.
        method: Method,
        /// Which kind of row was missing.
        entity: Entity,
        /// The id that was asked for.
        id: String,
    },
    /// The adapter does not implement this method, and says so in its
    /// [`Capabilities`](crate::Capabilities). Nothing was written.
    #[error("{method}: not supported by this adapter")]
    Unsupported {
        /// The method that is not supported.
        method: Method,
    },
    /// The verification request was stored, but the provider's sender failed. The row stays,
    /// as in v3 (contract-v3 §3.13), and core shows `error=EmailSignin`.
    #[error("{method}: the verification e-mail could not be sent: {source}")]
    Delivery {
        /// The method that failed (always `create_verification_request`).
        method: Method,
        /// The sender's error.
        #[source]
        source: BoxError,
    },
    /// The backend failed: connection lost, server error, unexpected data.
    #[error("{method}: backend {backend} failed: {source}")]
    Backend {
        /// The method that failed.
        method: Method,
        /// The backend's name, e.g. `postgres`.
        backend: String,
        /// The driver's error.
        #[source]
        source: BoxError,
    },
}

impl AdapterError {
    /// The method this error came from.
    pub fn method(&self) -> Method {
        match self {
            AdapterError::Conflict { method, .. }
            | AdapterError::InvalidInput { method, .. }
            | AdapterError::NotFound { method, .. }
            | AdapterError::Unsupported { method }
            | AdapterError::Delivery { method, .. }
            | AdapterError::Backend { method, .. } => *method,
        }
    }

    /// The kind of this error, without its payload.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AdapterError::Conflict { .. } => ErrorKind::Conflict,
            AdapterError::InvalidInput { .. } => ErrorKind::InvalidInput,
            AdapterError::NotFound { .. } => ErrorKind::NotFound,
            AdapterError::Unsupported { .. } => ErrorKind::Unsupported,
            AdapterError::Delivery { .. } => ErrorKind::Delivery,
            AdapterError::Backend { .. } => ErrorKind::Backend,
        }
    }

    /// The unique key of a [`Conflict`](AdapterError::Conflict), if this is one.
    pub fn conflict_key(&self) -> Option<UniqueKey> {
        match self {
            AdapterError::Conflict { key, .. } => Some(*key),
            _ => None,
        }
    }

    /// Shorthand for an [`InvalidInput`](AdapterError::InvalidInput) error.
    pub fn invalid_input(
        method: Method,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        AdapterError::InvalidInput {
            method,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for a [`Backend`](AdapterError::Backend) error.
    pub fn backend(
        method: Method,
        backend: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        AdapterError::Backend {
            method,
            backend: backend.into(),
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_method_and_key() {
        let e = AdapterError::Conflict {
            method: Method::CreateUser,
            key: UniqueKey::UserEmail,
        };
        assert_eq!(
            e.to_string(),
            "create_user: conflict on unique key users.email"
        );
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.method(), Method::CreateUser);
        assert_eq!(e.conflict_key(), Some(UniqueKey::UserEmail));
    }

    #[test]
    fn backend_errors_keep_their_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = AdapterError::backend(Method::GetSession, "postgres", io);
        assert_eq!(
            e.to_string(),
            "get_session: backend postgres failed: refused"
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}

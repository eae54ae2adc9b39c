//! How long each stored string may be. v3's SQL schemas hold most strings in
//! `VARCHAR(255)`; a value that does not fit must be refused with a typed
//! [`InvalidInput`](crate::AdapterError::InvalidInput) error before anything is written,
//! never truncated (MySQL in non-strict mode truncates silently).

use crate::error::AdapterError;
use crate::method::Method;
use serde::{Deserialize, Serialize};

/// The length of OAuth token every adapter stores, whatever its declared limits: providers
/// issue JWT access tokens of several kilobytes, and an adapter that cannot store one breaks
/// sign-in with that provider (the specification's H3). The conformance suite links an
/// account with an access token of exactly this many characters (and a refresh token of half
/// as many); a schema whose token columns hold fewer cannot conform.
pub const LARGE_TOKEN_CHARS: usize = 8 * 1024;

/// The limit on one string column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StringLimit {
    /// At most this many characters (Unicode scalar values, as `VARCHAR(n)` counts them on
    /// PostgreSQL and on MySQL with utf8mb4). `None`: no limit.
    pub max_chars: Option<usize>,
    /// At most this many bytes of UTF-8 (MySQL's `TEXT` holds 65,535). `None`: no limit.
    pub max_bytes: Option<usize>,
    /// At most this many UTF-16 code units, as SQL Server's `NVARCHAR(n)` counts them: a
    /// character outside the Basic Multilingual Plane (an emoji) takes two. `None`: no
    /// limit. Absent from a serialized declaration when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_utf16: Option<usize>,
}

impl StringLimit {
    /// No limit at all (PostgreSQL `TEXT`).
    pub const UNLIMITED: StringLimit = StringLimit {
        max_chars: None,
        max_bytes: None,
        max_utf16: None,
    };

    /// `VARCHAR(n)`.
    pub const fn chars(n: usize) -> StringLimit {
        StringLimit {
            max_chars: Some(n),
            ..StringLimit::UNLIMITED
        }
    }

    /// A column that holds `n` bytes.
    pub const fn bytes(n: usize) -> StringLimit {
        StringLimit {
            max_bytes: Some(n),
            ..StringLimit::UNLIMITED
        }
    }

    /// SQL Server's `NVARCHAR(n)`: `n` UTF-16 code units, so at most `n` characters too.
    pub const fn utf16(n: usize) -> StringLimit {
        StringLimit {
            max_chars: Some(n),
            max_utf16: Some(n),
            ..StringLimit::UNLIMITED
        }
    }
}

/// A string field the adapter stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// `users.name`.
    UserName,
    /// `users.email`.
    UserEmail,
    /// `users.image`.
    UserImage,
    /// `accounts.provider_type`.
    ProviderType,
    /// `accounts.provider_id`.
    ProviderId,
    /// `accounts.provider_account_id`.
    ProviderAccountId,
    /// `accounts.refresh_token`.
    RefreshToken,
    /// `accounts.access_token`.
    AccountAccessToken,
    /// `verification_requests.identifier`.
    VerificationIdentifier,
}

impl Field {
    /// The field's name in error messages: the argument's Rust name.
    pub fn name(self) -> &'static str {
        match self {
            Field::UserName => "name",
            Field::UserEmail => "email",
            Field::UserImage => "image",
            Field::ProviderType => "provider_type",
            Field::ProviderId => "provider_id",
            Field::ProviderAccountId => "provider_account_id",
            Field::RefreshToken => "refresh_token",
            Field::AccountAccessToken => "access_token",
            Field::VerificationIdentifier => "identifier",
        }
    }
}

/// The limits of every stored string field, as the adapter's storage imposes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLimits {
    /// `users.name`, `users.email`, the account's provider columns and the verification
    /// identifier: `VARCHAR(255)` in every documented schema.
    pub varchar: StringLimit,
    /// `users.image`: `VARCHAR(255)` in the MySQL and SQL Server docs, `TEXT` in PostgreSQL's.
    pub image: StringLimit,
    /// The OAuth tokens (`accounts.refresh_token`, `accounts.access_token`): `TEXT`.
    pub text: StringLimit,
}

impl FieldLimits {
    /// The documented schemas' limits: 255 characters for `VARCHAR(255)` columns (the image
    /// included), no limit on `TEXT`.
    pub const DOCUMENTED: FieldLimits = FieldLimits {
        varchar: StringLimit::chars(255),
        image: StringLimit::chars(255),
        text: StringLimit::UNLIMITED,
    };

    /// The limit that applies to `field`.
    pub fn limit(&self, field: Field) -> StringLimit {
        match field {
            Field::UserImage => self.image,
            Field::RefreshToken | Field::AccountAccessToken => self.text,
            _ => self.varchar,
        }
    }

    /// Checks that `value` can be stored in `field`: within its limit and free of NUL
    /// characters (which PostgreSQL cannot store in text, so no adapter accepts them).
    pub fn check(&self, method: Method, field: Field, value: &str) -> Result<(), AdapterError> {
        if value.contains('\0') {
            return Err(AdapterError::invalid_input(
                method,
                field.name(),
                "contains a NUL character, which text columns cannot hold",
            ));
        }
        let limit = self.limit(field);
        if let Some(max) = limit.max_chars {
            let n = value.chars().count();
            if n > max {
                return Err(AdapterError::invalid_input(
                    method,
                    field.name(),
                    format!("{n} characters, the column holds {max}"),
                ));
            }
        }
        if let Some(max) = limit.max_bytes
            && value.len() > max
        {
            return Err(AdapterError::invalid_input(
                method,
                field.name(),
                format!("{} bytes, the column holds {max}", value.len()),
            ));
        }
        if let Some(max) = limit.max_utf16 {
            let units = value.encode_utf16().count();
            if units > max {
                return Err(AdapterError::invalid_input(
                    method,
                    field.name(),
                    format!("{units} UTF-16 code units, the column holds {max}"),
                ));
            }
        }
        Ok(())
    }

    /// [`check`](Self::check) for an optional value; `None` always passes.
    pub fn check_opt(
        &self,
        method: Method,
        field: Field,
        value: Option<&str>,
    ) -> Result<(), AdapterError> {
        value.map_or(Ok(()), |v| self.check(method, field, v))
    }
}

impl Default for FieldLimits {
    fn default() -> Self {
        FieldLimits::DOCUMENTED
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn varchar_counts_characters_not_bytes() {
        let l = FieldLimits::DOCUMENTED;
        let emoji_255 = "😀".repeat(255);
        assert!(
            l.check(Method::CreateUser, Field::UserName, &emoji_255)
                .is_ok()
        );
        let e = l
            .check(Method::CreateUser, Field::UserEmail, &"a".repeat(256))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "create_user: invalid input for email: 256 characters, the column holds 255"
        );
    }

    #[test]
    fn text_is_unlimited_by_default_and_bytes_limit_counts_bytes() {
        let l = FieldLimits::DOCUMENTED;
        let jwt = "x".repeat(64 * 1024);
        assert!(
            l.check(Method::LinkAccount, Field::AccountAccessToken, &jwt)
                .is_ok()
        );
        let mysql = FieldLimits {
            text: StringLimit::bytes(65_535),
            ..FieldLimits::DOCUMENTED
        };
        assert!(
            mysql
                .check(Method::LinkAccount, Field::AccountAccessToken, &jwt)
                .is_err()
        );
    }

    #[test]
    fn nvarchar_counts_utf16_code_units() {
        let l = FieldLimits {
            varchar: StringLimit::utf16(255),
            ..FieldLimits::DOCUMENTED
        };
        let check = |v: &str| l.check(Method::CreateUser, Field::UserName, v);
        assert!(check(&"é".repeat(255)).is_ok());
        assert!(check(&format!("{}a", "😀".repeat(127))).is_ok());
        let e = check(&"😀".repeat(128)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            e.to_string(),
            "create_user: invalid input for name: 256 UTF-16 code units, the column holds 255"
        );
        assert!(check(&"a".repeat(256)).is_err());
    }

    #[test]
    fn a_declaration_without_utf16_reads_and_writes_as_before() {
        let json = r#"{"max_chars":255,"max_bytes":null}"#;
        let read: StringLimit = serde_json::from_str(json).unwrap();
        assert_eq!(read, StringLimit::chars(255));
        assert_eq!(serde_json::to_string(&read).unwrap(), json);
        let nvarchar = serde_json::to_string(&StringLimit::utf16(255)).unwrap();
        assert_eq!(
            nvarchar,
            r#"{"max_chars":255,"max_bytes":null,"max_utf16":255}"#
        );
    }

    #[test]
    fn nul_is_refused_everywhere() {
        let l = FieldLimits::DOCUMENTED;
        assert!(
            l.check(Method::CreateUser, Field::UserName, "a\0b")
                .is_err()
        );
        assert!(
            l.check_opt(Method::CreateUser, Field::UserName, None)
                .is_ok()
        );
    }
}

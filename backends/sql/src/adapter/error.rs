//! The errors of the adapter layer: what a store reports, and why an adapter could not be
//! built.

use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Capabilities, EmailMatching};

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write; nothing was written. The adapter turns it into
    /// [`AdapterError::Conflict`](nextauth_adapter::AdapterError::Conflict) with the key the
    /// index enforces.
    #[error("unique index {} refused the write", index.as_deref().or(column.as_deref()).unwrap_or("(unnamed)"))]
    UniqueViolation {
        /// The index (or constraint) name, when the driver reports it (PostgreSQL, MySQL).
        index: Option<String>,
        /// The column, when the driver reports it instead (SQLite: `users.email` → `email`).
        column: Option<String>,
        /// The driver's error.
        #[source]
        source: BoxError,
    },
    /// Anything else: connection lost, server error, a row that cannot be decoded.
    #[error(transparent)]
    Driver(BoxError),
}

impl From<sqlx::Error> for StoreError {
    /// Recognises unique violations of all three drivers: PostgreSQL reports the constraint
    /// name, MySQL/MariaDB name the key in the message (`Duplicate entry 'x' for key 'email'`,
    /// MySQL 8: `'users.email'`), SQLite names the column (`UNIQUE constraint failed:
    /// users.email`).
    fn from(error: sqlx::Error) -> Self {
        let (index, column) = match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let message = db.message();
                let index = db.constraint().map(str::to_owned).or_else(|| {
                    mysql_key(message).map(|k| k.rsplit('.').next().unwrap_or(k).to_owned())
                });
                let column = sqlite_column(message).map(str::to_owned);
                (index, column)
            }
            _ => return StoreError::Driver(Box::new(error)),
        };
        StoreError::UniqueViolation {
            index,
            column,
            source: Box::new(error),
        }
    }
}

/// The key name in MySQL's `Duplicate entry '…' for key '<key>'`.
fn mysql_key(message: &str) -> Option<&str> {
    let at = message.rfind("for key '")? + "for key '".len();
    let rest = &message[at..];
    Some(rest.strip_suffix('\'').unwrap_or(rest))
}

/// The column in SQLite's `UNIQUE constraint failed: <table>.<column>` (the first, for a
/// multi-column index).
fn sqlite_column(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("UNIQUE constraint failed: ")?;
    let first = rest.split(',').next()?.trim();
    Some(first.rsplit('.').next().unwrap_or(first))
}

/// Why a [`SqlAdapter`](super::SqlAdapter) refuses the capabilities it was asked to declare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilityError {
    /// The schema's unique index on `users.email` compares exactly (binary collations), so
    /// a case-insensitive declaration would be a lie about uniqueness.
    #[error(
        "email matching {0:?} is not supported: the SQL schema's unique index on users.email compares exactly"
    )]
    EmailMatching(EmailMatching),
}

/// Checks that a SQL adapter can honour `capabilities`: everything is honoured in Rust
/// except the email matching, which the unique index decides.
pub fn check_capabilities(capabilities: &Capabilities) -> Result<(), CapabilityError> {
    match capabilities.email_matching {
        EmailMatching::Exact => Ok(()),
        other => Err(CapabilityError::EmailMatching(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_messages_name_the_key() {
        assert_eq!(
            mysql_key("Duplicate entry 'a@x.org' for key 'email'"),
            Some("email")
        );
        assert_eq!(
            mysql_key("Duplicate entry 'a' for key 'users.email'"),
            Some("users.email")
        );
        assert_eq!(
            sqlite_column("UNIQUE constraint failed: sessions.access_token"),
            Some("access_token")
        );
        assert_eq!(sqlite_column("NOT NULL constraint failed: x.y"), None);
    }

    #[test]
    fn only_exact_matching_is_accepted() {
        assert!(check_capabilities(&Capabilities::HARDENED).is_ok());
        let ci = Capabilities {
            email_matching: EmailMatching::CaseInsensitive,
            ..Capabilities::HARDENED
        };
        assert!(check_capabilities(&ci).is_err());
    }
}

//! The errors of the adapter layer: what a store reports, and why an adapter could not be
//! built.

use crate::dialect::Dialect;
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Capabilities, EmailMatching, TimestampPrecision};

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
                let index = db
                    .constraint()
                    .map(str::to_owned)
                    .or_else(|| mysql_duplicate_key(message));
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

/// The index a MySQL/MariaDB duplicate-key error names: `<key>` in `Duplicate entry '…' for
/// key '<key>'`, without the table MySQL 8 puts before it (`users.email` → `email`). For
/// any MySQL driver's error 1062 (`ER_DUP_ENTRY`).
pub fn mysql_duplicate_key(message: &str) -> Option<String> {
    mysql_key(message).map(|k| k.rsplit('.').next().unwrap_or(k).to_owned())
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
    /// No collation this backend creates or the kit models compares this way, so the unique
    /// index on `users.email` could not keep the promise.
    #[error(
        "email matching {matching:?} is not supported on {dialect}: no collation the kit models on it compares that way"
    )]
    EmailMatching {
        /// The matching asked for.
        matching: EmailMatching,
        /// The backend's dialect.
        dialect: Dialect,
    },
    /// The live column that decides the e-mail matching compares in a way no declaration
    /// says (unmodelled, or `PAD SPACE`): no matching can be declared honestly on these tables.
    #[error(
        "{table}.{column} has the collation {collation} ({meaning}); no e-mail matching can be declared honestly on it. Fix: {fix}"
    )]
    UnmodelledCollation {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The collation's name.
        collation: String,
        /// What it does.
        meaning: &'static str,
        /// How to make the column exact.
        fix: String,
    },
    /// The columns that decide the e-mail matching compare differently.
    #[error(
        "users.email and verification_requests.identifier compare differently ({email:?} and {identifier:?}): lookups and sign-in links would disagree on which addresses are the same. Fix: give both columns the same collation"
    )]
    MixedCollations {
        /// What `users.email` decides.
        email: EmailMatching,
        /// What `verification_requests.identifier` decides.
        identifier: EmailMatching,
    },
    /// The declared matching is not what the live tables do.
    #[error(
        "the adapter declares email matching {declared:?}, but {table}.{column} has the collation {collation}, which compares as {tables:?}. Fix: declare {tables:?} (or leave the capabilities to the backend, which reads them off the tables), or {fix}"
    )]
    NotWhatTheTablesDo {
        /// What was declared.
        declared: EmailMatching,
        /// What the tables do.
        tables: EmailMatching,
        /// The table deciding it.
        table: String,
        /// The column deciding it.
        column: String,
        /// Its collation.
        collation: String,
        /// How to make the column exact.
        fix: String,
    },
    /// A precision finer than the tables' timestamp columns keep.
    #[error(
        "the adapter declares timestamp_precision {declared:?}, but {table}.{column} keeps {tables:?} only. Fix: declare {tables:?} (or leave the capabilities to the backend, which reads them off the tables)"
    )]
    PrecisionNotWhatTheTablesDo {
        /// What was declared.
        declared: TimestampPrecision,
        /// What the tables keep.
        tables: TimestampPrecision,
        /// The first column that decides it.
        table: String,
        /// Its name.
        column: String,
    },
    /// A field limit wider than the column that holds the field.
    #[error(
        "the adapter declares {field} values up to {} characters, but {table}.{column} holds {chars}. Fix: declare at most {chars} (or leave the capabilities to the backend, which reads them off the tables), or widen the column",
        declared.map_or_else(|| "any number of".to_owned(), |n| n.to_string())
    )]
    LimitNotWhatTheTablesDo {
        /// The field.
        field: &'static str,
        /// What was declared (`None`: no limit).
        declared: Option<usize>,
        /// What the column holds.
        chars: u32,
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Every instant declared storable, on tables whose timestamp columns stop at 2038.
    #[error(
        "the adapter declares timestamp_range Full, but {table}.{column} is a TIMESTAMP, which holds 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC only. Fix: declare Unix32 (or leave the capabilities to the backend, which reads them off the tables), or {fix}"
    )]
    RangeNotWhatTheTablesDo {
        /// The first such table.
        table: String,
        /// Its column.
        column: String,
        /// How to widen the column.
        fix: String,
    },
}

/// Checks that a SQL adapter of `dialect` can honour `capabilities`: everything is honoured
/// in Rust except the e-mail matching, which the collation of the unique index decides:
/// `Exact` everywhere (the schema this crate creates), `MysqlGeneralCi` on MySQL and MariaDB
/// (what TypeORM's `synchronize` creates there), `CaseInsensitive` nowhere.
pub fn check_capabilities(
    dialect: Dialect,
    capabilities: &Capabilities,
) -> Result<(), CapabilityError> {
    match (capabilities.email_matching, dialect) {
        (EmailMatching::Exact, _) | (EmailMatching::MysqlGeneralCi, Dialect::MySql) => Ok(()),
        (matching, dialect) => Err(CapabilityError::EmailMatching { matching, dialect }),
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
        assert!(check_capabilities(Dialect::Postgres, &Capabilities::HARDENED).is_ok());
        let ci = Capabilities {
            email_matching: EmailMatching::CaseInsensitive,
            ..Capabilities::HARDENED
        };
        assert!(check_capabilities(Dialect::MySql, &ci).is_err());
        let general = Capabilities {
            email_matching: EmailMatching::MysqlGeneralCi,
            ..Capabilities::HARDENED
        };
        assert!(check_capabilities(Dialect::MySql, &general).is_ok());
        assert!(check_capabilities(Dialect::Postgres, &general).is_err());
    }
}

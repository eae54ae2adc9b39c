//! Between tiberius and the store: rows offered to the shared record mappers, ids bound as
//! the columns hold them, driver errors as [`StoreError`]s. A column of an unexpected type
//! is an error, never a panic (`try_get`, never `get`).

use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter_sql::adapter::StoreError;
use nextauth_adapter_sql::adapter::rows::RecordRow;
use tiberius::error::Error;
use tiberius::{Row, ToSql};

/// SQL Server's error numbers for a duplicate key: a unique index (2601) and a `UNIQUE` or
/// `PRIMARY KEY` constraint (2627).
const DUPLICATE_KEY: [u32; 2] = [2601, 2627];

/// "Cannot continue the execution because the session is in the kill state": an
/// administrator's `KILL`.
const SESSION_KILLED: u32 = 596;

/// Severity from which the server closes the connection (20–25: fatal errors).
const FATAL_CLASS: u8 = 20;

/// An integer id bound as the narrowest parameter that holds it: `int` for the documented
/// `INT IDENTITY` columns (a `bigint` parameter would convert the column side and lose the
/// index seek), `bigint` beyond, which only a widened column can match.
pub(super) enum Id {
    /// Fits `int`.
    Int(i32),
    /// Needs `bigint`.
    Big(i64),
}

impl Id {
    /// `id` as the parameter to bind.
    pub(super) fn of(id: i64) -> Id {
        i32::try_from(id).map_or(Id::Big(id), Id::Int)
    }

    /// The value to bind.
    pub(super) fn param(&self) -> &dyn ToSql {
        match self {
            Id::Int(n) => n,
            Id::Big(n) => n,
        }
    }
}

/// A tiberius row as the shared mappers read it
/// ([`rows::user`](nextauth_adapter_sql::adapter::rows::user) and its siblings).
pub(super) struct Record(pub(super) Row);

/// `NULL` where the column must hold a value.
fn null(index: usize) -> Error {
    Error::Conversion(format!("column {index} is NULL where a value must be").into())
}

impl RecordRow for Record {
    type Error = Error;

    /// `INT` as documented, `BIGINT` where an application widened it.
    fn id(&self, index: usize) -> Result<String, Error> {
        match self.0.try_get::<i32, _>(index) {
            Ok(Some(n)) => Ok(n.to_string()),
            Ok(None) => Err(null(index)),
            Err(_) => self
                .0
                .try_get::<i64, _>(index)?
                .map(|n| n.to_string())
                .ok_or_else(|| null(index)),
        }
    }

    fn text(&self, index: usize) -> Result<String, Error> {
        self.opt_text(index)?.ok_or_else(|| null(index))
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, Error> {
        Ok(self.0.try_get::<&str, _>(index)?.map(str::to_owned))
    }

    fn instant(&self, index: usize) -> Result<DateTime<Utc>, Error> {
        self.opt_instant(index)?.ok_or_else(|| null(index))
    }

    /// `DATETIME2` (ours) or `DATETIME` (the documented DDL's), both without a zone: UTC.
    fn opt_instant(&self, index: usize) -> Result<Option<DateTime<Utc>>, Error> {
        Ok(self
            .0
            .try_get::<NaiveDateTime, _>(index)?
            .map(|t| t.and_utc()))
    }
}

/// The index a duplicate-key message names: `… with unique index 'email'.` (2601) or
/// `Violation of UNIQUE KEY constraint 'email'.` (2627).
fn duplicate_key(message: &str) -> Option<String> {
    let start = ["with unique index '", "constraint '"]
        .iter()
        .find_map(|marker| message.find(marker).map(|at| at + marker.len()))?;
    let rest = &message[start..];
    Some(rest[..rest.find('\'')?].to_owned())
}

/// A driver error as the store reports it: a duplicate key names its index, anything else
/// is the driver's error.
pub(super) fn store_error(error: Error) -> StoreError {
    match &error {
        Error::Server(token) if DUPLICATE_KEY.contains(&token.code()) => {
            StoreError::UniqueViolation {
                index: duplicate_key(token.message()),
                column: None,
                source: Box::new(error),
            }
        }
        _ => StoreError::Driver(Box::new(error)),
    }
}

/// Whether `error` says the connection is gone or unusable (closed, killed, a fatal
/// severity, a broken stream) rather than that the statement failed on a live one. tiberius
/// cannot say whether a client is closed, so a connection that met such an error is never
/// handed out again.
pub(super) fn connection_lost(error: &Error) -> bool {
    match error {
        Error::Io { .. } | Error::Protocol(_) => true,
        Error::Server(token) => token.code() == SESSION_KILLED || token.class() >= FATAL_CLASS,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_name_their_index() {
        assert_eq!(
            duplicate_key(
                "Cannot insert duplicate key row in object 'dbo.users' with unique index 'email'. The duplicate key value is (a@x.org)."
            )
            .as_deref(),
            Some("email")
        );
        assert_eq!(
            duplicate_key(
                "Violation of UNIQUE KEY constraint 'token'. Cannot insert duplicate key in object 'dbo.verification_requests'."
            )
            .as_deref(),
            Some("token")
        );
        assert_eq!(duplicate_key("Arithmetic overflow error"), None);
    }

    #[test]
    fn lost_connections_are_told_from_failed_statements() {
        let io = Error::Io {
            kind: std::io::ErrorKind::UnexpectedEof,
            message: "No more packets in the wire".into(),
        };
        assert!(connection_lost(&io));
        assert!(!connection_lost(&Error::Conversion("x".into())));
        assert!(matches!(store_error(io), StoreError::Driver(_)));
    }

    #[test]
    fn ids_bind_as_int_while_they_fit() {
        assert!(matches!(Id::of(7), Id::Int(7)));
        assert!(matches!(Id::of(1 << 40), Id::Big(_)));
    }
}

//! Between mysql_async and the store: values bound as the columns hold them, rows offered
//! to the shared record mappers, driver errors as [`StoreError`]s. A column of an
//! unexpected type is an error, never a panic.

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{FromValueError, Row, Value};
use nextauth_adapter_sql::adapter::rows::RecordRow;
use nextauth_adapter_sql::adapter::{StoreError, mysql_duplicate_key};

/// MySQL's `ER_DUP_ENTRY`: a unique index refused the write.
const DUPLICATE_ENTRY: u16 = 1062;

/// Server errors that mean the session is gone, not that the statement failed on a live
/// one: `ER_SERVER_SHUTDOWN` (1053), MariaDB's `ER_CONNECTION_KILLED` (1927), MySQL's
/// `ER_CLIENT_INTERACTION_TIMEOUT` (4031). A cancelled statement (`ER_QUERY_INTERRUPTED`,
/// 1317) is not among them: its connection lives on, and the statement failed.
const SESSION_GONE: [u16; 3] = [1053, 1927, 4031];

/// A text value.
pub(super) fn text(value: &str) -> Value {
    Value::from(value)
}

/// A text value or `NULL`.
pub(super) fn opt_text(value: Option<&str>) -> Value {
    value.map_or(Value::NULL, Value::from)
}

/// An integer value.
pub(super) fn int(value: i64) -> Value {
    Value::Int(value)
}

/// An instant as a `DATETIME(6)` value: UTC without a zone, sent typed `DATETIME` (a
/// `TIMESTAMP` column converts it from the session's zone, which the store sets to
/// `+00:00`). Microseconds are kept: the adapter has already truncated to them.
pub(super) fn instant(value: DateTime<Utc>) -> Value {
    Value::from(value.naive_utc())
}

/// An instant or `NULL`.
pub(super) fn opt_instant(value: Option<DateTime<Utc>>) -> Value {
    value.map_or(Value::NULL, instant)
}

/// A column the shared mappers could not read.
#[derive(Debug, thiserror::Error)]
pub(super) enum DecodeError {
    /// The row has fewer columns than the mapper reads.
    #[error("the row has no column {0}")]
    Missing(usize),
    /// The column holds a value of another type (or `NULL` where a value must be).
    #[error("column {index}: {source}")]
    Value {
        /// The column's position.
        index: usize,
        /// mysql_async's error, which shows the value.
        #[source]
        source: FromValueError,
    },
    /// An id that is neither an integer nor an integer's text.
    #[error("column {index}: {value:?} is not an integer id")]
    Id {
        /// The column's position.
        index: usize,
        /// The value found.
        value: Value,
    },
}

/// A mysql_async row as the shared mappers read it
/// ([`rows::user`](nextauth_adapter_sql::adapter::rows::user) and its siblings).
pub(super) struct Record(pub(super) Row);

impl Record {
    /// The value at `index`.
    fn value(&self, index: usize) -> Result<&Value, DecodeError> {
        self.0.as_ref(index).ok_or(DecodeError::Missing(index))
    }

    /// The value at `index` as `T` (`Option<T>` for a nullable column).
    pub(super) fn get<T: mysql_async::prelude::FromValue>(
        &self,
        index: usize,
    ) -> Result<T, DecodeError> {
        mysql_async::from_value_opt(self.value(index)?.clone())
            .map_err(|source| DecodeError::Value { index, source })
    }
}

impl RecordRow for Record {
    type Error = DecodeError;

    /// `INT` as documented, `BIGINT` or `UNSIGNED` where an application widened it.
    fn id(&self, index: usize) -> Result<String, DecodeError> {
        match self.value(index)? {
            Value::Int(n) => Ok(n.to_string()),
            Value::UInt(n) => Ok(n.to_string()),
            Value::Bytes(b) if !b.is_empty() && b.iter().all(u8::is_ascii_digit) => {
                Ok(String::from_utf8_lossy(b).into_owned())
            }
            other => Err(DecodeError::Id {
                index,
                value: other.clone(),
            }),
        }
    }

    fn text(&self, index: usize) -> Result<String, DecodeError> {
        self.get(index)
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, DecodeError> {
        self.get(index)
    }

    fn instant(&self, index: usize) -> Result<DateTime<Utc>, DecodeError> {
        Ok(self.get::<NaiveDateTime>(index)?.and_utc())
    }

    fn opt_instant(&self, index: usize) -> Result<Option<DateTime<Utc>>, DecodeError> {
        Ok(self
            .get::<Option<NaiveDateTime>>(index)?
            .map(|t| t.and_utc()))
    }
}

/// A row that could not be decoded, as the store reports it.
pub(super) fn decode_error(error: DecodeError) -> StoreError {
    StoreError::Driver(Box::new(error))
}

/// A driver error as the store reports it: a duplicate entry names its index (the key),
/// anything else is the driver's error.
pub(super) fn store_error(error: mysql_async::Error) -> StoreError {
    match &error {
        mysql_async::Error::Server(server) if server.code == DUPLICATE_ENTRY => {
            StoreError::UniqueViolation {
                index: mysql_duplicate_key(&server.message),
                column: None,
                source: Box::new(error),
            }
        }
        _ => StoreError::Driver(Box::new(error)),
    }
}

/// Whether `error` says the connection is gone (closed by the server, an administrator's
/// kill, a restart, a broken socket) rather than that the statement failed on a live one.
pub(super) fn connection_lost(error: &mysql_async::Error) -> bool {
    use mysql_async::{DriverError, Error};
    match error {
        Error::Io(_) => true,
        Error::Driver(DriverError::ConnectionClosed | DriverError::PacketOutOfOrder) => true,
        Error::Server(server) => SESSION_GONE.contains(&server.code),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_bind_as_datetime_with_microseconds() {
        let at = Utc
            .with_ymd_and_hms(2040, 1, 2, 3, 4, 5)
            .single()
            .map(|t| t + chrono::Duration::microseconds(123_456));
        let Some(at) = at else {
            panic!("a valid instant")
        };
        assert_eq!(instant(at), Value::Date(2040, 1, 2, 3, 4, 5, 123_456));
        assert_eq!(opt_instant(None), Value::NULL);
    }

    #[test]
    fn duplicate_entries_name_their_key_and_kills_count_as_lost() {
        let server = |code: u16, message: &str| {
            mysql_async::Error::Server(mysql_async::ServerError {
                code,
                message: message.to_owned(),
                state: "23000".to_owned(),
            })
        };
        match store_error(server(1062, "Duplicate entry 'a' for key 'users.email'")) {
            StoreError::UniqueViolation { index, .. } => {
                assert_eq!(index.as_deref(), Some("email"));
            }
            other => panic!("not a unique violation: {other:?}"),
        }
        assert!(matches!(
            store_error(server(1317, "Query execution was interrupted")),
            StoreError::Driver(_)
        ));
        assert!(connection_lost(&server(1927, "Connection was killed")));
        assert!(!connection_lost(&server(
            1317,
            "Query execution was interrupted"
        )));
    }
}

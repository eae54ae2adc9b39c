//! Between tokio-postgres and the store: ids bound to whatever integer column the server
//! says a parameter is, rows offered to the shared record mappers, driver errors as
//! [`StoreError`]s. Columns are read with `try_get`: one of an unexpected type is an error,
//! never a panic.

use bytes::BytesMut;
use chrono::{DateTime, Utc};
use nextauth_adapter_sql::adapter::StoreError;
use nextauth_adapter_sql::adapter::rows::RecordRow;
use std::error::Error;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

/// An integer id bound to a parameter of the type the server inferred for it: `integer`
/// for the documented `SERIAL` columns, `bigint` where an application widened them. A value
/// that does not fit the column is an error of the bind, never a wrapped number.
#[derive(Debug, Clone, Copy)]
pub(super) struct Id(pub(super) i64);

impl ToSql for Id {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *ty {
            Type::INT8 => self.0.to_sql(ty, out),
            Type::INT4 => i32::try_from(self.0)?.to_sql(ty, out),
            Type::INT2 => i16::try_from(self.0)?.to_sql(ty, out),
            _ => Err(format!("an id cannot be bound to a {ty} parameter").into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8)
    }

    to_sql_checked!();
}

/// A tokio-postgres row as the shared mappers read it
/// ([`rows::user`](nextauth_adapter_sql::adapter::rows::user) and its siblings).
pub(super) struct Record(pub(super) Row);

impl RecordRow for Record {
    type Error = tokio_postgres::Error;

    /// `integer` as documented, `bigint` (or `smallint`) where an application changed it.
    fn id(&self, index: usize) -> Result<String, tokio_postgres::Error> {
        let row = &self.0;
        match row.columns().get(index).map(|c| c.type_().clone()) {
            Some(Type::INT8) => Ok(row.try_get::<_, i64>(index)?.to_string()),
            Some(Type::INT2) => Ok(row.try_get::<_, i16>(index)?.to_string()),
            // `integer`, and anything else: `try_get` names the type it could not read.
            _ => Ok(row.try_get::<_, i32>(index)?.to_string()),
        }
    }

    fn text(&self, index: usize) -> Result<String, tokio_postgres::Error> {
        self.0.try_get(index)
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, tokio_postgres::Error> {
        self.0.try_get(index)
    }

    fn instant(&self, index: usize) -> Result<DateTime<Utc>, tokio_postgres::Error> {
        self.0.try_get(index)
    }

    fn opt_instant(&self, index: usize) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
        self.0.try_get(index)
    }
}

/// A driver error as the store reports it: a unique violation names its constraint (the
/// index), anything else is the driver's error.
pub(super) fn store_error(error: tokio_postgres::Error) -> StoreError {
    let index = error
        .as_db_error()
        .filter(|db| *db.code() == SqlState::UNIQUE_VIOLATION)
        .map(|db| db.constraint().map(str::to_owned));
    match index {
        Some(index) => StoreError::UniqueViolation {
            index,
            column: None,
            source: Box::new(error),
        },
        None => StoreError::Driver(Box::new(error)),
    }
}

/// Whether `error` says the connection is gone (closed by the server, an administrator's
/// kill, a restart, a broken socket) rather than that the statement failed on a live one.
pub(super) fn connection_lost(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    if let Some(db) = error.as_db_error() {
        // Class 57P: the server is shutting the session down.
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(db.code());
    }
    error
        .source()
        .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_binds_to_the_parameter_type_and_refuses_what_does_not_fit() {
        let mut out = BytesMut::new();
        assert!(Id(7).to_sql(&Type::INT4, &mut out).is_ok());
        assert_eq!(&out[..], &7i32.to_be_bytes());
        out.clear();
        assert!(Id(7).to_sql(&Type::INT8, &mut out).is_ok());
        assert_eq!(&out[..], &7i64.to_be_bytes());
        assert!(
            Id(1 << 40)
                .to_sql(&Type::INT4, &mut BytesMut::new())
                .is_err()
        );
        assert!(Id(1).to_sql(&Type::TEXT, &mut BytesMut::new()).is_err());
        assert!(Id::accepts(&Type::INT4) && !Id::accepts(&Type::TEXT));
    }
}

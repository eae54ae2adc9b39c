//! Rows as the contract's records, once for every sqlx driver: the columns are read by
//! position, in the order of [`USER_COLUMNS`](super::USER_COLUMNS) and its siblings, so the
//! three SQL backends cannot drift apart in how they map a row.
//!
//! The harness's `SqlInspector` deliberately does not use these: an inspector that shared the
//! adapter's decoding could not catch a bug in it.

use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// A driver's row whose integer ids the mappers can read as the contract's strings; the
/// one thing that differs between drivers (the integer types a widened id column may have).
pub trait RecordRow: Row {
    /// The integer id at `index`, as a decimal string.
    fn id(&self, index: usize) -> Result<String, sqlx::Error>;
}

impl RecordRow for PgRow {
    /// `SERIAL` (`int4`) as documented, `BIGSERIAL` (`int8`) when an application widened it.
    fn id(&self, index: usize) -> Result<String, sqlx::Error> {
        match self.try_get::<i32, _>(index) {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Ok(self.try_get::<i64, _>(index)?.to_string()),
        }
    }
}

impl RecordRow for MySqlRow {
    /// `INT`, or an `UNSIGNED`/`BIGINT` id an application widened.
    fn id(&self, index: usize) -> Result<String, sqlx::Error> {
        match self.try_get::<i64, _>(index) {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Ok(self.try_get::<u64, _>(index)?.to_string()),
        }
    }
}

impl RecordRow for SqliteRow {
    /// SQLite integers are 64-bit.
    fn id(&self, index: usize) -> Result<String, sqlx::Error> {
        Ok(self.try_get::<i64, _>(index)?.to_string())
    }
}

/// A `users` row.
pub fn user<R>(row: &R) -> Result<User, sqlx::Error>
where
    R: RecordRow,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(User {
        id: row.id(0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        email_verified: row.try_get(3)?,
        image: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    })
}

/// An `accounts` row.
pub fn account<R>(row: &R) -> Result<Account, sqlx::Error>
where
    R: RecordRow,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Account {
        id: row.id(0)?,
        compound_id: row.try_get(1)?,
        user_id: row.id(2)?,
        provider_type: row.try_get(3)?,
        provider_id: row.try_get(4)?,
        provider_account_id: row.try_get(5)?,
        refresh_token: row.try_get(6)?,
        access_token: row.try_get(7)?,
        access_token_expires: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
    })
}

/// A `sessions` row.
pub fn session<R>(row: &R) -> Result<Session, sqlx::Error>
where
    R: RecordRow,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Session {
        id: row.id(0)?,
        user_id: row.id(1)?,
        expires: row.try_get(2)?,
        session_token: row.try_get(3)?,
        access_token: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    })
}

/// A `verification_requests` row.
pub fn verification<R>(row: &R) -> Result<VerificationRequest, sqlx::Error>
where
    R: RecordRow,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(VerificationRequest {
        id: row.id(0)?,
        identifier: row.try_get(1)?,
        token: row.try_get(2)?,
        expires: row.try_get(3)?,
        created_at: row.try_get(4)?,
        updated_at: row.try_get(5)?,
    })
}

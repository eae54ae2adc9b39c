//! Rows as the contract's records, once for every driver: the columns are read by position,
//! in the order of [`USER_COLUMNS`](super::USER_COLUMNS) and its siblings, so the SQL
//! backends cannot drift apart in how they map a row. A driver offers its row as a
//! [`RecordRow`]; sqlx's three rows are ones already.
//!
//! The harness's `SqlInspector` deliberately does not use these: an inspector that shared the
//! adapter's decoding could not catch a bug in it.

use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// A row whose columns the mappers below read by position: all they need of a driver.
pub trait RecordRow {
    /// The driver's error for a column it cannot read (a type it does not expect, a `NULL`
    /// where a value must be).
    type Error;

    /// The integer id at `index`, as the contract's decimal string.
    fn id(&self, index: usize) -> Result<String, Self::Error>;

    /// The text at `index`, never `NULL`.
    fn text(&self, index: usize) -> Result<String, Self::Error>;

    /// The text at `index`, or `None` for `NULL`.
    fn opt_text(&self, index: usize) -> Result<Option<String>, Self::Error>;

    /// The instant at `index`, never `NULL`.
    fn instant(&self, index: usize) -> Result<DateTime<Utc>, Self::Error>;

    /// The instant at `index`, or `None` for `NULL`.
    fn opt_instant(&self, index: usize) -> Result<Option<DateTime<Utc>>, Self::Error>;
}

/// A sqlx row's integer id: the one thing sqlx's drivers differ in (the integer types a
/// widened id column may have).
pub trait SqlxId: Row {
    /// The integer id at `index`, as a decimal string.
    fn sqlx_id(&self, index: usize) -> Result<String, sqlx::Error>;
}

impl SqlxId for PgRow {
    /// `SERIAL` (`int4`) as documented, `BIGSERIAL` (`int8`) when an application widened it.
    fn sqlx_id(&self, index: usize) -> Result<String, sqlx::Error> {
        match self.try_get::<i32, _>(index) {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Ok(self.try_get::<i64, _>(index)?.to_string()),
        }
    }
}

impl SqlxId for MySqlRow {
    /// `INT`, or an `UNSIGNED`/`BIGINT` id an application widened.
    fn sqlx_id(&self, index: usize) -> Result<String, sqlx::Error> {
        match self.try_get::<i64, _>(index) {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Ok(self.try_get::<u64, _>(index)?.to_string()),
        }
    }
}

impl SqlxId for SqliteRow {
    /// SQLite integers are 64-bit.
    fn sqlx_id(&self, index: usize) -> Result<String, sqlx::Error> {
        Ok(self.try_get::<i64, _>(index)?.to_string())
    }
}

impl<R> RecordRow for R
where
    R: SqlxId,
    usize: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    type Error = sqlx::Error;

    fn id(&self, index: usize) -> Result<String, sqlx::Error> {
        self.sqlx_id(index)
    }

    fn text(&self, index: usize) -> Result<String, sqlx::Error> {
        self.try_get(index)
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, sqlx::Error> {
        self.try_get(index)
    }

    fn instant(&self, index: usize) -> Result<DateTime<Utc>, sqlx::Error> {
        self.try_get(index)
    }

    fn opt_instant(&self, index: usize) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        self.try_get(index)
    }
}

/// A `users` row.
pub fn user<R: RecordRow>(row: &R) -> Result<User, R::Error> {
    Ok(User {
        id: row.id(0)?,
        name: row.opt_text(1)?,
        email: row.opt_text(2)?,
        email_verified: row.opt_instant(3)?,
        image: row.opt_text(4)?,
        created_at: row.instant(5)?,
        updated_at: row.instant(6)?,
    })
}

/// An `accounts` row.
pub fn account<R: RecordRow>(row: &R) -> Result<Account, R::Error> {
    Ok(Account {
        id: row.id(0)?,
        compound_id: row.text(1)?,
        user_id: row.id(2)?,
        provider_type: row.text(3)?,
        provider_id: row.text(4)?,
        provider_account_id: row.text(5)?,
        refresh_token: row.opt_text(6)?,
        access_token: row.opt_text(7)?,
        access_token_expires: row.opt_instant(8)?,
        created_at: row.instant(9)?,
        updated_at: row.instant(10)?,
    })
}

/// A `sessions` row.
pub fn session<R: RecordRow>(row: &R) -> Result<Session, R::Error> {
    Ok(Session {
        id: row.id(0)?,
        user_id: row.id(1)?,
        expires: row.instant(2)?,
        session_token: row.text(3)?,
        access_token: row.text(4)?,
        created_at: row.instant(5)?,
        updated_at: row.instant(6)?,
    })
}

/// A `verification_requests` row.
pub fn verification<R: RecordRow>(row: &R) -> Result<VerificationRequest, R::Error> {
    Ok(VerificationRequest {
        id: row.id(0)?,
        identifier: row.text(1)?,
        token: row.text(2)?,
        expires: row.instant(3)?,
        created_at: row.instant(4)?,
        updated_at: row.instant(5)?,
    })
}

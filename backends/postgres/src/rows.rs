//! PostgreSQL rows as the contract's records, read by position in the order of
//! [`USER_COLUMNS`](nextauth_adapter_sql::adapter::USER_COLUMNS) and its siblings.

use nextauth_adapter::{Account, Session, User, VerificationRequest};
use sqlx::Row;
use sqlx::postgres::PgRow;

/// An integer id as the contract's string: `SERIAL` (`int4`) as documented, `BIGSERIAL`
/// (`int8`) when an application widened it.
fn id(row: &PgRow, index: usize) -> Result<String, sqlx::Error> {
    match row.try_get::<i32, _>(index) {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Ok(row.try_get::<i64, _>(index)?.to_string()),
    }
}

/// A `users` row.
pub fn user(row: &PgRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: id(row, 0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        email_verified: row.try_get(3)?,
        image: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    })
}

/// An `accounts` row.
pub fn account(row: &PgRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: id(row, 0)?,
        compound_id: row.try_get(1)?,
        user_id: id(row, 2)?,
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
pub fn session(row: &PgRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: id(row, 0)?,
        user_id: id(row, 1)?,
        expires: row.try_get(2)?,
        session_token: row.try_get(3)?,
        access_token: row.try_get(4)?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
    })
}

/// A `verification_requests` row.
pub fn verification(row: &PgRow) -> Result<VerificationRequest, sqlx::Error> {
    Ok(VerificationRequest {
        id: id(row, 0)?,
        identifier: row.try_get(1)?,
        token: row.try_get(2)?,
        expires: row.try_get(3)?,
        created_at: row.try_get(4)?,
        updated_at: row.try_get(5)?,
    })
}

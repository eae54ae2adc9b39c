//! MySQL rows as the contract's records. Instants are read as UTC: `DATETIME(6)` holds no
//! zone and the adapter only ever writes UTC into it.

use nextauth_adapter::{Session, User, VerificationRequest};
use sqlx::Row;
use sqlx::mysql::MySqlRow;

/// An integer id as the contract's string (`INT`, or an `UNSIGNED`/`BIGINT` id an
/// application widened).
fn id(row: &MySqlRow, index: usize) -> Result<String, sqlx::Error> {
    match row.try_get::<i64, _>(index) {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Ok(row.try_get::<u64, _>(index)?.to_string()),
    }
}

/// A `users` row.
pub fn user(row: &MySqlRow) -> Result<User, sqlx::Error> {
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

/// A `sessions` row.
pub fn session(row: &MySqlRow) -> Result<Session, sqlx::Error> {
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
pub fn verification(row: &MySqlRow) -> Result<VerificationRequest, sqlx::Error> {
    Ok(VerificationRequest {
        id: id(row, 0)?,
        identifier: row.try_get(1)?,
        token: row.try_get(2)?,
        expires: row.try_get(3)?,
        created_at: row.try_get(4)?,
        updated_at: row.try_get(5)?,
    })
}

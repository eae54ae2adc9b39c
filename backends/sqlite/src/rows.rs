//! SQLite rows as the contract's records, and instants as SQLite text.

use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// An instant as stored: UTC, `YYYY-MM-DD HH:MM:SS.ffffff`. Fixed width (for years 0–9999),
/// so comparing the text compares the instants.
pub fn text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// [`text`] for an optional instant.
pub fn opt_text(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(text)
}

fn id(row: &SqliteRow, index: usize) -> Result<String, sqlx::Error> {
    Ok(row.try_get::<i64, _>(index)?.to_string())
}

/// A `users` row.
pub fn user(row: &SqliteRow) -> Result<User, sqlx::Error> {
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
pub fn account(row: &SqliteRow) -> Result<Account, sqlx::Error> {
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
pub fn session(row: &SqliteRow) -> Result<Session, sqlx::Error> {
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
pub fn verification(row: &SqliteRow) -> Result<VerificationRequest, sqlx::Error> {
    Ok(VerificationRequest {
        id: id(row, 0)?,
        identifier: row.try_get(1)?,
        token: row.try_get(2)?,
        expires: row.try_get(3)?,
        created_at: row.try_get(4)?,
        updated_at: row.try_get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_fixed_width_text() {
        let t = DateTime::from_timestamp(1_700_000_000, 120_000_000).unwrap();
        assert_eq!(text(t), "2023-11-14 22:13:20.120000");
        let pre = DateTime::from_timestamp(-14_182_940, 0).unwrap();
        assert_eq!(text(pre), "1969-07-20 20:17:40.000000");
        assert!(text(pre) < text(t));
    }
}

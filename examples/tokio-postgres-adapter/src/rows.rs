//! From SQL rows to the contract's records, and from the contract's string ids to SQL's
//! integers.

use nextauth_adapter::{Account, Session, User, VerificationRequest};
use tokio_postgres::Row;

/// The column lists the adapter selects and returns, in the order the mappers below read.
pub(crate) const USER_COLUMNS: &str =
    "id, name, email, email_verified, image, created_at, updated_at";
pub(crate) const ACCOUNT_COLUMNS: &str = "id, compound_id, user_id, provider_type, provider_id, \
     provider_account_id, refresh_token, access_token, access_token_expires, created_at, updated_at";
pub(crate) const SESSION_COLUMNS: &str =
    "id, user_id, expires, session_token, access_token, created_at, updated_at";
pub(crate) const VERIFICATION_COLUMNS: &str =
    "id, identifier, token, expires, created_at, updated_at";

/// The `SERIAL` id a contract id string names, if any: only a canonical decimal (no sign,
/// no leading zero, no spaces) that fits PostgreSQL's `integer`. Anything else names no row.
pub(crate) fn parse_id(id: &str) -> Option<i32> {
    let n: i32 = id.parse().ok()?;
    (n >= 0 && n.to_string() == id).then_some(n)
}

// `try_get` rather than `get`: a column of an unexpected type is an error, never a panic.
type RowResult<T> = Result<T, tokio_postgres::Error>;

pub(crate) fn user(r: &Row) -> RowResult<User> {
    Ok(User {
        id: r.try_get::<_, i32>(0)?.to_string(),
        name: r.try_get(1)?,
        email: r.try_get(2)?,
        email_verified: r.try_get(3)?,
        image: r.try_get(4)?,
        created_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
    })
}

pub(crate) fn account(r: &Row) -> RowResult<Account> {
    Ok(Account {
        id: r.try_get::<_, i32>(0)?.to_string(),
        compound_id: r.try_get(1)?,
        user_id: r.try_get::<_, i32>(2)?.to_string(),
        provider_type: r.try_get(3)?,
        provider_id: r.try_get(4)?,
        provider_account_id: r.try_get(5)?,
        refresh_token: r.try_get(6)?,
        access_token: r.try_get(7)?,
        access_token_expires: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}

pub(crate) fn session(r: &Row) -> RowResult<Session> {
    Ok(Session {
        id: r.try_get::<_, i32>(0)?.to_string(),
        user_id: r.try_get::<_, i32>(1)?.to_string(),
        expires: r.try_get(2)?,
        session_token: r.try_get(3)?,
        access_token: r.try_get(4)?,
        created_at: r.try_get(5)?,
        updated_at: r.try_get(6)?,
    })
}

pub(crate) fn verification_request(r: &Row) -> RowResult<VerificationRequest> {
    Ok(VerificationRequest {
        id: r.try_get::<_, i32>(0)?.to_string(),
        identifier: r.try_get(1)?,
        token: r.try_get(2)?,
        expires: r.try_get(3)?,
        created_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn only_canonical_decimals_name_rows() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(parse_id("2147483647"), Some(i32::MAX));
        for foreign in [
            "01",
            " 1",
            "+1",
            "-1",
            "",
            "abc",
            "1.0",
            "2147483648",
            "eyJhbGciOi",
        ] {
            assert_eq!(parse_id(foreign), None, "{foreign:?}");
        }
    }
}

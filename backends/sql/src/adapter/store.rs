//! [`SqlStore`]: the primitive storage operations a SQL backend implements, and the values
//! they take.
//!
//! A store knows SQL, its driver and its dialect; it knows nothing of NextAuth's rules.
//! Every value it receives is already validated against the declared
//! [`FieldLimits`](nextauth_adapter::FieldLimits), every instant already truncated to the
//! declared precision, every id already parsed from its canonical decimal form. It binds
//! them, runs its statements and maps the rows it reads to the contract's records.
//! [`SqlAdapter`](super::SqlAdapter) holds the semantics.

use super::error::StoreError;
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::Schema;
use crate::names::SchemaNames;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, EmailMatching, Session, User, VerificationRequest};

/// What a store returns: a value or a [`StoreError`].
pub type StoreResult<T> = Result<T, StoreError>;

/// The four writable columns of `users`, for an insert or an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserValues {
    /// `users.name`.
    pub name: Option<String>,
    /// `users.email`.
    pub email: Option<String>,
    /// `users.email_verified`.
    pub email_verified: Option<DateTime<Utc>>,
    /// `users.image`.
    pub image: Option<String>,
}

/// The columns of a new `accounts` row (besides its id and timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountValues {
    /// `accounts.compound_id`, computed by the adapter.
    pub compound_id: String,
    /// `accounts.user_id`: a canonical id that fits the 32-bit column.
    pub user_id: i64,
    /// `accounts.provider_type`.
    pub provider_type: String,
    /// `accounts.provider_id`.
    pub provider_id: String,
    /// `accounts.provider_account_id`.
    pub provider_account_id: String,
    /// `accounts.refresh_token`.
    pub refresh_token: Option<String>,
    /// `accounts.access_token`.
    pub access_token: Option<String>,
    /// `accounts.access_token_expires`.
    pub access_token_expires: Option<DateTime<Utc>>,
}

/// The columns of a new `sessions` row (besides its id and timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionValues {
    /// `sessions.user_id`: a canonical id that fits the 32-bit column.
    pub user_id: i64,
    /// `sessions.expires`.
    pub expires: DateTime<Utc>,
    /// `sessions.session_token`.
    pub session_token: String,
    /// `sessions.access_token`.
    pub access_token: String,
}

/// The columns of a new `verification_requests` row (besides its id and timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationValues {
    /// `verification_requests.identifier`.
    pub identifier: String,
    /// `verification_requests.token`: the *hashed* token.
    pub token: String,
    /// `verification_requests.expires`.
    pub expires: DateTime<Utc>,
}

// A dialect whose inserts return no row (MySQL: the id comes in the OK packet) returns the
// record from the values it bound, which are exactly what was stored: validated, truncated
// to the declared precision, timestamps set to `now`.

impl UserValues {
    /// The user stored by an insert of these values that generated `id` at `now`.
    pub fn stored(&self, id: String, now: DateTime<Utc>) -> User {
        User {
            id,
            name: self.name.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            image: self.image.clone(),
            created_at: now,
            updated_at: now,
        }
    }
}

impl AccountValues {
    /// The account stored by an insert of these values that generated `id` at `now`.
    pub fn stored(&self, id: String, now: DateTime<Utc>) -> Account {
        Account {
            id,
            compound_id: self.compound_id.clone(),
            user_id: self.user_id.to_string(),
            provider_type: self.provider_type.clone(),
            provider_id: self.provider_id.clone(),
            provider_account_id: self.provider_account_id.clone(),
            refresh_token: self.refresh_token.clone(),
            access_token: self.access_token.clone(),
            access_token_expires: self.access_token_expires,
            created_at: now,
            updated_at: now,
        }
    }
}

impl SessionValues {
    /// The session stored by an insert of these values that generated `id` at `now`.
    pub fn stored(&self, id: String, now: DateTime<Utc>) -> Session {
        Session {
            id,
            user_id: self.user_id.to_string(),
            expires: self.expires,
            session_token: self.session_token.clone(),
            access_token: self.access_token.clone(),
            created_at: now,
            updated_at: now,
        }
    }
}

impl VerificationValues {
    /// The request stored by an insert of these values that generated `id` at `now`.
    pub fn stored(&self, id: String, now: DateTime<Utc>) -> VerificationRequest {
        VerificationRequest {
            id,
            identifier: self.identifier.clone(),
            token: self.token.clone(),
            expires: self.expires,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Single-use consumption on a server without `DELETE … RETURNING` (MySQL 8), in two steps:
/// `found` is the request read by its token, `delete_by_id` deletes a request by id and says
/// how many rows it matched.
///
/// The token is unique, so `found` is the only candidate; its identifier is compared here
/// under the declared `matching` (byte for byte when exact: `PAD SPACE` would ignore trailing
/// spaces). Rows are never updated and ids never reused, so the row read is the row the
/// delete removes, and the delete's matched-row count makes exactly one concurrent caller the
/// consumer.
pub async fn consume_in_two_steps<F, Fut>(
    found: Option<VerificationRequest>,
    identifier: &str,
    matching: EmailMatching,
    delete_by_id: F,
) -> StoreResult<Option<VerificationRequest>>
where
    F: FnOnce(i64) -> Fut,
    Fut: std::future::Future<Output = StoreResult<u64>>,
{
    let Some(found) = found.filter(|v| matching.same(&v.identifier, identifier)) else {
        return Ok(None);
    };
    let id: i64 = found
        .id
        .parse()
        .map_err(|e: std::num::ParseIntError| StoreError::Driver(Box::new(e)))?;
    Ok((delete_by_id(id).await? == 1).then_some(found))
}

/// The primitive storage operations of one SQL backend over the v3 tables.
///
/// Conventions every method keeps:
///
/// - `now` is the instant to write to `created_at` / `updated_at`; a store never reads the
///   database's clock, never relies on a column default for a timestamp;
/// - a string comparison in a `WHERE` clause is exact (byte-equal) unless the method says
///   otherwise: a store whose collation ignores trailing spaces (MySQL's `PAD SPACE`) must
///   compensate, or say so;
/// - a unique-index violation is [`StoreError::UniqueViolation`] naming the index (or at
///   least the column) and leaves nothing written;
/// - a method that writes more than one row does so in one transaction (or one statement).
#[async_trait]
pub trait SqlStore: Send + Sync + 'static {
    /// The backend's name in errors and logs (`postgres`, `mysql`, `sqlite`).
    fn backend(&self) -> &'static str;

    /// The dialect whose DDL creates this store's tables.
    fn dialect(&self) -> Dialect;

    /// The table and index names this store reads and writes.
    fn names(&self) -> &SchemaNames;

    /// Reads the live schema (read-only), for [`SqlAdapter::synchronize`](super::SqlAdapter::synchronize).
    async fn introspect(&self) -> Result<Schema, IntrospectError>;

    /// Runs DDL statements in order (the `CREATE TABLE` / `CREATE INDEX` of missing tables).
    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()>;

    /// Inserts a user and returns the stored row.
    async fn insert_user(&self, values: &UserValues, now: DateTime<Utc>) -> StoreResult<User>;

    /// The user with this id.
    async fn select_user(&self, id: i64) -> StoreResult<Option<User>>;

    /// The user whose email matches `email` under the database's collation. The adapter
    /// checks exactness itself, so a `PAD SPACE` match (`"a@x.org "` for `"a@x.org"`) is
    /// allowed here; since `users.email` is unique under the same collation, at most one row
    /// can match.
    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>>;

    /// The user owning the account with this compound id (a join; `None` when the account
    /// or its user is missing).
    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>>;

    /// Writes the four columns and `updated_at = now` of user `id` and returns the stored
    /// row; `None` when there is no such user (nothing is inserted).
    async fn update_user(
        &self,
        id: i64,
        values: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;

    /// Deletes user `id`; when `cascade`, and only if the user row existed, also its accounts
    /// and sessions, atomically.
    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()>;

    /// Inserts an account and returns the stored row.
    async fn insert_account(
        &self,
        values: &AccountValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Account>;

    /// Deletes the account with this compound id if it belongs to `user_id`.
    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()>;

    /// Inserts a session and returns the stored row.
    async fn insert_session(
        &self,
        values: &SessionValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Session>;

    /// The session with this token.
    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>>;

    /// Sets `expires` (when `Some`) and `updated_at = now` of the session with this id *and*
    /// token; returns the stored row, or `None` when there is no such session.
    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>>;

    /// Deletes session `id` if it expired strictly before `now` (compared against the bound
    /// parameter, never the database's clock), so a session extended meanwhile survives.
    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;

    /// Deletes the session with this token (none: a no-op).
    async fn delete_session(&self, session_token: &str) -> StoreResult<()>;

    /// Inserts a verification request and returns the stored row.
    async fn insert_verification(
        &self,
        values: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest>;

    /// The verification request whose (hashed) token is `token`; the token is unique, so
    /// there is at most one. The adapter checks the identifier itself.
    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>>;

    /// Removes and returns, in one atomic step, the request with this token whose
    /// identifier is `identifier` under `matching` (the adapter's declared e-mail matching:
    /// byte for byte when `Exact`, else as the column's collation compares): of concurrent
    /// calls at most one gets the row.
    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<Option<VerificationRequest>>;

    /// Deletes the request with this token whose identifier is `identifier` under `matching`
    /// (none: a no-op).
    async fn delete_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<()>;

    /// Deletes verification request `id`.
    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn request(id: &str, identifier: &str) -> VerificationRequest {
        let now = Utc::now();
        VerificationValues {
            identifier: identifier.to_owned(),
            token: "hashed".to_owned(),
            expires: now,
        }
        .stored(id.to_owned(), now)
    }

    /// Runs the two-step consume with a delete that matched `matched` rows; how many deletes
    /// it ran, and what it returned.
    async fn consume(
        found: Option<VerificationRequest>,
        identifier: &str,
        matching: EmailMatching,
        matched: u64,
    ) -> (usize, StoreResult<Option<VerificationRequest>>) {
        let deletes = Cell::new(0);
        let result = consume_in_two_steps(found, identifier, matching, |id| {
            deletes.set(deletes.get() + 1);
            assert_eq!(id, 7);
            async move { Ok(matched) }
        })
        .await;
        (deletes.get(), result)
    }

    #[tokio::test]
    async fn two_step_consume_hands_the_row_to_the_one_delete_that_matched_it() {
        let row = request("7", "a@x.org");
        let (n, won) = consume(Some(row.clone()), "a@x.org", EmailMatching::Exact, 1).await;
        assert_eq!((n, won.ok().flatten()), (1, Some(row.clone())));
        // A concurrent caller deleted it first: nothing consumed.
        let (n, lost) = consume(Some(row.clone()), "a@x.org", EmailMatching::Exact, 0).await;
        assert_eq!((n, lost.ok().flatten()), (1, None));
        // Another identifier (trailing space under exact matching): not deleted at all.
        let (n, other) = consume(Some(row.clone()), "a@x.org ", EmailMatching::Exact, 1).await;
        assert_eq!((n, other.ok().flatten()), (0, None));
        // Under a declared case-insensitive collation the case does not matter.
        let (n, ci) = consume(Some(row), "A@X.org", EmailMatching::CaseInsensitive, 1).await;
        assert_eq!(n, 1);
        assert!(ci.is_ok_and(|r| r.is_some()));
        let (n, none) = consume(None, "a@x.org", EmailMatching::Exact, 1).await;
        assert_eq!((n, none.ok().flatten()), (0, None));
    }

    #[tokio::test]
    async fn two_step_consume_refuses_an_id_that_is_not_a_number() {
        let (n, result) = consume(
            Some(request("seven", "a@x.org")),
            "a@x.org",
            EmailMatching::Exact,
            1,
        )
        .await;
        assert_eq!(n, 0);
        assert!(matches!(result, Err(StoreError::Driver(_))));
    }
}

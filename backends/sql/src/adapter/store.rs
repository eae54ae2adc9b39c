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

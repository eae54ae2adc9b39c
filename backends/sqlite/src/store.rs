//! [`SqliteStore`]: the SQL store over a [`SqlitePool`].
//!
//! Round trips per store operation: one each (`RETURNING` on writes, `DELETE … RETURNING`
//! for single-use verification), except the cascading `delete_user`: three deletes in one
//! `BEGIN IMMEDIATE` transaction (five statements on the one connection; SQLite runs in
//! process, so a "round trip" is a function call). Instants are bound as fixed-width UTC
//! text (see [`instant_text::text`]).

use crate::instant_text;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows;
use nextauth_adapter_sql::adapter::{
    AccountValues, ConnectStore, Queries, SessionValues, Sql, SqlOptions, SqlStore, StoreError,
    StoreResult, UserValues, VerificationValues,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames, introspect_sqlite};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// The v3 tables in one SQLite database (the pool's `main`), over a pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    names: SchemaNames,
    sql: Queries,
}

/// How long a write waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `url` names an in-memory database (`sqlite::memory:`, `?mode=memory`).
pub(crate) fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// A prepared query over one of the store's statements.
fn query(sql: &Sql) -> sqlx::query::Query<'static, Sqlite, SqliteArguments> {
    sqlx::query(AssertSqlSafe(sql.clone()))
}

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column.
fn user_id(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|e| StoreError::Driver(Box::new(e)))
}

impl SqliteStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: SqlitePool, names: SchemaNames) -> Self {
        let sql = Queries::new(Dialect::Sqlite, &names);
        SqliteStore { pool, names, sql }
    }
}

#[async_trait]
impl ConnectStore for SqliteStore {
    type Pool = SqlitePool;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "sqlite";
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<SqlitePool, sqlx::Error> {
        let connect = SqliteConnectOptions::from_str(url)?;
        if is_in_memory(url) {
            // One connection, never closed: an in-memory database lives as long as a
            // connection to it, and every call must see the same one.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(connect)
                .await
        } else {
            SqlitePoolOptions::new()
                .max_connections(options.pool_size())
                .connect_with(
                    connect
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(BUSY_TIMEOUT),
                )
                .await
        }
    }

    fn over_pool(pool: SqlitePool, names: SchemaNames) -> Self {
        SqliteStore::new(pool, names)
    }

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl SqlStore for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        introspect_sqlite(&self.pool).await
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // SQLite's DDL is transactional: all tables or none.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for statement in statements {
            sqlx::query(AssertSqlSafe(statement.clone()))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let row = query(&self.sql.insert_user)
            .bind(&v.name)
            .bind(&v.email)
            .bind(instant_text::opt_text(v.email_verified))
            .bind(&v.image)
            .bind(instant_text::text(now))
            .bind(instant_text::text(now))
            .fetch_one(&self.pool)
            .await?;
        Ok(rows::user(&row)?)
    }

    async fn select_user(&self, id: i64) -> StoreResult<Option<User>> {
        let row = query(&self.sql.select_user)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = query(&self.sql.select_user_by_email)
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>> {
        let row = query(&self.sql.select_user_by_compound_id)
            .bind(compound_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn update_user(
        &self,
        id: i64,
        v: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let row = query(&self.sql.update_user)
            .bind(&v.name)
            .bind(&v.email)
            .bind(instant_text::opt_text(v.email_verified))
            .bind(&v.image)
            .bind(instant_text::text(now))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        if !cascade {
            query(&self.sql.delete_user)
                .bind(id)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        // IMMEDIATE takes the write lock up front, so the transaction waits (busy timeout)
        // instead of failing to upgrade a read lock.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let deleted = query(&self.sql.delete_user)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 {
            query(&self.sql.delete_accounts_of_user)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            query(&self.sql.delete_sessions_of_user)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_account(&self, v: &AccountValues, now: DateTime<Utc>) -> StoreResult<Account> {
        let row = query(&self.sql.insert_account)
            .bind(&v.compound_id)
            .bind(user_id(v.user_id)?)
            .bind(&v.provider_type)
            .bind(&v.provider_id)
            .bind(&v.provider_account_id)
            .bind(&v.refresh_token)
            .bind(&v.access_token)
            .bind(instant_text::opt_text(v.access_token_expires))
            .bind(instant_text::text(now))
            .bind(instant_text::text(now))
            .fetch_one(&self.pool)
            .await?;
        Ok(rows::account(&row)?)
    }

    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()> {
        query(&self.sql.delete_account)
            .bind(compound_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_session(&self, v: &SessionValues, now: DateTime<Utc>) -> StoreResult<Session> {
        let row = query(&self.sql.insert_session)
            .bind(user_id(v.user_id)?)
            .bind(instant_text::text(v.expires))
            .bind(&v.session_token)
            .bind(&v.access_token)
            .bind(instant_text::text(now))
            .bind(instant_text::text(now))
            .fetch_one(&self.pool)
            .await?;
        Ok(rows::session(&row)?)
    }

    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>> {
        let row = query(&self.sql.select_session)
            .bind(session_token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::session).transpose()?)
    }

    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let row = query(&self.sql.update_session)
            .bind(instant_text::opt_text(expires))
            .bind(instant_text::text(now))
            .bind(id)
            .bind(session_token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::session).transpose()?)
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        query(&self.sql.delete_expired_session)
            .bind(id)
            .bind(instant_text::text(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, session_token: &str) -> StoreResult<()> {
        query(&self.sql.delete_session)
            .bind(session_token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn insert_verification(
        &self,
        v: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest> {
        let row = query(&self.sql.insert_verification)
            .bind(&v.identifier)
            .bind(&v.token)
            .bind(instant_text::text(v.expires))
            .bind(instant_text::text(now))
            .bind(instant_text::text(now))
            .fetch_one(&self.pool)
            .await?;
        Ok(rows::verification(&row)?)
    }

    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>> {
        let row = query(&self.sql.select_verification)
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::verification).transpose()?)
    }

    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
    ) -> StoreResult<Option<VerificationRequest>> {
        let Some(consume) = &self.sql.consume_verification else {
            unreachable_statement("consume_verification")?
        };
        let row = query(consume)
            .bind(token)
            .bind(identifier)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::verification).transpose()?)
    }

    async fn delete_verification(&self, token: &str, identifier: &str) -> StoreResult<()> {
        query(&self.sql.delete_verification)
            .bind(token)
            .bind(identifier)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()> {
        query(&self.sql.delete_verification_by_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A statement the SQLite rendering always has; its absence is a typed error, not a
/// panic.
fn unreachable_statement<T>(name: &str) -> StoreResult<T> {
    Err(StoreError::Driver(
        format!("the SQLite statement {name} was not rendered").into(),
    ))
}

//! [`MySqlStore`]: the SQL store over a [`MySqlPool`], portable between MySQL 8 and MariaDB.
//!
//! Round trips per store operation (no `RETURNING`, see the crate documentation):
//!
//! | operation | round trips |
//! | --- | --- |
//! | inserts (user, account, session, verification) | 1 (`LAST_INSERT_ID()` comes with the OK packet) |
//! | selects, deletes | 1 |
//! | `update_user`, `update_session` | 2 (the update, then a read of the stored row; 1 when no row matched) |
//! | `delete_user` with cascade | 5 (`BEGIN`, three deletes, `COMMIT`; 3 when the user is missing) |
//! | `consume_verification` | MariaDB 1 (`DELETE … RETURNING`); MySQL 8: 2 (select by the unique token, delete by id; 1 when nothing matches) |

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows;
use nextauth_adapter_sql::adapter::{
    AccountValues, ConnectStore, Queries, SessionValues, Sql, SqlOptions, SqlStore, StoreError,
    StoreResult, UserValues, VERIFICATION_COLUMNS, VerificationValues,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames, introspect_mysql};
use sqlx::mysql::{MySqlArguments, MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, MySql, MySqlPool};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

/// The v3 tables in one MySQL/MariaDB database (the connection's default database), over a
/// pool.
#[derive(Debug, Clone)]
pub struct MySqlStore {
    pool: MySqlPool,
    names: SchemaNames,
    sql: Queries,
    /// `delete_verification` with `RETURNING` the row: MariaDB's single-statement consume.
    consume_returning: Sql,
    /// Whether the server is MariaDB (which has `DELETE … RETURNING`), learnt on first use.
    mariadb: Arc<OnceLock<bool>>,
}

/// A prepared query over one of the store's statements.
fn query(sql: &Sql) -> sqlx::query::Query<'static, MySql, MySqlArguments> {
    sqlx::query(AssertSqlSafe(sql.clone()))
}

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column.
fn user_id(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|e| StoreError::Driver(Box::new(e)))
}

/// An instant as a `DATETIME(6)` value: UTC without a zone. Bound as `DATETIME`, not as
/// sqlx's `DateTime<Utc>`, which it sends typed `TIMESTAMP`, a type the server limits to
/// 1970–2038 (a session expiring after 2038 or an address verified in 1969 would become
/// `NULL`).
fn datetime(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// The id `LAST_INSERT_ID()` gave, as the contract's string.
fn inserted_id(result: &sqlx::mysql::MySqlQueryResult) -> String {
    result.last_insert_id().to_string()
}

impl MySqlStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: MySqlPool, names: SchemaNames) -> Self {
        let sql = Queries::new(Dialect::MySql, &names);
        let columns: Vec<String> = VERIFICATION_COLUMNS
            .iter()
            .map(|c| Dialect::MySql.quote(c))
            .collect();
        let consume_returning = format!(
            "{} RETURNING {}",
            sql.delete_verification,
            columns.join(", ")
        )
        .into();
        MySqlStore {
            pool,
            names,
            sql,
            consume_returning,
            mariadb: Arc::default(),
        }
    }

    /// Whether the server is MariaDB, asked once (`SELECT VERSION()`) and remembered.
    async fn is_mariadb(&self) -> StoreResult<bool> {
        if let Some(known) = self.mariadb.get() {
            return Ok(*known);
        }
        let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
            .fetch_one(&self.pool)
            .await?;
        let mariadb = version.to_ascii_lowercase().contains("mariadb");
        Ok(*self.mariadb.get_or_init(|| mariadb))
    }
}

#[async_trait]
impl ConnectStore for MySqlStore {
    type Pool = MySqlPool;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "mysql";
    const DIALECT: Dialect = Dialect::MySql;

    /// Honours everything the URL carries but the session `timezone`, which is always
    /// `+00:00`, so that `TIMESTAMP` columns hold true UTC (see the crate documentation).
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<MySqlPool, sqlx::Error> {
        let connect = MySqlConnectOptions::from_str(url)?
            .charset("utf8mb4")
            .timezone(Some(String::from("+00:00")));
        MySqlPoolOptions::new()
            .max_connections(options.pool_size())
            .connect_with(connect)
            .await
    }

    fn over_pool(pool: MySqlPool, names: SchemaNames) -> Self {
        MySqlStore::new(pool, names)
    }

    fn pool(&self) -> &MySqlPool {
        &self.pool
    }
}

#[async_trait]
impl SqlStore for MySqlStore {
    fn backend(&self) -> &'static str {
        "mysql"
    }

    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
            .fetch_one(&self.pool)
            .await
            .map_err(|source| IntrospectError::Query {
                dialect: Dialect::MySql,
                source,
            })?;
        let database = database.ok_or_else(|| IntrospectError::BadRow {
            dialect: Dialect::MySql,
            table: "(database)".to_owned(),
            detail: "the connection has no default database; name one in the URL".to_owned(),
        })?;
        introspect_mysql(&self.pool, &database).await
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // MySQL commits DDL implicitly; statements run in order on one connection.
        let mut conn = self.pool.acquire().await?;
        for statement in statements {
            sqlx::query(AssertSqlSafe(statement.clone()))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let done = query(&self.sql.insert_user)
            .bind(&v.name)
            .bind(&v.email)
            .bind(v.email_verified.map(datetime))
            .bind(&v.image)
            .bind(datetime(now))
            .bind(datetime(now))
            .execute(&self.pool)
            .await?;
        Ok(User {
            id: inserted_id(&done),
            name: v.name.clone(),
            email: v.email.clone(),
            email_verified: v.email_verified,
            image: v.image.clone(),
            created_at: now,
            updated_at: now,
        })
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
        // sqlx connects with CLIENT_FOUND_ROWS: rows_affected counts matched rows, so an
        // update that changes nothing still says the user exists.
        let matched = query(&self.sql.update_user)
            .bind(&v.name)
            .bind(&v.email)
            .bind(v.email_verified.map(datetime))
            .bind(&v.image)
            .bind(datetime(now))
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if matched == 0 {
            return Ok(None);
        }
        self.select_user(id).await
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        if !cascade {
            query(&self.sql.delete_user)
                .bind(id)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
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
        let done = query(&self.sql.insert_account)
            .bind(&v.compound_id)
            .bind(user_id(v.user_id)?)
            .bind(&v.provider_type)
            .bind(&v.provider_id)
            .bind(&v.provider_account_id)
            .bind(&v.refresh_token)
            .bind(&v.access_token)
            .bind(v.access_token_expires.map(datetime))
            .bind(datetime(now))
            .bind(datetime(now))
            .execute(&self.pool)
            .await?;
        Ok(Account {
            id: inserted_id(&done),
            compound_id: v.compound_id.clone(),
            user_id: v.user_id.to_string(),
            provider_type: v.provider_type.clone(),
            provider_id: v.provider_id.clone(),
            provider_account_id: v.provider_account_id.clone(),
            refresh_token: v.refresh_token.clone(),
            access_token: v.access_token.clone(),
            access_token_expires: v.access_token_expires,
            created_at: now,
            updated_at: now,
        })
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
        let done = query(&self.sql.insert_session)
            .bind(user_id(v.user_id)?)
            .bind(datetime(v.expires))
            .bind(&v.session_token)
            .bind(&v.access_token)
            .bind(datetime(now))
            .bind(datetime(now))
            .execute(&self.pool)
            .await?;
        Ok(Session {
            id: inserted_id(&done),
            user_id: v.user_id.to_string(),
            expires: v.expires,
            session_token: v.session_token.clone(),
            access_token: v.access_token.clone(),
            created_at: now,
            updated_at: now,
        })
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
        let matched = query(&self.sql.update_session)
            .bind(expires.map(datetime))
            .bind(datetime(now))
            .bind(id)
            .bind(session_token)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if matched == 0 {
            return Ok(None);
        }
        let row = query(&self.sql.select_session_by_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::session).transpose()?)
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        query(&self.sql.delete_expired_session)
            .bind(id)
            .bind(datetime(now))
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
        let done = query(&self.sql.insert_verification)
            .bind(&v.identifier)
            .bind(&v.token)
            .bind(datetime(v.expires))
            .bind(datetime(now))
            .bind(datetime(now))
            .execute(&self.pool)
            .await?;
        Ok(VerificationRequest {
            id: inserted_id(&done),
            identifier: v.identifier.clone(),
            token: v.token.clone(),
            expires: v.expires,
            created_at: now,
            updated_at: now,
        })
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
        if self.sql.exact_identifier && self.is_mariadb().await? {
            // MariaDB: one statement deletes and returns the row, the identifier compared
            // exactly (`LENGTH` defeats PAD SPACE); of concurrent deletes one gets the row.
            let row = query(&self.consume_returning)
                .bind(token)
                .bind(identifier)
                .bind(identifier)
                .fetch_optional(&self.pool)
                .await?;
            return Ok(row.as_ref().map(rows::verification).transpose()?);
        }
        // MySQL 8 has no `DELETE … RETURNING`.
        // The token is unique, so this reads the only candidate; the identifier is compared
        // in Rust, byte for byte (PAD SPACE would ignore trailing spaces). Rows are never
        // updated and ids never reused, so the row read is the row the delete removes, and
        // the delete's affected-row count makes exactly one concurrent caller the consumer.
        let Some(found) = self
            .select_verification(token)
            .await?
            .filter(|v| v.identifier == identifier)
        else {
            return Ok(None);
        };
        let id: i64 = found
            .id
            .parse()
            .map_err(|e: std::num::ParseIntError| StoreError::Driver(Box::new(e)))?;
        let deleted = query(&self.sql.delete_verification_by_id)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok((deleted == 1).then_some(found))
    }

    async fn delete_verification(&self, token: &str, identifier: &str) -> StoreResult<()> {
        // `identifier = ? AND LENGTH(identifier) = LENGTH(?)`: exact despite PAD SPACE.
        query(&self.sql.delete_verification)
            .bind(token)
            .bind(identifier)
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

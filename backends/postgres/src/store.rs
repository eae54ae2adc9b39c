//! [`PostgresStore`]: the SQL store over a [`PgPool`].
//!
//! Round trips per store operation: one each, including the cascading `delete_user` (one
//! statement with data-modifying `WITH` clauses, atomic without a transaction) and the
//! single-use consumption of a verification request (`DELETE … RETURNING`). Writes return
//! the stored row with `RETURNING`, so what the adapter returns is what PostgreSQL stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows;
use nextauth_adapter_sql::adapter::{
    AccountValues, ConnectStore, Queries, SessionValues, Sql, SqlOptions, SqlStore, StoreError,
    StoreResult, UserValues, VerificationValues,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames, introspect_postgres};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres};
use std::str::FromStr;
use std::sync::Arc;

/// The v3 tables in one PostgreSQL schema (the connection's `search_path`), over a pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    names: SchemaNames,
    sql: Queries,
}

/// A prepared query over one of the store's statements.
fn query(sql: &Sql) -> sqlx::query::Query<'static, Postgres, PgArguments> {
    sqlx::query(AssertSqlSafe(sql.clone()))
}

/// The zone of a `-c TimeZone=<tz>` (or `--TimeZone=<tz>`) among libpq-style `options`.
fn time_zone_option(options: &str) -> Option<String> {
    let mut words = options.split_whitespace();
    let mut zone = None;
    while let Some(word) = words.next() {
        let setting = match word {
            "-c" => words.next(),
            w => w.strip_prefix("-c").or_else(|| w.strip_prefix("--")),
        };
        if let Some((key, value)) = setting.and_then(|s| s.split_once('='))
            && key.eq_ignore_ascii_case("timezone")
        {
            zone = Some(value.to_owned());
        }
    }
    zone
}

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column.
fn user_id(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|e| StoreError::Driver(Box::new(e)))
}

impl PostgresStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: PgPool, names: SchemaNames) -> Self {
        let sql = Queries::new(Dialect::Postgres, &names);
        PostgresStore { pool, names, sql }
    }
}

#[async_trait]
impl ConnectStore for PostgresStore {
    type Pool = PgPool;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "postgres";
    const DIALECT: Dialect = Dialect::Postgres;

    /// Honours everything the URL carries, including a session time zone in
    /// `options=-c TimeZone=<tz>`: sqlx always sends `TimeZone=UTC` at startup, which would
    /// override it, so the zone is set again after each connect. The adapter's results do not
    /// depend on the zone (`TIMESTAMPTZ` with bound UTC instants), and honouring it lets the
    /// conformance suite prove that.
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<PgPool, sqlx::Error> {
        let connect = PgConnectOptions::from_str(url)?;
        let mut pool = PgPoolOptions::new().max_connections(options.pool_size());
        if let Some(zone) = connect.get_options().and_then(time_zone_option) {
            let set: Arc<str> = format!("SET TIME ZONE '{}'", zone.replace('\'', "''")).into();
            pool = pool.after_connect(move |conn, _| {
                let set = Arc::clone(&set);
                Box::pin(async move {
                    sqlx::query(AssertSqlSafe(set)).execute(conn).await?;
                    Ok(())
                })
            });
        }
        pool.connect_with(connect).await
    }

    fn over_pool(pool: PgPool, names: SchemaNames) -> Self {
        PostgresStore::new(pool, names)
    }

    fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl SqlStore for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        let err = |source| IntrospectError::Query {
            dialect: Dialect::Postgres,
            source,
        };
        let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&self.pool)
            .await
            .map_err(err)?;
        let schema = schema.ok_or_else(|| IntrospectError::BadRow {
            dialect: Dialect::Postgres,
            table: "(search_path)".to_owned(),
            detail: "no schema of the search_path exists".to_owned(),
        })?;
        introspect_postgres(&self.pool, &schema).await
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // PostgreSQL's DDL is transactional: all tables or none.
        let mut tx = self.pool.begin().await?;
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
            .bind(v.email_verified)
            .bind(&v.image)
            .bind(now)
            .bind(now)
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
            .bind(v.email_verified)
            .bind(&v.image)
            .bind(now)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::user).transpose()?)
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        match (&self.sql.delete_user_cascade, cascade) {
            (Some(cascade), true) => {
                query(cascade).bind(id).execute(&self.pool).await?;
            }
            _ => {
                query(&self.sql.delete_user)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
            }
        }
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
            .bind(v.access_token_expires)
            .bind(now)
            .bind(now)
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
            .bind(v.expires)
            .bind(&v.session_token)
            .bind(&v.access_token)
            .bind(now)
            .bind(now)
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
            .bind(expires)
            .bind(now)
            .bind(id)
            .bind(session_token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::session).transpose()?)
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        query(&self.sql.delete_expired_session)
            .bind(id)
            .bind(now)
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
            .bind(v.expires)
            .bind(now)
            .bind(now)
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

/// A statement the PostgreSQL rendering always has; its absence is a typed error, not a
/// panic.
fn unreachable_statement<T>(name: &str) -> StoreResult<T> {
    Err(StoreError::Driver(
        format!("the PostgreSQL statement {name} was not rendered").into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_zone_is_read_from_options() {
        assert_eq!(
            time_zone_option("-c search_path=nx_1 -c TimeZone=Pacific/Chatham").as_deref(),
            Some("Pacific/Chatham")
        );
        assert_eq!(time_zone_option("-ctimezone=UTC").as_deref(), Some("UTC"));
        assert_eq!(
            time_zone_option("--TimeZone=+05:45").as_deref(),
            Some("+05:45")
        );
        assert_eq!(time_zone_option("-c search_path=x"), None);
    }
}

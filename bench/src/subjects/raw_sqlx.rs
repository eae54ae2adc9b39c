//! [`RawPg`] and [`RawMySql`]: the raw sqlx driver doing the minimal SQL of each flow.

use super::statements::{mysql, pg};
use super::{Flow, MAX_AGE_SECONDS, SECRET, Subject, flow_error, micros};
use crate::data::{PROVIDER, SeedUser};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter::{SessionPolicy, formulas};
use sqlx::{MySqlPool, PgPool};

/// A `users` row as the raw columns decode it.
type UserRow<T> = (
    i32,
    Option<String>,
    Option<String>,
    Option<T>,
    Option<String>,
    T,
    T,
);

/// A `sessions` row as the raw columns decode it.
type SessionRow<T> = (i32, i32, T, String, String, T, T);

/// The raw sqlx driver on PostgreSQL: one statement per step, prepared and cached per
/// connection, full rows decoded where the flow needs the record.
pub struct RawPg {
    pool: PgPool,
    policy: SessionPolicy,
}

impl RawPg {
    /// The column over `pool` (connected to the namespace).
    pub fn new(pool: PgPool, policy: SessionPolicy) -> Self {
        RawPg { pool, policy }
    }
}

#[async_trait]
impl Subject for RawPg {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "raw sqlx";
        let db = &self.pool;
        let now = micros(Utc::now());
        let e = |what: &'static str| BenchError::sql(format!("raw sqlx {}: {what}", flow.name()));
        match flow {
            Flow::SessionRead => {
                let s: SessionRow<DateTime<Utc>> = sqlx::query_as(pg::SESSION_BY_TOKEN)
                    .bind(&user.session_token)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select session"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                if now > s.2 || self.policy.is_update_due(s.2, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let _: UserRow<DateTime<Utc>> = sqlx::query_as(pg::USER_BY_ID)
                    .bind(s.1)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select user"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
            }
            Flow::OauthSignin => {
                let compound = formulas::compound_id(PROVIDER, &user.provider_account_id);
                let mut found = None;
                for _ in 0..2 {
                    let u: UserRow<DateTime<Utc>> = sqlx::query_as(pg::USER_BY_ACCOUNT)
                        .bind(&compound)
                        .fetch_optional(db)
                        .await
                        .map_err(e("select user by account"))?
                        .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                    found = Some(u.0);
                }
                let user_id = found.unwrap_or_default();
                insert_session_pg(db, user_id, &self.policy, now)
                    .await
                    .map_err(e("insert session"))?;
            }
            Flow::EmailSignin => {
                let hash = formulas::hash_token(token, SECRET);
                let expires = now + chrono::Duration::seconds(MAX_AGE_SECONDS);
                sqlx::query(pg::INSERT_VERIFICATION)
                    .bind(&user.email)
                    .bind(&hash)
                    .bind(expires)
                    .bind(now)
                    .execute(db)
                    .await
                    .map_err(e("insert verification"))?;
                let (got_expires,): (DateTime<Utc>,) = sqlx::query_as(pg::CONSUME_VERIFICATION)
                    .bind(&hash)
                    .bind(&user.email)
                    .fetch_optional(db)
                    .await
                    .map_err(e("consume verification"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no verification request"))?;
                if now > got_expires {
                    return Err(flow_error(S, flow.name(), "expired"));
                }
                sqlx::query(pg::DELETE_VERIFICATION)
                    .bind(&hash)
                    .bind(&user.email)
                    .execute(db)
                    .await
                    .map_err(e("delete verification"))?;
                let u: UserRow<DateTime<Utc>> = sqlx::query_as(pg::USER_BY_EMAIL)
                    .bind(&user.email)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select user by email"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                sqlx::query(pg::UPDATE_USER)
                    .bind(&u.1)
                    .bind(&u.2)
                    .bind(now)
                    .bind(&u.4)
                    .bind(now)
                    .bind(u.0)
                    .execute(db)
                    .await
                    .map_err(e("update user"))?;
                insert_session_pg(db, u.0, &self.policy, now)
                    .await
                    .map_err(e("insert session"))?;
            }
        }
        Ok(())
    }
}

async fn insert_session_pg(
    db: &PgPool,
    user_id: i32,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut rng = fastrand::Rng::new();
    sqlx::query(pg::INSERT_SESSION)
        .bind(user_id)
        .bind(micros(policy.expires_from(now)))
        .bind(crate::data::hex_token(&mut rng))
        .bind(crate::data::hex_token(&mut rng))
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// The raw sqlx driver on MySQL/MariaDB: the same steps with `?` placeholders and
/// `DATETIME(6)` values; the verification request is consumed with MariaDB's
/// `DELETE … RETURNING` (MySQL 8: a `SELECT … FOR UPDATE` and a `DELETE` in a transaction).
pub struct RawMySql {
    pool: MySqlPool,
    policy: SessionPolicy,
    delete_returning: bool,
}

impl RawMySql {
    /// The column over `pool`; `mariadb` when the server has `DELETE … RETURNING`.
    pub fn new(pool: MySqlPool, policy: SessionPolicy, mariadb: bool) -> Self {
        RawMySql {
            pool,
            policy,
            delete_returning: mariadb,
        }
    }
}

#[async_trait]
impl Subject for RawMySql {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "raw sqlx";
        let db = &self.pool;
        let now = micros(Utc::now());
        let naive = now.naive_utc();
        let e = |what: &'static str| BenchError::sql(format!("raw sqlx {}: {what}", flow.name()));
        match flow {
            Flow::SessionRead => {
                let s: SessionRow<NaiveDateTime> = sqlx::query_as(mysql::SESSION_BY_TOKEN)
                    .bind(&user.session_token)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select session"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                let expires = s.2.and_utc();
                if now > expires || self.policy.is_update_due(expires, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let _: UserRow<NaiveDateTime> = sqlx::query_as(mysql::USER_BY_ID)
                    .bind(s.1)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select user"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
            }
            Flow::OauthSignin => {
                let compound = formulas::compound_id(PROVIDER, &user.provider_account_id);
                let mut found = None;
                for _ in 0..2 {
                    let u: UserRow<NaiveDateTime> = sqlx::query_as(mysql::USER_BY_ACCOUNT)
                        .bind(&compound)
                        .fetch_optional(db)
                        .await
                        .map_err(e("select user by account"))?
                        .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                    found = Some(u.0);
                }
                insert_session_mysql(db, found.unwrap_or_default(), &self.policy, now)
                    .await
                    .map_err(e("insert session"))?;
            }
            Flow::EmailSignin => {
                let hash = formulas::hash_token(token, SECRET);
                let expires = (now + chrono::Duration::seconds(MAX_AGE_SECONDS)).naive_utc();
                sqlx::query(mysql::INSERT_VERIFICATION)
                    .bind(&user.email)
                    .bind(&hash)
                    .bind(expires)
                    .bind(naive)
                    .bind(naive)
                    .execute(db)
                    .await
                    .map_err(e("insert verification"))?;
                let got: Option<NaiveDateTime> = if self.delete_returning {
                    sqlx::query_scalar(mysql::CONSUME_VERIFICATION)
                        .bind(&hash)
                        .bind(&user.email)
                        .fetch_optional(db)
                        .await
                        .map_err(e("consume verification"))?
                } else {
                    let mut tx = db.begin().await.map_err(e("BEGIN"))?;
                    let row: Option<(i32, NaiveDateTime)> =
                        sqlx::query_as(mysql::LOCK_VERIFICATION)
                            .bind(&hash)
                            .bind(&user.email)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(e("select verification"))?;
                    if let Some((id, _)) = row {
                        sqlx::query(mysql::DELETE_VERIFICATION_BY_ID)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(e("delete verification"))?;
                    }
                    tx.commit().await.map_err(e("COMMIT"))?;
                    row.map(|(_, t)| t)
                };
                let got =
                    got.ok_or_else(|| flow_error(S, flow.name(), "no verification request"))?;
                if now > got.and_utc() {
                    return Err(flow_error(S, flow.name(), "expired"));
                }
                sqlx::query(mysql::DELETE_VERIFICATION)
                    .bind(&hash)
                    .bind(&user.email)
                    .execute(db)
                    .await
                    .map_err(e("delete verification"))?;
                let u: UserRow<NaiveDateTime> = sqlx::query_as(mysql::USER_BY_EMAIL)
                    .bind(&user.email)
                    .fetch_optional(db)
                    .await
                    .map_err(e("select user by email"))?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                sqlx::query(mysql::UPDATE_USER)
                    .bind(&u.1)
                    .bind(&u.2)
                    .bind(naive)
                    .bind(&u.4)
                    .bind(naive)
                    .bind(u.0)
                    .execute(db)
                    .await
                    .map_err(e("update user"))?;
                insert_session_mysql(db, u.0, &self.policy, now)
                    .await
                    .map_err(e("insert session"))?;
            }
        }
        Ok(())
    }
}

async fn insert_session_mysql(
    db: &MySqlPool,
    user_id: i32,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut rng = fastrand::Rng::new();
    sqlx::query(mysql::INSERT_SESSION)
        .bind(user_id)
        .bind(micros(policy.expires_from(now)).naive_utc())
        .bind(crate::data::hex_token(&mut rng))
        .bind(crate::data::hex_token(&mut rng))
        .bind(now.naive_utc())
        .bind(now.naive_utc())
        .execute(db)
        .await?;
    Ok(())
}

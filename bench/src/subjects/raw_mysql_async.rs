//! [`RawMysqlAsync`]: the MySQL/MariaDB floor on mysql_async, the same statements as the sqlx
//! floor, so that the two drivers are compared on equal work.

use super::statements::mysql;
use super::{Flow, MAX_AGE_SECONDS, SECRET, Subject, flow_error, micros};
use crate::data::{PROVIDER, SeedUser, hex_token};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::{FromRow, Queryable};
use mysql_async::{Conn, Params, Pool};
use nextauth_adapter::{SessionPolicy, formulas};
use nextauth_adapter_mysql::MysqlAsyncStore;
use nextauth_adapter_sql::{ConnectStore, SqlOptions};

const S: &str = "raw mysql_async";

/// A `users` row, decoded in full.
type UserRow = (
    i32,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

/// A `sessions` row, decoded in full.
type SessionRow = (
    i32,
    i32,
    NaiveDateTime,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
);

/// The mysql_async floor: one statement per step in the binary protocol, each prepared once
/// per connection (the driver's statement cache), full rows decoded where the flow needs
/// the record; the verification request consumed as the sqlx floor does.
pub struct RawMysqlAsync {
    pool: Pool,
    policy: SessionPolicy,
    delete_returning: bool,
}

impl RawMysqlAsync {
    /// The column over a pool of at most `size` connections to `url` (the namespace's URL),
    /// one made now so that an unreachable server fails here; `mariadb` when the server has
    /// `DELETE … RETURNING`.
    pub async fn connect(
        url: &str,
        size: u32,
        policy: SessionPolicy,
        mariadb: bool,
    ) -> Result<Self, BenchError> {
        // The store's own pool: the same URL reading, session set-up and pool shape
        // (TCP as given, idle connections kept, prepared statements kept across checkouts).
        let options = SqlOptions {
            max_connections: Some(size),
            ..SqlOptions::default()
        };
        let pool = MysqlAsyncStore::open_pool(url, &options)
            .await
            .map_err(|source| BenchError::Driver {
                subject: S,
                what: "connecting",
                source,
            })?;
        Ok(RawMysqlAsync {
            pool,
            policy,
            delete_returning: mariadb,
        })
    }

    async fn conn(&self) -> Result<Conn, BenchError> {
        self.pool
            .get_conn()
            .await
            .map_err(|e| BenchError::driver(S, "a pooled connection", e))
    }

    async fn first<T: FromRow + Send + 'static>(
        &self,
        what: &'static str,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<Option<T>, BenchError> {
        self.conn()
            .await?
            .exec_first(sql, params)
            .await
            .map_err(|e| BenchError::driver(S, what, e))
    }

    async fn exec(
        &self,
        what: &'static str,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<(), BenchError> {
        self.conn()
            .await?
            .exec_drop(sql, params)
            .await
            .map_err(|e| BenchError::driver(S, what, e))
    }

    async fn insert_session(&self, user_id: i32, now: DateTime<Utc>) -> Result<(), BenchError> {
        let mut rng = fastrand::Rng::new();
        let expires = micros(self.policy.expires_from(now)).naive_utc();
        self.exec(
            "insert session",
            mysql::INSERT_SESSION,
            (
                user_id,
                expires,
                hex_token(&mut rng),
                hex_token(&mut rng),
                now.naive_utc(),
                now.naive_utc(),
            ),
        )
        .await
    }

    /// Consumes the request (one `DELETE … RETURNING` on MariaDB; a locking read and a
    /// delete in a transaction on MySQL 8), returning its expiry.
    async fn consume(&self, hash: &str, email: &str) -> Result<Option<NaiveDateTime>, BenchError> {
        if self.delete_returning {
            return self
                .first(
                    "consume verification",
                    mysql::CONSUME_VERIFICATION,
                    (hash, email),
                )
                .await;
        }
        let e = |what| move |e| BenchError::driver(S, what, e);
        let mut conn = self.conn().await?;
        let mut tx = conn
            .start_transaction(mysql_async::TxOpts::default())
            .await
            .map_err(e("BEGIN"))?;
        let row: Option<(i32, NaiveDateTime)> = tx
            .exec_first(mysql::LOCK_VERIFICATION, (hash, email))
            .await
            .map_err(e("select verification"))?;
        if let Some((id, _)) = row {
            tx.exec_drop(mysql::DELETE_VERIFICATION_BY_ID, (id,))
                .await
                .map_err(e("delete verification"))?;
        }
        tx.commit().await.map_err(e("COMMIT"))?;
        Ok(row.map(|(_, t)| t))
    }
}

#[async_trait]
impl Subject for RawMysqlAsync {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        let now = micros(Utc::now());
        let naive = now.naive_utc();
        let missing = |what: &str| flow_error(S, flow.name(), format!("no {what}"));
        match flow {
            Flow::SessionRead => {
                let s: SessionRow = self
                    .first(
                        "select session",
                        mysql::SESSION_BY_TOKEN,
                        (user.session_token.as_str(),),
                    )
                    .await?
                    .ok_or_else(|| missing("session"))?;
                let expires = s.2.and_utc();
                if now > expires || self.policy.is_update_due(expires, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let _: UserRow = self
                    .first("select user", mysql::USER_BY_ID, (s.1,))
                    .await?
                    .ok_or_else(|| missing("user"))?;
            }
            Flow::OauthSignin => {
                let compound = formulas::compound_id(PROVIDER, &user.provider_account_id);
                let mut found = 0;
                for _ in 0..2 {
                    let u: UserRow = self
                        .first(
                            "select user by account",
                            mysql::USER_BY_ACCOUNT,
                            (compound.as_str(),),
                        )
                        .await?
                        .ok_or_else(|| missing("user"))?;
                    found = u.0;
                }
                self.insert_session(found, now).await?;
            }
            Flow::EmailSignin => {
                let hash = formulas::hash_token(token, SECRET);
                let expires = (now + chrono::Duration::seconds(MAX_AGE_SECONDS)).naive_utc();
                self.exec(
                    "insert verification",
                    mysql::INSERT_VERIFICATION,
                    (user.email.as_str(), hash.as_str(), expires, naive, naive),
                )
                .await?;
                let got = self
                    .consume(&hash, &user.email)
                    .await?
                    .ok_or_else(|| missing("verification request"))?;
                if now > got.and_utc() {
                    return Err(flow_error(S, flow.name(), "expired"));
                }
                self.exec(
                    "delete verification",
                    mysql::DELETE_VERIFICATION,
                    (hash.as_str(), user.email.as_str()),
                )
                .await?;
                let u: UserRow = self
                    .first(
                        "select user by email",
                        mysql::USER_BY_EMAIL,
                        (user.email.as_str(),),
                    )
                    .await?
                    .ok_or_else(|| missing("user"))?;
                self.exec(
                    "update user",
                    mysql::UPDATE_USER,
                    (u.1, u.2, naive, u.4, naive, u.0),
                )
                .await?;
                self.insert_session(u.0, now).await?;
            }
        }
        Ok(())
    }
}

//! [`RawTokioPg`]: the PostgreSQL floor on tokio-postgres (pooled by deadpool-postgres), the
//! same statements as the sqlx floor, so that the two drivers are compared on equal work.

use super::statements::pg;
use super::{Flow, MAX_AGE_SECONDS, SECRET, Subject, flow_error, micros};
use crate::data::{PROVIDER, SeedUser, hex_token};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Object, Pool};
use nextauth_adapter::{SessionPolicy, formulas};
use nextauth_adapter_postgres::TokioPostgresStore;
use nextauth_adapter_sql::{ConnectStore, SqlOptions};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement};

const S: &str = "raw tokio-postgres";

/// The tokio-postgres floor: one statement per step, each prepared once per connection
/// (`prepare_cached`), full rows decoded where the flow needs the record.
pub struct RawTokioPg {
    pool: Pool,
    policy: SessionPolicy,
}

impl RawTokioPg {
    /// The column over a pool of `size` connections to `url` (the namespace's URL), one of
    /// them made now so that an unreachable server fails here: the pool our PostgreSQL store
    /// opens (deadpool's `Fast` recycling, no check on checkout, as the sqlx floor's pool).
    pub async fn connect(url: &str, size: u32, policy: SessionPolicy) -> Result<Self, BenchError> {
        let options = SqlOptions {
            max_connections: Some(size),
            ..SqlOptions::default()
        };
        let pool = TokioPostgresStore::open_pool(url, &options)
            .await
            .map_err(|source| BenchError::Driver {
                subject: S,
                what: "connecting",
                source,
            })?;
        Ok(RawTokioPg { pool, policy })
    }

    async fn client(&self) -> Result<Object, BenchError> {
        self.pool
            .get()
            .await
            .map_err(|e| BenchError::driver(S, "a pooled connection", e))
    }

    /// A pooled connection and `sql` prepared on it (once per connection).
    async fn prepared(
        &self,
        what: &'static str,
        sql: &str,
    ) -> Result<(Object, Statement), BenchError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(sql)
            .await
            .map_err(|e| BenchError::driver(S, what, e))?;
        Ok((client, statement))
    }

    /// Runs `sql` and returns at most one row.
    async fn opt(
        &self,
        what: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, BenchError> {
        let (client, statement) = self.prepared(what, sql).await?;
        client
            .query_opt(&statement, params)
            .await
            .map_err(|e| BenchError::driver(S, what, e))
    }

    /// Runs `sql` for its effect.
    async fn exec(
        &self,
        what: &'static str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, BenchError> {
        let (client, statement) = self.prepared(what, sql).await?;
        client
            .execute(&statement, params)
            .await
            .map_err(|e| BenchError::driver(S, what, e))
    }

    async fn insert_session(&self, user_id: i32, now: DateTime<Utc>) -> Result<(), BenchError> {
        let mut rng = fastrand::Rng::new();
        let expires = micros(self.policy.expires_from(now));
        let (session, access) = (hex_token(&mut rng), hex_token(&mut rng));
        self.exec(
            "insert session",
            pg::INSERT_SESSION,
            &[&user_id, &expires, &session, &access, &now],
        )
        .await?;
        Ok(())
    }
}

/// A `users` row decoded in full, as the record needs it.
struct UserRow {
    id: i32,
    name: Option<String>,
    email: Option<String>,
    image: Option<String>,
}

fn user_row(row: &Row) -> Result<UserRow, BenchError> {
    let e = |e| BenchError::driver(S, "decoding a user", e);
    let _: Option<DateTime<Utc>> = row.try_get(3).map_err(e)?;
    let _: DateTime<Utc> = row.try_get(5).map_err(e)?;
    let _: DateTime<Utc> = row.try_get(6).map_err(e)?;
    Ok(UserRow {
        id: row.try_get(0).map_err(e)?,
        name: row.try_get(1).map_err(e)?,
        email: row.try_get(2).map_err(e)?,
        image: row.try_get(4).map_err(e)?,
    })
}

#[async_trait]
impl Subject for RawTokioPg {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        let now = micros(Utc::now());
        let missing = |what: &str| flow_error(S, flow.name(), format!("no {what}"));
        match flow {
            Flow::SessionRead => {
                let row = self
                    .opt(
                        "select session",
                        pg::SESSION_BY_TOKEN,
                        &[&user.session_token],
                    )
                    .await?
                    .ok_or_else(|| missing("session"))?;
                let e = |e| BenchError::driver(S, "decoding a session", e);
                let user_id: i32 = row.try_get(1).map_err(e)?;
                let expires: DateTime<Utc> = row.try_get(2).map_err(e)?;
                let _: (i32, String, String) = (
                    row.try_get(0).map_err(e)?,
                    row.try_get(3).map_err(e)?,
                    row.try_get(4).map_err(e)?,
                );
                let _: (DateTime<Utc>, DateTime<Utc>) =
                    (row.try_get(5).map_err(e)?, row.try_get(6).map_err(e)?);
                if now > expires || self.policy.is_update_due(expires, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let row = self
                    .opt("select user", pg::USER_BY_ID, &[&user_id])
                    .await?
                    .ok_or_else(|| missing("user"))?;
                user_row(&row)?;
            }
            Flow::OauthSignin => {
                let compound = formulas::compound_id(PROVIDER, &user.provider_account_id);
                let mut found = 0;
                for _ in 0..2 {
                    let row = self
                        .opt("select user by account", pg::USER_BY_ACCOUNT, &[&compound])
                        .await?
                        .ok_or_else(|| missing("user"))?;
                    found = user_row(&row)?.id;
                }
                self.insert_session(found, now).await?;
            }
            Flow::EmailSignin => {
                let hash = formulas::hash_token(token, SECRET);
                let expires = now + chrono::Duration::seconds(MAX_AGE_SECONDS);
                self.exec(
                    "insert verification",
                    pg::INSERT_VERIFICATION,
                    &[&user.email, &hash, &expires, &now],
                )
                .await?;
                let row = self
                    .opt(
                        "consume verification",
                        pg::CONSUME_VERIFICATION,
                        &[&hash, &user.email],
                    )
                    .await?
                    .ok_or_else(|| missing("verification request"))?;
                let got: DateTime<Utc> = row
                    .try_get(0)
                    .map_err(|e| BenchError::driver(S, "decoding expires", e))?;
                if now > got {
                    return Err(flow_error(S, flow.name(), "expired"));
                }
                self.exec(
                    "delete verification",
                    pg::DELETE_VERIFICATION,
                    &[&hash, &user.email],
                )
                .await?;
                let row = self
                    .opt("select user by email", pg::USER_BY_EMAIL, &[&user.email])
                    .await?
                    .ok_or_else(|| missing("user"))?;
                let u = user_row(&row)?;
                self.exec(
                    "update user",
                    pg::UPDATE_USER,
                    &[&u.name, &u.email, &now, &u.image, &now, &u.id],
                )
                .await?;
                self.insert_session(u.id, now).await?;
            }
        }
        Ok(())
    }
}

//! The three columns of the comparison, each running the same three v3 core flows:
//!
//! - [`Ours`]: our adapter (`SqlAdapter` over sqlx) through the contract's `Adapter` trait;
//! - [`RawPg`] / [`RawMySql`]: the raw sqlx driver doing the minimal SQL of each flow with the
//!   same semantics (expiry and the update-due rule decided in Rust, the verification token
//!   hashed, the request consumed in one statement), the floor;
//! - [`Peer`]: next-auth@3's default TypeORM adapter, called over the process bridge exactly
//!   as v3 core calls it (records passed back as returned).

use crate::data::{PROVIDER, SeedUser};
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter::{
    EmailProvider, Method, SendError, SessionPolicy, SharedAdapter, TimestampPrecision,
    VerificationMessage, VerificationSender, formulas,
};
use nextauth_adapter_bridge::BridgeProcess;
use nextauth_adapter_bridge::protocol::Call;
use serde_json::{Value, json};
use sqlx::{MySqlPool, PgPool};
use std::sync::Arc;

/// The application secret every column hashes verification tokens with.
pub const SECRET: &str = "bench-secret";

/// The sign-in URL sent with each verification request.
const URL: &str = "http://localhost:3000/api/auth/callback/email";

/// The email provider's `maxAge`: one day, v3's default.
const MAX_AGE_SECONDS: i64 = 86_400;

/// One of v3 core's flows, as the benchmark runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Flow {
    /// `get_session` → `update_session` (not due) → `get_user`, with an existing token.
    SessionRead,
    /// `get_user_by_provider_account_id` twice → `create_session`.
    OauthSignin,
    /// Create, get and delete a verification request → `get_user_by_email` →
    /// `update_user` → `create_session`.
    EmailSignin,
}

impl Flow {
    /// The flow's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Flow::SessionRead => "session read",
            Flow::OauthSignin => "OAuth sign-in",
            Flow::EmailSignin => "email sign-in",
        }
    }
}

/// A column of the comparison: runs one flow for one seeded user.
#[async_trait]
pub trait Subject: Send + Sync {
    /// Runs `flow` for `user`; `token` is a fresh verification token (email sign-in).
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError>;
}

fn flow_error(subject: &'static str, flow: &'static str, detail: impl Into<String>) -> BenchError {
    BenchError::Flow {
        subject,
        flow,
        detail: detail.into(),
    }
}

/// A sender that accepts every message (the benchmark measures the adapter, not e-mail).
#[derive(Debug)]
struct NullSender;

#[async_trait]
impl VerificationSender for NullSender {
    async fn send(&self, _message: VerificationMessage) -> Result<(), SendError> {
        Ok(())
    }
}

/// Our adapter, through the contract.
pub struct Ours {
    adapter: SharedAdapter,
    provider: EmailProvider,
}

impl Ours {
    /// The column over `adapter`.
    pub fn new(adapter: SharedAdapter) -> Self {
        let mut provider = EmailProvider::new(Arc::new(NullSender));
        provider.max_age = chrono::Duration::seconds(MAX_AGE_SECONDS);
        Ours { adapter, provider }
    }
}

#[async_trait]
impl Subject for Ours {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "ours";
        let a = &*self.adapter;
        match flow {
            Flow::SessionRead => {
                let mut session = a
                    .get_session(Some(&user.session_token))
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                if a.update_session(&mut session, false).await?.is_some() {
                    return Err(flow_error(S, flow.name(), "the update was due"));
                }
                a.get_user(&session.user_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
            }
            Flow::OauthSignin => {
                a.get_user_by_provider_account_id(PROVIDER, &user.provider_account_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                let found = a
                    .get_user_by_provider_account_id(PROVIDER, &user.provider_account_id)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                a.create_session(&found).await?;
            }
            Flow::EmailSignin => {
                let p = &self.provider;
                a.create_verification_request(&user.email, URL, token, SECRET, p)
                    .await?;
                a.get_verification_request(&user.email, token, SECRET, p)
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no verification request"))?;
                a.delete_verification_request(&user.email, token, SECRET, p)
                    .await?;
                let mut found = a
                    .get_user_by_email(Some(&user.email))
                    .await?
                    .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                found.email_verified = Some(Utc::now());
                let updated = a.update_user(&found).await?;
                a.create_session(&updated).await?;
            }
        }
        Ok(())
    }
}

/// `t` at the precision the columns store (microseconds).
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    TimestampPrecision::Microsecond.apply(t)
}

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
        const S: &str = "raw";
        let db = &self.pool;
        let now = micros(Utc::now());
        let e = |what: &'static str| BenchError::sql(format!("raw {}: {what}", flow.name()));
        match flow {
            Flow::SessionRead => {
                let s: SessionRow<DateTime<Utc>> = sqlx::query_as(
                    "SELECT id, user_id, expires, session_token, access_token, created_at, updated_at \
                     FROM sessions WHERE session_token = $1",
                )
                .bind(&user.session_token)
                .fetch_optional(db)
                .await
                .map_err(e("select session"))?
                .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                if now > s.2 || self.policy.is_update_due(s.2, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let _: UserRow<DateTime<Utc>> = sqlx::query_as(
                    "SELECT id, name, email, email_verified, image, created_at, updated_at \
                     FROM users WHERE id = $1",
                )
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
                    let u: UserRow<DateTime<Utc>> = sqlx::query_as(
                        "SELECT u.id, u.name, u.email, u.email_verified, u.image, u.created_at, u.updated_at \
                         FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.compound_id = $1",
                    )
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
                sqlx::query(
                    "INSERT INTO verification_requests (identifier, token, expires, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(&user.email)
                .bind(&hash)
                .bind(expires)
                .bind(now)
                .execute(db)
                .await
                .map_err(e("insert verification"))?;
                let (got_expires,): (DateTime<Utc>,) = sqlx::query_as(
                    "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2 RETURNING expires",
                )
                .bind(&hash)
                .bind(&user.email)
                .fetch_optional(db)
                .await
                .map_err(e("consume verification"))?
                .ok_or_else(|| flow_error(S, flow.name(), "no verification request"))?;
                if now > got_expires {
                    return Err(flow_error(S, flow.name(), "expired"));
                }
                sqlx::query(
                    "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2",
                )
                .bind(&hash)
                .bind(&user.email)
                .execute(db)
                .await
                .map_err(e("delete verification"))?;
                let u: UserRow<DateTime<Utc>> = sqlx::query_as(
                    "SELECT id, name, email, email_verified, image, created_at, updated_at \
                     FROM users WHERE email = $1",
                )
                .bind(&user.email)
                .fetch_optional(db)
                .await
                .map_err(e("select user by email"))?
                .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                sqlx::query(
                    "UPDATE users SET name = $1, email = $2, email_verified = $3, image = $4, updated_at = $5 \
                     WHERE id = $6",
                )
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
    sqlx::query(
        "INSERT INTO sessions (user_id, expires, session_token, access_token, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
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
        const S: &str = "raw";
        let db = &self.pool;
        let now = micros(Utc::now());
        let naive = now.naive_utc();
        let e = |what: &'static str| BenchError::sql(format!("raw {}: {what}", flow.name()));
        match flow {
            Flow::SessionRead => {
                let s: SessionRow<NaiveDateTime> = sqlx::query_as(
                    "SELECT id, user_id, expires, session_token, access_token, created_at, updated_at \
                     FROM sessions WHERE session_token = ?",
                )
                .bind(&user.session_token)
                .fetch_optional(db)
                .await
                .map_err(e("select session"))?
                .ok_or_else(|| flow_error(S, flow.name(), "no session"))?;
                let expires = s.2.and_utc();
                if now > expires || self.policy.is_update_due(expires, now) {
                    return Err(flow_error(S, flow.name(), "expired or due"));
                }
                let _: UserRow<NaiveDateTime> = sqlx::query_as(
                    "SELECT id, name, email, email_verified, image, created_at, updated_at \
                     FROM users WHERE id = ?",
                )
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
                    let u: UserRow<NaiveDateTime> = sqlx::query_as(
                        "SELECT u.id, u.name, u.email, u.email_verified, u.image, u.created_at, u.updated_at \
                         FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.compound_id = ?",
                    )
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
                sqlx::query(
                    "INSERT INTO verification_requests (identifier, token, expires, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(&user.email)
                .bind(&hash)
                .bind(expires)
                .bind(naive)
                .bind(naive)
                .execute(db)
                .await
                .map_err(e("insert verification"))?;
                let got: Option<NaiveDateTime> = if self.delete_returning {
                    sqlx::query_scalar(
                        "DELETE FROM verification_requests WHERE token = ? AND identifier = ? RETURNING expires",
                    )
                    .bind(&hash)
                    .bind(&user.email)
                    .fetch_optional(db)
                    .await
                    .map_err(e("consume verification"))?
                } else {
                    let mut tx = db.begin().await.map_err(e("BEGIN"))?;
                    let row: Option<(i32, NaiveDateTime)> = sqlx::query_as(
                        "SELECT id, expires FROM verification_requests WHERE token = ? AND identifier = ? FOR UPDATE",
                    )
                    .bind(&hash)
                    .bind(&user.email)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(e("select verification"))?;
                    if let Some((id, _)) = row {
                        sqlx::query("DELETE FROM verification_requests WHERE id = ?")
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
                sqlx::query("DELETE FROM verification_requests WHERE token = ? AND identifier = ?")
                    .bind(&hash)
                    .bind(&user.email)
                    .execute(db)
                    .await
                    .map_err(e("delete verification"))?;
                let u: UserRow<NaiveDateTime> = sqlx::query_as(
                    "SELECT id, name, email, email_verified, image, created_at, updated_at \
                     FROM users WHERE email = ?",
                )
                .bind(&user.email)
                .fetch_optional(db)
                .await
                .map_err(e("select user by email"))?
                .ok_or_else(|| flow_error(S, flow.name(), "no user"))?;
                sqlx::query(
                    "UPDATE users SET name = ?, email = ?, email_verified = ?, image = ?, updated_at = ? \
                     WHERE id = ?",
                )
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
    sqlx::query(
        "INSERT INTO sessions (user_id, expires, session_token, access_token, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
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

/// next-auth@3's default adapter in the bridge's Node child, one fixture opened over the
/// seeded namespace. Calls are sent as v3 core makes them (records passed back as the
/// adapter returned them); the bridge's own extra read after `createVerificationRequest`
/// (which the contract needs and v3 core does not) is not made.
pub struct Peer {
    process: Arc<BridgeProcess>,
    fixture: String,
    provider: Value,
}

impl Peer {
    /// The column over the open `fixture` of `process`.
    pub fn new(process: Arc<BridgeProcess>, fixture: String) -> Self {
        Peer {
            process,
            fixture,
            provider: json!({ "id": "email", "maxAge": MAX_AGE_SECONDS }),
        }
    }

    async fn call(&self, method: Method, args: Value) -> Result<Value, BenchError> {
        let now = Utc::now().timestamp_micros();
        let reply = self
            .process
            .request(Call::Adapter(method), Some(&self.fixture), Some(now), args)
            .await?;
        if let Some(e) = reply.error {
            return Err(BenchError::Peer {
                method: method.js_name(),
                kind: e.kind,
                message: e.message,
            });
        }
        Ok(reply.ok.unwrap_or(Value::Null))
    }
}

#[async_trait]
impl Subject for Peer {
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError> {
        const S: &str = "next-auth";
        let missing = |what: &str| flow_error(S, flow.name(), format!("no {what}"));
        match flow {
            Flow::SessionRead => {
                let session = self
                    .call(Method::GetSession, json!([user.session_token]))
                    .await?;
                if session.is_null() {
                    return Err(missing("session"));
                }
                let user_id = session["userId"].clone();
                let updated = self
                    .call(Method::UpdateSession, json!([session, false]))
                    .await?;
                if !updated["returned"].is_null() {
                    return Err(flow_error(S, flow.name(), "the update was due"));
                }
                if self
                    .call(Method::GetUser, json!([user_id]))
                    .await?
                    .is_null()
                {
                    return Err(missing("user"));
                }
            }
            Flow::OauthSignin => {
                let args = json!([PROVIDER, user.provider_account_id]);
                self.call(Method::GetUserByProviderAccountId, args.clone())
                    .await?;
                let found = self.call(Method::GetUserByProviderAccountId, args).await?;
                if found.is_null() {
                    return Err(missing("user"));
                }
                self.call(Method::CreateSession, json!([found])).await?;
            }
            Flow::EmailSignin => {
                let p = &self.provider;
                self.call(
                    Method::CreateVerificationRequest,
                    json!([user.email, URL, token, SECRET, p]),
                )
                .await?;
                let got = self
                    .call(
                        Method::GetVerificationRequest,
                        json!([user.email, token, SECRET, p]),
                    )
                    .await?;
                if got.is_null() {
                    return Err(missing("verification request"));
                }
                self.call(
                    Method::DeleteVerificationRequest,
                    json!([user.email, token, SECRET, p]),
                )
                .await?;
                let mut found = self
                    .call(Method::GetUserByEmail, json!([user.email]))
                    .await?;
                if found.is_null() {
                    return Err(missing("user"));
                }
                found["emailVerified"] = json!(Utc::now().to_rfc3339());
                let updated = self.call(Method::UpdateUser, json!([found])).await?;
                let for_session = if updated.is_null() { found } else { updated };
                self.call(Method::CreateSession, json!([for_session]))
                    .await?;
            }
        }
        Ok(())
    }
}

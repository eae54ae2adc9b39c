//! The seeded data set: `n` users, each with one OAuth account and one live session, written
//! with multi-row `INSERT`s exactly as our adapter would write them (same columns, same
//! driver types, instants at the declared microsecond precision), then checked by reading a
//! few rows back through our adapter.

use crate::error::BenchError;
use chrono::{DateTime, Utc};
use nextauth_adapter::{Adapter, SessionPolicy, TimestampPrecision, User, formulas};
use nextauth_adapter_testkit::{Namespace, Server};
use sqlx::{Connection, MySqlConnection, PgConnection, QueryBuilder, SqliteConnection};
use std::fmt::Write as _;

/// The OAuth provider every seeded account belongs to.
pub const PROVIDER: &str = "github";

/// Rows per multi-row `INSERT` (10 columns × 500 stays under every server's bind limit).
const BATCH: usize = 500;

/// One seeded user and what the flows look it up by.
#[derive(Debug, Clone)]
pub struct SeedUser {
    /// `users.id`.
    pub id: i64,
    /// `users.email`, unique.
    pub email: String,
    /// The account's `provider_account_id` (provider [`PROVIDER`]).
    pub provider_account_id: String,
    /// The live session's token.
    pub session_token: String,
}

/// What the flows pick from at random.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The seeded users, in id order.
    pub users: Vec<SeedUser>,
    /// The instant every seeded row was written at.
    pub written_at: DateTime<Utc>,
}

/// 64 lowercase hex digits, like [`formulas::random_token`] but from a fast seeded generator
/// (the benchmark draws one per email sign-in and must not measure the OS's random source).
pub fn hex_token(rng: &mut fastrand::Rng) -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        let _ = write!(s, "{:016x}", rng.u64(..));
    }
    s
}

/// What the session token of seeded user `i` hashes: this prefix, then `i` in decimal.
pub const SESSION_TOKEN_PREFIX: &str = "nextauth-bench session ";

/// The session token of seeded user `i` (0-based): SHA-256 of [`SESSION_TOKEN_PREFIX`] and
/// `i`, as 64 lowercase hex digits (the shape of a v3 token), so that a load tool can compute
/// it from `i` in SQL (see `limit`) and look the session up by the same statement.
pub fn session_token(i: usize) -> String {
    formulas::hash_token(&format!("{SESSION_TOKEN_PREFIX}{i}"), "")
}

/// The values of seeded user `i` (0-based): `bench user i`, `u<i>@bench.example`.
fn user_values(i: usize) -> (String, String) {
    (format!("bench user {i}"), format!("u{i}@bench.example"))
}

/// Seeds `n` users, accounts and sessions into the (empty) namespace at instant `now` under
/// `policy`, in one transaction, and returns what the flows need.
pub async fn seed(
    ns: &Namespace,
    n: usize,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Dataset, BenchError> {
    let now = TimestampPrecision::Microsecond.apply(now);
    let expires = TimestampPrecision::Microsecond.apply(policy.expires_from(now));
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let tokens: Vec<(String, String)> = (0..n)
        .map(|i| (session_token(i), hex_token(&mut rng)))
        .collect();
    // The same macro body for each driver; only the instant's bound type differs, and it is
    // the type our store for that server binds (PostgreSQL `TIMESTAMPTZ` from
    // `DateTime<Utc>`, MySQL `DATETIME(6)` from `NaiveDateTime`, SQLite fixed-width text).
    macro_rules! seed_with {
        ($conn:ty, $ids:expr, $ts:expr) => {{
            let ts = $ts;
            let mut conn = <$conn>::connect(ns.url())
                .await
                .map_err(BenchError::sql("connecting to seed"))?;
            let mut tx = conn.begin().await.map_err(BenchError::sql("BEGIN"))?;
            for chunk in (0..n).collect::<Vec<_>>().chunks(BATCH) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO users (name, email, email_verified, image, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, &i| {
                    let (name, email) = user_values(i);
                    b.push_bind(name)
                        .push_bind(email)
                        .push_bind(None::<DateTime<Utc>>.map(ts))
                        .push_bind(None::<String>)
                        .push_bind(ts(now))
                        .push_bind(ts(now));
                });
                q.build()
                    .execute(&mut *tx)
                    .await
                    .map_err(BenchError::sql("seeding users"))?;
            }
            let ids: Vec<(String, i64)> = sqlx::query_as($ids)
                .fetch_all(&mut *tx)
                .await
                .map_err(BenchError::sql("reading seeded ids"))?;
            let by_email: std::collections::HashMap<String, i64> = ids.into_iter().collect();
            let mut users = Vec::with_capacity(n);
            for i in 0..n {
                let (_, email) = user_values(i);
                let id = *by_email
                    .get(&email)
                    .ok_or_else(|| BenchError::Seed(format!("user {email} was not stored")))?;
                users.push(SeedUser {
                    id,
                    email,
                    provider_account_id: i.to_string(),
                    session_token: tokens[i].0.clone(),
                });
            }
            for chunk in users.chunks(BATCH) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO accounts (compound_id, user_id, provider_type, provider_id, \
                     provider_account_id, refresh_token, access_token, access_token_expires, \
                     created_at, updated_at) ",
                );
                q.push_values(chunk, |mut b, u| {
                    b.push_bind(formulas::compound_id(PROVIDER, &u.provider_account_id))
                        .push_bind(i32::try_from(u.id).unwrap_or(i32::MAX))
                        .push_bind("oauth")
                        .push_bind(PROVIDER)
                        .push_bind(u.provider_account_id.clone())
                        .push_bind(None::<String>)
                        .push_bind(None::<String>)
                        .push_bind(None::<DateTime<Utc>>.map(ts))
                        .push_bind(ts(now))
                        .push_bind(ts(now));
                });
                q.build()
                    .execute(&mut *tx)
                    .await
                    .map_err(BenchError::sql("seeding accounts"))?;
            }
            for (chunk, toks) in users.chunks(BATCH).zip(tokens.chunks(BATCH)) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO sessions (user_id, expires, session_token, access_token, \
                     created_at, updated_at) ",
                );
                q.push_values(chunk.iter().zip(toks), |mut b, (u, (session, access))| {
                    b.push_bind(i32::try_from(u.id).unwrap_or(i32::MAX))
                        .push_bind(ts(expires))
                        .push_bind(session.clone())
                        .push_bind(access.clone())
                        .push_bind(ts(now))
                        .push_bind(ts(now));
                });
                q.build()
                    .execute(&mut *tx)
                    .await
                    .map_err(BenchError::sql("seeding sessions"))?;
            }
            tx.commit().await.map_err(BenchError::sql("COMMIT"))?;
            let _ = conn.close().await;
            users
        }};
    }
    let users = match ns.server() {
        Server::Postgres => seed_with!(
            PgConnection,
            "SELECT email, CAST(id AS BIGINT) FROM users",
            |t: DateTime<Utc>| t
        ),
        Server::MySql => seed_with!(
            MySqlConnection,
            "SELECT email, CAST(id AS SIGNED) FROM users",
            |t: DateTime<Utc>| t.naive_utc()
        ),
        Server::Sqlite => seed_with!(
            SqliteConnection,
            "SELECT email, id FROM users",
            |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
        ),
        // Refused when the command line is read (`server` in main.rs).
        Server::MsSql => {
            return Err(BenchError::NotBenchmarked("SQL Server"));
        }
    };
    Ok(Dataset {
        users,
        written_at: now,
    })
}

/// Reads seeded rows back through our adapter and compares them with what it would have
/// written itself: a user, the user behind an account, a session.
pub async fn check(adapter: &dyn Adapter, data: &Dataset) -> Result<(), BenchError> {
    let now = data.written_at;
    for (i, u) in data
        .users
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i == data.users.len() / 2 || *i + 1 == data.users.len())
    {
        let (name, email) = user_values(i);
        let expected = User {
            id: u.id.to_string(),
            name: Some(name),
            email: Some(email),
            email_verified: None,
            image: None,
            created_at: now,
            updated_at: now,
        };
        let got = adapter.get_user(&expected.id).await?;
        if got.as_ref() != Some(&expected) {
            return Err(BenchError::Seed(format!(
                "user {i}: expected {expected:?}, read {got:?}"
            )));
        }
        let by_account = adapter
            .get_user_by_provider_account_id(PROVIDER, &u.provider_account_id)
            .await?;
        if by_account.as_ref() != Some(&expected) {
            return Err(BenchError::Seed(format!(
                "account of user {i}: read {by_account:?}"
            )));
        }
        let session = adapter
            .get_session(Some(&u.session_token))
            .await?
            .ok_or_else(|| BenchError::Seed(format!("session of user {i} not found")))?;
        if session.user_id != expected.id || session.created_at != now {
            return Err(BenchError::Seed(format!(
                "session of user {i}: read {session:?}"
            )));
        }
    }
    Ok(())
}

//! The columns of the comparison that run each flow in this process, one flow at a time for
//! one seeded user (see `measure::run_cell`):
//!
//! - [`Ours`]: our adapter (`SqlAdapter` over sqlx) through the contract's `Adapter` trait;
//! - [`RawPg`] / [`RawMySql`]: the raw sqlx driver doing the minimal SQL of each flow with the
//!   same semantics (expiry and the update-due rule decided in Rust, the verification token
//!   hashed, the request consumed in one statement), a floor;
//! - [`RawTokioPg`] / [`RawMysqlAsync`]: the same statements on the other Rust driver of each
//!   server (tokio-postgres, mysql_async), the other floor, so that the driver is chosen by
//!   measurement;
//! - [`Bridged`]: next-auth@3's default TypeORM adapter, called over the process bridge exactly
//!   as v3 core calls it (records passed back as returned).
//!
//! next-auth@3 measured natively in Node and the servers' own load tools run whole cells
//! themselves: see `native` and `limit`.

mod bridged;
mod ours;
mod raw_mysql_async;
mod raw_sqlx;
mod raw_tokio_pg;
pub mod statements;

pub use bridged::Bridged;
pub use ours::Ours;
pub use raw_mysql_async::RawMysqlAsync;
pub use raw_sqlx::{RawMySql, RawPg};
pub use raw_tokio_pg::RawTokioPg;

use crate::data::SeedUser;
use crate::error::BenchError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::TimestampPrecision;

/// The application secret every column hashes verification tokens with.
pub const SECRET: &str = "bench-secret";

/// The sign-in URL sent with each verification request.
pub const URL: &str = "http://localhost:3000/api/auth/callback/email";

/// The email provider's `maxAge`: one day, v3's default.
pub const MAX_AGE_SECONDS: i64 = 86_400;

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

    /// The flow's name on the command line and to `bridge/node/bench.js`.
    pub fn id(self) -> &'static str {
        match self {
            Flow::SessionRead => "session-read",
            Flow::OauthSignin => "oauth-signin",
            Flow::EmailSignin => "email-signin",
        }
    }
}

/// A column of the comparison: runs one flow for one seeded user.
#[async_trait]
pub trait Subject: Send + Sync {
    /// Runs `flow` for `user`; `token` is a fresh verification token (email sign-in).
    async fn run(&self, flow: Flow, user: &SeedUser, token: &str) -> Result<(), BenchError>;
}

pub(crate) fn flow_error(
    subject: &'static str,
    flow: &'static str,
    detail: impl Into<String>,
) -> BenchError {
    BenchError::Flow {
        subject,
        flow,
        detail: detail.into(),
    }
}

/// `t` at the precision the columns store (microseconds).
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    TimestampPrecision::Microsecond.apply(t)
}

//! [`TokioPostgresAdapter`]: the fifteen methods, one SQL statement each.

use crate::rows::{
    self, ACCOUNT_COLUMNS, SESSION_COLUMNS, USER_COLUMNS, VERIFICATION_COLUMNS, parse_id,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, DeleteUserSupport, EmailMatching,
    EmailProvider, Entity, ExpiredSessionHandling, FieldLimits, Method, NewAccount, NewUser,
    Result, Session, TimestampPrecision, TimestampRange, UniqueKey, UnlinkAccountSupport, User,
    VerificationConsumption, VerificationMessage, VerificationRequest, formulas,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// What this adapter declares, and what the conformance suite holds it to. Every choice is
/// the hardened one, because one SQL statement per method makes each affordable:
///
/// - an expired session is deleted when `get_session` meets it;
/// - `delete_user` deletes the user with its accounts and sessions, in one statement;
/// - `unlink_account` deletes an account when it belongs to the given user;
/// - e-mail addresses compare byte for byte (PostgreSQL's default collation is exact);
/// - instants keep microseconds (`timestamptz`);
/// - a verification request is consumed by the `get_verification_request` that returns it;
/// - strings are limited as the documented schema's columns are (255 characters, tokens
///   unlimited).
pub const CAPABILITIES: Capabilities = Capabilities {
    expired_session: ExpiredSessionHandling::DeleteOnRead,
    delete_user: DeleteUserSupport::Cascade,
    unlink_account: UnlinkAccountSupport::Supported,
    email_matching: EmailMatching::Exact,
    timestamp_precision: TimestampPrecision::Microsecond,
    timestamp_range: TimestampRange::Full,
    verification_consumption: VerificationConsumption::OnGet,
    limits: FieldLimits::DOCUMENTED,
};

/// The name this adapter reports in errors and logs.
const BACKEND: &str = "tokio-postgres";

/// How many connections the adapter's pool opens at most.
pub const MAX_CONNECTIONS: usize = 8;

/// Connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL is not a PostgreSQL connection string.
    #[error("invalid PostgreSQL URL: {0}")]
    Url(#[source] tokio_postgres::Error),
    /// The pool could not be built.
    #[error("cannot build the connection pool: {0}")]
    Pool(#[from] deadpool_postgres::BuildError),
    /// The first connection could not be made.
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(#[from] deadpool_postgres::PoolError),
}

/// A NextAuth v3 adapter over a pool of tokio-postgres connections (deadpool-postgres).
///
/// No method needs a transaction: each is one statement on whichever connection the pool
/// hands out. The pool checks a connection with a round trip before handing it out again
/// (`RecyclingMethod::Verified`), so a connection the server closed (a restart, an
/// administrator's kill, an idle timeout) is replaced, not used; when every connection is
/// busy, calls wait for one.
pub struct TokioPostgresAdapter {
    pool: Pool,
    config: AdapterConfig,
}

impl std::fmt::Debug for TokioPostgresAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioPostgresAdapter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TokioPostgresAdapter {
    /// Connects to `url` (a libpq URL or key-value string; tables are found through the
    /// session's `search_path`, e.g. `?options=-c%20search_path%3Dmyschema`) through a pool of
    /// at most [`MAX_CONNECTIONS`], making one connection now so that an unreachable server
    /// fails here. The tables must exist (see `nextauth_adapter_sql::statements`).
    pub async fn connect(url: &str, config: AdapterConfig) -> Result<Self, ConnectError> {
        let pg: tokio_postgres::Config = url.parse().map_err(ConnectError::Url)?;
        let manager = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager).max_size(MAX_CONNECTIONS).build()?;
        // Fails now, not at the first call, when the server cannot be reached.
        drop(pool.get().await?);
        Ok(TokioPostgresAdapter { pool, config })
    }

    /// A connection of the pool.
    async fn client(&self, method: Method) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| AdapterError::backend(method, BACKEND, e))
    }

    /// The clock's now, truncated to what `timestamptz` stores: the only source of time.
    fn now(&self) -> DateTime<Utc> {
        stored(self.config.clock.now())
    }

    /// Runs `sql` and maps every row it returns with `map`.
    async fn rows<T>(
        &self,
        method: Method,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        map: fn(&Row) -> Result<T, tokio_postgres::Error>,
    ) -> Result<Vec<T>> {
        let rows = self
            .client(method)
            .await?
            .query(sql, params)
            .await
            .map_err(|e| db_error(method, e))?;
        rows.iter()
            .map(|r| map(r).map_err(|e| backend(method, e)))
            .collect()
    }

    /// [`rows`](Self::rows), for statements that return at most one row.
    async fn row<T>(
        &self,
        method: Method,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        map: fn(&Row) -> Result<T, tokio_postgres::Error>,
    ) -> Result<Option<T>> {
        Ok(self
            .rows(method, sql, params, map)
            .await?
            .into_iter()
            .next())
    }

    /// Runs a statement that returns nothing.
    async fn execute(
        &self,
        method: Method,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64> {
        self.client(method)
            .await?
            .execute(sql, params)
            .await
            .map_err(|e| db_error(method, e))
    }
}

/// `t` as `timestamptz` stores it: whole microseconds.
fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
    CAPABILITIES.timestamp_precision.apply(t)
}

/// Refuses a string the declared limits cannot hold (or a NUL), before anything is written.
fn check(method: Method, field: Field, value: Option<&str>) -> Result<()> {
    CAPABILITIES.limits.check_opt(method, field, value)
}

fn backend(method: Method, e: tokio_postgres::Error) -> AdapterError {
    AdapterError::backend(method, BACKEND, e)
}

/// A driver error as the contract's error: a unique violation becomes a `Conflict` on the
/// key its index enforces (the documented index names), anything else a `Backend` error.
fn db_error(method: Method, e: tokio_postgres::Error) -> AdapterError {
    let key = e
        .as_db_error()
        .filter(|d| *d.code() == SqlState::UNIQUE_VIOLATION)
        .and_then(|d| match d.constraint()? {
            "email" => Some(UniqueKey::UserEmail),
            "compound_id" => Some(UniqueKey::AccountCompoundId),
            "session_token" => Some(UniqueKey::SessionToken),
            "access_token" => Some(UniqueKey::SessionAccessToken),
            "token" => Some(UniqueKey::VerificationToken),
            _ => None,
        });
    match key {
        Some(key) => AdapterError::Conflict { method, key },
        None => backend(method, e),
    }
}

#[async_trait]
impl Adapter for TokioPostgresAdapter {
    fn display_name(&self) -> &str {
        BACKEND
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn create_user(&self, profile: NewUser) -> Result<User> {
        let m = Method::CreateUser;
        check(m, Field::UserName, profile.name.as_deref())?;
        check(m, Field::UserEmail, profile.email.as_deref())?;
        check(m, Field::UserImage, profile.image.as_deref())?;
        let now = self.now();
        // v3 stores its own "now" for a verified profile, not the value passed.
        let verified = profile.email_verified.map(|_| now);
        let sql = format!(
            "INSERT INTO users (name, email, email_verified, image, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {USER_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 5] = [
            &profile.name,
            &profile.email,
            &verified,
            &profile.image,
            &now,
        ];
        self.row(m, &sql, &params, rows::user)
            .await?
            .ok_or_else(|| AdapterError::backend(m, BACKEND, "INSERT … RETURNING returned no row"))
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        // A string we never issued (a JWT `sub`, "abc") is simply not found.
        let Some(id) = parse_id(id) else {
            return Ok(None);
        };
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        self.row(Method::GetUser, &sql, &[&id], rows::user).await
    }

    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        // `=`, never `LIKE`: `%` and `_` in an address are literal.
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        self.row(Method::GetUserByEmail, &sql, &[&email], rows::user)
            .await
    }

    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        // The join finds nobody for an orphan account (its user deleted), as in v3.
        let sql = format!(
            "SELECT {} FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.compound_id = $1",
            qualified("u", USER_COLUMNS)
        );
        self.row(
            Method::GetUserByProviderAccountId,
            &sql,
            &[&compound_id],
            rows::user,
        )
        .await
    }

    async fn update_user(&self, user: &User) -> Result<User> {
        let m = Method::UpdateUser;
        check(m, Field::UserName, user.name.as_deref())?;
        check(m, Field::UserEmail, user.email.as_deref())?;
        check(m, Field::UserImage, user.image.as_deref())?;
        let not_found = || AdapterError::NotFound {
            method: m,
            entity: Entity::User,
            id: user.id.clone(),
        };
        let id = parse_id(&user.id).ok_or_else(not_found)?;
        let verified = user.email_verified.map(stored);
        let now = self.now();
        let sql = format!(
            "UPDATE users SET name = $2, email = $3, email_verified = $4, image = $5, \
             updated_at = $6 WHERE id = $1 RETURNING {USER_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 6] =
            [&id, &user.name, &user.email, &verified, &user.image, &now];
        // No row updated: the user does not exist, and nothing was inserted.
        self.row(m, &sql, &params, rows::user)
            .await?
            .ok_or_else(not_found)
    }

    async fn delete_user(&self, user_id: &str) -> Result<()> {
        let Some(id) = parse_id(user_id) else {
            return Ok(());
        };
        // One statement: the user, then (only if it existed) its accounts and sessions.
        let sql = "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING id), \
             a AS (DELETE FROM accounts WHERE user_id IN (SELECT id FROM gone)), \
             s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM gone)) \
             SELECT count(*) FROM gone";
        self.execute(Method::DeleteUser, sql, &[&id]).await?;
        Ok(())
    }

    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        let m = Method::LinkAccount;
        check(m, Field::ProviderId, Some(&account.provider_id))?;
        check(m, Field::ProviderType, Some(&account.provider_type))?;
        check(
            m,
            Field::ProviderAccountId,
            Some(&account.provider_account_id),
        )?;
        check(m, Field::RefreshToken, account.refresh_token.as_deref())?;
        check(
            m,
            Field::AccountAccessToken,
            account.access_token.as_deref(),
        )?;
        // The user is not checked (no foreign key in v3), but the column holds integers.
        let user_id = parse_id(&account.user_id).ok_or_else(|| {
            AdapterError::invalid_input(
                m,
                "user_id",
                format!("{:?} is not an id this adapter issues", account.user_id),
            )
        })?;
        let compound_id = formulas::compound_id(&account.provider_id, &account.provider_account_id);
        let expires = account.access_token_expires.map(stored);
        let now = self.now();
        let sql = format!(
            "INSERT INTO accounts (compound_id, user_id, provider_type, provider_id, \
             provider_account_id, refresh_token, access_token, access_token_expires, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             RETURNING {ACCOUNT_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 9] = [
            &compound_id,
            &user_id,
            &account.provider_type,
            &account.provider_id,
            &account.provider_account_id,
            &account.refresh_token,
            &account.access_token,
            &expires,
            &now,
        ];
        self.row(m, &sql, &params, rows::account)
            .await?
            .ok_or_else(|| AdapterError::backend(m, BACKEND, "INSERT … RETURNING returned no row"))
    }

    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        let Some(user_id) = parse_id(user_id) else {
            return Ok(());
        };
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        // Only the owner can unlink; another user's account, or a missing one, is left alone.
        self.execute(
            Method::UnlinkAccount,
            "DELETE FROM accounts WHERE compound_id = $1 AND user_id = $2",
            &[&compound_id, &user_id],
        )
        .await?;
        Ok(())
    }

    async fn create_session(&self, user: &User) -> Result<Session> {
        let m = Method::CreateSession;
        let user_id = parse_id(&user.id).ok_or_else(|| {
            AdapterError::invalid_input(
                m,
                "user.id",
                format!("{:?} is not an id this adapter issues", user.id),
            )
        })?;
        let now = self.now();
        let expires = stored(self.config.session.expires_from(self.config.clock.now()));
        let sql = format!(
            "INSERT INTO sessions (user_id, expires, session_token, access_token, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {SESSION_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 5] = [
            &user_id,
            &expires,
            &formulas::random_token(),
            &formulas::random_token(),
            &now,
        ];
        self.row(m, &sql, &params, rows::session)
            .await?
            .ok_or_else(|| AdapterError::backend(m, BACKEND, "INSERT … RETURNING returned no row"))
    }

    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        let m = Method::GetSession;
        // No cookie, an empty one, or a JWT string: no row has that token.
        let Some(token) = session_token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE session_token = $1");
        let Some(session) = self.row(m, &sql, &[&token], rows::session).await? else {
            return Ok(None);
        };
        let now = self.config.clock.now();
        // Valid up to and including its expiry instant: expired means strictly after.
        if now <= session.expires {
            return Ok(Some(session));
        }
        // Expired: delete it (declared `DeleteOnRead`), unless a concurrent update_session
        // extended it meanwhile, which the `expires < now` condition checks in the same step.
        let now = stored(now);
        self.execute(
            m,
            "DELETE FROM sessions WHERE session_token = $1 AND expires < $2",
            &[&token, &now],
        )
        .await?;
        Ok(None)
    }

    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        let m = Method::UpdateSession;
        let now = self.config.clock.now();
        let policy = self.config.session;
        let due = policy.is_update_due(session.expires, now);
        if !due && !force {
            return Ok(None);
        }
        let not_found = || AdapterError::NotFound {
            method: m,
            entity: Entity::Session,
            id: session.id.clone(),
        };
        let id = parse_id(&session.id).ok_or_else(not_found)?;
        // Due: roll to now + max_age. Forced but not due: store it unchanged (only
        // `updated_at` moves). `COALESCE` keeps the stored expiry when there is no new one.
        let new_expires = due.then(|| stored(policy.expires_from(now)));
        let now = stored(now);
        let sql = format!(
            "UPDATE sessions SET expires = COALESCE($3, expires), updated_at = $4 \
             WHERE id = $1 AND session_token = $2 RETURNING {SESSION_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 4] = [&id, &session.session_token, &new_expires, &now];
        // A deleted session (signed out meanwhile) is not brought back.
        let updated = self
            .row(m, &sql, &params, rows::session)
            .await?
            .ok_or_else(not_found)?;
        // v3 core reads the new expiry from its argument.
        *session = updated.clone();
        Ok(Some(updated))
    }

    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        if let Some(token) = session_token {
            self.execute(
                Method::DeleteSession,
                "DELETE FROM sessions WHERE session_token = $1",
                &[&token],
            )
            .await?;
        }
        Ok(())
    }

    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let m = Method::CreateVerificationRequest;
        check(m, Field::VerificationIdentifier, Some(identifier))?;
        if provider.max_age <= chrono::Duration::zero() {
            return Err(AdapterError::invalid_input(
                m,
                "provider.max_age",
                format!("must be positive, got {}", provider.max_age),
            ));
        }
        let clock_now = self.config.clock.now();
        let now = stored(clock_now);
        let expires = stored(clock_now + provider.max_age);
        // Only the hash is stored, made with the `secret` argument (contract-v3 §10 G3).
        let hashed = formulas::hash_token(token, secret);
        let sql = format!(
            "INSERT INTO verification_requests (identifier, token, expires, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING {VERIFICATION_COLUMNS}"
        );
        let params: [&(dyn ToSql + Sync); 4] = [&identifier, &hashed, &expires, &now];
        let request = self
            .row(m, &sql, &params, rows::verification_request)
            .await?
            .ok_or_else(|| {
                AdapterError::backend(m, BACKEND, "INSERT … RETURNING returned no row")
            })?;
        // The row is stored before the e-mail goes out, and stays if sending fails (v3).
        let message = VerificationMessage {
            identifier: identifier.to_owned(),
            url: url.to_owned(),
            token: token.to_owned(),
            base_url: self.config.base_url.clone(),
            provider_id: provider.id.clone(),
        };
        provider
            .sender
            .send(message)
            .await
            .map_err(|e| AdapterError::Delivery {
                method: m,
                source: Box::new(e),
            })?;
        Ok(request)
    }

    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let hashed = formulas::hash_token(token, secret);
        // Declared `OnGet`: the request is removed by the read that returns it, atomically,
        // so of two concurrent clicks on one link exactly one gets it. An expired request is
        // removed the same way and gives `None`.
        let sql = format!(
            "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2 \
             RETURNING {VERIFICATION_COLUMNS}"
        );
        let request = self
            .row(
                Method::GetVerificationRequest,
                &sql,
                &[&hashed, &identifier],
                rows::verification_request,
            )
            .await?;
        let now = self.config.clock.now();
        Ok(request.filter(|r| now <= r.expires))
    }

    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        let hashed = formulas::hash_token(token, secret);
        // The identifier must match too: a token alone does not delete someone else's link.
        self.execute(
            Method::DeleteVerificationRequest,
            "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2",
            &[&hashed, &identifier],
        )
        .await?;
        Ok(())
    }
}

/// `columns` (a comma-separated list) each prefixed with the table alias `alias`.
fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

//! [`SqlInspector`]: the harness's raw reads over a namespace, through the testkit's own
//! connection pool, never through the adapter.

use crate::admin;
use crate::error::{DriverError, TestkitError};
use crate::namespace::Namespace;
use crate::server::Server;
use crate::urls::redact;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_harness::inspector::InspectError;
use nextauth_adapter_harness::{Inspector, Stored};
use nextauth_adapter_sql::TableKind;
use sqlx::pool::PoolOptions;
use sqlx::{
    AssertSqlSafe, ColumnIndex, Database, Decode, Executor, FromRow, IntoArguments, Pool, Row, Type,
};
use std::sync::Arc;

/// Raw reads of the four tables through its own connection (never through the adapter).
///
/// Reads the tables named by the namespace's [`SchemaNames`](nextauth_adapter_sql::SchemaNames),
/// qualified with the namespace, and maps them to the contract's records: integer ids become
/// decimal strings; timestamps become UTC instants (PostgreSQL `timestamptz` as stored;
/// MySQL `DATETIME` read as UTC on a `+00:00` session; SQLite text, Unix seconds or Julian
/// days, as sqlx's chrono decoding understands them). Rows come ordered by id.
#[derive(Debug, Clone)]
pub struct SqlInspector {
    server: Server,
    namespace: String,
    reads: Arc<dyn RawReads>,
    sql: Queries,
    faults: Option<Arc<crate::faults::SqlFaults>>,
}

/// The four `SELECT`s, rendered once.
#[derive(Debug, Clone)]
pub(crate) struct Queries {
    pub(crate) users: String,
    pub(crate) accounts: String,
    pub(crate) sessions: String,
    pub(crate) verification_requests: String,
    /// Empties the four tables and restarts their ids at 1, in one round trip.
    reset: String,
    /// How many rows the four tables hold together.
    count: String,
}

impl Queries {
    fn new(ns: &Namespace) -> Queries {
        let q = |c: &str| ns.server().dialect().quote(c);
        let select = |kind: TableKind, columns: &[&str]| {
            let list: Vec<String> = columns.iter().map(|c| q(c)).collect();
            format!(
                "SELECT {} FROM {} ORDER BY {}",
                list.join(", "),
                ns.qualified(kind),
                q("id")
            )
        };
        let tables: Vec<String> = TableKind::ALL
            .into_iter()
            .map(|k| ns.qualified(k))
            .collect();
        let admin = admin::of(ns.server());
        let reset = admin.reset_sql(&tables, ns.names());
        let count = format!(
            "SELECT CAST({} AS {}) AS n",
            tables
                .iter()
                .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
                .collect::<Vec<_>>()
                .join(" + "),
            admin.bigint()
        );
        Queries {
            reset,
            count,
            users: select(
                TableKind::Users,
                &[
                    "id",
                    "name",
                    "email",
                    "email_verified",
                    "image",
                    "created_at",
                    "updated_at",
                ],
            ),
            accounts: select(
                TableKind::Accounts,
                &[
                    "id",
                    "compound_id",
                    "user_id",
                    "provider_type",
                    "provider_id",
                    "provider_account_id",
                    "refresh_token",
                    "access_token",
                    "access_token_expires",
                    "created_at",
                    "updated_at",
                ],
            ),
            sessions: select(
                TableKind::Sessions,
                &[
                    "id",
                    "user_id",
                    "expires",
                    "session_token",
                    "access_token",
                    "created_at",
                    "updated_at",
                ],
            ),
            verification_requests: select(
                TableKind::VerificationRequests,
                &[
                    "id",
                    "identifier",
                    "token",
                    "expires",
                    "created_at",
                    "updated_at",
                ],
            ),
        }
    }
}

impl SqlInspector {
    /// Connects a small pool of its own to the namespace.
    pub async fn connect(ns: &Namespace) -> Result<SqlInspector, TestkitError> {
        let url = ns.inspect_url();
        let server = ns.server();
        let connect_error = |source| TestkitError::Connect {
            server,
            url: redact(url),
            source,
        };
        let reads = admin::of(server).reads(url).await.map_err(connect_error)?;
        Ok(SqlInspector {
            server,
            namespace: ns.name().to_owned(),
            reads: Arc::from(reads),
            sql: Queries::new(ns),
            faults: crate::faults::SqlFaults::of(ns).map(Arc::new),
        })
    }

    /// The same inspector, its fault injector able to stop and start the server.
    pub(crate) fn with_server_control(
        mut self,
        control: Option<Arc<dyn crate::containers::ServerControl>>,
    ) -> Self {
        self.faults = self
            .faults
            .map(|f| Arc::new((*f).clone().with_server_control(control)));
        self
    }

    /// Closes the pool, waiting for its connections to end (before the namespace is dropped).
    pub async fn close(&self) {
        self.reads.close().await
    }

    /// What a failed statement `sql` becomes.
    fn statement_error(&self, sql: &str) -> impl FnOnce(DriverError) -> TestkitError + '_ {
        let statement = sql.to_owned();
        move |source| TestkitError::Statement {
            server: self.server,
            namespace: self.namespace.clone(),
            statement,
            source,
        }
    }

    /// The server's version string (`SELECT version()`; SQLite `sqlite_version()`).
    pub async fn server_version(&self) -> Result<String, TestkitError> {
        let sql = admin::of(self.server).version_sql();
        self.reads
            .text(sql)
            .await
            .map_err(self.statement_error(sql))
    }

    /// Empties the namespace's four tables and restarts their ids at 1 (PostgreSQL: `DELETE`
    /// and `setval` of each id sequence in one transaction; MySQL: `TRUNCATE TABLE`; SQLite:
    /// `DELETE` and the `sqlite_sequence` rows), so that the namespace can serve another
    /// fixture exactly as a fresh one would: no rows, the next id of every table 1.
    pub(crate) async fn reset(&self) -> Result<(), TestkitError> {
        self.reads
            .raw(&self.sql.reset)
            .await
            .map_err(self.statement_error(&self.sql.reset))
    }

    /// How many rows the four tables hold together (0 for a pristine namespace).
    pub(crate) async fn row_count(&self) -> Result<i64, TestkitError> {
        self.reads
            .int(&self.sql.count)
            .await
            .map_err(self.statement_error(&self.sql.count))
    }

    /// What a failed read of the four tables becomes.
    fn inspect_error(&self, failure: ReadFailure) -> InspectError {
        match failure {
            ReadFailure::Query { sql, source } => Box::new(self.statement_error(&sql)(source)),
            ReadFailure::Decode { sql, error } => format!(
                "{}: namespace {}: cannot decode a row of `{sql}`: {error}",
                self.server, self.namespace
            )
            .into(),
        }
    }
}

/// Why reading the four tables failed: the statement, or a row of its result.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The statement `sql` failed.
    Query {
        /// The statement.
        sql: String,
        /// The driver's error.
        source: DriverError,
    },
    /// A row `sql` returned could not be decoded.
    Decode {
        /// The statement.
        sql: String,
        /// The column and why.
        error: ReadError,
    },
}

/// Raw statements over a small pool of one server, for the inspector: written once for
/// every sqlx database by [`Reads`], picked per server by [`Admin::reads`](admin::Admin::reads).
#[async_trait]
pub(crate) trait RawReads: Send + Sync + std::fmt::Debug {
    /// Closes the pool, waiting for its connections to end.
    async fn close(&self);

    /// The one text value `sql` returns.
    async fn text(&self, sql: &str) -> Result<String, DriverError>;

    /// The one integer `sql` returns.
    async fn int(&self, sql: &str) -> Result<i64, DriverError>;

    /// Runs `sql`, which may hold several statements, in one round trip.
    async fn raw(&self, sql: &str) -> Result<(), DriverError>;

    /// The four tables' rows, read concurrently with the four `SELECT`s of `sql`.
    async fn stored(&self, sql: &Queries) -> Result<Stored, ReadFailure>;
}

/// [`RawReads`] over a pool of `DB`.
#[derive(Debug)]
pub(crate) struct Reads<DB: Database> {
    pool: Pool<DB>,
}

impl<DB: Database> Reads<DB> {
    /// A pool of at most `connections` to `url`.
    pub(crate) async fn connect(url: &str, connections: u32) -> Result<Self, DriverError> {
        let pool = PoolOptions::<DB>::new()
            .max_connections(connections)
            .connect(url)
            .await?;
        Ok(Reads { pool })
    }
}

impl<DB> Reads<DB>
where
    DB: Database,
    DB::Row: RawRow,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Every row of `sql`, decoded by `decode`.
    async fn rows<T>(
        &self,
        sql: &str,
        decode: fn(&DB::Row) -> Result<T, ReadError>,
    ) -> Result<Vec<T>, ReadFailure> {
        let rows = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .fetch_all(&self.pool)
            .await
            .map_err(|source| ReadFailure::Query {
                sql: sql.to_owned(),
                source: Box::new(source),
            })?;
        rows.iter()
            .map(decode)
            .collect::<Result<_, _>>()
            .map_err(|error| ReadFailure::Decode {
                sql: sql.to_owned(),
                error,
            })
    }
}

#[async_trait]
impl<DB> RawReads for Reads<DB>
where
    DB: Database,
    DB::Row: RawRow,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    async fn close(&self) {
        self.pool.close().await
    }

    async fn text(&self, sql: &str) -> Result<String, DriverError> {
        Ok(sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.pool)
            .await?)
    }

    async fn int(&self, sql: &str) -> Result<i64, DriverError> {
        Ok(sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.pool)
            .await?)
    }

    async fn raw(&self, sql: &str) -> Result<(), DriverError> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn stored(&self, sql: &Queries) -> Result<Stored, ReadFailure> {
        let (users, accounts, sessions, verification_requests) = futures::try_join!(
            self.rows(&sql.users, user),
            self.rows(&sql.accounts, account),
            self.rows(&sql.sessions, session),
            self.rows(&sql.verification_requests, verification_request),
        )?;
        Ok(Stored {
            users,
            accounts,
            sessions,
            verification_requests,
        })
    }
}

/// A column that could not be decoded into the record's type.
#[derive(Debug, thiserror::Error)]
#[error("column {column}: {reason}")]
pub(crate) struct ReadError {
    column: &'static str,
    reason: String,
}

impl ReadError {
    /// Column `column` could not be read, for `reason`.
    pub(crate) fn new(column: &'static str, reason: String) -> ReadError {
        ReadError { column, reason }
    }
}

/// Typed reads of one column, robust to the integer width and timestamp type a schema uses.
pub(crate) trait RawRow {
    fn id(&self, column: &'static str) -> Result<String, ReadError>;
    fn text(&self, column: &'static str) -> Result<String, ReadError>;
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, ReadError>;
    fn ts(&self, column: &'static str) -> Result<DateTime<Utc>, ReadError>;
    fn opt_ts(&self, column: &'static str) -> Result<Option<DateTime<Utc>>, ReadError>;
}

impl<R> RawRow for R
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> NaiveDateTime: Decode<'r, R::Database> + Type<R::Database>,
{
    fn id(&self, column: &'static str) -> Result<String, ReadError> {
        if let Ok(v) = self.try_get::<i64, _>(column) {
            return Ok(v.to_string());
        }
        if let Ok(v) = self.try_get::<i32, _>(column) {
            return Ok(v.to_string());
        }
        self.text(column)
    }

    fn text(&self, column: &'static str) -> Result<String, ReadError> {
        self.try_get::<String, _>(column).map_err(|e| ReadError {
            column,
            reason: e.to_string(),
        })
    }

    fn opt_text(&self, column: &'static str) -> Result<Option<String>, ReadError> {
        self.try_get::<Option<String>, _>(column)
            .map_err(|e| ReadError {
                column,
                reason: e.to_string(),
            })
    }

    fn ts(&self, column: &'static str) -> Result<DateTime<Utc>, ReadError> {
        self.opt_ts(column)?.ok_or(ReadError {
            column,
            reason: "NULL in a NOT NULL timestamp".to_owned(),
        })
    }

    fn opt_ts(&self, column: &'static str) -> Result<Option<DateTime<Utc>>, ReadError> {
        match self.try_get::<Option<DateTime<Utc>>, _>(column) {
            Ok(v) => Ok(v),
            // A zone-less column (PostgreSQL `timestamp`): the value is UTC.
            Err(first) => self
                .try_get::<Option<NaiveDateTime>, _>(column)
                .map(|v| v.map(|n| n.and_utc()))
                .map_err(|_| ReadError {
                    column,
                    reason: first.to_string(),
                }),
        }
    }
}

pub(crate) fn user<R: RawRow>(r: &R) -> Result<User, ReadError> {
    Ok(User {
        id: r.id("id")?,
        name: r.opt_text("name")?,
        email: r.opt_text("email")?,
        email_verified: r.opt_ts("email_verified")?,
        image: r.opt_text("image")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn account<R: RawRow>(r: &R) -> Result<Account, ReadError> {
    Ok(Account {
        id: r.id("id")?,
        compound_id: r.text("compound_id")?,
        user_id: r.id("user_id")?,
        provider_type: r.text("provider_type")?,
        provider_id: r.text("provider_id")?,
        provider_account_id: r.text("provider_account_id")?,
        refresh_token: r.opt_text("refresh_token")?,
        access_token: r.opt_text("access_token")?,
        access_token_expires: r.opt_ts("access_token_expires")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn session<R: RawRow>(r: &R) -> Result<Session, ReadError> {
    Ok(Session {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        expires: r.ts("expires")?,
        session_token: r.text("session_token")?,
        access_token: r.text("access_token")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

pub(crate) fn verification_request<R: RawRow>(r: &R) -> Result<VerificationRequest, ReadError> {
    Ok(VerificationRequest {
        id: r.id("id")?,
        identifier: r.text("identifier")?,
        token: r.text("token")?,
        expires: r.ts("expires")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

#[async_trait]
impl Inspector for SqlInspector {
    /// Four independent reads, concurrently over the inspector's connections.
    async fn stored(&self) -> Result<Stored, InspectError> {
        self.reads
            .stored(&self.sql)
            .await
            .map_err(|failure| self.inspect_error(failure))
    }

    /// PostgreSQL and MySQL namespaces have one ([`SqlFaults`](crate::SqlFaults)); SQLite none.
    fn faults(&self) -> Option<Arc<dyn nextauth_adapter_harness::faults::FaultInjector>> {
        self.faults
            .clone()
            .map(|f| f as Arc<dyn nextauth_adapter_harness::faults::FaultInjector>)
    }
}

//! [`SqlInspector`]: the harness's raw reads over a namespace, through the testkit's own
//! connection pool, never through the adapter.

use crate::error::TestkitError;
use crate::namespace::Namespace;
use crate::server::Server;
use crate::urls::redact;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_harness::inspector::InspectError;
use nextauth_adapter_harness::{Inspector, Stored};
use nextauth_adapter_sql::TableKind;
use sqlx::mysql::{MySqlPoolOptions, MySqlRow};
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, MySqlPool, PgPool, Row, SqlitePool};

/// A pool of one of the three servers.
#[derive(Debug, Clone)]
enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

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
    pool: Pool,
    sql: Queries,
}

/// The four `SELECT`s, rendered once.
#[derive(Debug, Clone)]
struct Queries {
    users: String,
    accounts: String,
    sessions: String,
    verification_requests: String,
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
        let reset = match ns.server() {
            // One implicit transaction (simple query protocol): rows gone, sequences at 1.
            Server::Postgres => tables
                .iter()
                .map(|t| {
                    format!(
                        "DELETE FROM {t}; SELECT setval(pg_get_serial_sequence('{}', 'id'), 1, false);",
                        t.replace('\'', "''")
                    )
                })
                .collect::<Vec<_>>()
                .join(" "),
            // TRUNCATE restarts AUTO_INCREMENT (about 1 ms a table on InnoDB).
            Server::MySql => tables
                .iter()
                .map(|t| format!("TRUNCATE TABLE {t};"))
                .collect::<Vec<_>>()
                .join(" "),
            // AUTOINCREMENT keeps its counter in sqlite_sequence.
            Server::Sqlite => {
                let mut sql: Vec<String> = tables.iter().map(|t| format!("DELETE FROM {t};")).collect();
                let names: Vec<String> = TableKind::ALL
                    .into_iter()
                    .map(|k| format!("'{}'", ns.names().table(k).replace('\'', "''")))
                    .collect();
                sql.push(format!(
                    "DELETE FROM sqlite_sequence WHERE name IN ({});",
                    names.join(", ")
                ));
                sql.join(" ")
            }
        };
        let count = format!(
            "SELECT CAST({} AS {}) AS n",
            tables
                .iter()
                .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
                .collect::<Vec<_>>()
                .join(" + "),
            match ns.server() {
                Server::MySql => "SIGNED",
                Server::Postgres | Server::Sqlite => "BIGINT",
            }
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
        let pool = match server {
            Server::Postgres => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(2)
                    .connect(url)
                    .await
                    .map_err(connect_error)?,
            ),
            Server::MySql => Pool::MySql(
                MySqlPoolOptions::new()
                    .max_connections(2)
                    .connect(url)
                    .await
                    .map_err(connect_error)?,
            ),
            Server::Sqlite => Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await
                    .map_err(connect_error)?,
            ),
        };
        Ok(SqlInspector {
            server,
            namespace: ns.name().to_owned(),
            pool,
            sql: Queries::new(ns),
        })
    }

    /// Closes the pool, waiting for its connections to end (before the namespace is dropped).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Postgres(p) => p.close().await,
            Pool::MySql(p) => p.close().await,
            Pool::Sqlite(p) => p.close().await,
        }
    }

    /// The server's version string (`SELECT version()`; SQLite `sqlite_version()`).
    pub async fn server_version(&self) -> Result<String, TestkitError> {
        let err = |statement: &str| {
            let server = self.server;
            let namespace = self.namespace.clone();
            let statement = statement.to_owned();
            move |source| TestkitError::Statement {
                server,
                namespace,
                statement,
                source,
            }
        };
        match &self.pool {
            Pool::Postgres(p) => sqlx::query_scalar("SELECT version()")
                .fetch_one(p)
                .await
                .map_err(err("SELECT version()")),
            Pool::MySql(p) => sqlx::query_scalar("SELECT CAST(version() AS CHAR)")
                .fetch_one(p)
                .await
                .map_err(err("SELECT version()")),
            Pool::Sqlite(p) => sqlx::query_scalar("SELECT 'SQLite ' || sqlite_version()")
                .fetch_one(p)
                .await
                .map_err(err("SELECT sqlite_version()")),
        }
    }

    /// Empties the namespace's four tables and restarts their ids at 1 (PostgreSQL: `DELETE`
    /// and `setval` of each id sequence in one transaction; MySQL: `TRUNCATE TABLE`; SQLite:
    /// `DELETE` and the `sqlite_sequence` rows), so that the namespace can serve another
    /// fixture exactly as a fresh one would: no rows, the next id of every table 1.
    pub(crate) async fn reset(&self) -> Result<(), TestkitError> {
        let sql = AssertSqlSafe(self.sql.reset.clone());
        let done = match &self.pool {
            Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
            Pool::MySql(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
            Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(drop),
        };
        done.map_err(|source| TestkitError::Statement {
            server: self.server,
            namespace: self.namespace.clone(),
            statement: self.sql.reset.clone(),
            source,
        })
    }

    /// How many rows the four tables hold together (0 for a pristine namespace).
    pub(crate) async fn row_count(&self) -> Result<i64, TestkitError> {
        let sql = AssertSqlSafe(self.sql.count.clone());
        let n = match &self.pool {
            Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            Pool::MySql(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        };
        n.map_err(|source| TestkitError::Statement {
            server: self.server,
            namespace: self.namespace.clone(),
            statement: self.sql.count.clone(),
            source,
        })
    }

    async fn read<T>(
        &self,
        sql: &str,
        pg: fn(&PgRow) -> Result<T, ReadError>,
        my: fn(&MySqlRow) -> Result<T, ReadError>,
        lite: fn(&SqliteRow) -> Result<T, ReadError>,
    ) -> Result<Vec<T>, InspectError> {
        let wrap = |e: sqlx::Error| -> InspectError {
            Box::new(TestkitError::Statement {
                server: self.server,
                namespace: self.namespace.clone(),
                statement: sql.to_owned(),
                source: e,
            })
        };
        let decoded: Result<Vec<T>, ReadError> = match &self.pool {
            Pool::Postgres(p) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .fetch_all(p)
                .await
                .map_err(wrap)?
                .iter()
                .map(pg)
                .collect(),
            Pool::MySql(p) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .fetch_all(p)
                .await
                .map_err(wrap)?
                .iter()
                .map(my)
                .collect(),
            Pool::Sqlite(p) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .fetch_all(p)
                .await
                .map_err(wrap)?
                .iter()
                .map(lite)
                .collect(),
        };
        decoded.map_err(|e| -> InspectError {
            format!(
                "{}: namespace {}: cannot decode a row of `{sql}`: {e}",
                self.server, self.namespace
            )
            .into()
        })
    }
}

/// A column that could not be decoded into the record's type.
#[derive(Debug, thiserror::Error)]
#[error("column {column}: {reason}")]
struct ReadError {
    column: &'static str,
    reason: String,
}

/// Typed reads of one column, robust to the integer width and timestamp type a schema uses.
trait RawRow {
    fn id(&self, column: &'static str) -> Result<String, ReadError>;
    fn text(&self, column: &'static str) -> Result<String, ReadError>;
    fn opt_text(&self, column: &'static str) -> Result<Option<String>, ReadError>;
    fn ts(&self, column: &'static str) -> Result<DateTime<Utc>, ReadError>;
    fn opt_ts(&self, column: &'static str) -> Result<Option<DateTime<Utc>>, ReadError>;
}

macro_rules! raw_row {
    ($row:ty) => {
        impl RawRow for $row {
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
    };
}

raw_row!(PgRow);
raw_row!(MySqlRow);
raw_row!(SqliteRow);

fn user<R: RawRow>(r: &R) -> Result<User, ReadError> {
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

fn account<R: RawRow>(r: &R) -> Result<Account, ReadError> {
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

fn session<R: RawRow>(r: &R) -> Result<Session, ReadError> {
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

fn verification_request<R: RawRow>(r: &R) -> Result<VerificationRequest, ReadError> {
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
    async fn stored(&self) -> Result<Stored, InspectError> {
        // Four independent reads, concurrently over the inspector's connections.
        let (users, accounts, sessions, verification_requests) = futures::try_join!(
            self.read(&self.sql.users, user, user, user),
            self.read(&self.sql.accounts, account, account, account),
            self.read(&self.sql.sessions, session, session, session),
            self.read(
                &self.sql.verification_requests,
                verification_request,
                verification_request,
                verification_request,
            ),
        )?;
        Ok(Stored {
            users,
            accounts,
            sessions,
            verification_requests,
        })
    }
}

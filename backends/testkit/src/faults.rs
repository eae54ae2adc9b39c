//! [`SqlFaults`]: the harness's [`FaultInjector`] for a namespace on a live PostgreSQL or
//! MySQL/MariaDB server.
//!
//! The adapter's connections are found as the server lists them for the namespace only:
//! PostgreSQL by `application_name`, which the namespace URL sets to the namespace's name
//! ([`crate::urls::postgres_namespace_url`]); MySQL by the default database, which is the
//! namespace. The injector's own connections go to the server URL, so they are never among
//! them, and nothing outside the namespace is ever struck.
//!
//! | fault | PostgreSQL | MySQL / MariaDB |
//! | --- | --- | --- |
//! | lock a table | `LOCK TABLE … IN ACCESS EXCLUSIVE MODE` in a transaction | `LOCK TABLES … WRITE` |
//! | lock a user row | `SELECT … FOR UPDATE` in a transaction | the same |
//! | who waits | `pg_stat_activity.wait_event_type = 'Lock'` | `PROCESSLIST`: state `Waiting for … lock`, or a statement running for a second or more (a row lock wait shows as `Updating`) |
//!
//! MySQL's `INNODB_TRX` would name row lock waits at once, but InnoDB refreshes that table
//! only when nobody read it for 100 ms, so rules polling side by side would read it stale
//! forever; a statement of a namespace holding a handful of rows that runs for a second is
//! waiting.
//! | kill | `pg_terminate_backend` | `KILL CONNECTION` |
//! | cancel (a statement timeout) | `pg_cancel_backend` | `KILL QUERY` |

use crate::admin;
use crate::containers::ServerControl;
use crate::namespace::Namespace;
use crate::server::Server;
use async_trait::async_trait;
use nextauth_adapter_harness::faults::{
    ConnectionId, FaultError, FaultInjector, HeldLock, Lock, Table,
};
use nextauth_adapter_sql::TableKind;
use sqlx::{AssertSqlSafe, Connection, MySqlConnection, PgConnection};
use std::sync::Arc;

impl std::fmt::Debug for SqlFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlFaults")
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .field("restarts", &self.control.is_some())
            .finish_non_exhaustive()
    }
}

/// Faults for one namespace of a PostgreSQL or MySQL server.
#[derive(Clone)]
pub struct SqlFaults {
    /// Stops and starts the server, where the suite owns it alone.
    control: Option<Arc<dyn ServerControl>>,
    server: Server,
    server_url: String,
    namespace: String,
    users: String,
    accounts: String,
    sessions: String,
    verification_requests: String,
}

impl SqlFaults {
    /// The injector of `ns`, or `None` on SQLite (a file in this process: no server session
    /// to kill) and on SQL Server (not built: see the factory's fault support).
    pub fn of(ns: &Namespace) -> Option<SqlFaults> {
        if matches!(ns.server(), Server::Sqlite | Server::MsSql) {
            return None;
        }
        Some(SqlFaults {
            control: None,
            server: ns.server(),
            server_url: ns.server_url().to_owned(),
            namespace: ns.name().to_owned(),
            users: ns.qualified(TableKind::Users),
            accounts: ns.qualified(TableKind::Accounts),
            sessions: ns.qualified(TableKind::Sessions),
            verification_requests: ns.qualified(TableKind::VerificationRequests),
        })
    }

    /// The same injector, able to stop and start the server through `control`.
    pub fn with_server_control(mut self, control: Option<Arc<dyn ServerControl>>) -> Self {
        self.control = control;
        self
    }

    fn table(&self, table: Table) -> &str {
        match table {
            Table::Users => &self.users,
            Table::Accounts => &self.accounts,
            Table::Sessions => &self.sessions,
            Table::VerificationRequests => &self.verification_requests,
        }
    }

    /// The `SELECT … FOR UPDATE` of a row lock, its id compared as `text` (the type name
    /// of a cast to text on the server) so that any id column type matches.
    fn row_lock(&self, lock: &Lock, text: &str) -> String {
        let (table, column) = match lock {
            Lock::SessionsOfUser(_) => (&self.sessions, "user_id"),
            _ => (&self.users, "id"),
        };
        let placeholder = if self.server == Server::Postgres {
            "$1"
        } else {
            "?"
        };
        format!("SELECT 1 FROM {table} WHERE CAST({column} AS {text}) = {placeholder} FOR UPDATE")
    }

    /// The first column of every row `sql` returns, as text, on a fresh connection to the
    /// server; the namespace is bound to its one placeholder when `bind_namespace`.
    async fn strings(&self, sql: &str, bind_namespace: bool) -> Result<Vec<String>, FaultError> {
        let arg = bind_namespace.then_some(self.namespace.as_str());
        Ok(admin::of(self.server)
            .strings(&self.server_url, &self.namespace, sql, arg)
            .await?)
    }

    /// The connection ids `sql` lists (cast to text), the namespace bound once.
    async fn ids(&self, sql: &str) -> Result<Vec<ConnectionId>, FaultError> {
        self.strings(sql, true)
            .await?
            .iter()
            .map(|id| Ok(ConnectionId(id.trim().parse()?)))
            .collect()
    }

    /// Kills connection `id`, or (`kill` false) cancels its statement.
    async fn strike(&self, id: ConnectionId, kill: bool) -> Result<(), FaultError> {
        // The id is an integer, written into the statement (MySQL's KILL takes no placeholder).
        let sql = match (self.server, kill) {
            (Server::Postgres, true) => format!("SELECT CAST(pg_terminate_backend({id}) AS TEXT)"),
            (Server::Postgres, false) => format!("SELECT CAST(pg_cancel_backend({id}) AS TEXT)"),
            (_, true) => format!("KILL CONNECTION {id}"),
            (_, false) => format!("KILL QUERY {id}"),
        };
        if self.server == Server::Postgres {
            if self.strings(&sql, false).await? != ["true"] {
                return Err(format!("the server could not signal backend {id}").into());
            }
        } else {
            admin::of(self.server)
                .execute(&self.server_url, &self.namespace, &[sql])
                .await?;
        }
        Ok(())
    }
}

/// A lock held by a connection of the injector's own until released.
enum Held {
    Postgres(PgConnection),
    MySql {
        conn: MySqlConnection,
        /// `LOCK TABLES` (released by `UNLOCK TABLES`) rather than a transaction.
        tables: bool,
    },
}

#[async_trait]
impl HeldLock for Held {
    async fn release(self: Box<Self>) -> Result<(), FaultError> {
        match *self {
            Held::Postgres(mut conn) => {
                sqlx::raw_sql("ROLLBACK").execute(&mut conn).await?;
                conn.close().await?;
            }
            Held::MySql { mut conn, tables } => {
                let end = if tables { "UNLOCK TABLES" } else { "ROLLBACK" };
                sqlx::raw_sql(end).execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl FaultInjector for SqlFaults {
    async fn hold(&self, lock: Lock) -> Result<Box<dyn HeldLock>, FaultError> {
        match self.server {
            Server::Postgres => {
                let mut conn = PgConnection::connect(&self.server_url).await?;
                sqlx::raw_sql("BEGIN").execute(&mut conn).await?;
                match &lock {
                    Lock::Table(table) => {
                        let sql =
                            format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", self.table(*table));
                        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                    }
                    Lock::UserRow(id) | Lock::SessionsOfUser(id) => {
                        sqlx::query(AssertSqlSafe(self.row_lock(&lock, "TEXT")))
                            .bind(id)
                            .fetch_all(&mut conn)
                            .await?;
                    }
                }
                Ok(Box::new(Held::Postgres(conn)))
            }
            _ => {
                let mut conn = MySqlConnection::connect(&self.server_url).await?;
                match &lock {
                    Lock::Table(table) => {
                        let sql = format!("LOCK TABLES {} WRITE", self.table(*table));
                        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                        Ok(Box::new(Held::MySql { conn, tables: true }))
                    }
                    Lock::UserRow(id) | Lock::SessionsOfUser(id) => {
                        sqlx::raw_sql("START TRANSACTION")
                            .execute(&mut conn)
                            .await?;
                        sqlx::query(AssertSqlSafe(self.row_lock(&lock, "CHAR")))
                            .bind(id)
                            .fetch_all(&mut conn)
                            .await?;
                        Ok(Box::new(Held::MySql {
                            conn,
                            tables: false,
                        }))
                    }
                }
            }
        }
    }

    async fn connections(&self) -> Result<Vec<ConnectionId>, FaultError> {
        self.ids(match self.server {
            Server::Postgres => {
                "SELECT CAST(pid AS TEXT) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() ORDER BY pid"
            }
            _ => {
                "SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() ORDER BY ID"
            }
        })
        .await
    }

    async fn waiting(&self) -> Result<Vec<ConnectionId>, FaultError> {
        self.ids(match self.server {
            Server::Postgres => {
                "SELECT CAST(pid AS TEXT) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' ORDER BY pid"
            }
            _ => {
                "SELECT CAST(ID AS CHAR) FROM information_schema.PROCESSLIST WHERE DB = ? AND (STATE LIKE 'Waiting for%lock' OR (COMMAND IN ('Query', 'Execute') AND TIME >= 1)) ORDER BY ID"
            }
        })
        .await
    }

    async fn activity(&self) -> Result<String, FaultError> {
        let sql = match self.server {
            Server::Postgres => {
                "SELECT concat_ws(' ', pid, state, wait_event_type, wait_event, left(query, 80)) FROM pg_stat_activity WHERE application_name = $1"
            }
            _ => {
                "SELECT CAST(CONCAT_WS(' ', ID, COMMAND, STATE, LEFT(INFO, 80)) AS CHAR) FROM information_schema.PROCESSLIST WHERE DB = ?"
            }
        };
        Ok(format!("[{}]", self.strings(sql, true).await?.join("; ")))
    }

    async fn kill(&self, connection: ConnectionId) -> Result<(), FaultError> {
        self.strike(connection, true).await
    }

    async fn stop_server(&self) -> Result<(), FaultError> {
        match &self.control {
            Some(control) => Ok(control.stop().await?),
            None => Err("the server is shared with other rules; it is never stopped".into()),
        }
    }

    async fn start_server(&self) -> Result<(), FaultError> {
        match &self.control {
            Some(control) => Ok(control.start().await?),
            None => Err("the server is shared with other rules; it is never stopped".into()),
        }
    }

    async fn cancel(&self, connection: ConnectionId) -> Result<(), FaultError> {
        self.strike(connection, false).await
    }
}

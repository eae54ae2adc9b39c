//! What the testkit does on a server, one module per server: where a namespace lives,
//! how it is created, found, listed and dropped, how its session time zone is set, and the
//! raw statements the inspector runs. [`of`] is the one place that picks the module.
//!
//! Each call of [`Admin::execute`] and [`Admin::strings`] opens its own connection and
//! closes it, so nothing here is tied to a runtime: the harness runs rules on one runtime
//! and its property test on another.

pub(crate) mod mssql;
mod mysql;
mod postgres;
mod sqlite;

use crate::error::{DriverError, TestkitError};
use crate::inspector::{RawReads, Reads};
use crate::server::Server;
use crate::urls::redact;
use async_trait::async_trait;
use nextauth_adapter_sql::SchemaNames;
use sqlx::error::DatabaseError;
use sqlx::{AssertSqlSafe, Connection, Database, Decode, Encode, Executor, IntoArguments, Type};
use std::path::{Path, PathBuf};

/// Where a namespace lives on its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// The URL an adapter of the namespace connects to.
    pub url: String,
    /// The URL raw reads use (MySQL: a `+00:00` session whatever the adapter's zone).
    pub inspect_url: String,
    /// The namespace's file (SQLite).
    pub file: Option<PathBuf>,
}

/// One server's administration, for namespaces named `[a-z_][a-z0-9_]*` (checked before
/// any method runs, so names are spliced into statements unquoted): what its module says
/// ([`Facts`]), and how statements run there, written once over the module's sqlx
/// connection ([`Connects`]).
#[async_trait]
pub(crate) trait Admin: Facts {
    /// Runs `statements` in order on one fresh connection to `url`; stops at the first
    /// failure.
    async fn execute(
        &self,
        url: &str,
        namespace: &str,
        statements: &[String],
    ) -> Result<(), TestkitError>;

    /// The first column of every row `sql` returns on a fresh connection to `url`, as
    /// strings; `arg` is bound to the one placeholder when given.
    async fn strings(
        &self,
        url: &str,
        namespace: &str,
        sql: &str,
        arg: Option<&str>,
    ) -> Result<Vec<String>, TestkitError>;

    /// A small pool of raw reads on `url`, for the inspector.
    async fn reads(&self, url: &str) -> Result<Box<dyn RawReads>, DriverError>;
}

/// The sqlx connection a server's module runs its statements on.
pub(crate) trait Connects {
    /// A single connection.
    type Conn: Connection;

    /// How many connections the inspector's pool holds.
    const READERS: u32 = 2;
}

#[async_trait]
impl<T> Admin for T
where
    T: Facts + Connects,
    T::Conn: Connection,
    for<'c> &'c mut T::Conn: Executor<'c, Database = <T::Conn as Connection>::Database>,
    <<T::Conn as Connection>::Database as Database>::Arguments:
        IntoArguments<<T::Conn as Connection>::Database>,
    for<'r> String:
        Decode<'r, <T::Conn as Connection>::Database> + Type<<T::Conn as Connection>::Database>,
    for<'t> String: Encode<'t, <T::Conn as Connection>::Database>,
    (String,): for<'r> sqlx::FromRow<'r, <<T::Conn as Connection>::Database as Database>::Row>,
    Reads<<T::Conn as Connection>::Database>: RawReads,
{
    async fn execute(
        &self,
        url: &str,
        namespace: &str,
        statements: &[String],
    ) -> Result<(), TestkitError> {
        execute_on::<T::Conn>(self, url, namespace, statements).await
    }

    async fn strings(
        &self,
        url: &str,
        namespace: &str,
        sql: &str,
        arg: Option<&str>,
    ) -> Result<Vec<String>, TestkitError> {
        strings_on::<T::Conn>(self, url, namespace, sql, arg).await
    }

    async fn reads(&self, url: &str) -> Result<Box<dyn RawReads>, DriverError> {
        Ok(Box::new(
            Reads::<<T::Conn as Connection>::Database>::connect(url, T::READERS).await?,
        ))
    }
}

/// What is particular to one server: written in its module.
#[async_trait]
pub(crate) trait Facts: Send + Sync {
    /// The server this module administers.
    fn server(&self) -> Server;

    /// Where namespace `name` on the server at `server_url` lives, its sessions in
    /// `time_zone`; an error when the server cannot honour the zone.
    fn locate(
        &self,
        server_url: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Location, TestkitError>;

    /// Creates the namespace, failing with [`TestkitError::NamespaceExists`] rather than
    /// reuse one; on MySQL, with `collation` as its default (`None`: the server's default).
    async fn create(
        &self,
        server_url: &str,
        name: &str,
        at: &Location,
        collation: Option<&str>,
    ) -> Result<(), TestkitError>;

    /// Whether namespace `name` exists.
    async fn exists(
        &self,
        server_url: &str,
        name: &str,
        at: &Location,
    ) -> Result<bool, TestkitError>;

    /// Drops a namespace the testkit created: the schema, the database, or the file with
    /// its journal files.
    async fn drop_owned(
        &self,
        server_url: &str,
        name: &str,
        file: Option<&Path>,
    ) -> Result<(), TestkitError>;

    /// Which of `candidates` (names with their files) still exist, read from the server's
    /// catalog (or the file system).
    async fn present(
        &self,
        server_url: &str,
        candidates: &[(String, Option<PathBuf>)],
    ) -> Result<Vec<String>, TestkitError>;

    /// The tables (and views) in namespace `name`, sorted, read from the catalog.
    async fn tables(
        &self,
        server_url: &str,
        name: &str,
        at: &Location,
    ) -> Result<Vec<String>, TestkitError>;

    /// The statement that puts a session into `time_zone` (already checked to hold only
    /// `[A-Za-z0-9/_+:-]`), for drivers that do not take it from the URL; `None` where the
    /// server has no session time zone.
    fn time_zone_statement(&self, time_zone: &str) -> Option<String>;

    /// Whether table names are qualified with the namespace's name (not in a SQLite file).
    fn qualifies_tables(&self) -> bool {
        true
    }

    /// The URL from which the tables of an adopted namespace are dropped.
    fn drop_tables_url<'a>(&self, server_url: &'a str, at: &'a Location) -> &'a str {
        let _ = at;
        server_url
    }

    /// Whether a failed `CREATE` says that the namespace already exists.
    fn already_exists(&self, error: &dyn DatabaseError) -> bool;

    /// One round trip that empties `tables` (the namespace's four, qualified) and restarts
    /// their ids at 1; `names` are the tables' own names.
    fn reset_sql(&self, tables: &[String], names: &SchemaNames) -> String;

    /// The base tables (no views) in namespace `name`, whoever made them, read from the
    /// catalog; `None` where the testkit does not empty other tools' tables for reuse (SQLite,
    /// SQL Server: no bridge runs there).
    fn base_tables_sql(&self) -> Option<&'static str> {
        None
    }

    /// The statements, run in order on one connection, that empty `tables` (qualified and
    /// quoted, every base table of one namespace) and restart their id sequences, whatever
    /// keys join them.
    fn empty_statements(&self, tables: &[String]) -> Vec<String> {
        tables.iter().map(|t| format!("DELETE FROM {t}")).collect()
    }

    /// The query naming which of `tables` (pairs of a name and its qualified, quoted form)
    /// hold a row, in one round trip.
    fn nonempty_sql(&self, tables: &[(String, String)]) -> String {
        tables
            .iter()
            .map(|(name, qualified)| {
                format!(
                    "SELECT CAST('{}' AS {}){} WHERE EXISTS (SELECT 1 FROM {qualified})",
                    name.replace('\'', "''"),
                    self.text_type(),
                    self.no_table()
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    }

    /// The type a text `CAST` names (`TEXT`; MySQL `CHAR`).
    fn text_type(&self) -> &'static str {
        "TEXT"
    }

    /// What a `SELECT` of constants names as its table (MySQL `FROM DUAL`).
    fn no_table(&self) -> &'static str {
        ""
    }

    /// The SQL type a 64-bit `CAST` names (`BIGINT`; MySQL `SIGNED`).
    fn bigint(&self) -> &'static str {
        "BIGINT"
    }

    /// The query for the server's version string.
    fn version_sql(&self) -> &'static str;
}

/// The administration of `server`.
pub(crate) fn of(server: Server) -> &'static dyn Admin {
    match server {
        Server::Postgres => &postgres::PostgresAdmin,
        Server::MySql => &mysql::MySqlAdmin,
        Server::Sqlite => &sqlite::SqliteAdmin,
        Server::MsSql => &mssql::MsSqlAdmin,
    }
}

/// What a failed statement was: a plain failure, or the namespace already existing.
fn statement_error(
    admin: &dyn Facts,
    namespace: &str,
    statement: &str,
    source: sqlx::Error,
) -> TestkitError {
    let server = admin.server();
    if source
        .as_database_error()
        .is_some_and(|d| admin.already_exists(d))
    {
        TestkitError::NamespaceExists {
            server,
            namespace: namespace.to_owned(),
        }
    } else {
        TestkitError::Statement {
            server,
            namespace: namespace.to_owned(),
            statement: statement.to_owned(),
            source: Box::new(source),
        }
    }
}

fn connect_error(server: Server, url: &str) -> impl FnOnce(sqlx::Error) -> TestkitError + '_ {
    move |source| TestkitError::Connect {
        server,
        url: redact(url),
        source: Box::new(source),
    }
}

/// [`Admin::execute`] over a connection of type `C`.
async fn execute_on<C>(
    admin: &dyn Facts,
    url: &str,
    namespace: &str,
    statements: &[String],
) -> Result<(), TestkitError>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c, Database = C::Database>,
    <C::Database as Database>::Arguments: IntoArguments<C::Database>,
{
    let server = admin.server();
    let mut conn = C::connect(url).await.map_err(connect_error(server, url))?;
    for statement in statements {
        tracing::debug!(%server, namespace, statement, "testkit statement");
        if let Err(e) = sqlx::query(AssertSqlSafe(statement.clone()))
            .execute(&mut conn)
            .await
        {
            let _ = conn.close().await;
            return Err(statement_error(admin, namespace, statement, e));
        }
    }
    let _ = conn.close().await;
    Ok(())
}

/// [`Admin::strings`] over a connection of type `C`.
async fn strings_on<C>(
    admin: &dyn Facts,
    url: &str,
    namespace: &str,
    sql: &str,
    arg: Option<&str>,
) -> Result<Vec<String>, TestkitError>
where
    C: Connection,
    for<'c> &'c mut C: Executor<'c, Database = C::Database>,
    <C::Database as Database>::Arguments: IntoArguments<C::Database>,
    for<'r> String: Decode<'r, C::Database> + Type<C::Database>,
    for<'t> String: Encode<'t, C::Database>,
    (String,): for<'r> sqlx::FromRow<'r, <C::Database as Database>::Row>,
{
    let mut conn = C::connect(url)
        .await
        .map_err(connect_error(admin.server(), url))?;
    let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql.to_owned()));
    if let Some(arg) = arg {
        query = query.bind(arg.to_owned());
    }
    let rows = query.fetch_all(&mut conn).await;
    let _ = conn.close().await;
    rows.map_err(|e| statement_error(admin, namespace, sql, e))
}

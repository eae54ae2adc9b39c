//! One-shot statements on a fresh connection: creating, listing and dropping namespaces.
//!
//! Each call opens its own connection and closes it, so nothing here is tied to a runtime:
//! the harness runs rules on one runtime and its property test on another.

use crate::error::TestkitError;
use crate::server::Server;
use crate::urls::redact;
use sqlx::{AssertSqlSafe, Connection, MySqlConnection, PgConnection, SqliteConnection};

/// What a failed statement was: a plain failure, or the namespace already existing.
pub(crate) fn statement_error(
    server: Server,
    namespace: &str,
    statement: &str,
    source: sqlx::Error,
) -> TestkitError {
    let exists = source.as_database_error().is_some_and(|d| match server {
        // duplicate_schema
        Server::Postgres => d.code().as_deref() == Some("42P06"),
        // ER_DB_CREATE_EXISTS
        Server::MySql => d
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|m| m.number() == 1007),
        Server::Sqlite => false,
    });
    if exists {
        TestkitError::NamespaceExists {
            server,
            namespace: namespace.to_owned(),
        }
    } else {
        TestkitError::Statement {
            server,
            namespace: namespace.to_owned(),
            statement: statement.to_owned(),
            source,
        }
    }
}

fn connect_error(server: Server, url: &str) -> impl FnOnce(sqlx::Error) -> TestkitError + '_ {
    move |source| TestkitError::Connect {
        server,
        url: redact(url),
        source,
    }
}

/// Runs `statements` in order on one connection to `url`; stops at the first failure.
pub(crate) async fn execute(
    server: Server,
    url: &str,
    namespace: &str,
    statements: &[String],
) -> Result<(), TestkitError> {
    macro_rules! run {
        ($conn:ty) => {{
            let mut conn = <$conn>::connect(url)
                .await
                .map_err(connect_error(server, url))?;
            for statement in statements {
                tracing::debug!(%server, namespace, statement, "testkit statement");
                if let Err(e) = sqlx::query(AssertSqlSafe(statement.clone()))
                    .execute(&mut conn)
                    .await
                {
                    let _ = conn.close().await;
                    return Err(statement_error(server, namespace, statement, e));
                }
            }
            let _ = conn.close().await;
            Ok(())
        }};
    }
    match server {
        Server::Postgres => run!(PgConnection),
        Server::MySql => run!(MySqlConnection),
        Server::Sqlite => run!(SqliteConnection),
    }
}

/// The first column of every row `sql` returns on a fresh connection to `url`, as strings;
/// `arg` is bound to the one placeholder when given.
pub(crate) async fn strings(
    server: Server,
    url: &str,
    namespace: &str,
    sql: &str,
    arg: Option<&str>,
) -> Result<Vec<String>, TestkitError> {
    macro_rules! run {
        ($conn:ty) => {{
            let mut conn = <$conn>::connect(url)
                .await
                .map_err(connect_error(server, url))?;
            let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql.to_owned()));
            if let Some(arg) = arg {
                query = query.bind(arg.to_owned());
            }
            let rows = query.fetch_all(&mut conn).await;
            let _ = conn.close().await;
            rows.map_err(|e| statement_error(server, namespace, sql, e))
        }};
    }
    match server {
        Server::Postgres => run!(PgConnection),
        Server::MySql => run!(MySqlConnection),
        Server::Sqlite => run!(SqliteConnection),
    }
}

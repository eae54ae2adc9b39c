//! [`MySqlDriver`]: what MySQL 8 and MariaDB need of the shared sqlx store.
//!
//! Neither returns rows from an `UPDATE`, and MySQL 8 has no `RETURNING` at all, so writes
//! take their id from `LAST_INSERT_ID()` and updates read the row back (see
//! [`SqlxStore`]'s table of round trips). Single-use verification asks the server once
//! whether it is MariaDB, which has `DELETE … RETURNING`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter_sql::adapter::{Driver, SqlOptions, SqlxStore, Statement};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, introspect_mysql};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlQueryResult};
use sqlx::{MySql, MySqlPool};
use std::str::FromStr;

/// The v3 tables in one MySQL/MariaDB database (the connection's default database), over a
/// sqlx pool: for an application that shares its `MySqlPool` with the adapter.
pub type SqlxMySqlStore = SqlxStore<MySqlDriver>;

/// MySQL 8 and MariaDB under sqlx: instants bound as `DATETIME`, ids from
/// `LAST_INSERT_ID()`, DDL committed statement by statement.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySqlDriver;

#[async_trait]
impl Driver for MySqlDriver {
    type Db = MySql;
    const BACKEND: &'static str = "mysql";
    const DIALECT: Dialect = Dialect::MySql;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    /// MySQL commits DDL implicitly; statements run in order on one connection.
    const TRANSACTIONAL_DDL: bool = false;

    /// An instant as a `DATETIME(6)` value: UTC without a zone. Bound as `DATETIME`, not as
    /// sqlx's `DateTime<Utc>`, which it sends typed `TIMESTAMP`, a type the server limits to
    /// 1970–2038 (a session expiring after 2038 or an address verified in 1969 would become
    /// `NULL`).
    fn bind_instant(statement: Statement<Self>, at: Option<DateTime<Utc>>) -> Statement<Self> {
        statement.bind(at.map(|t| t.naive_utc()))
    }

    fn rows_affected(result: &MySqlQueryResult) -> u64 {
        result.rows_affected()
    }

    fn last_insert_id(result: &MySqlQueryResult) -> Option<u64> {
        Some(result.last_insert_id())
    }

    /// Honours everything the URL carries but the session `timezone`, which is always
    /// `+00:00`, so that `TIMESTAMP` columns hold true UTC (see the crate documentation).
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<MySqlPool, sqlx::Error> {
        let connect = MySqlConnectOptions::from_str(url)?
            .charset("utf8mb4")
            .timezone(Some(String::from("+00:00")));
        MySqlPoolOptions::new()
            .max_connections(options.pool_size())
            .connect_with(connect)
            .await
    }

    async fn introspect(pool: &MySqlPool) -> Result<Schema, IntrospectError> {
        let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
            .fetch_one(pool)
            .await
            .map_err(|source| IntrospectError::Query {
                dialect: Dialect::MySql,
                source: Box::new(source),
            })?;
        let database = database.ok_or_else(|| IntrospectError::BadRow {
            dialect: Dialect::MySql,
            table: "(database)".to_owned(),
            detail: "the connection has no default database; name one in the URL".to_owned(),
        })?;
        introspect_mysql(pool, &database).await
    }

    /// MariaDB has `DELETE … RETURNING`, MySQL 8 does not: `SELECT VERSION()` tells them apart.
    async fn deletes_return(pool: &MySqlPool) -> Result<bool, sqlx::Error> {
        let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
            .fetch_one(pool)
            .await?;
        Ok(version.to_ascii_lowercase().contains("mariadb"))
    }

    /// Tables get the server's binary `NO PAD` collation: `SELECT VERSION()` names it.
    async fn server_ddl(
        pool: &MySqlPool,
        statements: &[String],
    ) -> Result<Vec<String>, sqlx::Error> {
        let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
            .fetch_one(pool)
            .await?;
        Ok(nextauth_adapter_sql::mysql_ddl_for(&version, statements))
    }
}

//! [`PostgresDriver`]: what PostgreSQL needs of the shared sqlx store.
//!
//! Round trips per store operation: one each, including the cascading `delete_user` (one
//! statement with data-modifying `WITH` clauses, atomic without a transaction) and the
//! single-use consumption of a verification request (`DELETE … RETURNING`). Writes return
//! the stored row with `RETURNING`, so what the adapter returns is what PostgreSQL stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter_sql::adapter::{Driver, SqlOptions, SqlxStore, Statement};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, introspect_postgres};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult};
use sqlx::{AssertSqlSafe, PgPool, Postgres};
use std::str::FromStr;
use std::sync::Arc;

/// The v3 tables in one PostgreSQL schema (the connection's `search_path`), over a sqlx
/// [`PgPool`]: for an application that already has one and wants the adapter to share it.
pub type SqlxPostgresStore = SqlxStore<PostgresDriver>;

/// PostgreSQL under sqlx: instants bound as `TIMESTAMPTZ`, the schema read from the
/// connection's `search_path`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDriver;

/// The zone of a `-c TimeZone=<tz>` (or `--TimeZone=<tz>`) among libpq-style `options`.
fn time_zone_option(options: &str) -> Option<String> {
    let mut words = options.split_whitespace();
    let mut zone = None;
    while let Some(word) = words.next() {
        let setting = match word {
            "-c" => words.next(),
            w => w.strip_prefix("-c").or_else(|| w.strip_prefix("--")),
        };
        if let Some((key, value)) = setting.and_then(|s| s.split_once('='))
            && key.eq_ignore_ascii_case("timezone")
        {
            zone = Some(value.to_owned());
        }
    }
    zone
}

#[async_trait]
impl Driver for PostgresDriver {
    type Db = Postgres;
    const BACKEND: &'static str = "postgres";
    const DIALECT: Dialect = Dialect::Postgres;
    const CAPABILITIES: nextauth_adapter::Capabilities = crate::CAPABILITIES;
    /// PostgreSQL's DDL is transactional: all tables or none.
    const TRANSACTIONAL_DDL: bool = true;

    fn bind_instant(statement: Statement<Self>, at: Option<DateTime<Utc>>) -> Statement<Self> {
        statement.bind(at)
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    /// Honours everything the URL carries, including a session time zone in
    /// `options=-c TimeZone=<tz>`: sqlx always sends `TimeZone=UTC` at startup, which would
    /// override it, so the zone is set again after each connect. The adapter's results do not
    /// depend on the zone (`TIMESTAMPTZ` with bound UTC instants), and honouring it lets the
    /// conformance suite prove that.
    async fn open_pool(url: &str, options: &SqlOptions) -> Result<PgPool, sqlx::Error> {
        let connect = PgConnectOptions::from_str(url)?;
        let mut pool = PgPoolOptions::new().max_connections(options.pool_size());
        if let Some(zone) = connect.get_options().and_then(time_zone_option) {
            let set: Arc<str> = format!("SET TIME ZONE '{}'", zone.replace('\'', "''")).into();
            pool = pool.after_connect(move |conn, _| {
                let set = Arc::clone(&set);
                Box::pin(async move {
                    sqlx::query(AssertSqlSafe(set)).execute(conn).await?;
                    Ok(())
                })
            });
        }
        pool.connect_with(connect).await
    }

    async fn introspect(pool: &PgPool) -> Result<Schema, IntrospectError> {
        let err = |source: sqlx::Error| IntrospectError::Query {
            dialect: Dialect::Postgres,
            source: Box::new(source),
        };
        let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(pool)
            .await
            .map_err(err)?;
        let schema = schema.ok_or_else(|| IntrospectError::BadRow {
            dialect: Dialect::Postgres,
            table: "(search_path)".to_owned(),
            detail: "no schema of the search_path exists".to_owned(),
        })?;
        introspect_postgres(pool, &schema).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_zone_is_read_from_options() {
        assert_eq!(
            time_zone_option("-c search_path=nx_1 -c TimeZone=Pacific/Chatham").as_deref(),
            Some("Pacific/Chatham")
        );
        assert_eq!(time_zone_option("-ctimezone=UTC").as_deref(), Some("UTC"));
        assert_eq!(
            time_zone_option("--TimeZone=+05:45").as_deref(),
            Some("+05:45")
        );
        assert_eq!(time_zone_option("-c search_path=x"), None);
    }
}

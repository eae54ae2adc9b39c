//! PostgreSQL: a namespace is a schema, reached through the URL's `search_path`.

use super::{Admin, Connects, Facts, Location};
use crate::error::TestkitError;
use crate::server::Server;
use crate::urls;
use async_trait::async_trait;
use nextauth_adapter_sql::SchemaNames;
use sqlx::PgConnection;
use sqlx::error::DatabaseError;
use std::path::{Path, PathBuf};

/// PostgreSQL's administration.
pub(crate) struct PostgresAdmin;

impl Connects for PostgresAdmin {
    type Conn = PgConnection;
}

#[async_trait]
impl Facts for PostgresAdmin {
    fn server(&self) -> Server {
        Server::Postgres
    }

    fn locate(
        &self,
        server_url: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Location, TestkitError> {
        let url = urls::postgres_namespace_url(server_url, name, time_zone)?;
        Ok(Location {
            inspect_url: url.clone(),
            url,
            file: None,
        })
    }

    async fn create(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
        _collation: Option<&str>,
    ) -> Result<(), TestkitError> {
        self.execute(server_url, name, &[format!("CREATE SCHEMA {name}")])
            .await
    }

    async fn exists(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
    ) -> Result<bool, TestkitError> {
        let found = self
            .strings(
                server_url,
                name,
                "SELECT CAST(schema_name AS TEXT) FROM information_schema.schemata WHERE schema_name = $1",
                Some(name),
            )
            .await?;
        Ok(!found.is_empty())
    }

    async fn drop_owned(
        &self,
        server_url: &str,
        name: &str,
        _file: Option<&Path>,
    ) -> Result<(), TestkitError> {
        self.execute(server_url, name, &[format!("DROP SCHEMA {name} CASCADE")])
            .await
    }

    async fn present(
        &self,
        server_url: &str,
        _candidates: &[(String, Option<PathBuf>)],
    ) -> Result<Vec<String>, TestkitError> {
        self.strings(
            server_url,
            "",
            "SELECT CAST(schema_name AS TEXT) FROM information_schema.schemata WHERE schema_name LIKE 'nx\\_%'",
            None,
        )
        .await
    }

    async fn tables(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
    ) -> Result<Vec<String>, TestkitError> {
        self.strings(
            server_url,
            name,
            "SELECT CAST(c.relname AS TEXT) FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1",
            Some(name),
        )
        .await
    }

    fn time_zone_statement(&self, time_zone: &str) -> Option<String> {
        Some(format!("SET TIME ZONE '{time_zone}'"))
    }

    /// `duplicate_schema`.
    fn already_exists(&self, error: &dyn DatabaseError) -> bool {
        error.code().as_deref() == Some("42P06")
    }

    /// One implicit transaction (simple query protocol): rows gone, sequences at 1.
    fn reset_sql(&self, tables: &[String], _names: &SchemaNames) -> String {
        tables
            .iter()
            .map(|t| {
                format!(
                    "DELETE FROM {t}; SELECT setval(pg_get_serial_sequence('{}', 'id'), 1, false);",
                    t.replace('\'', "''")
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn base_tables_sql(&self) -> Option<&'static str> {
        Some(
            "SELECT CAST(c.relname AS TEXT) FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
        )
    }

    /// One `TRUNCATE` of them all (their foreign keys among themselves allow it), restarting
    /// every sequence their columns own.
    fn empty_statements(&self, tables: &[String]) -> Vec<String> {
        vec![format!(
            "TRUNCATE TABLE {} RESTART IDENTITY",
            tables.join(", ")
        )]
    }

    fn version_sql(&self) -> &'static str {
        "SELECT version()"
    }
}

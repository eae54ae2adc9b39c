//! MySQL and MariaDB: a namespace is a database, named in the URL's path.

use super::{Admin, Connects, Facts, Location};
use crate::error::TestkitError;
use crate::server::Server;
use crate::urls;
use async_trait::async_trait;
use nextauth_adapter_sql::SchemaNames;
use sqlx::MySqlConnection;
use sqlx::error::DatabaseError;
use std::path::{Path, PathBuf};

/// MySQL's and MariaDB's administration.
pub(crate) struct MySqlAdmin;

impl Connects for MySqlAdmin {
    type Conn = MySqlConnection;
}

#[async_trait]
impl Facts for MySqlAdmin {
    fn server(&self) -> Server {
        Server::MySql
    }

    fn locate(
        &self,
        server_url: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Location, TestkitError> {
        let offset = time_zone.map(urls::mysql_offset).transpose()?;
        Ok(Location {
            url: urls::mysql_namespace_url(server_url, name, offset.as_deref())?,
            // Raw reads always run at +00:00, whatever the adapter's session uses.
            inspect_url: urls::mysql_namespace_url(server_url, name, None)?,
            file: None,
        })
    }

    async fn create(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
        collation: Option<&str>,
    ) -> Result<(), TestkitError> {
        let create = match collation {
            Some(collation) => {
                format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE {collation}")
            }
            None => format!("CREATE DATABASE {name}"),
        };
        self.execute(server_url, name, &[create]).await
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
                "SELECT CAST(SCHEMA_NAME AS CHAR) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
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
        self.execute(server_url, name, &[format!("DROP DATABASE {name}")])
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
            "SELECT CAST(SCHEMA_NAME AS CHAR) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'nx\\_%'",
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
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? ORDER BY 1",
            Some(name),
        )
        .await
    }

    fn time_zone_statement(&self, time_zone: &str) -> Option<String> {
        urls::mysql_offset(time_zone)
            .ok()
            .map(|offset| format!("SET time_zone = '{offset}'"))
    }

    /// `ER_DB_CREATE_EXISTS`.
    fn already_exists(&self, error: &dyn DatabaseError) -> bool {
        error
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|m| m.number() == 1007)
    }

    /// `TRUNCATE` restarts `AUTO_INCREMENT` (about 1 ms a table on InnoDB).
    fn reset_sql(&self, tables: &[String], _names: &SchemaNames) -> String {
        tables
            .iter()
            .map(|t| format!("TRUNCATE TABLE {t};"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn base_tables_sql(&self) -> Option<&'static str> {
        Some(
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
        )
    }

    /// `TRUNCATE` each (it restarts `AUTO_INCREMENT`), with foreign-key checks off for the
    /// session meanwhile: InnoDB refuses to truncate a referenced table otherwise.
    fn empty_statements(&self, tables: &[String]) -> Vec<String> {
        std::iter::once("SET FOREIGN_KEY_CHECKS = 0".to_owned())
            .chain(tables.iter().map(|t| format!("TRUNCATE TABLE {t}")))
            .chain(std::iter::once("SET FOREIGN_KEY_CHECKS = 1".to_owned()))
            .collect()
    }

    fn text_type(&self) -> &'static str {
        "CHAR"
    }

    fn no_table(&self) -> &'static str {
        " FROM DUAL"
    }

    fn bigint(&self) -> &'static str {
        "SIGNED"
    }

    fn version_sql(&self) -> &'static str {
        "SELECT CAST(version() AS CHAR)"
    }
}

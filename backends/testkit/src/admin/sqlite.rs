//! SQLite: a namespace is a database file in the directory the server URL names.

use super::{Admin, Connects, Facts, Location};
use crate::error::TestkitError;
use crate::server::Server;
use crate::urls;
use async_trait::async_trait;
use nextauth_adapter_sql::{SchemaNames, TableKind};
use sqlx::SqliteConnection;
use sqlx::error::DatabaseError;
use std::path::{Path, PathBuf};

/// SQLite's administration.
pub(crate) struct SqliteAdmin;

impl Connects for SqliteAdmin {
    type Conn = SqliteConnection;
    const READERS: u32 = 1;
}

/// An I/O failure on a namespace's file.
fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> TestkitError {
    TestkitError::Io {
        server: Server::Sqlite,
        action,
        path: path.display().to_string(),
        source,
    }
}

#[async_trait]
impl Facts for SqliteAdmin {
    fn server(&self) -> Server {
        Server::Sqlite
    }

    fn locate(
        &self,
        server_url: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Location, TestkitError> {
        if let Some(tz) = time_zone {
            return Err(TestkitError::UnsupportedTimeZone {
                server: Server::Sqlite,
                time_zone: tz.to_owned(),
                reason: "SQLite has no session time zone".into(),
            });
        }
        let file = urls::sqlite_dir_from_url(server_url)?.join(format!("{name}.db"));
        let url = urls::sqlite_file_url(&file);
        Ok(Location {
            inspect_url: url.clone(),
            url,
            file: Some(file),
        })
    }

    /// Creates the file, refusing one that exists.
    async fn create(
        &self,
        _server_url: &str,
        name: &str,
        at: &Location,
        _collation: Option<&str>,
    ) -> Result<(), TestkitError> {
        let file = at.file.clone().unwrap_or_default();
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| io_error("creating the directory", dir, source))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    TestkitError::NamespaceExists {
                        server: Server::Sqlite,
                        namespace: name.to_owned(),
                    }
                } else {
                    io_error("creating", &file, source)
                }
            })?;
        Ok(())
    }

    async fn exists(
        &self,
        _server_url: &str,
        _name: &str,
        at: &Location,
    ) -> Result<bool, TestkitError> {
        Ok(at.file.as_deref().is_some_and(Path::exists))
    }

    /// Removes the file and its journal files.
    async fn drop_owned(
        &self,
        _server_url: &str,
        _name: &str,
        file: Option<&Path>,
    ) -> Result<(), TestkitError> {
        let Some(file) = file else { return Ok(()) };
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = file.as_os_str().to_owned();
            path.push(suffix);
            let path = PathBuf::from(path);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(io_error("removing", &path, source)),
            }
        }
        Ok(())
    }

    async fn present(
        &self,
        _server_url: &str,
        candidates: &[(String, Option<PathBuf>)],
    ) -> Result<Vec<String>, TestkitError> {
        Ok(candidates
            .iter()
            .filter(|(_, file)| file.as_deref().is_some_and(Path::exists))
            .map(|(name, _)| name.clone())
            .collect())
    }

    async fn tables(
        &self,
        _server_url: &str,
        name: &str,
        at: &Location,
    ) -> Result<Vec<String>, TestkitError> {
        self.strings(
            &at.url,
            name,
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1",
            None,
        )
        .await
    }

    fn time_zone_statement(&self, _time_zone: &str) -> Option<String> {
        None
    }

    fn qualifies_tables(&self) -> bool {
        false
    }

    fn drop_tables_url<'a>(&self, _server_url: &'a str, at: &'a Location) -> &'a str {
        &at.url
    }

    /// A file that exists is refused by [`create`](Admin::create) itself.
    fn already_exists(&self, _error: &dyn DatabaseError) -> bool {
        false
    }

    /// `AUTOINCREMENT` keeps its counter in `sqlite_sequence`.
    fn reset_sql(&self, tables: &[String], names: &SchemaNames) -> String {
        let mut sql: Vec<String> = tables.iter().map(|t| format!("DELETE FROM {t};")).collect();
        let names: Vec<String> = TableKind::ALL
            .into_iter()
            .map(|k| format!("'{}'", names.table(k).replace('\'', "''")))
            .collect();
        sql.push(format!(
            "DELETE FROM sqlite_sequence WHERE name IN ({});",
            names.join(", ")
        ));
        sql.join(" ")
    }

    fn version_sql(&self) -> &'static str {
        "SELECT 'SQLite ' || sqlite_version()"
    }
}

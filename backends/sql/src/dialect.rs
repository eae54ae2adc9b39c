//! The SQL dialects the schema is rendered for and introspected from.

use std::fmt;

/// A SQL dialect with its own DDL spelling and catalog.
///
/// The same logical schema ([`Schema`](crate::Schema)) is spelled differently per dialect:
/// types, identifier quoting, auto-increment ids, table options and, on SQL Server, the
/// filter that gives a unique index ANSI `NULL` semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL (10 or later).
    Postgres,
    /// MySQL 8 and MariaDB 10.3 or later: one spelling serves both.
    MySql,
    /// SQLite 3.
    Sqlite,
    /// Microsoft SQL Server 2016 or later (filtered indexes, `datetime2`, `SYSUTCDATETIME`).
    MsSql,
}

impl Dialect {
    /// Every dialect, in a fixed order (for tests and loops over all renderings).
    pub const ALL: [Dialect; 4] = [
        Dialect::Postgres,
        Dialect::MySql,
        Dialect::Sqlite,
        Dialect::MsSql,
    ];

    /// A short, stable, lowercase name: `postgres`, `mysql`, `sqlite`, `mssql`. Used in
    /// snapshot names and fixture files.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::MsSql => "mssql",
        }
    }

    /// `ident` quoted for this dialect: `"x"` (PostgreSQL, SQLite), `` `x` `` (MySQL),
    /// `[x]` (SQL Server).
    ///
    /// Names are always quoted so that a renamed table such as `user` (reserved in
    /// PostgreSQL and SQL Server) still works and PostgreSQL keeps its case. Callers only
    /// pass names validated by [`SchemaNames`](crate::SchemaNames) or declared by the
    /// model, which never contain a quote character.
    pub fn quote(self, ident: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Sqlite => format!("\"{ident}\""),
            Dialect::MySql => format!("`{ident}`"),
            Dialect::MsSql => format!("[{ident}]"),
        }
    }

    /// Whether a unique index on a nullable column must be filtered with
    /// `WHERE col IS NOT NULL` to allow several `NULL`s.
    ///
    /// SQL Server treats `NULL`s as equal in unique indexes, so a plain unique index on
    /// `users.email` would allow only one user without an e-mail address. Every other
    /// dialect already lets `NULL`s repeat.
    pub fn filters_nullable_unique_indexes(self) -> bool {
        matches!(self, Dialect::MsSql)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

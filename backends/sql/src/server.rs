//! [`Server`]: the kinds of database server the project's adapters run on, and how a URL
//! names one. Every crate that turns a URL into a backend (the default adapter, certify, the
//! bench, the testkit) asks here.

use crate::dialect::Dialect;
use std::fmt;

/// A kind of database server the project has an adapter for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Server {
    /// PostgreSQL (`postgres://`, `postgresql://`).
    Postgres,
    /// MySQL or MariaDB (`mysql://`, `mariadb://`).
    MySql,
    /// SQLite (`sqlite:`).
    Sqlite,
    /// Microsoft SQL Server (`mssql://`, `sqlserver://`).
    MsSql,
}

impl Server {
    /// Every server, in a fixed order.
    pub const ALL: [Server; 4] = [
        Server::Postgres,
        Server::MySql,
        Server::Sqlite,
        Server::MsSql,
    ];

    /// The short name used in `NEXTAUTH_REQUIRE_BACKENDS`, test names, reports and command
    /// lines: `postgres`, `mysql`, `sqlite`, `mssql`.
    pub fn name(self) -> &'static str {
        match self {
            Server::Postgres => "postgres",
            Server::MySql => "mysql",
            Server::Sqlite => "sqlite",
            Server::MsSql => "mssql",
        }
    }

    /// The name a person reads: `PostgreSQL`, `MySQL/MariaDB`, `SQLite`, `SQL Server`.
    pub fn label(self) -> &'static str {
        match self {
            Server::Postgres => "PostgreSQL",
            Server::MySql => "MySQL/MariaDB",
            Server::Sqlite => "SQLite",
            Server::MsSql => "SQL Server",
        }
    }

    /// The SQL dialect the schema is rendered in for this server.
    pub fn dialect(self) -> Dialect {
        match self {
            Server::Postgres => Dialect::Postgres,
            Server::MySql => Dialect::MySql,
            Server::Sqlite => Dialect::Sqlite,
            Server::MsSql => Dialect::MsSql,
        }
    }

    /// The server named `name`, case-insensitively; the aliases `postgresql`, `mariadb` and
    /// `sqlserver` are accepted.
    pub fn from_name(name: &str) -> Option<Server> {
        match name.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Some(Server::Postgres),
            "mysql" | "mariadb" => Some(Server::MySql),
            "sqlite" => Some(Server::Sqlite),
            "mssql" | "sqlserver" => Some(Server::MsSql),
            _ => None,
        }
    }

    /// The server a URL's scheme names (`postgres://…`, `mariadb://…`, `sqlite:…`,
    /// `sqlserver://…`).
    pub fn of_url(url: &str) -> Option<Server> {
        let (scheme, _) = url.split_once(':')?;
        Server::from_name(scheme)
    }

    /// `url` as this server's driver takes it: `mariadb://` becomes `mysql://`; anything else
    /// is unchanged.
    pub fn driver_url(self, url: &str) -> String {
        match (self, url.split_once("://")) {
            (Server::MySql, Some((scheme, rest))) if scheme.eq_ignore_ascii_case("mariadb") => {
                format!("mysql://{rest}")
            }
            _ => url.to_owned(),
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_server() {
        assert_eq!(
            Server::of_url("postgresql://u@h/db"),
            Some(Server::Postgres)
        );
        assert_eq!(Server::of_url("MariaDB://u@h/db"), Some(Server::MySql));
        assert_eq!(Server::of_url("sqlite::memory:"), Some(Server::Sqlite));
        assert_eq!(Server::of_url("mssql://sa@h"), Some(Server::MsSql));
        assert_eq!(Server::of_url("SQLServer://sa@h"), Some(Server::MsSql));
        assert_eq!(Server::of_url("oracle://h"), None);
        assert_eq!(Server::of_url("no scheme"), None);
        assert_eq!(
            Server::MySql.driver_url("mariadb://root@h:3306/app"),
            "mysql://root@h:3306/app"
        );
        assert_eq!(
            Server::Postgres.driver_url("postgres://h/app"),
            "postgres://h/app"
        );
        for s in Server::ALL {
            assert_eq!(Server::from_name(s.name()), Some(s));
        }
    }
}

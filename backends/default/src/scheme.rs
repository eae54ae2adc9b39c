//! Reading a database URL: which backend, the URL the driver gets, and v3's `synchronize`
//! parameter.

use crate::ConnectError;
use nextauth_adapter_sql::Server;

/// A database URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The server its scheme names.
    pub backend: Server,
    /// The URL for the driver: `mariadb://` rewritten to `mysql://`, `synchronize` removed.
    pub url: String,
    /// Whether to create missing tables on connect: `synchronize=true` (or `1`), and always
    /// for an in-memory SQLite database.
    pub synchronize: bool,
}

/// Reads `url`: its scheme (case-insensitive), the driver's URL and whether to synchronize.
pub fn parse_url(url: &str) -> Result<ParsedUrl, ConnectError> {
    let unknown = |scheme: &str| ConnectError::UnknownScheme {
        scheme: scheme.to_owned(),
    };
    let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
    let backend = Server::of_url(url).ok_or_else(|| unknown(scheme))?;
    let url = backend.driver_url(url);
    let (scheme_out, rest) = url.split_once(':').unwrap_or((&url, ""));
    let (base, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    let mut synchronize = false;
    let kept: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|pair| match pair.split_once('=') {
            Some(("synchronize", value)) => {
                synchronize = matches!(value, "true" | "1");
                false
            }
            _ => *pair != "synchronize" && !pair.is_empty(),
        })
        .collect();
    let mut out = format!("{scheme_out}:{base}");
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if backend == Server::Sqlite && (out.contains(":memory:") || out.contains("mode=memory")) {
        synchronize = true;
    }
    Ok(ParsedUrl {
        backend,
        url: out,
        synchronize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> ParsedUrl {
        parse_url(url).unwrap()
    }

    #[test]
    fn schemes_pick_backends() {
        assert_eq!(parsed("postgres://u@h/db").backend, Server::Postgres);
        assert_eq!(parsed("postgresql://u@h/db").backend, Server::Postgres);
        assert_eq!(parsed("PostgreSQL://u@h/db").backend, Server::Postgres);
        assert_eq!(parsed("mysql://u@h/db").backend, Server::MySql);
        assert_eq!(parsed("sqlite::memory:").backend, Server::Sqlite);
        assert_eq!(parsed("sqlite://x.db").backend, Server::Sqlite);
        assert_eq!(parsed("mssql://sa:pw@h/db").backend, Server::MsSql);
        assert_eq!(parsed("sqlserver://sa:pw@h/db").backend, Server::MsSql);
    }

    #[test]
    fn mariadb_becomes_mysql() {
        let p = parsed("mariadb://root@127.0.0.1:3306/test?timezone=%2B12%3A45");
        assert_eq!(p.backend, Server::MySql);
        assert_eq!(
            p.url,
            "mysql://root@127.0.0.1:3306/test?timezone=%2B12%3A45"
        );
        assert!(!p.synchronize);
    }

    #[test]
    fn synchronize_is_read_and_removed() {
        let p = parsed("postgres://u@h/db?synchronize=true&sslmode=disable");
        assert!(p.synchronize);
        assert_eq!(p.url, "postgres://u@h/db?sslmode=disable");
        let p = parsed("mysql://u@h/db?synchronize=false");
        assert!(!p.synchronize);
        assert_eq!(p.url, "mysql://u@h/db");
        assert!(parsed("sqlite::memory:").synchronize);
        assert!(!parsed("sqlite://x.db?mode=rwc").synchronize);
    }

    #[test]
    fn unknown_schemes_are_named_without_the_url() {
        for (url, scheme) in [
            ("redis://:password@h/0", "redis"),
            ("mongodb+srv://u:pw@h/db", "mongodb+srv"),
            ("no scheme at all", ""),
        ] {
            match parse_url(url) {
                Err(ConnectError::UnknownScheme { scheme: s }) => assert_eq!(s, scheme),
                other => panic!("{url}: {other:?}"),
            }
        }
        let message = parse_url("redis://:hunter2@h").unwrap_err().to_string();
        assert!(
            message.contains("\"redis\"") && !message.contains("hunter2"),
            "{message}"
        );
    }
}

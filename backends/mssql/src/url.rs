//! The adapter's SQL Server URL as tiberius' [`Config`].
//!
//! `mssql://user:password@host:port/database?…` (or `sqlserver://`), in the shape of the
//! other backends' URLs, so that one URL is the only knob: the user and password are
//! percent-decoded, the port defaults to 1433, the database to the login's default, and
//! the tables live in the login's default schema. Parameters:
//!
//! | parameter | here |
//! | --- | --- |
//! | `encrypt` | `false`, `off`, `no` or `danger_plaintext`: this build has no TLS (a value asking for it is refused) |
//! | `connect_timeout` | seconds a new connection may take (default 10): an unreachable server fails within it |
//! | `application_name` | the name the server shows for the connection |
//!
//! Anything else is an error naming the parameter, never silently dropped.

use std::time::Duration;
use tiberius::{AuthMethod, Config, EncryptionLevel};
use url::Url;

/// How long a new connection may take by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a URL cannot open a SQL Server pool. Never shows the URL itself (it may hold a
/// password).
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("the SQL Server URL cannot be parsed: {0}")]
    Parse(#[from] url::ParseError),
    /// A scheme other than `mssql:` or `sqlserver:`.
    #[error("a SQL Server URL starts with mssql:// or sqlserver://, not {0}://")]
    Scheme(String),
    /// No user: SQL Server authentication needs one (Windows authentication is not built).
    #[error("the SQL Server URL names no user (mssql://user:password@host/database)")]
    NoUser,
    /// A query parameter the store does not know.
    #[error(
        "the SQL Server URL parameter {0:?} is not supported (known: encrypt, connect_timeout, application_name)"
    )]
    UnknownParameter(String),
    /// A known parameter with a value the store cannot honour.
    #[error("the SQL Server URL parameter {name}={value:?} is not supported: {why}")]
    BadValue {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why it cannot be honoured.
        why: &'static str,
    },
}

/// What a URL says: the driver's configuration and how long a connection may take.
#[derive(Debug, Clone)]
pub struct Target {
    /// tiberius' configuration: address, login, database, no encryption.
    pub config: Config,
    /// The bound on making one connection (TCP and login).
    pub connect_timeout: Duration,
}

/// The server, login and database `url` names.
pub fn target(url: &str) -> Result<Target, UrlError> {
    let url = Url::parse(url)?;
    if !matches!(url.scheme(), "mssql" | "sqlserver") {
        return Err(UrlError::Scheme(url.scheme().to_owned()));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(url.username());
    if user.is_empty() {
        return Err(UrlError::NoUser);
    }
    let password = url.password().map(decode).unwrap_or_default();
    let mut config = Config::new();
    config.host(url.host_str().unwrap_or("localhost"));
    config.port(url.port().unwrap_or(1433));
    config.authentication(AuthMethod::sql_server(user, password));
    config.encryption(EncryptionLevel::NotSupported);
    if let Some(database) = url
        .path()
        .strip_prefix('/')
        .map(decode)
        .filter(|d| !d.is_empty())
    {
        config.database(database);
    }
    let mut connect_timeout = DEFAULT_CONNECT_TIMEOUT;
    for (name, value) in url.query_pairs() {
        match &*name {
            "encrypt" => {
                let plain = ["false", "off", "no", "danger_plaintext"];
                if !plain.contains(&value.to_ascii_lowercase().as_str()) {
                    return Err(UrlError::BadValue {
                        name: "encrypt",
                        value: value.into_owned(),
                        why: "this build has no TLS (use encrypt=false)",
                    });
                }
            }
            "connect_timeout" => {
                let seconds: u64 =
                    value
                        .parse()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| UrlError::BadValue {
                            name: "connect_timeout",
                            value: value.clone().into_owned(),
                            why: "not a whole number of seconds above zero",
                        })?;
                connect_timeout = Duration::from_secs(seconds);
            }
            "application_name" => config.application_name(value.into_owned()),
            other => return Err(UrlError::UnknownParameter(other.to_owned())),
        }
    }
    Ok(Target {
        config,
        connect_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_the_server_the_login_and_the_database() {
        let parsed = target("mssql://sa:p%40ss@db.example:1434/nextauth?connect_timeout=3");
        let Ok(t) = parsed else { panic!("{parsed:?}") };
        assert_eq!(t.config.get_addr(), "db.example:1434");
        assert_eq!(t.connect_timeout, Duration::from_secs(3));
        let plain = target("sqlserver://sa:x@127.0.0.1/db?encrypt=false");
        assert!(plain.is_ok_and(|t| t.config.get_addr() == "127.0.0.1:1433"
            && t.connect_timeout == DEFAULT_CONNECT_TIMEOUT));
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_without_showing_the_url() {
        let tls = target("mssql://sa:secret@h/db?encrypt=true");
        assert!(matches!(
            &tls,
            Err(UrlError::BadValue {
                name: "encrypt",
                ..
            })
        ));
        let unknown = target("mssql://sa:secret@h/db?trustServerCertificate=true");
        assert!(matches!(&unknown, Err(UrlError::UnknownParameter(_))));
        let zero = target("mssql://sa:secret@h/db?connect_timeout=0");
        assert!(matches!(&zero, Err(UrlError::BadValue { .. })));
        assert!(matches!(target("mssql://h/db"), Err(UrlError::NoUser)));
        assert!(matches!(target("mysql://u@h/db"), Err(UrlError::Scheme(_))));
        for e in [tls, unknown, zero] {
            let shown = e.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!shown.contains("secret"), "{shown}");
        }
    }
}

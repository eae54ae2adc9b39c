//! [`MsSqlUrl`]: what a SQL Server URL says, read once for every crate that connects to
//! one with its own driver (the adapter, the testkit).
//!
//! `mssql://user:password@host:port/database?…` (or `sqlserver://`), in the shape of the
//! other backends' URLs, so that one URL is the only knob: the user and password are
//! percent-decoded, the port defaults to 1433, the database to the login's default, and
//! the tables live in the login's default schema. Parameters:
//!
//! | parameter | here |
//! | --- | --- |
//! | `encrypt` | `false`, `off`, `no` or `danger_plaintext`: no TLS is built (a value asking for it is refused) |
//! | `connect_timeout` | seconds a new connection may take (default 10): an unreachable server fails within it |
//! | `application_name` | the name the server shows for the connection |
//!
//! Anything else is an error naming the parameter, never silently dropped.

use std::fmt;
use std::time::Duration;
use url::Url;

/// How long a new connection may take unless the URL says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The port SQL Server listens on unless the URL says otherwise.
pub const DEFAULT_PORT: u16 = 1433;

/// Why a URL names no SQL Server this project can connect to. Never shows the URL itself
/// (it may hold a password).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MsSqlUrlError {
    /// Not a URL at all.
    #[error("the SQL Server URL cannot be parsed: {0}")]
    Parse(#[from] url::ParseError),
    /// A scheme other than `mssql:` or `sqlserver:`.
    #[error("a SQL Server URL starts with mssql:// or sqlserver://, not {0}://")]
    Scheme(String),
    /// No user: SQL Server authentication needs one (Windows authentication is not built).
    #[error("the SQL Server URL names no user (mssql://user:password@host/database)")]
    NoUser,
    /// A query parameter no SQL Server connection here knows.
    #[error(
        "the SQL Server URL parameter {0:?} is not supported (known: encrypt, connect_timeout, application_name)"
    )]
    UnknownParameter(String),
    /// A known parameter with a value that cannot be honoured.
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

/// The server, login, database and connection options a SQL Server URL names.
#[derive(Clone, PartialEq, Eq)]
pub struct MsSqlUrl {
    /// The server's host name or address.
    pub host: String,
    /// Its TCP port.
    pub port: u16,
    /// The SQL Server login.
    pub user: String,
    /// Its password (empty when the URL has none). Never shown by `Debug`.
    pub password: String,
    /// The database, `None` for the login's default.
    pub database: Option<String>,
    /// The bound on making one connection (TCP and login).
    pub connect_timeout: Duration,
    /// The name the server shows for the connection.
    pub application_name: Option<String>,
}

impl fmt::Debug for MsSqlUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsSqlUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("database", &self.database)
            .field("connect_timeout", &self.connect_timeout)
            .field("application_name", &self.application_name)
            .finish()
    }
}

impl MsSqlUrl {
    /// Reads `url`.
    pub fn parse(url: &str) -> Result<MsSqlUrl, MsSqlUrlError> {
        let url = Url::parse(url)?;
        if !matches!(url.scheme(), "mssql" | "sqlserver") {
            return Err(MsSqlUrlError::Scheme(url.scheme().to_owned()));
        }
        let user = decode(url.username());
        if user.is_empty() {
            return Err(MsSqlUrlError::NoUser);
        }
        let mut parsed = MsSqlUrl {
            host: url.host_str().unwrap_or("localhost").to_owned(),
            port: url.port().unwrap_or(DEFAULT_PORT),
            user,
            password: url.password().map(decode).unwrap_or_default(),
            database: url
                .path()
                .strip_prefix('/')
                .map(decode)
                .filter(|d| !d.is_empty()),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            application_name: None,
        };
        for (name, value) in url.query_pairs() {
            match &*name {
                "encrypt" => {
                    let plain = ["false", "off", "no", "danger_plaintext"];
                    if !plain.contains(&value.to_ascii_lowercase().as_str()) {
                        return Err(MsSqlUrlError::BadValue {
                            name: "encrypt",
                            value: value.into_owned(),
                            why: "this build has no TLS (use encrypt=false)",
                        });
                    }
                }
                "connect_timeout" => {
                    let seconds =
                        value
                            .parse::<u64>()
                            .ok()
                            .filter(|s| *s > 0)
                            .ok_or_else(|| MsSqlUrlError::BadValue {
                                name: "connect_timeout",
                                value: value.clone().into_owned(),
                                why: "not a whole number of seconds above zero",
                            })?;
                    parsed.connect_timeout = Duration::from_secs(seconds);
                }
                "application_name" => parsed.application_name = Some(value.into_owned()),
                other => return Err(MsSqlUrlError::UnknownParameter(other.to_owned())),
            }
        }
        Ok(parsed)
    }

    /// `host:port`, as an error message names the server.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// `url` with its path replaced by `/database`: the same server and login in another
/// database (how the testkit points an adapter at a namespace).
pub fn with_database(url: &str, database: &str) -> Result<String, MsSqlUrlError> {
    let mut parsed = Url::parse(url)?;
    parsed.set_path(&format!("/{database}"));
    Ok(parsed.into())
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_the_server_the_login_and_the_database() {
        let parsed =
            MsSqlUrl::parse("mssql://sa:p%40ss@db.example:1434/nextauth?connect_timeout=3");
        let Ok(t) = parsed else { panic!("{parsed:?}") };
        assert_eq!(t.address(), "db.example:1434");
        assert_eq!((t.user.as_str(), t.password.as_str()), ("sa", "p@ss"));
        assert_eq!(t.database.as_deref(), Some("nextauth"));
        assert_eq!(t.connect_timeout, Duration::from_secs(3));
        let plain =
            MsSqlUrl::parse("sqlserver://sa:x@127.0.0.1/?encrypt=false&application_name=kit");
        let Ok(plain) = plain else {
            panic!("{plain:?}")
        };
        assert_eq!(plain.address(), "127.0.0.1:1433");
        assert_eq!(plain.database, None);
        assert_eq!(plain.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(plain.application_name.as_deref(), Some("kit"));
        assert!(!format!("{plain:?}").contains("x@"), "{plain:?}");
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_without_showing_the_url() {
        let tls = MsSqlUrl::parse("mssql://sa:secret@h/db?encrypt=true");
        assert!(matches!(
            &tls,
            Err(MsSqlUrlError::BadValue {
                name: "encrypt",
                ..
            })
        ));
        let unknown = MsSqlUrl::parse("mssql://sa:secret@h/db?trustServerCertificate=true");
        assert!(matches!(&unknown, Err(MsSqlUrlError::UnknownParameter(_))));
        let zero = MsSqlUrl::parse("mssql://sa:secret@h/db?connect_timeout=0");
        assert!(matches!(&zero, Err(MsSqlUrlError::BadValue { .. })));
        assert!(matches!(
            MsSqlUrl::parse("mssql://h/db"),
            Err(MsSqlUrlError::NoUser)
        ));
        assert!(matches!(
            MsSqlUrl::parse("mysql://u@h/db"),
            Err(MsSqlUrlError::Scheme(_))
        ));
        for e in [tls, unknown, zero] {
            let shown = e.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!shown.contains("secret"), "{shown}");
        }
    }

    #[test]
    fn another_database_on_the_same_server() {
        let moved = with_database("mssql://sa:p%40ss@h:1434/master?connect_timeout=3", "nx_1");
        assert_eq!(
            moved.ok().as_deref(),
            Some("mssql://sa:p%40ss@h:1434/nx_1?connect_timeout=3")
        );
    }
}

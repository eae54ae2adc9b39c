//! The adapter's MySQL URL (sqlx's syntax, the one documented for every MySQL store) as
//! mysql_async's options.
//!
//! mysql_async parses URLs too, but with other query parameters (and it refuses sqlx's),
//! so the two stores would not take the same URL. This reads the URL once, by hand, in
//! sqlx's terms: `mysql://user:password@host:port/database?…` with the parameters below;
//! one it does not know is an error naming it, never silently dropped.
//!
//! | parameter | here |
//! | --- | --- |
//! | `ssl-mode` | `disabled` or `preferred` (this build has no TLS: a mode that requires it is refused) |
//! | `timezone`, `time-zone` | accepted and overridden: every session is `+00:00` (see the crate documentation) |
//! | `charset` | accepted and overridden: every session is `utf8mb4` |
//! | `socket` | a Unix socket path, used instead of TCP |
//! | `statement-cache-capacity` | prepared statements kept per connection |

use mysql_async::OptsBuilder;
use url::Url;

/// Why a URL cannot open a mysql_async pool. Never shows the URL itself (it may hold a
/// password).
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("the MySQL URL cannot be parsed: {0}")]
    Parse(#[from] url::ParseError),
    /// A scheme other than `mysql:` or `mariadb:`.
    #[error("a MySQL URL starts with mysql:// or mariadb://, not {0}://")]
    Scheme(String),
    /// A query parameter the store does not know.
    #[error(
        "the MySQL URL parameter {0:?} is not supported (known: ssl-mode, timezone, time-zone, charset, socket, statement-cache-capacity)"
    )]
    UnknownParameter(String),
    /// A known parameter with a value the store cannot honour.
    #[error("the MySQL URL parameter {name}={value:?} is not supported: {why}")]
    BadValue {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why it cannot be honoured.
        why: &'static str,
    },
}

/// The connection options `url` names: server, credentials, database, socket and statement
/// cache. The session settings (zone, character set) and the pool are the caller's.
pub(super) fn options(url: &str) -> Result<OptsBuilder, UrlError> {
    let url = Url::parse(url)?;
    if !matches!(url.scheme(), "mysql" | "mariadb") {
        return Err(UrlError::Scheme(url.scheme().to_owned()));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = Some(decode(url.username())).filter(|u| !u.is_empty());
    let database = url
        .path()
        .strip_prefix('/')
        .map(decode)
        .filter(|d| !d.is_empty());
    let mut builder = OptsBuilder::default()
        .ip_or_hostname(url.host_str().unwrap_or("localhost"))
        .tcp_port(url.port().unwrap_or(3306))
        .user(user)
        .pass(url.password().map(decode))
        .db_name(database)
        // TCP, as given: mysql_async would otherwise look for the server's socket and switch.
        .prefer_socket(false);
    for (name, value) in url.query_pairs() {
        match &*name {
            "ssl-mode" | "sslmode" => {
                if !["disabled", "preferred"].contains(&value.to_ascii_lowercase().as_str()) {
                    return Err(UrlError::BadValue {
                        name: "ssl-mode",
                        value: value.into_owned(),
                        why: "this build has no TLS (use disabled or preferred)",
                    });
                }
            }
            "timezone" | "time-zone" | "charset" => {}
            "socket" => builder = builder.socket(Some(value.into_owned())),
            "statement-cache-capacity" => {
                let size: usize = value.parse().map_err(|_| UrlError::BadValue {
                    name: "statement-cache-capacity",
                    value: value.clone().into_owned(),
                    why: "not a number",
                })?;
                builder = builder.stmt_cache_size(size);
            }
            other => return Err(UrlError::UnknownParameter(other.to_owned())),
        }
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::Opts;

    #[test]
    fn a_sqlx_url_names_the_same_server() {
        let opts = options(
            "mysql://app:p%40ss@db.example:3307/nx_ab?ssl-mode=disabled&timezone=%2B12%3A45",
        )
        .map(Opts::from);
        let Ok(opts) = opts else { panic!("{opts:?}") };
        assert_eq!(opts.ip_or_hostname(), "db.example");
        assert_eq!(opts.tcp_port(), 3307);
        assert_eq!(opts.user(), Some("app"));
        assert_eq!(opts.pass(), Some("p@ss"));
        assert_eq!(opts.db_name(), Some("nx_ab"));
        assert!(!opts.prefer_socket());
        let plain = options("mysql://root@127.0.0.1/test").map(Opts::from);
        assert!(plain.is_ok_and(|o| o.tcp_port() == 3306 && o.pass().is_none()));
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_without_showing_the_url() {
        let unknown = options("mysql://u:secret@h/db?pool_max=3");
        assert!(matches!(&unknown, Err(UrlError::UnknownParameter(p)) if p == "pool_max"));
        let tls = options("mysql://u:secret@h/db?ssl-mode=required");
        assert!(matches!(
            tls,
            Err(UrlError::BadValue {
                name: "ssl-mode",
                ..
            })
        ));
        assert!(matches!(
            options("postgres://h/db"),
            Err(UrlError::Scheme(_))
        ));
        for e in [unknown, tls] {
            let shown = e.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!shown.contains("secret"), "{shown}");
        }
    }
}

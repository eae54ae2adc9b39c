//! Building the URLs that land a connection inside a namespace, and showing URLs without
//! their passwords.

use crate::error::TestkitError;
use crate::server::Server;
use percent_encoding::{
    AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode,
};
use std::path::{Path, PathBuf};
use url::Url;

/// What is escaped in a query value: everything but RFC 3986's unreserved characters, so
/// that `+`, `=`, `:` and spaces survive every URL parser (sqlx's and tokio-postgres' alike).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What is escaped in a SQLite file path: what would end the path (`?`, `#`), the escape
/// character itself, and spaces and control characters.
const SQLITE_PATH: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'?').add(b'#');

/// `url` with its password (if any) replaced by `***`, for logs and reports. A string that
/// is not a URL is shown as `<unparsable URL>` rather than risk printing a secret.
pub fn redact(url: &str) -> String {
    if url.starts_with("sqlite:") {
        return url.to_owned();
    }
    match Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                // Only fails for URLs that cannot have a password, which then has none.
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

/// The `sqlite://` URL naming the directory `dir` (where namespace files are created).
pub fn sqlite_dir_url(dir: &Path) -> String {
    format!(
        "sqlite://{}",
        utf8_percent_encode(&dir.to_string_lossy(), SQLITE_PATH)
    )
}

/// The directory named by a `sqlite://<dir>` (or `sqlite:<dir>`, or plain path) URL.
pub fn sqlite_dir_from_url(url: &str) -> Result<PathBuf, TestkitError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    if rest.is_empty() || rest == ":memory:" {
        return Err(TestkitError::InvalidUrl {
            server: Server::Sqlite,
            url: url.to_owned(),
            reason: "a SQLite server URL names the directory holding the namespace files".into(),
        });
    }
    let decoded = percent_decode_str(rest)
        .decode_utf8()
        .map_err(|e| TestkitError::InvalidUrl {
            server: Server::Sqlite,
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(PathBuf::from(decoded.into_owned()))
}

/// The URL of the SQLite database file `file`, created on first connection (`mode=rwc`).
pub fn sqlite_file_url(file: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        utf8_percent_encode(&file.to_string_lossy(), SQLITE_PATH)
    )
}

fn parse(server: Server, url: &str) -> Result<Url, TestkitError> {
    let parsed = Url::parse(url).map_err(|e| TestkitError::InvalidUrl {
        server,
        url: redact(url),
        reason: e.to_string(),
    })?;
    if parsed.cannot_be_a_base() || parsed.host_str().is_none_or(str::is_empty) {
        return Err(TestkitError::InvalidUrl {
            server,
            url: redact(url),
            reason: "expected scheme://[user[:password]@]host[:port]/[database]".into(),
        });
    }
    Ok(parsed)
}

/// Replaces `url`'s query with `pairs`, each value escaped as [`QUERY_VALUE`].
fn set_query(url: &mut Url, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        url.set_query(None);
        return;
    }
    let query = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY_VALUE),
                utf8_percent_encode(v, QUERY_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    url.set_query(Some(&query));
}

/// Checks that a time-zone name can be passed as a startup option (no spaces, quotes or
/// backslashes, which would split or escape the option string).
fn check_zone_chars(server: Server, tz: &str) -> Result<(), TestkitError> {
    if tz.is_empty()
        || !tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-' | ':'))
    {
        return Err(TestkitError::UnsupportedTimeZone {
            server,
            time_zone: tz.to_owned(),
            reason: "only letters, digits and / _ + - : are accepted".into(),
        });
    }
    Ok(())
}

/// The PostgreSQL URL whose connections use `schema` as their only `search_path`, and the
/// session time zone `tz` when given: the server URL with
/// `options=-c search_path=<schema> [-c TimeZone=<tz>]` (appended to any `options` the
/// server URL already carries). Both sqlx and tokio-postgres read `options` from a URL.
pub fn postgres_namespace_url(
    server_url: &str,
    schema: &str,
    tz: Option<&str>,
) -> Result<String, TestkitError> {
    let mut url = parse(Server::Postgres, server_url)?;
    let mut options = Vec::new();
    let mut pairs = Vec::new();
    for (k, v) in url.query_pairs() {
        if k == "options" {
            options.push(v.into_owned());
        } else {
            pairs.push((k.into_owned(), v.into_owned()));
        }
    }
    options.push(format!("-c search_path={schema}"));
    // The name the server lists the namespace's connections under (pg_stat_activity), so
    // that the fault injector strikes only them.
    options.push(format!("-c application_name={schema}"));
    if let Some(tz) = tz {
        check_zone_chars(Server::Postgres, tz)?;
        options.push(format!("-c TimeZone={tz}"));
    }
    pairs.push(("options".to_owned(), options.join(" ")));
    set_query(&mut url, &pairs);
    Ok(url.to_string())
}

/// The MySQL URL whose connections use database `database`, with the session time zone
/// `offset` (e.g. `+12:45`) when given, in sqlx's `timezone` query parameter; without one,
/// sqlx's default `+00:00` applies.
pub fn mysql_namespace_url(
    server_url: &str,
    database: &str,
    offset: Option<&str>,
) -> Result<String, TestkitError> {
    let mut url = parse(Server::MySql, server_url)?;
    url.set_path(&format!("/{database}"));
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "timezone" && k != "time-zone")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(offset) = offset {
        pairs.push(("timezone".to_owned(), offset.to_owned()));
    }
    set_query(&mut url, &pairs);
    Ok(url.to_string())
}

/// The fixed UTC offset a MySQL session uses for the IANA zone `tz`.
///
/// MariaDB and MySQL know named zones only when their time-zone tables are loaded, which a
/// stock server has not done; the testkit therefore passes an offset. The mapping uses each
/// zone's *standard* offset (no daylight saving):
///
/// | zone | offset |
/// | --- | --- |
/// | `UTC`, `Etc/UTC`, `GMT` | `+00:00` |
/// | `Pacific/Chatham` (the harness's second zone) | `+12:45` |
/// | `Asia/Kathmandu` | `+05:45` |
/// | `Asia/Kolkata` | `+05:30` |
/// | `America/St_Johns` | `-03:30` |
/// | an offset `±HH:MM` | itself |
///
/// Anything else is [`TestkitError::UnsupportedTimeZone`].
pub fn mysql_offset(tz: &str) -> Result<String, TestkitError> {
    let mapped = match tz {
        "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" => "+00:00",
        "Pacific/Chatham" => "+12:45",
        "Asia/Kathmandu" => "+05:45",
        "Asia/Kolkata" => "+05:30",
        "America/St_Johns" => "-03:30",
        other if is_offset(other) => other,
        other => {
            return Err(TestkitError::UnsupportedTimeZone {
                server: Server::MySql,
                time_zone: other.to_owned(),
                reason: "not an offset ±HH:MM nor a zone the testkit maps to one (MySQL's named zones need its time-zone tables)".into(),
            });
        }
    };
    Ok(mapped.to_owned())
}

/// `±HH:MM` with hours up to 14 and minutes below 60.
fn is_offset(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[3] == b':'
        && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit())
        && s[1..3].parse::<u8>().is_ok_and(|h| h <= 14)
        && s[4..6].parse::<u8>().is_ok_and(|m| m < 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn postgres_url_carries_search_path_application_name_and_time_zone() {
        let url = postgres_namespace_url(
            "postgres://u:p%40ss@127.0.0.1:5432/db?sslmode=disable",
            "nx_0123456789abcdef",
            Some("Pacific/Chatham"),
        )
        .unwrap();
        assert_eq!(
            url,
            "postgres://u:p%40ss@127.0.0.1:5432/db?sslmode=disable&options=-c%20search_path%3Dnx_0123456789abcdef%20-c%20application_name%3Dnx_0123456789abcdef%20-c%20TimeZone%3DPacific%2FChatham"
        );
        // sqlx reads it back as three startup options.
        let parsed = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
        assert_eq!(
            parsed.get_options(),
            Some(
                "-c search_path=nx_0123456789abcdef -c application_name=nx_0123456789abcdef -c TimeZone=Pacific/Chatham"
            )
        );
        assert_eq!(parsed.get_database(), Some("db"));
        // Options already in the server URL are kept.
        let url = postgres_namespace_url("postgres://h/db?options=-c%20geqo%3Doff", "nx_a", None)
            .unwrap();
        let parsed = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap();
        assert_eq!(
            parsed.get_options(),
            Some("-c geqo=off -c search_path=nx_a -c application_name=nx_a")
        );
        assert!(postgres_namespace_url("postgres://h/db", "nx_a", Some("x y")).is_err());
        assert!(postgres_namespace_url("not a url", "nx_a", None).is_err());
    }

    #[test]
    fn mysql_url_points_at_the_database_with_an_offset() {
        let url = mysql_namespace_url(
            "mysql://root@127.0.0.1:3306/test?timezone=%2B01:00&ssl-mode=disabled",
            "nx_ab",
            Some("+12:45"),
        )
        .unwrap();
        assert_eq!(
            url,
            "mysql://root@127.0.0.1:3306/nx_ab?ssl-mode=disabled&timezone=%2B12%3A45"
        );
        let parsed = sqlx::mysql::MySqlConnectOptions::from_str(&url).unwrap();
        assert_eq!(parsed.get_database(), Some("nx_ab"));
        let plain = mysql_namespace_url("mysql://root@h", "nx_ab", None).unwrap();
        assert_eq!(plain, "mysql://root@h/nx_ab");
    }

    #[test]
    fn time_zone_mapping() {
        assert_eq!(mysql_offset("Pacific/Chatham").unwrap(), "+12:45");
        assert_eq!(mysql_offset("-03:30").unwrap(), "-03:30");
        assert_eq!(mysql_offset("UTC").unwrap(), "+00:00");
        assert!(mysql_offset("Europe/Nowhere").is_err());
        assert!(mysql_offset("+25:00").is_err());
        assert!(mysql_offset("'; DROP").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://postgres:secret@127.0.0.1:5432/postgres"),
            "postgres://postgres:***@127.0.0.1:5432/postgres"
        );
        assert_eq!(redact("mysql://root@h/test"), "mysql://root@h/test");
        assert_eq!(redact("::"), "<unparsable URL>");
    }

    #[test]
    fn sqlite_paths_round_trip() {
        let dir = Path::new("/tmp/a dir?x");
        let url = sqlite_dir_url(dir);
        assert_eq!(url, "sqlite:///tmp/a%20dir%3Fx");
        assert_eq!(sqlite_dir_from_url(&url).unwrap(), dir);
        assert_eq!(
            sqlite_dir_from_url("/plain/dir").unwrap(),
            Path::new("/plain/dir")
        );
        assert!(sqlite_dir_from_url("sqlite::memory:").is_err());
        let file = sqlite_file_url(&dir.join("nx_1.db"));
        let parsed = sqlx::sqlite::SqliteConnectOptions::from_str(&file).unwrap();
        assert_eq!(parsed.get_filename(), dir.join("nx_1.db"));
    }
}

//! Which servers exist, where the live suite finds one, and whether it must.

use std::path::PathBuf;

/// The environment variable listing the backends whose live suites must run
/// (comma-separated: `postgres,mysql,sqlite`). CI sets it so that a missing server can never
/// turn into a silent pass.
pub const REQUIRE_ENV: &str = "NEXTAUTH_REQUIRE_BACKENDS";

pub use nextauth_adapter_sql::Server;

/// Where the live suites find each server.
pub trait ServerEnv {
    /// The environment variable that locates the server: `NEXTAUTH_TEST_POSTGRES_URL`,
    /// `NEXTAUTH_TEST_MYSQL_URL`, `NEXTAUTH_TEST_MSSQL_URL`, or `NEXTAUTH_TEST_SQLITE_DIR`
    /// (optional: a directory for the namespace files, the system's temporary directory
    /// otherwise).
    fn env_var(self) -> &'static str;
}

impl ServerEnv for Server {
    fn env_var(self) -> &'static str {
        match self {
            Server::Postgres => "NEXTAUTH_TEST_POSTGRES_URL",
            Server::MySql => "NEXTAUTH_TEST_MYSQL_URL",
            Server::Sqlite => "NEXTAUTH_TEST_SQLITE_DIR",
            Server::MsSql => "NEXTAUTH_TEST_MSSQL_URL",
        }
    }
}

/// Whether `NEXTAUTH_REQUIRE_BACKENDS` lists `server`.
pub fn is_required(server: Server) -> bool {
    is_required_in(&std::env::var(REQUIRE_ENV).unwrap_or_default(), server)
}

/// Whether the comma-separated list `list` (the value of `NEXTAUTH_REQUIRE_BACKENDS`) names
/// `server`. Entries are trimmed and compared case-insensitively; empty entries and names of
/// other backends (e.g. `bridge`) are ignored.
pub fn is_required_in(list: &str, server: Server) -> bool {
    list.split(',')
        .filter_map(Server::from_name)
        .any(|s| s == server)
}

/// Where a live suite runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A server URL (for SQLite: `sqlite://<directory>` holding the namespace files).
    Url(String),
    /// No server could be found; the reason says what to set.
    NotConfigured(String),
}

/// Where the live suite of `server` runs: the URL in [`Server::env_var`]; else, with the
/// cargo feature `testcontainers` and a reachable Docker engine, a container started for
/// this process (kept until [`release_containers`](crate::release_containers) or the process
/// ends); SQLite always (a directory for the namespace files); else
/// [`Target::NotConfigured`].
pub async fn locate(server: Server) -> Target {
    let (target, guard) = locate_inner(server).await;
    if let Some(guard) = guard {
        crate::containers::keep(guard);
    }
    target
}

/// [`locate`], handing the container (if one was started) to the caller, who must keep it
/// alive while the URL is used.
pub(crate) async fn locate_inner(server: Server) -> (Target, Option<crate::containers::Guard>) {
    if server == Server::Sqlite {
        return (sqlite_target(), None);
    }
    let var = server.env_var();
    if let Ok(url) = std::env::var(var)
        && !url.trim().is_empty()
    {
        return (Target::Url(url.trim().to_owned()), None);
    }
    match crate::containers::start(server).await {
        Ok((url, guard)) => (Target::Url(url), Some(guard)),
        Err(why) => (
            Target::NotConfigured(format!("{var} is not set, and {why}")),
            None,
        ),
    }
}

/// The directory for SQLite namespace files: `NEXTAUTH_TEST_SQLITE_DIR`, or
/// `<temp>/nextauth-testkit`, created if missing.
fn sqlite_target() -> Target {
    let dir = match std::env::var_os(Server::Sqlite.env_var()) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => std::env::temp_dir().join("nextauth-testkit"),
    };
    match std::fs::create_dir_all(&dir) {
        Ok(()) => Target::Url(crate::urls::sqlite_dir_url(&dir)),
        Err(e) => Target::NotConfigured(format!(
            "the SQLite namespace directory {} cannot be created: {e}",
            dir.display()
        )),
    }
}

/// For a plain `#[test]` against a live server: the server URL (SQLite: the namespace
/// directory), or `None` after a loud `SKIPPED` line on stderr when the server's variable is
/// not set.
///
/// # Panics
/// When `NEXTAUTH_REQUIRE_BACKENDS` lists `server` and its variable is not set: a required
/// live test must fail, never skip silently. Meant for test code, where a panic is the
/// failure.
pub fn url_or_skip(server: Server, test: &str) -> Option<String> {
    if server == Server::Sqlite {
        if let Target::Url(url) = sqlite_target() {
            return Some(url);
        }
    } else if let Ok(url) = std::env::var(server.env_var())
        && !url.trim().is_empty()
    {
        return Some(url.trim().to_owned());
    }
    assert!(
        !is_required(server),
        "{test}: {REQUIRE_ENV} requires {server}, but {} is not set",
        server.env_var()
    );
    // Straight to the process's stderr: the test harness captures `eprintln!`, and a skip
    // must be seen.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\n{rule}\nSKIPPED: live {server} test `{test}` not run, set {var}\n{rule}",
        rule = "*".repeat(72),
        var = server.env_var()
    );
    None
}

/// What a live suite does given where its server is and whether it is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Run against this URL.
    Run(String),
    /// Do not run: print `banner` (on stdout and stderr, so that every CI log shows it), then
    /// fail the test binary when `fail` (the backend is required) and succeed otherwise.
    NotRun {
        /// The loud NOT RUN text.
        banner: String,
        /// Whether the test binary must fail.
        fail: bool,
    },
}

/// The decision for `server` at `target`: run when there is a URL; otherwise a NOT RUN
/// banner, failing when `required`.
pub fn decide(server: Server, target: &Target, required: bool) -> Decision {
    match target {
        Target::Url(url) => Decision::Run(url.clone()),
        Target::NotConfigured(reason) => Decision::NotRun {
            banner: not_run_banner(server, reason, required),
            fail: required,
        },
    }
}

/// The banner printed when the live suite of `server` does not run.
pub fn not_run_banner(server: Server, reason: &str, required: bool) -> String {
    let consequence = if required {
        format!("{REQUIRE_ENV} requires {server}: this is a FAILURE")
    } else {
        format!(
            "nothing was checked; set {} (or list {server} in {REQUIRE_ENV} to make this fail)",
            server.env_var()
        )
    };
    let rule = "*".repeat(72);
    format!(
        "{rule}\nNOT RUN: the live {server} conformance suite did not run\n  reason: {reason}\n  {consequence}\n{rule}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_list_parsing() {
        assert!(is_required_in("postgres,mysql,sqlite", Server::MySql));
        assert!(is_required_in(" Postgres , sqlite", Server::Postgres));
        assert!(is_required_in("mariadb", Server::MySql));
        assert!(is_required_in("postgresql", Server::Postgres));
        assert!(!is_required_in("", Server::Sqlite));
        assert!(!is_required_in("mssql,,", Server::Postgres));
        assert!(is_required_in("bridge, sqlserver", Server::MsSql));
        assert!(!is_required_in("postgres mysql", Server::MySql));
        assert!(!is_required_in("postgress", Server::Postgres));
    }

    #[test]
    fn not_configured_and_required_fails_loudly() {
        let target = Target::NotConfigured("NEXTAUTH_TEST_MYSQL_URL is not set".into());
        match decide(Server::MySql, &target, true) {
            Decision::NotRun { banner, fail } => {
                assert!(fail);
                assert!(banner.contains("NOT RUN"), "{banner}");
                assert!(
                    banner.contains("NEXTAUTH_TEST_MYSQL_URL is not set"),
                    "{banner}"
                );
                assert!(banner.contains("FAILURE"), "{banner}");
            }
            other => panic!("{other:?}"),
        }
        match decide(Server::MySql, &target, false) {
            Decision::NotRun { banner, fail } => {
                assert!(!fail);
                assert!(banner.contains("NOT RUN") && banner.contains("nothing was checked"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decide(Server::Postgres, &Target::Url("postgres://x".into()), true),
            Decision::Run("postgres://x".into())
        );
    }

    #[test]
    fn names_and_variables() {
        for s in Server::ALL {
            assert_eq!(Server::from_name(s.name()), Some(s));
            assert!(s.env_var().starts_with("NEXTAUTH_TEST_"));
        }
    }
}

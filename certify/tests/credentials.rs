//! Credentials never reach an output: `nextauth-certify --url` with a password run against the
//! local PostgreSQL and MariaDB as a dedicated login whose password is a distinctive string,
//! with debug logging on, in every output format; the password must appear nowhere — not on
//! stdout, not on stderr (progress, notes, tracing at DEBUG), not in any report file.
//!
//! The login is created for the test (with the right to create namespaces) and dropped after;
//! its statements are the test's own constants (hence `AssertSqlSafe`).
//! Needs NEXTAUTH_TEST_POSTGRES_URL / NEXTAUTH_TEST_MYSQL_URL (`eval "$(ci/databases.sh)"`).

use nextauth_adapter_testkit::{Server, url_or_skip};
use std::process::Command;

/// The probe login's password: nothing else in any output could contain it.
const PASSWORD: &str = "Pw-9f3c1e7b-never-printed";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs certify against `url` in each format, the rules cut to one area (the property test
/// off) so the run is short, and returns everything it wrote.
fn outputs(url: &str, backend: &str) -> Vec<(String, String)> {
    let dir = std::env::temp_dir().join(format!(
        "nextauth-credentials-{backend}-{}",
        std::process::id()
    ));
    let mut seen = Vec::new();
    for format in ["text", "json", "junit", "markdown"] {
        let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
            .args([
                "--url",
                url,
                "--format",
                format,
                "--filter",
                "session.get.",
                "--cases",
                "0",
            ])
            .arg("--report-dir")
            .arg(&dir)
            .env("RUST_LOG", "debug")
            .env("NEXTAUTH_REGRESSIONS_DIR", dir.join("regressions"))
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(
            stdout.contains("session.get.valid") || stderr.contains("session.get.valid"),
            "{backend} {format}: the run did not run the rules\n{stdout}\n{stderr}"
        );
        seen.push((format!("{backend} --format {format}: stdout"), stdout));
        seen.push((format!("{backend} --format {format}: stderr"), stderr));
    }
    for entry in std::fs::read_dir(&dir).expect("reports").flatten() {
        if entry.path().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            seen.push((entry.path().display().to_string(), text));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    seen
}

fn assert_never_printed(seen: &[(String, String)]) {
    for (what, text) in seen {
        assert!(
            !text.contains(PASSWORD),
            "the password appears in {what}:\n{}",
            text.lines()
                .filter(|l| l.contains(PASSWORD))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(
        seen.len() >= 9,
        "every format and the report files were read"
    );
}

#[test]
fn a_postgres_password_reaches_no_output() {
    let Some(admin) = url_or_skip(Server::Postgres, "credentials never reach an output") else {
        return;
    };
    let login = "nextauth_credentials_probe";
    let rt = runtime();
    let pool = rt.block_on(sqlx::PgPool::connect(&admin)).expect("connect");
    let run = |sql: String| {
        rt.block_on(sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&pool))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    run(format!("DROP ROLE IF EXISTS {login}"));
    run(format!("CREATE ROLE {login} LOGIN PASSWORD '{PASSWORD}'"));
    run(format!("GRANT CREATE ON DATABASE postgres TO {login}"));
    let mut url = url::Url::parse(&admin).expect("a URL");
    url.set_username(login).expect("user");
    url.set_password(Some(PASSWORD)).expect("password");
    let seen = outputs(url.as_str(), "postgres");
    run(format!("REVOKE CREATE ON DATABASE postgres FROM {login}"));
    run(format!("DROP ROLE {login}"));
    assert_never_printed(&seen);
}

#[test]
fn a_mariadb_password_reaches_no_output() {
    let Some(admin) = url_or_skip(Server::MySql, "credentials never reach an output") else {
        return;
    };
    let login = "nextauth_credentials_probe";
    let rt = runtime();
    let pool = rt
        .block_on(sqlx::MySqlPool::connect(&admin))
        .expect("connect");
    let run = |sql: String| {
        rt.block_on(sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&pool))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    };
    run(format!("DROP USER IF EXISTS '{login}'@'%'"));
    run(format!(
        "CREATE USER '{login}'@'%' IDENTIFIED BY '{PASSWORD}'"
    ));
    run(format!("GRANT ALL ON `nx\\_%`.* TO '{login}'@'%'"));
    run(format!("GRANT SELECT ON *.* TO '{login}'@'%'"));
    let mut url = url::Url::parse(&admin).expect("a URL");
    url.set_username(login).expect("user");
    url.set_password(Some(PASSWORD)).expect("password");
    let seen = outputs(url.as_str(), "mysql");
    run(format!("DROP USER '{login}'@'%'"));
    assert_never_printed(&seen);
}

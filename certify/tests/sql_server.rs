//! `nextauth-certify` given a SQL Server URL, with no SQL Server here: the URL reaches the
//! SQL Server adapter (`--url`) and its introspection (`schema --url`), and a server that is
//! not there, or never answers, is a clear failure within the URL's `connect_timeout`, never
//! a hang, and never shows the password.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Mssql-Pw-4b1d-never-printed";

/// Runs certify with `args`, returning its output and how long it took.
fn certify(args: &[&str], report_dir: &std::path::Path) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(args)
        .env("NEXTAUTH_REPORT_DIR", report_dir)
        .env("NEXTAUTH_REGRESSIONS_DIR", report_dir.join("regressions"))
        .env("RUST_LOG", "debug")
        .output()
        .expect("runs");
    (output, started.elapsed())
}

/// `nextauth-certify --url url` (no property test), its reports in a directory of its own
/// removed after.
fn certify_url(url: &str, tag: &str) -> (Output, Duration) {
    let dir = std::env::temp_dir().join(format!("nextauth-mssql-{tag}-{}", std::process::id()));
    let report_dir = dir.to_str().expect("utf-8");
    let ran = certify(
        &["--url", url, "--cases", "0", "--report-dir", report_dir],
        &dir,
    );
    let _ = std::fs::remove_dir_all(&dir);
    ran
}

fn shown(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A listener that accepts connections and never says anything: a login cannot complete.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a local listener");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for socket in listener.incoming() {
            held.push(socket);
        }
    });
    port
}

#[test]
fn an_unreachable_sql_server_could_not_be_certified_at_once_with_the_reason() {
    let url = format!("mssql://sa:{PASSWORD}@127.0.0.1:1/master?connect_timeout=5");
    let (output, took) = certify_url(&url, "refused");
    let text = shown(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(
        text.contains("verdict: could not certify mssql: the backend could not be set up: mssql: cannot connect to mssql://sa:***@127.0.0.1:1/"),
        "{text}"
    );
    assert!(!text.contains("Findings"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn schema_against_a_silent_sql_server_gives_up_within_connect_timeout() {
    let port = silent_server();
    let dir = std::env::temp_dir().join(format!("nextauth-mssql-schema-{}", std::process::id()));
    for scheme in ["mssql", "sqlserver"] {
        let url = format!("{scheme}://sa:{PASSWORD}@127.0.0.1:{port}/master?connect_timeout=2");
        let (output, took) = certify(&["schema", "--url", &url], &dir);
        let text = shown(&output);
        assert_eq!(output.status.code(), Some(2), "{scheme}: {text}");
        assert!(
            took >= Duration::from_secs(2) && took < Duration::from_secs(10),
            "{scheme}: took {took:?}: {text}"
        );
        assert!(
            text.contains(&format!("no connection to SQL Server at 127.0.0.1:{port}"))
                && text.contains("connect_timeout"),
            "{scheme}: {text}"
        );
        assert!(!text.contains(PASSWORD), "{scheme}: {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn certifying_a_silent_sql_server_waits_out_one_connect_timeout_not_one_per_rule() {
    let port = silent_server();
    let url = format!("sqlserver://sa:{PASSWORD}@127.0.0.1:{port}/master?connect_timeout=2");
    let (output, took) = certify_url(&url, "silent");
    let text = shown(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("verdict: could not certify mssql"), "{text}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "took {took:?}"
    );
    assert!(text.contains("not tried again for each rule"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

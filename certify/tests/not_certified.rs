//! A run that could not certify says so: through the binary, a closed port, a wrong host, a
//! refused login (a PostgreSQL the test starts with password authentication, and a MariaDB
//! user with a password) and an adapter command that exits at once each end in "could not certify"
//! with the reason, exit status 2, no finding and no failing rule (the occupied database is
//! `occupied.rs`'s). And what a deliberately broken adapter's run saves is never replayed
//! against a real adapter.
//!
//! The refused login needs a server that checks passwords: the local MariaDB
//! (NEXTAUTH_TEST_MYSQL_URL, `eval "$(ci/databases.sh)"`), with a user made for the test;
//! without it the test prints SKIPPED, and fails if NEXTAUTH_REQUIRE_BACKENDS lists mysql.

mod common;

use nextauth_adapter_testkit::{Server, url_or_skip};
use std::path::Path;

/// The binary's exit status and text, and the JSON report it wrote, if it wrote one.
fn certify(args: &[&str]) -> (Option<i32>, String, Option<serde_json::Value>) {
    let dir = common::temp_dir("not-certified");
    let mut all = args.to_vec();
    let dir_arg = dir.to_str().expect("UTF-8 path").to_owned();
    all.extend(["--report-dir", &dir_arg]);
    let o = common::run(&all);
    let report = std::fs::read_dir(&dir)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read the report"))
        .map(|json| serde_json::from_str(&json).expect("a JSON report"));
    let _ = std::fs::remove_dir_all(&dir);
    (o.status.code(), common::text(&o), report)
}

/// Exit 2, "could not certify <backend>: …<reason>…" on the verdict line, and a report (when
/// one was written) with that verdict, no finding, no failed rule and no rule that ran.
fn assert_not_certified(args: &[&str], backend: &str, reason: &str) {
    let (code, out, report) = certify(args);
    assert_eq!(code, Some(2), "{args:?}: {out}");
    let verdict = out
        .lines()
        .find(|l| l.starts_with("verdict:") || l.starts_with("nextauth-certify:"))
        .unwrap_or_else(|| panic!("{args:?}: no verdict line: {out}"));
    assert!(
        verdict.contains(&format!("could not certify {backend}")) || {
            verdict.starts_with("nextauth-certify: could not certify:")
        },
        "{args:?}: {verdict}"
    );
    assert!(
        verdict.contains(reason),
        "{args:?}: {reason:?} in {verdict}"
    );
    assert!(!out.contains("does not conform"), "{args:?}: {out}");
    assert!(!out.contains("Findings"), "{args:?}: {out}");
    let Some(report) = report else { return };
    assert_eq!(report["verdict"], "not_certified", "{out}");
    assert!(
        report["not_certified"]
            .as_str()
            .is_some_and(|s| s.contains(reason) && s.ends_with("no rule ran")),
        "{report}"
    );
    assert_eq!(report["findings"], serde_json::json!([]), "{out}");
    for level in ["must", "should"] {
        assert_eq!(report[level]["failed"], 0, "{out}");
        assert_eq!(report[level]["passed"], 0, "{out}");
    }
    let results = report["results"].as_array().expect("results");
    assert!(
        results.iter().all(|r| r["status"] == "not_run"),
        "a rule ran: {out}"
    );
    assert!(
        !report["property_test"]["failure"].is_string(),
        "a property-test divergence: {report}"
    );
}

/// A port on 127.0.0.1 nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

#[test]
fn a_closed_port_could_not_certify() {
    let port = closed_port();
    assert_not_certified(
        &[
            "-q",
            "--url",
            &format!("postgres://postgres:secret@127.0.0.1:{port}/postgres"),
        ],
        "postgres",
        "Connection refused",
    );
    assert_not_certified(
        &[
            "-q",
            "--url",
            &format!("mysql://root@127.0.0.1:{port}/test"),
        ],
        "mysql",
        "Connection refused",
    );
}

#[test]
fn a_wrong_host_could_not_certify() {
    // `.invalid` never resolves (RFC 2606): no network is asked.
    assert_not_certified(
        &[
            "-q",
            "--url",
            "postgres://postgres@nextauth-kit.invalid:5432/postgres",
        ],
        "postgres",
        "nextauth-kit.invalid",
    );
}

#[test]
fn a_refused_login_could_not_certify() {
    let Some(admin) = url_or_skip(Server::MySql, "a refused login could not certify") else {
        return;
    };
    let user = format!("nx_login_{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let run = |sql: String| {
        runtime.block_on(async {
            let pool = sqlx::MySqlPool::connect(&admin).await.expect("connect");
            // The test's own statements, with a name it made.
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&pool)
                .await
                .expect(&sql);
            pool.close().await;
        })
    };
    run(format!(
        "CREATE USER '{user}'@'%' IDENTIFIED BY 'right-password'"
    ));
    let url = url::Url::parse(&admin).expect("the MariaDB URL");
    let wrong = format!(
        "mysql://{user}:wrong-password@{}:{}/test",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(3306)
    );
    let (code, out, _) = certify(&["-q", "--url", &wrong]);
    run(format!("DROP USER '{user}'@'%'"));
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("could not certify mysql"), "{out}");
    assert!(out.contains("Access denied"), "{out}");
    assert!(
        !out.contains("wrong-password"),
        "the password reached the output: {out}"
    );
    assert!(!out.contains("does not conform"), "{out}");
}

/// A PostgreSQL server of the test's own, started with password authentication
/// (`scram-sha-256`, the password `right-password`) on a free port of 127.0.0.1, stopped and
/// removed when dropped. As root (the tests here run as root) it runs as the `postgres` user,
/// since `initdb` refuses root.
struct PasswordServer {
    dir: std::path::PathBuf,
    bin: std::path::PathBuf,
    port: u16,
}

impl PasswordServer {
    /// The server, or `None` (said on stderr) when this machine has no PostgreSQL binaries.
    fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())?;
        let dir = common::temp_dir("password-server");
        std::fs::create_dir_all(&dir).expect("the server's directory");
        std::fs::write(dir.join("pw"), "right-password\n").expect("the password file");
        let server = PasswordServer {
            dir,
            bin,
            port: closed_port(),
        };
        server.chown();
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("UTF-8"),
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                "--pwfile",
                server.dir.join("pw").to_str().expect("UTF-8"),
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            server.port,
            server.dir.display()
        );
        server.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().expect("UTF-8"),
                "-o",
                &options,
                "-l",
                server.dir.join("log").to_str().expect("UTF-8"),
                "-w",
                "start",
            ],
        );
        Some(server)
    }

    /// Whether this process is root (then the server runs as `postgres`).
    fn as_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    }

    fn chown(&self) {
        if Self::as_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&self.dir)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown of {}", self.dir.display());
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let tool = self.bin.join(tool);
        let mut command = if Self::as_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&tool);
            c
        } else {
            std::process::Command::new(&tool)
        };
        let o = command
            .args(args)
            .output()
            .expect("the PostgreSQL tool runs");
        assert!(
            o.status.success(),
            "{} {args:?}: {}",
            tool.display(),
            common::text(&o)
        );
    }
}

impl Drop for PasswordServer {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = std::panic::catch_unwind(|| {
            self.run(
                "pg_ctl",
                &["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"],
            );
        });
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_refused_password_on_a_server_that_checks_it_could_not_certify() {
    let Some(server) = PasswordServer::start() else {
        assert!(
            !nextauth_adapter_testkit::is_required(Server::Postgres),
            "a refused login: NEXTAUTH_REQUIRE_BACKENDS requires postgres, but no PostgreSQL binaries (initdb) are installed"
        );
        eprintln!("SKIPPED: a refused login on PostgreSQL: no initdb on this machine");
        return;
    };
    let url = format!(
        "postgres://postgres:wrong-password@127.0.0.1:{}/postgres",
        server.port
    );
    assert_not_certified(
        &["-q", "--url", &url],
        "postgres",
        "password authentication failed",
    );
    let (_, out, _) = certify(&["-q", "--url", &url]);
    assert!(
        !out.contains("wrong-password"),
        "the password reached the output: {out}"
    );
}

#[test]
fn an_adapter_command_that_exits_at_once_could_not_certify() {
    for profile in ["v3", "authjs"] {
        assert_not_certified(
            &[
                "-q",
                "--profile",
                profile,
                "--adapter-command",
                "sh -c 'exit 3'",
            ],
            "",
            "exit status: 3",
        );
    }
}

/// The files under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_broken_adapters_regressions_are_not_replayed_for_a_real_one() {
    let regressions = common::temp_dir("regressions-shared");
    let run = |args: &[&str]| {
        let reports = common::temp_dir("reports-shared");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
            .args(args)
            .arg("--report-dir")
            .arg(&reports)
            .env("NEXTAUTH_REGRESSIONS_DIR", &regressions)
            .env_remove("NEXTAUTH_PROPTEST_SEED")
            .output()
            .expect("runs");
        let _ = std::fs::remove_dir_all(&reports);
        o
    };
    // The demonstration: its property test fails and saves the sequence it found.
    let broken = run(&["-q", "--broken", "create-drops-email-verified"]);
    assert_eq!(broken.status.code(), Some(1), "{}", common::text(&broken));
    let saved = files(&regressions);
    assert!(
        !saved.is_empty()
            && saved.iter().all(|p| p
                .strip_prefix(&regressions)
                .is_ok_and(|rel| rel.starts_with("broken/broken-create-drops-email-verified"))),
        "saved apart, under the defect's name: {saved:?}"
    );
    // Named by what the sequence does, not by the defect that found it.
    assert!(
        saved.iter().all(|p| p
            .file_name()
            .is_some_and(|n| !n.to_string_lossy().contains("broken"))),
        "{saved:?}"
    );
    // A conforming backend, in the same directory: it conforms and names no broken adapter.
    let real = run(&["-q", "--url", "sqlite:"]);
    let out = common::text(&real);
    assert_eq!(real.status.code(), Some(0), "{out}");
    assert!(out.contains("verdict: sqlite conforms"), "{out}");
    assert!(!out.contains("broken"), "{out}");
    // The demonstration again replays its own.
    let again = run(&["-q", "--broken", "create-drops-email-verified"]);
    assert_eq!(again.status.code(), Some(1), "{}", common::text(&again));
    let _ = std::fs::remove_dir_all(&regressions);
}

#[test]
fn every_command_on_a_closed_port_exits_2_with_the_reason() {
    let port = closed_port();
    let url = format!("postgres://postgres:secret@127.0.0.1:{port}/postgres");
    for args in [
        vec!["schema", "--url", &url],
        vec!["serve", "--url", &url],
        vec!["soak", "--url", &url, "--duration", "1"],
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
            .args(&args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs");
        let out = common::text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {out}");
        assert!(out.contains("Connection refused"), "{args:?}: {out}");
        assert!(
            !out.contains("secret"),
            "{args:?}: the password reached the output: {out}"
        );
    }
}

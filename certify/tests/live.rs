//! `nextauth-certify --url` against the local PostgreSQL and MariaDB: each conforms, and
//! afterwards none of the schemas or databases it created (as its own log names them) is
//! left. Only those are looked at: the server is shared, and what others create meanwhile
//! is theirs.
//!
//! Needs NEXTAUTH_TEST_POSTGRES_URL / NEXTAUTH_TEST_MYSQL_URL (`eval "$(ci/databases.sh)"`);
//! without them prints SKIPPED, and fails if NEXTAUTH_REQUIRE_BACKENDS lists the backend.

use nextauth_adapter_testkit::{Server, url_or_skip};
use sqlx::Row;
use std::collections::BTreeSet;
use std::process::Command;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn pg_schemas(url: &str) -> BTreeSet<String> {
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    let rows = sqlx::query("SELECT schema_name::text FROM information_schema.schemata")
        .fetch_all(&pool)
        .await
        .expect("list");
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn mysql_databases(url: &str) -> BTreeSet<String> {
    let pool = sqlx::MySqlPool::connect(url).await.expect("connect");
    let rows = sqlx::query("SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata")
        .fetch_all(&pool)
        .await
        .expect("list");
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

/// The namespaces (`nx_<made>_<host>_<pid>_<random>`) a run's log says it created.
fn created_namespaces(log: &str) -> BTreeSet<String> {
    log.lines()
        .filter(|l| l.contains("namespace created"))
        .filter_map(|l| {
            let start = l.find("nx_")?;
            let name: String = l[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            nextauth_adapter_testkit::stale::Maker::of_name(&name).map(|_| name)
        })
        .collect()
}

/// Certifies the server at `url` and returns the namespaces the run created.
fn certify_url(url: &str, backend: &str) -> BTreeSet<String> {
    let dir = std::env::temp_dir().join(format!(
        "nextauth-certify-live-{backend}-{}",
        std::process::id()
    ));
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(["--url", url, "--cases", "64", "--quiet", "--report-dir"])
        .arg(&dir)
        .env("NEXTAUTH_REGRESSIONS_DIR", dir.join("regressions"))
        .env("RUST_LOG", "error,nextauth_adapter_testkit=debug")
        .output()
        .expect("runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{backend}: {out}");
    assert!(out.contains(&format!("{backend}: conforms")), "{out}");
    assert!(dir.join(format!("{backend}.junit.xml")).is_file());
    let _ = std::fs::remove_dir_all(&dir);
    let created = created_namespaces(&String::from_utf8_lossy(&o.stderr));
    assert!(
        !created.is_empty(),
        "{backend}: the run's log names no namespace it created"
    );
    created
}

#[test]
fn postgres_conforms_and_leaves_no_schema_behind() {
    let Some(url) = url_or_skip(Server::Postgres, "certify --url postgres") else {
        return;
    };
    let created = certify_url(&url, "postgres");
    let after = runtime().block_on(pg_schemas(&url));
    let left: Vec<_> = created.intersection(&after).collect();
    assert!(
        left.is_empty(),
        "schemas left behind (of {} created): {left:?}",
        created.len()
    );
}

#[test]
fn mariadb_conforms_and_leaves_no_database_behind() {
    let Some(url) = url_or_skip(Server::MySql, "certify --url mysql") else {
        return;
    };
    let created = certify_url(&url, "mysql");
    let after = runtime().block_on(mysql_databases(&url));
    let left: Vec<_> = created.intersection(&after).collect();
    assert!(
        left.is_empty(),
        "databases left behind (of {} created): {left:?}",
        created.len()
    );
}

/// Whether `bridge/node/node_modules` is installed; a loud skip otherwise, a failure when
/// NEXTAUTH_REQUIRE_BACKENDS lists `bridge`.
fn bridge_installed(test: &str) -> bool {
    nextauth_adapter_bridge::node_modules_or_skip(test)
}

#[test]
fn a_broken_javascript_adapter_is_caught_through_the_bridge() {
    let Some(url) = url_or_skip(Server::Postgres, "certify --adapter-command") else {
        return;
    };
    if !bridge_installed("certify --adapter-command") {
        return;
    }
    let server = concat!(env!("CARGO_MANIFEST_DIR"), "/../bridge/node/server.js");
    let dir = std::env::temp_dir().join(format!("nextauth-certify-bridge-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args([
            "--adapter-command",
            &format!("node {server} --adapter next-auth-raw-token --url {url}"),
        ])
        .args([
            "--filter",
            "verification.",
            "--filter",
            "security.",
            "--cases",
            "0",
            "--quiet",
            "--report-dir",
        ])
        .arg(&dir)
        .env("NEXTAUTH_REGRESSIONS_DIR", dir.join("regressions"))
        .output()
        .expect("runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "{out}");
    let report: serde_json::Value = std::fs::read_dir(&dir)
        .expect("reports")
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap())
        .expect("a JSON report");
    let failed: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        failed.contains(&"security.verification.raw-token-never-stored"),
        "{failed:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a killed run left is dropped by the next run: a namespace named by a process of this
/// machine that has ended is gone once a certification has made its first namespace on the
/// server. And `nextauth-certify clean`: `--dry-run` lists an old namespace of another machine
/// as stale and keeps it, `--older-than` drops it, a name that records no maker is listed as
/// unknown and never touched, and a URL without a server is a usage error.
#[test]
fn stale_namespaces_are_dropped_by_the_next_run_and_by_clean() {
    use nextauth_adapter_testkit::stale::{Maker, host_tag};
    let certify = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
            .args(args)
            .output()
            .expect("runs");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, _, err) = certify(&["clean", "--url", "sqlite:"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("clean needs a server URL"), "{err}");
    for server in [Server::Postgres, Server::MySql] {
        let Some(url) = url_or_skip(server, "stale namespaces are dropped") else {
            continue;
        };
        let mut child = Command::new("true").spawn().expect("true");
        let ended = child.id();
        child.wait().expect("waits");
        let now = Maker::this_process();
        let killed = Maker { pid: ended, ..now }.name(std::process::id());
        let old = Maker {
            host: host_tag() ^ 0x00a5_a500,
            made_at: now.made_at - 4 * 86_400,
            ..now
        }
        .name(std::process::id());
        let unknown = format!("nx_{:016x}", u64::from(std::process::id()) << 12);
        let keyword = if server == Server::Postgres {
            "SCHEMA"
        } else {
            "DATABASE"
        };
        let run = |sql: Vec<String>| {
            runtime().block_on(async {
                use sqlx::Connection;
                macro_rules! exec {
                    ($c:ty) => {{
                        let mut c = <$c>::connect(&url).await.expect("connect");
                        for s in &sql {
                            sqlx::query(sqlx::AssertSqlSafe(s.clone()))
                                .execute(&mut c)
                                .await
                                .expect("runs");
                        }
                    }};
                }
                match server {
                    Server::Postgres => exec!(sqlx::PgConnection),
                    _ => exec!(sqlx::MySqlConnection),
                }
            })
        };
        let present = || match server {
            Server::Postgres => runtime().block_on(pg_schemas(&url)),
            _ => runtime().block_on(mysql_databases(&url)),
        };
        run([&killed, &old, &unknown]
            .iter()
            .map(|n| format!("CREATE {keyword} {n}"))
            .collect());

        // The next run: one rule, in a namespace of its own; the killed run's is gone after.
        let reports = std::env::temp_dir().join(format!(
            "nextauth-certify-stale-{server}-{}",
            std::process::id()
        ));
        let (_, out, err) = certify(&[
            "--url",
            &url,
            "--filter",
            "user.create.persisted",
            "--exact",
            "--quiet",
            "--report-dir",
            &reports.display().to_string(),
        ]);
        let _ = std::fs::remove_dir_all(&reports);
        assert!(
            !present().contains(&killed),
            "{killed} is still there:\n{out}{err}"
        );
        assert!(present().contains(&old) && present().contains(&unknown));

        let (code, out, err) =
            certify(&["clean", "--url", &url, "--older-than", "3d", "--dry-run"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(line(&out, &old).contains("stale"), "{out}");
        assert!(line(&out, &old).contains("another machine"), "{out}");
        assert!(line(&out, &unknown).contains("unknown"), "{out}");
        assert!(out.contains("(dry run)"), "{out}");
        assert!(present().contains(&old));

        let (code, out, err) = certify(&["clean", "--url", &url]);
        assert_eq!(code, Some(0), "{err}");
        assert!(line(&out, &old).contains("kept"), "{out}");
        let (code, out, err) = certify(&["clean", "--url", &url, "--older-than", "3d"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(line(&out, &old).contains("dropped"), "{out}");
        assert!(!present().contains(&old), "{old} is still there: {out}");
        assert!(present().contains(&unknown), "{unknown} was dropped: {out}");
        run(vec![format!("DROP {keyword} {unknown}")]);
    }
}

/// The line of `out` that starts with `name` (empty when none does).
fn line(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_default()
        .to_owned()
}

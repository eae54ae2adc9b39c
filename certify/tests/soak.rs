//! `nextauth-certify soak`: 60 seconds of v3 core's flows at concurrency 32 against the
//! local PostgreSQL and MariaDB (what CI runs, `docs/reliability.md`), and a short soak of the
//! reference; each must report every flow run, no invariant violated, the namespace's
//! connections bounded, and exit 0. A hard bound (twice the duration plus two minutes) fails
//! a soak that hangs. Needs NEXTAUTH_TEST_POSTGRES_URL / NEXTAUTH_TEST_MYSQL_URL.

mod common;

use nextauth_adapter_testkit::{Server, url_or_skip};
use std::time::{Duration, Instant};

/// Runs `soak` with `args` and `--format json`, returning the summary.
fn soak(args: &[&str], seconds: u64) -> serde_json::Value {
    let mut run = common::command(&["soak"]);
    let mut child = run
        .command
        .args(args)
        .args(["--duration", &format!("{seconds}s"), "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let bound = Duration::from_secs(seconds * 2 + 120);
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > bound {
            let _ = child.kill();
            panic!("the soak did not end within {bound:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let o = child.wait_with_output().expect("output");
    let text = common::text(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.lines().filter(|l| l.contains("flows")).count() >= 2,
        "no progress lines: {stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON summary");
    assert_eq!(summary["format"], "nextauth-soak/v1", "{summary}");
    assert_eq!(summary["passed"], true, "{summary}");
    assert_eq!(summary["violation_count"], 0, "{summary}");
    let flows = summary["flows"].as_object().expect("flows");
    assert_eq!(flows.len(), 6, "every flow ran: {summary}");
    assert!(flows.values().all(|n| n.as_u64() > Some(0)), "{summary}");
    summary
}

fn live(server: Server) {
    let Some(url) = url_or_skip(server, "the 60-second soak") else {
        return;
    };
    let summary = soak(&["--url", &url], 60);
    let connections = summary["max_connections"]
        .as_u64()
        .expect("connections listed");
    assert!((1..=32).contains(&connections), "{summary}");
    assert!(summary["rss_kib"].is_array(), "{summary}");
    println!("{summary}");
}

#[test]
fn sixty_seconds_on_postgres() {
    live(Server::Postgres);
}

#[test]
fn sixty_seconds_on_mariadb() {
    live(Server::MySql);
}

#[test]
fn the_reference_soaks_clean() {
    let summary = soak(&["--reference", "--concurrency", "8"], 3);
    assert!(summary["max_connections"].is_null(), "{summary}");
}

#[test]
fn a_bad_duration_is_refused() {
    let o = common::run(&["soak", "--reference", "--duration", "soon"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
    assert!(
        common::text(&o).contains("not a duration"),
        "{}",
        common::text(&o)
    );
}

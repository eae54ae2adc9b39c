//! Every column of the benchmark runs every flow on a live server: a short run of the real
//! binary (a few hundred users, fractions of a second per cell) whose JSON must hold a
//! number for each column that applies, so that a column cannot rot between the runs that
//! regenerate `docs/performance.md`. It checks that the columns work, not how fast they are.

use nextauth_adapter_testkit::{Server, is_required, url_or_skip};
use serde_json::Value;
use std::process::Command;

/// Runs the benchmark on `server` and returns its JSON results.
fn run(server: Server, url: &str, name: &str) -> Value {
    let out = std::env::temp_dir().join(format!(
        "nextauth-bench-test-{name}-{}.json",
        std::process::id()
    ));
    let flag = match server {
        Server::Postgres => "--postgres-url",
        _ => "--mysql-url",
    };
    let run = Command::new(env!("CARGO_BIN_EXE_nextauth-bench"))
        .args(["--databases", name, flag, url])
        .args(["--users", "300", "--duration", "0.3", "--warmup", "0.1"])
        .args(["--concurrency", "2", "--runs", "1"])
        .arg("--json")
        .arg(&out)
        .output()
        .expect("the benchmark runs");
    assert!(
        run.status.success(),
        "nextauth-bench on {name} failed: {}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let json = std::fs::read_to_string(&out).expect("the JSON results are written");
    let _ = std::fs::remove_file(&out);
    serde_json::from_str(&json).expect("the results are JSON")
}

/// The flows/s of `column` on `flow`, if the run has it.
fn flows(results: &Value, column: &str, flow: &str) -> Option<f64> {
    results["cells"].as_array()?.iter().find_map(|c| {
        (c["column"] == column && c["flow"] == flow).then(|| c["flows_per_sec"].as_f64())?
    })
}

/// The note that stands for `column`, if it did not run.
fn note(results: &Value, column: &str) -> Option<String> {
    results["notes"].as_array()?.iter().find_map(|n| {
        (n["column"] == column).then(|| n["note"].as_str().unwrap_or_default().to_owned())
    })
}

fn check(server: Server, name: &str, stores: &[&'static str], limits: &[&str]) {
    let Some(url) = url_or_skip(server, &format!("bench_columns_{name}")) else {
        return;
    };
    let results = run(server, &url, name);
    let required = is_required(server);
    let flows_all = ["session-read", "oauth-signin", "email-signin"];
    let mut columns = vec!["raw-sqlx", "raw-other"];
    columns.extend(stores);
    if nextauth_adapter_bridge::node_modules_installed()
        || nextauth_adapter_bridge::bridge_required()
    {
        columns.extend(["next-auth", "next-auth-bridged"]);
    }
    for column in columns {
        for flow in flows_all {
            let f = flows(&results, column, flow);
            assert!(
                f.is_some_and(|f| f > 0.0),
                "{name} {column} {flow}: no flows/s (note: {:?})",
                note(&results, column)
            );
        }
    }
    for limit in limits {
        match flows(&results, limit, "session-read") {
            Some(f) => assert!(f > 0.0, "{name} {limit}: {f} flows/s"),
            None => {
                let why = note(&results, limit).unwrap_or_default();
                // Only a missing tool excuses a load tool's column, and only off CI.
                assert!(
                    why.contains("not installed") && !required,
                    "{name} {limit}: no number ({why:?})"
                );
                eprintln!("NOT RUN: {name} {limit}: {why}");
            }
        }
        assert_eq!(
            flows(&results, limit, "oauth-signin"),
            None,
            "the load tools run the session read only"
        );
    }
}

#[test]
fn every_postgres_column_runs_every_flow() {
    // Two stores: the default on tokio-postgres, and the one on sqlx.
    check(
        Server::Postgres,
        "postgres",
        &["ours", "ours-sqlx"],
        &["limit-1", "limit-2"],
    );
}

#[test]
fn every_mysql_column_runs_every_flow() {
    // MariaDB's adapter is on sqlx: there is no second store to measure.
    check(Server::MySql, "mysql", &["ours"], &["limit-1"]);
}

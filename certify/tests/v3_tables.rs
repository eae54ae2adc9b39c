//! `nextauth-certify schema` on the tables next-auth@3 itself creates (`synchronize: true`,
//! the seed's example configuration), made by the real next-auth@3 from `bridge/node`: on
//! PostgreSQL they are compatible (TypeORM's unbounded `character varying` is wider than our
//! `VARCHAR(255)`, not an error); on MariaDB they are compatible and the report states the
//! `utf8mb4_general_ci` and `TIMESTAMP` facts and what an adapter there declares. And
//! `nextauth-certify interop`: the interop lane for a user, its JSON report and its refusal
//! of a server the lane does not cover.
//!
//! Needs the database URLs (`eval "$(ci/databases.sh)"`) and `bridge/node/node_modules`
//! (`ci/bridge.sh`); without them prints SKIPPED, and fails when NEXTAUTH_REQUIRE_BACKENDS
//! lists the server or `bridge`.

use nextauth_adapter_bridge::next_auth_synchronize;
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server, url_or_skip};
use std::process::Command;

fn bridge_installed(test: &str) -> bool {
    nextauth_adapter_bridge::node_modules_or_skip(test)
}

/// Creates a namespace on `server` whose tables next-auth@3's synchronize made, runs
/// `nextauth-certify schema` on it, drops it, and returns the exit code and the output.
fn schema_of_synchronized(server: Server, url: &str) -> (Option<i32>, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let tables = next_auth_synchronize(server, url).expect("next-auth@3 starts");
    let ns = runtime
        .block_on(Namespace::create_for(
            &tables,
            server,
            url,
            SchemaNames::default(),
            None,
        ))
        .expect("a namespace");
    let made = runtime.block_on(ns.make_tables(&tables));
    let output = made.as_ref().ok().map(|()| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"));
        command.arg("schema");
        match server {
            Server::Postgres => command.args(["--url", url, "--pg-schema", ns.name()]),
            _ => command.args(["--url", ns.url()]),
        };
        command.output().expect("the binary runs")
    });
    runtime
        .block_on(ns.drop())
        .expect("the namespace is dropped");
    made.expect("next-auth@3 made its tables");
    let o = output.expect("ran");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code(), text)
}

#[test]
fn postgres_tables_made_by_synchronize_are_compatible() {
    let Some(url) = url_or_skip(Server::Postgres, "schema on next-auth@3 tables") else {
        return;
    };
    if !bridge_installed("schema on next-auth@3 tables (PostgreSQL)") {
        return;
    }
    let (code, out) = schema_of_synchronized(Server::Postgres, &url);
    println!("{out}");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("result: compatible"), "{out}");
    assert!(out.contains("\n0 errors,"), "an error is reported: {out}");
    // TypeORM's `character varying` without a length: wider than VARCHAR(255), allowed.
    assert!(out.contains("found TEXT, which holds every value"), "{out}");
    assert!(out.contains("declares email_matching = exact"), "{out}");
    assert!(out.contains("declares timestamp_range = full"), "{out}");
}

#[test]
fn mariadb_tables_made_by_synchronize_report_their_collation() {
    let Some(url) = url_or_skip(Server::MySql, "schema on next-auth@3 tables") else {
        return;
    };
    if !bridge_installed("schema on next-auth@3 tables (MariaDB)") {
        return;
    }
    let (code, out) = schema_of_synchronized(Server::MySql, &url);
    println!("{out}");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("result: compatible"), "{out}");
    let line = |needle: &str| {
        // A line of the facts, not of the difference table above them.
        out.lines()
            .find(|l| l.starts_with("  ") && l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{out}"))
            .to_owned()
    };
    let matching = line("collation utf8mb4_general_ci: ignores case");
    assert!(
        matching.contains("users.email")
            && matching.contains("verification_requests.identifier")
            && matching.contains("'Ada@x.org' and 'ada@x.org' are one address"),
        "the collation of the e-mail columns is a reported fact: {out}"
    );
    // TypeORM makes every instant a TIMESTAMP(6) on MySQL: 1970 to 2038.
    let range = line("TIMESTAMP: holds 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC only");
    for column in [
        "users.email_verified",
        "accounts.access_token_expires",
        "sessions.expires",
        "verification_requests.expires",
    ] {
        assert!(range.contains(column), "{column} is not in {range:?}");
    }
    assert!(out.contains("declares timestamp_range = unix32"), "{out}");
    assert!(
        out.contains("declares email_matching = mysql_general_ci (decided by users.email, collation utf8mb4_general_ci)"),
        "{out}"
    );
}

#[test]
fn interop_command_runs_the_lane_and_reports_json() {
    let Some(url) = url_or_skip(Server::MySql, "interop command") else {
        return;
    };
    if !bridge_installed("interop command") {
        return;
    }
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args([
            "interop",
            "--url",
            &url,
            "--tables",
            "synchronize",
            "--format",
            "json",
        ])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let reports: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let [report] = reports.as_array().expect("an array").as_slice() else {
        panic!("one report for one kind of tables: {reports}");
    };
    assert_eq!(report["format"], "nextauth-interop/v1");
    assert_eq!(
        report["ours_capabilities"]["email_matching"],
        "mysql_general_ci"
    );
    assert_eq!(report["ours_capabilities"]["timestamp_range"], "unix32");
    let checks = report["checks"].as_array().expect("checks");
    assert!(checks.len() >= 20, "{report}");
    assert!(
        checks.iter().all(|c| c["outcome"]["status"] == "agree"),
        "{report}"
    );
    assert!(
        stderr.contains("synchronize tables on"),
        "progress: {stderr}"
    );
}

#[test]
fn interop_command_refuses_sqlite_with_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(["interop", "--url", "sqlite://nowhere.db"])
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("interop needs a postgres://"));
}

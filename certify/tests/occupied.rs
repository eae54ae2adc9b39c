//! `nextauth-certify --url` refuses a database in use, and runs where it is told: against the
//! local PostgreSQL and MariaDB, a URL whose own schema or database holds a table of someone
//! else's gives no verdict but "not run" with the reason (the table untouched), and
//! `--namespace` names an existing, empty schema or database where the whole suite runs and
//! conforms, leaving the namespace as it found it: existing, without tables.
//! Needs NEXTAUTH_TEST_POSTGRES_URL / NEXTAUTH_TEST_MYSQL_URL (`eval "$(ci/databases.sh)"`).

mod common;

use nextauth_adapter_testkit::{Server, url_or_skip};
use sqlx::{AssertSqlSafe, Connection};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs certify with `args` (JSON reports in a temporary directory) and returns the exit
/// code, the output and the report.
fn certify(args: &[&str]) -> (Option<i32>, String, serde_json::Value) {
    let dir = common::temp_dir("occupied");
    let o = common::command(&[args, &["--report-dir", dir.to_str().expect("path")]].concat())
        .command
        .output()
        .expect("runs");
    let json = std::fs::read_dir(&dir)
        .expect("reports")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .expect("a JSON report");
    let _ = std::fs::remove_dir_all(&dir);
    (
        o.status.code(),
        common::text(&o),
        serde_json::from_str(&json).expect("JSON"),
    )
}

/// The refusal, then the run in a named namespace, on `server`; `setup` and `teardown` are
/// the test's own statements, `occupied_url` lands in the occupied namespace, `tables_in`
/// counts a namespace's tables.
fn check(
    server: Server,
    admin: &str,
    occupied_url: &str,
    granted: &str,
    run: &dyn Fn(&str) -> i64,
) {
    let (code, out, report) = certify(&["--url", occupied_url]);
    // Refused: nothing was certified, and nothing is said about the adapter.
    assert_eq!(code, Some(2), "{out}");
    assert_eq!(report["verdict"], "not_certified", "{out}");
    assert!(
        report["not_certified"]
            .as_str()
            .is_some_and(|s| s.contains("orders") && s.contains("no rule ran")),
        "{server}: the reason names the foreign table: {out}"
    );
    assert_eq!(report["findings"], serde_json::json!([]), "{out}");
    let results = report["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "not_run" || r["status"] == "not_applicable"),
        "{server}: a rule ran in an occupied database: {out}"
    );
    assert!(
        results.iter().any(|r| r["status"] == "not_run"
            && r["reason"]
                .as_str()
                .is_some_and(|s| s.contains("orders") && s.contains("--namespace"))),
        "{server}: the reason names the foreign table and the way out: {out}"
    );
    assert!(out.contains("Not run"), "{out}");
    assert_eq!(run("orders"), 1, "{server}: the foreign table is untouched");

    let (code, out, report) = certify(&["--url", admin, "--namespace", granted]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(report["verdict"], "conforms", "{out}");
    assert_eq!(
        run(granted),
        0,
        "{server}: the named namespace is left without tables"
    );
}

/// Runs `sql` (the test's own statement) on `url` of `server`; a `SELECT` returns the first
/// column of its one row, anything else 0.
fn sql(rt: &tokio::runtime::Runtime, server: Server, url: &str, sql: String) -> i64 {
    rt.block_on(async {
        let sql = AssertSqlSafe(sql);
        if server == Server::Postgres {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            if sql.0.starts_with("SELECT") {
                return sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count");
            }
            sqlx::raw_sql(sql).execute(&mut c).await.expect("statement");
        } else {
            let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
            if sql.0.starts_with("SELECT") {
                return sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count");
            }
            sqlx::raw_sql(sql).execute(&mut c).await.expect("statement");
        }
        0
    })
}

/// Makes an occupied namespace (a table `orders`) and an empty one on `server`, checks the
/// refusal and the named run, and drops both whatever the outcome.
fn occupied_and_named(server: Server) {
    let Some(admin) = url_or_skip(server, "an occupied URL is refused") else {
        return;
    };
    let (occupied, granted) = (
        format!("certify_occupied_{}", std::process::id()),
        format!("certify_granted_{}", std::process::id()),
    );
    // A schema on PostgreSQL, a database on MySQL: the namespace a URL lands in.
    let kind = if server == Server::Postgres {
        "SCHEMA"
    } else {
        "DATABASE"
    };
    let rt = runtime();
    for statement in [
        format!("CREATE {kind} {occupied}"),
        format!("CREATE TABLE {occupied}.orders (id INT)"),
        format!("CREATE {kind} {granted}"),
    ] {
        sql(&rt, server, &admin, statement);
    }
    let count = |what: &str| -> i64 {
        let (schema, only) = if what == "orders" {
            (occupied.as_str(), " AND table_name = 'orders'")
        } else {
            (what, "")
        };
        sql(
            &rt,
            server,
            &admin,
            format!(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{schema}'{only}"
            ),
        )
    };
    let occupied_url = if server == Server::Postgres {
        let sep = if admin.contains('?') { '&' } else { '?' };
        format!("{admin}{sep}options=-c%20search_path%3D{occupied}")
    } else {
        let mut url = url::Url::parse(&admin).expect("URL");
        url.set_path(&format!("/{occupied}"));
        url.to_string()
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(server, &admin, &occupied_url, &granted, &count);
    }));
    let cascade = if server == Server::Postgres {
        " CASCADE"
    } else {
        ""
    };
    for name in [&occupied, &granted] {
        sql(&rt, server, &admin, format!("DROP {kind} {name}{cascade}"));
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn postgres_refuses_an_occupied_schema_and_runs_in_a_named_one() {
    occupied_and_named(Server::Postgres);
}

#[test]
fn mariadb_refuses_an_occupied_database_and_runs_in_a_named_one() {
    occupied_and_named(Server::MySql);
}

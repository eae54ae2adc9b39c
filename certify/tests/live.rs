//! `nextauth-certify --url` against the local PostgreSQL and MariaDB: each conforms, and
//! afterwards the server holds no schema or database it did not hold before.
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

fn certify_url(url: &str, backend: &str) {
    let dir = std::env::temp_dir().join(format!(
        "nextauth-certify-live-{backend}-{}",
        std::process::id()
    ));
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(["--url", url, "--cases", "64", "--quiet", "--report-dir"])
        .arg(&dir)
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
}

#[test]
fn postgres_conforms_and_leaves_no_schema_behind() {
    let Some(url) = url_or_skip(Server::Postgres, "certify --url postgres") else {
        return;
    };
    let rt = runtime();
    let before = rt.block_on(pg_schemas(&url));
    certify_url(&url, "postgres");
    let after = rt.block_on(pg_schemas(&url));
    let new: Vec<_> = after.difference(&before).collect();
    assert!(new.is_empty(), "schemas left behind: {new:?}");
}

#[test]
fn mariadb_conforms_and_leaves_no_database_behind() {
    let Some(url) = url_or_skip(Server::MySql, "certify --url mysql") else {
        return;
    };
    let rt = runtime();
    let before = rt.block_on(mysql_databases(&url));
    certify_url(&url, "mysql");
    let after = rt.block_on(mysql_databases(&url));
    let new: Vec<_> = after.difference(&before).collect();
    assert!(new.is_empty(), "databases left behind: {new:?}");
}

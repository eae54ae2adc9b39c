//! `nextauth-certify schema` against live databases built from the documented DDL: one
//! custom column is listed as allowed (exit 0); a dropped unique index is an error naming
//! the index (exit 1).

use nextauth_adapter_testkit::{Namespace, SchemaNames, Server, url_or_skip};
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn documented(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/fixtures/schemas/documented/{file}"))
        .expect("documented DDL");
    text.split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn schema(args: &[&str]) -> (Output, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .arg("schema")
        .args(args)
        .output()
        .expect("runs");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o, out)
}

async fn exec_pg(url: &str, sql: &[String]) {
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    for s in sql {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    pool.close().await;
}

async fn exec_mysql(url: &str, sql: &[String]) {
    let pool = sqlx::MySqlPool::connect(url).await.expect("connect");
    for s in sql {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    pool.close().await;
}

#[tokio::test]
async fn postgres_custom_column_allowed_and_missing_index_named() {
    let Some(url) = url_or_skip(Server::Postgres, "certify schema postgres") else {
        return;
    };
    let ns = Namespace::create(Server::Postgres, &url, SchemaNames::default(), None)
        .await
        .expect("namespace");
    let (ns_url, ns_name) = (ns.url().to_owned(), ns.name().to_owned());
    // Drop the namespace whether or not the assertions held.
    let outcome = tokio::spawn(async move {
        exec_pg(&ns_url, &documented("postgres.sql")).await;
        exec_pg(
            &ns_url,
            &["ALTER TABLE users ADD COLUMN nickname TEXT NULL".to_owned()],
        )
        .await;
        let (o, out) = schema(&["--url", &ns_url, "--pg-schema", &ns_name]);
        assert!(o.status.success(), "{out}");
        assert!(
            out.contains("custom additions (allowed): users.nickname"),
            "the custom column is listed: {out}"
        );
        exec_pg(&ns_url, &[format!("DROP INDEX \"{ns_name}\".\"email\"")]).await;
        let (o, out) = schema(&["--url", &ns_url, "--pg-schema", &ns_name]);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("email"), "the dropped index is named: {out}");
    })
    .await;
    ns.drop().await.expect("drop");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test]
async fn mariadb_custom_column_allowed_and_missing_index_named() {
    let Some(url) = url_or_skip(Server::MySql, "certify schema mysql") else {
        return;
    };
    let ns = Namespace::create(Server::MySql, &url, SchemaNames::default(), None)
        .await
        .expect("namespace");
    let ns_url = ns.url().to_owned();
    let outcome = tokio::spawn(async move {
        exec_mysql(&ns_url, &documented("mysql.sql")).await;
        exec_mysql(
            &ns_url,
            &["ALTER TABLE users ADD COLUMN nickname TEXT NULL".to_owned()],
        )
        .await;
        let (o, out) = schema(&["--url", &ns_url]);
        assert!(o.status.success(), "{out}");
        assert!(
            out.contains("custom additions (allowed): users.nickname"),
            "the custom column is listed: {out}"
        );
        exec_mysql(&ns_url, &["ALTER TABLE users DROP INDEX email".to_owned()]).await;
        let (o, out) = schema(&["--url", &ns_url]);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("email"), "the dropped index is named: {out}");
    })
    .await;
    ns.drop().await.expect("drop");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test]
async fn sqlite_generated_schema_is_compatible() {
    let Some(url) = url_or_skip(Server::Sqlite, "certify schema sqlite") else {
        return;
    };
    let ns = Namespace::create(Server::Sqlite, &url, SchemaNames::default(), None)
        .await
        .expect("namespace");
    ns.apply_schema().await.expect("schema");
    let (o, out) = schema(&["--url", ns.url()]);
    ns.drop().await.expect("drop");
    assert!(o.status.success(), "{out}");
    assert!(out.contains("compatible"), "{out}");
}

//! The generated DDL on a live PostgreSQL, introspected back: no difference; a custom
//! column is allowed; a dropped unique index is an error naming it; the documented DDL
//! passes too. Each test works in its own `nx_<random>` schema and drops only that schema,
//! even on failure.
//!
//! Needs `NEXTAUTH_TEST_POSTGRES_URL`; without it the tests print `SKIPPED` (and fail if
//! `NEXTAUTH_REQUIRE_BACKENDS` contains `postgres`).

mod live;

use live::{DropGuard, cleanup_runtime, fixture_statements, random_name, url_or_skip};
use nextauth_adapter_sql::{
    ColumnType, Dialect, DiffEntry, SchemaCheck, SchemaNames, check_postgres, introspect_postgres,
    statements,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool};
use std::str::FromStr;

const URL_VAR: &str = "NEXTAUTH_TEST_POSTGRES_URL";

/// A fresh schema, a pool whose `search_path` is that schema, and the guard dropping it.
async fn scratch_schema(url: &str) -> (String, PgPool, DropGuard) {
    let name = random_name();
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {name}")))
        .execute(&admin)
        .await
        .expect("create scratch schema");
    admin.close().await;
    let guard = DropGuard::new(format!("DROP SCHEMA {name} CASCADE"), drop_with_env_url);
    let options = PgConnectOptions::from_str(url)
        .expect("valid URL")
        .options([("search_path", name.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .expect("connect to the scratch schema");
    (name, pool, guard)
}

/// The guard's cleanup: a fresh connection from the environment's URL.
fn drop_with_env_url(sql: String) -> Result<(), String> {
    let url = std::env::var(URL_VAR).map_err(|e| e.to_string())?;
    cleanup_runtime()?.block_on(async move {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .map_err(|e| e.to_string())?;
        pool.close().await;
        Ok(())
    })
}

async fn apply(pool: &PgPool, statements: impl IntoIterator<Item = String>) {
    for statement in statements {
        sqlx::query(AssertSqlSafe(statement.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{statement}"));
    }
}

#[tokio::test]
async fn generated_schema_introspects_without_difference() {
    let Some(url) = url_or_skip(
        URL_VAR,
        "postgres",
        "generated_schema_introspects_without_difference",
    ) else {
        return;
    };
    let (schema, pool, _guard) = scratch_schema(&url).await;
    let names = SchemaNames::default();
    apply(&pool, statements(Dialect::Postgres, &names).unwrap()).await;

    let diff = check_postgres(&pool, &schema, &names)
        .await
        .expect("introspect");
    assert!(diff.is_ok() && diff.is_empty(), "{diff}");

    apply(
        &pool,
        ["ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL".to_owned()],
    )
    .await;
    let diff = check_postgres(&pool, &schema, &names)
        .await
        .expect("introspect");
    assert!(diff.is_ok(), "a nullable custom column is allowed:\n{diff}");
    assert!(
        matches!(&diff.entries[..], [DiffEntry::ExtraColumn { table, column }]
            if table == "users" && column.name == "nickname"
                && column.column_type == ColumnType::Varchar(40)),
        "{diff}"
    );

    apply(&pool, ["DROP INDEX email".to_owned()]).await;
    let diff = check_postgres(&pool, &schema, &names)
        .await
        .expect("introspect");
    assert!(!diff.is_ok(), "{diff}");
    assert!(
        diff.errors()
            .any(|e| matches!(e, DiffEntry::MissingIndex { table, expected }
            if table == "users" && expected.name == "email" && expected.unique)),
        "{diff}"
    );
    let report = diff.to_string();
    assert!(
        report.contains("index email") && report.contains("missing: UNIQUE (email)"),
        "{report}"
    );
    pool.close().await;
}

#[tokio::test]
async fn mapped_names_introspect_without_difference() {
    let Some(url) = url_or_skip(
        URL_VAR,
        "postgres",
        "mapped_names_introspect_without_difference",
    ) else {
        return;
    };
    let (schema, pool, _guard) = scratch_schema(&url).await;
    let names = SchemaNames {
        prefix: "nextauth_".into(),
        users: "user".into(),
        ..SchemaNames::default()
    };
    apply(&pool, statements(Dialect::Postgres, &names).unwrap()).await;
    let diff = check_postgres(&pool, &schema, &names)
        .await
        .expect("introspect");
    assert!(diff.is_empty(), "{diff}");
    // The same database under the documented names: every table is missing, every
    // prefixed table is a custom one.
    let diff = check_postgres(&pool, &schema, &SchemaNames::default())
        .await
        .expect("introspect");
    assert_eq!(diff.errors().count(), 4, "{diff}");
    assert_eq!(diff.allowed().count(), 4, "{diff}");
    pool.close().await;
}

#[tokio::test]
async fn documented_ddl_passes_with_a_widened_image() {
    let Some(url) = url_or_skip(
        URL_VAR,
        "postgres",
        "documented_ddl_passes_with_a_widened_image",
    ) else {
        return;
    };
    let (schema, pool, _guard) = scratch_schema(&url).await;
    apply(&pool, fixture_statements("schemas/documented/postgres.sql")).await;

    let live = introspect_postgres(&pool, &schema)
        .await
        .expect("introspect");
    assert_eq!(live.tables.len(), 4);
    let diff = check_postgres(&pool, &schema, &SchemaNames::default())
        .await
        .expect("introspect");
    assert!(diff.is_ok(), "{diff}");
    assert!(
        matches!(&diff.entries[..], [DiffEntry::ColumnTypeWidened { table, column, found: ColumnType::Text, .. }]
            if table == "users" && column == "image"),
        "{diff}"
    );
    pool.close().await;
}

/// The seed's Prisma schema as `prisma migrate` makes it on PostgreSQL: `TIMESTAMP(3)`
/// without a time zone is an error, each with a fix that works; after the fix, the tables
/// are compatible and an adapter on them declares what they hold.
#[tokio::test]
async fn prisma_tables_are_refused_with_a_fix_that_works() {
    let Some(url) = url_or_skip(
        URL_VAR,
        "postgres",
        "prisma_tables_are_refused_with_a_fix_that_works",
    ) else {
        return;
    };
    let (schema, pool, _guard) = scratch_schema(&url).await;
    apply(
        &pool,
        fixture_statements("schemas/prisma-legacy/postgres.sql"),
    )
    .await;
    let names = SchemaNames::default();
    let live = introspect_postgres(&pool, &schema)
        .await
        .expect("introspect");
    let check = SchemaCheck::of(Dialect::Postgres, &names, live).expect("names");
    assert!(!check.is_ok(), "{}", check.diff);
    let fixes: Vec<String> = check
        .diff
        .errors()
        .map(|e| {
            let detail = e.detail();
            assert!(
                matches!(
                    e,
                    DiffEntry::ColumnTypeMismatch {
                        expected: ColumnType::Timestamp,
                        ..
                    }
                ) && detail.contains("wall-clock times without a zone"),
                "only the zoneless timestamps are errors: {detail}"
            );
            detail[detail.find("ALTER TABLE").expect("a fix")..].to_owned()
        })
        .collect();
    assert_eq!(fixes.len(), 12, "{}", check.diff);
    // The unique indexes Prisma named are recognised, its TEXT columns are wider.
    assert!(check.diff.entries.iter().any(|e| matches!(e,
        DiffEntry::IndexRenamed { found, .. } if found == "users.email_unique")));

    apply(&pool, fixes).await;
    let live = introspect_postgres(&pool, &schema)
        .await
        .expect("introspect");
    let check = SchemaCheck::of(Dialect::Postgres, &names, live).expect("names");
    assert!(check.is_ok(), "{}", check.diff);
    let caps = check
        .adopt(nextauth_adapter::Capabilities::HARDENED)
        .expect("declarable");
    assert_eq!(caps.email_matching, nextauth_adapter::EmailMatching::Exact);
    assert_eq!(caps.limits, nextauth_adapter::FieldLimits::DOCUMENTED);
    pool.close().await;
}

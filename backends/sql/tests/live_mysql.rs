//! The generated DDL on a live MySQL/MariaDB, introspected back: no difference; a custom
//! column is allowed; a dropped unique index is an error naming it; the documented DDL
//! (`TIMESTAMP(6)`) passes too; e-mail uniqueness is case-sensitive. Each test works in
//! its own `nx_<random>` database and drops only that database, even on failure.
//!
//! Needs `NEXTAUTH_TEST_MYSQL_URL`; without it the tests print `SKIPPED` (and fail if
//! `NEXTAUTH_REQUIRE_BACKENDS` contains `mysql`).

mod live;

use live::{DropGuard, cleanup_runtime, fixture_statements, random_name, url_or_skip};
use nextauth_adapter::{EmailMatching, TimestampPrecision, TimestampRange};
use nextauth_adapter_sql::{
    CapabilityError, CollationKind, ColumnType, Dialect, DiffEntry, SchemaCheck, SchemaNames,
    check_mysql, introspect_mysql, statements,
};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, MySqlPool};
use std::str::FromStr;

const URL_VAR: &str = "NEXTAUTH_TEST_MYSQL_URL";

/// A fresh database, a pool connected to it, and the guard dropping it. Its default
/// collation is `utf8mb4_general_ci` (MariaDB's default, and what tables that name none,
/// as the documented DDL, get), whatever the server's default is.
async fn scratch_database(url: &str) -> (String, MySqlPool, DropGuard) {
    let name = random_name();
    let admin = MySqlPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("connect to MySQL");
    sqlx::query(AssertSqlSafe(format!(
        "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
    )))
    .execute(&admin)
    .await
    .expect("create scratch database");
    admin.close().await;
    let guard = DropGuard::new(format!("DROP DATABASE {name}"), drop_with_env_url);
    let options = MySqlConnectOptions::from_str(url)
        .expect("valid URL")
        .database(&name);
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .expect("connect to the scratch database");
    (name, pool, guard)
}

/// The guard's cleanup: a fresh connection from the environment's URL.
fn drop_with_env_url(sql: String) -> Result<(), String> {
    let url = std::env::var(URL_VAR).map_err(|e| e.to_string())?;
    cleanup_runtime()?.block_on(async move {
        let pool = MySqlPoolOptions::new()
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

async fn apply(pool: &MySqlPool, statements: impl IntoIterator<Item = String>) {
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
        "mysql",
        "generated_schema_introspects_without_difference",
    ) else {
        return;
    };
    let (database, pool, _guard) = scratch_database(&url).await;
    let names = SchemaNames::default();
    apply(&pool, statements(Dialect::MySql, &names).unwrap()).await;

    let diff = check_mysql(&pool, &database, &names)
        .await
        .expect("introspect");
    assert!(diff.is_ok() && diff.is_empty(), "{diff}");

    apply(
        &pool,
        ["ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL".to_owned()],
    )
    .await;
    let diff = check_mysql(&pool, &database, &names)
        .await
        .expect("introspect");
    assert!(diff.is_ok(), "a nullable custom column is allowed:\n{diff}");
    assert!(
        matches!(&diff.entries[..], [DiffEntry::ExtraColumn { table, column }]
            if table == "users" && column.name == "nickname"
                && column.column_type == ColumnType::Varchar(40)),
        "{diff}"
    );

    apply(&pool, ["DROP INDEX email ON users".to_owned()]).await;
    let diff = check_mysql(&pool, &database, &names)
        .await
        .expect("introspect");
    assert!(!diff.is_ok(), "{diff}");
    assert!(
        diff.errors()
            .any(|e| matches!(e, DiffEntry::MissingIndex { table, expected }
            if table == "users" && expected.name == "email" && expected.unique)),
        "{diff}"
    );
    assert!(
        diff.to_string().contains("missing: UNIQUE (email)"),
        "{diff}"
    );
    pool.close().await;
}

#[tokio::test]
async fn email_uniqueness_is_case_sensitive() {
    let Some(url) = url_or_skip(URL_VAR, "mysql", "email_uniqueness_is_case_sensitive") else {
        return;
    };
    let (_database, pool, _guard) = scratch_database(&url).await;
    apply(
        &pool,
        statements(Dialect::MySql, &SchemaNames::default()).unwrap(),
    )
    .await;
    // utf8mb4_nopad_bin: two addresses differing in case, or in a trailing blank (which the
    // PAD SPACE utf8mb4_bin would ignore), are two users (EmailMatching::Exact)…
    apply(
        &pool,
        [
            "INSERT INTO users (email) VALUES ('Ada@example.org')".to_owned(),
            "INSERT INTO users (email) VALUES ('ada@example.org')".to_owned(),
            "INSERT INTO users (email) VALUES ('ada@example.org ')".to_owned(),
        ],
    )
    .await;
    // …and the same address twice is refused; several NULLs are not.
    let again = sqlx::query("INSERT INTO users (email) VALUES ('ada@example.org')")
        .execute(&pool)
        .await;
    assert!(again.is_err(), "duplicate e-mail accepted");
    apply(
        &pool,
        [
            "INSERT INTO users (email) VALUES (NULL)".to_owned(),
            "INSERT INTO users (email) VALUES (NULL)".to_owned(),
        ],
    )
    .await;
    pool.close().await;
}

#[tokio::test]
async fn documented_ddl_passes() {
    let Some(url) = url_or_skip(URL_VAR, "mysql", "documented_ddl_passes") else {
        return;
    };
    let (database, pool, _guard) = scratch_database(&url).await;
    apply(&pool, fixture_statements("schemas/documented/mysql.sql")).await;

    let live = introspect_mysql(&pool, &database)
        .await
        .expect("introspect");
    assert_eq!(live.tables.len(), 4);
    let diff = check_mysql(&pool, &database, &SchemaNames::default())
        .await
        .expect("introspect");
    // TIMESTAMP(6) is a timestamp too, one that stops at 2038; the documented DDL names no
    // collation, so its text columns take the database's (here MariaDB's default,
    // `utf8mb4_general_ci`). Both are reported as facts, none of them an error.
    assert!(diff.is_ok(), "{diff}");
    let (mut collations, mut ranges) = (0, 0);
    for entry in &diff.entries {
        match entry {
            DiffEntry::Collation { collation, .. }
                if collation.kind == CollationKind::MysqlGeneralCi =>
            {
                collations += 1;
            }
            DiffEntry::TimestampRange { range, .. } if *range == TimestampRange::Unix32 => {
                ranges += 1;
            }
            other => panic!("only facts expected, found {other:?}:\n{diff}"),
        }
    }
    // users.email, accounts' three keys, sessions' two tokens, verification's two.
    assert_eq!(collations, 8, "{diff}");
    // email_verified, access_token_expires, both expires, and every created_at/updated_at.
    assert_eq!(ranges, 12, "{diff}");
    pool.close().await;
}

/// The seed's Prisma schema as `prisma migrate` makes it on MariaDB: `VARCHAR(191)`
/// strings, `DATETIME(3)` instants and `utf8mb4_unicode_ci`, which the kit does not model
/// and so refuses, naming the column and a fix that works. After the fixes, an adapter on
/// the tables declares the limits and precision they hold.
#[tokio::test]
async fn prisma_tables_decide_limits_and_precision() {
    let Some(url) = url_or_skip(
        URL_VAR,
        "mysql",
        "prisma_tables_decide_limits_and_precision",
    ) else {
        return;
    };
    let (database, pool, _guard) = scratch_database(&url).await;
    apply(&pool, fixture_statements("schemas/prisma-legacy/mysql.sql")).await;
    let names = SchemaNames::default();
    let check_now = async || {
        let live = introspect_mysql(&pool, &database)
            .await
            .expect("introspect");
        SchemaCheck::of(Dialect::MySql, &names, live).expect("names")
    };
    let check = check_now().await;
    // The errors: the e-mail columns' collation, and OAuth token columns too narrow for the
    // kilobytes providers issue. VARCHAR(191) is otherwise narrower but declarable, the
    // 64-character tokens fit, DATETIME(3) is coarser but declarable.
    let errors: Vec<String> = check
        .diff
        .errors()
        .map(|e| format!("{}.{}", e.table(), e.object()))
        .collect();
    assert_eq!(
        errors,
        [
            "users.column email",
            "accounts.column refresh_token",
            "accounts.column access_token",
            "verification_requests.column identifier"
        ],
        "{}",
        check.diff
    );
    assert!(
        check
            .diff
            .errors()
            .filter_map(DiffEntry::consequence)
            .any(|c| c.contains("widen the column to TEXT")),
        "{}",
        check.diff
    );
    let narrowed: Vec<(&str, u32)> = check
        .diff
        .entries
        .iter()
        .filter_map(|e| match e {
            DiffEntry::ColumnNarrowed { column, chars, .. } => Some((column.as_str(), *chars)),
            _ => None,
        })
        .collect();
    assert!(narrowed.contains(&("refresh_token", 191)), "{narrowed:?}");
    assert!(narrowed.contains(&("session_token", 191)), "{narrowed:?}");
    assert_eq!(
        check.timestamp_precision().map(|(p, _, _)| p),
        Some(TimestampPrecision::Millisecond)
    );
    // utf8mb4_unicode_ci on the e-mail columns: refused, with the fix; the fixes work.
    let mut check = check;
    let mut fixed = Vec::new();
    while let Err(e) = &check.matching {
        let CapabilityError::UnmodelledCollation { column, fix, .. } = e else {
            panic!("expected an unmodelled collation, got {e}");
        };
        assert!(fix.contains("COLLATE utf8mb4_nopad_bin"), "{fix}");
        assert!(fixed.len() < 2, "the fixes do not converge: {fixed:?}");
        fixed.push(column.clone());
        apply(&pool, [fix.clone()]).await;
        check = check_now().await;
    }
    assert_eq!(fixed, ["email", "identifier"]);
    apply(
        &pool,
        ["refresh_token", "access_token"]
            .map(|c| format!("ALTER TABLE accounts MODIFY {c} TEXT NULL")),
    )
    .await;
    let check = check_now().await;
    assert!(check.is_ok(), "{}", check.diff);
    let caps = check
        .adopt(nextauth_adapter_mysql_caps())
        .expect("declarable after the fixes");
    assert_eq!(caps.email_matching, EmailMatching::Exact);
    assert_eq!(caps.timestamp_precision, TimestampPrecision::Millisecond);
    assert_eq!(caps.limits.varchar.max_chars, Some(191));
    assert_eq!(caps.limits.image.max_chars, Some(191));
    assert_eq!(caps.limits.text, nextauth_adapter_mysql_caps().limits.text);
    // An explicit declaration finer or wider than the columns is refused, naming them.
    let err = check
        .check_declared(&nextauth_adapter_mysql_caps())
        .expect_err("microseconds do not fit DATETIME(3)");
    assert!(
        err.to_string()
            .contains("users.email_verified keeps Millisecond"),
        "{err}"
    );
    let err = check
        .check_declared(&nextauth_adapter::Capabilities {
            timestamp_precision: TimestampPrecision::Millisecond,
            ..nextauth_adapter_mysql_caps()
        })
        .expect_err("255 characters do not fit VARCHAR(191)");
    assert!(err.to_string().contains("holds 191"), "{err}");
    check
        .check_declared(&caps)
        .expect("what the tables hold is declarable");
    pool.close().await;
}

/// What the MySQL backend declares by default (this crate cannot depend on it): the
/// documented limits with TEXT's 65,535 bytes, microseconds.
fn nextauth_adapter_mysql_caps() -> nextauth_adapter::Capabilities {
    nextauth_adapter::Capabilities {
        limits: nextauth_adapter::FieldLimits {
            text: nextauth_adapter::limits::StringLimit::bytes(65_535),
            ..nextauth_adapter::FieldLimits::DOCUMENTED
        },
        ..nextauth_adapter::Capabilities::HARDENED
    }
}

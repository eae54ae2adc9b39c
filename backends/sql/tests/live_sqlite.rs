//! The generated DDL on an in-memory SQLite, introspected back: no difference; a custom
//! column is allowed; a dropped unique index is an error naming it; the Prisma legacy
//! migration (TEXT columns, Prisma-named indexes) passes with allowed differences only.
//! Always runs: SQLite is bundled.

use nextauth_adapter_sql::{ColumnType, Dialect, DiffEntry, SchemaNames, check_sqlite, statements};
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{AssertSqlSafe, SqlitePool};

/// One connection: every connection to `sqlite::memory:` opens a database of its own.
async fn memory() -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("open in-memory SQLite")
}

async fn apply(pool: &SqlitePool, statements: impl IntoIterator<Item = String>) {
    for statement in statements {
        sqlx::query(AssertSqlSafe(statement.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{statement}"));
    }
}

#[tokio::test]
async fn generated_schema_introspects_without_difference() {
    let pool = memory().await;
    let names = SchemaNames::default();
    apply(&pool, statements(Dialect::Sqlite, &names).unwrap()).await;

    let diff = check_sqlite(&pool, &names).await.expect("introspect");
    assert!(diff.is_ok() && diff.is_empty(), "{diff}");

    apply(
        &pool,
        ["ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL".to_owned()],
    )
    .await;
    let diff = check_sqlite(&pool, &names).await.expect("introspect");
    assert!(diff.is_ok(), "{diff}");
    assert!(
        matches!(&diff.entries[..], [DiffEntry::ExtraColumn { table, column }]
            if table == "users" && column.name == "nickname"
                && column.column_type == ColumnType::Varchar(40)),
        "{diff}"
    );

    apply(&pool, ["DROP INDEX email".to_owned()]).await;
    let diff = check_sqlite(&pool, &names).await.expect("introspect");
    assert!(!diff.is_ok(), "{diff}");
    assert!(
        diff.to_string().contains("missing: UNIQUE (email)"),
        "{diff}"
    );
}

#[tokio::test]
async fn mapped_names_introspect_without_difference() {
    let pool = memory().await;
    let names = SchemaNames {
        prefix: "nextauth_".into(),
        verification_requests: "tokens".into(),
        ..SchemaNames::default()
    };
    apply(&pool, statements(Dialect::Sqlite, &names).unwrap()).await;
    let diff = check_sqlite(&pool, &names).await.expect("introspect");
    assert!(diff.is_empty(), "{diff}");
}

#[tokio::test]
async fn prisma_legacy_migration_passes_with_allowed_differences() {
    let pool = memory().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/schemas/documented/prisma-legacy-sqlite-migration.sql"
    );
    let sql = std::fs::read_to_string(path).expect("Prisma migration");
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .expect("apply migration");

    let diff = check_sqlite(&pool, &SchemaNames::default())
        .await
        .expect("introspect");
    assert!(diff.is_ok(), "{diff}");
    let widened = diff
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e,
                DiffEntry::ColumnTypeWidened {
                    found: ColumnType::Text,
                    ..
                }
            )
        })
        .count();
    let renamed = diff
        .entries
        .iter()
        .filter(|e| matches!(e, DiffEntry::IndexRenamed { .. }))
        .count();
    // Every VARCHAR(255) column is TEXT there, and every index has a Prisma name.
    assert_eq!((widened, renamed), (11, 8), "{diff}");
}

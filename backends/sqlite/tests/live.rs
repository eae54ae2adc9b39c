//! The SQLite adapter, beyond the harness: the shared scenarios of
//! [`nextauth_adapter_testkit::scenarios`] (`synchronize` creates, accepts Prisma's legacy
//! migration with a custom column and refuses a table missing a unique index without
//! changing anything; Unicode, 255-character values and multi-kilobyte tokens round-trip; a
//! 256-character e-mail is `InvalidInput` with nothing written). Each test works in its own
//! `nx_…` database file and drops it.

use nextauth_adapter_sqlite::SqliteStore;
use nextauth_adapter_testkit::scenarios;

/// What NextAuth v3 users of SQLite have: the migration Prisma's legacy adapter generates
/// (NextAuth documents no SQLite DDL of its own).
const PRISMA_MIGRATION: &str =
    include_str!("../../../fixtures/schemas/documented/prisma-legacy-sqlite-migration.sql");

#[tokio::test]
async fn synchronize_creates_the_tables_then_accepts_them() {
    scenarios::synchronize_creates_the_tables_then_accepts_them::<SqliteStore>().await;
}

#[tokio::test]
async fn synchronize_accepts_the_prisma_migration_and_custom_columns() {
    scenarios::synchronize_accepts_the_documented_ddl_and_custom_columns::<SqliteStore>(
        PRISMA_MIGRATION,
    )
    .await;
}

#[tokio::test]
async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing() {
    scenarios::synchronize_refuses_a_missing_unique_index_and_changes_nothing::<SqliteStore>()
        .await;
}

#[tokio::test]
async fn unicode_limits_and_large_tokens_round_trip() {
    scenarios::unicode_limits_and_large_tokens_round_trip::<SqliteStore>().await;
}

#[tokio::test]
async fn what_the_tables_cannot_hold_is_refused() {
    scenarios::what_the_tables_cannot_hold_is_refused::<SqliteStore>().await;
}

//! The SQL Server adapter on a live server, beyond the harness: the shared scenarios of
//! [`nextauth_adapter_testkit::scenarios`] (`synchronize` creates, and refuses a table
//! missing a unique index without changing anything; Unicode up to the `NVARCHAR` limit and multi-kilobyte tokens round-trip; a
//! 256-character e-mail is `InvalidInput` with nothing written), the documented DDL refused
//! with its reasons and left as it was, and SQL Server's own facts:
//! any number of users without an e-mail (the filtered unique index), exact e-mail matching
//! whatever the case and trailing spaces, and microseconds kept by `DATETIME2(6)`. Each test
//! works in its own `nx_…` database and drops it; without `NEXTAUTH_TEST_MSSQL_URL` each
//! prints NOT RUN (and fails when `NEXTAUTH_REQUIRE_BACKENDS` lists `mssql`).

use chrono::{DateTime, Utc};
use nextauth_adapter::{Adapter, ErrorKind, ManualClock, NewUser};
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_mssql::{MsSqlStore, SyncError};
use nextauth_adapter_testkit::scenarios::{
    self, adapter, ensure, execute, in_namespace, script_statements,
};
use nextauth_adapter_testkit::{Server, SqlInspector};

/// The schema NextAuth v3 documents for SQL Server.
const DOCUMENTED_DDL: &str = include_str!("../../../fixtures/schemas/documented/mssql.sql");

#[tokio::test]
async fn synchronize_creates_the_tables_then_accepts_them() {
    scenarios::synchronize_creates_the_tables_then_accepts_them::<MsSqlStore>().await;
}

/// The documented tables are refused, for the reasons `tests/documented_tables.rs` derives
/// offline (no primary keys, an e-mail index that admits one `NULL`, `VARCHAR` columns under a
/// case-insensitive collation deciding the e-mail matching), and nothing is changed.
#[tokio::test]
async fn synchronize_refuses_the_documented_ddl_and_changes_nothing() {
    in_namespace(Server::MsSql, None, async |ns| {
        execute(ns, &script_statements(DOCUMENTED_DDL)).await?;
        let before = ns.tables().await?;
        let a = adapter::<MsSqlStore>(ns, &ManualClock::starting_now()).await?;
        match a.synchronize().await {
            Err(SyncError::Mismatch(diff)) => {
                let shown = diff.to_string();
                ensure(
                    shown.contains("UNIQUE (email) WHERE email IS NOT NULL")
                        && shown.contains("primary key"),
                    format!("the diff names the e-mail index and the keys:\n{shown}"),
                )?;
            }
            other => return Err(format!("expected a refusal, got {other:?}").into()),
        }
        ensure(
            ns.tables().await? == before,
            "synchronize created or dropped tables while refusing",
        )
    })
    .await;
}

#[tokio::test]
async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing() {
    scenarios::synchronize_refuses_a_missing_unique_index_and_changes_nothing::<MsSqlStore>().await;
}

#[tokio::test]
async fn unicode_limits_and_large_tokens_round_trip() {
    scenarios::unicode_limits_and_large_tokens_round_trip::<MsSqlStore>().await;
}

#[tokio::test]
async fn what_the_tables_cannot_hold_is_refused() {
    scenarios::what_the_tables_cannot_hold_is_refused::<MsSqlStore>().await;
}

/// A unique index admits one NULL on SQL Server; the filtered index on `users.email` lets
/// any number of users have none, while a second user with a taken address is a Conflict
/// whatever its case (the column's binary collation keeps them distinct: exact matching)
/// or trailing spaces (which `=` and unique indexes ignore on SQL Server).
#[tokio::test]
async fn emails_are_unique_exact_and_optional() {
    in_namespace(Server::MsSql, None, async |ns| {
        let a = adapter::<MsSqlStore>(ns, &ManualClock::starting_now()).await?;
        a.synchronize().await?;
        for _ in 0..3 {
            a.create_user(NewUser::default()).await?;
        }
        let ada = a
            .create_user(NewUser {
                email: Some("ada@example.com".into()),
                ..NewUser::default()
            })
            .await?;
        let upper = a
            .create_user(NewUser {
                email: Some("ADA@example.com".into()),
                ..NewUser::default()
            })
            .await?;
        ensure(upper.id != ada.id, "a different case is another address")?;
        ensure(
            a.get_user_by_email(Some("ADA@example.com"))
                .await?
                .map(|u| u.id)
                == Some(upper.id),
            "the exact address is found",
        )?;
        ensure(
            a.get_user_by_email(Some("ada@example.com "))
                .await?
                .is_none(),
            "a trailing space is another address to a lookup",
        )?;
        match a
            .create_user(NewUser {
                email: Some("ada@example.com".into()),
                ..NewUser::default()
            })
            .await
        {
            Err(e) if e.kind() == ErrorKind::Conflict => {}
            other => return Err(format!("a taken address gave {other:?}").into()),
        }
        let inspector = SqlInspector::connect(ns).await?;
        ensure(
            inspector.stored().await?.users.len() == 5,
            "three users without an address and two with one",
        )?;
        inspector.close().await;
        Ok(())
    })
    .await;
}

/// `DATETIME2(6)` keeps microseconds: what the adapter returns is what is stored.
#[tokio::test]
async fn microseconds_are_kept() {
    in_namespace(Server::MsSql, None, async |ns| {
        let at: DateTime<Utc> = "2031-05-06T07:08:09.123456Z".parse()?;
        let a = adapter::<MsSqlStore>(ns, &ManualClock::new(at)).await?;
        a.synchronize().await?;
        let u = a
            .create_user(NewUser {
                email_verified: Some(at),
                ..NewUser::default()
            })
            .await?;
        let inspector = SqlInspector::connect(ns).await?;
        let stored = inspector.user(&u.id).await?.ok_or("user not stored")?;
        inspector.close().await;
        ensure(
            stored.email_verified == Some(at) && stored.created_at == at && stored == u,
            format!("stored {stored:?}, returned {u:?}"),
        )
    })
    .await;
}

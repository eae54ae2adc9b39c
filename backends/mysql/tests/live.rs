//! The MySQL/MariaDB adapter on a live server, beyond the harness: the shared scenarios of
//! [`nextauth_adapter_testkit::scenarios`] (`synchronize` creates, accepts the documented
//! DDL with a custom column and refuses a table missing a unique index without changing
//! anything; Unicode, 255-character values and multi-kilobyte tokens round-trip; a
//! 256-character e-mail is `InvalidInput` with nothing written), and MySQL's own limits: a
//! token beyond `TEXT`'s 65,535 bytes is `InvalidInput` with nothing written; a URL asking
//! for a non-UTC session time zone stores the same UTC instants; trailing spaces do not defeat
//! exact e-mail lookups (`PAD SPACE`); `TIMESTAMP` columns make `synchronize` declare the
//! 1970-2038 range. Each test works in its own `nx_…` database and drops it.

use nextauth_adapter::{
    Adapter, AdapterConfig, ErrorKind, ManualClock, NewAccount, NewUser, TimestampRange,
};
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_mysql::{MySqlAdapter, MySqlStore, SqlOptions, SyncError};
use nextauth_adapter_testkit::scenarios::{
    self, adapter, ensure, execute, in_namespace, script_statements,
};
use nextauth_adapter_testkit::{Server, SqlInspector};
use sqlx::mysql::MySqlPoolOptions;

/// The schema NextAuth v3 documents for MySQL.
const DOCUMENTED_DDL: &str = include_str!("../../../fixtures/schemas/documented/mysql.sql");

#[tokio::test]
async fn synchronize_creates_the_tables_then_accepts_them() {
    scenarios::synchronize_creates_the_tables_then_accepts_them::<MySqlStore>().await;
}

#[tokio::test]
async fn synchronize_accepts_the_documented_ddl_and_custom_columns() {
    scenarios::synchronize_accepts_the_documented_ddl_and_custom_columns::<MySqlStore>(
        DOCUMENTED_DDL,
    )
    .await;
}

#[tokio::test]
async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing() {
    scenarios::synchronize_refuses_a_missing_unique_index_and_changes_nothing::<MySqlStore>().await;
}

#[tokio::test]
async fn unicode_limits_and_large_tokens_round_trip() {
    scenarios::unicode_limits_and_large_tokens_round_trip::<MySqlStore>().await;
}

#[tokio::test]
async fn what_the_tables_cannot_hold_is_refused() {
    scenarios::what_the_tables_cannot_hold_is_refused::<MySqlStore>().await;
}

#[tokio::test]
async fn a_token_beyond_text_is_invalid_input_with_nothing_written() {
    in_namespace(Server::MySql, None, async |ns| {
        let a = adapter::<MySqlStore>(ns, &ManualClock::starting_now()).await?;
        a.synchronize().await?;
        let inspector = SqlInspector::connect(ns).await?;
        let u = a.create_user(NewUser::default()).await?;
        let before = inspector.stored().await?.row_count();
        match a
            .link_account(NewAccount {
                user_id: u.id.clone(),
                provider_id: "google".into(),
                provider_type: "oauth".into(),
                provider_account_id: "1".into(),
                refresh_token: None,
                access_token: Some("x".repeat(65_536)),
                access_token_expires: None,
            })
            .await
        {
            Err(e) if e.kind() == ErrorKind::InvalidInput => {}
            other => return Err(format!("a 65,536-byte token gave {other:?}").into()),
        }
        ensure(
            inspector.stored().await?.row_count() == before,
            "nothing written",
        )?;
        inspector.close().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_non_utc_session_time_zone_stores_the_same_instants() {
    in_namespace(Server::MySql, Some("Pacific/Chatham"), async |ns| {
        ensure(
            ns.url().contains("timezone="),
            format!("the namespace URL carries the zone: {}", ns.url()),
        )?;
        let clock = ManualClock::new(
            chrono::DateTime::from_timestamp(1_767_225_600, 123_456_000).ok_or("instant")?,
        );
        let a = adapter::<MySqlStore>(ns, &clock).await?;
        a.synchronize().await?;
        // The session's zone really is not UTC.
        let pool = MySqlPoolOptions::new()
            .max_connections(1)
            .connect(ns.url())
            .await?;
        let zone: String = sqlx::query_scalar("SELECT CAST(@@session.time_zone AS CHAR)")
            .fetch_one(&pool)
            .await?;
        pool.close().await;
        ensure(zone == "+12:45", format!("session time zone {zone}"))?;
        let u = a
            .create_user(NewUser {
                email: Some("tz@example.com".into()),
                email_verified: Some(clock_now(&clock)),
                ..NewUser::default()
            })
            .await?;
        let s = a.create_session(&u).await?;
        ensure(
            u.created_at == clock_now(&clock),
            format!("created_at {} is the clock's now", u.created_at),
        )?;
        // The inspector reads through its own UTC session.
        let inspector = SqlInspector::connect(ns).await?;
        let stored = inspector.user(&u.id).await?.ok_or("user not stored")?;
        ensure(stored == u, format!("stored {stored:?}, returned {u:?}"))?;
        let session = inspector
            .session(&s.session_token)
            .await?
            .ok_or("session not stored")?;
        ensure(session == s, format!("stored {session:?}, returned {s:?}"))?;
        ensure(
            a.get_session(Some(&s.session_token)).await? == Some(s.clone()),
            "read back through the adapter",
        )?;
        inspector.close().await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn trailing_spaces_do_not_defeat_exact_lookups() {
    in_namespace(Server::MySql, None, async |ns| {
        let a = adapter::<MySqlStore>(ns, &ManualClock::starting_now()).await?;
        a.synchronize().await?;
        let u = a
            .create_user(NewUser {
                email: Some("pad@example.com".into()),
                ..NewUser::default()
            })
            .await?;
        ensure(
            a.get_user_by_email(Some("pad@example.com  "))
                .await?
                .is_none(),
            "a lookup with trailing spaces found the user",
        )?;
        ensure(
            a.get_user_by_email(Some("pad@example.com"))
                .await?
                .map(|x| x.id)
                == Some(u.id),
            "the exact lookup",
        )?;
        // The NO PAD unique index holds them two keys, as Exact declares (specification H13):
        // a second user, stored with its trailing blank, each address finding its own.
        let padded = a
            .create_user(NewUser {
                email: Some("pad@example.com ".into()),
                ..NewUser::default()
            })
            .await?;
        ensure(
            padded.email.as_deref() == Some("pad@example.com "),
            "the padded address as stored",
        )?;
        ensure(
            a.get_user_by_email(Some("pad@example.com "))
                .await?
                .map(|x| x.id)
                == Some(padded.id),
            "the padded address finds its own user",
        )
    })
    .await;
}

/// The documented DDL's `TIMESTAMP(6)` columns stop at 2038: `synchronize` declares
/// `Unix32` for an adapter left to the backend's capabilities, which then refuses an instant
/// outside (naming the field, writing nothing), and refuses an explicit `Full` with the
/// column and the fix.
#[tokio::test]
async fn synchronize_reads_the_timestamp_range_off_the_tables() {
    in_namespace(Server::MySql, None, async |ns| {
        execute(ns, &script_statements(DOCUMENTED_DDL)).await?;
        let clock = ManualClock::starting_now();
        let a = adapter::<MySqlStore>(ns, &clock).await?;
        ensure(
            a.declared_capabilities().timestamp_range == TimestampRange::Full,
            "before synchronize, the backend's default",
        )?;
        let outcome = a.synchronize().await?;
        ensure(
            outcome.capabilities.timestamp_range == TimestampRange::Unix32
                && a.declared_capabilities().timestamp_range == TimestampRange::Unix32,
            format!("declared after synchronize: {:?}", outcome.capabilities),
        )?;
        let u = a.create_user(NewUser::default()).await?;
        let moon = chrono::DateTime::from_timestamp(-14_182_940, 0).ok_or("instant")?;
        match a
            .update_user(&nextauth_adapter::User {
                email_verified: Some(moon),
                ..u.clone()
            })
            .await
        {
            Err(nextauth_adapter::AdapterError::InvalidInput { field, .. })
                if field == "email_verified" => {}
            other => return Err(format!("an email_verified in 1969 gave {other:?}").into()),
        }
        ensure(
            a.get_user(&u.id).await? == Some(u.clone()),
            "the refused update changed the user",
        )?;

        let explicit = MySqlAdapter::connect(
            ns.url(),
            AdapterConfig::with_clock(clock.shared()),
            SqlOptions {
                capabilities: Some(nextauth_adapter_mysql::CAPABILITIES),
                ..SqlOptions::default()
            },
        )
        .await?;
        match explicit.synchronize().await {
            Err(SyncError::Capabilities(e)) => ensure(
                e.to_string().contains("is a TIMESTAMP")
                    && e.to_string()
                        .contains("MODIFY `email_verified` DATETIME(6) NULL"),
                format!("the refusal names the column and the fix: {e}"),
            ),
            other => Err(format!("an explicit Full on TIMESTAMP columns gave {other:?}").into()),
        }
    })
    .await;
}

fn clock_now(clock: &ManualClock) -> chrono::DateTime<chrono::Utc> {
    nextauth_adapter::Clock::now(clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fragile_adapters_are_caught_by_the_fault_rules() {
    scenarios::fragile_adapters_are_caught::<MySqlStore>().await;
}

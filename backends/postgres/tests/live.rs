//! The PostgreSQL adapter on a live server, beyond the harness: the shared scenarios of
//! [`nextauth_adapter_testkit::scenarios`] (`synchronize` creates, accepts the documented
//! DDL with a custom column and refuses a table missing a unique index without changing
//! anything; Unicode, 255-character values and multi-kilobyte tokens round-trip; a
//! 256-character e-mail is `InvalidInput` with nothing written), the URL's session time
//! zone honoured, and ids widened to `bigint` read and bound by both stores. Each test works
//! in its own `nx_…` schema and drops it.

use nextauth_adapter::{Adapter, ManualClock, NewUser};
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_postgres::{PostgresStore, SqlxPostgresStore};
use nextauth_adapter_testkit::scenarios::{self, adapter, ensure, in_namespace};
use nextauth_adapter_testkit::{Server, SqlInspector};

/// The schema NextAuth v3 documents for PostgreSQL.
const DOCUMENTED_DDL: &str = include_str!("../../../fixtures/schemas/documented/postgres.sql");

#[tokio::test]
async fn synchronize_creates_the_tables_then_accepts_them() {
    scenarios::synchronize_creates_the_tables_then_accepts_them::<PostgresStore>().await;
}

#[tokio::test]
async fn synchronize_accepts_the_documented_ddl_and_custom_columns() {
    scenarios::synchronize_accepts_the_documented_ddl_and_custom_columns::<PostgresStore>(
        DOCUMENTED_DDL,
    )
    .await;
}

#[tokio::test]
async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing() {
    scenarios::synchronize_refuses_a_missing_unique_index_and_changes_nothing::<PostgresStore>()
        .await;
}

#[tokio::test]
async fn unicode_limits_and_large_tokens_round_trip() {
    scenarios::unicode_limits_and_large_tokens_round_trip::<PostgresStore>().await;
}

#[tokio::test]
async fn what_the_tables_cannot_hold_is_refused() {
    scenarios::what_the_tables_cannot_hold_is_refused::<PostgresStore>().await;
}

#[tokio::test]
async fn a_non_utc_session_time_zone_from_the_url_is_honoured_with_the_same_instants() {
    in_namespace(Server::Postgres, Some("Pacific/Chatham"), async |ns| {
        let clock = ManualClock::new(
            chrono::DateTime::from_timestamp(1_767_225_600, 123_456_000).ok_or("instant")?,
        );
        let a = adapter::<PostgresStore>(ns, &clock).await?;
        a.synchronize().await?;
        let zone: String = a
            .pool()
            .get()
            .await?
            .query_one("SHOW TIME ZONE", &[])
            .await?
            .try_get(0)?;
        ensure(
            zone == "Pacific/Chatham",
            format!("the adapter's session time zone is {zone}"),
        )?;
        let u = a.create_user(NewUser::default()).await?;
        let s = a.create_session(&u).await?;
        ensure(
            u.created_at == nextauth_adapter::Clock::now(&clock),
            "created_at is the clock's now",
        )?;
        let inspector = SqlInspector::connect(ns).await?;
        let stored = inspector
            .session(&s.session_token)
            .await?
            .ok_or("session not stored")?;
        ensure(stored == s, format!("stored {stored:?}, returned {s:?}"))?;
        inspector.close().await;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fragile_adapters_are_caught_by_the_fault_rules() {
    scenarios::fragile_adapters_are_caught::<PostgresStore>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unchecked_pool_fails_the_between_calls_fault_rule() {
    let build = nextauth_adapter_testkit::build_adapter(|ns, config| async move {
        // One connection, handed out without a liveness check: a killed one is used as is.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect(&ns.url)
            .await?;
        let options = nextauth_adapter_sql::SqlOptions {
            names: ns.names,
            ..nextauth_adapter_sql::SqlOptions::default()
        };
        let adapter = nextauth_adapter_sql::SqlAdapter::<SqlxPostgresStore>::from_pool(
            pool, config, options,
        )?;
        Ok(std::sync::Arc::new(adapter) as nextauth_adapter::SharedAdapter)
    });
    scenarios::an_unchecked_pool_fails_between_calls::<SqlxPostgresStore>(build).await;
}

/// Ids widened to `bigint` by an application (a `BIGSERIAL` migration). `synchronize`
/// refuses such tables (the schema model has no `bigint` id), but an adapter connected
/// without it works on them: every id it binds or reads goes through the `bigint` path of its
/// store (tokio-postgres binds to the type the server infers for a parameter, sqlx reads
/// `int8` after `int4` fails), and the records it returns are what it stored.
async fn widened_ids_round_trip<S: nextauth_adapter_sql::ConnectStore>() {
    in_namespace(Server::Postgres, None, async |ns| {
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
        a.synchronize().await?;
        let widen = [
            ("users", "id"),
            ("accounts", "id"),
            ("accounts", "user_id"),
            ("sessions", "id"),
            ("sessions", "user_id"),
            ("verification_requests", "id"),
        ]
        .map(|(t, c)| format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE bigint"));
        scenarios::execute(ns, &widen).await?;
        // A new adapter (no statement prepared against the integer columns survives), and
        // no `synchronize`, which refuses the widened columns.
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
        ensure(
            a.synchronize().await.is_err(),
            "synchronize refuses bigint ids",
        )?;
        let u = a
            .create_user(NewUser {
                email: Some("wide@example.com".into()),
                ..NewUser::default()
            })
            .await?;
        let s = a.create_session(&u).await?;
        ensure(s.user_id == u.id, "the session's user id")?;
        let read = a.get_session(Some(&s.session_token)).await?;
        ensure(read.as_ref() == Some(&s), format!("get_session: {read:?}"))?;
        let got = a.get_user(&u.id).await?;
        ensure(got.as_ref() == Some(&u), format!("get_user: {got:?}"))?;
        a.delete_user(&u.id).await?;
        ensure(a.get_user(&u.id).await?.is_none(), "deleted")?;
        ensure(
            a.get_session(Some(&s.session_token)).await?.is_none(),
            "the session went with its user",
        )
    })
    .await;
}

#[tokio::test]
async fn widened_ids_round_trip_on_tokio_postgres() {
    widened_ids_round_trip::<PostgresStore>().await;
}

#[tokio::test]
async fn widened_ids_round_trip_on_sqlx() {
    widened_ids_round_trip::<SqlxPostgresStore>().await;
}

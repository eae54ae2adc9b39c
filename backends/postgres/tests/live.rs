//! The PostgreSQL adapter on a live server, beyond the harness: `synchronize` creates,
//! accepts the documented DDL (with a custom column) and refuses a table missing a unique
//! index without changing anything; Unicode, 255-character values and multi-kilobyte tokens
//! round-trip; a 256-character e-mail is `InvalidInput` with nothing written. Each test
//! works in its own `nx_…` schema and drops it.

use nextauth_adapter::{Adapter, AdapterConfig, ErrorKind, ManualClock, NewAccount, NewUser};
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_postgres::{PostgresAdapter, SqlOptions, SyncError};
use nextauth_adapter_sql::{Dialect, DiffEntry, SchemaNames, statements};
use nextauth_adapter_testkit::{
    Namespace, Server, SqlInspector, Target, is_required, locate, not_run_banner,
};
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPoolOptions;

const SERVER: Server = Server::Postgres;
const DOCUMENTED_DDL: &str = include_str!("../../../fixtures/schemas/documented/postgres.sql");
type Adapter_ = PostgresAdapter;
type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The server URL, or `None` after a loud banner (a failure when the backend is required).
async fn server_url() -> Option<String> {
    match locate(SERVER).await {
        Target::Url(url) => Some(url),
        Target::NotConfigured(reason) => {
            let required = is_required(SERVER);
            eprintln!("{}", not_run_banner(SERVER, &reason, required));
            assert!(!required, "{reason}");
            None
        }
    }
}

/// Runs `body` in a fresh namespace and drops the namespace whatever the outcome.
async fn in_namespace<F, Fut>(time_zone: Option<&str>, body: F)
where
    F: FnOnce(Namespace) -> Fut,
    Fut: std::future::Future<Output = (Namespace, TestResult)>,
{
    let Some(url) = server_url().await else {
        return;
    };
    let ns = Namespace::create(SERVER, &url, SchemaNames::default(), time_zone)
        .await
        .expect("create a namespace");
    let (ns, result) = body(ns).await;
    ns.drop().await.expect("drop the namespace");
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Runs raw statements in the namespace (setup only, never to check the adapter).
async fn execute(ns: &Namespace, statements: &[String]) -> TestResult {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(ns.url())
        .await?;
    for s in statements {
        sqlx::query(AssertSqlSafe(s.clone())).execute(&pool).await?;
    }
    pool.close().await;
    Ok(())
}

async fn adapter(
    ns: &Namespace,
    clock: &ManualClock,
) -> Result<Adapter_, Box<dyn std::error::Error + Send + Sync>> {
    Ok(Adapter_::connect(
        ns.url(),
        AdapterConfig::with_clock(clock.shared()),
        SqlOptions::default(),
    )
    .await?)
}

fn ensure(ok: bool, what: impl Into<String>) -> TestResult {
    if ok { Ok(()) } else { Err(what.into().into()) }
}

#[tokio::test]
async fn synchronize_creates_the_tables_then_accepts_them() {
    in_namespace(None, |ns| async move {
        let result = async {
            let a = adapter(&ns, &ManualClock::starting_now()).await?;
            let first = a.synchronize().await?;
            ensure(
                first.created.len() == 4,
                format!("created {:?}", first.created),
            )?;
            ensure(first.diff.is_empty(), format!("{}", first.diff))?;
            let second = a.synchronize().await?;
            ensure(
                second.created.is_empty(),
                "the second synchronize created tables",
            )?;
            ensure(ns.tables().await?.len() == 4, "four tables")?;
            let u = a.create_user(NewUser::default()).await?;
            ensure(a.get_user(&u.id).await?.is_some(), "user read back")
        }
        .await;
        (ns, result)
    })
    .await;
}

#[tokio::test]
async fn synchronize_accepts_the_documented_ddl_and_custom_columns() {
    in_namespace(None, |ns| async move {
        let result = async {
            let mut ddl: Vec<String> = DOCUMENTED_DDL
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            ddl.push("ALTER TABLE users ADD COLUMN nickname VARCHAR(40) NULL".to_owned());
            execute(&ns, &ddl).await?;
            let a = adapter(&ns, &ManualClock::starting_now()).await?;
            let outcome = a.synchronize().await?;
            ensure(outcome.created.is_empty(), "nothing to create")?;
            ensure(
                outcome.diff.entries.iter().any(|e| matches!(e, DiffEntry::ExtraColumn { column, .. } if column.name == "nickname")),
                format!("the custom column is reported as allowed:\n{}", outcome.diff),
            )?;
            let u = a.create_user(NewUser { email: Some("doc@example.com".into()), ..NewUser::default() }).await?;
            ensure(a.get_user_by_email(Some("doc@example.com")).await?.map(|x| x.id) == Some(u.id), "lookup on the documented tables")
        }
        .await;
        (ns, result)
    })
    .await;
}

#[tokio::test]
async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing() {
    in_namespace(None, |ns| async move {
        let result = async {
            // Everything but the verification table and the unique index on users.email.
            let ddl: Vec<String> = statements(Dialect::Postgres, &SchemaNames::default())?
                .into_iter()
                .filter(|s| !s.contains("verification_requests") && !s.contains("INDEX \"email\""))
                .collect();
            execute(&ns, &ddl).await?;
            let before = ns.tables().await?;
            let a = adapter(&ns, &ManualClock::starting_now()).await?;
            match a.synchronize().await {
                Err(SyncError::Mismatch(diff)) => {
                    ensure(
                        diff.errors().any(|e| matches!(e, DiffEntry::MissingIndex { table, expected } if table == "users" && expected.name == "email" && expected.unique)),
                        format!("the diff names the missing index:\n{diff}"),
                    )?;
                    ensure(diff.to_string().contains("UNIQUE (email)"), format!("{diff}"))?;
                }
                other => return Err(format!("expected a refusal, got {other:?}").into()),
            }
            ensure(ns.tables().await? == before, "synchronize created or dropped tables while refusing")
        }
        .await;
        (ns, result)
    })
    .await;
}

#[tokio::test]
async fn unicode_limits_and_large_tokens_round_trip() {
    in_namespace(None, |ns| async move {
        let result = async {
            let a = adapter(&ns, &ManualClock::starting_now()).await?;
            a.synchronize().await?;
            let inspector = SqlInspector::connect(&ns).await?;
            let name = "😀".repeat(255);
            let email = format!("{}@example.com", "é".repeat(255 - "@example.com".len()));
            let image = format!(
                "https://example.com/{}",
                "i".repeat(255 - "https://example.com/".len())
            );
            let u = a
                .create_user(NewUser {
                    name: Some(name.clone()),
                    email: Some(email.clone()),
                    image: Some(image.clone()),
                    ..NewUser::default()
                })
                .await?;
            let stored = inspector.user(&u.id).await?.ok_or("user not stored")?;
            ensure(stored == u, format!("stored {stored:?}, returned {u:?}"))?;
            ensure(
                stored.name.as_deref() == Some(name.as_str())
                    && stored.email.as_deref() == Some(email.as_str())
                    && stored.image.as_deref() == Some(image.as_str()),
                "255-character values round-trip",
            )?;
            let token = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "x".repeat(LARGE_TOKEN));
            let account = a
                .link_account(NewAccount {
                    user_id: u.id.clone(),
                    provider_id: "google".into(),
                    provider_type: "oauth".into(),
                    provider_account_id: "ünï-😀".into(),
                    refresh_token: Some(token.clone()),
                    access_token: Some(token.clone()),
                    access_token_expires: None,
                })
                .await?;
            let stored = inspector
                .account(&account.compound_id)
                .await?
                .ok_or("account not stored")?;
            ensure(
                stored.access_token.as_deref() == Some(token.as_str()),
                format!("a {}-byte token round-trips", token.len()),
            )?;
            ensure(
                a.get_user_by_provider_account_id("google", "ünï-😀")
                    .await?
                    .map(|x| x.id)
                    == Some(u.id.clone()),
                "lookup by a Unicode account id",
            )?;

            let before = inspector.stored().await?.row_count();
            let too_long = format!("{}@example.com", "a".repeat(256 - "@example.com".len()));
            match a
                .create_user(NewUser {
                    email: Some(too_long),
                    ..NewUser::default()
                })
                .await
            {
                Err(e) if e.kind() == ErrorKind::InvalidInput => {}
                other => return Err(format!("a 256-character email gave {other:?}").into()),
            }
            ensure(
                inspector.stored().await?.row_count() == before,
                "nothing written for the refused email",
            )?;
            inspector.close().await;
            Ok(())
        }
        .await;
        (ns, result)
    })
    .await;
}

/// The payload of the large token: 60 KiB (PostgreSQL `TEXT` has no limit).
const LARGE_TOKEN: usize = 60 * 1024;

#[tokio::test]
async fn a_non_utc_session_time_zone_from_the_url_is_honoured_with_the_same_instants() {
    in_namespace(Some("Pacific/Chatham"), |ns| async move {
        let result = async {
            let clock = ManualClock::new(
                chrono::DateTime::from_timestamp(1_767_225_600, 123_456_000).ok_or("instant")?,
            );
            let a = adapter(&ns, &clock).await?;
            a.synchronize().await?;
            let zone: String = sqlx::query_scalar("SHOW TIME ZONE")
                .fetch_one(a.pool())
                .await?;
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
            let inspector = SqlInspector::connect(&ns).await?;
            let stored = inspector
                .session(&s.session_token)
                .await?
                .ok_or("session not stored")?;
            ensure(stored == s, format!("stored {stored:?}, returned {s:?}"))?;
            inspector.close().await;
            Ok(())
        }
        .await;
        (ns, result)
    })
    .await;
}

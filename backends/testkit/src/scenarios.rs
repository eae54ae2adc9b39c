//! Live scenarios every SQL backend must pass beyond the harness, written once and generic
//! over the backend's store.
//!
//! The conformance harness checks the adapter contract; these check what sits around it on
//! a real server: `synchronize` creates the tables and then accepts them, accepts the
//! documented DDL (plus a custom column) and refuses a table missing a unique index without
//! changing anything; Unicode, 255-character values and multi-kilobyte tokens round-trip,
//! and a 256-character e-mail is `InvalidInput` with nothing written.
//!
//! Each scenario is an `async fn` generic over `S:` [`ConnectStore`], so it runs against
//! [`SqlAdapter<S>`] of any backend; the server is the one whose dialect is `S::DIALECT`.
//! A backend's `tests/live.rs` names each test and calls the scenario in one line:
//!
//! ```ignore
//! #[tokio::test]
//! async fn synchronize_creates_the_tables_then_accepts_them() {
//!     scenarios::synchronize_creates_the_tables_then_accepts_them::<PostgresStore>().await;
//! }
//! ```
//!
//! What differs per dialect is explicit: the documented DDL is a parameter (the backend
//! knows which fixture documents its schema), the unique index to leave out is spelled with
//! [`Dialect::quote`], and the large token stays within MySQL's 65,535-byte `TEXT`
//! ([`LARGE_TOKEN`]). Each scenario works in its own fresh [`Namespace`] and drops it
//! afterwards, whatever the outcome (a panic drops it from the namespace's destructor).
//!
//! The helpers ([`in_namespace`], [`adapter`], [`execute`], [`ensure`]) are public so that a
//! backend's own live tests (MySQL's `PAD SPACE`, a session time zone, …) are written alike.

use crate::admin;
use crate::inspector::SqlInspector;
use crate::namespace::Namespace;
use crate::server::{Server, Target, is_required, locate, not_run_banner};
use nextauth_adapter::{
    Adapter, AdapterConfig, Capabilities, EmailMatching, ErrorKind, ManualClock, NewAccount,
    NewUser,
};
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_sql::{
    ConnectError, ConnectStore, Dialect, DiffEntry, SchemaNames, SqlAdapter, SqlOptions, SyncError,
    statements,
};

/// Any error a scenario step can give: the driver's, the adapter's, the testkit's or a
/// failed [`ensure`], boxed so that `?` works on all of them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The outcome of a scenario's body: `Err` fails the test with its message (after the
/// namespace is dropped).
pub type TestResult = Result<(), BoxError>;

/// The payload of the large token in [`unicode_limits_and_large_tokens_round_trip`]: 60 KiB,
/// within MySQL's 65,535-byte `TEXT` (PostgreSQL's and SQLite's `TEXT` have no limit), so
/// one size serves every backend.
pub const LARGE_TOKEN: usize = 60 * 1024;

/// The server whose dialect is `dialect`.
///
/// # Panics
/// For a dialect no server is known for: a scenario cannot run there.
pub fn server_for(dialect: Dialect) -> Server {
    Server::ALL
        .into_iter()
        .find(|s| s.dialect() == dialect)
        .unwrap_or_else(|| panic!("no live server for the {dialect:?} dialect"))
}

/// The server URL, or `None` after a loud NOT RUN banner.
///
/// # Panics
/// When the server is not configured and `NEXTAUTH_REQUIRE_BACKENDS` lists it: a required
/// live test fails, never skips silently.
pub async fn server_url(server: Server) -> Option<String> {
    match locate(server).await {
        Target::Url(url) => Some(url),
        Target::NotConfigured(reason) => {
            let required = is_required(server);
            eprintln!("{}", not_run_banner(server, &reason, required));
            assert!(!required, "{reason}");
            None
        }
    }
}

/// Runs `body` in a fresh, empty namespace of `server` (with the session `time_zone` if
/// given; see [`Namespace::create`]) and drops the namespace whatever the outcome, so that a
/// failing test leaves nothing behind. Does nothing when the server is not configured and
/// not required (see [`server_url`]).
///
/// # Panics
/// With `body`'s error, after the namespace is dropped; when the namespace cannot be
/// created or dropped.
pub async fn in_namespace<F>(server: Server, time_zone: Option<&str>, body: F)
where
    F: AsyncFnOnce(&Namespace) -> TestResult,
{
    let Some(url) = server_url(server).await else {
        return;
    };
    let ns = Namespace::create(server, &url, SchemaNames::default(), time_zone)
        .await
        .expect("create a namespace");
    let result = body(&ns).await;
    ns.drop().await.expect("drop the namespace");
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Runs raw statements in the namespace, in order, on one connection of its own: for setup
/// only (a schema the adapter did not create), never to check the adapter.
pub async fn execute(ns: &Namespace, statements: &[String]) -> TestResult {
    admin::of(ns.server())
        .execute(ns.url(), ns.name(), statements)
        .await?;
    Ok(())
}

/// The adapter under test in `ns`: `SqlAdapter<S>` connected to the namespace's URL with the
/// documented names, the backend's own capabilities and `clock`. The schema is untouched.
pub async fn adapter<S: ConnectStore>(
    ns: &Namespace,
    clock: &ManualClock,
) -> Result<SqlAdapter<S>, BoxError> {
    Ok(SqlAdapter::<S>::connect(
        ns.url(),
        AdapterConfig::with_clock(clock.shared()),
        SqlOptions::default(),
    )
    .await?)
}

/// `Ok` when `ok`, else an error saying `what`: an assertion that lets the namespace be
/// dropped before the test fails.
pub fn ensure(ok: bool, what: impl Into<String>) -> TestResult {
    if ok { Ok(()) } else { Err(what.into().into()) }
}

/// The statements of a DDL script as its author wrote it: `--` comment lines removed, split
/// on `;`, trimmed, empty ones left out.
pub fn script_statements(ddl: &str) -> Vec<String> {
    let without_comments: String = ddl
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `synchronize` on an empty namespace creates the four tables with nothing to report; a
/// second `synchronize` accepts them and creates nothing; the adapter then works.
pub async fn synchronize_creates_the_tables_then_accepts_them<S: ConnectStore>() {
    in_namespace(server_for(S::DIALECT), None, async |ns| {
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
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
    })
    .await;
}

/// Tables made by `documented_ddl` (the schema NextAuth v3 documents for this dialect, or
/// the migration a tool such as Prisma generates; `--` comments allowed) plus a custom
/// nullable column on `users`: `synchronize` creates nothing, reports the column as an
/// allowed difference, and the adapter works on them.
pub async fn synchronize_accepts_the_documented_ddl_and_custom_columns<S: ConnectStore>(
    documented_ddl: &str,
) {
    in_namespace(server_for(S::DIALECT), None, async |ns| {
        let mut ddl = script_statements(documented_ddl);
        let add = if S::DIALECT == Dialect::MsSql {
            "ADD"
        } else {
            "ADD COLUMN"
        };
        ddl.push(format!("ALTER TABLE users {add} nickname VARCHAR(40) NULL"));
        execute(ns, &ddl).await?;
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
        let outcome = a.synchronize().await?;
        ensure(outcome.created.is_empty(), "nothing to create")?;
        ensure(
            outcome.diff.entries.iter().any(
                |e| matches!(e, DiffEntry::ExtraColumn { column, .. } if column.name == "nickname"),
            ),
            format!(
                "the custom column is reported as allowed:\n{}",
                outcome.diff
            ),
        )?;
        let u = a
            .create_user(NewUser {
                email: Some("doc@example.com".into()),
                ..NewUser::default()
            })
            .await?;
        ensure(
            a.get_user_by_email(Some("doc@example.com"))
                .await?
                .map(|x| x.id)
                == Some(u.id),
            "lookup on the documented tables",
        )
    })
    .await;
}

/// Our own DDL without the verification table and without the unique index on
/// `users.email`: `synchronize` refuses with a diff naming the missing `UNIQUE (email)`
/// index, and creates or drops no table (not even the missing verification table).
pub async fn synchronize_refuses_a_missing_unique_index_and_changes_nothing<S: ConnectStore>() {
    in_namespace(server_for(S::DIALECT), None, async |ns| {
        // Everything but the verification table and the unique index on users.email.
        let email_index = format!("INDEX {}", S::DIALECT.quote("email"));
        let ddl: Vec<String> = statements(S::DIALECT, &SchemaNames::default())?
            .into_iter()
            .filter(|s| !s.contains("verification_requests") && !s.contains(&email_index))
            .collect();
        execute(ns, &ddl).await?;
        let before = ns.tables().await?;
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
        match a.synchronize().await {
            Err(SyncError::Mismatch(diff)) => {
                ensure(
                    diff.errors().any(|e| {
                        matches!(e, DiffEntry::MissingIndex { table, expected }
                            if table == "users" && expected.name == "email" && expected.unique)
                    }),
                    format!("the diff names the missing index:\n{diff}"),
                )?;
                ensure(
                    diff.to_string().contains("UNIQUE (email)"),
                    format!("{diff}"),
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

/// 255-character Unicode values (4-byte emoji, as many as a column counting UTF-16 code units
/// holds; accented e-mail) and a [`LARGE_TOKEN`] token
/// are stored exactly as returned (read back raw by the [`SqlInspector`]); a Unicode
/// provider account id finds its user; a 256-character e-mail is `InvalidInput` with
/// nothing written.
pub async fn unicode_limits_and_large_tokens_round_trip<S: ConnectStore>() {
    in_namespace(server_for(S::DIALECT), None, async |ns| {
        let a = adapter::<S>(ns, &ManualClock::starting_now()).await?;
        a.synchronize().await?;
        let inspector = SqlInspector::connect(ns).await?;
        // As many emoji as the column holds: 255, or half its UTF-16 code units (NVARCHAR).
        let emoji = S::CAPABILITIES
            .limits
            .varchar
            .max_utf16
            .map_or(255, |units| units / 2);
        let name = "😀".repeat(emoji);
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
    })
    .await;
}

/// What the tables cannot hold is refused, never carried on silently: an adapter declaring an
/// e-mail matching its dialect's tables cannot honour is refused when it connects
/// (`ConnectError::Capabilities`: case-insensitive everywhere, MySQL's collation outside
/// MySQL); a user id past the 32-bit `user_id` columns is `InvalidInput` naming the field in
/// `link_account` and `create_session`, with nothing written (SQLite's 64-bit INTEGER would
/// hold it; the others' would refuse it with a driver error, not a typed one); and a session
/// token with a trailing blank reaches no session in `update_session` or `delete_session`
/// (MySQL's and SQL Server's `=` ignore trailing spaces).
pub async fn what_the_tables_cannot_hold_is_refused<S: ConnectStore>() {
    in_namespace(server_for(S::DIALECT), None, async |ns| {
        let clock = ManualClock::starting_now();
        let mut refused = vec![EmailMatching::CaseInsensitive];
        if S::DIALECT != Dialect::MySql {
            refused.push(EmailMatching::MysqlGeneralCi);
        }
        for matching in refused {
            let declared = SqlOptions {
                capabilities: Some(Capabilities {
                    email_matching: matching,
                    ..S::CAPABILITIES
                }),
                ..SqlOptions::default()
            };
            match SqlAdapter::<S>::connect(
                ns.url(),
                AdapterConfig::with_clock(clock.shared()),
                declared,
            )
            .await
            {
                Err(ConnectError::Capabilities(_)) => {}
                Err(e) => return Err(format!("declaring {matching:?}: {e}, not the declaration refused").into()),
                Ok(_) => {
                    return Err(format!(
                        "an adapter declaring {matching:?} on {:?} tables was built",
                        S::DIALECT
                    )
                    .into());
                }
            }
        }
        let a = adapter::<S>(ns, &clock).await?;
        a.synchronize().await?;
        let inspector = SqlInspector::connect(ns).await?;
        let someone = a.create_user(NewUser::default()).await?;
        let before = inspector.stored().await?.row_count();
        let past = (i64::from(i32::MAX) + 1).to_string();
        let linked = a
            .link_account(NewAccount {
                user_id: past.clone(),
                provider_id: "github".into(),
                provider_type: "oauth".into(),
                provider_account_id: "1".into(),
                refresh_token: None,
                access_token: None,
                access_token_expires: None,
            })
            .await;
        ensure(
            matches!(&linked, Err(e) if e.kind() == ErrorKind::InvalidInput && e.to_string().contains("user_id")),
            format!("link_account for user {past}: {linked:?}"),
        )?;
        let ghost = nextauth_adapter::User {
            id: past.clone(),
            ..someone.clone()
        };
        let session = a.create_session(&ghost).await;
        ensure(
            matches!(&session, Err(e) if e.kind() == ErrorKind::InvalidInput),
            format!("create_session for user {past}: {session:?}"),
        )?;
        ensure(
            inspector.stored().await?.row_count() == before,
            "nothing written for a user id past the column",
        )?;
        // A session token with a trailing blank is another token: MySQL's and SQL Server's `=`
        // would reach the real one (PAD SPACE), so an update or a delete by it must not.
        let session = a.create_session(&someone).await?;
        let mut padded = session.clone();
        padded.session_token.push(' ');
        clock.advance(chrono::Duration::days(29));
        let updated = a.update_session(&mut padded, true).await;
        ensure(
            !matches!(updated, Ok(Some(_))),
            format!("update_session of {:?} + \" \": {updated:?}", session.session_token),
        )?;
        a.delete_session(Some(&padded.session_token)).await?;
        let kept = inspector.session(&session.session_token).await?;
        ensure(
            kept.as_ref().map(|k| k.expires) == Some(session.expires),
            format!("the session after an update and a delete of its token + \" \": {kept:?}"),
        )?;
        inspector.close().await;
        Ok(())
    })
    .await;
}

/// `SqlAdapter<S>` as [`sql_adapter`](crate::sql_adapter) builds it, wrapped in `fragility`
/// when one is given.
fn fragile_sql_adapter<S: ConnectStore + 'static>(
    fragility: Option<nextauth_adapter_harness::fragile::Fragility>,
) -> crate::BuildAdapter {
    let plain = crate::sql_adapter::<S>(crate::Synchronize::No);
    std::sync::Arc::new(move |ns, config| {
        let built = plain(ns, config);
        Box::pin(async move {
            let adapter = built.await?;
            Ok(match fragility {
                Some(f) => f.wrap(adapter),
                None => adapter,
            })
        })
    })
}

/// Every deliberately fragile adapter ([`nextauth_adapter_harness::fragile`]) over
/// `SqlAdapter<S>` on a live server fails the fault rules it names: the fault rules can fail.
/// Does nothing when the server is not configured and not required.
///
/// # Panics
/// When a fragile adapter passes a rule that must catch it.
pub async fn fragile_adapters_are_caught<S: ConnectStore + 'static>() {
    use nextauth_adapter_harness::fragile::FRAGILITIES;
    use nextauth_adapter_harness::{Outcome, SuiteOptions, catalogue, run_suite};
    let server = server_for(S::DIALECT);
    let Some(url) = server_url(server).await else {
        return;
    };
    let rules: Vec<_> = catalogue::all()
        .into_iter()
        .filter(|r| r.id.starts_with("fault."))
        .collect();
    for fragility in FRAGILITIES {
        let build = fragile_sql_adapter::<S>(Some(*fragility));
        let factory = crate::LiveFactory::new(server, url.clone(), S::CAPABILITIES, build)
            .with_name(format!("{server}+{}", fragility.name));
        let outcomes = run_suite(
            std::sync::Arc::new(factory),
            &rules,
            &SuiteOptions::default(),
            &|_| {},
        )
        .await;
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Failed(_)))
            .map(|o| o.id.as_str())
            .collect();
        for expected in fragility.caught_by {
            assert!(
                failed.contains(expected),
                "{server}: the fragile adapter {} was not caught by {expected}; failed: {failed:?}; outcomes: {outcomes:#?}",
                fragility.name
            );
        }
        println!(
            "{server}: {:<22} caught by {}",
            fragility.name,
            failed.join(", ")
        );
    }
}

/// `fault.kill.between-calls` fails for an adapter built by `build` over a pool that hands
/// out a connection without checking it is alive (sqlx's `test_before_acquire(false)`): the
/// first call after its connections are killed fails. What a wrapper cannot show, a pool
/// configured so shows: the rule can fail. Does nothing when the server is not configured
/// and not required.
///
/// # Panics
/// When the rule passes.
pub async fn an_unchecked_pool_fails_between_calls<S: ConnectStore + 'static>(
    build: crate::BuildAdapter,
) {
    use nextauth_adapter_harness::{Outcome, SuiteOptions, catalogue, run_suite};
    let server = server_for(S::DIALECT);
    let Some(url) = server_url(server).await else {
        return;
    };
    let rules = vec![catalogue::find("fault.kill.between-calls").expect("the rule")];
    let factory = crate::LiveFactory::new(server, url, S::CAPABILITIES, build)
        .with_name(format!("{server}+unchecked-pool"));
    let outcomes = run_suite(
        std::sync::Arc::new(factory),
        &rules,
        &SuiteOptions::default(),
        &|_| {},
    )
    .await;
    let outcome = &outcomes[0].outcome;
    println!("{server}: fault.kill.between-calls on an unchecked pool: {outcome:?}");
    assert!(
        matches!(outcome, Outcome::Failed(_)),
        "{server}: an adapter whose pool hands out dead connections passed: {outcome:?}"
    );
}

/// `fault.server.restart` against `SqlAdapter<S>` on a server in a container of its own
/// ([`OwnContainer`](crate::OwnContainer)), stopped and started by the rule: our adapter must
/// pass it, and the fragile `poisoned-after-error` adapter must fail it. Without a container
/// engine prints NOT RUN, and fails when `NEXTAUTH_REQUIRE_RESTART=1` (CI's container lane).
///
/// # Panics
/// When the rule gives another outcome than expected, or a required engine is missing.
#[cfg(feature = "testcontainers")]
pub async fn the_server_restart_rule_runs<S: ConnectStore + 'static>() {
    use nextauth_adapter_harness::fragile::Fragility;
    use nextauth_adapter_harness::{Outcome, SuiteOptions, catalogue, run_suite};
    use std::sync::Arc;
    let server = server_for(S::DIALECT);
    let required = std::env::var("NEXTAUTH_REQUIRE_RESTART").is_ok_and(|v| v == "1");
    let container = match crate::OwnContainer::start(server).await {
        Ok(c) => Arc::new(c),
        Err(why) => {
            let reason = format!("no container of its own for the restart rule: {why}");
            // Straight to the process's stderr: the test harness would swallow an `eprintln!`
            // of a passing test, and a rule that did not run must be seen.
            let banner = format!("{}\n", not_run_banner(server, &reason, required));
            let _ = std::io::Write::write_all(&mut std::io::stderr(), banner.as_bytes());
            assert!(!required, "{reason} (NEXTAUTH_REQUIRE_RESTART=1)");
            return;
        }
    };
    let rules = vec![catalogue::find("fault.server.restart").expect("the rule")];
    let options = SuiteOptions {
        rule_timeout: std::time::Duration::from_secs(180),
        ..SuiteOptions::default()
    };
    let poisoned = Fragility::named("poisoned-after-error").expect("the fragile adapter");
    for fragility in [None, Some(poisoned)] {
        let build = fragile_sql_adapter::<S>(fragility);
        let factory =
            crate::LiveFactory::new(server, container.url().to_owned(), S::CAPABILITIES, build)
                .with_server_control(container.clone());
        let outcomes = run_suite(Arc::new(factory), &rules, &options, &|_| {}).await;
        let outcome = &outcomes[0].outcome;
        let name = fragility.map_or("our adapter", |f| f.name);
        println!(
            "{server}: fault.server.restart on {name}: {outcome:?} in {} ms",
            outcomes[0].duration_ms
        );
        match fragility {
            None => assert_eq!(*outcome, Outcome::Passed, "{server}: {name}"),
            Some(_) => assert!(
                matches!(outcome, Outcome::Failed(_)),
                "{server}: the fragile {name} passed the restart rule: {outcome:?}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_statements_drops_comment_lines_and_empty_statements() {
        let ddl = "-- a comment; with a semicolon\nCREATE TABLE a (id INT);\n\n  -- another\nCREATE TABLE b (id INT);\n;\n";
        assert_eq!(
            script_statements(ddl),
            vec!["CREATE TABLE a (id INT)", "CREATE TABLE b (id INT)"]
        );
    }

    #[test]
    fn every_server_dialect_has_its_server() {
        for server in Server::ALL {
            assert_eq!(server_for(server.dialect()), server);
        }
    }

    #[test]
    fn the_email_index_is_spelled_as_our_ddl_spells_it() {
        for server in Server::ALL {
            let dialect = server.dialect();
            let needle = format!("INDEX {}", dialect.quote("email"));
            let ddl = statements(dialect, &SchemaNames::default()).expect("statements");
            assert_eq!(
                ddl.iter().filter(|s| s.contains(&needle)).count(),
                1,
                "{dialect:?}: {ddl:#?}"
            );
        }
    }
}

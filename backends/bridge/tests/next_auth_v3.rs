//! The bridged certification of next-auth@3's default adapter (npm), on PostgreSQL and on
//! MariaDB/MySQL, each on tables from our DDL and on the tables its own `synchronize` makes:
//! four cells of the results matrix, each the whole suite (rules, the 256 property sequences,
//! races, the time-sensitive rules again in a non-UTC session) through
//! `bridge/node/server.js`, asserting the verdict, the exact set of failing MUST rules and the
//! findings that `docs/next-auth-v3-results.md` explains; then the deliberately broken JS
//! adapter (raw verification token) caught by its rules, and a killed adapter process
//! failing fast. Each is a test of its own, two at a time (`--list` names them:
//! `next-auth/postgres/ddl`, `broken-raw-token/mysql`, `killed-process/postgres`, …;
//! `cargo test -p nextauth-adapter-bridge --test next_auth_v3 -- next-auth/postgres/ddl` runs
//! one); after them, every namespace the run created must be gone.
//!
//! Needs `bridge/node/node_modules` (`ci/bridge.sh`) and the database URLs
//! (`eval "$(ci/databases.sh)"`). Without them it prints a loud NOT RUN and fails only when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge` (node_modules) or the server.

mod cells;

use cells::{Cell, Problems};
use libtest_mimic::{Failed, Trial};
use nextauth_adapter::{ErrorKind, NewUser};
use nextauth_adapter_bridge::{BridgeFactory, NodeSide, SYNCHRONIZE, node_command};
use nextauth_adapter_harness::execute::{Outcome, RaceRuntime, run_rule};
use nextauth_adapter_harness::{BackendFactory, catalogue};
use nextauth_adapter_testkit::Server;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The MUST rules next-auth@3.29.10's default adapter fails in every cell (each explained in
/// docs/next-auth-v3-results.md); each cell's own are listed beside them. The database makes
/// `created_at` / `updated_at` at microseconds and the adapter returns a JS Date's
/// milliseconds: one rule judges that (`every-column-precision`), no record comparison
/// depends on where the database's clock falls. `updateSession` is `manager.save`, keyed by the
/// session's id alone: a session passed with another token is updated, its token overwritten
/// (on MariaDB's `synchronize` tables the rule fails earlier, on a lookup that folds case).
const FAILING_EVERYWHERE: &[&str] = &[
    "user.get.foreign-id-is-none",
    "user.delete.as-declared",
    "account.unlink.as-declared",
    "verification.create.message",
    "verification.create.uses-secret-argument",
    "verification.get.wrong-secret",
    "data.timestamps.every-column-precision",
    "security.session.token-exact-on-every-axis",
    "property.differential.sequences",
];

/// PostgreSQL with our DDL: an overlong e-mail refused by a `VARCHAR(255)` whose error names
/// no column. (On the `synchronize` tables `character varying` has no length: nothing more.)
const FAILING_POSTGRES_DDL: &[&str] = &["data.length.past-limit-refused"];

/// MariaDB, both setups: four-byte characters refused by the connection's three-byte `utf8`.
const FAILING_MYSQL: &[&str] = &["data.unicode.round-trips"];

/// MariaDB's `synchronize` tables: also a creation time past 2038 taken into `TIMESTAMP(6)`
/// (the adapter's `created_at` comes from the database's clock, not the adapter's), and
/// provider account ids compared in `utf8mb4_general_ci`, which folds case, accents and
/// trailing blanks.
const FAILING_MYSQL_SYNCHRONIZE: &[&str] = &[
    "data.unicode.round-trips",
    "data.timestamps.outside-range-refused",
    "security.account.key-exact-on-every-axis",
];

/// The time-sensitive MUST rules that fail again with the adapter's session in
/// Pacific/Chatham, on PostgreSQL (both setups) and on MariaDB with our DDL: the same causes
/// as in UTC, nothing the zone adds.
const FAILING_IN_ZONE: &[&str] = &[
    "verification.create.message",
    "verification.create.uses-secret-argument",
    "verification.get.wrong-secret",
    "data.timestamps.every-column-precision",
];

/// On MariaDB's `synchronize` tables the zone adds fifteen (the `time-zone` finding), and the
/// 2038 rule fails there too: TypeORM writes instants as UTC text (`timezone: "Z"`), which
/// `TIMESTAMP` columns read in the session's zone.
const FAILING_IN_ZONE_MYSQL_SYNCHRONIZE: &[&str] = &[
    "session.create.honours-policy",
    "session.create.persisted",
    "session.update.after-due-time-extends",
    "session.update.force-not-due-unchanged",
    "session.update.honours-policy",
    "session.delete.others-untouched",
    "verification.create.every-field-stored",
    "verification.create.expires-after-max-age",
    "verification.get.valid",
    "verification.get.expired-is-none",
    "verification.get.expired-row-deleted",
    "flow.email.existing-user",
    "flow.session.read-rolls-expiry",
    "data.timestamps.precision-as-declared",
    "data.timestamps.given-instants-at-precision",
    "data.timestamps.outside-range-refused",
];

/// The findings next-auth@3.29.10's default adapter shows on PostgreSQL with our DDL's
/// tables, as docs/next-auth-v3-results.md explains them (`cause severity reach`): what next-auth@3's
/// own core reaches is a session brought back by a read racing its sign-out, one sign-in link
/// signing in twice when two callbacks open it at once (consumed only on delete; the real-core
/// lane shows both), and a sign-in refused for an address longer than the column. Writes for a
/// user nobody has are accepted (no foreign keys), which core never asks for.
const FINDINGS_POSTGRES: &[&str] = &[
    "resurrection integrity reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "errors contract reached",
    "declaration contract not-reached",
    "collateral contract not-reached",
    "timestamp-precision precision not-reached",
    "clock precision not-reached",
];

/// On PostgreSQL's `synchronize` tables: the same but for the length limit.
const FINDINGS_POSTGRES_SYNCHRONIZE: &[&str] = &[
    "resurrection integrity reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "errors contract not-reached",
    "declaration contract not-reached",
    "collateral contract not-reached",
    "timestamp-precision precision not-reached",
    "clock precision not-reached",
];

/// On MariaDB with our DDL: a profile name with an emoji refuses the sign-in (reached), and
/// the property test's divergence.
const FINDINGS_MYSQL: &[&str] = &[
    "resurrection integrity reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "errors contract reached",
    "data-fidelity contract not-reached",
    "declaration contract not-reached",
    "collateral contract not-reached",
    "timestamp-precision precision not-reached",
    "clock precision not-reached",
];

/// On MariaDB's `synchronize` tables: also lookups in `utf8mb4_general_ci`, which folds case,
/// accents and trailing blanks: reached for provider account ids (an OAuth account whose id
/// differs from a linked one only so signs in as that account's user; session tokens folded
/// too, which core does not reach), the 2038 limit, and what the session time zone does to
/// `TIMESTAMP` columns, neither reached through core.
const FINDINGS_MYSQL_SYNCHRONIZE: &[&str] = &[
    "resurrection integrity reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "errors contract reached",
    "data-fidelity contract not-reached",
    "declaration contract not-reached",
    "time-zone contract not-reached",
    "timestamp-range contract not-reached",
    "inexact-lookup security reached",
    "timestamp-precision precision not-reached",
    "clock precision not-reached",
];

/// The default adapter's four cells: each server, tables from our DDL and from its own
/// `synchronize`. MariaDB's first and the servers alternating: with two cells at a time, the
/// slowest start first and the two servers share the load.
const CELLS: &[Cell<'static>] = &[
    Cell {
        server: Server::MySql,
        adapter: "next-auth",
        tables: "ddl",
        failing: &[FAILING_EVERYWHERE, FAILING_MYSQL],
        failing_in_zone: &[FAILING_IN_ZONE],
        findings: FINDINGS_MYSQL,
    },
    Cell {
        server: Server::Postgres,
        adapter: "next-auth",
        tables: "ddl",
        failing: &[FAILING_EVERYWHERE, FAILING_POSTGRES_DDL],
        failing_in_zone: &[FAILING_IN_ZONE],
        findings: FINDINGS_POSTGRES,
    },
    Cell {
        server: Server::MySql,
        adapter: "next-auth",
        tables: SYNCHRONIZE,
        failing: &[FAILING_EVERYWHERE, FAILING_MYSQL_SYNCHRONIZE],
        failing_in_zone: &[FAILING_IN_ZONE, FAILING_IN_ZONE_MYSQL_SYNCHRONIZE],
        findings: FINDINGS_MYSQL_SYNCHRONIZE,
    },
    Cell {
        server: Server::Postgres,
        adapter: "next-auth",
        tables: SYNCHRONIZE,
        failing: &[FAILING_EVERYWHERE],
        failing_in_zone: &[FAILING_IN_ZONE],
        findings: FINDINGS_POSTGRES_SYNCHRONIZE,
    },
];

fn main() -> ExitCode {
    cells::init_tracing();
    let mut trials: Vec<Trial> = CELLS.iter().map(cells::cell_trial).collect();
    for server in [Server::MySql, Server::Postgres] {
        trials.push(cells::trial(
            format!("broken-raw-token/{server}"),
            server,
            NodeSide::NextAuth,
            move |url| broken_adapter_is_caught(server, url),
        ));
        trials.push(cells::trial(
            format!("killed-process/{server}"),
            server,
            NodeSide::NextAuth,
            move |url| killed_process_fails_fast(server, url),
        ));
    }
    cells::run(trials, &[Server::Postgres, Server::MySql])
}

/// The deliberately broken JS adapter (it overwrites the stored hash with the raw token) is
/// caught by the rules about the raw verification token.
fn broken_adapter_is_caught(server: Server, url: &str) -> Result<(), Failed> {
    let mut problems = Problems::default();
    let factory = match BridgeFactory::new(node_command("next-auth-raw-token", url), Vec::new()) {
        Ok(f) => f,
        Err(e) => {
            problems.add(format!(
                "broken-raw-token/{server}: the broken adapter did not start: {e}"
            ));
            return problems.result();
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let factory = std::sync::Arc::new(factory);
    let shared: std::sync::Arc<dyn BackendFactory> = factory.clone();
    let races = RaceRuntime::default();
    for id in [
        "verification.create.stores-hash",
        "security.verification.raw-token-never-stored",
    ] {
        let Some(rule) = catalogue::all().into_iter().find(|r| r.id == id) else {
            problems.add(format!(
                "broken-raw-token/{server}: rule {id} is not in the catalogue"
            ));
            continue;
        };
        let outcome = runtime.block_on(run_rule(&shared, &rule, Duration::from_secs(60), &races));
        match &outcome.outcome {
            Outcome::Failed(reason) => {
                println!("broken-raw-token/{server}: broken adapter caught by {id}: {reason}")
            }
            other => {
                problems.add(format!(
                    "broken-raw-token/{server}: the raw-token adapter was NOT caught by {id}: {other:?}"
                ));
            }
        }
    }
    runtime.block_on(factory.shutdown());
    problems.result()
}

/// Killing the adapter process mid-run fails the calls in flight and every later one with
/// a Backend error naming the exit, quickly, instead of hanging.
fn killed_process_fails_fast(server: Server, url: &str) -> Result<(), Failed> {
    let factory = match BridgeFactory::new(node_command("next-auth", url), Vec::new()) {
        Ok(f) => f,
        Err(e) => {
            let mut problems = Problems::default();
            problems.add(format!(
                "killed-process/{server}: the adapter process did not start: {e}"
            ));
            return problems.result();
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut problems = Problems::default();
        let clock = nextauth_adapter::ManualClock::starting_now();
        let config = nextauth_adapter::AdapterConfig::with_clock(clock.shared());
        let fixture = match factory.open(config).await {
            Ok(f) => f,
            Err(e) => {
                problems.add(format!("killed-process/{server}: open failed: {e}"));
                return problems.result();
            }
        };
        let profile = NewUser {
            email: Some("killed@example.com".to_owned()),
            ..NewUser::default()
        };
        if let Err(e) = fixture.adapter.create_user(profile).await {
            problems.add(format!("killed-process/{server}: create_user before the kill failed: {e}"));
            return problems.result();
        }
        let Some(pid) = factory.process_id() else {
            problems.add(format!("killed-process/{server}: no pid"));
            return problems.result();
        };
        // Calls in flight while the process dies.
        let in_flight: Vec<_> = (0..8)
            .map(|_| {
                let adapter = fixture.adapter.clone();
                tokio::spawn(async move { adapter.get_user_by_email(Some("killed@example.com")).await })
            })
            .collect();
        let killed = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
        if !killed.is_ok_and(|s| s.success()) {
            problems.add(format!("killed-process/{server}: could not kill {pid}"));
            return problems.result();
        }
        let started = Instant::now();
            for call in in_flight {
            match call.await {
                // A call answered before the kill landed is fine.
                Ok(Ok(_)) => {}
                Ok(Err(e)) if e.kind() == ErrorKind::Backend => {}
                other => {
                    problems.add(format!("killed-process/{server}: an in-flight call ended oddly: {other:?}"));
                    }
            }
        }
        let later = fixture.adapter.get_user("1").await;
        let elapsed = started.elapsed();
        match later {
            Err(e) if e.kind() == ErrorKind::Backend && e.to_string().contains("signal: 9") => {
                println!("killed-process/{server}: after the kill, in {elapsed:?}: {e}");
            }
            other => {
                problems.add(format!(
                    "killed-process/{server}: after the kill, expected a Backend error naming the exit (signal: 9), got {other:?}"
                ));
            }
        }
        if elapsed > Duration::from_secs(5) {
            problems.add(format!("killed-process/{server}: failing after the kill took {elapsed:?}"));
        }
        match factory.open(nextauth_adapter::AdapterConfig::default()).await {
            Err(e) if e.to_string().contains("signal: 9") => {}
            Err(e) => {
                problems.add(format!("killed-process/{server}: open after the kill failed without naming the exit: {e}"));
            }
            Ok(_) => {
                problems.add(format!("killed-process/{server}: open after the kill succeeded"));
            }
        }
        // The teardown still drops the namespace, and reports the dead process.
        if let Some(teardown) = fixture.teardown {
            match teardown().await {
                Err(e) if e.to_string().contains("unusable") => {}
                other => {
                    problems.add(format!("killed-process/{server}: teardown after the kill: {other:?}"));
                    }
            }
        }
        problems.result()
    })
}

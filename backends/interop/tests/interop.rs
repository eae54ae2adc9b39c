//! The interop lane in CI: next-auth@3's default adapter (npm, through the bridge) and our
//! adapter sharing one namespace, on PostgreSQL and MariaDB, on tables made by our DDL and
//! by next-auth's own `synchronize`, both directions; every check must agree. Per server,
//! two more trials: next-auth's Node process in a far-off time zone changes nothing (one of
//! the sharing conditions the guide states: next-auth pins its `mysql` driver to UTC), and a
//! deliberately broken next-auth (verification tokens stored raw, looked up hashed as usual)
//! makes the lane fail where it writes a sign-in link for our adapter to redeem.
//!
//! Each is a test of its own (`--list`: `interop/postgres/our-ddl`, …), two at a time.
//!
//! Needs `bridge/node/node_modules` (`ci/bridge.sh`) and the server URLs
//! (`eval "$(ci/databases.sh)"`); a trial that cannot run is reported NOT RUN with its reason
//! and ignored, or fails when `NEXTAUTH_REQUIRE_BACKENDS` lists the server or `bridge`.

use libtest_mimic::{Arguments, Failed};
use nextauth_adapter_bridge::{NodeSide, bridged_url};
use nextauth_adapter_interop::{
    Direction, InteropOptions, InteropReport, InteropTables, Outcome, run,
};
use nextauth_adapter_testkit::{Server, trials};
use std::process::ExitCode;

/// A time zone 13¾ hours from UTC: no instant survives a mix-up unnoticed.
const FAR_ZONE: &str = "Pacific/Chatham";

fn main() -> ExitCode {
    let _ = tracing_subscriber_init();
    let mut args = Arguments::from_args();
    // Each trial starts a Node process and two pools: two at a time is plenty on CI's cores.
    trials::default_width(&mut args, 2);
    let mut all = Vec::new();
    for server in [Server::Postgres, Server::MySql] {
        for (name, tables, zone, adapter, expect) in [
            (
                "our-ddl",
                InteropTables::OurDdl,
                None,
                "next-auth",
                Expect::Agree,
            ),
            (
                "next-auth-synchronize",
                InteropTables::NextAuthSynchronize,
                None,
                "next-auth",
                Expect::Agree,
            ),
            (
                "next-auth-synchronize-node-in-another-time-zone",
                InteropTables::NextAuthSynchronize,
                Some(FAR_ZONE),
                "next-auth",
                Expect::Agree,
            ),
            (
                "broken-next-auth-is-caught",
                InteropTables::OurDdl,
                None,
                "next-auth-raw-token",
                Expect::VerificationDisagrees,
            ),
        ] {
            all.push(trials::live_trial(
                format!("interop/{server}/{name}"),
                move || bridged_url(server, NodeSide::NextAuth),
                move |url| {
                    let options = InteropOptions {
                        node_env: zone
                            .map(|z| vec![("TZ".to_owned(), z.to_owned())])
                            .unwrap_or_default(),
                        next_auth_adapter: adapter.to_owned(),
                        ..InteropOptions::new(server, url, tables)
                    };
                    trial(&format!("{server}-{name}"), &options, expect)
                },
            ));
        }
    }
    libtest_mimic::run(&args, all).exit_code()
}

/// What a trial must find.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Every check agrees.
    Agree,
    /// The sign-in link the broken next-auth stores (its token raw) fails, and nothing else:
    /// it still looks tokens up hashed, so links our adapter stores work.
    VerificationDisagrees,
}

fn trial(label: &str, options: &InteropOptions, expect: Expect) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime: {e}"))?;
    let report = runtime
        .block_on(run(options))
        .map_err(|e| format!("the interop run could not take place: {e}"))?;
    println!("{report}");
    save(label, &report);
    match expect {
        Expect::Agree => {
            if report.passes() {
                check_sanity(&report)
            } else {
                Err(format!("the adapters disagree:\n{report}").into())
            }
        }
        Expect::VerificationDisagrees => {
            let failed: Vec<_> = report.failures().collect();
            let raw_token_caught = failed.iter().any(|c| {
                matches!(&c.outcome, Outcome::Differ { message } if message.contains("not as sha256"))
            });
            let only_there = failed
                .iter()
                .all(|c| c.scenario == "verification" && c.direction == Direction::NextAuthToOurs);
            if raw_token_caught && only_there {
                Ok(())
            } else {
                Err(format!(
                    "with sign-in tokens stored raw, the lane must fail where next-auth stores a link, and only there:\n{report}"
                )
                .into())
            }
        }
    }
}

/// What every agreeing run must also show: both directions ran all four scenarios, and the
/// capabilities our adapter read off the tables are the ones those tables imply.
fn check_sanity(report: &InteropReport) -> Result<(), Failed> {
    for scenario in ["users", "accounts", "verification", "sessions"] {
        let n = report
            .checks
            .iter()
            .filter(|c| c.scenario == scenario)
            .count();
        if n < 4 {
            return Err(format!("scenario {scenario} ran {n} checks over both directions").into());
        }
    }
    let caps = report.ours_capabilities;
    let typeorm_on_mysql = report.server == "mysql" && report.tables.contains("synchronize");
    let want_matching = if typeorm_on_mysql {
        nextauth_adapter::EmailMatching::MysqlGeneralCi
    } else {
        nextauth_adapter::EmailMatching::Exact
    };
    let want_range = if typeorm_on_mysql {
        nextauth_adapter::TimestampRange::Unix32
    } else {
        nextauth_adapter::TimestampRange::Full
    };
    if caps.email_matching != want_matching || caps.timestamp_range != want_range {
        return Err(format!(
            "our adapter declared {:?}/{:?} on {} tables, expected {want_matching:?}/{want_range:?}",
            caps.email_matching, caps.timestamp_range, report.tables
        )
        .into());
    }
    let case_note = report
        .checks
        .iter()
        .find(|c| c.name.contains("another case"))
        .and_then(|c| c.note.clone())
        .unwrap_or_default();
    let want_note = if typeorm_on_mysql {
        "both find it"
    } else {
        "neither finds it"
    };
    if !case_note.starts_with(want_note) {
        return Err(format!("the case lookup: {case_note:?}, expected {want_note:?}").into());
    }
    Ok(())
}

/// Keeps the report as JSON beside the conformance reports, when CI collects them.
fn save(label: &str, report: &InteropReport) {
    let Some(dir) = std::env::var_os("NEXTAUTH_REPORT_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let path = dir.join(format!("interop-{label}.json"));
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let json = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
        std::fs::write(&path, json)
    });
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", path.display());
    }
}

fn tracing_subscriber_init() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .try_init()
}

//! next-auth@3's real core drives our adapters end to end: `bridge/node/core/run.js` mounts
//! next-auth's own API-route handler on a local HTTP server, plays a browser through e-mail
//! and OAuth (a mock provider) sign-ins, session reads and sign-outs, and checks the HTTP
//! results and the stored rows; the adapter is ours, served by `nextauth-certify serve`, or
//! next-auth's own default adapter as the control. Here every scenario must pass, and the
//! adapter calls core made in each must be exactly the calls our flow rule of the same name
//! (`flow.<scenario>`, through `harness/src/v3core.rs`) makes.
//!
//! Needs `bridge/node/node_modules` (`ci/bridge.sh`); PostgreSQL and MariaDB from
//! `eval "$(ci/databases.sh)"` (SQLite needs nothing). Missing, a test says SKIPPED, and
//! fails when `NEXTAUTH_REQUIRE_BACKENDS` lists what is missing.

use nextauth_adapter_bridge::{node_modules_or_skip, node_server_dir};
use nextauth_adapter_harness::execute::{Outcome, RaceRuntime, run_rule};
use nextauth_adapter_harness::recording::RecordingFactory;
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory, catalogue};
use nextauth_adapter_testkit::{Server, url_or_skip};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The scenarios `run.js` plays; each mirrors the flow rule `flow.<scenario>`. The harness's
/// reach table says a finding reached through one of these is shown by the real core.
const SCENARIOS: &[&str] = nextauth_adapter_harness::reach::V3_LANE;

/// The adapter calls each flow rule makes, by scenario, recorded on the reference adapter.
fn flow_calls() -> &'static BTreeMap<&'static str, Vec<&'static str>> {
    static CALLS: OnceLock<BTreeMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    CALLS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let recorder = Arc::new(RecordingFactory::new(Arc::new(ReferenceFactory::default())));
        let factory: Arc<dyn BackendFactory> = recorder.clone();
        let races = RaceRuntime::default();
        SCENARIOS
            .iter()
            .map(|scenario| {
                let id = format!("flow.{scenario}");
                let rule = catalogue::all()
                    .into_iter()
                    .find(|r| r.id == id)
                    .unwrap_or_else(|| panic!("no rule {id}"));
                recorder.take();
                let outcome =
                    runtime.block_on(run_rule(&factory, &rule, Duration::from_secs(60), &races));
                assert!(
                    matches!(outcome.outcome, Outcome::Passed),
                    "{id} on the reference: {:?}",
                    outcome.outcome
                );
                let calls = recorder.take().into_iter().map(|m| m.js_name()).collect();
                (*scenario, calls)
            })
            .collect()
    })
}

/// Runs every scenario with `adapter` (`--serve <command>` or `--control <url>`) and checks
/// each passed and called the adapter as its flow rule does.
fn real_core(adapter: &[&str], label: &str) {
    let run = node_server_dir().join("core/run.js");
    let o = Command::new("node")
        .arg(&run)
        .args(adapter)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let tail: String = stderr
        .lines()
        .rev()
        .take(30)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    let results: Vec<Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{label}: {e} in {l}")))
        .collect();
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let Some(result) = results.iter().find(|r| r["scenario"] == *scenario) else {
            failures.push(format!("{scenario}: did not run"));
            continue;
        };
        if result["ok"] != true {
            failures.push(format!("{scenario}: {}", result["failures"]));
        }
        let requests = result["requests"].as_array().cloned().unwrap_or_default();
        let core: Vec<String> = requests
            .iter()
            .flat_map(|r| r["calls"].as_array().cloned().unwrap_or_default())
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect();
        let ours = &flow_calls()[scenario];
        if !core.iter().map(String::as_str).eq(ours.iter().copied()) {
            let by_request: Vec<String> = requests
                .iter()
                .map(|r| format!("    {} → {}: {}", r["request"], r["status"], r["calls"]))
                .collect();
            failures.push(format!(
                "{scenario}: core called the adapter otherwise than flow.{scenario}\n  core:  {core:?}\n  ours:  {ours:?}\n  core by request:\n{}",
                by_request.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty() && o.status.success(),
        "{label}: exit {:?}\n{}\n--- stderr (tail) ---\n{tail}",
        o.status.code(),
        failures.join("\n")
    );
    println!(
        "{label}: all {} scenarios pass; core's calls are our flow rules' calls",
        SCENARIOS.len()
    );
}

fn serve(url: &str) -> String {
    format!(
        "{} serve --url {url}",
        env!("CARGO_BIN_EXE_nextauth-certify")
    )
}

#[test]
fn real_core_on_our_sqlite_adapter() {
    if !node_modules_or_skip("real core on our SQLite adapter") {
        return;
    }
    real_core(&["--serve", &serve("sqlite:")], "our SQLite adapter");
}

#[test]
fn real_core_on_our_postgres_adapter() {
    let Some(url) = url_or_skip(Server::Postgres, "real core on our PostgreSQL adapter") else {
        return;
    };
    if !node_modules_or_skip("real core on our PostgreSQL adapter") {
        return;
    }
    real_core(&["--serve", &serve(&url)], "our PostgreSQL adapter");
}

#[test]
fn real_core_on_our_mariadb_adapter() {
    let Some(url) = url_or_skip(Server::MySql, "real core on our MariaDB adapter") else {
        return;
    };
    if !node_modules_or_skip("real core on our MariaDB adapter") {
        return;
    }
    real_core(&["--serve", &serve(&url)], "our MariaDB adapter");
}

#[test]
fn real_core_on_next_auths_own_adapter_as_the_control() {
    for server in [Server::Postgres, Server::MySql] {
        let Some(url) = url_or_skip(server, "real core on next-auth's own adapter") else {
            continue;
        };
        if !node_modules_or_skip("real core on next-auth's own adapter") {
            return;
        }
        real_core(
            &["--control", &url],
            &format!("next-auth's own adapter on {server}"),
        );
    }
}

/// What each of `scenarios` (the lane's finding scenarios) showed on `adapter` (`shown`,
/// `absent`, `error`), from one run of `run.js` playing them all.
fn lane_effects(scenarios: &[&str], adapter: &[&str], label: &str) -> BTreeMap<String, String> {
    let mut command = Command::new("node");
    command
        .arg(node_server_dir().join("core/run.js"))
        .args(adapter);
    for scenario in scenarios {
        command.args(["--scenario", scenario]);
    }
    let o = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let mut effects = BTreeMap::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{label}: {e}"));
        let scenario = v["scenario"].as_str().unwrap_or_default().to_owned();
        println!("{label}: {scenario}: {} ({})", v["effect"], v["detail"]);
        effects.insert(
            scenario,
            v["effect"].as_str().unwrap_or_default().to_owned(),
        );
    }
    for scenario in scenarios {
        assert!(
            effects.contains_key(*scenario),
            "{label}: no outcome line for {scenario}:\n{stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    effects
}

/// Where each of the lane's finding scenarios ([`V3_LANE_FINDINGS`]) shows, and where not:
/// the scenario, the adapter (`control`: next-auth's default adapter on the tables its
/// `synchronize` makes; `prisma`: its Prisma adapter on the seed's tables; `ours`: our
/// SQLite adapter), the server, and the effect.
///
/// - A session read racing its sign-out brings the row back, and one link opened by two
///   callbacks at once signs in twice, on next-auth's adapter on both servers (its
///   `updateSession` is `manager.save`, an upsert; both adapters consume a request only on
///   delete); ours leaves the session gone and signs in once (findings 7 and 15).
/// - On MariaDB, `synchronize` makes the key columns `utf8mb4_general_ci`: a provider account
///   id differing from a linked one only in case signs in as that account's user (finding 17),
///   and a link asked for an address one accent away signs in to the stored address's account;
///   the seed's Prisma tables (`utf8mb4_unicode_ci`) do the latter too (finding 2), while
///   Prisma's account lookup goes through the exact `compound_id` hash. PostgreSQL compares
///   exactly: absent there.
///
/// [`V3_LANE_FINDINGS`]: nextauth_adapter_harness::reach::V3_LANE_FINDINGS
const LANE_EFFECTS: &[(&str, &str, Server, &str)] = &[
    (
        "session.read-during-sign-out",
        "control",
        Server::Postgres,
        "shown",
    ),
    (
        "session.read-during-sign-out",
        "control",
        Server::MySql,
        "shown",
    ),
    (
        "email.link-used-concurrently",
        "control",
        Server::Postgres,
        "shown",
    ),
    (
        "email.link-used-concurrently",
        "control",
        Server::MySql,
        "shown",
    ),
    (
        "email.link-used-concurrently",
        "ours",
        Server::Sqlite,
        "absent",
    ),
    (
        "oauth.account-id-case",
        "control",
        Server::Postgres,
        "absent",
    ),
    ("oauth.account-id-case", "control", Server::MySql, "shown"),
    ("oauth.account-id-case", "prisma", Server::MySql, "absent"),
    ("oauth.account-id-case", "ours", Server::Sqlite, "absent"),
    (
        "email.address-one-accent-away",
        "control",
        Server::Postgres,
        "absent",
    ),
    (
        "email.address-one-accent-away",
        "control",
        Server::MySql,
        "shown",
    ),
    (
        "email.address-one-accent-away",
        "prisma",
        Server::Postgres,
        "absent",
    ),
    (
        "email.address-one-accent-away",
        "prisma",
        Server::MySql,
        "shown",
    ),
    (
        "email.address-one-accent-away",
        "ours",
        Server::Sqlite,
        "absent",
    ),
];

/// Each of the lane's finding scenarios shows exactly where [`LANE_EFFECTS`] says: one run of
/// `run.js` per adapter and server, playing the scenarios listed for it.
#[test]
fn the_lanes_findings_show_where_they_are_reached() {
    let scenarios = nextauth_adapter_harness::reach::V3_LANE_FINDINGS;
    for scenario in scenarios {
        assert!(
            LANE_EFFECTS.iter().any(|(s, ..)| s == scenario),
            "{scenario}: no expected effect in LANE_EFFECTS"
        );
    }
    if !node_modules_or_skip("the lane's findings") {
        return;
    }
    let server_js = node_server_dir().join("server.js");
    let mut targets: Vec<(&str, Server)> = Vec::new();
    for (_, adapter, server, _) in LANE_EFFECTS {
        if !targets.contains(&(*adapter, *server)) {
            targets.push((*adapter, *server));
        }
    }
    for (adapter, server) in targets {
        let url = match server {
            Server::Sqlite => "sqlite:".to_owned(),
            _ => match url_or_skip(server, "the lane's findings") {
                Some(url) => url,
                None => continue,
            },
        };
        let argv: Vec<String> = match adapter {
            "control" => vec!["--control".into(), url],
            "prisma" => vec![
                "--serve".into(),
                format!("node {} --adapter prisma --url {url}", server_js.display()),
            ],
            _ => vec!["--serve".into(), serve(&url)],
        };
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let expected: Vec<(&str, &str)> = LANE_EFFECTS
            .iter()
            .filter(|(_, a, s, _)| *a == adapter && *s == server)
            .map(|(scenario, _, _, effect)| (*scenario, *effect))
            .collect();
        let names: Vec<&str> = expected.iter().map(|(s, _)| *s).collect();
        let label = format!("{adapter} on {server}");
        let effects = lane_effects(&names, &argv, &label);
        for (scenario, effect) in expected {
            assert_eq!(effects[scenario], effect, "{scenario}, {label}");
        }
    }
}

/// Our SQLite adapter never shows the sign-out race (it can end in `error` there: when the
/// delete falls between the read's getSession and its updateSession, our updateSession of the
/// gone session is NotFound, which core logs; the row stays gone).
#[test]
fn our_adapter_does_not_bring_a_signed_out_session_back() {
    if !node_modules_or_skip("the sign-out race on our SQLite adapter") {
        return;
    }
    let effects = lane_effects(
        &["session.read-during-sign-out"],
        &["--serve", &serve("sqlite:")],
        "our SQLite adapter",
    );
    assert_ne!(effects["session.read-during-sign-out"], "shown");
}

/// The scenarios are not a formality: next-auth's adapter deliberately broken to store the
/// raw verification token (`server.js --adapter next-auth-raw-token`) fails the e-mail
/// sign-ins, whose link core can then no longer redeem.
#[test]
fn real_core_catches_a_broken_adapter() {
    let Some(url) = url_or_skip(Server::Postgres, "real core catches a broken adapter") else {
        return;
    };
    if !node_modules_or_skip("real core catches a broken adapter") {
        return;
    }
    let server = node_server_dir().join("server.js");
    let child = format!(
        "node {} --adapter next-auth-raw-token --tables synchronize --url {url}",
        server.display()
    );
    let o = Command::new("node")
        .arg(node_server_dir().join("core/run.js"))
        .args(["--serve", &child, "--scenario", "email.new-user"])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!o.status.success(), "a broken adapter passed: {stdout}");
    let result: Value = serde_json::from_str(stdout.lines().next().unwrap_or("{}")).expect("JSON");
    assert_eq!(result["scenario"], "email.new-user");
    assert_eq!(result["ok"], false);
    assert!(
        result["failures"].to_string().contains("Verification"),
        "{result}"
    );
}

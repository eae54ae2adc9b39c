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

/// The one scenario of the v3 lane in which a finding of next-auth's own adapter is reached
/// (`reach::V3_LANE_FINDINGS`): a session read racing its sign-out. Its `updateSession` is
/// `manager.save`, an upsert, and brings the signed-out session back on both servers; our
/// adapter, served to the same core, leaves it gone.
/// What the lane's finding scenario `scenario` showed on `adapter` (`shown`, `absent`,
/// `error`).
fn lane_effect(scenario: &str, adapter: &[&str], label: &str) -> String {
    let o = Command::new("node")
        .arg(node_server_dir().join("core/run.js"))
        .args(adapter)
        .args(["--scenario", scenario])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("{label}: no outcome line:\n{stdout}"));
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{label}: {e}"));
    println!("{label}: {scenario}: {} ({})", v["effect"], v["detail"]);
    v["effect"].as_str().unwrap_or_default().to_owned()
}

/// Each of the lane's finding scenarios ([`V3_LANE_FINDINGS`]) shows its effect on
/// next-auth's own adapter (PostgreSQL and MariaDB) and not on our SQLite adapter: a session
/// read racing its sign-out brings the row back; one link opened by two callbacks at once
/// signs in twice (next-auth's adapters consume a request only on delete).
///
/// [`V3_LANE_FINDINGS`]: nextauth_adapter_harness::reach::V3_LANE_FINDINGS
#[test]
fn the_lanes_findings_show_on_next_auths_adapter_only() {
    let scenarios = nextauth_adapter_harness::reach::V3_LANE_FINDINGS;
    assert_eq!(
        scenarios,
        [
            "session.read-during-sign-out",
            "email.link-used-concurrently"
        ]
    );
    for scenario in scenarios {
        for server in [Server::Postgres, Server::MySql] {
            let Some(url) = url_or_skip(server, "the lane's findings on next-auth's own adapter")
            else {
                continue;
            };
            if !node_modules_or_skip("the lane's findings on next-auth's own adapter") {
                return;
            }
            assert_eq!(
                lane_effect(
                    scenario,
                    &["--control", &url],
                    &format!("next-auth's own adapter on {server}")
                ),
                "shown",
                "{scenario} on {server}"
            );
        }
        if node_modules_or_skip("the lane's findings on our SQLite adapter") {
            let effect = lane_effect(
                scenario,
                &["--serve", &serve("sqlite:")],
                "our SQLite adapter",
            );
            // (The sign-out race can end in `error` on ours: when the delete falls between
            // the read's getSession and its updateSession, our updateSession of the gone
            // session is NotFound, which core logs; the row stays gone, the effect is not
            // shown.)
            if *scenario == "email.link-used-concurrently" {
                assert_eq!(effect, "absent", "{scenario} on our SQLite adapter");
            } else {
                assert_ne!(effect, "shown", "{scenario} on our SQLite adapter");
            }
        }
    }
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

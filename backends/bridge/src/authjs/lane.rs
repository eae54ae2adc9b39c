//! The Auth.js real-core lane (`bridge/node/authjs/core/run.js`): `@auth/core`'s own handler in
//! front of each npm adapter, playing the scenarios in which users meet the findings. Its
//! outcomes decide a finding's reach on that adapter ([`Report::with_lane`]).
//!
//! [`Report::with_lane`]: nextauth_adapter_harness::report::Report::with_lane

use nextauth_adapter_harness::reach::Lane;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::process::Command;

/// One line the lane prints: what one scenario showed on one adapter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Outcome {
    /// The adapter module (`pg`, `kysely`, …).
    pub adapter: String,
    /// `postgres` or `mysql`.
    pub dialect: String,
    /// The scenario (`email.link-used-concurrently`, …).
    pub scenario: String,
    /// `shown` or `absent`.
    pub effect: String,
    /// What it saw.
    #[serde(default)]
    pub detail: String,
}

impl Outcome {
    /// Whether the scenario showed its effect.
    pub fn shown(&self) -> bool {
        self.effect == "shown"
    }
}

/// Runs the lane against the server at `url` for `adapters` (all of the lane's when empty);
/// every outcome line, or why the lane broke (it exits non-zero then, with its log).
pub fn run(url: &str, adapters: &[&str]) -> Result<Vec<Outcome>, String> {
    let mut command = Command::new("node");
    command
        .arg(super::npm_server_dir().join("core/run.js"))
        .args(["--url", url]);
    for a in adapters {
        command.args(["--adapter", a]);
    }
    let output = command
        .output()
        .map_err(|e| format!("`node` did not start: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        return Err(format!(
            "the lane broke ({}):\n{stdout}\n--- stderr (tail) ---\n{}",
            output.status,
            lines[lines.len().saturating_sub(60)..].join("\n")
        ));
    }
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("not an outcome line ({e}): {l}")))
        .collect()
}

/// The outcomes by adapter, as the harness weighs reach with them.
pub fn by_adapter(outcomes: &[Outcome]) -> BTreeMap<String, Lane> {
    let mut lanes: BTreeMap<String, Lane> = BTreeMap::new();
    for o in outcomes {
        lanes
            .entry(o.adapter.clone())
            .or_default()
            .shown
            .insert(o.scenario.clone(), o.shown());
    }
    lanes
}

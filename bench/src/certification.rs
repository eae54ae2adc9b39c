//! How long certification takes and how much memory it needs: the release `nextauth-certify`
//! built beside this binary certifies the reference, SQLite, PostgreSQL and MySQL/MariaDB in
//! one run (rules, the default property sequences, races), three times; the wall time of
//! each run and the peak resident memory the tool reports.

use crate::error::BenchError;
use crate::measure::median;
use serde_json::{Value, json};
use std::process::Command;
use std::time::Instant;

/// How many times the run is repeated.
const RUNS: usize = 3;
/// The target: the whole run under this many seconds.
const TIME_TARGET_S: f64 = 15.0;
/// The target: peak resident memory under this many MB.
const MEMORY_TARGET_MB: f64 = 200.0;

/// What the certification runs measured.
#[derive(Debug, Clone)]
pub struct Certified {
    /// The command, credentials redacted.
    pub command: String,
    /// Wall seconds of each run.
    pub seconds: Vec<f64>,
    /// Peak resident memory of each run, in bytes, as certify reported it.
    pub peak_bytes: Vec<u64>,
    /// Each run's verdict line (targets certified, passed).
    pub verdicts: Vec<String>,
}

/// Runs the certification [`RUNS`] times against the servers the benchmark used.
pub fn measure(args: &crate::Args) -> Result<Certified, BenchError> {
    let exe = std::env::current_exe()?;
    let certify = exe.with_file_name("nextauth-certify");
    if !certify.is_file() {
        return Err(tool(format!(
            "{} is not built: cargo build --release -p nextauth-certify",
            certify.display()
        )));
    }
    let pg = crate::server_url(args, nextauth_adapter_testkit::Server::Postgres)?;
    let my = crate::server_url(args, nextauth_adapter_testkit::Server::MySql)?;
    let urls = ["sqlite:".to_owned(), pg, my];
    let redact = nextauth_adapter_testkit::urls::redact;
    let mut shown = vec!["nextauth-certify".to_owned(), "--reference".to_owned()];
    for url in &urls {
        shown.extend(["--url".to_owned(), redact(url)]);
    }
    shown.extend(["--format".to_owned(), "json".to_owned()]);
    let mut out = Certified {
        command: shown.join(" "),
        seconds: Vec::new(),
        peak_bytes: Vec::new(),
        verdicts: Vec::new(),
    };
    for run in 1..=RUNS {
        let mut cmd = Command::new(&certify);
        cmd.arg("--reference");
        for url in &urls {
            cmd.args(["--url", url]);
        }
        cmd.args(["--format", "json", "--quiet"]);
        let t0 = Instant::now();
        let result = cmd.output()?;
        let seconds = t0.elapsed().as_secs_f64();
        let report: Value = serde_json::from_slice(&result.stdout).map_err(|e| {
            tool(format!(
                "run {run}: not a JSON report ({e}); exit {}: {}",
                result.status,
                String::from_utf8_lossy(&result.stderr).trim()
            ))
        })?;
        let peak = peak_memory(&report)
            .ok_or_else(|| tool(format!("run {run}: the report has no peak memory")))?;
        let verdict = verdict(&report);
        eprintln!(
            "certification run {run}/{RUNS}: {seconds:.1} s, peak memory {} MB, {verdict}",
            peak / 1_000_000
        );
        if !result.status.success() {
            return Err(tool(format!("run {run} did not pass: {verdict}")));
        }
        out.seconds.push(seconds);
        out.peak_bytes.push(peak);
        out.verdicts.push(verdict);
    }
    Ok(out)
}

/// The peak resident memory the reports carry (the same in each: the process's), in bytes.
fn peak_memory(reports: &Value) -> Option<u64> {
    reports.as_array()?.first()?.get("peak_rss_bytes")?.as_u64()
}

/// Each report's verdict: `backend: verdict`, joined.
fn verdict(reports: &Value) -> String {
    let targets = reports
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| {
                    format!(
                        "{}: {}",
                        t.get("backend").and_then(Value::as_str).unwrap_or("?"),
                        t.get("verdict").and_then(Value::as_str).unwrap_or("?")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    if targets.is_empty() {
        "no targets in the report".to_owned()
    } else {
        targets
    }
}

impl Certified {
    /// The section the results page shows.
    pub fn markdown(&self) -> String {
        let seconds = median(&self.seconds).unwrap_or(f64::NAN);
        let peak_mb = median(&self.peak_bytes).unwrap_or(0) as f64 / 1e6;
        let all: Vec<String> = self.seconds.iter().map(|s| format!("{s:.1} s")).collect();
        let peaks: Vec<String> = self
            .peak_bytes
            .iter()
            .map(|b| format!("{:.0} MB", *b as f64 / 1e6))
            .collect();
        let met = |ok: bool| if ok { "**met**" } else { "**missed**" };
        format!(
            "`{}` (release build), {} runs: wall time {} (median {seconds:.1} s; target under \
             {TIME_TARGET_S} s: {}), peak resident memory {} (median {peak_mb:.0} MB; target under \
             {MEMORY_TARGET_MB} MB: {}). Verdicts: {}.\n",
            self.command,
            self.seconds.len(),
            all.join(", "),
            met(seconds < TIME_TARGET_S),
            peaks.join(", "),
            met(peak_mb < MEMORY_TARGET_MB),
            self.verdicts.first().map_or("—", String::as_str),
        )
    }

    /// The same as JSON.
    pub fn json(&self) -> Value {
        json!({
            "command": self.command,
            "seconds": self.seconds,
            "peak_rss_bytes": self.peak_bytes,
            "verdicts": self.verdicts,
        })
    }
}

fn tool(detail: String) -> BenchError {
    BenchError::Tool {
        tool: "nextauth-certify",
        detail,
    }
}

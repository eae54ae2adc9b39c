//! Where the time goes in a flow at full concurrency: `perf record -a` samples the whole
//! machine (our client's threads, the database server, the kernel) while ours runs the cell,
//! and `perf report` summarises it by process and by our client's hottest symbols. The share
//! of `swapper` (idle) says how much of the flow's time is spent waiting on round trips.

use crate::data::Dataset;
use crate::error::BenchError;
use crate::measure::run_cell;
use crate::subjects::{Flow, Subject};
use std::fmt::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The name of the benchmark's runtime threads (what `perf` shows as their command).
pub const CLIENT_THREADS: &str = "nextauth-bench";

/// The sampling frequency, per CPU.
const HZ: &str = "499";

/// Profiles `subject` running `flow` with `concurrency` flows for `duration`; returns the
/// Markdown the results page shows.
pub async fn flow(
    subject: Arc<dyn Subject>,
    flow: Flow,
    concurrency: usize,
    duration: Duration,
    data: Arc<Dataset>,
) -> Result<String, BenchError> {
    if !crate::limit::which("perf") {
        return Err(tool("perf is not installed".to_owned()));
    }
    let file = std::env::temp_dir().join(format!("nextauth-bench-{}.perf", std::process::id()));
    let seconds = format!("{:.1}", duration.as_secs_f64());
    let recorder = Command::new("perf")
        .args(["record", "-a", "-g", "-F", HZ, "-o"])
        .arg(&file)
        .args(["--", "sleep", &seconds])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| tool(format!("cannot start perf record: {e}")))?;
    // The cell runs while perf samples (the pool and caches are warm from the cells before).
    let measured = run_cell(
        subject,
        flow,
        concurrency,
        Duration::ZERO,
        duration,
        data,
        0x9e0f,
    )
    .await;
    let recorded = tokio::task::block_in_place(|| recorder.wait_with_output())?;
    let measured = measured?;
    if !recorded.status.success() {
        return Err(tool(format!(
            "perf record: {}",
            String::from_utf8_lossy(&recorded.stderr).trim()
        )));
    }
    let by_process = report(
        &file,
        &["--sort", "comm", "-g", "none", "--percent-limit", "1"],
    )?;
    let ours_by_dso = report(
        &file,
        &[
            "--comms",
            CLIENT_THREADS,
            "--sort",
            "dso",
            "-g",
            "none",
            "--percent-limit",
            "0.5",
        ],
    )?;
    let ours = report(
        &file,
        &[
            "--comms",
            CLIENT_THREADS,
            "--sort",
            "dso,sym",
            "-g",
            "none",
            "--percent-limit",
            "0.7",
        ],
    )?;
    let _ = std::fs::remove_file(&file);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "`perf record -a -g -F {HZ}` over the whole machine while ours ran the {} at \
         c = {concurrency} for {seconds} s ({:.0} flows/s during the profile).\n",
        flow.name(),
        measured.flows_per_sec
    );
    let _ = writeln!(
        out,
        "CPU samples by process (`perf report --sort comm`; `{CLIENT_THREADS}` is the benchmark's \
         client, `postgres` the server's backends, `swapper` idle):\n\n```text\n{by_process}```\n"
    );
    let _ = writeln!(
        out,
        "The client's samples by binary (`--comms {CLIENT_THREADS} --sort dso`: the kernel is \
         its system calls and the loopback network under them):\n\n```text\n{ours_by_dso}```\n"
    );
    let _ = writeln!(
        out,
        "The client's hottest symbols (`--comms {CLIENT_THREADS} --sort dso,sym`, percentages of \
         all samples):\n\n```text\n{ours}```"
    );
    Ok(out)
}

/// `perf report` on `file` with `args`, its table lines only.
fn report(file: &std::path::Path, args: &[&str]) -> Result<String, BenchError> {
    let out = Command::new("perf")
        .args(["report", "--stdio", "--no-children", "-i"])
        .arg(file)
        .args(args)
        .output()
        .map_err(|e| tool(format!("cannot run perf report: {e}")))?;
    if !out.status.success() {
        return Err(tool(format!(
            "perf report: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let mut lines = String::new();
    for line in String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .take(30)
    {
        lines.push_str(line.trim_end());
        lines.push('\n');
    }
    Ok(lines)
}

fn tool(detail: String) -> BenchError {
    BenchError::Tool {
        tool: "perf",
        detail,
    }
}

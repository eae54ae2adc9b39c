//! `nextauth-certify soak`: v3 core's flows mixed from many tasks at once for a bounded time
//! (`nextauth_adapter_harness::soak`), with a progress line on stderr at every check and a
//! summary with figures on stdout. Exit 0 when no invariant was violated, 1 when one was, 2
//! when the soak could not take place.

use crate::cli::{InteropFormat, Preset, SoakArgs};
use crate::output::{self, Stdout};
use crate::targets::{live, preset};
use nextauth_adapter_harness::soak::{SoakFigures, SoakOptions, SoakProgress, soak};
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// The JSON summary's format name.
pub const SOAK_FORMAT: &str = "nextauth-soak/v1";

/// Runs the soak and prints its summary.
pub fn run(args: &SoakArgs, out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let factory: Arc<dyn BackendFactory> = match &args.url {
        Some(url) => live(url, args.namespace.as_deref())?,
        None if args.reference => Arc::new(ReferenceFactory::with_capabilities(preset(
            Preset::Hardened,
        ))),
        None => return Err("soak needs --url <database URL> or --reference".into()),
    };
    let options = SoakOptions {
        duration: args.duration,
        concurrency: usize::from(args.concurrency),
        seed: args.seed,
        ..SoakOptions::default()
    };
    output::note(&format!(
        "soak: {} for {} s at concurrency {} (seed {})",
        factory.name(),
        options.duration.as_secs(),
        options.concurrency,
        options.seed
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let figures = runtime
        .block_on(soak(factory, &options, &progress_line))
        .map_err(|e| format!("the soak could not take place: {e}"))?;
    match args.format {
        InteropFormat::Text => write_text(&figures, out)?,
        InteropFormat::Json => {
            let mut doc = serde_json::to_value(&figures)?;
            if let Some(map) = doc.as_object_mut() {
                map.insert("format".to_owned(), SOAK_FORMAT.into());
                map.insert("passed".to_owned(), figures.passed().into());
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    out.flush()?;
    Ok(if figures.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn progress_line(p: &SoakProgress) {
    let connections = p
        .connections
        .map_or_else(|| "n/a".to_owned(), |c| c.to_string());
    let rss = p
        .rss_kib
        .map_or_else(|| "n/a".to_owned(), |k| format!("{} MiB", k / 1024));
    output::note(&format!(
        "soak: {:>5.0} s  {:>8} flows  {:>3} violations  connections {connections}  memory {rss}",
        p.elapsed_s, p.flows, p.violations
    ));
}

/// The readable summary.
fn write_text(f: &SoakFigures, out: &mut Stdout) -> std::io::Result<()> {
    writeln!(out, "soak of {}", f.backend)?;
    writeln!(
        out,
        "  {:.0} s at concurrency {} (seed {}): {} flows, {:.0} per second; the adapter's clock moved {:.1} h",
        f.duration_s, f.concurrency, f.seed, f.flows_total, f.flows_per_second, f.simulated_hours
    )?;
    for (flow, n) in &f.flows {
        writeln!(out, "    {flow:<22} {n:>8}")?;
    }
    let [users, accounts, sessions, requests] = f.rows;
    writeln!(
        out,
        "  stored at the end: {users} users, {accounts} accounts, {sessions} sessions, {requests} verification requests"
    )?;
    match f.max_connections {
        Some(c) => writeln!(out, "  server connections of the namespace: at most {c}")?,
        None => writeln!(out, "  server connections: not listed by this backend")?,
    }
    match f.rss_kib {
        Some((first, last)) => writeln!(
            out,
            "  resident memory: {} MiB after the warm-up, {} MiB at the end",
            first / 1024,
            last / 1024
        )?,
        None => writeln!(out, "  resident memory: not measured on this platform")?,
    }
    if f.passed() {
        writeln!(out, "  invariant violations: 0")?;
    } else {
        writeln!(out, "  invariant violations: {}", f.violation_count)?;
        for v in &f.violations {
            writeln!(out, "    - {v}")?;
        }
    }
    Ok(())
}

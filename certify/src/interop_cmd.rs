//! `nextauth-certify interop`: next-auth@3's default adapter (npm, through the bridge) and
//! our SQL adapter sharing one namespace of the server at `--url`, each reading what the
//! other wrote (see `nextauth_adapter_interop`). Exit 0 when every check agrees, 1 when one
//! does not, 2 when the run could not take place.

use crate::cli::{InteropArgs, InteropFormat, InteropTablesArg};
use crate::output::{self, Stdout};
use nextauth_adapter_interop::{InteropOptions, InteropTables, run as run_lane};
use nextauth_adapter_testkit::Server;
use nextauth_adapter_testkit::urls::redact;
use std::io::Write;
use std::process::ExitCode;

/// Why the command could not run.
#[derive(Debug, thiserror::Error)]
pub enum InteropCmdError {
    /// The URL names no server the lane covers.
    #[error("interop needs a postgres:// or mysql:// (mariadb://) URL, not {0}")]
    Scheme(String),
    /// A run could not take place.
    #[error("the interop run on {tables} tables could not take place: {source}")]
    Run {
        /// Which tables.
        tables: &'static str,
        /// Why.
        source: nextauth_adapter_interop::InteropError,
    },
}

/// Runs the lane once per kind of tables asked for and prints the reports.
pub fn run(args: &InteropArgs, out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let server = match Server::of_url(&args.url) {
        Some(s @ (Server::Postgres | Server::MySql)) => s,
        _ => return Err(InteropCmdError::Scheme(redact(&args.url)).into()),
    };
    let url = server.driver_url(&args.url);
    let tables: &[(InteropTables, &'static str)] = match args.tables {
        InteropTablesArg::Ddl => &[(InteropTables::OurDdl, "our DDL")],
        InteropTablesArg::Synchronize => &[(InteropTables::NextAuthSynchronize, "synchronize")],
        InteropTablesArg::Both => &[
            (InteropTables::OurDdl, "our DDL"),
            (InteropTables::NextAuthSynchronize, "synchronize"),
        ],
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut reports = Vec::new();
    for (kind, label) in tables {
        output::note(&format!(
            "nextauth-certify interop: {label} tables on {} …",
            redact(&url)
        ));
        let report = runtime
            .block_on(run_lane(&InteropOptions::new(server, url.clone(), *kind)))
            .map_err(|source| InteropCmdError::Run {
                tables: label,
                source,
            })?;
        if args.format == InteropFormat::Text {
            writeln!(out, "{report}")?;
        }
        reports.push(report);
    }
    if args.format == InteropFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
    }
    out.flush()?;
    Ok(if reports.iter().all(|r| r.passes()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! `nextauth-certify`: certifies NextAuth.js v3 database adapters against the conformance
//! suite and checks live databases against the documented schema.
//!
//! ```text
//! nextauth-certify                         # the reference adapter and the embedded SQLite backend
//! nextauth-certify --url postgres://…      # one backend, in a fresh namespace of that server
//! nextauth-certify --reference --url sqlite: --url postgres://… --url mysql://…   # several at once, one report
//! nextauth-certify --broken raw-verification-token   # a deliberately broken adapter, for demonstration
//! nextauth-certify schema --url mysql://…  # read-only: the live schema against the expected one
//! nextauth-certify interop --url mysql://… # next-auth@3 and our adapter sharing one database
//! nextauth-certify rules                   # the catalogue
//! nextauth-certify serve --url sqlite:     # our adapter served over the bridge protocol
//! nextauth-certify --reference --format json | jq '.[0].verdict'
//! nextauth-certify completions bash        # the completion script; `man` prints the manual page
//! ```

mod artifacts;
mod certify;
mod clean_cmd;
mod cli;
mod colour;
mod docs_cmd;
mod interop_cmd;
mod memory;
mod output;
mod progress;
mod report_formats;
mod report_text;
mod rules_cmd;
mod schema_cmd;
mod serve_cmd;
mod soak_cmd;
mod targets;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(e) = cli.check() {
        e.exit();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // Adapters under test log what rules provoke (a failing sender, …); only
                // errors are shown unless RUST_LOG asks for more.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    // A certification that stops before a verdict says it could not certify.
    let certifying = cli.command.is_none();
    let result = match cli.command {
        // The bridge protocol owns stdout: no shared lock, no colour.
        Some(cli::Command::Serve(args)) => serve_cmd::run(&args),
        command => {
            let mut out = output::stdout(colour::choice(cli.color));
            match command {
                Some(cli::Command::Rules(args)) => rules_cmd::run(&args, &mut out),
                Some(cli::Command::Schema(args)) => schema_cmd::run(&args, &mut out),
                Some(cli::Command::Clean(args)) => clean_cmd::run(&args, &mut out),
                Some(cli::Command::Defects) => rules_cmd::defects(&mut out),
                Some(cli::Command::Interop(args)) => interop_cmd::run(&args, &mut out),
                Some(cli::Command::Soak(args)) => soak_cmd::run(&args, &mut out),
                Some(cli::Command::Completions(args)) => docs_cmd::completions(&args, &mut out),
                Some(cli::Command::Man) => docs_cmd::man(&mut out),
                // (`Serve` is matched above.)
                Some(cli::Command::Serve(_)) | None => certify::run(&cli.certify, &mut out),
            }
        }
    };
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): stop quietly, as a tool stopped by SIGPIPE does.
        Err(e) if output::is_broken_pipe(&*e) => ExitCode::from(output::BROKEN_PIPE_STATUS),
        Err(e) => {
            output::note(&format!(
                "nextauth-certify: {}{e}",
                if certifying {
                    "could not certify: "
                } else {
                    ""
                }
            ));
            ExitCode::from(certify::NOT_CERTIFIED)
        }
    }
}

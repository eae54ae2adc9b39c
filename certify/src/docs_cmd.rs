//! `nextauth-certify completions <shell>` and `nextauth-certify man`: the shell completion
//! script and the manual page, generated from the command-line definitions ([`Cli`]).

use crate::cli::{Cli, CompletionsArgs};
use crate::output::Stdout;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// The program's name in the generated files.
const NAME: &str = "nextauth-certify";

/// Prints the completion script for the shell `args` names.
pub fn completions(
    args: &CompletionsArgs,
    out: &mut Stdout,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // clap_complete panics on a failed write: generate in memory, then write and report.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), NAME, &mut script);
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the manual page, in roff.
pub fn man(out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command().name(NAME)).render(&mut page)?;
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

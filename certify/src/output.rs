//! Standard output and error as the commands write them.
//!
//! `println!` panics when stdout's reader has gone (`nextauth-certify | head -1`). Commands
//! write instead through one locked, colour-aware [`Stdout`] with `writeln!` and return its
//! errors; `main` recognises a broken pipe among them ([`is_broken_pipe`]) and stops quietly
//! with [`BROKEN_PIPE_STATUS`]. Notes and errors on stderr ([`note`]) are dropped when stderr
//! is closed. (Restoring the default SIGPIPE action instead would need `unsafe`, which the
//! workspace forbids.)

use std::io::Write;

/// The exit status when stdout's reader went away: 128 + SIGPIPE, what a shell reports for a
/// tool that SIGPIPE stopped (cargo, coreutils), so that a `set -o pipefail` script sees that
/// the output was cut short rather than a verdict.
pub const BROKEN_PIPE_STATUS: u8 = 141;

/// Locked stdout; styles written to it are kept or stripped as the colour choice says.
pub type Stdout = anstream::AutoStream<std::io::StdoutLock<'static>>;

/// Stdout for a command, colouring as `choice` says (`Auto`: on a terminal, honouring
/// `NO_COLOR`, `CLICOLOR_FORCE` and `CLICOLOR`).
pub fn stdout(choice: anstream::ColorChoice) -> Stdout {
    anstream::AutoStream::new(std::io::stdout().lock(), choice)
}

/// Whether `error`, or an error it was caused by, is a broken pipe: the reader went away.
pub fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// Writes `line` to stderr; a closed or failing stderr is ignored (the line is a note to a
/// person, and stdout or the exit status carries the result).
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

//! Running the real `nextauth-certify` binary from the output tests: each run with its
//! property-test regressions and its reports in fresh temporary directories, away from the
//! source tree, and without colour-forcing variables from the caller's environment.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A fast certification of the reference adapter: 8 property-test sequences.
pub const FAST: [&str; 3] = ["--reference", "--cases", "8"];

/// A fresh temporary directory for one run.
pub fn temp_dir(name: &str) -> PathBuf {
    static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "nextauth-certify-{name}-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The binary with its arguments, and the temporary directories it writes, removed when
/// this is dropped.
pub struct Certify {
    /// The command, ready to run or spawn.
    pub command: Command,
    dirs: Vec<PathBuf>,
}

impl Drop for Certify {
    fn drop(&mut self) {
        for d in &self.dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// The binary with `args`, its regressions directory and (for a certification run without
/// `--report-dir`) its report directory fresh and temporary.
pub fn command(args: &[&str]) -> Certify {
    let regressions = temp_dir("regressions");
    let mut command = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"));
    command
        .args(args)
        .env_remove("NEXTAUTH_PROPTEST_SEED")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("NEXTAUTH_REGRESSIONS_DIR", &regressions);
    let mut dirs = vec![regressions];
    if args.first().is_some_and(|a| a.starts_with('-')) && !args.contains(&"--report-dir") {
        let reports = temp_dir("reports");
        command.arg("--report-dir").arg(&reports);
        dirs.push(reports);
    }
    Certify { command, dirs }
}

/// Runs the binary with `args` to completion.
pub fn run(args: &[&str]) -> Output {
    command(args).command.output().expect("the binary runs")
}

/// Stdout and stderr of `o`, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

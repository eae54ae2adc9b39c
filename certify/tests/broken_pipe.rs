//! A reader that goes away (`nextauth-certify … | head -1`) stops the binary quietly: no
//! panic, no error message, the status a tool stopped by SIGPIPE has (141), never Rust's
//! panic status (101).

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

/// Spawns the binary with `args`, reads one line of its stdout, closes the pipe and returns
/// its exit status and stderr.
fn read_one_line_then_close(args: &[&str]) -> (Option<i32>, String) {
    let mut certify = common::command(args);
    let mut child = certify
        .command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a first line");
    assert!(!line.is_empty(), "{args:?} printed nothing");
    drop(stdout);
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet(args: &[&str]) {
    let (status, stderr) = read_one_line_then_close(args);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    assert_ne!(status, Some(101), "{args:?} exited as a panic: {stderr}");
    // Either it finished writing before the pipe closed (0) or it stopped at the broken pipe.
    assert!(
        matches!(status, Some(0 | 141)),
        "{args:?} exited {status:?}: {stderr}"
    );
}

#[test]
fn a_certification_run_stops_quietly_when_its_reader_goes_away() {
    assert_quiet(&common::FAST);
}

#[test]
fn a_verbose_run_stops_quietly_when_its_reader_goes_away() {
    let mut args = common::FAST.to_vec();
    args.push("--verbose");
    assert_quiet(&args);
}

#[test]
fn rules_and_defects_stop_quietly_when_their_reader_goes_away() {
    assert_quiet(&["rules"]);
    assert_quiet(&["rules", "--format", "markdown"]);
    assert_quiet(&["defects"]);
}

#[test]
fn a_closed_stderr_is_no_panic_either() {
    // The usage error goes to a stderr whose reader is already gone.
    let mut certify = common::command(&["--broken", "no-such-defect"]);
    let mut child = certify
        .command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stderr.take());
    let status = child.wait().expect("the binary ends");
    assert_eq!(status.code(), Some(2), "a usage error, not a panic");
}

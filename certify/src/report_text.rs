//! The text report of a certification run on stdout, at three levels of detail: the verdict
//! lines (`-q`), the compact report (default: a line per area, then the findings and the
//! failing rules with their details), every rule (`-v`, the harness's full text).

use crate::colour::{self, DIM, FAIL, HEADING, PASS, WARN};
use nextauth_adapter_harness::Report;
use nextauth_adapter_harness::execute::{Outcome, RuleOutcome};
use nextauth_adapter_harness::rule::{Area, Level};
use nextauth_adapter_harness::runner::should_failures_text;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How much of a report the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The verdict lines only.
    Quiet,
    /// A line per area, the findings, the failing rules with their details, the verdict.
    Compact,
    /// Every rule with its outcome.
    Verbose,
}

/// Writes one backend's report, as soon as its run ends.
pub fn write_report(out: &mut impl Write, report: &Report, detail: Detail) -> io::Result<()> {
    match detail {
        Detail::Quiet => {
            writeln!(out, "{}", summary(report))?;
            writeln!(out, "{}", report.through_core.line())
        }
        Detail::Verbose => {
            writeln!(out, "{}", report.to_text())?;
            write!(out, "{}", should_failures_text(report))
        }
        Detail::Compact => write_compact(out, report),
    }
}

/// Writes what ends a run: where the reports are and the run's peak resident memory when it
/// is known (not with `Quiet`), and the verdict line.
pub fn write_end(
    out: &mut impl Write,
    detail: Detail,
    dir: &Path,
    written: &[PathBuf],
    reports: &[Report],
    peak_rss_bytes: Option<u64>,
) -> io::Result<()> {
    match detail {
        Detail::Quiet => {}
        Detail::Compact => writeln!(
            out,
            "reports: {}",
            colour::paint(
                DIM,
                format!(
                    "{} ({} files: JSON, JUnit and text per backend, summary.md)",
                    dir.display(),
                    written.len()
                )
            )
        )?,
        Detail::Verbose => writeln!(
            out,
            "\nreports: {}",
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )?,
    }
    if detail != Detail::Quiet
        && let Some(bytes) = peak_rss_bytes
    {
        writeln!(
            out,
            "peak memory: {}",
            colour::paint(DIM, crate::memory::mebibytes(bytes))
        )?;
    }
    writeln!(out, "{}", verdict_line(reports, true))
}

/// `verdict: <backend> <verdict>; …`, the verdicts coloured when `styled`.
pub fn verdict_line(reports: &[Report], styled: bool) -> String {
    let verdicts = reports
        .iter()
        .map(|r| {
            let text = match &r.not_certified {
                Some(why) => format!("could not certify {}: {why}", r.backend),
                None => format!("{} {}", r.backend, r.verdict.text()),
            };
            match (styled, r.passes()) {
                (false, _) => text,
                (true, true) => colour::paint(PASS.bold(), text),
                (true, false) => colour::paint(FAIL, text),
            }
        })
        .collect::<Vec<_>>();
    format!("verdict: {}", verdicts.join("; "))
}

/// The harness's summary line, green when the run passes, red when not.
fn summary(report: &Report) -> String {
    colour::paint(
        if report.passes() { PASS } else { FAIL },
        report.summary_line(),
    )
}

/// The compact report: the backend and run, a line per area, the findings, the failing MUST
/// rules with their reasons, the failing SHOULD rules, the summary line.
fn write_compact(out: &mut impl Write, report: &Report) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        colour::paint(
            HEADING,
            format!(
                "Conformance report: {} ({})",
                report.backend, report.backend_description
            )
        )
    )?;
    writeln!(out, "{}", report.run_line())?;
    for area in Area::ALL {
        if let Some(line) = area_line(report, area) {
            writeln!(out, "{line}")?;
        }
    }
    let not_run = report.not_run_text();
    if !not_run.is_empty() {
        let (heading, rest) = not_run
            .trim_start_matches('\n')
            .split_once('\n')
            .unwrap_or((not_run.as_str(), ""));
        write!(out, "\n{}\n{rest}", colour::paint(FAIL, heading))?;
    }
    let findings = report.findings_text();
    if !findings.is_empty() {
        let (heading, rest) = findings
            .trim_start_matches('\n')
            .split_once('\n')
            .unwrap_or((findings.as_str(), ""));
        write!(out, "\n{}\n{rest}", colour::paint(WARN, heading))?;
    }
    let failing: Vec<&RuleOutcome> = report
        .failures()
        .filter(|r| r.level == Level::Must)
        .collect();
    if !failing.is_empty() {
        writeln!(
            out,
            "\n{}",
            colour::paint(FAIL, format!("Failing MUST rules ({}):", failing.len()))
        )?;
        for r in failing {
            if let Outcome::Failed(reason) = &r.outcome {
                writeln!(
                    out,
                    "  {} [{}] ({})\n    {}",
                    colour::paint(FAIL, &r.id),
                    r.level,
                    r.source,
                    reason.trim_end().replace('\n', "\n    ")
                )?;
            }
        }
    }
    let should = should_failures_text(report);
    write!(out, "{should}")?;
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(report))?;
    writeln!(out, "{}\n", report.through_core.line())
}

/// `<area> (<n> pass, <n> fail, <n> n/a)` (and `, <n> not run` when the backend went away),
/// or `None` when no rule of `area` ran.
fn area_line(report: &Report, area: Area) -> Option<String> {
    let (mut passed, mut failed, mut not_applicable, mut not_run) = (0, 0, 0, 0);
    for r in report.results.iter().filter(|r| r.area == area) {
        match r.outcome {
            Outcome::Passed => passed += 1,
            Outcome::Failed(_) => failed += 1,
            Outcome::NotApplicable(_) => not_applicable += 1,
            Outcome::NotRun(_) => not_run += 1,
        }
    }
    if passed + failed + not_applicable + not_run == 0 {
        return None;
    }
    let fail = format!("{failed} fail");
    let not_run = if not_run > 0 {
        format!(", {}", colour::paint(FAIL, format!("{not_run} not run")))
    } else {
        String::new()
    };
    Some(format!(
        "{area} ({}, {}, {}{not_run})",
        colour::paint(PASS, format!("{passed} pass")),
        if failed > 0 {
            colour::paint(FAIL, fail)
        } else {
            fail
        },
        colour::paint(DIM, format!("{not_applicable} n/a"))
    ))
}

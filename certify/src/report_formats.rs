//! A run's reports on stdout as JSON, JUnit XML or Markdown (`--format`), written by the same
//! encoders as the files in `--report-dir`: the harness's serde shape and JUnit writer, and
//! [`crate::artifacts::summary_markdown`].

use crate::artifacts;
use crate::cli::ReportFormat;
use nextauth_adapter_harness::Report;
use std::io::Write;
use std::time::Duration;

/// Writes `reports` to `out` in `format`; `Text` is [`crate::report_text`]'s and writes
/// nothing here.
pub fn write(
    out: &mut impl Write,
    format: ReportFormat,
    reports: &[Report],
) -> Result<(), Box<dyn std::error::Error>> {
    match format {
        ReportFormat::Text => {}
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(reports)?)?,
        ReportFormat::Junit => write!(out, "{}", junit(reports)?)?,
        ReportFormat::Markdown => write!(out, "{}", artifacts::summary_markdown(reports))?,
    }
    Ok(())
}

/// One JUnit document for every report: each backend's own document (`<backend>.junit.xml`)
/// when there is one backend, else their test suites under one `<testsuites>`.
fn junit(reports: &[Report]) -> Result<String, Box<dyn std::error::Error>> {
    if let [one] = reports {
        return Ok(one.to_junit()?);
    }
    let mut all = quick_junit::Report::new("nextauth-conformance");
    let mut time = Duration::ZERO;
    for r in reports {
        let one = quick_junit::Report::deserialize_from_str(&r.to_junit()?)?;
        time += one.time.unwrap_or_default();
        all.add_test_suites(one.test_suites);
    }
    all.set_time(time);
    Ok(all.to_string()?)
}

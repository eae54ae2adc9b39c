//! The files a run leaves: per backend the report as JSON, JUnit XML and text, and one
//! Markdown summary with a badge line per backend.

use nextauth_adapter_harness::{Report, Verdict};
use std::path::{Path, PathBuf};

/// A shields.io static badge for a report (no request is made; the URL is the badge).
pub fn badge(report: &Report) -> String {
    let (message, color) = match report.verdict {
        Verdict::Conforms => (
            format!("conforms · hardening {}%", report.hardening_score),
            "brightgreen",
        ),
        Verdict::DoesNotConform => (format!("{} MUST failed", report.must.failed), "red"),
        Verdict::NotCertified => ("could not certify".to_owned(), "lightgrey"),
    };
    let esc = |s: &str| {
        s.replace('-', "--")
            .replace('_', "__")
            .replace(' ', "%20")
            .replace('%', "%25")
            .replace("%2520", "%20")
    };
    format!(
        "![nextauth v3 adapter conformance: {}](https://img.shields.io/badge/{}-{}-{color})",
        report.backend,
        esc(&format!("nextauth v3 · {}", report.backend)),
        esc(&message)
    )
}

/// The Markdown summary of a run.
pub fn summary_markdown(reports: &[Report]) -> String {
    let mut out = String::from("# NextAuth.js v3 adapter conformance\n\n");
    for r in reports {
        out.push_str(&badge(r));
        out.push('\n');
    }
    out.push_str("\n| backend | verdict | findings | MUST passed | MUST failed | SHOULD passed | SHOULD failed | n/a | hardening | complete |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for r in reports {
        out.push_str(&format!(
            "| {} | {} | {} | {}/{} | {} | {}/{} | {} | {} | {}% | {} |\n",
            r.backend,
            r.verdict.text(),
            r.findings.len(),
            r.must.passed,
            r.must.total(),
            r.must.failed,
            r.should.passed,
            r.should.total(),
            r.should.failed,
            r.must.not_applicable + r.should.not_applicable,
            r.hardening_score,
            if r.complete { "yes" } else { "no (filtered)" }
        ));
    }
    for r in reports {
        if r.findings.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## Findings: {}\n\n", r.backend));
        out.push_str(&format!("{}\n\n", r.through_core.line()));
        out.push_str("| # | severity | level | finding | reach | fix | rules |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for (i, f) in r.findings.iter().enumerate() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                f.severity,
                f.level(),
                f.title.replace('|', "\\|"),
                f.reach.line().replace('|', "\\|"),
                f.fix.replace('|', "\\|"),
                f.rules
                    .iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for r in reports {
        let failures: Vec<_> = r.failures().collect();
        if failures.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## Failing rules: {}\n\n", r.backend));
        for f in failures {
            if let nextauth_adapter_harness::Outcome::Failed(reason) = &f.outcome {
                out.push_str(&format!(
                    "- **{}** ({}, {}):\n\n  ```text\n  {}\n  ```\n",
                    f.id,
                    f.level,
                    f.source,
                    reason.replace('\n', "\n  ")
                ));
            }
        }
    }
    out
}

/// Writes every report and the summary into `dir`; returns the files written.
pub fn write(dir: &Path, reports: &[Report]) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for r in reports {
        written.extend(r.write_to(dir)?);
    }
    let summary = dir.join("summary.md");
    std::fs::write(&summary, summary_markdown(reports))?;
    written.push(summary);
    Ok(written)
}

//! The certification report: a verdict, a table per area, JSON and JUnit XML.
//!
//! The JSON shape is documented in `docs/report-format.md`; it is stable within a major
//! version of the harness.

use crate::execute::{Outcome, RuleOutcome};
use crate::finding::{self, Severity};
use crate::properties::PropertyRun;
use crate::reach::{self, Reach};
use crate::rule::{Area, Level, Profile};
use nextauth_adapter::{Capabilities, authjs};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// The verdict of a certification run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every applicable MUST rule ran and passed: the adapter conforms to the v3 contract.
    /// (A MUST rule about another value of a capability than the adapter declares is not
    /// applicable, with the declaration as its reason.)
    Conforms,
    /// A MUST rule failed: the run found the adapter wrong, whatever else it could not run.
    DoesNotConform,
    /// Nothing failed, but the run cannot vouch for the adapter: the backend could not be
    /// reached or set up, rules did not run, or only a selection of them ran. Not a finding
    /// about the adapter; [`Report::not_certified`] says why.
    NotCertified,
}

impl Verdict {
    /// The verdict as people read it.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::DoesNotConform => "does not conform",
            Verdict::NotCertified => "could not certify",
        }
    }
}

/// Counts of outcomes at one level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rules that passed.
    pub passed: usize,
    /// Rules that failed.
    pub failed: usize,
    /// Rules not applicable to the declared capabilities.
    pub not_applicable: usize,
    /// Rules that did not run: the backend was gone.
    pub not_run: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::NotApplicable(_) => self.not_applicable += 1,
            Outcome::NotRun(_) => self.not_run += 1,
        }
    }

    /// All rules counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.not_applicable + self.not_run
    }
}

/// The verdict over `results` and why it cannot certify, if it cannot. A failing MUST rule is
/// evidence whatever else happened: the adapter does not conform. Without one, the run
/// conforms only when every rule ran (none not run, no filter) and some MUST rule passed;
/// otherwise it could not certify, and the reason says what stopped it: the first reason a
/// rule did not run (the unreachable server, the refused URL, the adapter process that
/// exited), the filter, or that no MUST rule applied.
fn verdict(
    results: &[RuleOutcome],
    must: &Tally,
    should: &Tally,
    complete: bool,
) -> (Verdict, Option<String>) {
    if must.failed > 0 {
        return (Verdict::DoesNotConform, None);
    }
    let not_run = must.not_run + should.not_run;
    let ran = must.passed + must.failed + should.passed + should.failed;
    let first_reason = results.iter().find_map(|r| match &r.outcome {
        Outcome::NotRun(reason) => Some(reason.as_str()),
        _ => None,
    });
    let reason = match first_reason {
        Some(reason) if ran == 0 => Some(format!("{reason}; no rule ran")),
        Some(reason) => Some(format!(
            "{reason}; {not_run} of {} rules did not run",
            must.total() + should.total()
        )),
        None if !complete => Some(
            "only the selected rules ran (a filtered run): a verdict needs every rule".to_owned(),
        ),
        None if must.passed == 0 => Some("no MUST rule ran".to_owned()),
        None => None,
    };
    match reason {
        Some(reason) => (Verdict::NotCertified, Some(reason)),
        None => (Verdict::Conforms, None),
    }
}

/// Failing rules that share a cause.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The cause's id ([`crate::finding::CAUSES`]).
    pub cause: &'static str,
    /// How much it matters to users: the cause's severity when core reaches it (capped by what
    /// the scenario shows), `contract` at most when it does not ([`crate::reach`]).
    pub severity: Severity,
    /// The severity of the cause, before reach is weighed.
    pub cause_severity: Severity,
    /// Whether, and how, a user meets it through the real core.
    pub reach: Reach,
    /// What is wrong.
    pub title: &'static str,
    /// What to change.
    pub fix: &'static str,
    /// The failing rules with this cause, in catalogue order.
    pub rules: Vec<String>,
    /// How many of them are MUST rules.
    pub must: usize,
    /// How many of them are SHOULD rules.
    pub should: usize,
}

impl Finding {
    /// `MUST` when a MUST rule has this cause, else `SHOULD`: whether it blocks the verdict.
    pub fn level(&self) -> Level {
        if self.must > 0 {
            Level::Must
        } else {
            Level::Should
        }
    }
}

/// The findings of `results` in `profile`: failing rules grouped by cause, each weighed by its
/// reach through core, most severe first, then those that block the verdict, then the most
/// rules.
pub fn findings(
    results: &[RuleOutcome],
    profile: Profile,
    lane: Option<&reach::Lane>,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for r in results {
        if !matches!(r.outcome, Outcome::Failed(_)) {
            continue;
        }
        let cause = r
            .cause
            .as_deref()
            .and_then(finding::cause)
            .unwrap_or_else(|| finding::cause_of_rule(&r.id));
        let at = match out.iter().position(|f| f.cause == cause.id) {
            Some(i) => i,
            None => {
                out.push(Finding {
                    cause: cause.id,
                    severity: cause.severity,
                    cause_severity: cause.severity,
                    reach: Reach::NotReached {
                        reason: String::new(),
                        core: reach::core(profile),
                    },
                    title: cause.title,
                    fix: cause.fix,
                    rules: Vec::new(),
                    must: 0,
                    should: 0,
                });
                out.len() - 1
            }
        };
        let f = &mut out[at];
        f.rules.push(r.id.clone());
        match r.level {
            Level::Must => f.must += 1,
            Level::Should => f.should += 1,
        }
    }
    for f in &mut out {
        (f.reach, f.severity) = reach::judge(profile, f.cause, f.cause_severity, &f.rules, lane);
    }
    out.sort_by_key(|f| (f.severity, f.level(), std::cmp::Reverse(f.rules.len())));
    out
}

/// What users meet through the real core: how many findings a scenario through core reaches,
/// and how many of those are security and integrity findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThroughCore {
    /// The core, with its version (`next-auth@3.29.10`, `@auth/core@0.41.3`).
    pub core: &'static str,
    /// Findings reached.
    pub reached: usize,
    /// Of those, security findings.
    pub security: usize,
    /// Of those, integrity findings.
    pub integrity: usize,
    /// Findings no user meets through core (contract deviations).
    pub not_reached: usize,
}

impl ThroughCore {
    /// The tally of `findings` through `profile`'s core.
    pub fn of(findings: &[Finding], profile: Profile) -> Self {
        let reached = || findings.iter().filter(|f| f.reach.is_reached());
        ThroughCore {
            core: reach::core(profile),
            reached: reached().count(),
            security: reached()
                .filter(|f| f.severity == Severity::Security)
                .count(),
            integrity: reached()
                .filter(|f| f.severity == Severity::Integrity)
                .count(),
            not_reached: findings.len() - reached().count(),
        }
    }

    /// `through next-auth@3.29.10's core: 2 findings reached (security 1, integrity 1)`.
    pub fn line(&self) -> String {
        format!(
            "through {}'s core: {} finding{} reached (security {}, integrity {}){}",
            self.core,
            self.reached,
            if self.reached == 1 { "" } else { "s" },
            self.security,
            self.integrity,
            match self.not_reached {
                0 => String::new(),
                n => format!(", {n} not reached"),
            }
        )
    }
}

/// The JSON shape's name and version.
pub const FORMAT: &str = "nextauth-adapter-conformance/v2";

/// What an adapter declared, in its profile's vocabulary. Serialised as the declaration
/// itself (the report's `profile` says which one it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Declared {
    /// A v3 adapter's [`Capabilities`].
    V3(Capabilities),
    /// An Auth.js adapter's [`authjs::Capabilities`].
    Authjs(authjs::Capabilities),
}

impl Declared {
    /// The profile the declaration belongs to.
    pub fn profile(&self) -> Profile {
        match self {
            Declared::V3(_) => Profile::V3,
            Declared::Authjs(_) => Profile::Authjs,
        }
    }
}

impl From<Capabilities> for Declared {
    fn from(caps: Capabilities) -> Self {
        Declared::V3(caps)
    }
}

impl From<authjs::Capabilities> for Declared {
    fn from(caps: authjs::Capabilities) -> Self {
        Declared::Authjs(caps)
    }
}

/// A certification report for one backend.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`FORMAT`]: the JSON shape's name and version.
    pub format: &'static str,
    /// The harness version that produced the report.
    pub harness_version: &'static str,
    /// The backend's name.
    pub backend: String,
    /// The backend's description (server version, URL without password, …).
    pub backend_description: String,
    /// The contract certified against: `v3` or `authjs`.
    pub profile: Profile,
    /// What the backend declared, in its profile's vocabulary.
    pub capabilities: Declared,
    /// Whether every rule of the catalogue ran (no filter was applied).
    pub complete: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the run could not certify, in one sentence, when the verdict is
    /// [`Verdict::NotCertified`] (absent from the JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_certified: Option<String>,
    /// Whether failing SHOULD rules fail the run (`NEXTAUTH_STRICT=1`, `--strict`).
    pub strict: bool,
    /// Failing rules grouped by cause, most severe first.
    pub findings: Vec<Finding>,
    /// What users meet of the findings through the real core: the second verdict line.
    pub through_core: ThroughCore,
    /// How the property test ran (seed, cases, what it saved), when it ran.
    pub property_test: Option<PropertyRun>,
    /// MUST rule counts.
    pub must: Tally,
    /// SHOULD rule counts.
    pub should: Tally,
    /// SHOULD rules passed, as a share of all SHOULD rules (0 to 100).
    pub hardening_score: u32,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: u64,
    /// Every rule's outcome, in catalogue order.
    pub results: Vec<RuleOutcome>,
    /// The certifying process's peak resident memory in bytes, when the tool that ran the
    /// suite measured it (`nextauth-certify` on Linux); absent from the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
}

impl Report {
    /// What ran: `harness <version>  ·  <profile> contract  ·  <n> rules  ·  <ms> ms  ·
    /// property test: <n> sequences, seed <seed>`.
    pub fn run_line(&self) -> String {
        format!(
            "harness {}  ·  {} contract  ·  {} rules  ·  {} ms{}",
            self.harness_version,
            self.profile,
            self.results.len(),
            self.duration_ms,
            self.property_test
                .as_ref()
                .map(|p| format!(
                    "  ·  property test: {} sequences, seed {}{}",
                    p.cases,
                    p.seed,
                    if p.explored { " (exploring)" } else { "" }
                ))
                .unwrap_or_default()
        )
    }

    /// A report over `results`. `complete` says whether the whole catalogue ran; a partial
    /// run never conforms.
    pub fn new(
        backend: String,
        backend_description: String,
        capabilities: impl Into<Declared>,
        results: Vec<RuleOutcome>,
        complete: bool,
        duration: Duration,
    ) -> Self {
        let capabilities = capabilities.into();
        let mut must = Tally::default();
        let mut should = Tally::default();
        for r in &results {
            match r.level {
                Level::Must => must.add(&r.outcome),
                Level::Should => should.add(&r.outcome),
            }
        }
        let (verdict, not_certified) = verdict(&results, &must, &should, complete);
        let hardening_score = if should.total() == 0 {
            0
        } else {
            u32::try_from(should.passed * 100 / should.total()).unwrap_or(100)
        };
        let profile = capabilities.profile();
        let findings = findings(&results, profile, None);
        Report {
            format: FORMAT,
            harness_version: crate::HARNESS_VERSION,
            backend,
            backend_description,
            profile: capabilities.profile(),
            capabilities,
            complete,
            verdict,
            not_certified,
            strict: false,
            through_core: ThroughCore::of(&findings, profile),
            findings,
            property_test: None,
            must,
            should,
            hardening_score,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            results,
            peak_rss_bytes: None,
        }
    }

    /// The same report with each finding's reach judged by what a real-core lane showed on
    /// this adapter ([`reach::Lane`]): a path whose scenario the lane ran is reached only where
    /// the lane saw its effect.
    pub fn with_lane(mut self, lane: &reach::Lane) -> Self {
        self.findings = findings(&self.results, self.profile, Some(lane));
        self.through_core = ThroughCore::of(&self.findings, self.profile);
        self
    }

    /// The same report, recording the certifying process's peak resident memory.
    pub fn with_peak_rss(mut self, bytes: Option<u64>) -> Self {
        self.peak_rss_bytes = bytes;
        self
    }

    /// The same report, recording how the property test ran.
    pub fn with_property_run(mut self, run: Option<PropertyRun>) -> Self {
        self.property_test = run;
        self
    }

    /// The same report, strict (failing SHOULD rules fail the run) or not.
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Whether the run passes: the adapter conforms and, in strict mode, no SHOULD rule failed.
    pub fn passes(&self) -> bool {
        self.verdict == Verdict::Conforms && (!self.strict || self.should.failed == 0)
    }

    /// The failing SHOULD rules.
    pub fn should_failures(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.failures().filter(|r| r.level == Level::Should)
    }

    /// The failed rules.
    pub fn failures(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
    }

    /// One line: backend, verdict, counts, score.
    pub fn summary_line(&self) -> String {
        format!(
            "{}: {}{} — MUST {}/{} passed ({} failed, {} n/a), SHOULD {}/{} passed ({} failed, {} n/a), hardening {}%{}{}{}",
            self.backend,
            self.verdict.text(),
            self.not_certified
                .as_ref()
                .map(|why| format!(" — {why}"))
                .unwrap_or_default(),
            self.must.passed,
            self.must.total(),
            self.must.failed,
            self.must.not_applicable,
            self.should.passed,
            self.should.total(),
            self.should.failed,
            self.should.not_applicable,
            self.hardening_score,
            if self.complete {
                String::new()
            } else {
                " (partial run: filtered)".to_owned()
            },
            match self.must.not_run + self.should.not_run {
                0 => String::new(),
                n => format!(" — {n} rules not run"),
            },
            if self.strict && self.should.failed > 0 {
                " — strict: failing SHOULD rules fail the run"
            } else {
                ""
            }
        )
    }

    /// A table per area (rule, level, outcome), then the failures with their reasons, then
    /// the summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Conformance report: {} ({})",
            self.backend, self.backend_description
        );
        let _ = writeln!(out, "{}", self.run_line());
        out.push_str(&self.not_run_text());
        out.push_str(&self.findings_text());
        for area in Area::ALL {
            let rows: Vec<&RuleOutcome> = self.results.iter().filter(|r| r.area == area).collect();
            if rows.is_empty() {
                continue;
            }
            let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut tally = Tally::default();
            for r in &rows {
                tally.add(&r.outcome);
            }
            let _ = writeln!(
                out,
                "\n{area} ({} pass, {} fail, {} n/a)",
                tally.passed, tally.failed, tally.not_applicable
            );
            for r in rows {
                let note = match &r.outcome {
                    Outcome::NotApplicable(reason) | Outcome::NotRun(reason) => {
                        format!("  ({reason})")
                    }
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "  {:<width$}  {:<6}  {:<4}{note}",
                    r.id,
                    r.level.to_string(),
                    r.outcome.word()
                );
            }
        }
        let failures: Vec<&RuleOutcome> = self.failures().collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nFailures:");
            for r in failures {
                if let Outcome::Failed(reason) = &r.outcome {
                    let _ = writeln!(out, "  {} [{}] ({})\n    {reason}", r.id, r.level, r.source);
                }
            }
        }
        let _ = writeln!(out, "\n{}", self.summary_line());
        let _ = writeln!(out, "{}", self.through_core.line());
        out
    }

    /// The rules that did not run, as text: how many, and each distinct reason (which names
    /// what went away); empty when every rule ran.
    pub fn not_run_text(&self) -> String {
        let mut reasons: Vec<&str> = Vec::new();
        let mut count = 0;
        for r in &self.results {
            if let Outcome::NotRun(reason) = &r.outcome {
                count += 1;
                if !reasons.contains(&reason.as_str()) {
                    reasons.push(reason);
                }
            }
        }
        if count == 0 {
            return String::new();
        }
        let mut out = format!("\nNot run ({count} rules: nothing was checked by them):\n");
        for reason in reasons {
            let _ = writeln!(out, "  {reason}");
        }
        out
    }

    /// The findings as text: one block per cause, most severe first.
    pub fn findings_text(&self) -> String {
        let mut out = String::new();
        if self.findings.is_empty() {
            return out;
        }
        let _ = writeln!(out, "\nFindings ({}):", self.findings.len());
        for (i, f) in self.findings.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. [{}, {}] {} ({} rule{})",
                i + 1,
                f.severity,
                f.level(),
                f.title,
                f.rules.len(),
                if f.rules.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(out, "     {}", f.reach.line());
            let _ = writeln!(out, "     fix: {}", f.fix);
            let _ = writeln!(out, "     rules: {}", f.rules.join(", "));
        }
        out
    }

    /// The report as pretty-printed JSON (shape: `docs/report-format.md`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The report as JUnit XML: one test suite per area, one test case per rule; a failure
    /// carries its reason, a not-applicable rule is skipped with its reason.
    pub fn to_junit(&self) -> Result<String, quick_junit::SerializeError> {
        use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
        let mut report = quick_junit::Report::new(format!("nextauth-conformance-{}", self.backend));
        report.set_time(Duration::from_millis(self.duration_ms));
        if !self.findings.is_empty() {
            // Findings first: one case per cause, failed when it blocks the verdict.
            let mut suite = TestSuite::new(format!("{}.findings", self.backend));
            for f in &self.findings {
                let text = format!(
                    "{}\n{}\nfix: {}\nrules: {}",
                    f.title,
                    f.reach.line(),
                    f.fix,
                    f.rules.join(", ")
                );
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(format!("[{}] {}", f.severity, f.title))
                    .set_type(format!("{} {}", f.severity, f.level()))
                    .set_description(text);
                let mut case = TestCase::new(format!("finding.{}", f.cause), status);
                case.set_classname(format!("{}.findings", self.backend));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        for area in Area::ALL {
            let mut suite = TestSuite::new(format!("{}.{area}", self.backend));
            for r in self.results.iter().filter(|r| r.area == area) {
                let status = match &r.outcome {
                    Outcome::Passed => TestCaseStatus::success(),
                    Outcome::Failed(reason) => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(reason.clone()).set_type(r.level.to_string());
                        s
                    }
                    Outcome::NotApplicable(reason) => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message(format!("not applicable: {reason}"));
                        s
                    }
                    Outcome::NotRun(reason) => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                        s.set_message(format!("not run: {reason}"));
                        s
                    }
                };
                let mut case = TestCase::new(r.id.clone(), status);
                case.set_classname(format!("{}.{area}", self.backend))
                    .set_time(Duration::from_millis(r.duration_ms));
                suite.add_test_case(case);
            }
            if !suite.test_cases.is_empty() {
                report.add_test_suite(suite);
            }
        }
        report.to_string()
    }

    /// The reports' file name without extension: the backend's name with every character
    /// a file name cannot hold on some system (`/` in `@auth/pg-adapter@1.11.3`, `\\`, `:`,
    /// …) replaced by `_`.
    pub fn file_stem(&self) -> String {
        self.backend
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
                c if c.is_control() => '_',
                c => c,
            })
            .collect()
    }

    /// Writes `<stem>.json`, `<stem>.junit.xml` and `<stem>.txt` into `dir`, the stem
    /// being [`file_stem`](Self::file_stem).
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let stem = self.file_stem();
        let json = dir.join(format!("{stem}.json"));
        let junit = dir.join(format!("{stem}.junit.xml"));
        let text = dir.join(format!("{stem}.txt"));
        std::fs::write(&json, self.to_json())?;
        let xml = self.to_junit().map_err(std::io::Error::other)?;
        std::fs::write(&junit, xml)?;
        std::fs::write(&text, self.to_text())?;
        Ok(vec![json, junit, text])
    }
}

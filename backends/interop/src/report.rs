//! What an interop run found: every check, in both directions, with the differences it
//! explained; readable as text and as JSON.

use crate::compare::{Cause, Explained};
use nextauth_adapter::Capabilities;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The JSON format's name and version.
pub const FORMAT: &str = "nextauth-interop/v1";

/// Who wrote and who read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// next-auth wrote, our adapter read.
    NextAuthToOurs,
    /// Our adapter wrote, next-auth read.
    OursToNextAuth,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::NextAuthToOurs => "next-auth → ours",
            Direction::OursToNextAuth => "ours → next-auth",
        })
    }
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// Both sides agree (up to the explained differences).
    Agree,
    /// They do not, or a call failed: what differed.
    Differ {
        /// The difference or the error.
        message: String,
    },
    /// Not run: an earlier step of the same scenario failed.
    NotReached {
        /// The step that failed.
        because: String,
    },
}

/// One check: a step of a scenario in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Who wrote and who read.
    pub direction: Direction,
    /// The scenario: `users`, `accounts`, `sessions` or `verification`.
    pub scenario: &'static str,
    /// What the step checks.
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// What both sides agreed on, when it is worth saying (e.g. which lookups found a user).
    pub note: Option<String>,
    /// Differences with a known cause.
    pub explained: Vec<Explained>,
}

/// An interop run's findings.
#[derive(Debug, Clone, Serialize)]
pub struct InteropReport {
    /// [`FORMAT`].
    pub format: &'static str,
    /// `postgres` or `mysql`.
    pub server: String,
    /// The server, as it names itself (`SELECT version()`), when known.
    pub server_version: Option<String>,
    /// Who made the tables: `our DDL` or `next-auth@3.29.10 synchronize`.
    pub tables: String,
    /// The next-auth side, e.g. `next-auth@3.29.10`.
    pub next_auth: String,
    /// What the next-auth side declares.
    pub next_auth_capabilities: Capabilities,
    /// Our side, e.g. `nextauth-adapter-mysql`.
    pub ours: String,
    /// What our adapter declares after `synchronize` read the tables.
    pub ours_capabilities: Capabilities,
    /// The time zone next-auth's Node process ran in (`TZ`), or `system default`.
    pub node_time_zone: String,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

impl InteropReport {
    /// Whether every check agreed.
    pub fn passes(&self) -> bool {
        self.checks.iter().all(|c| c.outcome == Outcome::Agree)
    }

    /// The checks that did not agree (failed or not reached).
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome != Outcome::Agree)
    }

    /// Every explained difference, grouped by cause.
    pub fn explained_by_cause(&self) -> BTreeMap<Cause, Vec<(&Check, &Explained)>> {
        let mut by: BTreeMap<Cause, Vec<(&Check, &Explained)>> = BTreeMap::new();
        for c in &self.checks {
            for e in &c.explained {
                by.entry(e.cause).or_default().push((c, e));
            }
        }
        by
    }
}

impl fmt::Display for InteropReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Interop: {} and {} sharing one {} namespace{}, tables made by {}",
            self.next_auth,
            self.ours,
            self.server,
            self.server_version
                .as_deref()
                .map(|v| format!(" ({v})"))
                .unwrap_or_default(),
            self.tables
        )?;
        let caps = |c: &Capabilities| {
            let name = |v: serde_json::Value| v.as_str().unwrap_or("?").to_owned();
            let json = serde_json::to_value(c).unwrap_or_default();
            format!(
                "email_matching {}, timestamp_precision {}, timestamp_range {}",
                name(json["email_matching"].clone()),
                name(json["timestamp_precision"].clone()),
                name(json["timestamp_range"].clone()),
            )
        };
        writeln!(
            f,
            "  ours declares (read off the tables): {}",
            caps(&self.ours_capabilities)
        )?;
        writeln!(
            f,
            "  next-auth declares: {}",
            caps(&self.next_auth_capabilities)
        )?;
        writeln!(
            f,
            "  next-auth's Node process time zone: {}",
            self.node_time_zone
        )?;
        for direction in [Direction::NextAuthToOurs, Direction::OursToNextAuth] {
            let checks: Vec<&Check> = self
                .checks
                .iter()
                .filter(|c| c.direction == direction)
                .collect();
            let agree = checks
                .iter()
                .filter(|c| c.outcome == Outcome::Agree)
                .count();
            writeln!(f, "\n{direction}: {agree}/{} agree", checks.len())?;
            for c in checks {
                let mark = match &c.outcome {
                    Outcome::Agree => "ok  ",
                    Outcome::Differ { .. } => "FAIL",
                    Outcome::NotReached { .. } => "n/r ",
                };
                write!(f, "  {mark} [{}] {}", c.scenario, c.name)?;
                if let Some(note) = &c.note {
                    write!(f, " ({note})")?;
                }
                if !c.explained.is_empty() {
                    write!(f, " [{} explained]", c.explained.len())?;
                }
                writeln!(f)?;
                match &c.outcome {
                    Outcome::Differ { message } => writeln!(f, "         {message}")?,
                    Outcome::NotReached { because } => {
                        writeln!(f, "         not reached: {because} failed")?;
                    }
                    Outcome::Agree => {}
                }
            }
        }
        let by_cause = self.explained_by_cause();
        if !by_cause.is_empty() {
            writeln!(f, "\nexplained differences:")?;
            for (cause, items) in by_cause {
                writeln!(
                    f,
                    "  {} ({} fields): {}",
                    cause_name(cause),
                    items.len(),
                    cause.explanation()
                )?;
                if let Some((_, e)) = items.first() {
                    writeln!(f, "    e.g. {}: {} against {}", e.field, e.left, e.right)?;
                }
            }
        }
        let failed = self.failures().count();
        if failed == 0 {
            writeln!(
                f,
                "\nresult: the two adapters share these tables ({} checks agree)",
                self.checks.len()
            )
        } else {
            writeln!(
                f,
                "\nresult: {failed} of {} checks do not agree: the two adapters cannot share these tables as they are",
                self.checks.len()
            )
        }
    }
}

fn cause_name(cause: Cause) -> &'static str {
    match cause {
        Cause::JsDateMilliseconds => "js-date-milliseconds",
        Cause::DatabaseClock => "database-clock",
    }
}

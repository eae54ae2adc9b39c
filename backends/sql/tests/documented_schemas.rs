//! Our generated schema against the documented one, dialect by dialect.
//!
//! - `fixtures/schemas/{postgres,mysql,mssql}.toml` state the documented DDL as facts; the
//!   first test parses the verbatim copies in `fixtures/schemas/documented/` and fails if
//!   the facts file says anything else (the facts are a reviewed reading, not a cache).
//! - The second parses our generated DDL the same way and fails on any difference from
//!   the documented facts that `fixtures/schemas/deviations.toml` does not list, naming it
//!   (`users.column image type: docs TEXT, ours VARCHAR(255)`).
//! - The third fails on a deviation entry that no longer matches any difference, so the
//!   list cannot go stale.

mod facts;

use facts::deviations::{self, Deviation};
use facts::differences::{Difference, differences};
use facts::from_ddl::facts_from_ddl;
use nextauth_adapter_sql::{Dialect, SchemaNames, script};

/// The dialects the docs have a DDL for.
const DOCUMENTED: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::MsSql];

/// Our differences from the documented facts, per dialect.
fn our_differences(dialect: Dialect) -> Vec<Difference> {
    let docs = facts::load(dialect.name());
    let sql = script(dialect, &SchemaNames::default()).expect("documented names are valid");
    let ours = facts_from_ddl(dialect, &sql).unwrap_or_else(|e| panic!("{dialect}: {e}"));
    differences(&docs.tables, &ours)
}

#[test]
fn facts_files_state_the_documented_ddl() {
    for dialect in DOCUMENTED {
        let facts = facts::load(dialect.name());
        assert_eq!(facts.dialect, dialect.name());
        let path = facts::fixtures_dir().join(format!("documented/{dialect}.sql"));
        let sql =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let parsed = facts_from_ddl(dialect, &sql).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        let wrong = differences(&parsed, &facts.tables);
        assert!(
            wrong.is_empty(),
            "{dialect}.toml disagrees with documented/{dialect}.sql \
             (\"docs\" is the DDL, \"ours\" the facts file):\n{}",
            lines(&wrong)
        );
    }
}

#[test]
fn every_difference_from_the_docs_is_a_listed_deviation() {
    let deviations = deviations::load();
    let mut unlisted = Vec::new();
    for dialect in DOCUMENTED {
        for difference in our_differences(dialect) {
            if !deviations
                .iter()
                .any(|d| d.covers(dialect.name(), &difference))
            {
                unlisted.push(format!("{dialect} {difference}"));
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "differences from the documented schemas not in fixtures/schemas/deviations.toml:\n{}",
        unlisted.join("\n")
    );
}

#[test]
fn every_listed_deviation_still_happens() {
    let all: Vec<(Dialect, Vec<Difference>)> = DOCUMENTED
        .into_iter()
        .map(|d| (d, our_differences(d)))
        .collect();
    let stale: Vec<String> = deviations::load()
        .iter()
        .filter(|deviation: &&Deviation| {
            !all.iter()
                .any(|(dialect, diffs)| diffs.iter().any(|d| deviation.covers(dialect.name(), d)))
        })
        .map(Deviation::describe)
        .collect();
    assert!(
        stale.is_empty(),
        "deviations that match no difference any more (remove or update them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_deviation_says_why() {
    for deviation in deviations::load() {
        assert!(
            deviation.why.trim().len() >= 20,
            "{}: give a reason",
            deviation.describe()
        );
    }
}

fn lines(differences: &[Difference]) -> String {
    differences.iter().map(|d| format!("  {d}\n")).collect()
}

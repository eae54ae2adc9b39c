//! What live tables decide about an adapter on them: the e-mail matching their collations
//! compare by, and the instants their timestamp columns hold.
//! [`SqlAdapter::synchronize`](super::SqlAdapter::synchronize) adopts both (or checks an
//! explicit declaration against them) and `nextauth-certify schema` reports them, from the
//! same [`Diff`].

use super::error::CapabilityError;
use crate::dialect::Dialect;
use crate::diff::{Diff, DiffEntry};
use crate::model::{Column, Schema};
use crate::render::type_sql;
use nextauth_adapter::{EmailMatching, TimestampRange};

/// The column of the live tables that decides the e-mail matching, and what it decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingDecision {
    /// The matching an adapter on these tables declares.
    pub matching: EmailMatching,
    /// `(table, column, collation)` of the column that decides it, when its collation is not
    /// exact (`None`: every deciding column compares exactly).
    pub decided_by: Option<(String, String, String)>,
}

/// The e-mail matching the tables of `diff` (a diff of `live` against the model) compare by:
/// the collations of `users.email` and `verification_requests.identifier`, which must agree
/// and be modelled.
pub fn matching_of_tables(
    dialect: Dialect,
    live: &Schema,
    diff: &Diff,
) -> Result<MatchingDecision, CapabilityError> {
    let decide = |column_name: &str| -> Result<MatchingDecision, CapabilityError> {
        let entry = diff.entries.iter().find_map(|e| match e {
            DiffEntry::Collation {
                table,
                column,
                collation,
                decides_matching: true,
            } if column == column_name => Some((table, column, collation)),
            _ => None,
        });
        let Some((table, column, collation)) = entry else {
            return Ok(MatchingDecision {
                matching: EmailMatching::Exact,
                decided_by: None,
            });
        };
        let matching =
            collation
                .matching()
                .ok_or_else(|| CapabilityError::UnmodelledCollation {
                    table: table.clone(),
                    column: column.clone(),
                    collation: collation.name.clone(),
                    meaning: collation.meaning(),
                    fix: exact_fix(dialect, table, live_column(live, table, column)),
                })?;
        Ok(MatchingDecision {
            matching,
            decided_by: Some((table.clone(), column.clone(), collation.name.clone())),
        })
    };
    let email = decide("email")?;
    let identifier = decide("identifier")?;
    if email.matching != identifier.matching {
        return Err(CapabilityError::MixedCollations {
            email: email.matching,
            identifier: identifier.matching,
        });
    }
    Ok(if email.decided_by.is_some() {
        email
    } else {
        identifier
    })
}

/// Checks an explicit declaration of `declared` against what the tables decide.
pub fn check_declared_matching(
    dialect: Dialect,
    live: &Schema,
    declared: EmailMatching,
    decision: &MatchingDecision,
) -> Result<(), CapabilityError> {
    if declared == decision.matching {
        return Ok(());
    }
    let (table, column, collation) = decision
        .decided_by
        .clone()
        .unwrap_or_else(|| ("users".to_owned(), "email".to_owned(), "(exact)".to_owned()));
    let fix = exact_fix(dialect, &table, live_column(live, &table, &column));
    Err(CapabilityError::NotWhatTheTablesDo {
        declared,
        tables: decision.matching,
        table,
        column,
        collation,
        fix,
    })
}

/// The instants the tables of `diff` hold: [`TimestampRange::Unix32`] when any timestamp
/// column is a MySQL `TIMESTAMP`, with the first such `(table, column)`.
pub fn range_of_tables(diff: &Diff) -> (TimestampRange, Option<(String, String)>) {
    diff.entries
        .iter()
        .find_map(|e| match e {
            DiffEntry::TimestampRange {
                table,
                column,
                range,
            } => Some((*range, Some((table.clone(), column.clone())))),
            _ => None,
        })
        .unwrap_or((TimestampRange::Full, None))
}

/// Checks an explicit declaration of `declared` against the tables of `diff`: `Full` on
/// columns that stop at 2038 is refused; `Unix32` is honest anywhere (the adapter refuses
/// what lies outside, whatever the columns hold).
pub fn check_declared_range(
    dialect: Dialect,
    live: &Schema,
    declared: TimestampRange,
    diff: &Diff,
) -> Result<(), CapabilityError> {
    match (declared, range_of_tables(diff)) {
        (TimestampRange::Full, (TimestampRange::Unix32, Some((table, column)))) => {
            let nullable = live_column(live, &table, &column).is_none_or(|c| c.nullable);
            let ty = type_sql(dialect, &crate::model::ColumnType::Timestamp);
            let null = if nullable { "NULL" } else { "NOT NULL" };
            Err(CapabilityError::RangeNotWhatTheTablesDo {
                fix: format!(
                    "convert every TIMESTAMP column: ALTER TABLE `{table}` MODIFY `{column}` {ty} {null} (and likewise for the others)"
                ),
                table,
                column,
            })
        }
        _ => Ok(()),
    }
}

fn live_column<'a>(live: &'a Schema, table: &str, column: &str) -> Option<&'a Column> {
    live.table(table).and_then(|t| t.column(column))
}

/// The statement that gives `table.column` an exact collation, keeping its type and
/// nullability.
pub fn exact_fix(dialect: Dialect, table: &str, column: Option<&Column>) -> String {
    let Some(column) = column else {
        return format!("give {table}'s column an exact (binary) collation");
    };
    let ty = type_sql(dialect, &column.column_type);
    let null = if column.nullable { "NULL" } else { "NOT NULL" };
    let name = &column.name;
    match dialect {
        Dialect::MySql => format!(
            "ALTER TABLE `{table}` MODIFY `{name}` {ty} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin {null}"
        ),
        Dialect::Postgres => {
            format!("ALTER TABLE \"{table}\" ALTER COLUMN \"{name}\" TYPE {ty} COLLATE \"C\"")
        }
        Dialect::Sqlite => format!(
            "recreate \"{table}\" with \"{name}\" declared without COLLATE (SQLite cannot change a column's collation)"
        ),
        Dialect::MsSql => format!(
            "ALTER TABLE [{table}] ALTER COLUMN [{name}] {ty} COLLATE Latin1_General_100_BIN2 {null}"
        ),
    }
}

/// A live database's tables against the model: the diff, and what an adapter on them can
/// declare. What `nextauth-certify schema` prints and [`SqlAdapter::synchronize`] acts on.
///
/// [`SqlAdapter::synchronize`]: super::SqlAdapter::synchronize
#[derive(Debug, Clone)]
pub struct SchemaCheck {
    /// The dialect.
    pub dialect: Dialect,
    /// The live schema as introspected.
    pub live: Schema,
    /// The live schema against the model.
    pub diff: Diff,
    /// The e-mail matching an adapter on these tables declares, or why none can be.
    pub matching: Result<MatchingDecision, CapabilityError>,
    /// The instants the tables' timestamp columns hold, which an adapter on them declares.
    pub timestamp_range: TimestampRange,
}

impl SchemaCheck {
    /// The check of `live` (introspected) against the model under `names`.
    pub fn of(
        dialect: Dialect,
        names: &crate::SchemaNames,
        live: Schema,
    ) -> Result<Self, crate::error::NameError> {
        let expected = Schema::expected(dialect, names)?;
        let diff = crate::diff::diff(&expected, &live);
        let matching = matching_of_tables(dialect, &live, &diff);
        let (timestamp_range, _) = range_of_tables(&diff);
        Ok(SchemaCheck {
            dialect,
            live,
            diff,
            matching,
            timestamp_range,
        })
    }

    /// Whether an adapter can run on these tables: no error in the diff, and a declarable
    /// e-mail matching.
    pub fn is_ok(&self) -> bool {
        self.diff.is_ok() && self.matching.is_ok()
    }

    /// The facts: keyed columns whose collation is not exact and timestamp columns that stop
    /// at 2038, with what each means.
    pub fn facts(&self) -> impl Iterator<Item = &DiffEntry> {
        self.diff
            .entries
            .iter()
            .filter(|e| e.consequence().is_some())
    }
}

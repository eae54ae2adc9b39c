//! What live tables decide about an adapter on them: the e-mail matching their collations
//! compare by, and the instants their timestamp columns hold.
//! [`SqlAdapter::synchronize`](super::SqlAdapter::synchronize) adopts both (or checks an
//! explicit declaration against them) and `nextauth-certify schema` reports them, from the
//! same [`Diff`].

use super::error::CapabilityError;
use crate::dialect::Dialect;
use crate::diff::precision_of_digits;
use crate::diff::{Diff, DiffEntry};
use crate::model::{Column, Content, Schema};
use crate::render::type_sql;
use nextauth_adapter::limits::{Field, FieldLimits, StringLimit};
use nextauth_adapter::{Capabilities, EmailMatching, TimestampPrecision, TimestampRange};

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
            "ALTER TABLE `{table}` MODIFY `{name}` {ty} CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin {null} /* MySQL 8: utf8mb4_0900_bin */"
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

    /// The facts: keyed columns whose collation is not exact, string columns narrower than
    /// the model's, timestamp columns that keep fewer digits or stop at 2038; each with what
    /// it means.
    pub fn facts(&self) -> impl Iterator<Item = &DiffEntry> {
        self.diff
            .entries
            .iter()
            .filter(|e| e.consequence().is_some())
    }

    /// The finest precision the tables' timestamp columns keep, and the first column that
    /// decides it; `None` when every column keeps microseconds.
    pub fn timestamp_precision(&self) -> Option<(TimestampPrecision, &str, &str)> {
        self.diff
            .entries
            .iter()
            .filter_map(|e| match e {
                DiffEntry::TimestampDigits {
                    table,
                    column,
                    digits,
                } => Some((
                    precision_of_digits(*digits),
                    table.as_str(),
                    column.as_str(),
                )),
                _ => None,
            })
            .fold(None, |coarsest, next| match coarsest {
                Some(c) if c.0.tolerance() >= next.0.tolerance() => Some(c),
                _ => Some(next),
            })
    }

    /// The narrowest column holding each kind of caller's value: `(field, characters,
    /// table, column)`, for every field whose column is narrower than the model's.
    pub fn narrowed_fields(&self) -> Vec<(Field, u32, &str, &str)> {
        self.diff
            .entries
            .iter()
            .filter_map(|e| match e {
                DiffEntry::ColumnNarrowed {
                    table,
                    column,
                    chars,
                    content: Content::Field(field),
                    ..
                } => Some((*field, *chars, table.as_str(), column.as_str())),
                _ => None,
            })
            .collect()
    }

    /// What an adapter declaring `base` by default declares on these tables: the e-mail
    /// matching their collations decide, the range and the precision their timestamp
    /// columns hold, and field limits no wider than their string columns. Refuses when no
    /// e-mail matching can be declared honestly.
    pub fn adopt(&self, base: Capabilities) -> Result<Capabilities, CapabilityError> {
        let matching = self.matching.clone()?;
        let mut limits = base.limits;
        for (field, chars, _, _) in self.narrowed_fields() {
            let group = limit_group(&mut limits, field);
            let chars = usize::try_from(chars).unwrap_or(usize::MAX);
            group.max_chars = Some(group.max_chars.map_or(chars, |m| m.min(chars)));
            // SQL Server's NVARCHAR(n) counts UTF-16 code units.
            if self.dialect == Dialect::MsSql {
                group.max_utf16 = Some(group.max_utf16.map_or(chars, |m| m.min(chars)));
            }
        }
        let timestamp_precision = match self.timestamp_precision() {
            Some((p, _, _)) if p.tolerance() > base.timestamp_precision.tolerance() => p,
            _ => base.timestamp_precision,
        };
        let timestamp_range = match (base.timestamp_range, self.timestamp_range) {
            (TimestampRange::Full, narrower) => narrower,
            (declared, _) => declared,
        };
        Ok(Capabilities {
            email_matching: matching.matching,
            timestamp_range,
            timestamp_precision,
            limits,
            ..base
        })
    }

    /// Checks an explicit declaration against the tables: the e-mail matching must be the
    /// one they compare by; the range, the precision and the limits no wider than what they
    /// hold (narrower is honest: the adapter refuses or truncates before writing).
    pub fn check_declared(&self, declared: &Capabilities) -> Result<(), CapabilityError> {
        let decision = self.matching.clone()?;
        check_declared_matching(self.dialect, &self.live, declared.email_matching, &decision)?;
        check_declared_range(
            self.dialect,
            &self.live,
            declared.timestamp_range,
            &self.diff,
        )?;
        if let Some((tables, table, column)) = self.timestamp_precision()
            && declared.timestamp_precision.tolerance() < tables.tolerance()
        {
            return Err(CapabilityError::PrecisionNotWhatTheTablesDo {
                declared: declared.timestamp_precision,
                tables,
                table: table.to_owned(),
                column: column.to_owned(),
            });
        }
        for (field, chars, table, column) in self.narrowed_fields() {
            let limit = declared.limits.limit(field);
            let within = |m: usize| u32::try_from(m).is_ok_and(|m| m <= chars);
            // SQL Server's NVARCHAR(n) counts UTF-16 code units: a declaration in characters
            // fits only when even its emoji (two units each) do.
            let fits = if self.dialect == Dialect::MsSql {
                limit.max_utf16.is_some_and(within)
                    || limit.max_chars.is_some_and(|m| within(m.saturating_mul(2)))
            } else {
                limit.max_chars.is_some_and(within)
            };
            if !fits {
                return Err(CapabilityError::LimitNotWhatTheTablesDo {
                    field: field.name(),
                    declared: limit.max_chars,
                    chars,
                    table: table.to_owned(),
                    column: column.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// The limit of `limits` that holds `field`.
fn limit_group(limits: &mut FieldLimits, field: Field) -> &mut StringLimit {
    match field {
        Field::UserImage => &mut limits.image,
        Field::RefreshToken | Field::AccountAccessToken => &mut limits.text,
        _ => &mut limits.varchar,
    }
}

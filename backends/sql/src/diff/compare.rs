//! The comparison itself.

use super::{Diff, DiffEntry};
use crate::model::{CollationKind, ColumnType, Index, Schema, Table, content};

/// Whether a column of the model is looked up or unique: indexed, or the verification
/// identifier (looked up with the token, never indexed in the documented schemas).
fn is_keyed(table: &Table, column: &str) -> bool {
    decides_matching(column)
        || table
            .indexes
            .iter()
            .any(|i| i.columns.iter().any(|c| c == column))
}

/// Whether a column's collation decides the adapter's e-mail matching: `users.email` and
/// `verification_requests.identifier` hold the addresses lookups compare.
pub(crate) fn decides_matching(column: &str) -> bool {
    matches!(column, "email" | "identifier")
}

/// Compares `live` (introspected) with `expected` (usually
/// [`Schema::expected`](crate::Schema::expected)).
///
/// Tables and columns are matched by exact name. Types are compared at the logical
/// level. Indexes are matched by name, then, for an expected index without a namesake,
/// by shape (so that a database whose indexes were named by another tool still passes,
/// with an allowed [`DiffEntry::IndexRenamed`]). Primary-key indexes are not indexes here:
/// they are compared as primary keys.
pub fn diff(expected: &Schema, live: &Schema) -> Diff {
    let mut entries = Vec::new();
    for want in &expected.tables {
        match live.table(&want.name) {
            None => entries.push(DiffEntry::MissingTable {
                table: want.name.clone(),
            }),
            Some(have) => compare_table(want, have, &mut entries),
        }
    }
    for have in &live.tables {
        if expected.table(&have.name).is_none() {
            entries.push(DiffEntry::ExtraTable {
                table: have.name.clone(),
            });
        }
    }
    Diff { entries }
}

/// Columns, primary key and indexes of one table present on both sides.
fn compare_table(want: &Table, have: &Table, entries: &mut Vec<DiffEntry>) {
    let table = || want.name.clone();
    for column in &want.columns {
        let Some(found) = have.column(&column.name) else {
            entries.push(DiffEntry::MissingColumn {
                table: table(),
                column: column.name.clone(),
            });
            continue;
        };
        if found.column_type != column.column_type {
            let (expected, found) = (column.column_type.clone(), found.column_type.clone());
            let column = column.name.clone();
            let narrowed = found
                .narrowed_to(&expected)
                .zip(content(&column, &expected));
            entries.push(if found.holds(&expected) {
                DiffEntry::ColumnTypeWidened {
                    table: table(),
                    column,
                    expected,
                    found,
                }
            } else if let Some((chars, content)) = narrowed {
                DiffEntry::ColumnNarrowed {
                    table: table(),
                    column,
                    expected,
                    found,
                    chars,
                    content,
                }
            } else {
                DiffEntry::ColumnTypeMismatch {
                    table: table(),
                    column,
                    expected,
                    found,
                }
            });
        }
        if found.nullable != column.nullable {
            entries.push(DiffEntry::NullabilityMismatch {
                table: table(),
                column: column.name.clone(),
                expected_nullable: column.nullable,
            });
        }
        // A collation is a fact worth reporting when it compares less exactly than the
        // one the DDL makes (exact on every axis: a NO PAD binary collation on MySQL, so a
        // PAD SPACE `utf8mb4_bin` is reported).
        let made = column
            .collation
            .as_ref()
            .map_or(CollationKind::Exact, |c| c.kind);
        if let Some(collation) = &found.collation
            && collation.kind != CollationKind::Exact
            && collation.kind != made
            && is_keyed(want, &column.name)
        {
            entries.push(DiffEntry::Collation {
                table: table(),
                column: column.name.clone(),
                collation: collation.clone(),
                decides_matching: decides_matching(&column.name),
            });
        }
        if column.column_type == ColumnType::Timestamp
            && found.column_type == ColumnType::Timestamp
            && let Some(digits) = found.timestamp_digits
            && digits < 6
        {
            entries.push(DiffEntry::TimestampDigits {
                table: table(),
                column: column.name.clone(),
                digits,
            });
        }
        if column.column_type == ColumnType::Timestamp
            && found.column_type == ColumnType::Timestamp
            && found.timestamp_range != column.timestamp_range
        {
            entries.push(DiffEntry::TimestampRange {
                table: table(),
                column: column.name.clone(),
                range: found.timestamp_range,
            });
        }
        if let Some(default) = &column.default
            && found.default.as_ref() != Some(default)
        {
            entries.push(DiffEntry::DefaultMismatch {
                table: table(),
                column: column.name.clone(),
                expected: default.clone(),
                found: found.default.clone(),
            });
        }
    }
    for column in &have.columns {
        if want.column(&column.name).is_none() {
            entries.push(DiffEntry::ExtraColumn {
                table: table(),
                column: column.clone(),
            });
        }
    }
    if want.primary_key != have.primary_key {
        entries.push(DiffEntry::PrimaryKeyMismatch {
            table: table(),
            expected: want.primary_key.clone(),
            found: have.primary_key.clone(),
        });
    }
    compare_indexes(want, have, entries);
}

/// Index matching: by name first, then by shape among the live indexes left over.
fn compare_indexes(want: &Table, have: &Table, entries: &mut Vec<DiffEntry>) {
    let mut unmatched: Vec<&Index> = have
        .indexes
        .iter()
        .filter(|i| want.index(&i.name).is_none())
        .collect();
    for index in &want.indexes {
        if let Some(found) = have.index(&index.name) {
            if !found.same_shape(index) {
                entries.push(DiffEntry::IndexMismatch {
                    table: want.name.clone(),
                    expected: index.clone(),
                    found: found.clone(),
                });
            }
        } else if let Some(pos) = unmatched.iter().position(|i| i.same_shape(index)) {
            let found = unmatched.remove(pos);
            entries.push(DiffEntry::IndexRenamed {
                table: want.name.clone(),
                expected: index.clone(),
                found: found.name.clone(),
            });
        } else {
            entries.push(DiffEntry::MissingIndex {
                table: want.name.clone(),
                expected: index.clone(),
            });
        }
    }
    for index in unmatched {
        entries.push(DiffEntry::ExtraIndex {
            table: want.name.clone(),
            index: index.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use crate::model::{Column, ColumnType};
    use crate::names::SchemaNames;

    fn expected() -> Schema {
        Schema::expected(Dialect::Postgres, &SchemaNames::default()).unwrap()
    }

    fn users(schema: &mut Schema) -> &mut Table {
        schema
            .tables
            .iter_mut()
            .find(|t| t.name == "users")
            .unwrap()
    }

    #[test]
    fn identical_schemas_have_no_difference() {
        let d = diff(&expected(), &expected());
        assert!(d.is_ok() && d.is_empty());
        assert_eq!(d.to_string(), "schema matches: no differences\n");
    }

    #[test]
    fn each_kind_of_change_is_classified() {
        let mut live = expected();
        live.tables.retain(|t| t.name != "sessions");
        live.tables.push(Table {
            name: "audit".into(),
            columns: vec![],
            primary_key: vec![],
            indexes: vec![],
        });
        let u = users(&mut live);
        u.columns.retain(|c| c.name != "name");
        u.columns
            .iter_mut()
            .find(|c| c.name == "image")
            .unwrap()
            .column_type = ColumnType::Text;
        let email = u.columns.iter_mut().find(|c| c.name == "email").unwrap();
        email.column_type = ColumnType::Varchar(100);
        email.nullable = false;
        u.columns
            .iter_mut()
            .find(|c| c.name == "created_at")
            .unwrap()
            .default = None;
        u.columns
            .push(Column::optional("nickname", ColumnType::Varchar(40)));
        u.columns
            .push(Column::required("tenant", ColumnType::Integer));
        u.primary_key.clear();
        u.indexes[0].name = "UQ_email".into();
        live.tables
            .iter_mut()
            .find(|t| t.name == "accounts")
            .unwrap()
            .columns
            .iter_mut()
            .find(|c| c.name == "compound_id")
            .unwrap()
            .column_type = ColumnType::Varchar(32);
        let d = diff(&expected(), &live);
        let kinds: Vec<(bool, String, String)> = d
            .entries
            .iter()
            .map(|e| (e.is_error(), e.table().to_owned(), e.object()))
            .collect();
        let e = |err: bool, t: &str, o: &str| (err, t.to_owned(), o.to_owned());
        assert_eq!(
            kinds,
            [
                e(true, "users", "column name"),
                // Narrower, but the field's limit can say so: a fact.
                e(false, "users", "column email"),
                e(true, "users", "column email"),
                e(false, "users", "column image"),
                e(true, "users", "column created_at"),
                e(false, "users", "column nickname"),
                e(true, "users", "column tenant"),
                e(true, "users", "primary key"),
                e(false, "users", "index email"),
                // The 64-character hash does not fit 32.
                e(true, "accounts", "column compound_id"),
                e(true, "sessions", "table"),
                e(false, "audit", "table"),
            ]
        );
        assert!(!d.is_ok());
        let text = d.to_string();
        assert!(
            text.starts_with("7 errors, 5 allowed differences\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "type: expected VARCHAR(255), found VARCHAR(100), which holds 100 characters"
            ),
            "{text}"
        );
        assert!(text.contains("UNIQUE (email) exists as UQ_email"), "{text}");
        assert!(
            text.contains("without default: inserts will fail"),
            "{text}"
        );
    }

    #[test]
    fn changed_and_missing_indexes_are_errors() {
        let mut live = expected();
        let u = users(&mut live);
        u.indexes[0].unique = false;
        let d = diff(&expected(), &live);
        assert!(matches!(d.entries[..], [DiffEntry::IndexMismatch { .. }]));
        assert!(
            d.to_string()
                .contains("expected UNIQUE (email), found (email)")
        );
        users(&mut live).indexes.clear();
        let d = diff(&expected(), &live);
        assert!(
            matches!(&d.entries[..], [DiffEntry::MissingIndex { expected, .. }] if expected.name == "email")
        );
    }
}

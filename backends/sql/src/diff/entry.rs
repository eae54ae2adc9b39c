//! One difference between the expected and the live schema.

use crate::model::{Collation, CollationKind, Column, ColumnDefault, ColumnType, Content, Index};
use nextauth_adapter::{TimestampPrecision, TimestampRange};

/// The precision a timestamp column keeping `digits` fractional-second digits holds.
pub fn precision_of_digits(digits: u8) -> TimestampPrecision {
    match digits {
        6.. => TimestampPrecision::Microsecond,
        3..=5 => TimestampPrecision::Millisecond,
        _ => TimestampPrecision::Second,
    }
}

/// A precision as a declaration spells it (`millisecond`).
fn precision_name(p: TimestampPrecision) -> &'static str {
    match p {
        TimestampPrecision::Microsecond => "microsecond",
        TimestampPrecision::Millisecond => "millisecond",
        TimestampPrecision::Second => "second",
        TimestampPrecision::SqlServerDatetime => "sql_server_datetime",
    }
}

/// One difference. Table names are the full (prefixed) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffEntry {
    /// An expected table does not exist. Error.
    MissingTable {
        /// The table.
        table: String,
    },
    /// An expected column does not exist. Error.
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A column's type differs at the logical level and cannot hold every expected value.
    /// Error.
    ColumnTypeMismatch {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The model's type.
        expected: ColumnType,
        /// The live type.
        found: ColumnType,
    },
    /// A column's type differs but holds every expected value (`TEXT` for `VARCHAR(255)`,
    /// as the PostgreSQL docs declare `users.image`). Allowed.
    ColumnTypeWidened {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The model's type.
        expected: ColumnType,
        /// The live type.
        found: ColumnType,
    },
    /// A column is `NULL` where `NOT NULL` is expected or the reverse. Error.
    NullabilityMismatch {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Whether the model declares it nullable.
        expected_nullable: bool,
    },
    /// A column that should default to the insert time has another default or none.
    /// Error: inserts that rely on the default would fail or store something else.
    DefaultMismatch {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The model's default.
        expected: ColumnDefault,
        /// The live default.
        found: Option<ColumnDefault>,
    },
    /// The primary key is missing or over other columns. Error.
    PrimaryKeyMismatch {
        /// The table.
        table: String,
        /// The model's key columns.
        expected: Vec<String>,
        /// The live key columns (empty: no primary key).
        found: Vec<String>,
    },
    /// An expected index exists neither by name nor by shape. Error.
    MissingIndex {
        /// The table.
        table: String,
        /// The model's index.
        expected: Index,
    },
    /// An index of the expected name has another shape (uniqueness, columns or filter).
    /// Error.
    IndexMismatch {
        /// The table.
        table: String,
        /// The model's index.
        expected: Index,
        /// The live index of that name.
        found: Index,
    },
    /// No index has the expected name, but one of another name has the expected shape
    /// (TypeORM `synchronize` names them `IDX_…`/`UQ_…`). Allowed.
    IndexRenamed {
        /// The table.
        table: String,
        /// The model's index.
        expected: Index,
        /// The live index's name.
        found: String,
    },
    /// A column the model does not declare. Allowed when an insert may omit it (it is
    /// nullable or has a default); an error otherwise, since the backend's inserts, which
    /// name only the model's columns, would fail.
    ExtraColumn {
        /// The table.
        table: String,
        /// The live column.
        column: Column,
    },
    /// A table the model does not declare. Allowed.
    ExtraTable {
        /// The table.
        table: String,
    },
    /// An index the model does not declare. Allowed.
    ExtraIndex {
        /// The table.
        table: String,
        /// The live index.
        index: Index,
    },
    /// A column that is looked up or unique compares otherwise than exactly. A fact, allowed
    /// except on a column that decides the e-mail matching (`users.email`,
    /// `verification_requests.identifier`) when the kit does not model the collation: no
    /// matching can then be declared honestly.
    Collation {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Its collation.
        collation: Collation,
        /// Whether the column decides the e-mail matching.
        decides_matching: bool,
    },
    /// A string column holds fewer characters than the model's (Prisma's `VARCHAR(191)` on
    /// MySQL). A fact, allowed when what the column holds is a caller's value: an adapter on
    /// the tables declares the narrower limit and refuses longer values. An error when the
    /// column holds tokens the adapter makes and they do not fit.
    ColumnNarrowed {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The model's type.
        expected: ColumnType,
        /// The live type.
        found: ColumnType,
        /// The characters it holds.
        chars: u32,
        /// What it holds.
        content: Content,
    },
    /// A timestamp column keeps fewer fractional-second digits than the model's
    /// microseconds (Prisma's `DATETIME(3)`, TypeORM's `timestamp` under `mariadb://`). A
    /// fact, allowed: an adapter on the tables declares the coarser precision.
    TimestampDigits {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The digits it keeps.
        digits: u8,
    },
    /// A timestamp column holds fewer instants than the model's (MySQL's `TIMESTAMP`, 1970 to
    /// 2038, where the DDL makes `DATETIME(6)`). A fact, allowed: an adapter on the tables
    /// declares the range and refuses instants outside it.
    TimestampRange {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The instants it holds.
        range: TimestampRange,
    },
}

impl DiffEntry {
    /// Whether this difference makes the live schema unusable for the backend.
    pub fn is_error(&self) -> bool {
        match self {
            DiffEntry::ColumnTypeWidened { .. }
            | DiffEntry::IndexRenamed { .. }
            | DiffEntry::ExtraTable { .. }
            | DiffEntry::ExtraIndex { .. } => false,
            DiffEntry::ExtraColumn { column, .. } => !column.may_be_omitted(),
            DiffEntry::Collation {
                collation,
                decides_matching,
                ..
            } => *decides_matching && collation.kind == CollationKind::Unmodelled,
            DiffEntry::TimestampRange { .. } | DiffEntry::TimestampDigits { .. } => false,
            DiffEntry::ColumnNarrowed { chars, content, .. } => chars < &content.minimum(),
            _ => true,
        }
    }

    /// The table the difference is in.
    pub fn table(&self) -> &str {
        match self {
            DiffEntry::MissingTable { table }
            | DiffEntry::MissingColumn { table, .. }
            | DiffEntry::ColumnTypeMismatch { table, .. }
            | DiffEntry::ColumnTypeWidened { table, .. }
            | DiffEntry::NullabilityMismatch { table, .. }
            | DiffEntry::DefaultMismatch { table, .. }
            | DiffEntry::PrimaryKeyMismatch { table, .. }
            | DiffEntry::MissingIndex { table, .. }
            | DiffEntry::IndexMismatch { table, .. }
            | DiffEntry::IndexRenamed { table, .. }
            | DiffEntry::ExtraColumn { table, .. }
            | DiffEntry::ExtraTable { table }
            | DiffEntry::ExtraIndex { table, .. }
            | DiffEntry::Collation { table, .. }
            | DiffEntry::TimestampRange { table, .. }
            | DiffEntry::ColumnNarrowed { table, .. }
            | DiffEntry::TimestampDigits { table, .. } => table,
        }
    }

    /// The object within the table: `column email`, `index compound_id`, `primary key`,
    /// or `table` for whole-table entries.
    pub fn object(&self) -> String {
        match self {
            DiffEntry::MissingTable { .. } | DiffEntry::ExtraTable { .. } => "table".into(),
            DiffEntry::MissingColumn { column, .. }
            | DiffEntry::ColumnTypeMismatch { column, .. }
            | DiffEntry::ColumnTypeWidened { column, .. }
            | DiffEntry::NullabilityMismatch { column, .. }
            | DiffEntry::DefaultMismatch { column, .. }
            | DiffEntry::Collation { column, .. }
            | DiffEntry::TimestampRange { column, .. }
            | DiffEntry::ColumnNarrowed { column, .. }
            | DiffEntry::TimestampDigits { column, .. } => format!("column {column}"),
            DiffEntry::ExtraColumn { column, .. } => format!("column {}", column.name),
            DiffEntry::PrimaryKeyMismatch { .. } => "primary key".into(),
            DiffEntry::MissingIndex { expected, .. }
            | DiffEntry::IndexMismatch { expected, .. }
            | DiffEntry::IndexRenamed { expected, .. } => format!("index {}", expected.name),
            DiffEntry::ExtraIndex { index, .. } => format!("index {}", index.name),
        }
    }

    /// For a fact, what it means for an adapter on the tables; `None` for a difference.
    pub fn consequence(&self) -> Option<String> {
        Some(match self {
            DiffEntry::ColumnNarrowed { chars, content, .. } => match content {
                Content::Fixed(width) if chars >= width => format!(
                    "harmless: the column holds the {width}-character tokens the adapter makes"
                ),
                Content::Fixed(width) => format!(
                    "the {width}-character tokens the adapter makes do not fit: widen the column to VARCHAR({width}) or more"
                ),
                Content::Field(field) if chars < &content.minimum() => format!(
                    "the {} OAuth tokens providers issue (an 8,192-character JWT must fit) are refused: widen the column to TEXT",
                    field.name()
                ),
                Content::Field(field) => format!(
                    "a {} longer than {chars} characters is refused (InvalidInput): an adapter here declares that limit",
                    field.name()
                ),
            },
            DiffEntry::TimestampDigits { digits, .. } => format!(
                "an adapter here declares timestamp_precision {}: it truncates instants to that before writing",
                precision_name(precision_of_digits(*digits))
            ),
            other => other.fixed_consequence()?.to_owned(),
        })
    }

    fn fixed_consequence(&self) -> Option<&'static str> {
        match self {
            DiffEntry::Collation {
                collation,
                decides_matching,
                ..
            } => Some(collation.consequence(*decides_matching)),
            DiffEntry::TimestampRange { .. } => Some(
                "an adapter here declares timestamp_range unix32: an email_verified before 1970, an expiry after 2038 and every write once the clock passes 2038 are refused",
            ),
            _ => None,
        }
    }

    /// What differs, in words: `missing`, `type: expected VARCHAR(255), found TEXT`, …
    pub fn detail(&self) -> String {
        let nullability = |nullable: bool| if nullable { "NULL" } else { "NOT NULL" };
        match self {
            DiffEntry::MissingTable { .. } | DiffEntry::MissingColumn { .. } => "missing".into(),
            DiffEntry::ColumnTypeMismatch {
                table,
                column,
                expected,
                found,
            } => {
                let zoneless = *expected == ColumnType::Timestamp
                    && found.to_string().contains("without time zone");
                if zoneless {
                    // Prisma's DateTime on PostgreSQL: a wall-clock time, UTC by Prisma's
                    // convention, which the adapter's instants (timestamptz) cannot be.
                    format!(
                        "type: expected {expected} (timestamptz), found {found}: wall-clock times without a zone, which the adapter does not read as instants; if they are UTC (as Prisma writes them): ALTER TABLE \"{table}\" ALTER COLUMN \"{column}\" TYPE timestamptz USING \"{column}\" AT TIME ZONE 'UTC'"
                    )
                } else {
                    format!("type: expected {expected}, found {found}")
                }
            }
            DiffEntry::ColumnTypeWidened {
                expected, found, ..
            } => {
                format!("type: expected {expected}, found {found}, which holds every value")
            }
            DiffEntry::NullabilityMismatch {
                expected_nullable, ..
            } => format!(
                "expected {}, found {}",
                nullability(*expected_nullable),
                nullability(!expected_nullable)
            ),
            DiffEntry::DefaultMismatch {
                expected, found, ..
            } => format!(
                "default: expected {expected}, found {}",
                found
                    .as_ref()
                    .map_or("none".to_owned(), ToString::to_string)
            ),
            DiffEntry::PrimaryKeyMismatch {
                expected, found, ..
            } => format!(
                "expected ({}), found {}",
                expected.join(", "),
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    format!("({})", found.join(", "))
                }
            ),
            DiffEntry::MissingIndex { expected, .. } => format!("missing: {}", expected.shape()),
            DiffEntry::IndexMismatch {
                expected, found, ..
            } => format!("expected {}, found {}", expected.shape(), found.shape()),
            DiffEntry::IndexRenamed {
                expected, found, ..
            } => format!("{} exists as {found}", expected.shape()),
            DiffEntry::ExtraColumn { column, .. } => {
                let what = format!(
                    "{} {}{}",
                    column.column_type,
                    nullability(column.nullable),
                    column
                        .default
                        .as_ref()
                        .map_or(String::new(), |d| format!(" DEFAULT {d}"))
                );
                if column.may_be_omitted() {
                    format!("custom column: {what}")
                } else {
                    format!("custom column: {what}, without default: inserts will fail")
                }
            }
            DiffEntry::ExtraTable { .. } => "custom table".into(),
            DiffEntry::ExtraIndex { index, .. } => format!("custom index: {}", index.shape()),
            DiffEntry::Collation { collation, .. } => {
                format!("collation {collation}: {}", collation.meaning())
            }
            DiffEntry::ColumnNarrowed {
                expected,
                found,
                chars,
                ..
            } => {
                format!("type: expected {expected}, found {found}, which holds {chars} characters")
            }
            DiffEntry::TimestampDigits { digits, .. } => {
                format!("TIMESTAMP keeping {digits} fractional-second digits")
            }
            DiffEntry::TimestampRange { range, .. } => match range.bounds() {
                Some((first, last)) => format!(
                    "TIMESTAMP: holds {} to {} UTC only",
                    first.format("%Y-%m-%d %H:%M:%S"),
                    last.format("%Y-%m-%d %H:%M:%S")
                ),
                None => "holds every instant".into(),
            },
        }
    }
}

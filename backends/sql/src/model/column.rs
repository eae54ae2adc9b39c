//! Columns and their logical types and defaults.

use super::collation::Collation;
use nextauth_adapter::TimestampRange;
use std::fmt;

/// A column's type at the logical level, the level at which schemas are compared.
///
/// Each dialect spells these differently (see the DDL renderer) and introspection maps
/// catalog types back to them: PostgreSQL `character varying(255)`, MySQL `varchar(255)`
/// and SQL Server `nvarchar(255)` are all [`ColumnType::Varchar`]`(255)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// A generated integer primary key: `SERIAL`, `AUTO_INCREMENT`, `IDENTITY(1,1)` or
    /// SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT` (which, unlike a bare rowid alias,
    /// never reuses the id of a deleted row: orphaned sessions and accounts of a deleted
    /// user must not attach themselves to a new user).
    Id,
    /// A 32-bit integer (`accounts.user_id`, `sessions.user_id`).
    Integer,
    /// A string of at most this many characters.
    Varchar(u32),
    /// A string without a length limit in characters (MySQL's `TEXT` still holds at most
    /// 65,535 bytes).
    Text,
    /// A point in time, stored as UTC, at the finest precision the dialect offers.
    Timestamp,
    /// A type the model never declares, as a catalog spells it. Only introspection
    /// produces it (a custom `jsonb` column, a `bigint` id, …).
    Other(String),
}

impl ColumnType {
    /// Whether a column of type `self` stores every value of `expected` unchanged: the
    /// same type, a longer `VARCHAR`, or `TEXT` where a `VARCHAR` was expected.
    ///
    /// This is why a database created from the PostgreSQL docs (`users.image TEXT`)
    /// passes a check that expects our `VARCHAR(255)`.
    pub fn holds(&self, expected: &ColumnType) -> bool {
        match (self, expected) {
            (a, b) if a == b => true,
            (ColumnType::Varchar(have), ColumnType::Varchar(want)) => have >= want,
            (ColumnType::Text, ColumnType::Varchar(_)) => true,
            _ => false,
        }
    }

    /// The characters a column of type `self` holds where `expected` holds more: `Some(n)`
    /// for a `VARCHAR(n)` in place of a longer `VARCHAR` or of a `TEXT` (Prisma's
    /// `VARCHAR(191)` on MySQL); `None` otherwise.
    pub fn narrowed_to(&self, expected: &ColumnType) -> Option<u32> {
        match (self, expected) {
            (ColumnType::Varchar(have), ColumnType::Varchar(want)) if have < want => Some(*have),
            (ColumnType::Varchar(have), ColumnType::Text) => Some(*have),
            _ => None,
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnType::Id => f.write_str("ID (generated integer)"),
            ColumnType::Integer => f.write_str("INTEGER"),
            ColumnType::Varchar(n) => write!(f, "VARCHAR({n})"),
            ColumnType::Text => f.write_str("TEXT"),
            ColumnType::Timestamp => f.write_str("TIMESTAMP"),
            ColumnType::Other(spelling) => f.write_str(spelling),
        }
    }
}

/// A column's default value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnDefault {
    /// The time of the insert (`CURRENT_TIMESTAMP`, `now()`, `SYSUTCDATETIME()`, …).
    CurrentTimestamp,
    /// Any other default, as the catalog spells it. Only introspection produces it.
    Other(String),
}

impl fmt::Display for ColumnDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnDefault::CurrentTimestamp => f.write_str("CURRENT_TIMESTAMP"),
            ColumnDefault::Other(spelling) => f.write_str(spelling),
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    /// The column's name, e.g. `email_verified`.
    pub name: String,
    /// Its logical type.
    pub column_type: ColumnType,
    /// Whether it accepts `NULL`.
    pub nullable: bool,
    /// Its default, if any. The generated value of an [`ColumnType::Id`] is not a default.
    pub default: Option<ColumnDefault>,
    /// Its collation: for a text column of a live database, what the catalog names; in the
    /// model, the collation the dialect's DDL gives (`None`: an exact one, or one
    /// introspection could not tell).
    pub collation: Option<Collation>,
    /// The instants a timestamp column holds: [`TimestampRange::Unix32`] for MySQL's
    /// `TIMESTAMP`, [`TimestampRange::Full`] for every other column.
    pub timestamp_range: TimestampRange,
    /// The fractional-second digits a live timestamp column keeps (`DATETIME(3)`: 3), when
    /// the catalog says; `None` in the model (the DDL keeps microseconds) and for other
    /// columns.
    pub timestamp_digits: Option<u8>,
}

impl Column {
    /// A `NOT NULL` column without default.
    pub fn required(name: &str, column_type: ColumnType) -> Column {
        Column {
            name: name.to_owned(),
            column_type,
            nullable: false,
            default: None,
            collation: None,
            timestamp_range: TimestampRange::Full,
            timestamp_digits: None,
        }
    }

    /// A nullable column without default.
    pub fn optional(name: &str, column_type: ColumnType) -> Column {
        Column {
            nullable: true,
            ..Column::required(name, column_type)
        }
    }

    /// A `NOT NULL` timestamp that defaults to the time of the insert.
    pub fn insert_time(name: &str) -> Column {
        Column {
            default: Some(ColumnDefault::CurrentTimestamp),
            ..Column::required(name, ColumnType::Timestamp)
        }
    }

    /// Whether an `INSERT` that does not name this column succeeds: it is nullable, has a
    /// default or is generated.
    pub fn may_be_omitted(&self) -> bool {
        self.nullable || self.default.is_some() || self.column_type == ColumnType::Id
    }
}

impl fmt::Display for Column {
    /// `name TYPE [NOT] NULL [DEFAULT x]`, for reports.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.column_type)?;
        f.write_str(if self.nullable { " NULL" } else { " NOT NULL" })?;
        if let Some(default) = &self.default {
            write!(f, " DEFAULT {default}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_allows_only_widening() {
        assert!(ColumnType::Text.holds(&ColumnType::Varchar(255)));
        assert!(ColumnType::Varchar(300).holds(&ColumnType::Varchar(255)));
        assert!(!ColumnType::Varchar(100).holds(&ColumnType::Varchar(255)));
        assert!(!ColumnType::Varchar(255).holds(&ColumnType::Text));
        assert!(!ColumnType::Integer.holds(&ColumnType::Id));
        assert!(ColumnType::Timestamp.holds(&ColumnType::Timestamp));
        assert_eq!(
            ColumnType::Varchar(191).narrowed_to(&ColumnType::Varchar(255)),
            Some(191)
        );
        assert_eq!(
            ColumnType::Varchar(191).narrowed_to(&ColumnType::Text),
            Some(191)
        );
        assert_eq!(
            ColumnType::Text.narrowed_to(&ColumnType::Varchar(255)),
            None
        );
        assert_eq!(ColumnType::Integer.narrowed_to(&ColumnType::Id), None);
    }

    #[test]
    fn display_is_readable() {
        let c = Column::insert_time("created_at");
        assert_eq!(
            c.to_string(),
            "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
        );
        assert_eq!(
            Column::optional("x", ColumnType::Other("jsonb".into())).to_string(),
            "x jsonb NULL"
        );
    }
}

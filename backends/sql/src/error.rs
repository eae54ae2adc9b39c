//! The crate's typed errors: bad names, failed catalog reads, and their union for the
//! one-call checks.

use crate::dialect::Dialect;

/// A table or index name that the DDL could not carry safely.
///
/// Names are restricted to ASCII letters, digits and `_` (not starting with a digit) and
/// to 63 bytes, the shortest limit of the four dialects (PostgreSQL's `NAMEDATALEN - 1`;
/// longer names are silently truncated there, so two long names could collide).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("{what} name is empty")]
    Empty {
        /// What the name is for, e.g. `table users` or `index compound_id`.
        what: String,
    },
    /// The name holds a character outside `[A-Za-z0-9_]`.
    #[error(
        "{what} name {name:?} contains {ch:?}: only ASCII letters, digits and `_` are accepted"
    )]
    InvalidCharacter {
        /// What the name is for.
        what: String,
        /// The offending name.
        name: String,
        /// The first character that is not accepted.
        ch: char,
    },
    /// The name starts with a digit, which no dialect accepts unquoted.
    #[error("{what} name {name:?} starts with a digit")]
    LeadingDigit {
        /// What the name is for.
        what: String,
        /// The offending name.
        name: String,
    },
    /// The name is longer than 63 bytes.
    #[error("{what} name {name:?} is {len} bytes long; PostgreSQL keeps only 63")]
    TooLong {
        /// What the name is for.
        what: String,
        /// The offending name.
        name: String,
        /// Its length in bytes.
        len: usize,
    },
    /// Two models were mapped to the same table.
    #[error("models {first} and {second} are both mapped to table {name:?}")]
    Duplicate {
        /// The first model (`users`, `accounts`, …).
        first: &'static str,
        /// The second model.
        second: &'static str,
        /// The shared table name.
        name: String,
    },
}

/// Reading a live database's catalog failed.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// A catalog query failed (connection lost, permission denied, …).
    #[error("reading the {dialect} catalog failed: {source}")]
    Query {
        /// The dialect whose catalog was read.
        dialect: Dialect,
        /// The driver's error.
        #[source]
        source: nextauth_adapter::error::BoxError,
    },
    /// A catalog row could not be understood (e.g. a negative ordinal).
    #[error("unexpected {dialect} catalog row for {table}: {detail}")]
    BadRow {
        /// The dialect whose catalog was read.
        dialect: Dialect,
        /// The table the row describes.
        table: String,
        /// What was wrong with it.
        detail: String,
    },
}

/// Either error of a one-call check ([`check_postgres`](crate::check_postgres) and friends).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The expected schema could not be built from the given names.
    #[error(transparent)]
    Names(#[from] NameError),
    /// The live catalog could not be read.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

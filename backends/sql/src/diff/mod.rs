//! Comparing a live schema with the expected one.
//!
//! Missing or changed base columns, indexes and primary keys are errors: the backend's
//! queries or the contract's uniqueness guarantees depend on them. Additions are allowed
//! (custom fields, extra tables and indexes are how applications extend the schema) but
//! reported, so that a reader sees them.

mod compare;
mod entry;
mod report;

pub use compare::diff;
pub use entry::{DiffEntry, precision_of_digits};

/// The differences between an expected and a live schema.
///
/// `Display` renders a table with one line per difference, errors first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    /// Every difference, errors and allowed ones, in schema order.
    pub entries: Vec<DiffEntry>,
}

impl Diff {
    /// Whether the live schema can serve the backend: no entry is an error.
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    /// The entries that make the live schema unusable.
    pub fn errors(&self) -> impl Iterator<Item = &DiffEntry> {
        self.entries.iter().filter(|e| e.is_error())
    }

    /// The entries that are reported but allowed (custom columns, tables, indexes, wider
    /// types, renamed indexes).
    pub fn allowed(&self) -> impl Iterator<Item = &DiffEntry> {
        self.entries.iter().filter(|e| !e.is_error())
    }

    /// Whether there is no difference at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

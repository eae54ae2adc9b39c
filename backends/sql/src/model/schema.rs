//! A set of tables: the expected NextAuth v3 schema or a live database's.

use super::table::Table;

/// A set of tables.
///
/// Build the expected one with [`Schema::expected`]; introspection returns the live one
/// in the same shape, and [`diff`](crate::diff()) compares them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// The tables, in creation order (expected) or name order (introspected).
    pub tables: Vec<Table>,
}

impl Schema {
    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

//! A table: columns, primary key, indexes.

use super::column::Column;
use super::index::Index;

/// One table, as declared by the model or as read back from a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The full table name (prefix included).
    pub name: String,
    /// The columns, in declaration order.
    pub columns: Vec<Column>,
    /// The primary key's columns, in key order; empty when there is none (the SQL Server
    /// docs DDL has none).
    pub primary_key: Vec<String>,
    /// Every index other than the primary key's.
    pub indexes: Vec<Index>,
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The index called `name`.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }
}

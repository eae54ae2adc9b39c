//! Catalog rows, as every dialect's queries return them once types are mapped, and their
//! assembly into a [`Schema`].

use crate::model::{
    Collation, Column, ColumnDefault, ColumnType, Index, IndexFilter, Schema, Table,
};
use nextauth_adapter::TimestampRange;
use std::collections::BTreeMap;

/// One column as a catalog describes it, its type already mapped to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// Its position in the table (catalogs count from 0 or 1; only the order matters).
    pub position: i64,
    /// Its logical type.
    pub column_type: ColumnType,
    /// Whether it accepts `NULL`.
    pub nullable: bool,
    /// Its default.
    pub default: Option<ColumnDefault>,
    /// Its collation, for a text column whose catalog names one.
    pub collation: Option<Collation>,
    /// The instants it holds (MySQL's `TIMESTAMP`: 1970 to 2038).
    pub timestamp_range: TimestampRange,
    /// The fractional-second digits a timestamp column keeps, when the catalog says.
    pub timestamp_digits: Option<u8>,
}

/// One key column of one index (primary keys included) as a catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogIndexColumn {
    /// The table.
    pub table: String,
    /// The index (or primary-key constraint) name.
    pub index: String,
    /// Whether the index is unique.
    pub unique: bool,
    /// Whether it is the table's primary key.
    pub primary: bool,
    /// The column's position in the key.
    pub position: i64,
    /// The column name, or the expression's text for an expression index.
    pub column: String,
    /// The partial-index predicate.
    pub filter: Option<IndexFilter>,
}

/// Builds a [`Schema`] from catalog rows: tables in name order (every name in `tables`
/// appears, even without columns), columns and key columns in position order, primary-key
/// indexes folded into [`Table::primary_key`].
pub fn assemble(
    tables: impl IntoIterator<Item = String>,
    columns: Vec<CatalogColumn>,
    index_columns: Vec<CatalogIndexColumn>,
) -> Schema {
    let mut by_name: BTreeMap<String, Table> = tables
        .into_iter()
        .map(|name| {
            let table = Table {
                name: name.clone(),
                columns: Vec::new(),
                primary_key: Vec::new(),
                indexes: Vec::new(),
            };
            (name, table)
        })
        .collect();
    let mut columns = columns;
    columns.sort_by(|a, b| (&a.table, a.position).cmp(&(&b.table, b.position)));
    for c in columns {
        if let Some(table) = by_name.get_mut(&c.table) {
            table.columns.push(Column {
                name: c.column,
                column_type: c.column_type,
                nullable: c.nullable,
                default: c.default,
                collation: c.collation,
                timestamp_range: c.timestamp_range,
                timestamp_digits: c.timestamp_digits,
            });
        }
    }
    let mut index_columns = index_columns;
    index_columns
        .sort_by(|a, b| (&a.table, &a.index, a.position).cmp(&(&b.table, &b.index, b.position)));
    for row in index_columns {
        let Some(table) = by_name.get_mut(&row.table) else {
            continue;
        };
        if row.primary {
            table.primary_key.push(row.column);
            continue;
        }
        match table.indexes.iter_mut().find(|i| i.name == row.index) {
            Some(index) => index.columns.push(row.column),
            None => table.indexes.push(Index {
                name: row.index,
                columns: vec![row.column],
                unique: row.unique,
                filter: row.filter,
            }),
        }
    }
    Schema {
        tables: by_name.into_values().collect(),
    }
}

/// `(255)` of `VARCHAR(255)`: the first parenthesised number in a declared type.
pub fn declared_length(declared: &str) -> Option<u32> {
    let open = declared.find('(')?;
    let close = declared[open..].find(')')? + open;
    declared[open + 1..close].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembly_orders_and_folds_primary_keys() {
        let col = |name: &str, position| CatalogColumn {
            table: "t".into(),
            column: name.into(),
            position,
            column_type: ColumnType::Integer,
            nullable: false,
            default: None,
            collation: None,
            timestamp_range: TimestampRange::Full,
            timestamp_digits: None,
        };
        let key = |index: &str, column: &str, position, primary| CatalogIndexColumn {
            table: "t".into(),
            index: index.into(),
            unique: true,
            primary,
            position,
            column: column.into(),
            filter: None,
        };
        let schema = assemble(
            ["t".to_owned(), "empty".to_owned()],
            vec![
                col("b", 2),
                col("a", 1),
                CatalogColumn {
                    table: "gone".into(),
                    ..col("x", 1)
                },
            ],
            vec![
                key("pk", "a", 1, true),
                key("ab", "b", 2, false),
                key("ab", "a", 1, false),
            ],
        );
        assert_eq!(schema.tables.len(), 2);
        let t = schema.table("t").unwrap();
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(t.primary_key, ["a"]);
        assert_eq!(t.indexes[0].columns, ["a", "b"]);
        assert!(schema.table("empty").unwrap().columns.is_empty());
    }

    #[test]
    fn lengths_parse_or_are_absent() {
        assert_eq!(declared_length("VARCHAR(255)"), Some(255));
        assert_eq!(declared_length("varchar( 40 )"), Some(40));
        assert_eq!(declared_length("TEXT"), None);
        assert_eq!(declared_length("DECIMAL(10,2)"), None);
    }
}

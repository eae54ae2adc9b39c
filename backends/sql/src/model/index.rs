//! Indexes, including SQL Server's filtered unique index.

use std::fmt;

/// The `WHERE` clause of a partial (filtered) index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexFilter {
    /// `WHERE column IS NOT NULL`: lets a unique index on SQL Server hold several `NULL`s.
    NotNull(String),
    /// Any other predicate, as the catalog spells it. Only introspection produces it.
    Other(String),
}

impl IndexFilter {
    /// Reads a catalog's predicate text (`([email] IS NOT NULL)`, `email IS NOT NULL`, …):
    /// brackets, quotes and parentheses are dropped before matching `<col> IS NOT NULL`.
    pub fn from_catalog(text: &str) -> IndexFilter {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '(' | ')' | '[' | ']' | '"' | '`'))
            .collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        match words.as_slice() {
            [column, is, not, null]
                if is.eq_ignore_ascii_case("is")
                    && not.eq_ignore_ascii_case("not")
                    && null.eq_ignore_ascii_case("null") =>
            {
                IndexFilter::NotNull((*column).to_owned())
            }
            _ => IndexFilter::Other(text.trim().to_owned()),
        }
    }
}

impl fmt::Display for IndexFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexFilter::NotNull(column) => write!(f, "{column} IS NOT NULL"),
            IndexFilter::Other(text) => f.write_str(text),
        }
    }
}

/// An index other than the primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Index {
    /// The index name, e.g. `compound_id`.
    pub name: String,
    /// The indexed columns, in key order.
    pub columns: Vec<String>,
    /// Whether the index enforces uniqueness.
    pub unique: bool,
    /// The partial-index predicate, if any.
    pub filter: Option<IndexFilter>,
}

impl Index {
    /// Whether `other` has the same shape (uniqueness, columns, filter), whatever its name.
    pub fn same_shape(&self, other: &Index) -> bool {
        self.unique == other.unique && self.columns == other.columns && self.filter == other.filter
    }

    /// The shape without the name, e.g. `UNIQUE (email) WHERE email IS NOT NULL`.
    pub fn shape(&self) -> String {
        let mut s = format!(
            "{}({})",
            if self.unique { "UNIQUE " } else { "" },
            self.columns.join(", ")
        );
        if let Some(filter) = &self.filter {
            s.push_str(&format!(" WHERE {filter}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_from_each_catalog_spelling() {
        for text in [
            "([email] IS NOT NULL)",
            "email IS NOT NULL",
            "(\"email\" is not null)",
        ] {
            assert_eq!(
                IndexFilter::from_catalog(text),
                IndexFilter::NotNull("email".into())
            );
        }
        assert_eq!(
            IndexFilter::from_catalog("(email <> '')"),
            IndexFilter::Other("(email <> '')".into())
        );
    }
}

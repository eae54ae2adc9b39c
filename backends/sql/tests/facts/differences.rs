//! The differences between the documented facts and ours, one per aspect.

use super::{ColumnFacts, IndexFacts, TableFacts};
use std::collections::BTreeMap;
use std::fmt;

/// One aspect in which our schema differs from the documented one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The table.
    pub table: String,
    /// `column <name>`, `index <name>` or `table`.
    pub target: String,
    /// `presence`, `type`, `nullable`, `default`, `unique`, `columns`, `filter`,
    /// `primary_key` or `options`.
    pub aspect: String,
    /// What the docs state.
    pub docs: String,
    /// What we generate.
    pub ours: String,
}

impl fmt::Display for Difference {
    /// `users.column image type: docs TEXT, ours VARCHAR(255)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} {}: docs {}, ours {}",
            self.table, self.target, self.aspect, self.docs, self.ours
        )
    }
}

const ABSENT: &str = "absent";
const PRESENT: &str = "present";
const NONE: &str = "none";

/// Every difference between `docs` and `ours`, sorted.
pub fn differences(
    docs: &BTreeMap<String, TableFacts>,
    ours: &BTreeMap<String, TableFacts>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |table: &str, target: String, aspect: &str, docs: String, ours: String| {
        if docs != ours {
            out.push(Difference {
                table: table.to_owned(),
                target,
                aspect: aspect.to_owned(),
                docs,
                ours,
            });
        }
    };
    let names: std::collections::BTreeSet<&String> = docs.keys().chain(ours.keys()).collect();
    for name in names {
        let (d, o) = match (docs.get(name), ours.get(name)) {
            (Some(d), Some(o)) => (d, o),
            (d, _) => {
                let (docs_has, ours_has) = if d.is_some() {
                    (PRESENT, ABSENT)
                } else {
                    (ABSENT, PRESENT)
                };
                push(
                    name,
                    "table".into(),
                    "presence",
                    docs_has.into(),
                    ours_has.into(),
                );
                continue;
            }
        };
        push(
            name,
            "table".into(),
            "primary_key",
            key(&d.primary_key),
            key(&o.primary_key),
        );
        push(
            name,
            "table".into(),
            "options",
            or_none(&d.options),
            or_none(&o.options),
        );
        let columns = union(
            d.columns.iter().map(|c| &c.name),
            o.columns.iter().map(|c| &c.name),
        );
        for column in columns {
            let find = |facts: &TableFacts| -> Option<ColumnFacts> {
                facts.columns.iter().find(|c| c.name == column).cloned()
            };
            let target = format!("column {column}");
            match (find(d), find(o)) {
                (Some(dc), Some(oc)) => {
                    push(name, target.clone(), "type", dc.column_type, oc.column_type);
                    push(
                        name,
                        target.clone(),
                        "nullable",
                        null(dc.nullable),
                        null(oc.nullable),
                    );
                    push(name, target, "default", opt(dc.default), opt(oc.default));
                }
                (dc, _) => presence(&mut push, name, target, dc.is_some()),
            }
        }
        let indexes = union(
            d.indexes.iter().map(|i| &i.name),
            o.indexes.iter().map(|i| &i.name),
        );
        for index in indexes {
            let find = |facts: &TableFacts| -> Option<IndexFacts> {
                facts.indexes.iter().find(|i| i.name == index).cloned()
            };
            let target = format!("index {index}");
            match (find(d), find(o)) {
                (Some(di), Some(oi)) => {
                    push(
                        name,
                        target.clone(),
                        "unique",
                        unique(di.unique),
                        unique(oi.unique),
                    );
                    push(
                        name,
                        target.clone(),
                        "columns",
                        key(&di.columns),
                        key(&oi.columns),
                    );
                    push(name, target, "filter", opt(di.filter), opt(oi.filter));
                }
                (di, _) => presence(&mut push, name, target, di.is_some()),
            }
        }
    }
    out.sort();
    out
}

fn presence(
    push: &mut impl FnMut(&str, String, &str, String, String),
    table: &str,
    target: String,
    in_docs: bool,
) {
    let (d, o) = if in_docs {
        (PRESENT, ABSENT)
    } else {
        (ABSENT, PRESENT)
    };
    push(table, target, "presence", d.into(), o.into());
}

fn union<'a>(
    a: impl Iterator<Item = &'a String>,
    b: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in a.chain(b) {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

fn key(columns: &[String]) -> String {
    if columns.is_empty() {
        NONE.into()
    } else {
        format!("({})", columns.join(", "))
    }
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        NONE.into()
    } else {
        text.to_owned()
    }
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_else(|| NONE.into())
}

fn null(nullable: bool) -> String {
    if nullable {
        "NULL".into()
    } else {
        "NOT NULL".into()
    }
}

fn unique(unique: bool) -> String {
    if unique {
        "UNIQUE".into()
    } else {
        "non-unique".into()
    }
}

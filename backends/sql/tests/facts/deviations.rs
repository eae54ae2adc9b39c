//! `fixtures/schemas/deviations.toml`: every deliberate difference between the documented
//! schemas and ours, with the reason.

use super::differences::Difference;
use serde::Deserialize;

/// The file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviations {
    /// The entries.
    pub deviation: Vec<Deviation>,
}

/// One deliberate difference. `table`, `column` and `index` may be `*` to cover every
/// table, column or index with exactly these `docs` and `ours` values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// `postgres`, `mysql` or `mssql`.
    pub dialect: String,
    /// The table, or `*`.
    pub table: String,
    /// The column, or `*`; absent for index and table entries.
    #[serde(default)]
    pub column: Option<String>,
    /// The index, or `*`; absent for column and table entries.
    #[serde(default)]
    pub index: Option<String>,
    /// The aspect, as in [`Difference::aspect`].
    pub aspect: String,
    /// What the docs state, exactly as the difference reports it.
    pub docs: String,
    /// What we generate, exactly as the difference reports it.
    pub ours: String,
    /// Why we deviate.
    pub why: String,
}

impl Deviation {
    /// Whether this entry explains `difference` (found in `dialect`).
    pub fn covers(&self, dialect: &str, difference: &Difference) -> bool {
        let wild = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        let target_matches = match (&self.column, &self.index) {
            (Some(column), None) => difference
                .target
                .strip_prefix("column ")
                .is_some_and(|c| wild(column, c)),
            (None, Some(index)) => difference
                .target
                .strip_prefix("index ")
                .is_some_and(|i| wild(index, i)),
            (None, None) => difference.target == "table",
            (Some(_), Some(_)) => false,
        };
        self.dialect == dialect
            && wild(&self.table, &difference.table)
            && target_matches
            && self.aspect == difference.aspect
            && self.docs == difference.docs
            && self.ours == difference.ours
    }

    /// A one-line description for failure messages.
    pub fn describe(&self) -> String {
        let target = match (&self.column, &self.index) {
            (Some(c), _) => format!("column {c}"),
            (_, Some(i)) => format!("index {i}"),
            _ => "table".into(),
        };
        format!(
            "{} {}.{} {}: docs {}, ours {}",
            self.dialect, self.table, target, self.aspect, self.docs, self.ours
        )
    }
}

/// Reads `fixtures/schemas/deviations.toml`.
pub fn load() -> Vec<Deviation> {
    let path = super::fixtures_dir().join("deviations.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file: Deviations =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    file.deviation
}

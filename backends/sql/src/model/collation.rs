//! Collations: how a live column compares text, as far as the contract cares.
//!
//! The unique key on `users.email` and every lookup compare with the column's collation,
//! so the collation decides which e-mail matching an adapter on those tables can honestly
//! declare ([`Collation::matching`]). Introspection reads it; the schema check reports every
//! keyed column whose collation is not exact, with what it means.

use nextauth_adapter::EmailMatching;
use std::fmt;

/// How a collation compares, as far as the contract cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollationKind {
    /// Code point by code point (PostgreSQL's deterministic collations, SQLite's `BINARY`,
    /// MySQL's `utf8mb4_0900_bin` and MariaDB's `utf8mb4_nopad_bin`, SQL Server's `_BIN2`).
    Exact,
    /// Code point by code point, but trailing spaces ignored (`PAD SPACE`: MySQL's and
    /// MariaDB's `utf8mb4_bin`).
    ExactPadSpace,
    /// MySQL's and MariaDB's `utf8mb4_general_ci` (and `utf8mb3_general_ci`), which the kit
    /// models exactly ([`nextauth_adapter::collation`]).
    MysqlGeneralCi,
    /// Case- or accent-insensitive in a way the kit does not model (`utf8mb4_unicode_ci`,
    /// `utf8mb4_0900_ai_ci`, SQLite's `NOCASE`, a nondeterministic PostgreSQL collation, SQL
    /// Server's `_CI_` collations, …).
    Unmodelled,
}

/// A live column's collation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Collation {
    /// Its name, as the catalog spells it.
    pub name: String,
    /// How it compares.
    pub kind: CollationKind,
}

impl Collation {
    /// A MySQL or MariaDB collation, by name.
    pub fn mysql(name: &str) -> Collation {
        let lower = name.to_ascii_lowercase();
        let kind = if lower.ends_with("_bin") {
            if lower.contains("nopad") || lower.contains("_0900_") {
                CollationKind::Exact
            } else {
                CollationKind::ExactPadSpace
            }
        } else if lower == "binary" {
            CollationKind::Exact
        } else if matches!(
            lower.as_str(),
            "utf8mb4_general_ci" | "utf8mb3_general_ci" | "utf8_general_ci"
        ) {
            CollationKind::MysqlGeneralCi
        } else {
            CollationKind::Unmodelled
        };
        Collation {
            name: name.to_owned(),
            kind,
        }
    }

    /// A PostgreSQL collation: exact when deterministic (every collation before
    /// `CREATE COLLATION … deterministic = false`).
    pub fn postgres(name: &str, deterministic: bool) -> Collation {
        Collation {
            name: name.to_owned(),
            kind: if deterministic {
                CollationKind::Exact
            } else {
                CollationKind::Unmodelled
            },
        }
    }

    /// A SQLite collation: `BINARY` is exact; `NOCASE` (ASCII case only) and `RTRIM` are not
    /// modelled.
    pub fn sqlite(name: &str) -> Collation {
        Collation {
            name: name.to_owned(),
            kind: if name.eq_ignore_ascii_case("binary") {
                CollationKind::Exact
            } else {
                CollationKind::Unmodelled
            },
        }
    }

    /// A SQL Server collation: the binary ones (`_BIN`, `_BIN2`) are exact (SQL Server
    /// ignores trailing spaces in `=` whatever the collation, as ANSI padding prescribes, so
    /// they are exact up to that); the others are not modelled.
    pub fn mssql(name: &str) -> Collation {
        let upper = name.to_ascii_uppercase();
        Collation {
            name: name.to_owned(),
            kind: if upper.ends_with("_BIN2") || upper.ends_with("_BIN") {
                CollationKind::ExactPadSpace
            } else {
                CollationKind::Unmodelled
            },
        }
    }

    /// The e-mail matching an adapter honestly declares on a column of this collation;
    /// `None` when no declaration is honest there: the kit does not model it, or it is a
    /// `PAD SPACE` one, whose unique key holds `a@x.org ` and `a@x.org` one address while its
    /// case and accents keep them exact (no `EmailMatching` says that; specification H13).
    pub fn matching(&self) -> Option<EmailMatching> {
        match self.kind {
            CollationKind::Exact => Some(EmailMatching::Exact),
            CollationKind::ExactPadSpace => None,
            CollationKind::MysqlGeneralCi => Some(EmailMatching::MysqlGeneralCi),
            CollationKind::Unmodelled => None,
        }
    }

    /// How it compares, in a phrase.
    pub fn meaning(&self) -> &'static str {
        match self.kind {
            CollationKind::Exact => "compares exactly",
            CollationKind::ExactPadSpace => {
                "compares exactly except for trailing spaces (PAD SPACE)"
            }
            CollationKind::MysqlGeneralCi => {
                "ignores case, many accents and trailing spaces (ë = e, İ = i, ß = s) and holds every emoji equal to every other"
            }
            CollationKind::Unmodelled => {
                "compares case- or accent-insensitively in a way the kit does not model"
            }
        }
    }

    /// What it means for a keyed column, which decides the e-mail matching or not
    /// (`decides_matching`: `users.email`, `verification_requests.identifier`).
    pub fn consequence(&self, decides_matching: bool) -> &'static str {
        match (self.kind, decides_matching) {
            (CollationKind::Exact, _) => "nothing",
            (CollationKind::ExactPadSpace, true) => {
                "'a@x.org ' and 'a@x.org' are one key of the unique index, which no declared e-mail matching allows (lookups the adapter filters, a unique key it cannot): convert the column to a NO PAD binary collation"
            }
            (CollationKind::MysqlGeneralCi, true) => {
                "'Ada@x.org' and 'ada@x.org' are one address, in lookups and in the unique index: an adapter here declares email_matching mysql_general_ci"
            }
            (CollationKind::Unmodelled, true) => {
                "no e-mail matching can be declared honestly: convert the column to an exact collation"
            }
            (_, false) => {
                "harmless: these values are lowercase hex tokens, hashes and provider ids, which the adapter compares exactly itself"
            }
        }
    }
}

impl fmt::Display for Collation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_kinds() {
        assert_eq!(
            Collation::mysql("utf8mb4_bin").kind,
            CollationKind::ExactPadSpace
        );
        assert_eq!(
            Collation::mysql("utf8mb4_nopad_bin").kind,
            CollationKind::Exact
        );
        assert_eq!(
            Collation::mysql("utf8mb4_0900_bin").kind,
            CollationKind::Exact
        );
        assert_eq!(
            Collation::mysql("utf8mb4_general_ci").kind,
            CollationKind::MysqlGeneralCi
        );
        assert_eq!(
            Collation::mysql("utf8mb4_unicode_ci").kind,
            CollationKind::Unmodelled
        );
        assert_eq!(Collation::postgres("C", true).kind, CollationKind::Exact);
        assert_eq!(Collation::sqlite("NOCASE").kind, CollationKind::Unmodelled);
        assert_eq!(
            Collation::mysql("utf8mb4_general_ci").matching(),
            Some(EmailMatching::MysqlGeneralCi)
        );
        assert_eq!(Collation::sqlite("NOCASE").matching(), None);
    }
}

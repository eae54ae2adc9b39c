//! Table and index names: the documented defaults, a TypeORM-style prefix and
//! Prisma-`modelMapping`-style per-model table renames.

use crate::error::NameError;
use std::fmt;

/// PostgreSQL truncates identifiers to 63 bytes; the other dialects allow more.
const MAX_NAME_BYTES: usize = 63;

/// One of the four tables of the v3 schema, independent of what it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    /// `users`: one row per person.
    Users,
    /// `accounts`: OAuth accounts linked to users.
    Accounts,
    /// `sessions`: database sessions.
    Sessions,
    /// `verification_requests`: pending e-mail sign-ins.
    VerificationRequests,
}

impl TableKind {
    /// The four tables, in the order the contract (§2) lists them and the DDL creates them.
    pub const ALL: [TableKind; 4] = [
        TableKind::Users,
        TableKind::Accounts,
        TableKind::Sessions,
        TableKind::VerificationRequests,
    ];

    /// The documented table name (`users`, `accounts`, `sessions`, `verification_requests`).
    pub fn default_name(self) -> &'static str {
        match self {
            TableKind::Users => "users",
            TableKind::Accounts => "accounts",
            TableKind::Sessions => "sessions",
            TableKind::VerificationRequests => "verification_requests",
        }
    }

    /// The Prisma model name of the v3 legacy schema (`User`, `Account`, …).
    pub fn prisma_model(self) -> &'static str {
        match self {
            TableKind::Users => "User",
            TableKind::Accounts => "Account",
            TableKind::Sessions => "Session",
            TableKind::VerificationRequests => "VerificationRequest",
        }
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.default_name())
    }
}

/// What the four tables and their indexes are called in one deployment.
///
/// The final table name is `prefix + table`, as TypeORM's `entityPrefix` does; each table
/// can also be renamed outright, as Prisma's `@@map` allows. Index names are the
/// documented ones (`compound_id`, `email`, …) with the same prefix: in PostgreSQL and
/// SQLite index names share one namespace per schema (with tables, in PostgreSQL), so a
/// prefix that separates two deployments' tables must separate their indexes too.
///
/// ```
/// use nextauth_adapter_sql::{SchemaNames, TableKind};
/// let names = SchemaNames { prefix: "nextauth_".into(), ..SchemaNames::default() };
/// assert_eq!(names.table(TableKind::Users), "nextauth_users");
/// assert_eq!(names.index("email"), "nextauth_email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaNames {
    /// Prepended to every table and index name; empty by default.
    pub prefix: String,
    /// The users table, before the prefix.
    pub users: String,
    /// The accounts table, before the prefix.
    pub accounts: String,
    /// The sessions table, before the prefix.
    pub sessions: String,
    /// The verification requests table, before the prefix.
    pub verification_requests: String,
}

impl Default for SchemaNames {
    /// The documented names, no prefix.
    fn default() -> Self {
        SchemaNames {
            prefix: String::new(),
            users: TableKind::Users.default_name().to_owned(),
            accounts: TableKind::Accounts.default_name().to_owned(),
            sessions: TableKind::Sessions.default_name().to_owned(),
            verification_requests: TableKind::VerificationRequests.default_name().to_owned(),
        }
    }
}

impl SchemaNames {
    /// The full name of `kind`'s table: prefix plus (possibly renamed) table name.
    pub fn table(&self, kind: TableKind) -> String {
        let base = match kind {
            TableKind::Users => &self.users,
            TableKind::Accounts => &self.accounts,
            TableKind::Sessions => &self.sessions,
            TableKind::VerificationRequests => &self.verification_requests,
        };
        format!("{}{base}", self.prefix)
    }

    /// The full name of the index documented as `documented`: prefix plus that name.
    pub fn index(&self, documented: &str) -> String {
        format!("{}{documented}", self.prefix)
    }

    /// Which table kind `table` (a full name) is, if any.
    pub fn kind_of(&self, table: &str) -> Option<TableKind> {
        TableKind::ALL.into_iter().find(|k| self.table(*k) == table)
    }

    /// Checks every full table name and the given full index names: each must be a plain
    /// identifier of at most 63 bytes, and no two models may share a table.
    pub fn validate<'a>(
        &self,
        index_names: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), NameError> {
        for (i, kind) in TableKind::ALL.into_iter().enumerate() {
            let name = self.table(kind);
            check_identifier(&format!("table {kind}"), &name)?;
            if let Some(other) = TableKind::ALL[..i].iter().find(|o| self.table(**o) == name) {
                return Err(NameError::Duplicate {
                    first: other.default_name(),
                    second: kind.default_name(),
                    name,
                });
            }
        }
        for index in index_names {
            check_identifier(&format!("index {index}"), index)?;
        }
        Ok(())
    }
}

/// Accepts `[A-Za-z_][A-Za-z0-9_]*` of at most [`MAX_NAME_BYTES`] bytes.
fn check_identifier(what: &str, name: &str) -> Result<(), NameError> {
    let what = what.to_owned();
    let Some(first) = name.chars().next() else {
        return Err(NameError::Empty { what });
    };
    if let Some(ch) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(NameError::InvalidCharacter {
            what,
            name: name.to_owned(),
            ch,
        });
    }
    if first.is_ascii_digit() {
        return Err(NameError::LeadingDigit {
            what,
            name: name.to_owned(),
        });
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(NameError::TooLong {
            what,
            name: name.to_owned(),
            len: name.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_renames_compose() {
        let names = SchemaNames {
            prefix: "nextauth_".into(),
            users: "people".into(),
            ..SchemaNames::default()
        };
        assert_eq!(names.table(TableKind::Users), "nextauth_people");
        assert_eq!(names.table(TableKind::Sessions), "nextauth_sessions");
        assert_eq!(names.kind_of("nextauth_people"), Some(TableKind::Users));
        assert_eq!(names.kind_of("people"), None);
        assert!(names.validate(["nextauth_email"]).is_ok());
    }

    #[test]
    fn bad_names_are_typed_errors() {
        let quote = SchemaNames {
            users: "us\"ers".into(),
            ..SchemaNames::default()
        };
        assert!(matches!(
            quote.validate([]),
            Err(NameError::InvalidCharacter { ch: '"', .. })
        ));
        let digit = SchemaNames {
            prefix: "1x_".into(),
            ..SchemaNames::default()
        };
        assert!(matches!(
            digit.validate([]),
            Err(NameError::LeadingDigit { .. })
        ));
        let empty = SchemaNames {
            sessions: String::new(),
            ..SchemaNames::default()
        };
        assert!(matches!(empty.validate([]), Err(NameError::Empty { .. })));
        let long = SchemaNames {
            prefix: "p".repeat(60),
            ..SchemaNames::default()
        };
        assert!(matches!(long.validate([]), Err(NameError::TooLong { .. })));
        let dup = SchemaNames {
            accounts: "users".into(),
            ..SchemaNames::default()
        };
        assert_eq!(
            dup.validate([]).unwrap_err().to_string(),
            "models users and accounts are both mapped to table \"users\""
        );
        assert!(matches!(
            SchemaNames::default().validate(["bad name"]),
            Err(NameError::InvalidCharacter { ch: ' ', .. })
        ));
    }
}

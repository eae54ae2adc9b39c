//! The statements a [`SqlStore`](super::SqlStore) runs, rendered once per dialect and
//! [`SchemaNames`] so that every backend binds the same parameters in the same order.
//!
//! Parameters appear in each statement in the order they are bound and each exactly once,
//! so one text serves PostgreSQL (`$1`), SQLite (`?1`), MySQL (`?`) and SQL Server (`@P1`).
//! Statements are built when the store is built and run as prepared statements (the drivers
//! cache them per connection). PostgreSQL and SQLite (3.35+) return written rows with
//! `RETURNING`, SQL Server with `OUTPUT INSERTED.…` / `OUTPUT DELETED.…` (before `VALUES` or
//! `WHERE`); the MySQL texts have none, because MySQL 8 lacks it (MariaDB 10.5+ has it): the
//! MySQL stores take the id from `LAST_INSERT_ID()` and read back where they must.
//! `tests/queries_parse.rs` parses every text in its dialect.

use crate::dialect::Dialect;
use crate::names::{SchemaNames, TableKind};
use nextauth_adapter::EmailMatching;
use std::sync::Arc;

/// The `users` columns in the order stores decode them.
pub const USER_COLUMNS: [&str; 7] = [
    "id",
    "name",
    "email",
    "email_verified",
    "image",
    "created_at",
    "updated_at",
];

/// The `accounts` columns in the order stores decode them.
pub const ACCOUNT_COLUMNS: [&str; 11] = [
    "id",
    "compound_id",
    "user_id",
    "provider_type",
    "provider_id",
    "provider_account_id",
    "refresh_token",
    "access_token",
    "access_token_expires",
    "created_at",
    "updated_at",
];

/// The `sessions` columns in the order stores decode them.
pub const SESSION_COLUMNS: [&str; 7] = [
    "id",
    "user_id",
    "expires",
    "session_token",
    "access_token",
    "created_at",
    "updated_at",
];

/// The `verification_requests` columns in the order stores decode them.
pub const VERIFICATION_COLUMNS: [&str; 6] = [
    "id",
    "identifier",
    "token",
    "expires",
    "created_at",
    "updated_at",
];

/// One statement text, cheap to clone into a query.
pub type Sql = Arc<str>;

/// How a write statement gives back the row it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// The statement yields the stored row: `RETURNING <columns>` (PostgreSQL, SQLite 3.35+)
    /// or `OUTPUT INSERTED.<columns>` (SQL Server).
    Returning,
    /// The statement returns nothing: an insert's id is the driver's last insert id, and an
    /// update is followed by a read of the row (MySQL 8, which has no `RETURNING`).
    LastInsertId,
}

/// How `delete_user` with cascade removes a user with its accounts and sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cascade {
    /// One statement, `id` its only parameter, deleting the user and, only if it existed,
    /// its accounts and sessions (PostgreSQL's data-modifying `WITH`).
    OneStatement(Sql),
    /// Three statements in one transaction: [`Queries::delete_user`], then, only if it
    /// deleted a row, [`Queries::delete_accounts_of_user`] and
    /// [`Queries::delete_sessions_of_user`].
    Transaction,
}

/// Every statement of a store, rendered for one dialect and set of names. Each field's
/// documentation lists its parameters in binding order.
#[derive(Debug, Clone)]
pub struct Queries {
    /// How inserts and updates give back the stored row.
    pub writes: Writes,
    /// `name, email, email_verified, image, created_at, updated_at`.
    pub insert_user: Sql,
    /// `id`.
    pub select_user: Sql,
    /// `email`.
    pub select_user_by_email: Sql,
    /// `compound_id`: the account's user, through a join.
    pub select_user_by_compound_id: Sql,
    /// `name, email, email_verified, image, updated_at, id`.
    pub update_user: Sql,
    /// `id`.
    pub delete_user: Sql,
    /// How the cascading delete runs.
    pub delete_user_cascade: Cascade,
    /// `user_id`.
    pub delete_accounts_of_user: Sql,
    /// `user_id`.
    pub delete_sessions_of_user: Sql,
    /// `compound_id, user_id, provider_type, provider_id, provider_account_id,
    /// refresh_token, access_token, access_token_expires, created_at, updated_at`.
    pub insert_account: Sql,
    /// `id`.
    pub select_account: Sql,
    /// `compound_id, user_id`.
    pub delete_account: Sql,
    /// `user_id, expires, session_token, access_token, created_at, updated_at`.
    pub insert_session: Sql,
    /// `session_token`.
    pub select_session: Sql,
    /// `id`.
    pub select_session_by_id: Sql,
    /// `expires (NULL keeps it), updated_at, id, session_token`.
    pub update_session: Sql,
    /// `id, now`.
    pub delete_expired_session: Sql,
    /// `session_token`.
    pub delete_session: Sql,
    /// `identifier, token, expires, created_at, updated_at`.
    pub insert_verification: Sql,
    /// `id`.
    pub select_verification_by_id: Sql,
    /// `token`.
    pub select_verification: Sql,
    /// Deletes and returns the row in one statement. MySQL 8 cannot run it (MariaDB can): a
    /// store on a server without `DELETE … RETURNING` selects the row by token, checks it
    /// and deletes it by id.
    pub consume_verification: ByIdentifier,
    /// Deletes the row.
    pub delete_verification: ByIdentifier,
    /// `id`.
    pub delete_verification_by_id: Sql,
}

/// A statement on a verification request by token and identifier, in both ways the
/// identifier can be compared: byte for byte, or as the column's collation compares (what a
/// declared [`EmailMatching`] other than `Exact` means: MySQL's `utf8mb4_general_ci`, say).
/// On PostgreSQL and SQLite, whose `=` is byte-exact, the two are one text.
#[derive(Debug, Clone)]
pub struct ByIdentifier {
    /// `token, identifier` (MySQL and SQL Server: `token, identifier, identifier`: a
    /// byte-length check beside `=`, which their padding comparison, binary collations
    /// included, would satisfy with trailing spaces).
    pub exact: Sql,
    /// `token, identifier`: the identifier compared by the column's collation.
    pub collated: Sql,
    /// Whether `exact` binds the identifier twice.
    pub exact_binds_twice: bool,
}

impl ByIdentifier {
    /// The text for identifiers compared under `matching`, and how many times it binds the
    /// identifier (after the token).
    pub fn under(&self, matching: EmailMatching) -> (&Sql, usize) {
        match matching {
            EmailMatching::Exact => (&self.exact, if self.exact_binds_twice { 2 } else { 1 }),
            EmailMatching::CaseInsensitive | EmailMatching::MysqlGeneralCi => (&self.collated, 1),
        }
    }
}

impl Queries {
    /// The statements for `dialect` over the tables `names` names.
    pub fn new(dialect: Dialect, names: &SchemaNames) -> Queries {
        Render::new(dialect, names).queries()
    }

    /// Every statement text a store may send, each with its field's name (the verification
    /// statements once per way of comparing the identifier): for checks that must see them
    /// all, such as parsing each in its dialect.
    pub fn all(&self) -> Vec<(&'static str, &Sql)> {
        let mut all = vec![
            ("insert_user", &self.insert_user),
            ("select_user", &self.select_user),
            ("select_user_by_email", &self.select_user_by_email),
            (
                "select_user_by_compound_id",
                &self.select_user_by_compound_id,
            ),
            ("update_user", &self.update_user),
            ("delete_user", &self.delete_user),
            ("delete_accounts_of_user", &self.delete_accounts_of_user),
            ("delete_sessions_of_user", &self.delete_sessions_of_user),
            ("insert_account", &self.insert_account),
            ("select_account", &self.select_account),
            ("delete_account", &self.delete_account),
            ("insert_session", &self.insert_session),
            ("select_session", &self.select_session),
            ("select_session_by_id", &self.select_session_by_id),
            ("update_session", &self.update_session),
            ("delete_expired_session", &self.delete_expired_session),
            ("delete_session", &self.delete_session),
            ("insert_verification", &self.insert_verification),
            ("select_verification_by_id", &self.select_verification_by_id),
            ("select_verification", &self.select_verification),
            (
                "consume_verification (exact)",
                &self.consume_verification.exact,
            ),
            (
                "consume_verification (collated)",
                &self.consume_verification.collated,
            ),
            (
                "delete_verification (exact)",
                &self.delete_verification.exact,
            ),
            (
                "delete_verification (collated)",
                &self.delete_verification.collated,
            ),
            ("delete_verification_by_id", &self.delete_verification_by_id),
        ];
        if let Cascade::OneStatement(sql) = &self.delete_user_cascade {
            all.push(("delete_user_cascade", sql));
        }
        all
    }
}

/// Rendering helpers for one dialect.
struct Render<'a> {
    dialect: Dialect,
    names: &'a SchemaNames,
}

impl Render<'_> {
    fn new(dialect: Dialect, names: &SchemaNames) -> Render<'_> {
        Render { dialect, names }
    }

    fn table(&self, kind: TableKind) -> String {
        self.dialect.quote(&self.names.table(kind))
    }

    fn cols(&self, columns: &[&str], prefix: &str) -> String {
        columns
            .iter()
            .map(|c| format!("{prefix}{}", self.dialect.quote(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The `n`-th parameter (1-based).
    fn p(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Postgres => format!("${n}"),
            Dialect::Sqlite => format!("?{n}"),
            Dialect::MySql => "?".to_owned(),
            Dialect::MsSql => format!("@P{n}"),
        }
    }

    /// Whether writes give back the rows they wrote: `RETURNING` (PostgreSQL, SQLite) or
    /// `OUTPUT` (SQL Server).
    fn returning(&self) -> bool {
        self.dialect != Dialect::MySql
    }

    /// What a write appends at its end to return `all` (`RETURNING …`), or nothing.
    fn returning_suffix(&self, all: &[&str]) -> String {
        match self.dialect {
            Dialect::Postgres | Dialect::Sqlite => format!(" RETURNING {}", self.cols(all, "")),
            Dialect::MySql | Dialect::MsSql => String::new(),
        }
    }

    /// What a write puts before its `VALUES` or `WHERE` to return `all` as `image`
    /// (`INSERTED` or `DELETED`) holds them: SQL Server's `OUTPUT`, or nothing.
    fn output(&self, image: &str, all: &[&str]) -> String {
        match self.dialect {
            Dialect::MsSql => format!(" OUTPUT {}", self.cols(all, &format!("{image}."))),
            _ => String::new(),
        }
    }

    fn insert(&self, kind: TableKind, columns: &[&str], all: &[&str]) -> Sql {
        let params: Vec<String> = (1..=columns.len()).map(|n| self.p(n)).collect();
        format!(
            "INSERT INTO {} ({}){} VALUES ({}){}",
            self.table(kind),
            self.cols(columns, ""),
            self.output("INSERTED", all),
            params.join(", "),
            self.returning_suffix(all)
        )
        .into()
    }

    fn select(&self, kind: TableKind, all: &[&str], column: &str) -> Sql {
        format!(
            "SELECT {} FROM {} WHERE {} = {}",
            self.cols(all, ""),
            self.table(kind),
            self.dialect.quote(column),
            self.p(1)
        )
        .into()
    }

    fn delete(&self, kind: TableKind, columns: &[&str]) -> Sql {
        let conditions: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = {}", self.dialect.quote(c), self.p(i + 1)))
            .collect();
        format!(
            "DELETE FROM {} WHERE {}",
            self.table(kind),
            conditions.join(" AND ")
        )
        .into()
    }

    fn queries(&self) -> Queries {
        use TableKind::{Accounts, Sessions, Users, VerificationRequests};
        let q = |c: &str| self.dialect.quote(c);
        let users = self.table(Users);
        let accounts = self.table(Accounts);
        let sessions = self.table(Sessions);
        let update_user = format!(
            "UPDATE {users} SET {} = {}, {} = {}, {} = {}, {} = {}, {} = {}{} WHERE {} = {}{}",
            q("name"),
            self.p(1),
            q("email"),
            self.p(2),
            q("email_verified"),
            self.p(3),
            q("image"),
            self.p(4),
            q("updated_at"),
            self.p(5),
            self.output("INSERTED", &USER_COLUMNS),
            q("id"),
            self.p(6),
            self.returning_suffix(&USER_COLUMNS)
        );
        let update_session = format!(
            "UPDATE {sessions} SET {e} = COALESCE({}, {e}), {} = {}{} WHERE {} = {} AND {} = {}{}",
            self.p(1),
            q("updated_at"),
            self.p(2),
            self.output("INSERTED", &SESSION_COLUMNS),
            q("id"),
            self.p(3),
            q("session_token"),
            self.p(4),
            self.returning_suffix(&SESSION_COLUMNS),
            e = q("expires"),
        );
        let delete_user_cascade = if self.dialect == Dialect::Postgres {
            Cascade::OneStatement(
                format!(
                    "WITH u AS (DELETE FROM {users} WHERE {id} = $1 RETURNING {id}), \
                 a AS (DELETE FROM {accounts} WHERE {uid} IN (SELECT {id} FROM u)), \
                 s AS (DELETE FROM {sessions} WHERE {uid} IN (SELECT {id} FROM u)) \
                 SELECT COUNT(*) FROM u",
                    id = q("id"),
                    uid = q("user_id"),
                )
                .into(),
            )
        } else {
            Cascade::Transaction
        };
        let verifications = self.table(VerificationRequests);
        // MySQL's and SQL Server's `=` ignore trailing spaces whatever the collation: there an
        // exact comparison also checks the byte length, binding the identifier again.
        let exact_binds_twice = matches!(self.dialect, Dialect::MySql | Dialect::MsSql);
        let collated_where = format!(
            "{} = {} AND {} = {}",
            q("token"),
            self.p(1),
            q("identifier"),
            self.p(2)
        );
        let exact_where = if exact_binds_twice {
            let length = if self.dialect == Dialect::MsSql {
                "DATALENGTH"
            } else {
                "LENGTH"
            };
            format!(
                "{collated_where} AND {length}({}) = {length}({})",
                q("identifier"),
                self.p(3)
            )
        } else {
            collated_where.clone()
        };
        let delete = |condition: &str| -> Sql {
            format!("DELETE FROM {verifications} WHERE {condition}").into()
        };
        // Every dialect's delete that returns the row, including MariaDB's `DELETE …
        // RETURNING` (MySQL 8 has none) and SQL Server's `OUTPUT DELETED.…`.
        let consume = |condition: &str| -> Sql {
            format!(
                "DELETE FROM {verifications}{} WHERE {condition}{}",
                self.output("DELETED", &VERIFICATION_COLUMNS),
                match self.dialect {
                    Dialect::MsSql => String::new(),
                    _ => format!(" RETURNING {}", self.cols(&VERIFICATION_COLUMNS, "")),
                }
            )
            .into()
        };
        let consume_verification = ByIdentifier {
            exact: consume(&exact_where),
            collated: consume(&collated_where),
            exact_binds_twice,
        };
        let delete_verification = ByIdentifier {
            exact: delete(&exact_where),
            collated: delete(&collated_where),
            exact_binds_twice,
        };
        Queries {
            writes: if self.returning() {
                Writes::Returning
            } else {
                Writes::LastInsertId
            },
            insert_user: self.insert(Users, &USER_COLUMNS[1..], &USER_COLUMNS),
            select_user: self.select(Users, &USER_COLUMNS, "id"),
            select_user_by_email: self.select(Users, &USER_COLUMNS, "email"),
            select_user_by_compound_id: format!(
                "SELECT {} FROM {accounts} a JOIN {users} u ON u.{id} = a.{uid} WHERE a.{cid} = {}",
                self.cols(&USER_COLUMNS, "u."),
                self.p(1),
                id = q("id"),
                uid = q("user_id"),
                cid = q("compound_id"),
            )
            .into(),
            update_user: update_user.into(),
            delete_user: self.delete(Users, &["id"]),
            delete_user_cascade,
            delete_accounts_of_user: self.delete(Accounts, &["user_id"]),
            delete_sessions_of_user: self.delete(Sessions, &["user_id"]),
            insert_account: self.insert(Accounts, &ACCOUNT_COLUMNS[1..], &ACCOUNT_COLUMNS),
            select_account: self.select(Accounts, &ACCOUNT_COLUMNS, "id"),
            delete_account: self.delete(Accounts, &["compound_id", "user_id"]),
            insert_session: self.insert(Sessions, &SESSION_COLUMNS[1..], &SESSION_COLUMNS),
            select_session: self.select(Sessions, &SESSION_COLUMNS, "session_token"),
            select_session_by_id: self.select(Sessions, &SESSION_COLUMNS, "id"),
            update_session: update_session.into(),
            delete_expired_session: format!(
                "DELETE FROM {sessions} WHERE {} = {} AND {} < {}",
                q("id"),
                self.p(1),
                q("expires"),
                self.p(2)
            )
            .into(),
            delete_session: self.delete(Sessions, &["session_token"]),
            insert_verification: self.insert(
                VerificationRequests,
                &VERIFICATION_COLUMNS[1..],
                &VERIFICATION_COLUMNS,
            ),
            select_verification_by_id: self.select(
                VerificationRequests,
                &VERIFICATION_COLUMNS,
                "id",
            ),
            select_verification: self.select(VerificationRequests, &VERIFICATION_COLUMNS, "token"),
            consume_verification,
            delete_verification,
            delete_verification_by_id: self.delete(VerificationRequests, &["id"]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_per_dialect() {
        let names = SchemaNames {
            prefix: "na_".into(),
            ..SchemaNames::default()
        };
        let pg = Queries::new(Dialect::Postgres, &names);
        assert_eq!(
            &*pg.insert_user,
            "INSERT INTO \"na_users\" (\"name\", \"email\", \"email_verified\", \"image\", \"created_at\", \"updated_at\") \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING \"id\", \"name\", \"email\", \"email_verified\", \"image\", \"created_at\", \"updated_at\""
        );
        assert!(matches!(pg.delete_user_cascade, Cascade::OneStatement(_)));
        assert_eq!(
            &*pg.consume_verification.exact,
            "DELETE FROM \"na_verification_requests\" WHERE \"token\" = $1 AND \"identifier\" = $2 \
             RETURNING \"id\", \"identifier\", \"token\", \"expires\", \"created_at\", \"updated_at\""
        );
        assert_eq!(
            pg.consume_verification.exact,
            pg.consume_verification.collated
        );
        let my = Queries::new(Dialect::MySql, &names);
        assert_eq!(
            &*my.delete_session,
            "DELETE FROM `na_sessions` WHERE `session_token` = ?"
        );
        assert_eq!(my.writes, Writes::LastInsertId);
        assert_eq!(my.delete_user_cascade, Cascade::Transaction);
        assert!(
            my.consume_verification
                .exact
                .contains("LENGTH(`identifier`) = LENGTH(?) RETURNING `id`")
        );
        // Under a declared collation (general_ci), the identifier is compared by it alone.
        let (collated, binds) = my.consume_verification.under(EmailMatching::MysqlGeneralCi);
        assert_eq!(binds, 1);
        assert!(!collated.contains("LENGTH"), "{collated}");
        assert_eq!(my.delete_verification.under(EmailMatching::Exact).1, 2);
        assert!(my.update_user.ends_with("WHERE `id` = ?"));
        let lite = Queries::new(Dialect::Sqlite, &names);
        assert_eq!(
            &*lite.delete_account,
            "DELETE FROM \"na_accounts\" WHERE \"compound_id\" = ?1 AND \"user_id\" = ?2"
        );
        assert!(lite.update_session.contains("COALESCE(?1, \"expires\")"));
        assert!(
            lite.select_user_by_compound_id
                .contains("JOIN \"na_users\" u")
        );
    }
}

//! How each dialect spells the model's logical types and defaults.
//!
//! | logical   | PostgreSQL    | MySQL / MariaDB       | SQLite                  | SQL Server        |
//! |-----------|---------------|-----------------------|-------------------------|-------------------|
//! | Id        | `SERIAL`      | `INT AUTO_INCREMENT`  | `INTEGER … AUTOINCREMENT` | `INT IDENTITY(1,1)` |
//! | Integer   | `INTEGER`     | `INTEGER`             | `INTEGER`               | `INT`             |
//! | Varchar(n)| `VARCHAR(n)`  | `VARCHAR(n)`          | `VARCHAR(n)`            | `NVARCHAR(n)`     |
//! | Text      | `TEXT`        | `TEXT`                | `TEXT`                  | `NVARCHAR(MAX)`   |
//! | Timestamp | `TIMESTAMPTZ` | `DATETIME(6)`         | `DATETIME`              | `DATETIME2(6)`    |
//! | now       | `CURRENT_TIMESTAMP` | `CURRENT_TIMESTAMP(6)` | `CURRENT_TIMESTAMP` | `SYSUTCDATETIME()` |
//!
//! Why, where it departs from the docs (`fixtures/schemas/deviations.toml` lists each):
//! - MySQL `DATETIME(6)` rather than `TIMESTAMP(6)`: no 2038 limit (a long session
//!   `maxAge` would fail), and none of the legacy implicit `DEFAULT`/`ON UPDATE` rules that
//!   `explicit_defaults_for_timestamp=OFF` gives the first `TIMESTAMP` column. `DATETIME`
//!   stores no zone: backends must write UTC, and the `CURRENT_TIMESTAMP(6)` default is
//!   UTC only when the session `time_zone` is `+00:00` (sqlx sets it by default).
//! - SQL Server `NVARCHAR`: `VARCHAR` with a non-UTF-8 collation cannot hold arbitrary
//!   Unicode; `NVARCHAR(n)` counts UTF-16 code units, so a character outside the BMP takes
//!   two of the 255. `NVARCHAR(MAX)` replaces `text`, deprecated since SQL Server 2005.
//!   String columns are `COLLATE Latin1_General_100_BIN2` ([`MSSQL_STRING_COLLATION`]).
//!   `DATETIME2(6)` gives microseconds where `datetime` rounds to 1/300 s, and
//!   `SYSUTCDATETIME()` gives UTC where `getdate()` gives the server's local time.
//! - SQLite has no date type; `DATETIME` is what Prisma and TypeORM declare. Its
//!   `CURRENT_TIMESTAMP` default has whole seconds: backends write timestamps themselves.

use crate::dialect::Dialect;
use crate::model::{ColumnDefault, ColumnType};

/// The table options of every MySQL table: InnoDB (transactions, crash safety) in
/// `utf8mb4` (all of Unicode, where MySQL's `utf8` stops at the BMP) with a binary `NO PAD`
/// collation, so that e-mail addresses and tokens compare exactly on every axis, in lookups
/// and in unique keys alike, as the contract's default `EmailMatching::Exact` requires
/// (specification H13): the server default `utf8mb4_general_ci` would make `A@x.org` and
/// `a@x.org` one unique key, and the older `utf8mb4_bin` is `PAD SPACE`, making `a@x.org `
/// and `a@x.org` one. The rendered DDL names MariaDB's (`utf8mb4_nopad_bin`, MariaDB 10.2.2
/// and later); the stores create tables with [`mysql_ddl_for`] the server they run on, which
/// gives MySQL 8 its own (`utf8mb4_0900_bin`).
pub const MYSQL_TABLE_OPTIONS: &str =
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin";

/// The collation named in [`MYSQL_TABLE_OPTIONS`]: MariaDB's binary `NO PAD` collation.
pub const MYSQL_COLLATION: &str = "utf8mb4_nopad_bin";

/// MySQL 8's binary `NO PAD` collation, which MariaDB lacks.
pub const MYSQL8_COLLATION: &str = "utf8mb4_0900_bin";

/// The binary `NO PAD` collation of the server whose `VERSION()` is `version`: MariaDB's
/// `utf8mb4_nopad_bin`, or MySQL 8's `utf8mb4_0900_bin`. (MySQL 5.7 has none; there the
/// tables would get MySQL 8's name and the server refuses it, with its reason.)
pub fn mysql_collation_for(version: &str) -> &'static str {
    if version.to_ascii_lowercase().contains("mariadb") {
        MYSQL_COLLATION
    } else {
        MYSQL8_COLLATION
    }
}

/// `statements`, the MySQL dialect's DDL as rendered (with [`MYSQL_COLLATION`]), for the
/// server whose `VERSION()` is `version`: what a store runs when it creates tables.
pub fn mysql_ddl_for(version: &str, statements: &[String]) -> Vec<String> {
    let collation = mysql_collation_for(version);
    statements
        .iter()
        .map(|s| s.replace(MYSQL_COLLATION, collation))
        .collect()
}

/// The collation of SQL Server's string columns: code-point comparison, so that e-mail
/// addresses and tokens compare exactly (the contract's default `EmailMatching::Exact`)
/// where the server's default collation (`SQL_Latin1_General_CP1_CI_AS`) ignores case.
/// Its `=` still ignores trailing spaces whatever the collation (ANSI padding): the adapter
/// compares tokens and addresses byte for byte after such a lookup.
pub const MSSQL_STRING_COLLATION: &str = "Latin1_General_100_BIN2";

/// The `COLLATE` clause `dialect` puts after `column_type`, if any: SQL Server's string
/// columns only (MySQL sets its collation per table, see [`MYSQL_TABLE_OPTIONS`]).
pub fn collation_sql(dialect: Dialect, column_type: &ColumnType) -> Option<&'static str> {
    match (dialect, column_type) {
        (Dialect::MsSql, ColumnType::Varchar(_) | ColumnType::Text) => Some(MSSQL_STRING_COLLATION),
        _ => None,
    }
}

/// `column_type` as `dialect` declares it, without nullability. For [`ColumnType::Id`]
/// this includes the generation clause (`AUTO_INCREMENT`, `IDENTITY(1,1)`); SQLite's
/// `PRIMARY KEY AUTOINCREMENT` is added by the DDL renderer, since it must follow `NOT NULL`.
pub fn type_sql(dialect: Dialect, column_type: &ColumnType) -> String {
    use ColumnType as T;
    use Dialect as D;
    match (dialect, column_type) {
        (D::Postgres, T::Id) => "SERIAL".into(),
        (D::MySql, T::Id) => "INT".into(),
        (D::Sqlite, T::Id) => "INTEGER".into(),
        (D::MsSql, T::Id) => "INT IDENTITY(1,1)".into(),
        (D::MsSql, T::Integer) => "INT".into(),
        (_, T::Integer) => "INTEGER".into(),
        (D::MsSql, T::Varchar(n)) => format!("NVARCHAR({n})"),
        (_, T::Varchar(n)) => format!("VARCHAR({n})"),
        (D::MsSql, T::Text) => "NVARCHAR(MAX)".into(),
        (_, T::Text) => "TEXT".into(),
        (D::Postgres, T::Timestamp) => "TIMESTAMPTZ".into(),
        (D::MySql, T::Timestamp) => "DATETIME(6)".into(),
        (D::Sqlite, T::Timestamp) => "DATETIME".into(),
        (D::MsSql, T::Timestamp) => "DATETIME2(6)".into(),
        (_, T::Other(spelling)) => spelling.clone(),
    }
}

/// `default` as `dialect` spells it after `DEFAULT`.
pub fn default_sql(dialect: Dialect, default: &ColumnDefault) -> String {
    match (dialect, default) {
        (Dialect::MySql, ColumnDefault::CurrentTimestamp) => "CURRENT_TIMESTAMP(6)".into(),
        (Dialect::MsSql, ColumnDefault::CurrentTimestamp) => "SYSUTCDATETIME()".into(),
        (_, ColumnDefault::CurrentTimestamp) => "CURRENT_TIMESTAMP".into(),
        (_, ColumnDefault::Other(spelling)) => spelling.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Collation;
    use crate::{CollationKind, SchemaNames, statements};

    #[test]
    fn each_mysql_server_gets_its_no_pad_binary_collation() {
        assert_eq!(
            mysql_collation_for("10.11.6-MariaDB-0+deb12u1"),
            MYSQL_COLLATION
        );
        assert_eq!(mysql_collation_for("8.0.36"), MYSQL8_COLLATION);
        for name in [MYSQL_COLLATION, MYSQL8_COLLATION] {
            assert_eq!(Collation::mysql(name).kind, CollationKind::Exact, "{name}");
        }
        let ddl = statements(Dialect::MySql, &SchemaNames::default()).unwrap();
        let mysql8 = mysql_ddl_for("8.0.36", &ddl);
        assert!(
            mysql8
                .iter()
                .any(|s| s.ends_with("COLLATE=utf8mb4_0900_bin"))
        );
        assert!(mysql8.iter().all(|s| !s.contains("nopad")));
        assert_eq!(mysql_ddl_for("10.11.6-MariaDB", &ddl), ddl);
    }
}

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
/// `utf8mb4` (all of Unicode, where MySQL's `utf8` stops at the BMP) with the binary
/// collation `utf8mb4_bin`, so that e-mail addresses and tokens compare exactly, as the
/// contract's default `EmailMatching::Exact` requires (the server default
/// `utf8mb4_general_ci` would make `A@x.org` and `a@x.org` the same unique key).
/// `utf8mb4_bin` exists on MySQL 5.7+, 8 and MariaDB alike; it is a `PAD SPACE`
/// collation, so trailing spaces are still ignored in comparisons.
pub const MYSQL_TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/// The collation named in [`MYSQL_TABLE_OPTIONS`].
pub const MYSQL_COLLATION: &str = "utf8mb4_bin";

/// The collation of SQL Server's string columns: code-point comparison, so that e-mail
/// addresses and tokens compare exactly (the contract's default `EmailMatching::Exact`)
/// where the server's default collation (`SQL_Latin1_General_CP1_CI_AS`) ignores case.
/// As with MySQL's `utf8mb4_bin`, `=` still ignores trailing spaces (ANSI padding).
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

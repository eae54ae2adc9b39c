//! Without a server: the tables NextAuth v3 documents for SQL Server
//! (`fixtures/schemas/documented/mssql.sql`), as SQL Server's catalog reports them on a
//! server with the default collation, go through the same check `synchronize` and
//! `nextauth-certify schema` run on a live database. The adapter refuses them, and the check
//! says why, before any server exists to show it:
//!
//! - no table has a primary key;
//! - the plain `UNIQUE` index on `users.email` admits one `NULL` on SQL Server, so a second
//!   user without an address would be a conflict (the model's index is filtered);
//! - `users.email` and `verification_requests.identifier` are `VARCHAR` under
//!   `SQL_Latin1_General_CP1_CI_AS`, which compares without case in a way the kit does not
//!   model (and, being `VARCHAR` on code page 1252, cannot store text outside it): no e-mail
//!   matching can be declared honestly;
//! - the other text columns' collation and `DATETIME`'s 3.33 ms grid are facts, allowed.
//!
//! The catalog rows are written by hand from SQL Server's documented catalog behaviour (type
//! names and byte lengths in `sys.columns`, `(getdate())` in `sys.default_constraints`); the
//! live suite (`tests/live.rs`, `synchronize_accepts_the_documented_ddl_and_custom_columns`)
//! checks the same tables on a real server wherever one runs.

use nextauth_adapter_mssql::CAPABILITIES;
use nextauth_adapter_sql::introspect::mssql::{MsSqlColumnRow, MsSqlIndexRow, schema_from_rows};
use nextauth_adapter_sql::{Dialect, DiffEntry, SchemaCheck, SchemaNames};

/// The server's default collation, which the documented script's columns take.
const DEFAULT_COLLATION: &str = "SQL_Latin1_General_CP1_CI_AS";

/// A column as the script declares it: name, type (`identity`, `int`, `varchar`, `text`,
/// `datetime`, or `now` for `datetime` with `DEFAULT getdate()`), nullable.
type Declared = (&'static str, &'static str, bool);

/// `(table, its columns)`, in the script's order.
const TABLES: [(&str, &[Declared]); 4] = [
    (
        "accounts",
        &[
            ("id", "identity", false),
            ("compound_id", "varchar", false),
            ("user_id", "int", false),
            ("provider_type", "varchar", false),
            ("provider_id", "varchar", false),
            ("provider_account_id", "varchar", false),
            ("refresh_token", "text", true),
            ("access_token", "text", true),
            ("access_token_expires", "datetime", true),
            ("created_at", "now", false),
            ("updated_at", "now", false),
        ],
    ),
    (
        "sessions",
        &[
            ("id", "identity", false),
            ("user_id", "int", false),
            ("expires", "datetime", false),
            ("session_token", "varchar", false),
            ("access_token", "varchar", false),
            ("created_at", "now", false),
            ("updated_at", "now", false),
        ],
    ),
    (
        "users",
        &[
            ("id", "identity", false),
            ("name", "varchar", true),
            ("email", "varchar", true),
            ("email_verified", "datetime", true),
            ("image", "varchar", true),
            ("created_at", "now", false),
            ("updated_at", "now", false),
        ],
    ),
    (
        "verification_requests",
        &[
            ("id", "identity", false),
            ("identifier", "varchar", false),
            ("token", "varchar", false),
            ("expires", "datetime", false),
            ("created_at", "now", false),
            ("updated_at", "now", false),
        ],
    ),
];

/// `(table, index, unique, column)`: the script's indexes, one column each.
const INDEXES: [(&str, &str, bool, &str); 8] = [
    ("accounts", "compound_id", true, "compound_id"),
    (
        "accounts",
        "provider_account_id",
        false,
        "provider_account_id",
    ),
    ("accounts", "provider_id", false, "provider_id"),
    ("accounts", "user_id", false, "user_id"),
    ("sessions", "access_token", true, "access_token"),
    ("sessions", "session_token", true, "session_token"),
    ("users", "email", true, "email"),
    ("verification_requests", "token", true, "token"),
];

/// What `sys.columns` and its joins report for one declared column.
fn column(
    table: &str,
    position: usize,
    name: &str,
    declared: &str,
    nullable: bool,
) -> MsSqlColumnRow {
    // (type name, max_length in bytes, collation, default definition)
    let (type_name, max_length, collation, default) = match declared {
        "identity" | "int" => ("int", 4, None, None),
        "varchar" => ("varchar", 255, Some(DEFAULT_COLLATION), None),
        "text" => ("text", 16, Some(DEFAULT_COLLATION), None),
        "datetime" => ("datetime", 8, None, None),
        "now" => ("datetime", 8, None, Some("(getdate())")),
        other => panic!("no catalog row for {other}"),
    };
    MsSqlColumnRow {
        table_name: table.to_owned(),
        column_name: name.to_owned(),
        column_id: i32::try_from(position + 1).expect("a small position"),
        type_name: type_name.to_owned(),
        max_length,
        is_nullable: nullable,
        is_identity: declared == "identity",
        default_definition: default.map(str::to_owned),
        collation_name: collation.map(str::to_owned),
    }
}

fn documented_check() -> SchemaCheck {
    let columns: Vec<MsSqlColumnRow> = TABLES
        .iter()
        .flat_map(|(table, cols)| {
            cols.iter()
                .enumerate()
                .map(|(i, (name, declared, nullable))| column(table, i, name, declared, *nullable))
        })
        .collect();
    let indexes: Vec<MsSqlIndexRow> = INDEXES
        .iter()
        .map(|(table, index, unique, col)| MsSqlIndexRow {
            table_name: (*table).to_owned(),
            index_name: (*index).to_owned(),
            is_unique: *unique,
            is_primary_key: false,
            filter_definition: None,
            key_ordinal: 1,
            column_name: (*col).to_owned(),
        })
        .collect();
    let live = schema_from_rows(&columns, &indexes).expect("the rows read");
    SchemaCheck::of(Dialect::MsSql, &SchemaNames::default(), live).expect("valid names")
}

#[test]
fn the_documented_tables_are_refused_with_every_reason() {
    let check = documented_check();
    assert!(!check.is_ok());
    let mut errors: Vec<String> = check
        .diff
        .errors()
        .map(|e| match e {
            DiffEntry::PrimaryKeyMismatch { table, found, .. } if found.is_empty() => {
                format!("{table}: no primary key")
            }
            DiffEntry::IndexMismatch {
                table,
                expected,
                found,
            } => format!(
                "{table}.{}: unique {}, filtered {}",
                expected.name,
                found.unique,
                found.filter.is_some()
            ),
            DiffEntry::Collation {
                table,
                column,
                decides_matching: true,
                ..
            } => format!("{table}.{column}: collation decides the matching"),
            other => format!("unexpected: {other:?}"),
        })
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            "accounts: no primary key",
            "sessions: no primary key",
            "users.email: collation decides the matching",
            "users.email: unique true, filtered false",
            "users: no primary key",
            "verification_requests.identifier: collation decides the matching",
            "verification_requests: no primary key",
        ],
        "{}",
        check.diff
    );
    assert!(
        check.adopt(CAPABILITIES).is_err(),
        "no e-mail matching is declarable on these tables"
    );
    let shown = check.diff.to_string();
    assert!(
        shown.contains("UNIQUE (email) WHERE email IS NOT NULL"),
        "{shown}"
    );
}

#[test]
fn only_the_deciding_columns_collation_is_an_error() {
    let check = documented_check();
    let allowed: Vec<String> = check
        .diff
        .entries
        .iter()
        .filter_map(|e| match e {
            DiffEntry::Collation {
                table,
                column,
                decides_matching: false,
                ..
            } => Some(format!("{table}.{column}")),
            _ => None,
        })
        .collect();
    assert_eq!(allowed.len(), 6, "{allowed:?}");
    assert!(
        !check.diff.errors().any(|e| matches!(
            e,
            DiffEntry::TimestampDigits { .. } | DiffEntry::ColumnTypeMismatch { .. }
        )),
        "DATETIME and TEXT are types the adapter works with:\n{}",
        check.diff
    );
}

//! Every generated DDL statement parses in its own dialect with `sqlparser`, under both
//! the documented and a mapped set of names: a syntax slip in a renderer fails here
//! rather than on a user's database.
//!
//! `sqlparser` accepts every construct we emit, SQL Server's filtered index
//! (`CREATE UNIQUE INDEX … WHERE [email] IS NOT NULL`) and `NVARCHAR(MAX)` included, so
//! nothing is skipped. Parsing is a syntax check only: the live tests (PostgreSQL,
//! MariaDB, SQLite) prove the DDL is accepted by real servers.

use nextauth_adapter_sql::{Dialect, SchemaNames, script, statements};
use sqlparser::dialect::{MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// `sqlparser`'s dialect for ours.
fn parser_dialect(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::MySql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::MsSql => Box::new(MsSqlDialect {}),
    }
}

fn name_sets() -> [SchemaNames; 2] {
    [
        SchemaNames::default(),
        SchemaNames {
            prefix: "nextauth_".into(),
            users: "user".into(),
            accounts: "account".into(),
            sessions: "session".into(),
            verification_requests: "verification_request".into(),
        },
    ]
}

#[test]
fn every_statement_parses_in_its_dialect() {
    for dialect in Dialect::ALL {
        for names in name_sets() {
            for statement in statements(dialect, &names).expect("valid names") {
                let parsed = Parser::parse_sql(parser_dialect(dialect).as_ref(), &statement)
                    .unwrap_or_else(|e| panic!("{dialect}: {e}\n{statement}"));
                assert_eq!(
                    parsed.len(),
                    1,
                    "{dialect}: one statement each\n{statement}"
                );
            }
        }
    }
}

#[test]
fn every_script_parses_as_twelve_statements() {
    for dialect in Dialect::ALL {
        for names in name_sets() {
            let sql = script(dialect, &names).expect("valid names");
            let parsed = Parser::parse_sql(parser_dialect(dialect).as_ref(), &sql)
                .unwrap_or_else(|e| panic!("{dialect}: {e}\n{sql}"));
            assert_eq!(parsed.len(), 12, "{dialect}: four tables and eight indexes");
        }
    }
}

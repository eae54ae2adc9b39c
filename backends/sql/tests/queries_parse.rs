//! Every statement a store sends (`Queries`, rendered per dialect) parses in its own dialect
//! with `sqlparser`, under the documented and a mapped set of names. For SQL Server, where
//! no server runs on this project's machines, this is the check that every statement the
//! adapter can send is well formed; on the other dialects the live suites run them too.

use nextauth_adapter_sql::adapter::Queries;
use nextauth_adapter_sql::{Dialect, SchemaNames};
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
fn every_statement_a_store_sends_parses_in_its_dialect() {
    for dialect in Dialect::ALL {
        for names in name_sets() {
            let queries = Queries::new(dialect, &names);
            let all = queries.all();
            assert!(all.len() >= 25, "{dialect}: {} statements", all.len());
            for (field, sql) in all {
                let parsed = Parser::parse_sql(parser_dialect(dialect).as_ref(), sql)
                    .unwrap_or_else(|e| panic!("{dialect} {field}: {e}\n{sql}"));
                assert_eq!(parsed.len(), 1, "{dialect} {field}: one statement\n{sql}");
            }
        }
    }
}

#[test]
fn sql_server_writes_return_their_rows_with_output_and_bind_named_parameters() {
    let queries = Queries::new(Dialect::MsSql, &SchemaNames::default());
    assert_eq!(
        &*queries.insert_session,
        "INSERT INTO [sessions] ([user_id], [expires], [session_token], [access_token], [created_at], [updated_at]) \
         OUTPUT INSERTED.[id], INSERTED.[user_id], INSERTED.[expires], INSERTED.[session_token], INSERTED.[access_token], INSERTED.[created_at], INSERTED.[updated_at] \
         VALUES (@P1, @P2, @P3, @P4, @P5, @P6)"
    );
    assert!(
        queries
            .update_user
            .contains("OUTPUT INSERTED.[id], INSERTED.[name]"),
        "{}",
        queries.update_user
    );
    assert!(queries.update_user.ends_with("WHERE [id] = @P6"));
    // An exact identifier also compares byte lengths: SQL Server's `=` pads trailing spaces.
    let (exact, binds) = queries
        .consume_verification
        .under(nextauth_adapter::EmailMatching::Exact);
    assert_eq!(binds, 2);
    assert_eq!(
        &**exact,
        "DELETE FROM [verification_requests] OUTPUT DELETED.[id], DELETED.[identifier], DELETED.[token], \
         DELETED.[expires], DELETED.[created_at], DELETED.[updated_at] \
         WHERE [token] = @P1 AND [identifier] = @P2 AND DATALENGTH([identifier]) = DATALENGTH(@P3)"
    );
}

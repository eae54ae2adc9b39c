//! The whole conformance harness (rules, properties, races, no session time zone on SQLite)
//! against the SQLite adapter, one fresh database file per rule.
//!
//! Always runs: the files live in a temporary directory (or `NEXTAUTH_TEST_SQLITE_DIR`).

use nextauth_adapter::SharedAdapter;
use nextauth_adapter_sqlite::{CAPABILITIES, SqlOptions, SqliteAdapter};
use nextauth_adapter_testkit::{Server, run_live};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    run_live(
        Server::Sqlite,
        CAPABILITIES,
        Arc::new(|ns, config| {
            let url = ns.url().to_owned();
            let options = SqlOptions {
                names: ns.names().clone(),
                ..SqlOptions::default()
            };
            Box::pin(async move {
                Ok(Arc::new(SqliteAdapter::connect(&url, config, options).await?) as SharedAdapter)
            })
        }),
    )
}

//! The whole conformance harness (rules, properties, races, no session time zone on SQLite)
//! against the SQLite adapter, one fresh database file per rule.
//!
//! Always runs: the files live in a temporary directory (or `NEXTAUTH_TEST_SQLITE_DIR`).

use nextauth_adapter_sqlite::{CAPABILITIES, SqliteStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Certifies the published declaration: an adapter declaring anything else fails.
    LiveRun::new(Server::Sqlite, sql_adapter::<SqliteStore>(Synchronize::No))
        .declaring(CAPABILITIES)
        .run()
}

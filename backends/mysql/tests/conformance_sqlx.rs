//! The whole conformance harness against the MySQL/MariaDB adapter over sqlx
//! ([`SqlxMySqlStore`], for applications that share their `MySqlPool` with it) on a live
//! server, one fresh database per rule: the same verdict the default store must earn.
//!
//! Needs `NEXTAUTH_TEST_MYSQL_URL`; without it prints NOT RUN (and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `mysql`).

use nextauth_adapter_mysql::{CAPABILITIES, SqlxMySqlStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Named, so that its report does not overwrite the default store's `mysql.json`.
    LiveRun::new(
        Server::MySql,
        sql_adapter::<SqlxMySqlStore>(Synchronize::No),
    )
    .with_name("mysql-sqlx")
    .declaring(CAPABILITIES)
    .run()
}

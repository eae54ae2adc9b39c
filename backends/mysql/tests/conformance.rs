//! The whole conformance harness (rules, properties, races, the non-UTC time-zone rerun)
//! against the MySQL/MariaDB adapter on a live server, one fresh database per rule.
//!
//! Needs `NEXTAUTH_TEST_MYSQL_URL`; without it prints NOT RUN (and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `mysql`).

use nextauth_adapter_mysql::{CAPABILITIES, MySqlStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Certifies the published declaration: an adapter declaring anything else fails.
    LiveRun::new(Server::MySql, sql_adapter::<MySqlStore>(Synchronize::No))
        .declaring(CAPABILITIES)
        .run()
}

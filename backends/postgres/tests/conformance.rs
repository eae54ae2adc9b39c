//! The whole conformance harness (rules, properties, races, the non-UTC time-zone rerun)
//! against the PostgreSQL adapter on a live server, one fresh schema per rule.
//!
//! Needs `NEXTAUTH_TEST_POSTGRES_URL`; without it prints NOT RUN (and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `postgres`).

use nextauth_adapter_postgres::{CAPABILITIES, PostgresStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Certifies the published declaration: an adapter declaring anything else fails.
    LiveRun::new(
        Server::Postgres,
        sql_adapter::<PostgresStore>(Synchronize::No),
    )
    .declaring(CAPABILITIES)
    .run()
}

//! The whole conformance harness against the PostgreSQL adapter over sqlx
//! ([`SqlxPostgresStore`], for applications that share their `PgPool` with it) on a live
//! server, one fresh schema per rule: the same verdict the default store must earn.
//!
//! Needs `NEXTAUTH_TEST_POSTGRES_URL`; without it prints NOT RUN (and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `postgres`).

use nextauth_adapter_postgres::{CAPABILITIES, SqlxPostgresStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Named, so that its report does not overwrite the default store's `postgres.json`.
    LiveRun::new(
        Server::Postgres,
        sql_adapter::<SqlxPostgresStore>(Synchronize::No),
    )
    .with_name("postgres-sqlx")
    .declaring(CAPABILITIES)
    .run()
}

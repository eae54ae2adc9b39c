//! The whole conformance harness (rules, properties, races) against the SQL Server adapter on
//! a live server, one fresh database per rule.
//!
//! Runs when `NEXTAUTH_TEST_MSSQL_URL` names a server (`mssql://sa:…@host:1433/master`), or,
//! with no URL, in a container of the official image (`NEXTAUTH_TEST_MSSQL_IMAGE`, by
//! default `mcr.microsoft.com/mssql/server:2022-latest`) when a local Docker or podman
//! engine can start it. Otherwise it prints NOT RUN, and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `mssql`. No SQL Server runs on this project's machines:
//! the project's GitHub workflow (`ci/github/`) runs this suite.

use nextauth_adapter_mssql::{CAPABILITIES, MsSqlStore};
use nextauth_adapter_testkit::{LiveRun, Server, Synchronize, sql_adapter};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Certifies the published declaration: an adapter declaring anything else fails.
    LiveRun::new(Server::MsSql, sql_adapter::<MsSqlStore>(Synchronize::No))
        .declaring(CAPABILITIES)
        .run()
}

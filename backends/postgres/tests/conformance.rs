//! The whole conformance harness (rules, properties, races, the non-UTC time-zone rerun)
//! against the PostgreSQL adapter on a live server, one fresh schema per rule.
//!
//! Needs `NEXTAUTH_TEST_POSTGRES_URL`; without it prints NOT RUN (and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `postgres`).

use nextauth_adapter::SharedAdapter;
use nextauth_adapter_postgres::{CAPABILITIES, PostgresAdapter, SqlOptions};
use nextauth_adapter_testkit::{Server, run_live};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    run_live(
        Server::Postgres,
        CAPABILITIES,
        Arc::new(|ns, config| {
            let url = ns.url().to_owned();
            let options = SqlOptions {
                names: ns.names().clone(),
                ..SqlOptions::default()
            };
            Box::pin(async move {
                Ok(
                    Arc::new(PostgresAdapter::connect(&url, config, options).await?)
                        as SharedAdapter,
                )
            })
        }),
    )
}

//! Certifies the tokio-postgres adapter: the whole v3 catalogue against a live PostgreSQL
//! (`NEXTAUTH_TEST_POSTGRES_URL`), each rule in a fresh schema that is dropped afterwards.
use nextauth_adapter::SharedAdapter;
use nextauth_adapter_testkit::{LiveRun, Server, build_adapter};
use nextauth_example_tokio_postgres::TokioPostgresAdapter;
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    // `ns.url` lands in the rule's schema, in its time zone.
    let build = build_adapter(|ns, config| async move {
        Ok(Arc::new(TokioPostgresAdapter::connect(&ns.url, config).await?) as SharedAdapter)
    });
    // Judged by what the adapter declares (its `capabilities()`), read once before the
    // rules run. Named, so its report does not overwrite the sqlx backend's `postgres.json`.
    LiveRun::new(Server::Postgres, build)
        .with_name("tokio-postgres")
        .run()
}

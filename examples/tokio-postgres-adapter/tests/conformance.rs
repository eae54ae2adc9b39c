//! Certifies the tokio-postgres adapter: the whole v3 catalogue against a live PostgreSQL
//! (`NEXTAUTH_TEST_POSTGRES_URL`), each rule in a fresh schema that is dropped afterwards.
use nextauth_adapter::SharedAdapter;
use nextauth_adapter_testkit::{LiveRun, Server};
use nextauth_example_tokio_postgres::TokioPostgresAdapter;
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    let build = Arc::new(|ns: &nextauth_adapter_testkit::Namespace, config| {
        let url = ns.url().to_owned(); // lands in the rule's schema, in its time zone
        Box::pin(async move {
            Ok(Arc::new(TokioPostgresAdapter::connect(&url, config).await?) as SharedAdapter)
        }) as _
    });
    // Judged by what the adapter declares (its `capabilities()`), read once before the
    // rules run. Named, so its report does not overwrite the sqlx backend's `postgres.json`.
    LiveRun::new(Server::Postgres, build)
        .with_name("tokio-postgres")
        .run()
}

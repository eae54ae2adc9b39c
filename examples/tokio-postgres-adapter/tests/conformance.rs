//! Certifies the tokio-postgres adapter: the whole v3 catalogue against a live PostgreSQL
//! (`NEXTAUTH_TEST_POSTGRES_URL`), each rule in a fresh schema that is dropped afterwards.
use nextauth_adapter::SharedAdapter;
use nextauth_adapter_testkit::{Server, run_live};
use nextauth_example_tokio_postgres::{CAPABILITIES, TokioPostgresAdapter};
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    run_live(
        Server::Postgres,
        CAPABILITIES,
        Arc::new(|ns, config| {
            let url = ns.url().to_owned(); // lands in the rule's schema, in its time zone
            Box::pin(async move {
                Ok(Arc::new(TokioPostgresAdapter::connect(&url, config).await?) as SharedAdapter)
            })
        }),
    )
}

//! The end-of-run check: a namespace that was never dropped is found in the server's catalog
//! and reported, and `drop_leftovers` removes it. Alone in its test binary, so no other test's
//! live namespaces are in the process-wide registry (one test per server, and the registry is
//! read per server).

use nextauth_adapter_testkit::{
    Namespace, SchemaNames, Server, TestkitError, created_count, drop_leftovers, url_or_skip,
    verify_dropped,
};

async fn a_leaked_namespace_is_found_and_dropped(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: leak check")) else {
        return;
    };
    assert_eq!(verify_dropped(server, &url).await.unwrap(), 0);
    let kept = Namespace::create(server, &url, SchemaNames::default(), None)
        .await
        .unwrap();
    let dropped = Namespace::create(server, &url, SchemaNames::default(), None)
        .await
        .unwrap();
    dropped.drop().await.unwrap();
    let name = kept.name().to_owned();
    // Simulate a test that lost its namespace without running any destructor.
    std::mem::forget(kept);
    match verify_dropped(server, &url).await {
        Err(TestkitError::Leaked { names, .. }) => assert_eq!(names, std::slice::from_ref(&name)),
        other => panic!("expected a leak report, got {other:?}"),
    }
    assert_eq!(drop_leftovers(server).await, [name]);
    assert_eq!(verify_dropped(server, &url).await.unwrap(), 2);
    assert_eq!(created_count(server), 2);
}

/// A namespace dropped by its destructor (a panicking test) is gone too.
async fn a_dropped_value_drops_its_namespace(server: Server) -> Option<String> {
    let url = url_or_skip(server, &format!("{server}: destructor"))?;
    let ns = Namespace::create(server, &url, SchemaNames::default(), None)
        .await
        .unwrap();
    let name = ns.name().to_owned();
    let failing = tokio::spawn(async move {
        let _ns = ns;
        panic!("a test failing while holding its namespace");
    });
    assert!(failing.await.is_err());
    Some(name)
}

macro_rules! per_server {
    ($($server:ident: $variant:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $server() {
            a_leaked_namespace_is_found_and_dropped(Server::$variant).await;
            if let Some(name) = a_dropped_value_drops_its_namespace(Server::$variant).await {
                let url = url_or_skip(Server::$variant, "destructor").unwrap();
                verify_dropped(Server::$variant, &url)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    )*};
}

per_server!(postgres: Postgres, mysql: MySql, sqlite: Sqlite, mssql: MsSql);

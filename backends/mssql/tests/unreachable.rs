//! Without a SQL Server: an adapter asked to connect to a server that is not there fails
//! with a clear, typed error within the URL's connect timeout, and never shows the password.

use nextauth_adapter::AdapterConfig;
use nextauth_adapter_mssql::{ConnectError, MsSqlAdapter, SqlOptions};
use std::time::{Duration, Instant};

/// Connects to `url` and returns the error and how long it took.
async fn refused(url: &str) -> (ConnectError, Duration) {
    let started = Instant::now();
    let outcome = MsSqlAdapter::connect(url, AdapterConfig::default(), SqlOptions::default()).await;
    match outcome {
        Ok(_) => panic!("connected to {url}, where no server runs"),
        Err(e) => (e, started.elapsed()),
    }
}

#[tokio::test]
async fn a_closed_port_fails_at_once_without_the_password() {
    // Port 1 on the loopback interface: nothing listens, the connection is refused.
    let (error, took) =
        refused("mssql://sa:s3cret-pw@127.0.0.1:1/nextauth?connect_timeout=5").await;
    let shown = format!("{error} / {error:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}: {shown}");
    assert!(shown.contains("127.0.0.1:1"), "names the address: {shown}");
    assert!(!shown.contains("s3cret-pw"), "shows the password: {shown}");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_within_the_connect_timeout() {
    // A listener that accepts and then says nothing: the login cannot complete.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("a local listener: {e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("its address: {e}"))
        .port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let url = format!("mssql://sa:s3cret-pw@127.0.0.1:{port}/nextauth?connect_timeout=1");
    let (error, took) = refused(&url).await;
    silent.abort();
    let shown = format!("{error} / {error:?}");
    assert!(
        took >= Duration::from_secs(1),
        "gave up early, {took:?}: {shown}"
    );
    assert!(took < Duration::from_secs(4), "took {took:?}: {shown}");
    assert!(
        shown.contains("connect_timeout"),
        "says which bound: {shown}"
    );
    assert!(!shown.contains("s3cret-pw"), "shows the password: {shown}");
}

#[tokio::test]
async fn a_url_the_store_cannot_honour_is_refused_before_connecting() {
    let (error, took) = refused("mssql://sa:s3cret-pw@127.0.0.1:1/db?encrypt=strict").await;
    let shown = error.to_string();
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(shown.contains("encrypt"), "{shown}");
    assert!(!shown.contains("s3cret-pw"), "{shown}");
}

//! Scheme selection end to end: the in-memory default is one database shared by every call
//! of an adapter (and not between adapters), `synchronize=true` creates the tables of a
//! SQLite file, `postgres://` and `mariadb://` reach their servers when configured, and an
//! unknown scheme is a typed error naming it.

use nextauth_adapter::{AdapterConfig, NewUser};
use nextauth_adapter_default::{ConnectError, connect, connect_default};
use std::sync::Arc;

fn profile(email: &str) -> NewUser {
    NewUser {
        email: Some(email.to_owned()),
        name: Some("Ada 😀".to_owned()),
        ..NewUser::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_default_is_one_database_per_adapter_seen_by_every_call() {
    let adapter = connect_default(AdapterConfig::default()).await.unwrap();
    assert_eq!(adapter.display_name(), "sqlite");
    let ada = adapter
        .create_user(profile("ada@example.com"))
        .await
        .unwrap();

    // Many concurrent calls, each on whatever connection the pool hands out.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let a = Arc::clone(&adapter);
        tasks.push(tokio::spawn(async move {
            a.create_user(profile(&format!("user{i}@example.com")))
                .await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().unwrap().id);
    }
    for id in &ids {
        assert!(
            adapter.get_user(id).await.unwrap().is_some(),
            "user {id} not seen"
        );
    }
    assert_eq!(
        adapter
            .get_user_by_email(Some("ada@example.com"))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(ada.id.clone())
    );

    // A second default adapter has its own, empty, database.
    let other = connect_default(AdapterConfig::default()).await.unwrap();
    assert_eq!(other.get_user(&ada.id).await.unwrap(), None);
    assert!(adapter.get_user(&ada.id).await.unwrap().is_some());
}

#[tokio::test]
async fn memory_default_survives_idle_time() {
    // The pool's single connection is never retired, so the database outlives idle periods.
    let adapter = connect_default(AdapterConfig::default()).await.unwrap();
    let u = adapter
        .create_user(profile("idle@example.com"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(adapter.get_user(&u.id).await.unwrap().is_some());
}

#[tokio::test]
async fn sqlite_file_with_synchronize_creates_the_tables() {
    let dir = std::env::temp_dir().join(format!("nextauth-default-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("auth.db");
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}?mode=rwc&synchronize=true", file.display());
    let adapter = connect(&url, AdapterConfig::default()).await.unwrap();
    let u = adapter
        .create_user(profile("file@example.com"))
        .await
        .unwrap();
    drop(adapter);
    // Reopened without synchronize: the row is in the file.
    let again = connect(
        &format!("sqlite://{}", file.display()),
        AdapterConfig::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        again.get_user(&u.id).await.unwrap().map(|x| x.email),
        Some(u.email)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn unknown_scheme_is_a_typed_error_naming_it() {
    match connect("redis://:secret@localhost/0", AdapterConfig::default()).await {
        Err(ConnectError::UnknownScheme { scheme }) => assert_eq!(scheme, "redis"),
        Err(other) => panic!("expected UnknownScheme, got {other}"),
        Ok(_) => panic!("expected UnknownScheme, got an adapter"),
    }
}

#[tokio::test]
async fn sql_server_schemes_reach_the_sql_server_adapter() {
    // No SQL Server runs here: that the SQL Server adapter took the URL shows in its own
    // error, which names the address, and arrives within the URL's connect timeout.
    for scheme in ["mssql", "sqlserver"] {
        let url = format!("{scheme}://sa:s3cret-pw@127.0.0.1:1/nextauth?connect_timeout=3");
        let started = std::time::Instant::now();
        let outcome = connect(&url, AdapterConfig::default()).await;
        let took = started.elapsed();
        let error = match outcome {
            Err(ConnectError::Connect(e)) => e.to_string(),
            Err(other) => panic!("{scheme}: expected a connect error, got {other}"),
            Ok(_) => panic!("{scheme}: connected where no server runs"),
        };
        assert!(error.contains("SQL Server"), "{scheme}: {error}");
        assert!(error.contains("127.0.0.1:1"), "{scheme}: {error}");
        assert!(!error.contains("s3cret-pw"), "{scheme}: {error}");
        assert!(
            took < std::time::Duration::from_secs(3),
            "{scheme}: {took:?}"
        );
    }
}

#[tokio::test]
async fn server_schemes_reach_their_servers_when_configured() {
    // Connect only: nothing is created on the shared servers.
    if let Ok(url) = std::env::var("NEXTAUTH_TEST_POSTGRES_URL") {
        let a = connect(&url, AdapterConfig::default()).await.unwrap();
        assert_eq!(a.display_name(), "postgres");
        let alias = url.replacen("postgres://", "postgresql://", 1);
        let a = connect(&alias, AdapterConfig::default()).await.unwrap();
        assert_eq!(a.display_name(), "postgres");
    } else {
        eprintln!("SKIPPED: NEXTAUTH_TEST_POSTGRES_URL not set");
    }
    if let Ok(url) = std::env::var("NEXTAUTH_TEST_MYSQL_URL") {
        let a = connect(&url, AdapterConfig::default()).await.unwrap();
        assert_eq!(a.display_name(), "mysql");
        let maria = url.replacen("mysql://", "mariadb://", 1);
        let a = connect(&maria, AdapterConfig::default()).await.unwrap();
        assert_eq!(a.display_name(), "mysql");
    } else {
        eprintln!("SKIPPED: NEXTAUTH_TEST_MYSQL_URL not set");
    }
}

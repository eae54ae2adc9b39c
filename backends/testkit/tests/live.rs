//! The testkit against real servers: namespaces are created fresh and dropped alone, an
//! existing or foreign namespace is refused (and left untouched), the inspector reads rows
//! written with plain SQL, session time zones reach the server, the factory's teardown
//! leaves nothing behind, and a namespace it reuses is emptied with its ids restarted.
//!
//! PostgreSQL, MySQL and SQL Server need `NEXTAUTH_TEST_POSTGRES_URL` /
//! `NEXTAUTH_TEST_MYSQL_URL` / `NEXTAUTH_TEST_MSSQL_URL`; without them the tests print
//! `SKIPPED` (and fail if `NEXTAUTH_REQUIRE_BACKENDS` lists the backend). SQLite always runs.

use chrono::{DateTime, Utc};
use nextauth_adapter::{AdapterConfig, Capabilities, SharedAdapter};
use nextauth_adapter_harness::BackendFactory;
use nextauth_adapter_harness::Inspector;
use nextauth_adapter_reference::ReferenceAdapter;
use nextauth_adapter_testkit::{
    BuildAdapter, LiveFactory, Namespace, SchemaNames, Server, SqlInspector, TestkitError,
    random_name, url_or_skip,
};
use sqlx::{AssertSqlSafe, Connection};
use std::sync::Arc;

/// SQL Server, over tiberius (sqlx has no SQL Server driver).
mod tds {
    use nextauth_adapter_sql::MsSqlUrl;
    use tiberius::{AuthMethod, Client, Config, EncryptionLevel};
    use tokio::net::TcpStream;
    use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

    pub async fn connect(url: &str) -> Client<Compat<TcpStream>> {
        let url = MsSqlUrl::parse(url).unwrap();
        let mut config = Config::new();
        config.host(&url.host);
        config.port(url.port);
        config.authentication(AuthMethod::sql_server(&url.user, &url.password));
        config.encryption(EncryptionLevel::NotSupported);
        if let Some(db) = &url.database {
            config.database(db);
        }
        let tcp = TcpStream::connect(config.get_addr()).await.unwrap();
        Client::connect(config, tcp.compat_write()).await.unwrap()
    }

    /// Runs each of `sql` in order.
    pub async fn exec(url: &str, sql: &[&str]) {
        let mut c = connect(url).await;
        for s in sql {
            c.simple_query(*s)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"))
                .into_results()
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    /// The one integer `sql` returns.
    pub async fn int(url: &str, sql: &str) -> i64 {
        let mut c = connect(url).await;
        let row = c
            .simple_query(sql)
            .await
            .unwrap()
            .into_row()
            .await
            .unwrap()
            .unwrap();
        row.get::<i64, _>(0)
            .or_else(|| row.get::<i32, _>(0).map(i64::from))
            .unwrap()
    }
}

/// Whether the server's catalog lists namespace `name` (the file, for SQLite).
async fn exists(server: Server, url: &str, name: &str) -> bool {
    match server {
        Server::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1",
            )
            .bind(name)
            .fetch_one(&mut c)
            .await
            .unwrap();
            n > 0
        }
        Server::MySql => {
            let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            )
            .bind(name)
            .fetch_one(&mut c)
            .await
            .unwrap();
            n > 0
        }
        Server::Sqlite => nextauth_adapter_testkit::urls::sqlite_dir_from_url(url)
            .unwrap()
            .join(format!("{name}.db"))
            .exists(),
        Server::MsSql => {
            let sql = format!("SELECT count(*) FROM sys.databases WHERE name = '{name}'");
            tds::int(url, &sql).await > 0
        }
    }
}

/// Runs `sql` on the server URL (for SQLite: on `file_url`).
async fn exec(server: Server, url: &str, sql: &[&str]) {
    macro_rules! run {
        ($c:ty) => {{
            let mut c = <$c>::connect(url).await.unwrap();
            for s in sql {
                sqlx::query(AssertSqlSafe(s.to_string()))
                    .execute(&mut c)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
            c.close().await.unwrap();
        }};
    }
    match server {
        Server::Postgres => run!(sqlx::PgConnection),
        Server::MySql => run!(sqlx::MySqlConnection),
        Server::Sqlite => run!(sqlx::SqliteConnection),
        Server::MsSql => tds::exec(url, sql).await,
    }
}

async fn create_drop_leaves_nothing(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: create_drop_leaves_nothing")) else {
        return;
    };
    let ns = Namespace::create(server, &url, SchemaNames::default(), None)
        .await
        .unwrap();
    let name = ns.name().to_owned();
    // Its name records this process as its maker (nextauth_adapter_testkit::stale).
    let maker = nextauth_adapter_testkit::stale::Maker::of_name(&name);
    assert_eq!(maker.map(|m| m.pid), Some(std::process::id()), "{name}");
    assert!(exists(server, &url, &name).await);
    assert!(ns.tables().await.unwrap().is_empty());
    ns.apply_schema().await.unwrap();
    assert_eq!(
        ns.tables().await.unwrap(),
        ["accounts", "sessions", "users", "verification_requests"]
    );
    // Applying twice is a no-op, not a refusal of our own tables.
    ns.apply_schema().await.unwrap();
    ns.drop().await.unwrap();
    assert!(!exists(server, &url, &name).await, "{name} is still there");
}

async fn existing_namespace_is_refused(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: existing_namespace_is_refused")) else {
        return;
    };
    let name = random_name().unwrap();
    let first = Namespace::create_named(server, &url, &name, SchemaNames::default(), None)
        .await
        .unwrap();
    let second = Namespace::create_named(server, &url, &name, SchemaNames::default(), None).await;
    assert!(
        matches!(&second, Err(TestkitError::NamespaceExists { namespace, .. }) if *namespace == name),
        "{second:?}"
    );
    // The refusal dropped nothing: the first namespace is still there.
    assert!(exists(server, &url, &name).await);
    first.drop().await.unwrap();
    assert!(!exists(server, &url, &name).await);
}

async fn foreign_namespace_is_refused(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: foreign_namespace_is_refused")) else {
        return;
    };
    // Someone else's namespace with someone else's table and row.
    let name = random_name().unwrap().replace("nx_", "fx_");
    let file_url;
    let (setup, count_sql, cleanup): (Vec<String>, String, Vec<String>) = match server {
        Server::Postgres => (
            vec![
                format!("CREATE SCHEMA {name}"),
                format!("CREATE TABLE {name}.users (id INT, note TEXT)"),
                format!("INSERT INTO {name}.users VALUES (1, 'keep me')"),
            ],
            format!("SELECT count(*) FROM {name}.users"),
            vec![format!("DROP SCHEMA {name} CASCADE")],
        ),
        Server::MySql => (
            vec![
                format!("CREATE DATABASE {name}"),
                format!("CREATE TABLE {name}.users (id INT, note TEXT)"),
                format!("INSERT INTO {name}.users VALUES (1, 'keep me')"),
            ],
            format!("SELECT count(*) FROM {name}.users"),
            vec![format!("DROP DATABASE {name}")],
        ),
        Server::Sqlite => (
            vec![
                "CREATE TABLE users (id INT, note TEXT)".to_owned(),
                "INSERT INTO users VALUES (1, 'keep me')".to_owned(),
            ],
            "SELECT count(*) FROM users".to_owned(),
            Vec::new(),
        ),
        Server::MsSql => (
            vec![
                format!("CREATE DATABASE {name}"),
                format!("CREATE TABLE {name}.dbo.users (id INT, note NVARCHAR(100))"),
                format!("INSERT INTO {name}.dbo.users VALUES (1, N'keep me')"),
            ],
            format!("SELECT count(*) FROM {name}.dbo.users"),
            vec![format!("DROP DATABASE {name}")],
        ),
    };
    let target_url = if server == Server::Sqlite {
        let dir = nextauth_adapter_testkit::urls::sqlite_dir_from_url(&url).unwrap();
        file_url = nextauth_adapter_testkit::urls::sqlite_file_url(&dir.join(format!("{name}.db")));
        file_url.as_str()
    } else {
        url.as_str()
    };
    let setup_refs: Vec<&str> = setup.iter().map(String::as_str).collect();
    exec(server, target_url, &setup_refs).await;

    let adopted = Namespace::adopt(server, &url, &name, SchemaNames::default(), None).await;
    match &adopted {
        Err(TestkitError::ForeignTables {
            namespace, tables, ..
        }) => {
            assert_eq!(namespace, &name);
            assert_eq!(tables, &["users".to_owned()]);
        }
        other => panic!("expected a ForeignTables refusal, got {other:?}"),
    }
    assert!(
        adopted
            .unwrap_err()
            .to_string()
            .contains("holds tables this run did not create (users)")
    );
    // A namespace that does not exist cannot be adopted either.
    let missing = Namespace::adopt(
        server,
        &url,
        "nx_missing_0000",
        SchemaNames::default(),
        None,
    )
    .await;
    assert!(
        matches!(missing, Err(TestkitError::NamespaceMissing { .. })),
        "{missing:?}"
    );
    // An invalid name is refused before anything is sent.
    let invalid = Namespace::adopt(server, &url, "x; DROP", SchemaNames::default(), None).await;
    assert!(
        matches!(invalid, Err(TestkitError::InvalidName { .. })),
        "{invalid:?}"
    );

    // The foreign table and its row are untouched.
    let count: i64 = match server {
        Server::Postgres => {
            let mut c = sqlx::PgConnection::connect(target_url).await.unwrap();
            sqlx::query_scalar(AssertSqlSafe(count_sql))
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
        Server::MySql => {
            let mut c = sqlx::MySqlConnection::connect(target_url).await.unwrap();
            sqlx::query_scalar(AssertSqlSafe(count_sql))
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
        Server::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(target_url).await.unwrap();
            sqlx::query_scalar(AssertSqlSafe(count_sql))
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
        Server::MsSql => tds::int(target_url, &count_sql).await,
    };
    assert_eq!(count, 1);
    if server == Server::Sqlite {
        let dir = nextauth_adapter_testkit::urls::sqlite_dir_from_url(&url).unwrap();
        std::fs::remove_file(dir.join(format!("{name}.db"))).unwrap();
    } else {
        let cleanup_refs: Vec<&str> = cleanup.iter().map(String::as_str).collect();
        exec(server, &url, &cleanup_refs).await;
    }
}

/// An empty adopted namespace is used, and its drop removes only the tables the run made.
async fn empty_namespace_is_adopted_and_kept(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: empty_namespace_is_adopted")) else {
        return;
    };
    if server == Server::Sqlite {
        return; // A file namespace is covered by the refusal test; adoption is for servers.
    }
    let name = random_name().unwrap().replace("nx_", "ax_");
    let create = match server {
        Server::Postgres => format!("CREATE SCHEMA {name}"),
        _ => format!("CREATE DATABASE {name}"),
    };
    exec(server, &url, &[&create]).await;
    let ns = Namespace::adopt(server, &url, &name, SchemaNames::default(), None)
        .await
        .unwrap();
    assert!(!ns.is_owned());
    ns.apply_schema().await.unwrap();
    assert_eq!(ns.tables().await.unwrap().len(), 4);
    ns.drop().await.unwrap();
    assert!(
        exists(server, &url, &name).await,
        "an adopted namespace is kept"
    );
    let drop = match server {
        Server::Postgres => format!("DROP SCHEMA {name}"),
        _ => format!("DROP DATABASE {name}"),
    };
    // Plain DROP SCHEMA (no CASCADE) succeeds only if our tables are gone.
    exec(server, &url, &[&drop]).await;
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn inspector_reads_plain_sql_rows(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: inspector_reads_plain_sql_rows"))
    else {
        return;
    };
    let names = SchemaNames {
        prefix: "app_".into(),
        users: "people".into(),
        ..SchemaNames::default()
    };
    let ns = Namespace::create(server, &url, names, None).await.unwrap();
    ns.apply_schema().await.unwrap();
    let (t1, t2) = match server {
        Server::Postgres => (
            "TIMESTAMPTZ '2024-01-02 03:04:05.123456+00'",
            "TIMESTAMPTZ '2024-01-02 05:04:05.5+02'",
        ),
        Server::MySql => ("'2024-01-02 03:04:05.123456'", "'2024-01-02 03:04:05.5'"),
        // What sqlx writes for a DateTime<Utc>, and what SQLite's own functions write.
        Server::Sqlite => (
            "'2024-01-02T03:04:05.123456+00:00'",
            "'2024-01-02 03:04:05.5'",
        ),
        // ISO 8601, read the same under every language setting.
        Server::MsSql => ("'2024-01-02T03:04:05.123456'", "'2024-01-02T03:04:05.5'"),
    };
    let q = |kind| ns.qualified(kind);
    use nextauth_adapter_sql::TableKind::*;
    let inserts = [
        format!(
            "INSERT INTO {} (name, email, email_verified, image, created_at, updated_at) VALUES ('Ann', 'ann@example.com', {t1}, NULL, {t1}, {t2})",
            q(Users)
        ),
        format!(
            "INSERT INTO {} (name, email, email_verified, image, created_at, updated_at) VALUES (NULL, NULL, NULL, 'https://i/x.png', {t2}, {t2})",
            q(Users)
        ),
        format!(
            "INSERT INTO {} (compound_id, user_id, provider_type, provider_id, provider_account_id, refresh_token, access_token, access_token_expires, created_at, updated_at) VALUES ('c1', 1, 'oauth', 'github', '42', NULL, 'tok', NULL, {t1}, {t1})",
            q(Accounts)
        ),
        format!(
            "INSERT INTO {} (user_id, expires, session_token, access_token, created_at, updated_at) VALUES (2, {t2}, 'st', 'at', {t1}, {t1})",
            q(Sessions)
        ),
        format!(
            "INSERT INTO {} (identifier, token, expires, created_at, updated_at) VALUES ('ann@example.com', 'hashed', {t2}, {t1}, {t1})",
            q(VerificationRequests)
        ),
    ];
    let refs: Vec<&str> = inserts.iter().map(String::as_str).collect();
    exec(server, ns.url(), &refs).await;

    let inspector = SqlInspector::connect(&ns).await.unwrap();
    let stored = inspector.stored().await.unwrap();
    let (a, b) = (
        at("2024-01-02T03:04:05.123456Z"),
        at("2024-01-02T03:04:05.5Z"),
    );
    assert_eq!(stored.users.len(), 2);
    let u = &stored.users[0];
    assert_eq!(
        (
            u.id.as_str(),
            u.name.as_deref(),
            u.email.as_deref(),
            u.email_verified,
            u.image.as_deref(),
            u.created_at,
            u.updated_at
        ),
        (
            "1",
            Some("Ann"),
            Some("ann@example.com"),
            Some(a),
            None,
            a,
            b
        )
    );
    assert_eq!(stored.users[1].id, "2");
    assert_eq!(stored.users[1].image.as_deref(), Some("https://i/x.png"));
    let acc = &stored.accounts[0];
    assert_eq!(
        (
            acc.id.as_str(),
            acc.user_id.as_str(),
            acc.provider_account_id.as_str(),
            acc.access_token.as_deref(),
            acc.access_token_expires
        ),
        ("1", "1", "42", Some("tok"), None)
    );
    let s = &stored.sessions[0];
    assert_eq!(
        (
            s.user_id.as_str(),
            s.expires,
            s.session_token.as_str(),
            s.created_at
        ),
        ("2", b, "st", a)
    );
    let v = &stored.verification_requests[0];
    assert_eq!(
        (v.identifier.as_str(), v.token.as_str(), v.expires),
        ("ann@example.com", "hashed", b)
    );
    assert_eq!(stored.row_count(), 5);
    // The harness's lookups through the inspector.
    assert_eq!(inspector.user("2").await.unwrap().unwrap().id, "2");
    assert!(inspector.session("st").await.unwrap().is_some());
    assert!(inspector.account("c1").await.unwrap().is_some());
    // A row written by the database's own default is read too.
    let default_row = format!(
        "INSERT INTO {} (identifier, token, expires) VALUES ('x', 'y', {t1})",
        q(VerificationRequests)
    );
    exec(server, ns.url(), &[&default_row]).await;
    let vr = inspector.stored().await.unwrap().verification_requests;
    assert_eq!(vr.len(), 2);
    let age = Utc::now() - vr[1].created_at;
    assert!(
        age.num_seconds().abs() < 600,
        "default created_at read as {}",
        vr[1].created_at
    );
    inspector.close().await;
    ns.drop().await.unwrap();
}

async fn session_time_zone_reaches_the_server(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: session_time_zone")) else {
        return;
    };
    let ns = Namespace::create(
        server,
        &url,
        SchemaNames::default(),
        Some("Pacific/Chatham"),
    )
    .await;
    if matches!(server, Server::Sqlite | Server::MsSql) {
        assert!(
            matches!(ns, Err(TestkitError::UnsupportedTimeZone { .. })),
            "{ns:?}"
        );
        return;
    }
    let ns = ns.unwrap();
    assert_eq!(ns.time_zone(), Some("Pacific/Chatham"));
    let zone: String = match server {
        Server::Postgres => {
            // sqlx sends `TimeZone=UTC` at startup, overriding the URL's option (libpq and
            // tokio-postgres honour it: the tokio-postgres example checks that); an sqlx
            // adapter runs `time_zone_statement` after connecting.
            let mut c = sqlx::PgConnection::connect(ns.url()).await.unwrap();
            let path: String = sqlx::query_scalar("SHOW search_path")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(path, ns.name());
            let options = std::str::FromStr::from_str(ns.url())
                .map(|o: sqlx::postgres::PgConnectOptions| o.get_options().map(str::to_owned))
                .unwrap();
            assert!(options.unwrap().contains("-c TimeZone=Pacific/Chatham"));
            let set = ns.time_zone_statement().unwrap();
            sqlx::query(AssertSqlSafe(set))
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::query_scalar("SHOW TimeZone")
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(ns.url()).await.unwrap();
            let db: String = sqlx::query_scalar("SELECT CAST(DATABASE() AS CHAR)")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(db, ns.name());
            sqlx::query_scalar("SELECT CAST(@@session.time_zone AS CHAR)")
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
    };
    let expected = if server == Server::Postgres {
        "Pacific/Chatham"
    } else {
        "+12:45"
    };
    assert_eq!(zone, expected);
    ns.drop().await.unwrap();
}

/// The factory's fixture lives in a namespace that its teardown drops.
async fn factory_fixture_is_torn_down(server: Server) {
    let Some(url) = url_or_skip(server, &format!("{server}: factory_fixture_is_torn_down")) else {
        return;
    };
    let seen: Arc<std::sync::Mutex<Option<String>>> = Arc::default();
    let build: BuildAdapter = Arc::new(|_ns, config| {
        Box::pin(async move {
            Ok(Arc::new(ReferenceAdapter::with_capabilities(
                config,
                Capabilities::HARDENED,
            )) as SharedAdapter)
        })
    });
    let built_in = Arc::clone(&seen);
    let build: BuildAdapter = Arc::new(move |ns, config| {
        *built_in.lock().unwrap() = Some(ns.name().to_owned());
        build(ns, config)
    });
    let factory =
        LiveFactory::new(server, url.clone(), Capabilities::HARDENED, build).fresh_namespaces();
    let version = factory.probe().await.unwrap();
    assert!(!version.is_empty());
    assert!(
        factory.describe().contains(&version),
        "{}",
        factory.describe()
    );
    assert!(
        !factory.describe().contains(":postgres@"),
        "no password in {}",
        factory.describe()
    );
    assert_eq!(
        factory.in_time_zone("Pacific/Chatham").is_some(),
        !matches!(server, Server::Sqlite | Server::MsSql)
    );
    let fixture = factory.open(AdapterConfig::default()).await.unwrap();
    let name = seen
        .lock()
        .unwrap()
        .clone()
        .expect("the build closure saw its namespace");
    assert!(nextauth_adapter_testkit::live_namespaces(server).contains(&name));
    assert!(exists(server, &url, &name).await);
    assert_eq!(fixture.inspector.stored().await.unwrap().row_count(), 0);
    (fixture.teardown.unwrap())().await.unwrap();
    assert!(!exists(server, &url, &name).await);
}

/// A factory reuses a namespace only emptied (no rows, ids from 1 again) and only once the
/// rule's adapter is gone; a leaked adapter gets its namespace dropped; the pooled ones go
/// with the factory.
async fn factory_reuses_emptied_namespaces(server: Server) {
    let Some(url) = url_or_skip(
        server,
        &format!("{server}: factory_reuses_emptied_namespaces"),
    ) else {
        return;
    };
    let seen: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
    let built_in = Arc::clone(&seen);
    let build: BuildAdapter = Arc::new(move |ns, config| {
        built_in
            .lock()
            .unwrap()
            .push((ns.name().to_owned(), ns.url().to_owned()));
        Box::pin(async move {
            Ok(Arc::new(ReferenceAdapter::with_capabilities(
                config,
                Capabilities::HARDENED,
            )) as SharedAdapter)
        })
    });
    let last = || seen.lock().unwrap().last().cloned().unwrap();
    let insert = [
        "INSERT INTO users (name, created_at, updated_at) VALUES ('a', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO users (name, created_at, updated_at) VALUES ('b', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO verification_requests (identifier, token, expires, created_at, updated_at) \
         VALUES ('a@x', 't', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    ];
    let factory = LiveFactory::new(server, url.clone(), Capabilities::HARDENED, build);

    // A first fixture writes rows, then ends with its adapter released.
    let nextauth_adapter_harness::Fixture {
        adapter,
        inspector,
        teardown,
    } = factory.open(AdapterConfig::default()).await.unwrap();
    let (first, first_url) = last();
    exec(server, &first_url, &insert).await;
    assert_eq!(inspector.stored().await.unwrap().row_count(), 3);
    drop((adapter, inspector));
    teardown.unwrap()().await.unwrap();
    assert!(exists(server, &url, &first).await, "kept for reuse");

    // The next fixture gets it back empty, and ids start at 1 again.
    let fixture = factory.open(AdapterConfig::default()).await.unwrap();
    let (second, second_url) = last();
    assert_eq!(second, first);
    assert_eq!(fixture.inspector.stored().await.unwrap().row_count(), 0);
    exec(server, &second_url, &insert[..1]).await;
    let stored = fixture.inspector.stored().await.unwrap();
    assert_eq!(stored.users.len(), 1);
    assert_eq!(stored.users[0].id, "1");

    // Its adapter outlives the teardown (a rule leaked it): the namespace is dropped.
    let leaked = Arc::clone(&fixture.adapter);
    (fixture.teardown.unwrap())().await.unwrap();
    assert!(!exists(server, &url, &second).await, "dropped, not reused");
    drop(leaked);

    // A namespace pooled when the factory goes is dropped with it.
    let nextauth_adapter_harness::Fixture {
        adapter,
        inspector,
        teardown,
    } = factory.open(AdapterConfig::default()).await.unwrap();
    let (third, _) = last();
    assert_ne!(third, first);
    drop((adapter, inspector));
    teardown.unwrap()().await.unwrap();
    assert!(exists(server, &url, &third).await);
    drop(factory);
    assert!(
        !exists(server, &url, &third).await,
        "dropped with the factory"
    );
}

/// What `stale::clean` decides of each namespace, as a machine of its own sees them (a host
/// tag no real process has, so that other runs on this server keep these namespaces): one
/// whose maker ended here is stale, one whose maker runs is kept, one of another machine is
/// stale only past the age given, a name that records no maker is never touched, a dry run
/// drops nothing, and the run's own namespace is always kept. (That a real run's first
/// namespace drops what a killed run left is `nextauth-certify`'s live test.)
async fn stale_namespaces_are_dropped_and_nothing_else(server: Server) {
    use nextauth_adapter_testkit::stale::{Here, Judgement, Maker, clean_as, host_tag};
    let Some(url) = url_or_skip(
        server,
        &format!("{server}: stale_namespaces_are_dropped_and_nothing_else"),
    ) else {
        return;
    };
    let now = Maker::this_process();
    let machine = host_tag() ^ 0x5a5a_0000;
    const RUNNING: u32 = 4_000_001;
    let here = |older_than: Option<u64>| Here {
        host: machine,
        alive: |pid| Some(pid == RUNNING),
        now: now.made_at,
        older_than: older_than.map(std::time::Duration::from_secs),
    };
    if server == Server::Sqlite {
        // A SQLite namespace is a file of a temporary directory: no server to list.
        assert!(
            clean_as(server, &url, &here(Some(0)), false)
                .await
                .unwrap()
                .is_empty()
        );
        return;
    }
    let suffix = || u32::from_str_radix(&random_name().unwrap()[3..11], 16).unwrap_or(7);
    let ended = Maker {
        host: machine,
        pid: 4_000_002,
        ..now
    }
    .name(suffix());
    let running = Maker {
        host: machine,
        pid: RUNNING,
        ..now
    }
    .name(suffix());
    let elsewhere_old = Maker {
        host: machine ^ 1,
        made_at: now.made_at - 4 * 86_400,
        ..now
    }
    .name(suffix());
    let unrecorded = format!("nx_{:016x}", u64::from(suffix()) << 8);
    let ns = Namespace::create(server, &url, SchemaNames::default(), None)
        .await
        .unwrap();
    let (create, drop) = match server {
        Server::Postgres => ("CREATE SCHEMA", "DROP SCHEMA"),
        _ => ("CREATE DATABASE", "DROP DATABASE"),
    };
    let names = [&ended, &running, &elsewhere_old, &unrecorded];
    let statements: Vec<String> = names.iter().map(|n| format!("{create} {n}")).collect();
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    exec(server, &url, &statements).await;

    // The dry run drops nothing and says what it would.
    let looked = clean_as(server, &url, &here(Some(3 * 86_400)), true)
        .await
        .unwrap();
    let of = |name: &str| looked.iter().find(|l| l.name == name).cloned().unwrap();
    assert!(matches!(of(&ended).judgement, Judgement::Stale(why) if why.contains("has ended")));
    assert!(matches!(of(&running).judgement, Judgement::Kept(why) if why.contains("still runs")));
    assert!(
        matches!(of(&elsewhere_old).judgement, Judgement::Stale(why) if why.contains("another machine"))
    );
    assert_eq!(of(&unrecorded).judgement, Judgement::Unrecorded);
    assert!(
        matches!(of(ns.name()).judgement, Judgement::Kept(why) if why.contains("this process"))
    );
    assert!(looked.iter().all(|l| !l.dropped));
    for name in names {
        assert!(
            exists(server, &url, name).await,
            "{name}: a dry run dropped it"
        );
    }

    // Without an age: the ended maker's only; with one: also the other machine's old one.
    let dropped = |looked: Vec<nextauth_adapter_testkit::stale::Looked>| -> Vec<String> {
        let mine = [&ended, &running, &elsewhere_old, &unrecorded];
        looked
            .into_iter()
            .filter(|l| l.dropped && mine.contains(&&l.name))
            .map(|l| l.name)
            .collect()
    };
    let first = clean_as(server, &url, &here(None), false).await.unwrap();
    assert_eq!(dropped(first), std::slice::from_ref(&ended));
    let second = clean_as(server, &url, &here(Some(3 * 86_400)), false)
        .await
        .unwrap();
    assert_eq!(dropped(second), std::slice::from_ref(&elsewhere_old));
    for name in [&ended, &elsewhere_old] {
        assert!(!exists(server, &url, name).await, "{name}: still there");
    }
    for name in [ns.name(), &running, &unrecorded] {
        assert!(exists(server, &url, name).await, "{name}: dropped");
    }
    ns.drop().await.unwrap();
    exec(
        server,
        &url,
        &[
            &format!("{drop} {running}"),
            &format!("{drop} {unrecorded}"),
        ],
    )
    .await;
}

macro_rules! per_server {
    ($($test:ident),* $(,)?) => {
        mod postgres { $( #[tokio::test] async fn $test() { super::$test(super::Server::Postgres).await } )* }
        mod mysql { $( #[tokio::test] async fn $test() { super::$test(super::Server::MySql).await } )* }
        mod sqlite { $( #[tokio::test] async fn $test() { super::$test(super::Server::Sqlite).await } )* }
        mod mssql { $( #[tokio::test] async fn $test() { super::$test(super::Server::MsSql).await } )* }
    };
}

per_server!(
    create_drop_leaves_nothing,
    existing_namespace_is_refused,
    foreign_namespace_is_refused,
    empty_namespace_is_adopted_and_kept,
    inspector_reads_plain_sql_rows,
    session_time_zone_reaches_the_server,
    factory_fixture_is_torn_down,
    factory_reuses_emptied_namespaces,
    stale_namespaces_are_dropped_and_nothing_else,
);

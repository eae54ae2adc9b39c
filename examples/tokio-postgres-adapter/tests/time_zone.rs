//! The testkit's namespace URL puts a tokio-postgres session into the namespace's schema and
//! time zone (sqlx overrides the zone at startup; tokio-postgres honours the URL), so the
//! conformance run's `tz-pacific-chatham::` rules really run at UTC+12:45.
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server, url_or_skip};

#[tokio::test]
async fn namespace_url_sets_search_path_and_time_zone() {
    let Some(url) = url_or_skip(
        Server::Postgres,
        "namespace_url_sets_search_path_and_time_zone",
    ) else {
        return;
    };
    let ns = Namespace::create(
        Server::Postgres,
        &url,
        SchemaNames::default(),
        Some("Pacific/Chatham"),
    )
    .await
    .unwrap();
    let (client, connection) = tokio_postgres::connect(ns.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    let zone: String = client.query_one("SHOW TimeZone", &[]).await.unwrap().get(0);
    let path: String = client
        .query_one("SHOW search_path", &[])
        .await
        .unwrap()
        .get(0);
    let schema = ns.name().to_owned();
    drop(client);
    let _ = task.await;
    ns.drop().await.unwrap();
    assert_eq!(zone, "Pacific/Chatham");
    assert_eq!(path, schema);
}

//! Servers in Docker containers (cargo feature `testcontainers`), for machines with Docker
//! and no database installed.

use crate::server::Server;

/// Keeps a started container alive; dropping it stops and removes the container.
pub(crate) type Guard = Box<dyn std::any::Any + Send>;

/// Containers started by [`locate`](crate::locate), kept until [`release_containers`].
static KEPT: std::sync::Mutex<Vec<Guard>> = std::sync::Mutex::new(Vec::new());

/// Keeps `guard` alive until [`release_containers`].
pub(crate) fn keep(guard: Guard) {
    KEPT.lock().unwrap_or_else(|p| p.into_inner()).push(guard);
}

/// Stops the containers [`locate`](crate::locate) started. Call it from inside a tokio
/// runtime (the containers' removal runs there) once their URLs are no longer used;
/// [`run_live`](crate::run_live) manages its own container and needs no call.
pub fn release_containers() {
    let kept = std::mem::take(&mut *KEPT.lock().unwrap_or_else(|p| p.into_inner()));
    drop(kept);
}

/// Starts a container for `server` and returns its URL, or why none was started.
#[cfg(feature = "testcontainers")]
pub(crate) async fn start(server: Server) -> Result<(String, Guard), String> {
    use testcontainers::runners::AsyncRunner;
    use testcontainers_modules::{mysql::Mysql, postgres::Postgres};

    let describe = |e: testcontainers::TestcontainersError| {
        format!("no {server} container could be started (is Docker running?): {e}")
    };
    match server {
        Server::Postgres => {
            let container = Postgres::default().start().await.map_err(describe)?;
            let host = container.get_host().await.map_err(describe)?;
            let port = container.get_host_port_ipv4(5432).await.map_err(describe)?;
            tracing::info!(%host, port, "started a PostgreSQL container");
            Ok((
                format!("postgres://postgres:postgres@{host}:{port}/postgres"),
                Box::new(container),
            ))
        }
        Server::MySql => {
            let container = Mysql::default().start().await.map_err(describe)?;
            let host = container.get_host().await.map_err(describe)?;
            let port = container.get_host_port_ipv4(3306).await.map_err(describe)?;
            tracing::info!(%host, port, "started a MySQL container");
            Ok((
                format!("mysql://root@{host}:{port}/test"),
                Box::new(container),
            ))
        }
        Server::Sqlite => Err("SQLite needs no container".to_owned()),
    }
}

/// Without the `testcontainers` feature no container is started.
#[cfg(not(feature = "testcontainers"))]
pub(crate) async fn start(server: Server) -> Result<(String, Guard), String> {
    let _ = server;
    Err("the testkit was built without its `testcontainers` feature (with it and Docker, a container is started)".to_owned())
}

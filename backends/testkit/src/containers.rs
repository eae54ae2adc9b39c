//! Servers in containers (cargo feature `testcontainers`), for machines with Docker or podman
//! and no database installed.
//!
//! The image of each server is `NEXTAUTH_TEST_POSTGRES_IMAGE` / `NEXTAUTH_TEST_MYSQL_IMAGE` /
//! `NEXTAUTH_TEST_MSSQL_IMAGE` (`name:tag`), by default the official `postgres:15`,
//! `mariadb:10.11` and `mcr.microsoft.com/mssql/server:2022-latest` a Docker user pulls; `ci/containers.sh` builds local ones (`localhost/…`, never pulled) for machines
//! without a registry. Only a local engine is used (`DOCKER_HOST` unset, a `unix://` socket,
//! or `tcp://` on 127.0.0.1 / localhost), the container's port is published on 127.0.0.1
//! explicitly, and 127.0.0.1 is the only address contacted: podman reports no host address
//! for ports published to all interfaces, and a stray `/.dockerenv` makes testcontainers
//! look for the engine's gateway instead of the loopback.

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

/// The variable naming the container image of `server`, `name:tag`.
pub fn image_env_var(server: Server) -> &'static str {
    match server {
        Server::Postgres => "NEXTAUTH_TEST_POSTGRES_IMAGE",
        Server::MySql => "NEXTAUTH_TEST_MYSQL_IMAGE",
        Server::Sqlite => "NEXTAUTH_TEST_SQLITE_IMAGE",
        Server::MsSql => "NEXTAUTH_TEST_MSSQL_IMAGE",
    }
}

/// The image a container of `server` is started from, as `(name, tag)`: the value of
/// [`image_env_var`] when set, else the official image (`postgres:15`, `mariadb:10.11`,
/// `mcr.microsoft.com/mssql/server:2022-latest`).
pub fn image(server: Server) -> (String, String) {
    let default = match server {
        Server::Postgres => "postgres:15",
        Server::MySql => "mariadb:10.11",
        Server::Sqlite => "",
        Server::MsSql => "mcr.microsoft.com/mssql/server:2022-latest",
    };
    let chosen = std::env::var(image_env_var(server))
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned());
    split_image(chosen.trim())
}

/// `name:tag` → `(name, tag)`; a registry port (`host:5000/name`) is not a tag, and no tag
/// means `latest`.
fn split_image(reference: &str) -> (String, String) {
    match reference.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') && !name.is_empty() => {
            (name.to_owned(), tag.to_owned())
        }
        _ => (reference.to_owned(), "latest".to_owned()),
    }
}

/// Whether the engine `docker_host` (`DOCKER_HOST`, `None` when unset) names runs on this
/// machine; otherwise why it is refused: a container's port published on 127.0.0.1 is only
/// reachable from the engine's own machine.
pub fn local_engine(docker_host: Option<&str>) -> Result<(), String> {
    let Some(host) = docker_host.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    if host.starts_with("unix://") || host.starts_with("npipe://") {
        return Ok(());
    }
    if let Some(rest) = host.strip_prefix("tcp://") {
        let authority = rest.split('/').next().unwrap_or("");
        let name = authority
            .rsplit_once(':')
            .map_or(authority, |(name, _)| name);
        if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
            return Ok(());
        }
    }
    Err(format!(
        "DOCKER_HOST={host} is not an engine on this machine; the testkit publishes container ports on 127.0.0.1 only"
    ))
}

/// How long a container may take to become ready before its start fails.
#[cfg(feature = "testcontainers")]
const STARTUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// How a container of one server is started and reached.
#[cfg(feature = "testcontainers")]
struct Recipe {
    /// The server's port inside the container.
    port: u16,
    /// The log lines that say it is ready.
    ready: Vec<testcontainers::core::WaitFor>,
    /// The official images' variables it is started with.
    env: &'static [(&'static str, &'static str)],
    /// Its URL, given the host port.
    url: fn(u16) -> String,
}

#[cfg(feature = "testcontainers")]
impl Recipe {
    fn of(server: Server) -> Option<Self> {
        use testcontainers::core::WaitFor;
        match server {
            Server::Postgres => Some(Recipe {
                port: 5432,
                // The final server's line on stderr (an image's init phase logs on stdout).
                ready: vec![WaitFor::message_on_stderr(
                    "database system is ready to accept connections",
                )],
                env: &[("POSTGRES_PASSWORD", "postgres")],
                url: |p| format!("postgres://postgres:postgres@127.0.0.1:{p}/postgres"),
            }),
            Server::MySql => Some(Recipe {
                port: 3306,
                // Ready, and listening on the network (an init phase listens on no port).
                ready: vec![
                    WaitFor::message_on_stderr("ready for connections"),
                    WaitFor::message_on_stderr("port: 3306"),
                ],
                env: &[
                    ("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"),
                    ("MARIADB_DATABASE", "test"),
                ],
                url: |p| format!("mysql://root@127.0.0.1:{p}/test"),
            }),
            Server::MsSql => Some(Recipe {
                port: 1433,
                // Logged once every database, `master` included, is recovered.
                ready: vec![WaitFor::message_on_stdout("Recovery is complete")],
                env: &[
                    ("ACCEPT_EULA", "Y"),
                    ("MSSQL_SA_PASSWORD", MSSQL_SA_PASSWORD),
                ],
                url: |p| {
                    format!(
                        "mssql://sa:{MSSQL_SA_PASSWORD}@127.0.0.1:{p}/master?connect_timeout=30"
                    )
                },
            }),
            Server::Sqlite => None,
        }
    }
}

/// The `sa` password of a SQL Server container: the image refuses a weak one.
#[cfg(feature = "testcontainers")]
const MSSQL_SA_PASSWORD: &str = "NextAuth-Kit-2026";

/// Starts a container for `server` and returns its URL, or why none was started.
#[cfg(feature = "testcontainers")]
pub(crate) async fn start(server: Server) -> Result<(String, Guard), String> {
    let (url, container) = start_container(server, None).await?;
    Ok((url, Box::new(container)))
}

/// Starts a container for `server`, its port published on 127.0.0.1 at `host_port` (the
/// engine picks one when `None`), and returns its URL and the container.
#[cfg(feature = "testcontainers")]
async fn start_container(
    server: Server,
    host_port: Option<u16>,
) -> Result<
    (
        String,
        testcontainers::ContainerAsync<testcontainers::GenericImage>,
    ),
    String,
> {
    use testcontainers::bollard::models::{HostConfig, PortBinding};
    use testcontainers::core::IntoContainerPort;
    use testcontainers::runners::AsyncRunner;
    use testcontainers::{GenericImage, ImageExt};

    local_engine(std::env::var("DOCKER_HOST").ok().as_deref())?;
    let (name, tag) = image(server);
    let Some(recipe) = Recipe::of(server) else {
        return Err("SQLite needs no container".to_owned());
    };
    let Recipe {
        port,
        ready,
        env,
        url,
    } = recipe;
    let hint = match server {
        Server::MsSql => "is Docker or podman running, and can it pull the image?",
        _ => "is Docker or podman running? `ci/containers.sh` sets one up",
    };
    let describe = |e: testcontainers::TestcontainersError| {
        format!("no {server} container could be started from {name}:{tag} ({hint}): {e}")
    };
    let mut image = GenericImage::new(name.clone(), tag.clone()).with_exposed_port(port.tcp());
    for condition in ready {
        image = image.with_wait_for(condition);
    }
    let mut request = image.with_startup_timeout(STARTUP_TIMEOUT);
    for (key, value) in env {
        request = request.with_env_var(*key, *value);
    }
    let request = request.with_host_config_modifier(move |config: &mut HostConfig| {
        config.publish_all_ports = Some(false);
        config.port_bindings = Some(
            [(
                format!("{port}/tcp"),
                Some(vec![PortBinding {
                    host_ip: Some("127.0.0.1".to_owned()),
                    // Empty: the engine picks a free port.
                    host_port: Some(host_port.map_or_else(String::new, |p| p.to_string())),
                }]),
            )]
            .into_iter()
            .collect(),
        );
    });
    let container = request.start().await.map_err(describe)?;
    let host_port = container.get_host_port_ipv4(port).await.map_err(describe)?;
    tracing::info!(%server, image = %format!("{name}:{tag}"), host_port, "started a container on 127.0.0.1");
    Ok((url(host_port), container))
}

/// Stops and starts a server: what the `fault.server.restart` rule needs of a backend
/// ([`LiveFactory::with_server_control`](crate::LiveFactory::with_server_control)).
#[async_trait::async_trait]
pub trait ServerControl: Send + Sync {
    /// Stops the server; every connection ends.
    async fn stop(&self) -> Result<(), String>;
    /// Starts it again at the same address and returns once it accepts connections.
    async fn start(&self) -> Result<(), String>;
}

/// A server in a container of its own, published at a fixed port on 127.0.0.1 so that it can
/// be stopped and started again at the same URL; removed when dropped. For the restart rule,
/// which must not share its server with any other rule.
#[cfg(feature = "testcontainers")]
pub struct OwnContainer {
    server: Server,
    url: String,
    container: testcontainers::ContainerAsync<testcontainers::GenericImage>,
}

#[cfg(feature = "testcontainers")]
impl std::fmt::Debug for OwnContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnContainer")
            .field("server", &self.server)
            .field("url", &crate::urls::redact(&self.url))
            .finish_non_exhaustive()
    }
}

/// How long a restarted server may take to accept connections.
#[cfg(feature = "testcontainers")]
const RESTART_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

#[cfg(feature = "testcontainers")]
impl OwnContainer {
    /// Starts a container of `server` at a free port of 127.0.0.1, or says why it cannot.
    pub async fn start(server: Server) -> Result<OwnContainer, String> {
        // A port free now; the engine binds it for the container's whole life, restarts
        // included (an engine-chosen port would change at every start).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?
            .port();
        let (url, container) = start_container(server, Some(port)).await?;
        Ok(OwnContainer {
            server,
            url,
            container,
        })
    }

    /// The server URL (with the image's well-known test password).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether a new connection to the server succeeds now.
    async fn accepts(&self) -> bool {
        use sqlx::Connection;
        match self.server {
            Server::MsSql => match crate::admin::mssql::connect(&self.url).await {
                Ok(c) => c.close().await.is_ok(),
                Err(_) => false,
            },
            Server::Postgres => match sqlx::PgConnection::connect(&self.url).await {
                Ok(c) => c.close().await.is_ok(),
                Err(_) => false,
            },
            _ => match sqlx::MySqlConnection::connect(&self.url).await {
                Ok(c) => c.close().await.is_ok(),
                Err(_) => false,
            },
        }
    }
}

#[cfg(feature = "testcontainers")]
#[async_trait::async_trait]
impl ServerControl for OwnContainer {
    async fn stop(&self) -> Result<(), String> {
        self.container
            .stop_with_timeout(Some(5))
            .await
            .map_err(|e| format!("cannot stop the {} container: {e}", self.server))
    }

    async fn start(&self) -> Result<(), String> {
        self.container
            .start()
            .await
            .map_err(|e| format!("cannot start the {} container again: {e}", self.server))?;
        let deadline = std::time::Instant::now() + RESTART_TIMEOUT;
        while !self.accepts().await {
            if std::time::Instant::now() > deadline {
                return Err(format!(
                    "the restarted {} container accepts no connection after {RESTART_TIMEOUT:?}",
                    self.server
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Ok(())
    }
}

/// Without the `testcontainers` feature no container is started.
#[cfg(not(feature = "testcontainers"))]
pub(crate) async fn start(server: Server) -> Result<(String, Guard), String> {
    let _ = server;
    Err("the testkit was built without its `testcontainers` feature (with it and Docker or podman, a container is started)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_name_and_tag() {
        assert_eq!(split_image("postgres:15"), ("postgres".into(), "15".into()));
        assert_eq!(
            split_image("localhost/nextauth-mariadb:10.11"),
            ("localhost/nextauth-mariadb".into(), "10.11".into())
        );
        assert_eq!(
            split_image("registry.local:5000/pg"),
            ("registry.local:5000/pg".into(), "latest".into())
        );
        assert_eq!(split_image("pg"), ("pg".into(), "latest".into()));
    }

    #[test]
    fn only_an_engine_on_this_machine_is_used() {
        for local in [
            None,
            Some(""),
            Some("unix:///run/podman/podman.sock"),
            Some("tcp://127.0.0.1:2375"),
            Some("tcp://localhost:2375/"),
        ] {
            assert_eq!(local_engine(local), Ok(()), "{local:?}");
        }
        for remote in [
            "tcp://10.0.0.5:2376",
            "tcp://docker.example.com:2375",
            "ssh://me@box",
        ] {
            let e = local_engine(Some(remote)).expect_err(remote);
            assert!(e.contains(remote) && e.contains("127.0.0.1"), "{e}");
        }
    }
}

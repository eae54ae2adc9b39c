//! [`with_store`]: the one place where a [`Server`] becomes the store type of its backend.
//!
//! The SQL crate names the servers but cannot name their stores (the backend crates depend
//! on it); this crate depends on all of them. Code that must do something with "the store of
//! this server" (build an adapter, read what the backend declares, open a pool to
//! introspect) writes it once, generic over [`ConnectStore`], as a [`StoreJob`], and lets
//! [`with_store`] pick the type.

use nextauth_adapter_mssql::MsSqlStore;
use nextauth_adapter_mysql::MySqlStore;
use nextauth_adapter_postgres::PostgresStore;
use nextauth_adapter_sql::{ConnectStore, Server};
use nextauth_adapter_sqlite::SqliteStore;

/// Something done with the store type of one server.
pub trait StoreJob {
    /// What the job gives back.
    type Output;

    /// Runs the job with store `S`.
    fn run<S: ConnectStore>(self) -> Self::Output;
}

/// Runs `job` with the store of `server`'s backend.
///
/// ```
/// use nextauth_adapter_default::{Server, StoreJob, with_store};
/// use nextauth_adapter_sql::ConnectStore;
/// struct Declared;
/// impl StoreJob for Declared {
///     type Output = nextauth_adapter::Capabilities;
///     fn run<S: ConnectStore>(self) -> Self::Output {
///         S::CAPABILITIES
///     }
/// }
/// assert_eq!(with_store(Server::Postgres, Declared), nextauth_adapter_postgres::CAPABILITIES);
/// ```
pub fn with_store<J: StoreJob>(server: Server, job: J) -> J::Output {
    match server {
        Server::Postgres => job.run::<PostgresStore>(),
        Server::MySql => job.run::<MySqlStore>(),
        Server::Sqlite => job.run::<SqliteStore>(),
        Server::MsSql => job.run::<MsSqlStore>(),
    }
}

/// The job that reads what a backend declares by default (its `CAPABILITIES`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Declared;

impl StoreJob for Declared {
    type Output = nextauth_adapter::Capabilities;

    fn run<S: ConnectStore>(self) -> Self::Output {
        S::CAPABILITIES
    }
}

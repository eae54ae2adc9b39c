//! Faults a live backend can inject into the adapter under test: what the `fault.*` rules use.
//!
//! A backend whose server can kill and cancel another session's work (PostgreSQL's
//! `pg_terminate_backend` and `pg_cancel_backend`, MySQL's `KILL CONNECTION` and `KILL QUERY`)
//! gives each fixture a [`FaultInjector`] through its inspector ([`Inspector::faults`]) and says
//! so in [`BackendFactory::fault_support`]. Every other backend (the reference, an adapter
//! behind the bridge, SQLite, which is a file inside this process) has none, and the fault
//! rules are reported as not applicable with the reason it gives.
//!
//! The injector acts on the fixture's namespace only: it finds the adapter's connections as
//! the server lists them for that namespace, and holds its locks from a connection of its own,
//! so rules running beside a fault rule are never touched.
//!
//! [`Inspector::faults`]: crate::inspector::Inspector::faults
//! [`BackendFactory::fault_support`]: crate::backend::BackendFactory::fault_support

use async_trait::async_trait;
use std::fmt;
use std::time::Duration;

/// An error of the injector itself (not of the adapter under test).
pub type FaultError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A connection as the server numbers it (a PostgreSQL backend pid, a MySQL connection id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub i64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One of the four v3 tables, named by what it holds (the injector knows the namespace's
/// real table names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `users`.
    Users,
    /// `accounts`.
    Accounts,
    /// `sessions`.
    Sessions,
    /// `verification_requests`.
    VerificationRequests,
}

/// What the injector locks, so that the adapter's next statement touching it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    /// The whole table, against reads and writes: any statement on it waits.
    Table(Table),
    /// One row of `users`, by id, against writes: a statement that updates or deletes it
    /// waits, after doing whatever came before in its transaction.
    UserRow(String),
    /// The `sessions` rows of one user, by user id, against writes.
    SessionsOfUser(String),
}

/// A lock the injector holds until [`release`](HeldLock::release)d (or dropped, which rolls
/// its transaction back when the connection closes).
#[async_trait]
pub trait HeldLock: Send {
    /// Ends the transaction holding the lock (a rollback: it wrote nothing).
    async fn release(self: Box<Self>) -> Result<(), FaultError>;
}

/// Which faults a backend can inject, each with the reason when it cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSupport {
    /// Killing and cancelling the adapter's connections, holding locks: `Err(reason)` when
    /// the backend has no injector.
    pub connections: Result<(), String>,
    /// Restarting the server: only where the suite started the server itself and no other
    /// rule uses it.
    pub restart: Result<(), String>,
}

impl FaultSupport {
    /// No fault can be injected, for `reason`.
    pub fn none(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        FaultSupport {
            connections: Err(reason.clone()),
            restart: Err(reason),
        }
    }
}

impl Default for FaultSupport {
    fn default() -> Self {
        FaultSupport::none(
            "the backend has no fault injector (only a live PostgreSQL or MySQL/MariaDB server can kill the adapter's connections)",
        )
    }
}

/// Injects server-side faults into one fixture's adapter.
#[async_trait]
pub trait FaultInjector: Send + Sync {
    /// Takes `lock` from a connection of the injector's own, in an open transaction.
    async fn hold(&self, lock: Lock) -> Result<Box<dyn HeldLock>, FaultError>;

    /// The namespace's connections other than the injector's (the adapter's, and the
    /// inspector's, which reconnects).
    async fn connections(&self) -> Result<Vec<ConnectionId>, FaultError>;

    /// The namespace's connections that wait for a lock the injector holds.
    async fn waiting(&self) -> Result<Vec<ConnectionId>, FaultError>;

    /// Closes `connection` from the server side, rolling back its open transaction.
    async fn kill(&self, connection: ConnectionId) -> Result<(), FaultError>;

    /// Cancels the statement `connection` runs, as the server's statement timeout does; the
    /// connection stays open.
    async fn cancel(&self, connection: ConnectionId) -> Result<(), FaultError>;

    /// What the namespace's connections are doing, as the server shows it, for failure
    /// messages.
    async fn activity(&self) -> Result<String, FaultError> {
        Ok(String::new())
    }

    /// Stops the server (every connection of every client ends).
    async fn stop_server(&self) -> Result<(), FaultError> {
        Err("this injector cannot stop the server".into())
    }

    /// Starts the server [`stop_server`](Self::stop_server) stopped, at the same address,
    /// returning once it accepts connections.
    async fn start_server(&self) -> Result<(), FaultError> {
        Err("this injector cannot start the server".into())
    }

    /// Waits until at least `count` of the namespace's connections wait for the injector's
    /// lock, polling every few milliseconds, for at most `within`.
    async fn wait_for_waiting(
        &self,
        count: usize,
        within: Duration,
    ) -> Result<Vec<ConnectionId>, FaultError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let waiting = self.waiting().await?;
            if waiting.len() >= count {
                return Ok(waiting);
            }
            if tokio::time::Instant::now() >= deadline {
                let activity = self
                    .activity()
                    .await
                    .unwrap_or_else(|e| format!("(cannot be read: {e})"));
                return Err(format!(
                    "{} of the namespace's connections wait for the injector's lock after {within:?}; expected {count}; the server shows: {activity}",
                    waiting.len()
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

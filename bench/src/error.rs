//! [`BenchError`]: everything that stops a benchmark run, each naming where it happened.

use nextauth_adapter::AdapterError;
use nextauth_adapter_bridge::BridgeError;
use nextauth_adapter_testkit::TestkitError;

/// Why a benchmark run stopped.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// No URL for a database server was given or found in the environment.
    #[error("no {server} server: pass --{flag} or set {env} (eval \"$(ci/databases.sh)\")")]
    NoServer {
        /// The server (`postgres`, `mysql`).
        server: &'static str,
        /// The command-line flag that names it.
        flag: &'static str,
        /// The environment variable that names it.
        env: &'static str,
    },
    /// A server the benchmark has no columns for.
    #[error("{0} is not benchmarked: no such server runs on this project's machines")]
    NotBenchmarked(&'static str),
    /// Creating, preparing or dropping the namespace failed.
    #[error(transparent)]
    Namespace(#[from] TestkitError),
    /// A raw sqlx statement failed (seeding or the floor column).
    #[error("{what}: {source}")]
    Sql {
        /// What was being done.
        what: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The other driver of a floor (tokio-postgres, mysql_async) failed.
    #[error("{subject}: {what}: {source}")]
    Driver {
        /// The column.
        subject: &'static str,
        /// What was being done.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A tool the benchmark runs (node, pgbench, mariadb-slap) failed or answered nonsense.
    #[error("{tool}: {detail}")]
    Tool {
        /// The tool.
        tool: &'static str,
        /// What happened.
        detail: String,
    },
    /// Our adapter could not be built.
    #[error("building our adapter: {0}")]
    Connect(#[from] nextauth_adapter_default::ConnectError),
    /// An adapter call of ours failed.
    #[error("our adapter: {0}")]
    Adapter(#[from] AdapterError),
    /// The bridge to next-auth@3 failed.
    #[error("the next-auth bridge: {0}")]
    Bridge(#[from] BridgeError),
    /// next-auth@3 answered a call with an error.
    #[error("next-auth {method} failed: {kind}: {message}")]
    Peer {
        /// The v3 method.
        method: &'static str,
        /// The error kind the bridge reported.
        kind: nextauth_adapter_bridge::protocol::WireErrorKind,
        /// Its message.
        message: String,
    },
    /// A flow did not see what it must (a seeded row missing, an update that was due, …).
    #[error("{subject} {flow}: {detail}")]
    Flow {
        /// The column (`ours`, `raw`, `next-auth`).
        subject: &'static str,
        /// The flow.
        flow: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// The seeded rows are not what our adapter reads back as its own.
    #[error("seeded data does not match what our adapter writes: {0}")]
    Seed(String),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

impl BenchError {
    /// A [`BenchError::Sql`] for `what`.
    pub fn sql(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Sql { what, source }
    }

    /// A [`BenchError::Driver`] of `subject` doing `what`.
    pub fn driver(
        subject: &'static str,
        what: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> BenchError {
        BenchError::Driver {
            subject,
            what,
            source: Box::new(source),
        }
    }
}

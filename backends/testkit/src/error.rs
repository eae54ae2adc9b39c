//! The testkit's one error type: every variant names the server, and where there is one the
//! namespace and the statement, so a failed setup says what it was doing.

use crate::server::Server;

/// A driver's error (sqlx's for PostgreSQL, MySQL and SQLite; tiberius' for SQL Server).
pub type DriverError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a testkit operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestkitError {
    /// The server URL (or a URL derived from it) could not be understood.
    #[error("{server}: invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The server the URL is for.
        server: Server,
        /// The URL, with any password removed.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Connecting to the server failed.
    #[error("{server}: cannot connect to {url}: {source}")]
    Connect {
        /// The server connected to.
        server: Server,
        /// The URL, with any password removed.
        url: String,
        /// The driver's error.
        #[source]
        source: DriverError,
    },
    /// A statement failed.
    #[error("{server}: namespace {namespace}: `{statement}` failed: {source}")]
    Statement {
        /// The server the statement ran on.
        server: Server,
        /// The namespace it was about (empty for server-wide statements).
        namespace: String,
        /// The statement, as sent.
        statement: String,
        /// The driver's error.
        #[source]
        source: DriverError,
    },
    /// A namespace of that name already exists: the testkit never reuses one, so that it can
    /// never drop something it did not create.
    #[error("{server}: namespace {namespace} already exists; refusing to reuse it")]
    NamespaceExists {
        /// The server.
        server: Server,
        /// The namespace's name.
        namespace: String,
    },
    /// A namespace to adopt does not exist.
    #[error("{server}: namespace {namespace} does not exist")]
    NamespaceMissing {
        /// The server.
        server: Server,
        /// The namespace's name.
        namespace: String,
    },
    /// The namespace holds tables this run did not create: the suite refuses to run there,
    /// since it would write into (and later drop) someone else's data.
    #[error(
        "{server}: namespace {namespace} holds tables this run did not create ({}); refusing to run in it",
        tables.join(", ")
    )]
    ForeignTables {
        /// The server.
        server: Server,
        /// The namespace's name.
        namespace: String,
        /// The tables found, sorted.
        tables: Vec<String>,
    },
    /// The database a URL lands in holds tables the suite did not create, and no namespace
    /// was named: the suite refuses to run beside them.
    #[error(
        "{server}: the URL's own {namespace:?} holds tables this suite did not create ({}); refusing to run beside them: point the URL at an empty database, or name an empty namespace to use (`--namespace`)",
        tables.join(", ")
    )]
    OccupiedUrl {
        /// The server.
        server: Server,
        /// The schema (PostgreSQL) or database (MySQL) the URL lands in.
        namespace: String,
        /// Up to ten of the tables found, sorted.
        tables: Vec<String>,
    },
    /// Another tool failed to make the tables in a fresh namespace.
    #[error("{server}: {by} could not make the tables in namespace {namespace}: {reason}")]
    TablesNotMade {
        /// The server.
        server: Server,
        /// The namespace's name.
        namespace: String,
        /// Who was to make them.
        by: String,
        /// What went wrong.
        reason: String,
    },
    /// A namespace name that is not a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 63
    /// bytes): it could not be spliced into DDL safely.
    #[error("{server}: {name:?} is not a plain identifier usable as a namespace name")]
    InvalidName {
        /// The server.
        server: Server,
        /// The name given.
        name: String,
    },
    /// The table names could not be rendered into the documented schema.
    #[error("{server}: the schema names are invalid: {source}")]
    Names {
        /// The server.
        server: Server,
        /// Why the names were refused.
        #[source]
        source: nextauth_adapter_sql::NameError,
    },
    /// The server cannot be put into the requested session time zone.
    #[error("{server}: unsupported session time zone {time_zone:?}: {reason}")]
    UnsupportedTimeZone {
        /// The server.
        server: Server,
        /// The zone asked for.
        time_zone: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A file operation for a SQLite namespace failed.
    #[error("{server}: {action} {path}: {source}")]
    Io {
        /// The server (always SQLite).
        server: Server,
        /// What was being done, e.g. `creating`.
        action: &'static str,
        /// The file or directory.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The operating system's random source failed, so no fresh name could be drawn.
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    /// Namespaces this process created are still present after the run.
    #[error(
        "{server}: {} namespace(s) created by this run were not dropped: {}",
        names.len(),
        names.join(", ")
    )]
    Leaked {
        /// The server.
        server: Server,
        /// The namespaces still present.
        names: Vec<String>,
    },
    /// The testkit does not empty another tool's tables on this server for reuse.
    #[error("{server}: namespaces are not emptied for reuse on this server")]
    NoReuse {
        /// The server.
        server: Server,
    },
    /// A runtime for a blocking step could not be started.
    #[error("cannot start a tokio runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

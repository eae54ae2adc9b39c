//! `nextauth-certify schema`: the read-only check of a live database's tables against the
//! expected schema. Missing or changed base columns and indexes are errors (exit 1); extra
//! columns, indexes and tables are listed as allowed custom additions; the collations of
//! looked-up and unique columns and timestamp columns that stop at 2038 are reported as facts
//! with what they mean, and the e-mail matching and timestamp range an adapter on these tables
//! declares are stated (or why none can be, with the fix): the same facts `synchronize` acts
//! on.

use crate::cli::SchemaArgs;
use crate::output::Stdout;
use nextauth_adapter_default::{Declared, StoreJob, with_store};
use nextauth_adapter_sql::{
    ConnectStore, Dialect, DiffEntry, SchemaCheck, SchemaNames, Server, SqlOptions,
    introspect_postgres,
};
use nextauth_adapter_testkit::urls::redact;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::process::ExitCode;

/// Why the check could not run.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The URL's scheme is not one we introspect.
    #[error("unsupported URL scheme in {0:?}: use postgres://, mysql://, mariadb:// or sqlite:")]
    Scheme(String),
    /// Connecting failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL without password.
        url: String,
        /// The driver's error.
        source: nextauth_adapter::error::BoxError,
    },
    /// Introspection failed.
    #[error("cannot read the catalog: {0}")]
    Introspect(#[from] nextauth_adapter_sql::IntrospectError),
    /// The table names cannot form a schema.
    #[error("invalid table names: {0}")]
    Names(#[from] nextauth_adapter_sql::NameError),
}

/// Runs the check and prints the difference table.
pub fn run(args: &SchemaArgs, out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let names = SchemaNames {
        prefix: args.prefix.clone(),
        users: args.users_table.clone(),
        accounts: args.accounts_table.clone(),
        sessions: args.sessions_table.clone(),
        verification_requests: args.verification_requests_table.clone(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let check = runtime.block_on(check(&args.url, &args.pg_schema, &names))?;
    writeln!(out, "Schema check of {}", redact(&args.url))?;
    if check.diff.is_empty() {
        writeln!(
            out,
            "no differences: the tables are exactly the expected schema"
        )?;
    } else {
        writeln!(out, "{}", check.diff)?;
    }
    let custom: Vec<String> = check.diff.allowed().filter_map(custom_addition).collect();
    if !custom.is_empty() {
        writeln!(out, "custom additions (allowed): {}", custom.join(", "))?;
    }
    // Facts, one line per meaning, naming every column it holds for.
    let mut facts: Vec<(String, Vec<String>)> = Vec::new();
    for f in check.facts() {
        let meaning = format!("{}; {}", f.detail(), f.consequence().unwrap_or_default());
        let column = format!("{}.{}", f.table(), f.object().trim_start_matches("column "));
        match facts.iter_mut().find(|(m, _)| *m == meaning) {
            Some((_, columns)) => columns.push(column),
            None => facts.push((meaning, vec![column])),
        }
    }
    if !facts.is_empty() {
        writeln!(out, "facts:")?;
        for (meaning, columns) in facts {
            writeln!(out, "  {}: {meaning}", columns.join(", "))?;
        }
    }
    let name = |v: serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    match &check.matching {
        Ok(decision) => writeln!(
            out,
            "an adapter on these tables declares email_matching = {}{}",
            name(serde_json::to_value(decision.matching).unwrap_or_default()),
            decision
                .decided_by
                .as_ref()
                .map(|(t, c, coll)| format!(" (decided by {t}.{c}, collation {coll})"))
                .unwrap_or_default()
        )?,
        Err(e) => writeln!(out, "no adapter can run on these tables honestly: {e}")?,
    }
    writeln!(
        out,
        "an adapter on these tables declares timestamp_range = {}",
        name(serde_json::to_value(check.timestamp_range).unwrap_or_default())
    )?;
    if let Ok(caps) = check.adopt(backend_default(check.dialect)) {
        writeln!(
            out,
            "an adapter on these tables declares timestamp_precision = {}",
            name(serde_json::to_value(caps.timestamp_precision).unwrap_or_default())
        )?;
        let limit = |l: nextauth_adapter::limits::StringLimit| {
            let parts: Vec<String> = [
                l.max_chars.map(|c| format!("{c} characters")),
                l.max_utf16.map(|u| format!("{u} UTF-16 code units")),
                l.max_bytes.map(|b| format!("{b} bytes")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if parts.is_empty() {
                "no limit".to_owned()
            } else {
                parts.join(" and ")
            }
        };
        writeln!(
            out,
            "an adapter on these tables declares limits: varchar {}, image {}, text {}",
            limit(caps.limits.varchar),
            limit(caps.limits.image),
            limit(caps.limits.text)
        )?;
    }
    let errors = check.diff.errors().count();
    let status = if check.is_ok() {
        writeln!(out, "result: compatible")?;
        ExitCode::SUCCESS
    } else {
        writeln!(
            out,
            "result: {errors} error(s){}: the adapter cannot run on these tables",
            if check.matching.is_err() {
                " and no declarable e-mail matching"
            } else {
                ""
            }
        )?;
        ExitCode::FAILURE
    };
    out.flush()?;
    Ok(status)
}

/// What our adapter for `dialect` declares when nothing else decides: the starting point
/// the tables' facts adjust.
fn backend_default(dialect: Dialect) -> nextauth_adapter::Capabilities {
    Server::ALL
        .into_iter()
        .find(|server| server.dialect() == dialect)
        .map_or(nextauth_adapter::Capabilities::HARDENED, |server| {
            with_store(server, Declared)
        })
}

/// `table.column`, `table.index` or `table` for an entry a user added beyond the schema.
fn custom_addition(entry: &DiffEntry) -> Option<String> {
    match entry {
        DiffEntry::ExtraColumn { table, column } => Some(format!("{table}.{}", column.name)),
        DiffEntry::ExtraIndex { table, index } => Some(format!("{table}.{} (index)", index.name)),
        DiffEntry::ExtraTable { table } => Some(format!("{table} (table)")),
        _ => None,
    }
}

/// Introspects the tables at `url` (PostgreSQL: in schema `pg_schema`) and checks them.
async fn check(
    url: &str,
    pg_schema: &str,
    names: &SchemaNames,
) -> Result<SchemaCheck, SchemaError> {
    let server = Server::of_url(url).ok_or_else(|| SchemaError::Scheme(redact(url)))?;
    let url = server.driver_url(url);
    let connect_err = |source: nextauth_adapter::error::BoxError| SchemaError::Connect {
        url: redact(&url),
        source,
    };
    let live = match server {
        // PostgreSQL: the schema named on the command line, not the search_path's.
        Server::Postgres => {
            // One connection first: the pool would retry a refused connection until its
            // timeout and then report only that it timed out.
            let first = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                .await
                .map_err(|e| connect_err(Box::new(e)))?;
            let _ = sqlx::Connection::close(first).await;
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(|e| connect_err(Box::new(e)))?;
            let live = introspect_postgres(&pool, pg_schema).await;
            pool.close().await;
            live?
        }
        // MySQL and SQL Server: the URL's database (SQL Server: the login's default schema);
        // SQLite: the file. As the adapter's own store reads them.
        Server::MySql | Server::Sqlite | Server::MsSql => {
            let job = IntrospectWith {
                url: url.clone(),
                names: names.clone(),
            };
            with_store(server, job)
                .await
                .map_err(|e| e.map_connect(connect_err))?
        }
    };
    Ok(SchemaCheck::of(server.dialect(), names, live)?)
}

/// The job that introspects through a backend's store over a one-connection pool, as the
/// adapter sees its tables.
struct IntrospectWith {
    url: String,
    names: SchemaNames,
}

impl StoreJob for IntrospectWith {
    type Output =
        Pin<Box<dyn Future<Output = Result<nextauth_adapter_sql::Schema, Introspection>> + Send>>;

    fn run<S: ConnectStore>(self) -> Self::Output {
        Box::pin(async move {
            let options = SqlOptions {
                names: self.names.clone(),
                max_connections: Some(1),
                ..SqlOptions::default()
            };
            let pool = S::open_pool(&self.url, &options)
                .await
                .map_err(Introspection::Connect)?;
            S::over_pool(pool, self.names)
                .introspect()
                .await
                .map_err(Introspection::Catalog)
        })
    }
}

/// Why [`IntrospectWith`] failed.
enum Introspection {
    Connect(nextauth_adapter::error::BoxError),
    Catalog(nextauth_adapter_sql::IntrospectError),
}

impl Introspection {
    fn map_connect(
        self,
        connect: impl FnOnce(nextauth_adapter::error::BoxError) -> SchemaError,
    ) -> SchemaError {
        match self {
            Introspection::Connect(e) => connect(e),
            Introspection::Catalog(e) => SchemaError::Introspect(e),
        }
    }
}

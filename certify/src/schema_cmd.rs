//! `nextauth-certify schema`: the read-only check of a live database's tables against the
//! expected schema. Missing or changed base columns and indexes are errors (exit 1); extra
//! columns, indexes and tables are listed as allowed custom additions; the collations of
//! looked-up and unique columns and timestamp columns that stop at 2038 are reported as facts
//! with what they mean, and the e-mail matching and timestamp range an adapter on these tables
//! declares are stated (or why none can be, with the fix): the same facts `synchronize` acts
//! on.

use crate::cli::SchemaArgs;
use nextauth_adapter_sql::{
    Dialect, DiffEntry, SchemaCheck, SchemaNames, introspect_mysql, introspect_postgres,
    introspect_sqlite,
};
use std::process::ExitCode;

/// Why the check could not run.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The URL's scheme is not one we introspect.
    #[error("unsupported URL scheme in {0:?}: use postgres://, mysql://, mariadb:// or sqlite:")]
    Scheme(String),
    /// A MySQL URL without a database.
    #[error("the MySQL URL names no database: add /<database>")]
    NoDatabase,
    /// Connecting failed.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The URL without password.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Introspection failed.
    #[error("cannot read the catalog: {0}")]
    Introspect(#[from] nextauth_adapter_sql::IntrospectError),
    /// The table names cannot form a schema.
    #[error("invalid table names: {0}")]
    Names(#[from] nextauth_adapter_sql::NameError),
}

/// `url` with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs the check and prints the difference table.
pub fn run(args: &SchemaArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
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
    println!("Schema check of {}", redact(&args.url));
    if check.diff.is_empty() {
        println!("no differences: the tables are exactly the expected schema");
    } else {
        println!("{}", check.diff);
    }
    let custom: Vec<String> = check.diff.allowed().filter_map(custom_addition).collect();
    if !custom.is_empty() {
        println!("custom additions (allowed): {}", custom.join(", "));
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
        println!("facts:");
        for (meaning, columns) in facts {
            println!("  {}: {meaning}", columns.join(", "));
        }
    }
    let name = |v: serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    match &check.matching {
        Ok(decision) => println!(
            "an adapter on these tables declares email_matching = {}{}",
            name(serde_json::to_value(decision.matching).unwrap_or_default()),
            decision
                .decided_by
                .as_ref()
                .map(|(t, c, coll)| format!(" (decided by {t}.{c}, collation {coll})"))
                .unwrap_or_default()
        ),
        Err(e) => println!("no adapter can run on these tables honestly: {e}"),
    }
    println!(
        "an adapter on these tables declares timestamp_range = {}",
        name(serde_json::to_value(check.timestamp_range).unwrap_or_default())
    );
    if let Ok(caps) = check.adopt(backend_default(check.dialect)) {
        println!(
            "an adapter on these tables declares timestamp_precision = {}",
            name(serde_json::to_value(caps.timestamp_precision).unwrap_or_default())
        );
        let limit = |l: nextauth_adapter::limits::StringLimit| match (l.max_chars, l.max_bytes) {
            (Some(c), Some(b)) => format!("{c} characters and {b} bytes"),
            (Some(c), None) => format!("{c} characters"),
            (None, Some(b)) => format!("{b} bytes"),
            (None, None) => "no limit".to_owned(),
        };
        println!(
            "an adapter on these tables declares limits: varchar {}, image {}, text {}",
            limit(caps.limits.varchar),
            limit(caps.limits.image),
            limit(caps.limits.text)
        );
    }
    let errors = check.diff.errors().count();
    if check.is_ok() {
        println!("result: compatible");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "result: {errors} error(s){}: the adapter cannot run on these tables",
            if check.matching.is_err() {
                " and no declarable e-mail matching"
            } else {
                ""
            }
        );
        Ok(ExitCode::FAILURE)
    }
}

/// What our adapter for `dialect` declares when nothing else decides: the starting point
/// the tables' facts adjust.
fn backend_default(dialect: Dialect) -> nextauth_adapter::Capabilities {
    match dialect {
        Dialect::Postgres => nextauth_adapter_postgres::CAPABILITIES,
        Dialect::MySql => nextauth_adapter_mysql::CAPABILITIES,
        Dialect::Sqlite => nextauth_adapter_sqlite::CAPABILITIES,
        Dialect::MsSql => nextauth_adapter::Capabilities::HARDENED,
    }
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

async fn check(
    url: &str,
    pg_schema: &str,
    names: &SchemaNames,
) -> Result<SchemaCheck, SchemaError> {
    let connect_err = |source| SchemaError::Connect {
        url: redact(url),
        source,
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(connect_err)?;
        let live = introspect_postgres(&pool, pg_schema).await;
        pool.close().await;
        Ok(SchemaCheck::of(Dialect::Postgres, names, live?)?)
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        let url = url.replacen("mariadb://", "mysql://", 1);
        let database = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split_once('/'))
            .map(|(_, db)| db.split('?').next().unwrap_or("").to_owned())
            .filter(|db| !db.is_empty())
            .ok_or(SchemaError::NoDatabase)?;
        let pool = sqlx::mysql::MySqlPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(connect_err)?;
        let live = introspect_mysql(&pool, &database).await;
        pool.close().await;
        Ok(SchemaCheck::of(Dialect::MySql, names, live?)?)
    } else if url.starts_with("sqlite:") {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(connect_err)?;
        let live = introspect_sqlite(&pool).await;
        pool.close().await;
        Ok(SchemaCheck::of(Dialect::Sqlite, names, live?)?)
    } else {
        Err(SchemaError::Scheme(url.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://postgres:secret@127.0.0.1:5432/db"),
            "postgres://postgres:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }
}

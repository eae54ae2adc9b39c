//! `nextauth-certify schema`: the read-only check of a live database's tables against the
//! expected schema. Missing or changed base columns and indexes are errors (exit 1); extra
//! columns, indexes and tables are listed as allowed custom additions.

use crate::cli::SchemaArgs;
use nextauth_adapter_sql::{
    Diff, DiffEntry, SchemaNames, check_mysql, check_postgres, check_sqlite,
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
    Introspect(#[from] nextauth_adapter_sql::Error),
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
    let diff = runtime.block_on(check(&args.url, &args.pg_schema, &names))?;
    println!("Schema check of {}", redact(&args.url));
    if diff.is_empty() {
        println!("no differences: the tables are exactly the expected schema");
    } else {
        println!("{diff}");
    }
    let custom: Vec<String> = diff.allowed().filter_map(custom_addition).collect();
    if !custom.is_empty() {
        println!("custom additions (allowed): {}", custom.join(", "));
    }
    let errors = diff.errors().count();
    if errors == 0 {
        println!("result: compatible");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("result: {errors} error(s): the adapter cannot run on these tables");
        Ok(ExitCode::FAILURE)
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

async fn check(url: &str, pg_schema: &str, names: &SchemaNames) -> Result<Diff, SchemaError> {
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
        let diff = check_postgres(&pool, pg_schema, names).await?;
        pool.close().await;
        Ok(diff)
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
        let diff = check_mysql(&pool, &database, names).await?;
        pool.close().await;
        Ok(diff)
    } else if url.starts_with("sqlite:") {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(connect_err)?;
        let diff = check_sqlite(&pool, names).await?;
        pool.close().await;
        Ok(diff)
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

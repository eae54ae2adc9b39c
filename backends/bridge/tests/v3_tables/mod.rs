//! Our PostgreSQL and MySQL/MariaDB adapters certified on the tables next-auth@3's own
//! `synchronize` creates (the seed's example configuration), made by the real next-auth@3 in
//! every namespace: the whole suite, with the capabilities each adapter reads off those
//! tables when it synchronizes (on MariaDB, `utf8mb4_general_ci` gives
//! `email_matching = mysql_general_ci` and `TIMESTAMP(6)` gives `timestamp_range = unix32`),
//! which the suite then confirms. One test target per server
//! (`ours_on_v3_tables_postgres`, `ours_on_v3_tables_mysql`) shares this module.
//!
//! Needs the server's URL and `bridge/node/node_modules`; without them prints NOT RUN and
//! fails when NEXTAUTH_REQUIRE_BACKENDS lists them.

use nextauth_adapter::SharedAdapter;
use nextauth_adapter_bridge::{next_auth_synchronize, node_modules_installed};
use nextauth_adapter_sql::SqlOptions;
use nextauth_adapter_testkit::{BuildAdapter, LiveRun, REQUIRE_ENV, Server};
use std::process::ExitCode;
use std::sync::Arc;

/// Certifies our adapter for `server` on next-auth@3's tables there.
pub fn certify_on_v3_tables(server: Server) -> ExitCode {
    if !node_modules_installed() {
        let required = std::env::var(REQUIRE_ENV)
            .unwrap_or_default()
            .split(',')
            .any(|b| b.trim() == "bridge");
        eprintln!(
            "{rule}\nNOT RUN: our adapters on next-auth@3's tables: bridge/node/node_modules is missing (run ci/bridge.sh){}\n{rule}",
            if required {
                "; bridge is required: FAILURE"
            } else {
                ""
            },
            rule = "*".repeat(72)
        );
        return if required {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let url = match std::env::var(server.env_var()) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_owned(),
        // LiveRun reports the missing server (and fails when it is required).
        _ => String::new(),
    };
    let tables = if url.is_empty() {
        None
    } else {
        match next_auth_synchronize(server, &url) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("cannot start next-auth@3 to make its tables: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let (base, build) = match server {
        Server::MySql => (nextauth_adapter_mysql::CAPABILITIES, mysql()),
        _ => (nextauth_adapter_postgres::CAPABILITIES, postgres()),
    };
    let mut run = LiveRun::new(server, base, build).with_name(format!("{server}-on-v3-tables"));
    if let Some(tables) = tables {
        run = run.on_tables(tables);
    }
    run.run()
}

/// The PostgreSQL adapter on the namespace's tables, synchronized (it reads its e-mail
/// matching off the tables' collation).
fn postgres() -> BuildAdapter {
    Arc::new(|ns, config| {
        let (url, names) = (ns.url().to_owned(), ns.names().clone());
        Box::pin(async move {
            let adapter = nextauth_adapter_postgres::PostgresAdapter::connect(
                &url,
                config,
                SqlOptions {
                    names,
                    ..SqlOptions::default()
                },
            )
            .await?;
            adapter.synchronize().await?;
            Ok(Arc::new(adapter) as SharedAdapter)
        })
    })
}

/// The MySQL/MariaDB adapter, likewise.
fn mysql() -> BuildAdapter {
    Arc::new(|ns, config| {
        let (url, names) = (ns.url().to_owned(), ns.names().clone());
        Box::pin(async move {
            let adapter = nextauth_adapter_mysql::MySqlAdapter::connect(
                &url,
                config,
                SqlOptions {
                    names,
                    ..SqlOptions::default()
                },
            )
            .await?;
            adapter.synchronize().await?;
            Ok(Arc::new(adapter) as SharedAdapter)
        })
    })
}

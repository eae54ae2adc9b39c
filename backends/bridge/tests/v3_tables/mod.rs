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

use nextauth_adapter_bridge::{bridge_required, next_auth_synchronize, node_modules_installed};
use nextauth_adapter_mysql::MySqlStore;
use nextauth_adapter_postgres::PostgresStore;
use nextauth_adapter_testkit::{LiveRun, Server, ServerEnv, Synchronize, sql_adapter};
use std::process::ExitCode;

/// Certifies our adapter for `server` on next-auth@3's tables there.
pub fn certify_on_v3_tables(server: Server) -> ExitCode {
    if !node_modules_installed() {
        let required = bridge_required();
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
    // Synchronized: each adapter reads what it declares off next-auth's tables.
    let build = match server {
        Server::MySql => sql_adapter::<MySqlStore>(Synchronize::Yes),
        _ => sql_adapter::<PostgresStore>(Synchronize::Yes),
    };
    let mut run = LiveRun::new(server, build).with_name(format!("{server}-on-v3-tables"));
    if let Some(tables) = tables {
        run = run.on_tables(tables);
    }
    run.run()
}

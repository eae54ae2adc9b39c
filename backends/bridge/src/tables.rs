//! next-auth@3's own tables: the maker that lets next-auth's `synchronize` create them in a
//! fresh namespace, so that our adapters (and the schema check) run on the tables v3 users
//! really have; and the seed's Prisma tables, for next-auth@3's Prisma adapter.

use crate::error::BridgeError;
use crate::factory::BridgeFactory;
use crate::{node_command, node_modules_installed};
use nextauth_adapter::AdapterConfig;
use nextauth_adapter_sql::TableKind;
use nextauth_adapter_testkit::{NamespaceInfo, SchemaNames, Server, Tables};
use std::sync::Arc;

/// The `--tables` value under which next-auth@3 makes its own tables.
pub const SYNCHRONIZE: &str = "synchronize";

/// What a child announces (`namespaces.tables`) when its namespaces need the seed's Prisma
/// tables (next-auth@3's Prisma adapter).
pub const PRISMA_LEGACY: &str = "prisma-legacy";

/// The project's DDL for the seed's Prisma schema on `server`
/// (`fixtures/schemas/prisma-legacy/<server>.sql`, what `prisma migrate` makes), one
/// statement each, every table named `<prefix><documented name>`.
pub fn prisma_legacy_statements(server: Server, prefix: &str) -> Result<Vec<String>, BridgeError> {
    let file = match server {
        Server::Postgres => "postgres.sql",
        Server::MySql => "mysql.sql",
        Server::Sqlite | Server::MsSql => {
            return Err(BridgeError::Namespace(
                "the seed's Prisma tables are written for PostgreSQL and MySQL/MariaDB".to_owned(),
            ));
        }
    };
    let path = crate::node_server_dir()
        .join("../../fixtures/schemas/prisma-legacy")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| BridgeError::Namespace(format!("cannot read {}: {e}", path.display())))?;
    let dialect = server.dialect();
    Ok(text
        .split(';')
        .map(|statement| {
            let mut statement: String = statement
                .lines()
                .filter(|line| !line.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            for table in TableKind::ALL {
                let documented = SchemaNames::default().table(table);
                statement = statement.replace(
                    &dialect.quote(&documented),
                    &dialect.quote(&format!("{prefix}{documented}")),
                );
            }
            statement.trim().to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect())
}

/// The seed's Prisma tables ([`prisma_legacy_statements`]) made in each fresh namespace.
pub fn prisma_legacy_tables(server: Server, prefix: &str) -> Result<Tables, BridgeError> {
    let statements = Arc::new(prisma_legacy_statements(server, prefix)?);
    let make = move |ns: NamespaceInfo| {
        let statements = Arc::clone(&statements);
        Box::pin(async move {
            ns.execute(&statements).await?;
            Ok(())
        })
            as futures::future::BoxFuture<
                'static,
                Result<(), nextauth_adapter_testkit::BackendError>,
            >
    };
    Ok(Tables::Made {
        by: "the project's DDL for the seed's Prisma schema".to_owned(),
        make: Arc::new(make),
    })
}

/// The command that serves next-auth@3's default adapter against `url` with its tables made
/// as `tables` says (`ddl` or `synchronize`).
pub fn node_command_with_tables(adapter: &str, url: &str, tables: &str) -> Vec<String> {
    let mut command = node_command(adapter, url);
    command.extend(["--tables".to_owned(), tables.to_owned()]);
    command
}

/// Tables made by next-auth@3's `synchronize` (TypeORM, `?synchronize=true`, the seed's
/// example configuration), on the server at `server_url`: one child process serves every
/// namespace, opening next-auth's adapter there once (which creates the tables) and closing
/// it. Fails when `bridge/node/node_modules` is missing or the child does not start.
pub fn next_auth_synchronize(server: Server, server_url: &str) -> Result<Tables, BridgeError> {
    if !node_modules_installed() {
        return Err(BridgeError::Spawn {
            command: "node bridge/node/server.js".to_owned(),
            reason: "bridge/node/node_modules is missing: run ci/bridge.sh".to_owned(),
        });
    }
    let factory = Arc::new(BridgeFactory::new(
        node_command_with_tables("next-auth", server_url, SYNCHRONIZE),
        Vec::new(),
    )?);
    let make = move |ns: NamespaceInfo| {
        let factory = Arc::clone(&factory);
        Box::pin(async move {
            if ns.server != server {
                return Err(format!(
                    "next-auth's synchronize serves {server}, not a {} namespace",
                    ns.server
                )
                .into());
            }
            let fixture = factory
                .attach_named(&ns.name, ns.server, AdapterConfig::default())
                .await?;
            if let Some(teardown) = fixture.teardown {
                teardown().await?;
            }
            Ok(())
        })
            as futures::future::BoxFuture<
                'static,
                Result<(), nextauth_adapter_testkit::BackendError>,
            >
    };
    Ok(Tables::Made {
        by: "next-auth@3 synchronize".to_owned(),
        make: Arc::new(make),
    })
}

//! Our MySQL/MariaDB adapter certified on the tables `prisma migrate` makes for the seed's
//! Prisma schema (`fixtures/schemas/prisma-legacy/mysql.sql`: `VARCHAR(191)`, `DATETIME(3)`,
//! `utf8mb4_unicode_ci`), after the fixes `nextauth-certify schema` asks for (the e-mail
//! columns to an exact collation, since the kit does not model `utf8mb4_unicode_ci`; the
//! OAuth token columns to TEXT, since providers issue tokens of several kilobytes): the
//! whole suite, with the capabilities the adapter reads off those tables when it
//! synchronizes (191-character limits, milliseconds), which the suite then confirms.

use nextauth_adapter_mysql::MySqlStore;
use nextauth_adapter_testkit::{
    BackendError, LiveRun, MakeTables, NamespaceInfo, Server, Synchronize, Tables, sql_adapter,
};
use sqlx::mysql::MySqlPoolOptions;
use sqlx::{AssertSqlSafe, Executor};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

/// The seed's Prisma schema on MySQL, as `prisma migrate` makes it.
const PRISMA_TABLES: &str = include_str!("../../../fixtures/schemas/prisma-legacy/mysql.sql");

/// The fixes the schema check asks for: each e-mail column to an exact collation (the
/// statement it prints), the OAuth token columns to TEXT.
const FIXES: [&str; 4] = [
    "ALTER TABLE `users` MODIFY `email` VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL",
    "ALTER TABLE `verification_requests` MODIFY `identifier` VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL",
    "ALTER TABLE `accounts` MODIFY `refresh_token` TEXT NULL",
    "ALTER TABLE `accounts` MODIFY `access_token` TEXT NULL",
];

fn main() -> ExitCode {
    let make: MakeTables = Arc::new(|ns: NamespaceInfo| {
        Box::pin(async move {
            let pool = MySqlPoolOptions::new()
                .max_connections(1)
                .connect(&ns.url)
                .await?;
            let statements = PRISMA_TABLES
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .chain(FIXES.map(str::to_owned));
            for statement in statements {
                pool.execute(AssertSqlSafe(statement)).await?;
            }
            pool.close().await;
            Ok(())
        }) as Pin<Box<dyn Future<Output = Result<(), BackendError>> + Send>>
    });
    LiveRun::new(Server::MySql, sql_adapter::<MySqlStore>(Synchronize::Yes))
        .with_name("mysql-on-prisma-tables")
        .on_tables(Tables::Made {
            by: "prisma migrate (the seed's Prisma schema), fixed as the schema check asks"
                .to_owned(),
            make,
        })
        .run()
}

//! Throw-away namespaces: a PostgreSQL schema, a MySQL database or a SQLite file per test,
//! named `nx_<made>_<host>_<pid>_<random>` ([`crate::stale`]), never reused, dropped after the
//! test, and accounted for in a process-wide registry so a run can prove that it left nothing
//! behind; what a killed run left, the next run on the machine drops.

use crate::admin::{self, Location};
use crate::error::TestkitError;
use crate::server::Server;
use nextauth_adapter_sql::{SchemaNames, TableKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The prefix of every namespace the testkit creates.
pub const NAMESPACE_PREFIX: &str = "nx_";

/// A namespace this process created.
#[derive(Debug, Clone)]
struct Created {
    server: Server,
    admin_url: String,
    file: Option<PathBuf>,
    dropped: bool,
}

/// Every namespace this process created, by name.
static REGISTRY: Mutex<BTreeMap<String, Created>> = Mutex::new(BTreeMap::new());

fn registry() -> std::sync::MutexGuard<'static, BTreeMap<String, Created>> {
    // A poisoned lock means a panic elsewhere; the map itself is always consistent.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fresh namespace name, `nx_<made>_<host>_<pid>_<random>`: who made it and when
/// ([`crate::stale`], so that a later run can prove it stale) and four bytes from the
/// operating system's random source.
pub fn random_name() -> Result<String, TestkitError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| TestkitError::Random(e.to_string()))?;
    Ok(crate::stale::Maker::this_process().name(u32::from_be_bytes(bytes)))
}

/// Whether `name` is `[a-z_][a-z0-9_]*` of at most 63 bytes: safe to splice into DDL
/// unquoted on every server, and the same name on each (PostgreSQL folds unquoted names to
/// lower case).
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Names of the namespaces this process created (on `server`) and has not dropped yet.
pub fn live_namespaces(server: Server) -> Vec<String> {
    registry()
        .iter()
        .filter(|(_, c)| c.server == server && !c.dropped)
        .map(|(n, _)| n.clone())
        .collect()
}

/// How many namespaces this process has created on `server`.
pub fn created_count(server: Server) -> usize {
    registry().values().filter(|c| c.server == server).count()
}

/// Checks, in the server's own catalog, that no namespace this process created on `server`
/// still exists (PostgreSQL `information_schema.schemata`, MySQL
/// `information_schema.SCHEMATA`, SQLite the files), nor is still registered as live.
/// Returns how many namespaces were checked.
pub async fn verify_dropped(server: Server, server_url: &str) -> Result<usize, TestkitError> {
    let created: Vec<(String, Created)> = registry()
        .iter()
        .filter(|(_, c)| c.server == server)
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    if created.is_empty() {
        return Ok(0);
    }
    let candidates: Vec<(String, Option<PathBuf>)> = created
        .iter()
        .map(|(n, c)| (n.clone(), c.file.clone()))
        .collect();
    let present = admin::of(server).present(server_url, &candidates).await?;
    let mut leaked: Vec<String> = created
        .iter()
        .filter(|(n, c)| !c.dropped || present.contains(n))
        .map(|(n, _)| n.clone())
        .collect();
    leaked.dedup();
    if leaked.is_empty() {
        Ok(created.len())
    } else {
        Err(TestkitError::Leaked {
            server,
            names: leaked,
        })
    }
}

/// Drops every namespace this process created on `server` that is still registered as live
/// (after a run that leaked, so that the next run starts clean). Returns the names dropped.
pub async fn drop_leftovers(server: Server) -> Vec<String> {
    let leftovers: Vec<(String, Created)> = registry()
        .iter()
        .filter(|(_, c)| c.server == server && !c.dropped)
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    let mut dropped = Vec::new();
    for (name, created) in leftovers {
        match drop_owned(server, &created.admin_url, &name, created.file.as_deref()).await {
            Ok(()) => {
                mark_dropped(&name);
                dropped.push(name);
            }
            Err(e) => {
                tracing::error!(%server, namespace = %name, error = %e, "cannot drop a leftover namespace")
            }
        }
    }
    dropped
}

fn mark_dropped(name: &str) {
    if let Some(c) = registry().get_mut(name) {
        c.dropped = true;
    }
}

/// Drops a namespace the testkit created.
async fn drop_owned(
    server: Server,
    admin_url: &str,
    name: &str,
    file: Option<&Path>,
) -> Result<(), TestkitError> {
    admin::of(server).drop_owned(admin_url, name, file).await
}

/// Drops `namespaces` concurrently on a helper thread with a runtime of its own (the
/// caller's runtime may be gone, or blocked in the very `Drop` calling this), before
/// returning; a failure is logged and printed, with `what` saying whose namespaces they were.
pub(crate) fn drop_on_own_runtime(namespaces: Vec<Namespace>, what: &'static str) {
    if namespaces.is_empty() {
        return;
    }
    let outcome = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(TestkitError::Runtime)?;
        let results = runtime.block_on(futures::future::join_all(
            namespaces.into_iter().map(Namespace::drop),
        ));
        Ok::<_, TestkitError>(
            results
                .into_iter()
                .filter_map(Result::err)
                .collect::<Vec<_>>(),
        )
    })
    .join();
    match outcome {
        Ok(Ok(errors)) => {
            for e in errors {
                tracing::error!(error = %e, "dropping a {what} namespace failed");
                eprintln!("nextauth-adapter-testkit: dropping a {what} namespace failed: {e}");
            }
        }
        Ok(Err(e)) => eprintln!("nextauth-adapter-testkit: cannot drop {what} namespaces: {e}"),
        Err(_) => eprintln!("nextauth-adapter-testkit: dropping {what} namespaces panicked"),
    }
}

/// What a table maker or an adapter builder needs to know of a namespace, owned (so an
/// `async move` block can keep it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceInfo {
    /// The server.
    pub server: Server,
    /// The namespace's name (`nx_<made>_<host>_<pid>_<random>`).
    pub name: String,
    /// The URL an adapter of this namespace connects to.
    pub url: String,
    /// The server's URL the namespace was created on.
    pub server_url: String,
    /// The table names the schema is (or will be) created under.
    pub names: SchemaNames,
    /// See [`Namespace::time_zone_statement`].
    pub time_zone_statement: Option<String>,
}

impl NamespaceInfo {
    /// Runs `statements` in order in the namespace, on one fresh connection; stops at the
    /// first failure (a table maker's DDL, for example).
    pub async fn execute(&self, statements: &[String]) -> Result<(), TestkitError> {
        admin::of(self.server)
            .execute(&self.url, &self.name, statements)
            .await
    }
}

/// Makes the tables in a fresh, empty namespace.
pub type MakeTables = std::sync::Arc<
    dyn Fn(NamespaceInfo) -> futures::future::BoxFuture<'static, Result<(), crate::BackendError>>
        + Send
        + Sync,
>;

/// How a namespace gets its tables.
#[derive(Clone)]
pub enum Tables {
    /// The project's DDL (`nextauth_adapter_sql::statements`), in a namespace made for it.
    OurDdl,
    /// Another tool makes them (next-auth's `synchronize`, a Prisma schema, …), in a
    /// namespace with the server's default character set and collation.
    Made {
        /// Who makes them, for messages: `next-auth synchronize`.
        by: String,
        /// The maker.
        make: MakeTables,
    },
}

impl std::fmt::Debug for Tables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tables::OurDdl => f.write_str("OurDdl"),
            Tables::Made { by, .. } => f
                .debug_struct("Made")
                .field("by", by)
                .finish_non_exhaustive(),
        }
    }
}

impl Tables {
    /// A short label: `our DDL`, or who makes them.
    pub fn label(&self) -> &str {
        match self {
            Tables::OurDdl => "our DDL",
            Tables::Made { by, .. } => by,
        }
    }
}

/// One isolated namespace: a PostgreSQL schema, a MySQL database or a SQLite file, named
/// `nx_<made>_<host>_<pid>_<random>`, created fresh (creation fails rather than reuse an
/// existing one).
///
/// Drop it with [`Namespace::drop`]. If a value is dropped without that (a panic, a
/// forgotten call), its destructor drops the namespace on a fresh connection from a helper
/// thread, so a failing test still leaves nothing behind.
#[derive(Debug)]
pub struct Namespace {
    server: Server,
    name: String,
    names: SchemaNames,
    admin_url: String,
    at: Location,
    time_zone: Option<String>,
    /// Created by this process (dropped whole) rather than adopted (only our tables dropped).
    owned: bool,
    applied: AtomicBool,
    finished: bool,
}

impl Namespace {
    /// Creates a fresh, empty namespace on the server at `server_url` (for SQLite: a
    /// `sqlite://<directory>` URL, see [`locate`](crate::locate)), for tables named by
    /// `names`, whose connections run in session time zone `time_zone` (an IANA name;
    /// PostgreSQL and MySQL only, see [`mysql_offset`](crate::urls::mysql_offset)).
    ///
    /// Fails with [`TestkitError::NamespaceExists`] rather than reuse an existing namespace.
    pub async fn create(
        server: Server,
        server_url: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
    ) -> Result<Namespace, TestkitError> {
        let name = random_name()?;
        Self::create_named(server, server_url, &name, names, time_zone).await
    }

    /// [`create`](Self::create) for tables another tool makes (`tables`): a MySQL database
    /// then takes the server's default character set and collation, as `CREATE DATABASE app`
    /// gives a user, instead of the binary NO PAD collation our DDL is written for (MariaDB's
    /// `utf8mb4_nopad_bin`; a MySQL 8 test server needs `utf8mb4_0900_bin` here).
    pub async fn create_for(
        tables: &Tables,
        server: Server,
        server_url: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
    ) -> Result<Namespace, TestkitError> {
        let name = random_name()?;
        let mysql_collation = match tables {
            Tables::OurDdl => Some(nextauth_adapter_sql::MYSQL_COLLATION),
            Tables::Made { .. } => None,
        };
        Self::create_with(server, server_url, &name, names, time_zone, mysql_collation).await
    }

    /// [`create`](Self::create) with a given name instead of a random one (for tests of the
    /// refusal to reuse; a suite should let the testkit draw names).
    pub async fn create_named(
        server: Server,
        server_url: &str,
        name: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
    ) -> Result<Namespace, TestkitError> {
        Self::create_with(
            server,
            server_url,
            name,
            names,
            time_zone,
            Some(nextauth_adapter_sql::MYSQL_COLLATION),
        )
        .await
    }

    async fn create_with(
        server: Server,
        server_url: &str,
        name: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
        mysql_collation: Option<&str>,
    ) -> Result<Namespace, TestkitError> {
        let mut ns = Self::prepare(server, server_url, name, names, time_zone, true)?;
        // What runs on this machine that ended without dropping theirs left: once per server.
        crate::stale::drop_stale_once(server, server_url).await;
        admin::of(server)
            .create(server_url, name, &ns.at, mysql_collation)
            .await?;
        registry().insert(
            name.to_owned(),
            Created {
                server,
                admin_url: server_url.to_owned(),
                file: ns.at.file.clone(),
                dropped: false,
            },
        );
        ns.finished = false;
        tracing::debug!(%server, namespace = name, "namespace created");
        Ok(ns)
    }

    /// Uses an existing namespace `name` that this process did not create, for a suite that
    /// must run where it is told (a shared server where only one schema is granted).
    ///
    /// Refuses with [`TestkitError::ForeignTables`] when the namespace holds any table, so
    /// the suite never writes into (or later drops) someone else's data, and with
    /// [`TestkitError::NamespaceMissing`] when it does not exist. [`drop`](Self::drop) on an
    /// adopted namespace drops only the tables [`apply_schema`](Self::apply_schema) created,
    /// never the namespace.
    pub async fn adopt(
        server: Server,
        server_url: &str,
        name: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
    ) -> Result<Namespace, TestkitError> {
        let ns = Self::prepare(server, server_url, name, names, time_zone, false)?;
        let exists = admin::of(server).exists(server_url, name, &ns.at).await?;
        if !exists {
            return Err(TestkitError::NamespaceMissing {
                server,
                namespace: name.to_owned(),
            });
        }
        ns.refuse_foreign_tables().await?;
        tracing::info!(%server, namespace = name, "adopted an existing, empty namespace");
        Ok(ns)
    }

    /// Validates everything and builds the value, before anything is created.
    fn prepare(
        server: Server,
        server_url: &str,
        name: &str,
        names: SchemaNames,
        time_zone: Option<&str>,
        owned: bool,
    ) -> Result<Namespace, TestkitError> {
        if !is_plain_name(name) {
            return Err(TestkitError::InvalidName {
                server,
                name: name.to_owned(),
            });
        }
        nextauth_adapter_sql::statements(server.dialect(), &names)
            .map_err(|source| TestkitError::Names { server, source })?;
        let at = admin::of(server).locate(server_url, name, time_zone)?;
        Ok(Namespace {
            server,
            name: name.to_owned(),
            names,
            admin_url: server_url.to_owned(),
            at,
            time_zone: time_zone.map(str::to_owned),
            owned,
            applied: AtomicBool::new(false),
            // Nothing to clean up until creation succeeded.
            finished: true,
        })
    }

    /// Makes the tables as `tables` says: [`apply_schema`](Self::apply_schema) for our DDL,
    /// the tool's maker otherwise, after the same check that the namespace holds no table.
    pub async fn make_tables(&self, tables: &Tables) -> Result<(), TestkitError> {
        let Tables::Made { by, make } = tables else {
            return self.apply_schema().await;
        };
        if self.applied.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.refuse_foreign_tables().await?;
        self.applied.store(true, Ordering::SeqCst);
        make(self.info())
            .await
            .map_err(|e| TestkitError::TablesNotMade {
                server: self.server,
                namespace: self.name.clone(),
                by: by.clone(),
                reason: e.to_string(),
            })
    }

    /// Creates the four tables and their indexes
    /// (`nextauth_adapter_sql::statements(dialect, names)`), after checking that the
    /// namespace holds no table: the suite refuses to run beside tables it did not create
    /// ([`TestkitError::ForeignTables`]). Calling it again is a no-op.
    pub async fn apply_schema(&self) -> Result<(), TestkitError> {
        if self.applied.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.refuse_foreign_tables().await?;
        let statements = nextauth_adapter_sql::statements(self.server.dialect(), &self.names)
            .map_err(|source| TestkitError::Names {
                server: self.server,
                source,
            })?;
        // From here on, our tables may exist: an adopted namespace must drop them.
        self.applied.store(true, Ordering::SeqCst);
        admin::of(self.server)
            .execute(&self.at.url, &self.name, &statements)
            .await
    }

    async fn refuse_foreign_tables(&self) -> Result<(), TestkitError> {
        let tables = self.tables().await?;
        if tables.is_empty() {
            Ok(())
        } else {
            Err(TestkitError::ForeignTables {
                server: self.server,
                namespace: self.name.clone(),
                tables,
            })
        }
    }

    /// The tables (and views) in the namespace, sorted, read from the server's catalog.
    pub async fn tables(&self) -> Result<Vec<String>, TestkitError> {
        admin::of(self.server)
            .tables(&self.admin_url, &self.name, &self.at)
            .await
    }

    /// The namespace a server URL itself lands in (PostgreSQL: the URL's current schema;
    /// MySQL and SQL Server: its database) and the tables already there, which no suite created; `None` on
    /// SQLite (a directory of namespace files) and for a MySQL URL without a database.
    pub async fn tables_at_url(
        server: Server,
        url: &str,
    ) -> Result<Option<(String, Vec<String>)>, TestkitError> {
        let sql = match server {
            Server::Sqlite => return Ok(None),
            Server::Postgres => "SELECT CAST(current_schema() AS TEXT)",
            Server::MySql => "SELECT CAST(DATABASE() AS CHAR)",
            Server::MsSql => "SELECT CAST(DB_NAME() AS NVARCHAR(128))",
        };
        let admin = admin::of(server);
        let Some(own) = admin
            .strings(url, "(the URL's own)", sql, None)
            .await?
            .into_iter()
            .next()
            .filter(|n| !n.is_empty())
        else {
            return Ok(None);
        };
        let at = admin.locate(url, &own, None)?;
        let tables = admin.tables(url, &own, &at).await?;
        Ok(Some((own, tables)))
    }

    /// The base tables in the namespace (no views), whoever made them, each with its
    /// qualified, quoted name, read from the catalog. PostgreSQL and MySQL only
    /// ([`TestkitError::NoReuse`] elsewhere).
    pub(crate) async fn base_tables(&self) -> Result<Vec<(String, String)>, TestkitError> {
        let admin = admin::of(self.server);
        let sql = admin.base_tables_sql().ok_or(TestkitError::NoReuse {
            server: self.server,
        })?;
        let names = admin
            .strings(&self.admin_url, &self.name, sql, Some(&self.name))
            .await?;
        let dialect = self.server.dialect();
        Ok(names
            .into_iter()
            .map(|t| {
                let qualified = format!("{}.{}", dialect.quote(&self.name), dialect.quote(&t));
                (t, qualified)
            })
            .collect())
    }

    /// Empties `tables` (every base table of the namespace, whoever made it: our DDL,
    /// next-auth's `synchronize`, an ORM's migration; [`base_tables`](Self::base_tables)) and
    /// restarts their id sequences, on one connection: the namespace then shows a fixture what
    /// a fresh one shows.
    pub(crate) async fn empty(&self, tables: &[(String, String)]) -> Result<(), TestkitError> {
        if tables.is_empty() {
            return Ok(());
        }
        let qualified: Vec<String> = tables.iter().map(|(_, q)| q.clone()).collect();
        let admin = admin::of(self.server);
        admin
            .execute(
                &self.admin_url,
                &self.name,
                &admin.empty_statements(&qualified),
            )
            .await
    }

    /// Which of `tables` hold a row (none after [`empty`](Self::empty)), in one round trip.
    pub(crate) async fn nonempty_tables(
        &self,
        tables: &[(String, String)],
    ) -> Result<Vec<String>, TestkitError> {
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        let admin = admin::of(self.server);
        admin
            .strings(
                &self.admin_url,
                &self.name,
                &admin.nonempty_sql(tables),
                None,
            )
            .await
    }

    /// What a builder needs to know of this namespace, owned.
    pub fn info(&self) -> NamespaceInfo {
        NamespaceInfo {
            server: self.server,
            name: self.name.clone(),
            url: self.at.url.clone(),
            server_url: self.admin_url.clone(),
            names: self.names.clone(),
            time_zone_statement: self.time_zone_statement(),
        }
    }

    /// The server this namespace lives on.
    pub fn server(&self) -> Server {
        self.server
    }

    /// The namespace's name (`nx_<made>_<host>_<pid>_<random>` unless adopted).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table names the schema is (or will be) created under.
    pub fn names(&self) -> &SchemaNames {
        &self.names
    }

    /// A URL whose connections land in the namespace (PostgreSQL:
    /// `options=-c search_path=<name>` plus `-c TimeZone=<tz>` when set; MySQL: `/<name>`,
    /// and the session time zone when set as the query parameter `timezone=<offset>`;
    /// SQLite: the file, `?mode=rwc`).
    pub fn url(&self) -> &str {
        &self.at.url
    }

    /// The URL raw reads use: [`url`](Self::url), except that on MySQL the session stays at
    /// `+00:00` so that a `TIMESTAMP` column would read back in UTC too.
    pub(crate) fn inspect_url(&self) -> &str {
        &self.at.inspect_url
    }

    /// The session time zone requested, if any (adapters must give the same results).
    pub fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }

    /// The statement that puts a session into [`time_zone`](Self::time_zone), for drivers
    /// that do not take it from [`url`](Self::url): PostgreSQL `SET TIME ZONE '<tz>'`, MySQL
    /// `SET time_zone = '<offset>'`; `None` without a time zone (and always on SQLite).
    ///
    /// sqlx's PostgreSQL driver is one of them: it sends `TimeZone=UTC` as a startup
    /// parameter, which overrides the URL's `-c TimeZone=<tz>`. An sqlx-based adapter under
    /// test runs this statement on every new connection (`PgPoolOptions::after_connect`);
    /// tokio-postgres and libpq honour the URL.
    pub fn time_zone_statement(&self) -> Option<String> {
        admin::of(self.server).time_zone_statement(self.time_zone.as_deref()?)
    }

    /// The URL of the server (the namespace's parent), as given to
    /// [`create`](Self::create).
    pub fn server_url(&self) -> &str {
        &self.admin_url
    }

    /// Whether this process created the namespace (and so drops it whole).
    pub fn is_owned(&self) -> bool {
        self.owned
    }

    /// Table `kind`'s name qualified with the namespace, quoted for the server
    /// (`"nx_…"."users"`, `` `nx_…`.`users` ``; SQLite: the table alone).
    pub fn qualified(&self, kind: TableKind) -> String {
        let dialect = self.server.dialect();
        let table = dialect.quote(&self.names.table(kind));
        if admin::of(self.server).qualifies_tables() {
            format!("{}.{table}", dialect.quote(&self.name))
        } else {
            table
        }
    }

    /// Drops this namespace, and only it: `DROP SCHEMA <name> CASCADE`, `DROP DATABASE
    /// <name>`, or the file. An adopted namespace keeps existing; only the tables
    /// [`apply_schema`](Self::apply_schema) created are dropped.
    pub async fn drop(mut self) -> Result<(), TestkitError> {
        self.finished = true;
        if self.owned {
            drop_owned(
                self.server,
                &self.admin_url,
                &self.name,
                self.at.file.as_deref(),
            )
            .await?;
            mark_dropped(&self.name);
            tracing::debug!(server = %self.server, namespace = %self.name, "namespace dropped");
            Ok(())
        } else if self.applied.load(Ordering::SeqCst) {
            let statements: Vec<String> = TableKind::ALL
                .into_iter()
                .map(|k| format!("DROP TABLE IF EXISTS {}", self.qualified(k)))
                .collect();
            let admin = admin::of(self.server);
            let url = admin.drop_tables_url(&self.admin_url, &self.at);
            admin.execute(url, &self.name, &statements).await
        } else {
            Ok(())
        }
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if self.finished || !self.owned {
            return;
        }
        self.finished = true;
        tracing::warn!(server = %self.server, namespace = %self.name, "namespace not dropped explicitly; dropping it now");
        let (server, admin_url, name, file) = (
            self.server,
            self.admin_url.clone(),
            self.name.clone(),
            self.at.file.clone(),
        );
        // The caller's runtime may be gone (a panic unwinding) or busy (we are inside it):
        // run the drop on a fresh current-thread runtime on a helper thread.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(TestkitError::Runtime)?;
            runtime.block_on(drop_owned(server, &admin_url, &name, file.as_deref()))
        })
        .join();
        match outcome {
            Ok(Ok(())) => mark_dropped(&self.name),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "dropping a namespace in its destructor failed");
                eprintln!(
                    "nextauth-adapter-testkit: cannot drop namespace {}: {e}",
                    self.name
                );
            }
            Err(_) => eprintln!(
                "nextauth-adapter-testkit: dropping namespace {} panicked",
                self.name
            ),
        }
    }
}

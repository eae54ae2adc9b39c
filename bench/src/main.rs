//! `nextauth-bench`: the v3 core flows on our SQL adapters, side by side in one run with two
//! raw floors (sqlx, and the server's other Rust driver: tokio-postgres or mysql_async),
//! next-auth@3's default adapter measured natively in Node and through the process bridge,
//! and the machine's limit (the servers' own C load tools), on the same seeded data in one
//! fresh namespace per database.
//!
//! ```sh
//! eval "$(ci/databases.sh)"; ci/bridge.sh
//! cargo build --release -p nextauth-bench -p nextauth-certify
//! target/release/nextauth-bench --runs 3 --profile --certify --write-docs docs/performance.md
//! target/release/nextauth-bench --runs 1 --duration 2 --databases postgres --flows session-read
//! ```
//!
//! Per database it creates a namespace with the testkit (a fresh `nx_…` schema, database or
//! file), seeds 10,000 users each with an account and a live session, checks through our
//! adapter that the seeded rows read back as its own, then runs every flow at every
//! concurrency for each column in turn, `--runs` times, and prints the medians, the ratios
//! and the targets as Markdown (and JSON with `--json`). The namespace (and only it) is
//! dropped at the end. The method is in `docs/performance.md`, whose results section this
//! command writes with `--write-docs`.

mod certification;
mod data;
mod error;
mod limit;
mod measure;
mod native;
mod profile;
mod report;
mod subjects;

use clap::Parser;
use error::BenchError;
use measure::{Measured, run_cell};
use nextauth_adapter::{AdapterConfig, SessionPolicy, SharedAdapter, SystemClock};
use nextauth_adapter_bridge::protocol::{NamespaceRef, OpenArgs};
use nextauth_adapter_bridge::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
use nextauth_adapter_default::{Open, StoreJob, with_store};
use nextauth_adapter_mysql::SqlxMySqlStore;
use nextauth_adapter_postgres::SqlxPostgresStore;
use nextauth_adapter_sql::SqlOptions;
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server};
use sqlx::ConnectOptions as _;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use subjects::{Bridged, Flow, Ours, RawMySql, RawMysqlAsync, RawPg, RawTokioPg, Subject};

/// A `--databases` entry: `postgres`, `mysql` (or `mariadb`), `sqlite`. SQL Server is not
/// benchmarked: no server runs where the benchmark is run.
fn server(name: &str) -> Result<Server, String> {
    match Server::from_name(name) {
        Some(Server::MsSql) => Err(format!(
            "{name:?}: SQL Server is not benchmarked (no SQL Server runs on this project's machines)"
        )),
        Some(server) => Ok(server),
        None => Err(format!("{name:?}: expected postgres, mysql or sqlite")),
    }
}

/// A column of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Column {
    /// Our adapter.
    Ours,
    /// Our adapter on its sqlx store (PostgreSQL and MySQL/MariaDB, whose default stores are
    /// tokio-postgres and mysql_async): the driver's choice measured store against store.
    #[value(name = "ours-sqlx")]
    OursSqlx,
    /// The raw sqlx driver doing the minimal SQL of each flow: a floor.
    RawSqlx,
    /// The same SQL on the server's other Rust driver (tokio-postgres, mysql_async): a floor.
    RawOther,
    /// next-auth@3's default adapter measured natively in Node (`bridge/node/bench.js`): the
    /// peer.
    NextAuth,
    /// The same adapter called over the process bridge, one JSON line per call.
    NextAuthBridged,
    /// The server's C load tool on the session read's statements, one client thread
    /// (`pgbench -j 1`; `mariadb-slap`, a thread per connection).
    #[value(name = "limit-1")]
    Limit1,
    /// `pgbench -j 2`: two client threads, the machine's limit on two cores.
    #[value(name = "limit-2")]
    Limit2,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: [Column; 8] = [
        Column::Ours,
        Column::OursSqlx,
        Column::RawSqlx,
        Column::RawOther,
        Column::NextAuth,
        Column::NextAuthBridged,
        Column::Limit1,
        Column::Limit2,
    ];

    /// The column's name on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Column::Ours => "ours",
            Column::OursSqlx => "ours-sqlx",
            Column::RawSqlx => "raw-sqlx",
            Column::RawOther => "raw-other",
            Column::NextAuth => "next-auth",
            Column::NextAuthBridged => "next-auth-bridged",
            Column::Limit1 => "limit-1",
            Column::Limit2 => "limit-2",
        }
    }

    /// The column's heading in `db`'s tables.
    pub fn heading(self, db: Server) -> &'static str {
        match (self, db) {
            (Column::Ours, Server::Postgres) => "ours (tokio-postgres)",
            (Column::Ours, Server::MySql) => "ours (mysql_async)",
            (Column::Ours, _) => "ours",
            (Column::OursSqlx, _) => "ours (sqlx)",
            (Column::RawSqlx, _) => "raw sqlx",
            (Column::RawOther, Server::MySql) => "raw mysql_async",
            (Column::RawOther, _) => "raw tokio-postgres",
            (Column::NextAuth, _) => "next-auth (Node)",
            (Column::NextAuthBridged, _) => "next-auth (bridged)",
            (Column::Limit1, Server::MySql) => "mariadb-slap",
            (Column::Limit1, _) => "pgbench, 1 thread",
            (Column::Limit2, _) => "pgbench, 2 threads",
        }
    }

    /// Whether the column measures the latency of each flow.
    pub fn has_latency(self) -> bool {
        !matches!(self, Column::Limit1 | Column::Limit2)
    }
}

/// Benchmarks the v3 core flows: ours, two raw drivers, next-auth@3 natively and bridged, and
/// the servers' own load tools, side by side in one run.
#[derive(Debug, Parser)]
#[command(name = "nextauth-bench", version)]
pub(crate) struct Args {
    /// Seconds each cell (column × flow × concurrency) is measured.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Seconds each cell runs unmeasured first.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Concurrency levels (concurrent flows in flight).
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    concurrency: Vec<usize>,
    /// Databases to run on.
    #[arg(long, value_delimiter = ',', default_value = "postgres,mysql,sqlite", value_parser = server)]
    databases: Vec<Server>,
    /// Columns to run (SQLite runs ours alone; the load tools run the session read only).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ours,ours-sqlx,raw-sqlx,raw-other,next-auth,next-auth-bridged,limit-1,limit-2"
    )]
    columns: Vec<Column>,
    /// Flows to run.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "session-read,oauth-signin,email-signin"
    )]
    flows: Vec<Flow>,
    /// Users seeded (each with an account and a session).
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Whole repetitions of every cell; the tables show the medians.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Connections in our adapter's pool and the raw drivers' (default: our adapter's
    /// default pool size).
    #[arg(long)]
    pool: Option<u32>,
    /// After the cells, profile ours on each of PostgreSQL's measured flows at the highest
    /// concurrency with `perf record -a` (the whole machine: client, server, kernel), so
    /// that a missed target has its profile whichever flow misses it.
    #[arg(long)]
    profile: bool,
    /// Also time `nextauth-certify` (built beside this binary) certifying the reference,
    /// SQLite, PostgreSQL and MariaDB in one run, three times, with its peak memory.
    #[arg(long)]
    certify: bool,
    /// Write the results into this Markdown page, between its `<!-- bench:begin -->` and
    /// `<!-- bench:end -->` lines (e.g. docs/performance.md).
    #[arg(long, value_name = "PATH")]
    write_docs: Option<std::path::PathBuf>,
    /// Write the results as JSON (`nextauth-bench/v1`) to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<std::path::PathBuf>,
    /// PostgreSQL server URL (default: NEXTAUTH_TEST_POSTGRES_URL).
    #[arg(long)]
    postgres_url: Option<String>,
    /// MySQL/MariaDB server URL (default: NEXTAUTH_TEST_MYSQL_URL).
    #[arg(long)]
    mysql_url: Option<String>,
}

/// One row of the tables: a database, a flow, a concurrency.
pub type RowKey = (Server, Flow, usize);

/// Everything measured, by row and column, one entry per run.
#[derive(Default)]
pub struct Results {
    /// The measurements of each cell, one per run.
    pub cells: BTreeMap<(RowKey, Column), Vec<Measured>>,
    /// Why a column has no numbers for a database.
    pub notes: BTreeMap<(Server, Column), String>,
    /// Versions, pool sizes and load seen, for the footer.
    pub facts: Vec<String>,
    /// The profiles of ours on PostgreSQL's flows, when asked for.
    pub profiles: Vec<(Flow, String)>,
    /// The certification run's times and memory, when asked for.
    pub certification: Option<certification::Certified>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // The workers carry the program's name, which the profile filters on.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_name(profile::CLIENT_THREADS)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nextauth-bench: {}", BenchError::Runtime(e));
            return ExitCode::FAILURE;
        }
    };
    let mut results = Results::default();
    results.facts.push(machine());
    let mut failed = false;
    for &db in &args.databases {
        let label = db.label();
        if let Err(e) = runtime.block_on(bench_database(&args, db, &mut results)) {
            eprintln!("nextauth-bench: {label}: {e}");
            failed = true;
        }
    }
    if args.certify {
        match certification::measure(&args) {
            Ok(c) => results.certification = Some(c),
            Err(e) => {
                eprintln!("nextauth-bench: certification: {e}");
                failed = true;
            }
        }
    }
    results.facts.push(format!("load at the end {}", load()));
    let options = report::Options {
        command: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        runs: args.runs.max(1),
        duration: args.duration,
        warmup: args.warmup,
        users: args.users,
        databases: args.databases.clone(),
        flows: args.flows.clone(),
        concurrency: args.concurrency.clone(),
        columns: args.columns.clone(),
    };
    let markdown = report::markdown(&options, &results);
    println!("{markdown}");
    if let Some(path) = &args.write_docs {
        // The page stands for a complete run: one that failed somewhere, or that lacked a
        // tool (a column reading `n/a (…)`), leaves it as it was.
        let missing: Vec<String> = results
            .notes
            .iter()
            .filter(|(_, note)| note.starts_with("n/a"))
            .map(|((db, column), note)| format!("{}: {}: {note}", db.label(), column.heading(*db)))
            .collect();
        if failed || !missing.is_empty() {
            eprintln!(
                "nextauth-bench: {} not written: the run {}",
                path.display(),
                if failed {
                    "failed (see above)".to_owned()
                } else {
                    format!("lacked columns: {}", missing.join("; "))
                }
            );
            failed = true;
        } else if let Err(e) = report::write_into_page(path, &markdown) {
            eprintln!("nextauth-bench: {}: {e}", path.display());
            failed = true;
        }
    }
    if let Some(path) = &args.json
        && let Err(e) = std::fs::write(path, report::json(&options, &results).to_string())
    {
        eprintln!("nextauth-bench: {}: {e}", path.display());
        failed = true;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `nproc`, the CPU model, memory and the load average, as the footer shows them.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or_else(String::new, |kb| {
            format!(", {} GiB RAM", kb / (1024 * 1024))
        });
    format!(
        "machine: {cores} cores, {cpu}{memory}; load average at the start {}",
        load()
    )
}

/// The 1-, 5- and 15-minute load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The server URL for `db`.
pub(crate) fn server_url(args: &Args, db: Server) -> Result<String, BenchError> {
    let from = |flag: &Option<String>, env: &'static str, server: &'static str, name| {
        flag.clone()
            .or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty()))
            .ok_or(BenchError::NoServer {
                server,
                flag: name,
                env,
            })
    };
    match db {
        Server::Postgres => from(
            &args.postgres_url,
            "NEXTAUTH_TEST_POSTGRES_URL",
            "PostgreSQL",
            "postgres-url",
        ),
        Server::MySql => from(
            &args.mysql_url,
            "NEXTAUTH_TEST_MYSQL_URL",
            "MySQL/MariaDB",
            "mysql-url",
        ),
        Server::Sqlite => {
            let dir = std::env::temp_dir().join("nextauth-bench");
            std::fs::create_dir_all(&dir)?;
            Ok(nextauth_adapter_testkit::urls::sqlite_dir_url(&dir))
        }
        Server::MsSql => Err(BenchError::NotBenchmarked("SQL Server")),
    }
}

/// Creates the namespace, runs everything in it, and drops it whatever happened.
async fn bench_database(args: &Args, db: Server, results: &mut Results) -> Result<(), BenchError> {
    let url = server_url(args, db)?;
    let label = db.label();
    let ns = Namespace::create(db, &url, SchemaNames::default(), None).await?;
    eprintln!("{label}: namespace {}", ns.name());
    let outcome = match ns.apply_schema().await {
        Ok(()) => bench_in(args, db, &url, &ns, results).await,
        Err(e) => Err(e.into()),
    };
    let dropped = ns.drop().await;
    outcome?;
    dropped?;
    Ok(())
}

/// How a column runs its cells.
enum Runner {
    /// Flow by flow in this process (ours, the raw drivers, next-auth bridged).
    InProcess(Arc<dyn Subject>),
    /// next-auth@3 in its own Node process, which runs whole cells.
    Native(native::NativePeer),
    /// `pgbench` with this many client threads, on the namespace's URL.
    Pgbench { conninfo: String, threads: usize },
    /// `mariadb-slap` on the namespace.
    Slap(limit::MySqlTarget),
}

/// The columns of one database, built over the seeded namespace.
struct Columns {
    runners: Vec<(Column, Runner)>,
    bridge: Option<Arc<BridgeProcess>>,
    /// The connections each pool of ours and of the floors holds: the load tools get as
    /// many (never more than the concurrency), so that they serve the same shape.
    pool: usize,
}

async fn bench_in(
    args: &Args,
    db: Server,
    server_url: &str,
    ns: &Namespace,
    results: &mut Results,
) -> Result<(), BenchError> {
    let policy = SessionPolicy::default();
    let label = db.label();
    let started = Instant::now();
    let data = Arc::new(data::seed(ns, args.users, policy, chrono::Utc::now()).await?);
    eprintln!(
        "{label}: seeded {} users, accounts and sessions in {:.1} s",
        data.users.len(),
        started.elapsed().as_secs_f64()
    );
    let options = SqlOptions {
        max_connections: args.pool,
        ..SqlOptions::default()
    };
    let pool_size = options.pool_size();
    let config = AdapterConfig {
        clock: Arc::new(SystemClock),
        session: policy,
        base_url: "http://localhost:3000".to_owned(),
    };
    let (ours_config, ours_options) = (config.clone(), options.clone());
    let ours: SharedAdapter = with_store(
        db,
        Open {
            url: ns.url().to_owned(),
            config,
            options,
            synchronize: false,
        },
    )
    .await?;
    data::check(&*ours, &data).await?;
    let mut columns = Columns {
        runners: Vec::new(),
        bridge: None,
        pool: usize::try_from(pool_size).unwrap_or(usize::MAX),
    };
    let mut note = |column: Column, why: String| {
        eprintln!("{label}: {}: {why}", column.heading(db));
        results.notes.insert((db, column), why);
    };
    let mut mariadb = false;
    for &column in &args.columns {
        let runner = match (column, db) {
            (Column::Ours, _) => Runner::InProcess(Arc::new(Ours::new(Arc::clone(&ours)))),
            (_, Server::Sqlite) => {
                note(column, "— (ours alone)".to_owned());
                continue;
            }
            (Column::OursSqlx, _) => {
                let open = Open {
                    url: ns.url().to_owned(),
                    config: ours_config.clone(),
                    options: ours_options.clone(),
                    synchronize: false,
                };
                let adapter = match db {
                    Server::Postgres => open.run::<SqlxPostgresStore>().await?,
                    _ => open.run::<SqlxMySqlStore>().await?,
                };
                Runner::InProcess(Arc::new(Ours::new(adapter)))
            }
            (Column::RawSqlx, _) => {
                let (subject, version) = raw_sqlx(db, ns, pool_size, policy).await?;
                mariadb = version.to_ascii_lowercase().contains("mariadb");
                results.facts.push(format!("{label}: {version}"));
                Runner::InProcess(subject)
            }
            (Column::RawOther, Server::Postgres) => Runner::InProcess(Arc::new(
                RawTokioPg::connect(ns.url(), pool_size, policy).await?,
            )),
            (Column::RawOther, _) => Runner::InProcess(Arc::new(
                RawMysqlAsync::connect(ns.url(), pool_size, policy, mariadb).await?,
            )),
            (Column::NextAuth, _) => match native_peer(server_url, ns, &data) {
                Ok(peer) => {
                    results
                        .facts
                        .push(format!("{label} next-auth (Node): {}", peer.versions));
                    Runner::Native(peer)
                }
                Err(why) => {
                    note(column, why);
                    continue;
                }
            },
            (Column::NextAuthBridged, _) => match bridged(db, server_url, ns, policy).await {
                Ok((process, subject, name)) => {
                    results
                        .facts
                        .push(format!("{label} next-auth (bridged): {name}"));
                    columns.bridge = Some(process);
                    Runner::InProcess(subject)
                }
                Err(why) => {
                    note(column, why);
                    continue;
                }
            },
            (Column::Limit1 | Column::Limit2, Server::Postgres) => {
                if !limit::which("pgbench") {
                    note(column, "n/a (pgbench is not installed)".to_owned());
                    continue;
                }
                Runner::Pgbench {
                    conninfo: ns.url().to_owned(),
                    threads: if column == Column::Limit1 { 1 } else { 2 },
                }
            }
            (Column::Limit1, _) => {
                if !(limit::which("mariadb-slap") || limit::which("mysqlslap")) {
                    note(column, "n/a (mariadb-slap is not installed)".to_owned());
                    continue;
                }
                Runner::Slap(limit::MySqlTarget::from_url(ns.url())?)
            }
            (Column::Limit2, _) => {
                note(
                    column,
                    "— (mariadb-slap runs a thread per connection)".to_owned(),
                );
                continue;
            }
        };
        columns.runners.push((column, runner));
    }
    results.facts.push(format!(
        "{label}: pools of {pool_size} connections; load average before its cells {}",
        load()
    ));
    let outcome = run_all(args, db, &mut columns, &data, results).await;
    let mut profiled = Ok(());
    if let (Ok(()), Server::Postgres, true) = (&outcome, db, args.profile) {
        let c = args.concurrency.iter().copied().max().unwrap_or(16);
        let duration = Duration::from_secs_f64(args.duration.max(1.0));
        for flow in args.flows.iter().copied() {
            let subject: Arc<dyn Subject> = Arc::new(Ours::new(Arc::clone(&ours)));
            match profile::flow(subject, flow, c, duration, Arc::clone(&data)).await {
                Ok(p) => results.profiles.push((flow, p)),
                Err(e) => {
                    profiled = Err(e);
                    break;
                }
            }
        }
    }
    results
        .facts
        .push(format!("{label}: load average after its cells {}", load()));
    for (_, runner) in columns.runners {
        if let Runner::Native(peer) = runner
            && let Err(e) = peer.finish()
        {
            eprintln!("{label}: next-auth (Node): {e}");
        }
    }
    if let Some(process) = columns.bridge {
        let _ = process.close("bench").await;
        process.shutdown().await;
    }
    outcome?;
    profiled
}

async fn run_all(
    args: &Args,
    db: Server,
    columns: &mut Columns,
    data: &Arc<data::Dataset>,
    results: &mut Results,
) -> Result<(), BenchError> {
    let duration = Duration::from_secs_f64(args.duration.max(0.1));
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    let label = db.label();
    let pool = columns.pool;
    for run in 0..args.runs.max(1) {
        for &flow in &args.flows {
            for &c in &args.concurrency {
                for (column, runner) in &mut columns.runners {
                    let seed = (run as u64) << 32 | (c as u64) << 8 | flow as u64;
                    let m = match runner {
                        Runner::InProcess(subject) => {
                            run_cell(
                                Arc::clone(subject),
                                flow,
                                c,
                                warmup,
                                duration,
                                Arc::clone(data),
                                seed,
                            )
                            .await?
                        }
                        Runner::Native(peer) => tokio::task::block_in_place(|| {
                            peer.cell(flow, c, warmup, duration, seed)
                        })?,
                        // The load tools run the session read only, on as many connections
                        // as our pool, and two client threads only for two connections.
                        Runner::Pgbench { .. } | Runner::Slap(_) if flow != Flow::SessionRead => {
                            continue;
                        }
                        Runner::Pgbench { threads, .. } if *threads > c.min(pool) => continue,
                        Runner::Pgbench { conninfo, threads } => {
                            tokio::task::block_in_place(|| {
                                limit::pgbench(
                                    conninfo,
                                    data.users.len(),
                                    c.min(pool),
                                    *threads,
                                    warmup,
                                    duration,
                                )
                            })?
                        }
                        Runner::Slap(target) => tokio::task::block_in_place(|| {
                            limit::slap(target, data, c.min(pool), warmup, duration)
                        })?,
                    };
                    let latency = m.latency.map_or_else(String::new, |l| {
                        format!(
                            "  p50 {:>7.2} ms  p99 {:>7.2} ms",
                            l.p50_us as f64 / 1000.0,
                            l.p99_us as f64 / 1000.0
                        )
                    });
                    eprintln!(
                        "run {}/{}  {label} {:<13} c={c:<3} {:<20} {:>9.0} flows/s{latency}",
                        run + 1,
                        args.runs.max(1),
                        flow.name(),
                        column.heading(db),
                        m.flows_per_sec,
                    );
                    results
                        .cells
                        .entry(((db, flow, c), *column))
                        .or_default()
                        .push(m);
                }
            }
        }
    }
    Ok(())
}

/// The raw sqlx column for `db` (PostgreSQL or MySQL/MariaDB) and the server's version.
async fn raw_sqlx(
    db: Server,
    ns: &Namespace,
    pool_size: u32,
    policy: SessionPolicy,
) -> Result<(Arc<dyn Subject>, String), BenchError> {
    if db == Server::Postgres {
        let options = sqlx::postgres::PgConnectOptions::from_str(ns.url())
            .map_err(BenchError::sql("the namespace URL"))?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(pool_size)
            .connect_with(options)
            .await
            .map_err(BenchError::sql("connecting the raw pool"))?;
        let version: String = sqlx::query_scalar("SELECT version()")
            .fetch_one(&pool)
            .await
            .map_err(BenchError::sql("SELECT version()"))?;
        return Ok((Arc::new(RawPg::new(pool, policy)), version));
    }
    let options = sqlx::mysql::MySqlConnectOptions::from_str(ns.url())
        .map_err(BenchError::sql("the namespace URL"))?
        .charset("utf8mb4")
        .disable_statement_logging();
    let pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(pool_size)
        .connect_with(options)
        .await
        .map_err(BenchError::sql("connecting the raw pool"))?;
    let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
        .fetch_one(&pool)
        .await
        .map_err(BenchError::sql("SELECT VERSION()"))?;
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    Ok((Arc::new(RawMySql::new(pool, policy, mariadb)), version))
}

/// next-auth@3 natively: the Node child over the seeded namespace. `Err` is the note the
/// tables show instead of numbers.
fn native_peer(
    server_url: &str,
    ns: &Namespace,
    data: &data::Dataset,
) -> Result<native::NativePeer, String> {
    if !nextauth_adapter_bridge::node_modules_installed() {
        return Err("n/a (bridge/node not built: run ci/bridge.sh)".to_owned());
    }
    native::NativePeer::start(server_url, ns.name(), data)
        .map_err(|e| format!("n/a (cannot start it: {e})"))
}

/// next-auth@3 through the bridge: the Node child with one fixture opened over the seeded
/// namespace. `Err` is the note the tables show instead of numbers.
async fn bridged(
    db: Server,
    server_url: &str,
    ns: &Namespace,
    policy: SessionPolicy,
) -> Result<(Arc<BridgeProcess>, Arc<dyn Subject>, String), String> {
    if !nextauth_adapter_bridge::node_modules_installed() {
        return Err("n/a (bridge/node not built: run ci/bridge.sh)".to_owned());
    }
    let command = nextauth_adapter_bridge::node_command("next-auth", server_url);
    let process = Arc::new(
        BridgeProcess::spawn(&command, &[], DEFAULT_REQUEST_TIMEOUT)
            .map_err(|e| format!("n/a (cannot start the bridge: {e})"))?,
    );
    let fail = |what: &str, e: String| format!("n/a (bridge {what} failed: {e})");
    let name = match process.hello().await {
        Ok(hello) => hello.name,
        Err(e) => {
            process.shutdown().await;
            return Err(fail("hello", e.to_string()));
        }
    };
    let args = OpenArgs {
        namespace: Some(NamespaceRef {
            name: ns.name().to_owned(),
            server: db,
            tables_made: false,
        }),
        session: policy.into(),
        base_url: "http://localhost:3000".to_owned(),
        secret: subjects::SECRET.to_owned(),
        time_zone: None,
    };
    let now = chrono::Utc::now().timestamp_micros();
    if let Err(e) = process.open("bench", now, &args).await {
        process.shutdown().await;
        return Err(fail("open", e.to_string()));
    }
    let overhead = bridge_round_trip(&process)
        .await
        .map_err(|e| fail("setClock", e))?;
    let subject: Arc<dyn Subject> =
        Arc::new(Bridged::new(Arc::clone(&process), "bench".to_owned()));
    Ok((process, subject, format!("{name}; {overhead}")))
}

/// The bridge's own cost: the median and 99th percentile of 2,000 sequential `setClock`
/// requests (a JSON line each way, no adapter call, no database).
async fn bridge_round_trip(process: &BridgeProcess) -> Result<String, String> {
    let mut micros: Vec<u64> = Vec::with_capacity(2_000);
    for _ in 0..2_000 {
        let now = chrono::Utc::now().timestamp_micros();
        let t0 = Instant::now();
        process
            .set_clock("bench", now)
            .await
            .map_err(|e| e.to_string())?;
        micros.push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    micros.sort_unstable();
    Ok(format!(
        "a bridge round trip without adapter work: p50 {} µs, p99 {} µs",
        micros[micros.len() / 2],
        micros[micros.len() * 99 / 100]
    ))
}

//! `nextauth-bench`: the v3 core flows on our SQL adapters, side by side with the raw sqlx
//! driver (the floor) and next-auth@3's own default adapter through the process bridge (the
//! peer), on the same seeded data in one fresh namespace per database.
//!
//! ```sh
//! eval "$(ci/databases.sh)"; ci/bridge.sh
//! cargo run --release -p nextauth-bench                       # 5 s per cell, c = 1 and 16
//! cargo run --release -p nextauth-bench -- --runs 3 --duration 3 --databases postgres
//! ```
//!
//! Per database it creates a namespace with the testkit (a fresh `nx_…` schema, database or
//! file), seeds 10,000 users each with an account and a live session, checks through our
//! adapter that the seeded rows read back as its own, then runs every flow at every
//! concurrency for each column in turn, `--runs` times, and prints the medians and the
//! ratios as a Markdown table. The namespace (and only it) is dropped at the end. The method
//! and the latest numbers are in `docs/performance.md`.

mod data;
mod error;
mod measure;
mod subjects;

use clap::Parser;
use error::BenchError;
use measure::{Measured, median, run_cell};
use nextauth_adapter::{AdapterConfig, SessionPolicy, SharedAdapter, SystemClock};
use nextauth_adapter_bridge::protocol::{NamespaceRef, OpenArgs};
use nextauth_adapter_bridge::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
use nextauth_adapter_default::{Open, with_store};
use nextauth_adapter_sql::SqlOptions;
use nextauth_adapter_testkit::{Namespace, SchemaNames, Server};
use sqlx::ConnectOptions as _;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use subjects::{Flow, Ours, Peer, RawMySql, RawPg, Subject};

/// A `--databases` entry: `postgres`, `mysql` (or `mariadb`), `sqlite`.
fn server(name: &str) -> Result<Server, String> {
    Server::from_name(name).ok_or_else(|| format!("{name:?}: expected postgres, mysql or sqlite"))
}

/// A column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
enum Column {
    /// Our adapter.
    Ours,
    /// The raw sqlx driver doing the minimal SQL of each flow: the floor.
    Raw,
    /// next-auth@3's default TypeORM adapter through the bridge: the peer.
    NextAuth,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Ours => "ours",
            Column::Raw => "raw",
            Column::NextAuth => "next-auth",
        }
    }
}

/// Benchmarks the v3 core flows: ours, the raw driver and next-auth@3, side by side.
#[derive(Debug, Parser)]
#[command(name = "nextauth-bench", version)]
struct Args {
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
    /// Columns to run (SQLite runs ours alone).
    #[arg(long, value_delimiter = ',', default_value = "ours,raw,next-auth")]
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
    /// Whole repetitions of every cell; the table shows the medians.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Connections in our adapter's pool and the raw driver's (default: our adapter's
    /// default pool size).
    #[arg(long)]
    pool: Option<u32>,
    /// PostgreSQL server URL (default: NEXTAUTH_TEST_POSTGRES_URL).
    #[arg(long)]
    postgres_url: Option<String>,
    /// MySQL/MariaDB server URL (default: NEXTAUTH_TEST_MYSQL_URL).
    #[arg(long)]
    mysql_url: Option<String>,
}

/// One row of the table: a database, a flow, a concurrency.
type RowKey = (Server, Flow, usize);

/// Everything measured, by row and column, one entry per run.
#[derive(Default)]
struct Results {
    cells: BTreeMap<(RowKey, Column), Vec<Measured>>,
    /// Why a column has no numbers for a database (`n/a (…)`).
    notes: BTreeMap<(Server, Column), String>,
    /// Versions and load seen, for the footer.
    facts: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
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
    println!("{}", table(&args, &results));
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `nproc`, the CPU model and the load average, as the footer shows them.
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
    format!("machine: {cores} cores, {cpu}; load at start {}", load())
}

/// The 1-, 5- and 15-minute load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The server URL for `db`.
fn server_url(args: &Args, db: Server) -> Result<String, BenchError> {
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
    }
}

/// Creates the namespace, runs everything in it, and drops it whatever happened.
async fn bench_database(args: &Args, db: Server, results: &mut Results) -> Result<(), BenchError> {
    let url = server_url(args, db)?;
    let server = db;
    let label = db.label();
    let ns = Namespace::create(server, &url, SchemaNames::default(), None).await?;
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

/// The columns of one database, built over the seeded namespace.
struct Columns {
    subjects: Vec<(Column, Arc<dyn Subject>)>,
    bridge: Option<Arc<BridgeProcess>>,
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
        subjects: Vec::new(),
        bridge: None,
    };
    for &column in &args.columns {
        match column {
            Column::Ours => columns
                .subjects
                .push((column, Arc::new(Ours::new(Arc::clone(&ours))))),
            Column::Raw => match raw(db, ns, pool_size, policy, results).await? {
                Some(subject) => columns.subjects.push((column, subject)),
                None => {
                    results
                        .notes
                        .insert((db, column), "— (ours alone)".to_owned());
                }
            },
            Column::NextAuth => match peer(db, server_url, ns, policy).await {
                Ok((process, subject, name)) => {
                    results.facts.push(format!("{label} peer: {name}"));
                    columns.bridge = Some(process);
                    columns.subjects.push((column, subject));
                }
                Err(note) => {
                    eprintln!("{label}: next-auth column: {note}");
                    results.notes.insert((db, column), note);
                }
            },
        }
    }
    results.facts.push(format!(
        "{label}: pool {pool_size} connections; load before {}",
        load()
    ));
    let outcome = run_all(args, db, &columns, &data, results).await;
    results
        .facts
        .push(format!("{label}: load after {}", load()));
    if let Some(process) = columns.bridge {
        let _ = process.close("bench").await;
        process.shutdown().await;
    }
    outcome
}

async fn run_all(
    args: &Args,
    db: Server,
    columns: &Columns,
    data: &Arc<data::Dataset>,
    results: &mut Results,
) -> Result<(), BenchError> {
    let duration = Duration::from_secs_f64(args.duration.max(0.1));
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    let label = db.label();
    for run in 0..args.runs.max(1) {
        for &flow in &args.flows {
            for &c in &args.concurrency {
                for (column, subject) in &columns.subjects {
                    let seed = (run as u64) << 32 | (c as u64) << 8 | flow as u64;
                    let m = run_cell(
                        Arc::clone(subject),
                        flow,
                        c,
                        warmup,
                        duration,
                        Arc::clone(data),
                        seed,
                    )
                    .await?;
                    eprintln!(
                        "run {}/{}  {label} {:<13} c={c:<3} {:<9} {:>9.0} flows/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
                        run + 1,
                        args.runs.max(1),
                        flow.name(),
                        column.name(),
                        m.flows_per_sec,
                        m.p50_us as f64 / 1000.0,
                        m.p99_us as f64 / 1000.0,
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

/// The raw driver's column for `db` (none for SQLite: ours alone), and the server's version.
async fn raw(
    db: Server,
    ns: &Namespace,
    pool_size: u32,
    policy: SessionPolicy,
    results: &mut Results,
) -> Result<Option<Arc<dyn Subject>>, BenchError> {
    match db {
        Server::Postgres => {
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
            results.facts.push(format!("PostgreSQL: {version}"));
            Ok(Some(Arc::new(RawPg::new(pool, policy))))
        }
        Server::MySql => {
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
            results.facts.push(format!("MySQL/MariaDB: {version}"));
            Ok(Some(Arc::new(RawMySql::new(pool, policy, mariadb))))
        }
        Server::Sqlite => Ok(None),
    }
}

/// next-auth@3's column for `db`: the bridge's Node child with one fixture opened over the
/// seeded namespace. `Err` is the note the table shows instead of numbers.
async fn peer(
    db: Server,
    server_url: &str,
    ns: &Namespace,
    policy: SessionPolicy,
) -> Result<(Arc<BridgeProcess>, Arc<dyn Subject>, String), String> {
    if db == Server::Sqlite {
        return Err("— (ours alone)".to_owned());
    }
    if !nextauth_adapter_bridge::node_modules_installed() {
        return Err("n/a (bridge not built: run ci/bridge.sh)".to_owned());
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
    let subject: Arc<dyn Subject> = Arc::new(Peer::new(Arc::clone(&process), "bench".to_owned()));
    Ok((process, subject, format!("{name}; {overhead}")))
}

/// The bridge's own cost: the median and 99th percentile of 2,000 sequential `setClock`
/// requests (a JSON line each way, no adapter call, no database), so that the peer's numbers
/// can be read net of the process boundary a real v3 deployment does not have.
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
        "bridge round trip without adapter work: p50 {} µs, p99 {} µs",
        micros[micros.len() / 2],
        micros[micros.len() * 99 / 100]
    ))
}

/// The Markdown table of medians and ratios, then the footer.
fn table(args: &Args, results: &Results) -> String {
    let mut out = String::new();
    let runs = args.runs.max(1);
    let _ = writeln!(
        out,
        "\nMedians of {runs} run(s), {} s per cell after {} s warm-up; {} users seeded; latency in ms (p50 / p99).\n",
        args.duration, args.warmup, args.users
    );
    let _ = writeln!(
        out,
        "| database | flow | c | ours flows/s | ours p50 / p99 | raw flows/s | raw p50 / p99 | next-auth flows/s | next-auth p50 / p99 | ours time ÷ raw | ours ÷ next-auth |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for &db in &args.databases {
        for &flow in &args.flows {
            for &c in &args.concurrency {
                let label = db.label();
                let key = (db, flow, c);
                let cell = |column: Column| -> Option<Measured> {
                    let v = results.cells.get(&(key, column))?;
                    Some(Measured {
                        flows_per_sec: median(
                            &v.iter().map(|m| m.flows_per_sec).collect::<Vec<_>>(),
                        )?,
                        p50_us: median(&v.iter().map(|m| m.p50_us).collect::<Vec<_>>())?,
                        p99_us: median(&v.iter().map(|m| m.p99_us).collect::<Vec<_>>())?,
                        flows: median(&v.iter().map(|m| m.flows).collect::<Vec<_>>())?,
                    })
                };
                let show = |column: Column| -> (String, String) {
                    if !args.columns.contains(&column) {
                        return ("—".to_owned(), "—".to_owned());
                    }
                    match cell(column) {
                        Some(m) => (
                            format!("{:.0}", m.flows_per_sec),
                            format!(
                                "{:.2} / {:.2}",
                                m.p50_us as f64 / 1000.0,
                                m.p99_us as f64 / 1000.0
                            ),
                        ),
                        None => (
                            results
                                .notes
                                .get(&(db, column))
                                .cloned()
                                .unwrap_or_else(|| "not run".to_owned()),
                            String::new(),
                        ),
                    }
                };
                let (ours, ours_l) = show(Column::Ours);
                let (raw, raw_l) = show(Column::Raw);
                let (peer, peer_l) = show(Column::NextAuth);
                let ratio = |a: Option<Measured>, b: Option<Measured>| match (a, b) {
                    (Some(a), Some(b)) if b.flows_per_sec > 0.0 => {
                        format!("{:.2}×", a.flows_per_sec / b.flows_per_sec)
                    }
                    _ => "—".to_owned(),
                };
                // Time per flow is the inverse of throughput: ours ÷ raw time = raw ÷ ours flows/s.
                let vs_raw = ratio(cell(Column::Raw), cell(Column::Ours));
                let vs_peer = ratio(cell(Column::Ours), cell(Column::NextAuth));
                let _ = writeln!(
                    out,
                    "| {label} | {} | {c} | {ours} | {ours_l} | {raw} | {raw_l} | {peer} | {peer_l} | {vs_raw} | {vs_peer} |",
                    flow.name()
                );
            }
        }
    }
    out.push('\n');
    for fact in &results.facts {
        let _ = writeln!(out, "- {fact}");
    }
    out
}

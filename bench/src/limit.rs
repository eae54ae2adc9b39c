//! The machine's limit: the servers' own C load tools running the session read's two
//! statements on the seeded data, in the same run as the other columns.
//!
//! - PostgreSQL: `pgbench` with prepared statements (`-M prepared`), `c` connections served
//!   by one client thread (`-j 1`) and by two (`-j 2`). The script draws a seeded user `i`,
//!   reads the session by its token (the floor's statement, the token computed from `i` in
//!   SQL as [`data::session_token`](crate::data::session_token) computes it), keeps the row
//!   (`\gset`) and reads the user by the session's `user_id`.
//! - MariaDB/MySQL: `mariadb-slap` (or `mysqlslap`) running a file of the same two
//!   statements for random seeded users, with literal values (the tool has no prepared
//!   statements and no variables), one client thread per connection.
//!
//! A flow is the two statements: flows/s = statements/s ÷ 2.

use crate::data::{Dataset, SESSION_TOKEN_PREFIX};
use crate::error::BenchError;
use crate::measure::Measured;
use crate::subjects::statements;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The PostgreSQL load tool's script: the session-read flow of the floor.
pub fn pgbench_script(users: usize) -> String {
    let token =
        format!("encode(sha256(convert_to('{SESSION_TOKEN_PREFIX}' || :i, 'UTF8')), 'hex')");
    format!(
        "\\set i random(0, {})\n{} \\gset\n{}\n",
        users.saturating_sub(1),
        statements::pg::SESSION_BY_TOKEN.replace("$1", &token),
        statements::pg::USER_BY_ID.replace("$1", ":user_id"),
    )
}

/// Runs `pgbench` on `conninfo` (a libpq URL landing in the seeded namespace) with
/// `clients` connections and `threads` client threads: `warmup` unmeasured, then `duration`.
pub fn pgbench(
    conninfo: &str,
    users: usize,
    clients: usize,
    threads: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured, BenchError> {
    let script = scratch_file("pgbench-session-read.sql", &pgbench_script(users))?;
    let run = |seconds: u64| -> Result<f64, BenchError> {
        let mut cmd = Command::new("pgbench");
        cmd.args(["-n", "-M", "prepared", "-c"])
            .arg(clients.to_string())
            .arg("-j")
            .arg(threads.to_string())
            .arg("-T")
            .arg(seconds.max(1).to_string())
            .arg("-f")
            .arg(&script)
            .arg(conninfo);
        let stdout = run_tool("pgbench", "pgbench", &mut cmd)?;
        parse_pgbench_tps(&stdout).ok_or_else(|| {
            tool_error(
                "pgbench",
                format!("no `tps = ` line in its output: {stdout}"),
            )
        })
    };
    if !warmup.is_zero() {
        run(warmup.as_secs_f64().ceil() as u64)?;
    }
    let tps = run(duration.as_secs_f64().round() as u64)?;
    Ok(Measured {
        flows_per_sec: tps,
        latency: None,
    })
}

/// The transactions per second from pgbench's summary (`tps = 21401.3 (without initial
/// connection time)`).
pub fn parse_pgbench_tps(stdout: &str) -> Option<f64> {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Where the MySQL/MariaDB load tool connects: from the namespace's URL.
#[derive(Debug, Clone)]
pub struct MySqlTarget {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    database: String,
}

impl MySqlTarget {
    /// From a `mysql://user:password@host:port/database` URL.
    pub fn from_url(url: &str) -> Result<Self, BenchError> {
        let u = url::Url::parse(url)
            .map_err(|e| tool_error("mariadb-slap", format!("the namespace URL: {e}")))?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        Ok(MySqlTarget {
            host: u.host_str().unwrap_or("127.0.0.1").to_owned(),
            port: u.port().unwrap_or(3306),
            user: decode(u.username()),
            password: u.password().map(decode),
            database: decode(u.path().trim_start_matches('/')),
        })
    }
}

/// The MySQL/MariaDB load tool's query file: the floor's two session-read statements for
/// `flows` seeded users drawn at random (seeded), with literal values.
pub fn slap_queries(data: &Dataset, flows: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = String::new();
    for _ in 0..flows {
        let user = &data.users[rng.usize(..data.users.len())];
        let _ = write!(
            out,
            "{};{};",
            statements::mysql::SESSION_BY_TOKEN.replace("?", &format!("'{}'", user.session_token)),
            statements::mysql::USER_BY_ID.replace("?", &user.id.to_string()),
        );
    }
    out
}

/// Runs `mariadb-slap` (or `mysqlslap`) with `clients` connections (one thread each): a
/// calibration run as the warm-up, then enough queries for about `duration`.
pub fn slap(
    target: &MySqlTarget,
    data: &Dataset,
    clients: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Measured, BenchError> {
    let tool = ["mariadb-slap", "mysqlslap"]
        .into_iter()
        .find(|t| which(t))
        .ok_or_else(|| {
            tool_error(
                "mariadb-slap",
                "neither mariadb-slap nor mysqlslap is on PATH".to_owned(),
            )
        })?;
    let file = scratch_file("slap-session-read.sql", &slap_queries(data, 20_000, 0x51a9))?;
    let run = |queries: u64| -> Result<f64, BenchError> {
        let mut cmd = Command::new(tool);
        cmd.arg(format!("--host={}", target.host))
            .arg(format!("--port={}", target.port))
            .arg(format!("--user={}", target.user))
            .arg(format!("--create-schema={}", target.database))
            // The namespace is the benchmark's; the tool must not drop it.
            .arg("--no-drop")
            .arg(format!("--query={}", file.display()))
            .arg("--delimiter=;")
            .arg(format!("--concurrency={clients}"))
            .arg("--iterations=1")
            .arg(format!("--number-of-queries={queries}"));
        if let Some(p) = &target.password {
            // Through the environment, never on a command line another user can read.
            cmd.env("MYSQL_PWD", p);
        }
        let stdout = run_tool("mariadb-slap", tool, &mut cmd)?;
        let (seconds, per_client) = parse_slap(&stdout)
            .ok_or_else(|| tool_error("mariadb-slap", format!("unexpected output: {stdout}")))?;
        Ok(per_client * clients as f64 / seconds.max(1e-3))
    };
    // Calibrate on a short run (it is the warm-up), then size the measured run.
    let guess = run((2_000 * clients as u64).max(4_000))?;
    let warm = warmup.as_secs_f64().max(0.5);
    let rate = run(((guess * warm) as u64).max(1_000))?;
    let statements_per_sec = run(((rate * duration.as_secs_f64()) as u64).max(1_000))?;
    Ok(Measured {
        flows_per_sec: statements_per_sec / 2.0,
        latency: None,
    })
}

/// The run's seconds and the queries per client from the tool's summary.
pub fn parse_slap(stdout: &str) -> Option<(f64, f64)> {
    let value = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
    };
    Some((
        value("Average number of seconds to run all queries:")?,
        value("Average number of queries per client:")?,
    ))
}

/// Runs `cmd` (the program `program`, reported as `tool`) to its end and returns its standard
/// output; a failure to start or a non-zero exit is the tool's error, with its standard error.
fn run_tool(tool: &'static str, program: &str, cmd: &mut Command) -> Result<String, BenchError> {
    let out = cmd
        .output()
        .map_err(|e| tool_error(tool, format!("cannot run {program}: {e}")))?;
    if !out.status.success() {
        return Err(tool_error(
            tool,
            format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `tool` is on `PATH`.
pub fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Writes `contents` to a file of this run in the temporary directory.
fn scratch_file(name: &str, contents: &str) -> Result<PathBuf, BenchError> {
    let dir = std::env::temp_dir().join(format!("nextauth-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, contents)?;
    Ok(path)
}

fn tool_error(tool: &'static str, detail: String) -> BenchError {
    BenchError::Tool { tool, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgbench_summary_is_read() {
        let out = "transaction type: s.sql\nnumber of clients: 16\nlatency average = 0.747 ms\n\
                   initial connection time = 20.1 ms\ntps = 21401.318 (without initial connection time)\n";
        assert_eq!(parse_pgbench_tps(out), Some(21401.318));
        assert_eq!(parse_pgbench_tps("no summary"), None);
    }

    #[test]
    fn slap_summary_is_read() {
        let out = "Benchmark\n\tAverage number of seconds to run all queries: 0.234 seconds\n\
                   \tNumber of clients running queries: 4\n\tAverage number of queries per client: 1000\n";
        assert_eq!(parse_slap(out), Some((0.234, 1000.0)));
        assert_eq!(parse_slap("Benchmark\n"), None);
    }

    #[test]
    fn the_pgbench_script_reads_a_session_then_its_user() {
        let s = pgbench_script(10_000);
        assert!(s.starts_with("\\set i random(0, 9999)\n"), "{s}");
        assert!(s.contains("WHERE session_token = encode(sha256(convert_to('nextauth-bench session ' || :i, 'UTF8')), 'hex') \\gset"), "{s}");
        assert!(s.contains("FROM users WHERE id = :user_id"), "{s}");
    }
}

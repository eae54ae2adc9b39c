//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Certifies NextAuth.js v3 database adapters against the conformance suite.
///
/// With no arguments it certifies the in-memory reference adapter and the embedded SQLite
/// backend; `--reference` and any number of `--url` certify those, all at once, in one
/// report. Exit status: 0 when every certified backend conforms (failing SHOULD rules are
/// printed but do not count, unless --strict), 1 when one does not, 2 when nothing could be
/// certified (an unreachable server, a refused URL or login, an occupied database, an adapter
/// command that exits, rules not run, a filtered run, a usage error), 141 when the reader of
/// stdout went away (`| head`).
#[derive(Debug, Parser)]
#[command(name = "nextauth-certify", version, about, long_about = None)]
pub struct Cli {
    /// A subcommand; none certifies.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What to certify and how.
    #[command(flatten)]
    pub certify: CertifyArgs,
    /// When to colour the output: `auto` on a terminal unless `NO_COLOR` is set (or when
    /// `CLICOLOR_FORCE` is), `always`, `never`.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        global = true
    )]
    pub color: ColorWhen,
}

impl Cli {
    /// What clap cannot check by itself: `--namespace` names one schema or database, so it
    /// goes with one `--url` only.
    pub fn check(&self) -> Result<(), clap::Error> {
        if self.certify.namespace.is_some() && self.certify.urls.len() > 1 {
            return Err(<Cli as clap::CommandFactory>::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--namespace names one schema or database: it cannot be used with more than \
                     one --url ({} given); certify the URL that needs it in a run of its own",
                    self.certify.urls.len()
                ),
            ));
        }
        Ok(())
    }
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set; always when `CLICOLOR_FORCE` is set.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prints the rule catalogue (id, level, area, source).
    Rules(RulesArgs),
    /// Checks a live database's tables against the expected schema (read-only).
    Schema(SchemaArgs),
    /// Lists the deliberately broken adapters `--broken` accepts.
    Defects,
    /// Shares one database between next-auth@3 (npm, through the bridge) and our adapter,
    /// each reading what the other wrote, in a fresh namespace of the server.
    Interop(InteropArgs),
    /// Serves our adapter for the server at --url (or the reference adapter) over the bridge
    /// protocol on stdin/stdout, each fixture in a fresh namespace: how next-auth@3's real
    /// core (`bridge/node/core`) drives our adapters.
    Serve(ServeArgs),
    /// Runs v3 core's flows mixed, from many tasks at once, for a bounded time against the
    /// database at --url (a fresh namespace, dropped after) or the reference, checking the
    /// contract's invariants as it goes; prints progress and a summary with figures.
    Soak(SoakArgs),
    /// Drops the namespaces (`nx_…` schemas or databases) that runs of this kit left on the
    /// server at --url and that are provably stale: made on this machine by a process that
    /// has ended, or, with --older-than, made longer ago than that anywhere. Prints each
    /// `nx_` namespace with what was decided; never touches a name that records no maker.
    Clean(CleanArgs),
    /// Prints the completion script for a shell, e.g.
    /// `nextauth-certify completions bash > /etc/bash_completion.d/nextauth-certify`.
    Completions(CompletionsArgs),
    /// Prints the manual page (roff), e.g. `nextauth-certify man | man -l -`.
    Man,
}

/// Options of `completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Output format of a certification run on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The readable report: compact by default, every rule with `-v`, the verdicts with `-q`.
    Text,
    /// The JSON reports (`docs/report-format.md`), one per backend, in an array.
    Json,
    /// JUnit XML: one document, a test suite per backend and area.
    Junit,
    /// The Markdown summary (as `summary.md`).
    Markdown,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database server (postgres://…, mysql://…, mariadb://…, sqlite:…); every fixture
    /// the parent opens is a fresh namespace there, dropped when it closes.
    #[arg(long, value_name = "URL", conflicts_with = "reference")]
    pub url: Option<String>,
    /// Serve the in-memory reference adapter instead (hardened capabilities).
    #[arg(long)]
    pub reference: bool,
    /// The contract served: `v3`, or `authjs` (the Auth.js reference adapter, with
    /// `--reference`).
    #[arg(long, value_enum, value_name = "PROFILE", default_value = "v3")]
    pub profile: ProfileArg,
}

/// Options of `soak`.
#[derive(Debug, Clone, Args)]
pub struct SoakArgs {
    /// The database server (postgres://…, mysql://…, mariadb://…, sqlite:…); the soak works
    /// in a fresh namespace there and drops it.
    #[arg(long, value_name = "URL", conflicts_with = "reference")]
    pub url: Option<String>,
    /// Soak the in-memory reference adapter instead (hardened capabilities).
    #[arg(long)]
    pub reference: bool,
    /// Run in this existing, empty schema (PostgreSQL) or database (MySQL) instead of a
    /// namespace of the soak's own; needed when the URL's database holds other tables.
    #[arg(long, value_name = "NAME", requires = "url")]
    pub namespace: Option<String>,
    /// How long the flows run: seconds, or a number with s, m or h (`90`, `60s`, `5m`).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub duration: std::time::Duration,
    /// How many flows run at once.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    /// The seed of the workers' flow sequences (the same seed draws the same flows).
    #[arg(long, value_name = "N", default_value_t = 0x5EED)]
    pub seed: u64,
    /// The summary on stdout: the readable one or JSON (`nextauth-soak/v1`).
    #[arg(long, value_enum, default_value_t = InteropFormat::Text)]
    pub format: InteropFormat,
}

/// Options of `clean`.
#[derive(Debug, Clone, Args)]
pub struct CleanArgs {
    /// The server (postgres://…, mysql://…, mariadb://…, mssql://…).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Also drop namespaces made longer ago than this, by any machine (e.g. 6h, 2d); without
    /// it, only those of ended processes on this machine.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub older_than: Option<std::time::Duration>,
    /// Say what would be dropped, drop nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `90`, `90s`, `5m`, `1h`, `2d` as a duration.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 90, 60s, 5m, 1h or 2d"))?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86400),
        _ => None,
    }
    .ok_or_else(|| format!("{text:?} is not a duration such as 90, 60s, 5m, 1h or 2d"))?;
    if seconds == 0 {
        return Err("the duration must be at least one second".to_owned());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// Who makes the tables of an interop run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InteropTablesArg {
    /// The project's DDL.
    Ddl,
    /// next-auth@3's own `synchronize` (TypeORM), as the seed's example configures it.
    Synchronize,
    /// One run with each.
    Both,
}

/// Output format of `interop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InteropFormat {
    /// The readable report.
    Text,
    /// JSON (`nextauth-interop/v1`), one document per run, in an array.
    Json,
}

/// Options of `interop`.
#[derive(Debug, Clone, Args)]
pub struct InteropArgs {
    /// The database server (postgres://… or mysql://…, mariadb://…); the run works in a fresh
    /// namespace there and drops it; nothing else is touched.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Who makes the tables.
    #[arg(long, value_enum, default_value = "both")]
    pub tables: InteropTablesArg,
    /// The output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: InteropFormat,
}

/// The contract to certify against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// NextAuth.js v3's fifteen-method adapter.
    V3,
    /// Auth.js's (`@auth/core`, next-auth v4/v5) adapter.
    Authjs,
}

/// Declared capabilities to certify against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Hardened: delete-on-read, cascading delete_user, single-use verification.
    Hardened,
    /// What next-auth 3.17's built-in TypeORM adapter does.
    V3Typeorm,
}

/// Options of a certification run.
#[derive(Debug, Clone, Args)]
pub struct CertifyArgs {
    /// Certify the backend at this URL (postgres://…, mysql://…, mariadb://…, sqlite:…), in
    /// fresh namespaces of that server; nothing else on it is touched. Refused when the
    /// database the URL lands in holds tables (use an empty database, or --namespace).
    /// Repeatable, and combinable with --reference: the backends are certified at once and
    /// reported in the order given (the reference first).
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// With one --url: run every rule in this existing, empty schema (PostgreSQL) or database
    /// (MySQL), one at a time, instead of namespaces of the suite's own; only the suite's
    /// own tables are dropped after. For a server where only one namespace is granted.
    #[arg(long, value_name = "NAME", requires = "urls")]
    pub namespace: Option<String>,
    /// Certify a deliberately broken adapter (see `nextauth-certify defects`), to see what a
    /// failure looks like.
    #[arg(long, value_name = "DEFECT", conflicts_with = "urls")]
    pub broken: Option<String>,
    /// Certify an adapter in any language served over the bridge protocol
    /// (`docs/bridge-protocol.md`) by this command, split like a shell would, e.g.
    /// `"node bridge/node/server.js --adapter next-auth --url postgres://…"`.
    #[arg(long, value_name = "COMMAND", conflicts_with_all = ["urls", "broken"])]
    pub adapter_command: Option<String>,
    /// Certify the in-memory reference adapter: alone, or with the backends at --url.
    #[arg(long, conflicts_with_all = ["broken", "adapter_command"])]
    pub reference: bool,
    /// The contract certified against: `v3` or `authjs`. Default: the one of what is
    /// certified (an `authjs-` defect is Auth.js's; everything else, v3's).
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<ProfileArg>,
    /// Declared capabilities the reference or broken adapter is certified against.
    #[arg(long, value_enum, default_value = "hardened")]
    pub capabilities: Preset,
    /// Run only rules whose id contains this text (repeatable), as libtest's FILTER. A
    /// filtered run never conforms.
    #[arg(long = "filter", value_name = "TEXT")]
    pub filters: Vec<String>,
    /// Leave out rules whose id contains this text (repeatable), as libtest's `--skip`.
    #[arg(long = "skip", value_name = "TEXT")]
    pub skip: Vec<String>,
    /// `--filter` and `--skip` match whole rule ids, as libtest's `--exact`.
    #[arg(long)]
    pub exact: bool,
    /// Random sequences of the property test (0: skip it; then the run is partial).
    #[arg(long, value_name = "N")]
    pub cases: Option<u32>,
    /// The property test's seed (printed with every failure). Default: the harness version's
    /// fixed seed, so a verdict is reproducible.
    #[arg(long, value_name = "N", conflicts_with = "explore")]
    pub seed: Option<u64>,
    /// Explore: the property test draws a fresh random seed. What it finds is saved to the
    /// regressions directory and replayed by every later run.
    #[arg(long)]
    pub explore: bool,
    /// Where failing property-test sequences are saved and replayed from (default:
    /// `NEXTAUTH_REGRESSIONS_DIR`, else `nextauth-regressions/`).
    #[arg(long, value_name = "DIR")]
    pub regressions_dir: Option<PathBuf>,
    /// Failing SHOULD rules fail the run (exit status 1), as `NEXTAUTH_STRICT=1` does.
    #[arg(long)]
    pub strict: bool,
    /// The longest property-test sequence.
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    /// Where the reports go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub report_dir: PathBuf,
    /// How many rules run at once, each in its own namespace; with several backends, shared
    /// among them (N / backends each, at least 1).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// The report on stdout; the files in --report-dir are written in every format whatever
    /// this is. With a format other than text, the verdict line goes to stderr.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Print only the verdict lines.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// List every rule with its outcome, not only the failing ones and a line per area.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Output format of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// An aligned text table.
    Table,
    /// A Markdown table, for the README and reviewers.
    Markdown,
    /// JSON.
    Json,
}

/// Options of `rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// The output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RulesFormat,
    /// Whose catalogue: the v3 contract's or the Auth.js contract's.
    #[arg(long, value_enum, default_value = "v3")]
    pub profile: ProfileArg,
}

/// Options of `schema`.
#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// The database (postgres://…, mysql://…, mariadb://…, sqlite:…).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// PostgreSQL: the schema holding the tables.
    #[arg(long, value_name = "SCHEMA", default_value = "public")]
    pub pg_schema: String,
    /// A prefix on every table and index name (TypeORM's entityPrefix).
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// The users table's name (before the prefix).
    #[arg(long, default_value = "users")]
    pub users_table: String,
    /// The accounts table's name (before the prefix).
    #[arg(long, default_value = "accounts")]
    pub accounts_table: String,
    /// The sessions table's name (before the prefix).
    #[arg(long, default_value = "sessions")]
    pub sessions_table: String,
    /// The verification requests table's name (before the prefix).
    #[arg(long, default_value = "verification_requests")]
    pub verification_requests_table: String,
}

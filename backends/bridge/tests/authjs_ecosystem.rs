//! The npm Auth.js adapters certified through the bridge (`bridge/node/authjs`), one cell of
//! the ecosystem matrix (`docs/ecosystem.md`) per adapter, database and setup: each the
//! whole Auth.js suite (rules, races, the 256 property sequences) against a real server,
//! held to its exact set of failing rules (MUST and SHOULD) and its findings (cause, severity
//! and reach), so that a change in an adapter, the bridge or the harness shows up here. Before
//! the cells of a server, the Auth.js real-core lane (`bridge/node/authjs/core/run.js`) plays
//! its scenarios through `@auth/core` on each adapter there, and what it shows decides the reach
//! of that adapter's findings (played once per server, by the first cell there that needs it).
//! Each cell is a test of its own, two at a time (`--list`: `authjs/kysely/postgres/documented`,
//! `authjs/kysely/mysql/repository`, …; `cargo test -p nextauth-adapter-bridge --test
//! authjs_ecosystem -- authjs/kysely/` runs Kysely's). After them, every namespace the run
//! created must be gone.
//!
//! Needs `bridge/node/authjs/node_modules` (`ci/bridge.sh`) and the database URLs
//! (`eval "$(ci/databases.sh)"`). Without them it prints a loud NOT RUN and fails only when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge` or the server.

// Shared with the v3 cells for running cells as trials; its v3 certification is unused here.
#[allow(dead_code)]
mod cells;

use libtest_mimic::Failed;
use nextauth_adapter_bridge::NodeSide;
use nextauth_adapter_bridge::authjs::{AuthjsBridgeFactory, lane, module_command, npm_command};
use nextauth_adapter_harness::Level;
use nextauth_adapter_harness::authjs::BackendFactory;
use nextauth_adapter_harness::execute::Outcome;
use nextauth_adapter_harness::reach::Lane;
use nextauth_adapter_harness::report::Verdict;
use nextauth_adapter_harness::runner::{RunOptions, run_trials};
use nextauth_adapter_harness::suite::Target;
use nextauth_adapter_testkit::Server;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// One cell: an adapter of `bridge/node/authjs` on one server and setup, and what it shows.
struct Cell {
    server: Server,
    /// `server.js --adapter`, or, starting with `examples/`, an author's kit module for
    /// `server.js --module` (relative to the repository).
    adapter: &'static str,
    /// `server.js --setup` (`None`: the tables its documentation gives).
    setup: Option<&'static str>,
    /// The failing MUST rules, as lists to join.
    must: &'static [&'static [&'static str]],
    /// The failing SHOULD rules.
    should: &'static [&'static str],
    /// The findings (`cause severity reach`, [`cells::finding_key`]), as lists to join.
    findings: &'static [&'static [&'static str]],
    /// What names the cell's row in `docs/ecosystem.md`'s matrix (with the package), whose
    /// counts must be the run's.
    row: &'static str,
}

impl Cell {
    /// The cell's trial name, `authjs/<adapter>/<server>/<setup>` (`authjs/kysely/postgres/
    /// documented`; the worked example's adapter is its directory, `authjs-js-adapter`): what
    /// `cargo test … -- <name>` runs, and the label of every line it prints.
    fn name(&self) -> String {
        let adapter = match self.adapter.strip_prefix("examples/") {
            Some(module) => module.split('/').next().unwrap_or(module),
            None => self.adapter,
        };
        format!(
            "authjs/{adapter}/{}/{}",
            self.server,
            self.setup.unwrap_or("documented")
        )
    }
}

/// `docs/ecosystem.md`, whose matrix must show what the cells show.
const PAGE: &str = include_str!("../../../docs/ecosystem.md");

/// @auth/pg-adapter 1.11.3, on the tables its documentation page gives (the same DDL as the
/// repository's `packages/adapter-pg/schema.sql` at that tag, so there is no second pg cell):
/// no unique key but the verification token's, so duplicates of every other key are accepted
/// (one at a time and in races); `updateUser` of a user nobody has returns nothing; rows may
/// name a user nobody has (no foreign keys).
const PG_DOCUMENTED: Cell = Cell {
    server: Server::Postgres,
    adapter: "pg",
    setup: None,
    must: &[&[
        "authjs.users.create.email-unique",
        "authjs.users.update.missing-is-not-found",
        "authjs.users.update.email-conflict",
        "authjs.accounts.link.unique",
        "authjs.sessions.create.token-unique",
        "authjs.concurrency.create-user.one-email",
        "authjs.concurrency.link-account.one-account",
        "authjs.concurrency.create-session.one-token",
        "authjs.property.differential.sequences",
    ]],
    should: &[
        "authjs.accounts.link.missing-user-refused",
        "authjs.sessions.create.missing-user-refused",
    ],
    findings: &[&[
        "duplicates integrity reached",
        "differential contract not-reached",
        "errors contract not-reached",
        "orphans contract not-reached",
    ]],
    row: "its documentation's",
};

/// @auth/kysely-adapter 1.11.2 (Kysely 0.28, pg), on the tables its documentation's migration
/// makes: no unique key on the provider account, so one is linked twice (and 32 times in a
/// race); `email NOT NULL`; and `updateUser` with nothing to change sends an `UPDATE` with an
/// empty `SET` (the property test's shortest divergence).
const KYSELY_DOCUMENTED: Cell = Cell {
    server: Server::Postgres,
    adapter: "kysely",
    setup: None,
    must: &[&[
        "authjs.accounts.link.unique",
        "authjs.concurrency.link-account.one-account",
        "authjs.property.differential.sequences",
    ]],
    should: &["authjs.users.create.without-email"],
    findings: &[&[
        "duplicates contract not-reached",
        "differential contract not-reached",
        "data-fidelity contract reached",
    ]],
    row: "its documentation's",
};

/// What @auth/sequelize-adapter 2.11.3 (Sequelize 6.37) fails on both servers, on the tables
/// `sequelize.sync()` makes from its models: `useVerificationToken` finds the token, then
/// deletes every token of the identifier (a wrong token consumes the right one; 32
/// concurrent uses all succeed); no unique key on the provider account; `updateUser` of a
/// missing user returns `null`; OAuth tokens in `VARCHAR(255)`.
const SEQUELIZE_MUST: &[&str] = &[
    "authjs.users.update.missing-is-not-found",
    "authjs.accounts.link.unique",
    "authjs.verification.use.wrong-token",
    "authjs.verification.use.removes-only-that-token",
    "authjs.data.tokens.large",
    "authjs.security.verification.key-is-exact",
    "authjs.concurrency.verification.used-once",
    "authjs.concurrency.link-account.one-account",
    "authjs.property.differential.sequences",
];

/// Sequelize on PostgreSQL.
const SEQUELIZE_POSTGRES: Cell = Cell {
    server: Server::Postgres,
    adapter: "sequelize",
    setup: None,
    must: &[SEQUELIZE_MUST],
    // `expires_at` is an INTEGER: past 2038 is refused.
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "link-reuse security reached",
        "collateral integrity reached",
        "duplicates contract not-reached",
        "differential contract not-reached",
        "errors contract not-reached",
        "token-width contract not-reached",
        "data-fidelity contract not-reached",
    ]],
    row: "`sequelize.sync()`",
};

/// Sequelize on MariaDB: also `DATETIME` without a fraction (whole seconds stored, the
/// given milliseconds returned), and the database's default collation, which matches a
/// provider id with a trailing space (and a token in upper case, already failing above).
const SEQUELIZE_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "sequelize",
    setup: None,
    must: &[
        SEQUELIZE_MUST,
        &[
            "authjs.data.timestamps.declared-precision",
            "authjs.security.lookups.exact",
        ],
    ],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "collateral integrity reached",
        "duplicates contract not-reached",
        "differential contract not-reached",
        "errors contract not-reached",
        "token-width contract not-reached",
        "data-fidelity contract not-reached",
        "timestamp-precision precision not-reached",
    ]],
    row: "`sequelize.sync()`",
};

/// @auth/kysely-adapter on MariaDB (mysql2), on the MySQL tables of its repository's tests
/// (its documentation's migration is PostgreSQL's): the same unique key missing and the same
/// empty `SET` as on PostgreSQL, and without `RETURNING` a sign-in link consumed by a read and
/// then a delete (32 concurrent uses succeed); the database's collation in lookups; OAuth
/// tokens in `varchar(255)`.
const KYSELY_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "kysely",
    setup: Some("repository"),
    must: &[&[
        "authjs.accounts.link.unique",
        "authjs.concurrency.link-account.one-account",
        "authjs.property.differential.sequences",
        "authjs.data.tokens.large",
        "authjs.security.lookups.exact",
        "authjs.security.verification.key-is-exact",
        "authjs.concurrency.verification.used-once",
    ]],
    should: &["authjs.users.create.without-email"],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "duplicates contract not-reached",
        "differential contract not-reached",
        "token-width contract not-reached",
        "data-fidelity contract reached",
    ]],
    row: "its repository's MySQL tables",
};

/// @auth/drizzle-adapter 1.11.3 (drizzle-orm 0.45) on PostgreSQL, on the tables drizzle-kit
/// makes from its schema: it conforms; `expires_at` is an `integer` (past 2038 refused).
const DRIZZLE_POSTGRES: Cell = Cell {
    server: Server::Postgres,
    adapter: "drizzle",
    setup: None,
    must: &[],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&["data-fidelity contract not-reached"]],
    row: "drizzle-kit, from its schema",
};

/// Drizzle on MariaDB (mysql2): expiries in `timestamp` without a fraction (whole seconds:
/// a session 0.25 s from its end comes back already over), `useVerificationToken` a read then
/// a delete (no `RETURNING`), the database's collation in lookups, OAuth tokens in
/// `varchar(255)`.
const DRIZZLE_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "drizzle",
    setup: None,
    must: &[&[
        "authjs.sessions.expires.boundary-kept",
        "authjs.verification.expires.boundary-kept",
        "authjs.data.timestamps.declared-precision",
        "authjs.data.tokens.large",
        "authjs.security.lookups.exact",
        "authjs.security.verification.key-is-exact",
        "authjs.concurrency.verification.used-once",
    ]],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "token-width contract not-reached",
        "data-fidelity contract not-reached",
        "timestamp-precision precision not-reached",
    ]],
    row: "drizzle-kit, from its schema",
};

/// What @auth/typeorm-adapter 2.11.3 (TypeORM 0.3) fails on both servers, on the tables its
/// own `synchronize()` makes: `save()` is an upsert (createUser with a taken id overwrites
/// that user; updateUser of a user nobody has creates one); updateUser returns only what it
/// was given; `useVerificationToken` a read then a delete; no unique key on the provider
/// account.
const TYPEORM_MUST: &[&str] = &[
    "authjs.users.create.core-id-unique",
    "authjs.users.update.missing-is-not-found",
    "authjs.users.update.missing-inserts-nothing",
    "authjs.users.update.returns-stored",
    "authjs.users.update.keeps-absent-fields",
    "authjs.users.update.null-clears",
    "authjs.flows.email.existing-user-verified",
    "authjs.accounts.link.unique",
    "authjs.concurrency.link-account.one-account",
    "authjs.concurrency.verification.used-once",
    "authjs.property.differential.sequences",
];

/// TypeORM on PostgreSQL.
const TYPEORM_POSTGRES: Cell = Cell {
    server: Server::Postgres,
    adapter: "typeorm",
    setup: None,
    must: &[TYPEORM_MUST],
    should: &[],
    findings: &[&[
        "link-reuse security reached",
        "duplicates contract not-reached",
        "return-values contract not-reached",
        "differential contract not-reached",
        "errors contract not-reached",
        "resurrection contract not-reached",
        "flows contract not-reached",
    ]],
    row: "its own `synchronize()`",
};

/// TypeORM on MariaDB: also the database's collation in lookups and OAuth tokens in
/// `varchar(255)`.
const TYPEORM_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "typeorm",
    setup: None,
    must: &[
        TYPEORM_MUST,
        &[
            "authjs.data.tokens.large",
            "authjs.security.lookups.exact",
            "authjs.security.verification.key-is-exact",
        ],
    ],
    should: &[],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "duplicates contract not-reached",
        "return-values contract not-reached",
        "differential contract not-reached",
        "errors contract not-reached",
        "resurrection contract not-reached",
        "flows contract not-reached",
        "token-width contract not-reached",
    ]],
    row: "its own `synchronize()`",
};

/// What @auth/mikro-orm-adapter 2.10.0 (MikroORM 5.9) fails on both servers, on the tables
/// MikroORM's schema generator makes from its entities: instants kept in whole seconds but
/// returned with their milliseconds; updateSession of a token nobody has throws a TypeError;
/// `useVerificationToken` a read then a delete; OAuth tokens in `varchar(255)`; `expires_at`
/// an `int`.
const MIKRO_MUST: &[&str] = &[
    "authjs.data.timestamps.declared-precision",
    "authjs.sessions.update.missing-inserts-nothing",
    "authjs.concurrency.verification.used-once",
    "authjs.data.tokens.large",
    "authjs.property.differential.sequences",
];

/// MikroORM on PostgreSQL.
const MIKRO_POSTGRES: Cell = Cell {
    server: Server::Postgres,
    adapter: "mikro-orm",
    setup: None,
    must: &[MIKRO_MUST],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "link-reuse security reached",
        "differential contract not-reached",
        "resurrection contract not-reached",
        "token-width contract not-reached",
        "data-fidelity contract not-reached",
        "timestamp-precision precision not-reached",
    ]],
    row: "its schema generator",
};

/// MikroORM on MariaDB: also the database's collation in lookups.
const MIKRO_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "mikro-orm",
    setup: None,
    must: &[
        MIKRO_MUST,
        &[
            "authjs.security.lookups.exact",
            "authjs.security.verification.key-is-exact",
        ],
    ],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "differential contract not-reached",
        "resurrection contract not-reached",
        "token-width contract not-reached",
        "data-fidelity contract not-reached",
        "timestamp-precision precision not-reached",
    ]],
    row: "its schema generator",
};

/// @auth/prisma-adapter 2.11.3 (Prisma 7.10, @prisma/adapter-pg) on PostgreSQL, on the
/// tables of a hand-written migration in `prisma migrate dev`'s form for its documented
/// schema (`fixtures/ecosystem/provenance.json`): it conforms; `email` is
/// required and `expires_at` an `INTEGER`.
const PRISMA_POSTGRES: Cell = Cell {
    server: Server::Postgres,
    adapter: "prisma",
    setup: None,
    must: &[],
    should: &[
        "authjs.users.create.without-email",
        "authjs.data.expires-at.past-2038",
    ],
    findings: &[&["data-fidelity contract reached"]],
    row: "a hand-written migration of its documented schema",
};

/// Prisma on MariaDB (@prisma/adapter-mariadb), on the documented MySQL schema's tables:
/// `Account.userId` unique (a second linked account is refused), relations without
/// `onDelete` (a user with an account cannot be deleted), Prisma's `delete` on MySQL a read
/// then a delete (a sign-in link used several times at once), the tables' case-insensitive
/// collation in lookups.
const PRISMA_MYSQL: Cell = Cell {
    server: Server::MySql,
    adapter: "prisma",
    setup: None,
    must: &[&[
        "authjs.users.delete.cascades",
        "authjs.accounts.unlink.removes-that-account",
        "authjs.authenticators.list.exactly-the-users",
        "authjs.authenticators.counter.updated",
        "authjs.flows.oauth.linking-while-signed-in",
        "authjs.concurrency.link-account.one-account",
        "authjs.property.differential.sequences",
        "authjs.security.lookups.exact",
        "authjs.security.verification.key-is-exact",
        "authjs.concurrency.verification.used-once",
    ]],
    should: &["authjs.data.expires-at.past-2038"],
    findings: &[&[
        "inexact-lookup security reached",
        "link-reuse security reached",
        "errors contract not-reached",
        "differential contract not-reached",
        "flows contract reached",
        "duplicates contract not-reached",
        "data-fidelity contract not-reached",
    ]],
    row: "a hand-written migration of its documented schema",
};

/// The worked example of certifying one's own adapter (`examples/authjs-js-adapter`): a
/// hand-written adapter over node-postgres, one statement a method, the keys left to its
/// tables. It conforms; getAccount is there, the WebAuthn methods are not.
const EXAMPLE: Cell = Cell {
    server: Server::Postgres,
    adapter: "examples/authjs-js-adapter/kit.js",
    setup: None,
    must: &[],
    should: &[],
    findings: &[],
    row: "the worked example",
};

/// The cells, MariaDB's (the slowest) first and the servers alternating, so that two cells at
/// a time share the load between the servers.
const CELLS: &[Cell] = &[
    KYSELY_MYSQL,
    PG_DOCUMENTED,
    DRIZZLE_MYSQL,
    KYSELY_DOCUMENTED,
    TYPEORM_MYSQL,
    DRIZZLE_POSTGRES,
    MIKRO_MYSQL,
    TYPEORM_POSTGRES,
    PRISMA_MYSQL,
    MIKRO_POSTGRES,
    SEQUELIZE_MYSQL,
    PRISMA_POSTGRES,
    SEQUELIZE_POSTGRES,
    EXAMPLE,
];

fn main() -> ExitCode {
    cells::init_tracing();
    let trials = CELLS
        .iter()
        .map(|cell| {
            cells::trial(cell.name(), cell.server, NodeSide::Authjs, move |url| {
                let lane = if cell.adapter.starts_with("examples/") {
                    // An author's module: no lane plays it.
                    None
                } else {
                    match lanes(cell.server, url) {
                        Ok(lanes) => lanes.get(cell.adapter),
                        Err(e) => {
                            let mut problems = cells::Problems::default();
                            problems.add(format!("{}: {e}", cell.name()));
                            return problems.result();
                        }
                    }
                };
                certify(cell, url, lane)
            })
        })
        .collect();
    cells::run(trials, &[Server::Postgres, Server::MySql])
}

/// What the Auth.js real-core lane showed on each adapter on `server` (at `url`), which
/// decides the reach of that adapter's findings: played once per server, by the first cell
/// that needs it (the others wait for it), whatever order the cells run in.
fn lanes(server: Server, url: &str) -> &'static Result<BTreeMap<String, Lane>, String> {
    static POSTGRES: OnceLock<Result<BTreeMap<String, Lane>, String>> = OnceLock::new();
    static MYSQL: OnceLock<Result<BTreeMap<String, Lane>, String>> = OnceLock::new();
    let once = match server {
        Server::MySql => &MYSQL,
        _ => &POSTGRES,
    };
    once.get_or_init(|| {
        let started = Instant::now();
        let lanes = lane::run(url, &[])
            .map(|outcomes| lane::by_adapter(&outcomes))
            .map_err(|e| format!("the Auth.js real-core lane on {server}: {e}"));
        println!(
            "the Auth.js real-core lane on {server}: played in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        lanes
    })
}

/// Certifies `cell` against the server at `url`, its findings' reach weighed by what the
/// real-core lane showed on the same adapter (`lane`, none for an author's module); `Ok`
/// when it shows exactly what the cell expects, otherwise every difference.
fn certify(cell: &Cell, url: &str, lane: Option<&Lane>) -> Result<(), Failed> {
    let label = cell.name();
    let mut problems = cells::Problems::default();
    let started = Instant::now();
    let command = match cell.adapter.strip_prefix("examples/") {
        Some(_) => module_command(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(cell.adapter),
            url,
        ),
        None => npm_command(cell.adapter, cell.setup, url),
    };
    let factory = match AuthjsBridgeFactory::new(command, Vec::new()) {
        Ok(f) => f,
        Err(e) => {
            problems.add(format!("{label}: the adapter process did not start: {e}"));
            return problems.result();
        }
    };
    let name = factory.name();
    let args = cells::inner_run_args(&label);
    let child = factory.clone();
    let factory: Arc<dyn BackendFactory> = Arc::new(factory);
    let run = run_trials(Target::Authjs(factory), &args, &RunOptions::from_env());
    // Asked to exit, not killed when the last handle goes.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(child.shutdown());
    let report = match run {
        Ok((_, Some(report))) => match lane {
            Some(lane) => report.with_lane(lane),
            None => report,
        },
        Ok((_, None)) => {
            problems.add(format!("{label}: no report"));
            return problems.result();
        }
        Err(e) => {
            problems.add(format!("{label}: the suite could not run: {e}"));
            return problems.result();
        }
    };
    if let Some(dir) = std::env::var_os("NEXTAUTH_REPORT_DIR") {
        let _ = report.write_to(std::path::Path::new(&dir));
    }
    let failing = |level: Level| -> BTreeSet<String> {
        report
            .results
            .iter()
            .filter(|r| r.level == level && matches!(r.outcome, Outcome::Failed(_)))
            .map(|r| r.id.clone())
            .collect()
    };
    let set =
        |list: &[&str]| -> BTreeSet<String> { list.iter().map(|s| (*s).to_owned()).collect() };
    print!("{label}: {}", report.findings_text());
    println!(
        "{label}: {name}: {} in {:.1} s; MUST {}/{}/{} (pass/fail/n.a.), SHOULD {}/{}/{}",
        report.verdict.text(),
        started.elapsed().as_secs_f64(),
        report.must.passed,
        report.must.failed,
        report.must.not_applicable,
        report.should.passed,
        report.should.failed,
        report.should.not_applicable,
    );
    let expected_verdict = if cell.must.iter().all(|l| l.is_empty()) {
        Verdict::Conforms
    } else {
        Verdict::DoesNotConform
    };
    if report.verdict != expected_verdict || !report.complete {
        problems.add(format!(
            "{label}: expected a complete run and the verdict `{}`, got {} (complete: {})",
            expected_verdict.text(),
            report.verdict.text(),
            report.complete
        ));
    }
    for (what, now, expected) in [
        ("MUST rules", failing(Level::Must), set(&cell.must.concat())),
        ("SHOULD rules", failing(Level::Should), set(cell.should)),
    ] {
        cells::same_failures(
            &mut problems,
            &label,
            what,
            &now,
            &expected,
            &report.results,
        );
    }
    // `@auth/pg-adapter@1.11.3-postgres`: the package is what comes before the version.
    let package = report
        .backend
        .rsplit_once('@')
        .map_or(report.backend.as_str(), |(p, _)| p);
    let counts = format!(
        "| {} / {} / {} | {} / {} |",
        report.must.passed,
        report.must.failed,
        report.must.not_applicable,
        report.should.passed,
        report.should.failed
    );
    let on_page = PAGE.lines().any(|l| {
        l.starts_with(&format!("| `{package}` ")) && l.contains(cell.row) && l.contains(&counts)
    });
    if !on_page {
        problems.add(format!(
            "{label}: docs/ecosystem.md has no matrix row for `{package}` on {:?} with {counts}",
            cell.row
        ));
    }
    let findings: BTreeSet<String> = report.findings.iter().map(cells::finding_key).collect();
    if findings != set(&cell.findings.concat()) {
        problems.add(format!(
            "{label}: the findings changed\n  now: {findings:?}\n  expected: {:?}",
            cell.findings.concat()
        ));
    }
    problems.result()
}

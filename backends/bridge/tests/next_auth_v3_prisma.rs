//! The bridged certification of next-auth@3's Prisma adapter (`Adapters.Prisma.Adapter`, on
//! Prisma 7's client with its PostgreSQL and MariaDB driver adapters), on the seed's Prisma
//! schema with tables from the project's DDL for it (`fixtures/schemas/prisma-legacy`): four
//! cells of the results matrix, the seed's model names and every model renamed through
//! `modelMapping`, on PostgreSQL and on MariaDB/MySQL. Each cell runs the whole suite (the
//! time-sensitive rules again in a non-UTC session) and is held to its exact failing MUST
//! rules and findings, which `docs/next-auth-v3-results.md` explains. Each cell is a test of
//! its own, two at a time (`--list`: `prisma/postgres/ddl`, `prisma-renamed/mysql/ddl`, …);
//! after them, every namespace the run created must be gone.
//!
//! Needs `bridge/node/node_modules` and the generated Prisma clients (`ci/bridge.sh`) and the
//! database URLs (`eval "$(ci/databases.sh)"`). Without them it prints a loud NOT RUN and
//! fails only when `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge` (node_modules) or the server.

mod cells;

use cells::Cell;
use nextauth_adapter_testkit::Server;
use std::process::ExitCode;

/// The MUST rules next-auth@3.29.10's Prisma adapter fails on PostgreSQL. Among them the key
/// rules: `unlinkAccount` of a provider account id no account has throws (`P2025`), and
/// `updateSession` updates by the session's id alone, whatever token it is given.
const EXPECTED_FAILING_POSTGRES: &[&str] = &[
    "account.unlink.as-declared",
    "account.unlink.other-users-account-kept",
    "concurrency.delete-session.same-token",
    "concurrency.get-session.expired-reads",
    "flow.signout.stale-cookie",
    "flow.signout.without-cookie",
    "property.differential.sequences",
    "session.delete.missing-is-noop",
    "session.delete.no-token-is-noop",
    "session.get.no-token-is-none",
    "user.delete.as-declared",
    "user.get.foreign-id-is-none",
    "verification.create.message",
    "verification.create.uses-secret-argument",
    "verification.get.wrong-secret",
    "security.account.key-exact-on-every-axis",
    "security.session.token-exact-on-every-axis",
];

/// The same on MariaDB: the seed's `utf8mb4_unicode_ci` tables fold case, trailing blanks,
/// accents, width and normal forms (in e-mail lookups and the unique e-mail, session tokens,
/// deletes by identifier), and its `VARCHAR(191)` token columns refuse long OAuth tokens.
const EXPECTED_FAILING_MYSQL: &[&str] = &[
    "account.unlink.as-declared",
    "account.unlink.other-users-account-kept",
    "concurrency.delete-session.same-token",
    "concurrency.get-session.expired-reads",
    "data.tokens.large-access-token",
    "data.unicode.normal-forms-distinct",
    "flow.email.callback-case-as-declared",
    "flow.signout.stale-cookie",
    "flow.signout.without-cookie",
    "property.differential.sequences",
    "session.delete.missing-is-noop",
    "session.delete.no-token-is-noop",
    "session.get.no-token-is-none",
    "user.delete.as-declared",
    "user.get-by-email.declared-matching",
    "user.get.foreign-id-is-none",
    "verification.create.message",
    "verification.create.uses-secret-argument",
    "verification.delete.identifier-case-as-declared",
    "verification.get.wrong-secret",
    "security.account.key-exact-on-every-axis",
    "security.email.lookup-every-axis-as-declared",
    "security.email.unique-every-axis-as-declared",
    "security.session.token-exact-on-every-axis",
    "security.verification.key-exact-on-every-axis",
];

/// The findings on PostgreSQL (`cause severity reach`): none reached through next-auth@3's
/// core. The errors (`P2025` for a missing row, Prisma's refusal of `undefined`) come where core
/// catches them or never calls; unlinkAccount, which ignores its user id, core never calls.
const EXPECTED_FINDINGS_POSTGRES: &[&str] = &[
    "errors contract not-reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "declaration contract not-reached",
    "wrong-user contract not-reached",
    "resurrection contract not-reached",
    "clock precision not-reached",
    "collateral contract not-reached",
];

/// The findings on MariaDB: also what the seed's `utf8mb4_unicode_ci` tables do. An address one
/// accent away from a stored one finds that user: an e-mail sign-in of `jose@exámple.com` (a
/// domain anyone can register) signs in to `jose@example.com`'s account: reached, security.
/// An address in another Unicode normal form finds the first spelling's user (data-fidelity,
/// one mailbox in practice). Session tokens are not reached here either; the update of the
/// session by id alone shows on PostgreSQL only (the folding lookup fails the rule first).
const EXPECTED_FINDINGS_MYSQL: &[&str] = &[
    "data-fidelity contract reached",
    "inexact-lookup security reached",
    "errors contract not-reached",
    "secret-ignored contract not-reached",
    "link-reuse security reached",
    "orphan-writes contract not-reached",
    "declaration contract not-reached",
    "wrong-user contract not-reached",
    "token-width contract not-reached",
    "resurrection contract not-reached",
    "clock precision not-reached",
];

/// The time-sensitive MUST rules that fail again with the adapter's session in
/// Pacific/Chatham on PostgreSQL: the same causes as in UTC (the seed's `TIMESTAMP(3)`
/// columns are written and read by Prisma in UTC whatever the session's zone).
const FAILING_IN_ZONE_POSTGRES: &[&str] = &[
    "session.get.no-token-is-none",
    "session.delete.missing-is-noop",
    "session.delete.no-token-is-noop",
    "verification.create.message",
    "verification.create.uses-secret-argument",
    "verification.get.wrong-secret",
    "flow.signout.without-cookie",
    "flow.signout.stale-cookie",
];

/// On MariaDB also the case-folding lookups, again in the zone: the same causes as in UTC.
const FAILING_IN_ZONE_MYSQL: &[&str] = &[
    "verification.delete.identifier-case-as-declared",
    "flow.email.callback-case-as-declared",
];

/// One cell: `adapter` (`prisma`, the seed's models, or `prisma-renamed`, every model renamed
/// through `modelMapping`) on `server`, on tables from the project's DDL.
const fn cell(server: Server, adapter: &'static str) -> Cell<'static> {
    let (failing, failing_in_zone, findings): (&[&[&str]], &[&[&str]], &[&str]) = match server {
        Server::MySql => (
            &[EXPECTED_FAILING_MYSQL],
            &[FAILING_IN_ZONE_POSTGRES, FAILING_IN_ZONE_MYSQL],
            EXPECTED_FINDINGS_MYSQL,
        ),
        _ => (
            &[EXPECTED_FAILING_POSTGRES],
            &[FAILING_IN_ZONE_POSTGRES],
            EXPECTED_FINDINGS_POSTGRES,
        ),
    };
    Cell {
        server,
        adapter,
        tables: "ddl",
        failing,
        failing_in_zone,
        findings,
    }
}

/// The four cells, the two namings on each server; MariaDB's first and the servers
/// alternating, so that two cells at a time share the load between the servers.
const CELLS: &[Cell<'static>] = &[
    cell(Server::MySql, "prisma"),
    cell(Server::Postgres, "prisma"),
    cell(Server::MySql, "prisma-renamed"),
    cell(Server::Postgres, "prisma-renamed"),
];

fn main() -> ExitCode {
    cells::init_tracing();
    cells::run(
        CELLS.iter().map(cells::cell_trial).collect(),
        &[Server::Postgres, Server::MySql],
    )
}

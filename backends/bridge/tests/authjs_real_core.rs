//! The Auth.js real-core lane (`bridge/node/authjs/core/run.js`): @auth/core's own handler
//! on a local HTTP server, a browser, e-mail links and a mock OAuth provider, in front of each
//! npm adapter on PostgreSQL and MariaDB, showing the ecosystem findings as users meet them
//! (`docs/ecosystem.md`: X1, S1 and the account half of X2), and running the scenarios the
//! harness's reach table names for the duplicates, resurrection and lost-write findings (a
//! first sign-in made twice at once, by OAuth and by e-mail; a session read racing its
//! sign-out; an e-mail sign-in of a user who signed up by OAuth). Each server's run is held
//! to the EXACT set of (adapter, dialect, scenario) whose effect is "shown"; every other
//! scenario of every adapter must be "absent", and the baseline e-mail sign-in must work
//! everywhere (a lane that breaks exits non-zero and fails here, as does a namespace left
//! behind).
//!
//! Needs `node`, `bridge/node/authjs/node_modules` (`ci/bridge.sh`) and the database URLs
//! (`eval "$(ci/databases.sh)"`). Without them it prints a loud NOT RUN and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge` or the server.

use nextauth_adapter_bridge::authjs::{lane, npm_adapters_installed};
use nextauth_adapter_bridge::bridge_required;
use nextauth_adapter_testkit::{Server, ServerEnv, is_required};
use std::collections::BTreeSet;
use std::time::Instant;

/// The adapters the lane runs on each server (`pg` runs on PostgreSQL only).
const POSTGRES_ADAPTERS: &[&str] = &[
    "pg",
    "kysely",
    "drizzle",
    "prisma",
    "typeorm",
    "sequelize",
    "mikro-orm",
];
const MYSQL_ADAPTERS: &[&str] = &[
    "kysely",
    "drizzle",
    "prisma",
    "typeorm",
    "sequelize",
    "mikro-orm",
];

/// Every scenario of the lane, each run on every adapter: the harness's list, which its reach
/// table marks as run by the real core.
const SCENARIOS: &[&str] = nextauth_adapter_harness::reach::AUTHJS_LANE;

/// On PostgreSQL: pg, Kysely, Drizzle and Prisma consume a link with `DELETE … RETURNING`
/// (single use); TypeORM and MikroORM read it, then delete it (X1); Sequelize too, and deletes
/// every link of the address, so a wrong token spends the right one (S1). Lookups are exact.
/// `@auth/pg-adapter`'s documented tables have no unique key on a user's e-mail nor on an
/// account's (provider, providerAccountId): a first sign-in made twice at once, by OAuth or by
/// e-mail, makes two users (and two accounts). Every adapter's updateSession is an UPDATE (a
/// deleted session stays deleted) and its updateUser keeps the fields core does not pass.
const POSTGRES_SHOWN: &[(&str, &str)] = &[
    ("pg", "oauth.first-sign-in-concurrently"),
    ("pg", "email.new-user-concurrently"),
    ("typeorm", "email.link-used-concurrently"),
    ("mikro-orm", "email.link-used-concurrently"),
    ("sequelize", "email.link-used-concurrently"),
    ("sequelize", "email.wrong-link-spends-right-one"),
];

/// On MariaDB: no `RETURNING` on a DELETE, so every adapter reads then deletes (X1); Sequelize's
/// S1 as on PostgreSQL; and the tables' case-insensitive collations let a provider account id
/// differing only in letter case sign in to another user's account, in every adapter (X2's
/// account half; Sequelize's is S6). Every adapter's tables have a unique e-mail and a unique
/// (provider, providerAccountId), every updateSession is an UPDATE, every updateUser keeps the
/// fields core does not pass: the four scenarios added for reach show nothing here.
const MYSQL_SHOWN: &[(&str, &str)] = &[
    ("kysely", "email.link-used-concurrently"),
    ("drizzle", "email.link-used-concurrently"),
    ("prisma", "email.link-used-concurrently"),
    ("typeorm", "email.link-used-concurrently"),
    ("sequelize", "email.link-used-concurrently"),
    ("mikro-orm", "email.link-used-concurrently"),
    ("sequelize", "email.wrong-link-spends-right-one"),
    ("kysely", "oauth.account-id-case"),
    ("drizzle", "oauth.account-id-case"),
    ("prisma", "oauth.account-id-case"),
    ("typeorm", "oauth.account-id-case"),
    ("sequelize", "oauth.account-id-case"),
    ("mikro-orm", "oauth.account-id-case"),
];

/// A loud NOT RUN banner on stdout and stderr; panics instead when `fail`.
fn not_run(what: &str, fail: bool) {
    let text = format!(
        "{rule}\nNOT RUN: the Auth.js real-core lane: {what}\n  {verdict}\n{rule}",
        rule = "*".repeat(72),
        verdict = if fail {
            "this is a FAILURE: it is required"
        } else {
            "not required, so this is not a failure"
        },
    );
    println!("{text}");
    eprintln!("{text}");
    assert!(!fail, "the Auth.js real-core lane is required: {what}");
}

/// The server's URL, or `None` after a NOT RUN (a panic when the lane or server is required).
fn url_or_skip(server: Server) -> Option<String> {
    if !npm_adapters_installed() {
        not_run(
            "bridge/node/authjs/node_modules is missing; run `ci/bridge.sh`",
            bridge_required() || is_required(server),
        );
        return None;
    }
    match std::env::var(server.env_var()) {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_owned()),
        _ => {
            not_run(
                &format!("{} is not set", server.env_var()),
                bridge_required() || is_required(server),
            );
            None
        }
    }
}

/// Runs the lane on `url` for `adapters`; asserts it ran cleanly, that every adapter ran every
/// scenario, and that the scenarios with effect "shown" are exactly `shown`.
fn run_lane(server: Server, url: &str, adapters: &[&str], shown: &[(&str, &str)]) {
    let dialect = match server {
        Server::Postgres => "postgres",
        _ => "mysql",
    };
    let started = Instant::now();
    let outcomes = match lane::run(url, adapters) {
        Ok(outcomes) => outcomes,
        Err(e) if e.starts_with("`node` did not start") => {
            not_run(&e, bridge_required() || is_required(server));
            return;
        }
        Err(e) => panic!("the lane on {server}: {e}"),
    };
    let elapsed = started.elapsed();
    let mut ran = BTreeSet::new();
    let mut got = BTreeSet::new();
    for o in &outcomes {
        let (adapter, scenario, effect) = (o.adapter.clone(), o.scenario.clone(), &o.effect);
        assert_eq!(o.dialect, dialect, "{o:?}");
        assert!(
            effect == "shown" || effect == "absent",
            "{adapter}/{dialect} {scenario}: effect {effect:?}: {}",
            o.detail
        );
        if scenario == "email.sign-in" {
            assert_eq!(effect, "absent", "the baseline on {adapter}: {o:?}");
        }
        println!(
            "{adapter:>10} {dialect:<8} {scenario:<34} {effect:<6} {}",
            o.detail
        );
        assert!(
            ran.insert((adapter.clone(), scenario.clone())),
            "{adapter} {scenario} reported twice"
        );
        if effect == "shown" {
            got.insert((adapter, scenario));
        }
    }
    let expected_ran: BTreeSet<(String, String)> = adapters
        .iter()
        .flat_map(|a| SCENARIOS.iter().map(|s| ((*a).to_owned(), (*s).to_owned())))
        .collect();
    assert_eq!(
        ran, expected_ran,
        "the (adapter, scenario) pairs run on {server}"
    );
    let expected: BTreeSet<(String, String)> = shown
        .iter()
        .map(|(a, s)| ((*a).to_owned(), (*s).to_owned()))
        .collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the effects shown on {server} changed: expected but absent {missing:?}, shown but not expected {extra:?}"
    );
    println!(
        "authjs real core on {server}: {} adapters × {} scenarios, {} shown as expected, {:.1} s",
        adapters.len(),
        SCENARIOS.len(),
        got.len(),
        elapsed.as_secs_f64()
    );
}

#[test]
fn real_core_on_postgres() {
    if let Some(url) = url_or_skip(Server::Postgres) {
        run_lane(Server::Postgres, &url, POSTGRES_ADAPTERS, POSTGRES_SHOWN);
    }
}

#[test]
fn real_core_on_mariadb() {
    if let Some(url) = url_or_skip(Server::MySql) {
        run_lane(Server::MySql, &url, MYSQL_ADAPTERS, MYSQL_SHOWN);
    }
}

/// Every scenario of the lane is one a finding of the harness's reach table is reached
/// through (the baseline aside): the lane runs what the table claims, and nothing idle.
#[test]
fn every_scenario_of_the_lane_reaches_a_finding() {
    use nextauth_adapter_harness::reach;
    use nextauth_adapter_harness::rule::Profile;
    let named: BTreeSet<&str> = reach::table(Profile::Authjs)
        .iter()
        .filter_map(|(_, path)| match path {
            reach::Path::Through { scenario, .. } => Some(*scenario),
            reach::Path::Unreached(_) => None,
        })
        .collect();
    for s in SCENARIOS.iter().filter(|s| **s != "email.sign-in") {
        assert!(
            named.contains(s),
            "no rule of the reach table is reached through {s}"
        );
    }
}

#!/usr/bin/env node
// The Auth.js real-core lane: @auth/core's own handler (`Auth(request, config)`, the version
// bridge/node/authjs/package-lock.json pins) on a local HTTP server, a browser with a cookie
// jar, e-mail links captured, a mock OAuth 2 provider, and one npm adapter at a time on a
// fresh namespace; shows the ecosystem findings (docs/ecosystem.md) as users meet them.
//
//   node bridge/node/authjs/core/run.js --url postgres://postgres:postgres@127.0.0.1:5432/postgres
//   node bridge/node/authjs/core/run.js --url mysql://root@127.0.0.1:3306/test --adapter kysely --scenario email.link-used-concurrently
//
// For each adapter (--adapter, repeatable; default: every module under ../adapters that runs on
// the URL's server) it creates a namespace `ax_core_<hex>` (a PostgreSQL schema, a MariaDB
// database), makes the adapter's tables there with its module's setup (the one the ecosystem
// cell uses), opens the adapter through the module, mounts core around it, runs the scenarios
// (--scenario, repeatable; default: all) one after the other on that one server, and drops
// the namespace.
//
// Stdout: one JSON line per scenario,
//   {"adapter", "dialect", "setup", "scenario", "effect": "shown"|"absent", "detail", "requests"?, "rounds"?}
// ("effect": "error" when the lane itself broke in it); logs on stderr. Exit status 0 when the
// lane ran (what the scenarios show is data), 1 when it broke: a scenario could not be judged
// (the baseline sign-in failed, the mock refused a step, a timeout) or a namespace it created
// is left behind; 2 on a usage error.
"use strict";

// As the bridge child runs adapters: in production (TypeORM would synchronise its tables before
// every call otherwise), and with whatever an ORM prints on stderr (stdout carries the
// outcomes).
process.env.NODE_ENV = "production";
for (const level of ["log", "info", "debug", "warn"]) console[level] = (...args) => console.error(...args);

const path = require("path");
const ns = require("./namespaces");
const { startApp } = require("./app");
const { SCENARIOS, Steps, LaneError } = require("./scenarios");
const { startOAuthMock } = require("../../core/oauth-mock");

const ADAPTERS = ["pg", "kysely", "drizzle", "prisma", "typeorm", "sequelize", "mikro-orm"];
const SCENARIO_TIMEOUT_MS = 120000;

const USAGE = `usage: node bridge/node/authjs/core/run.js --url <postgres:// or mysql:// server url> [--url …]
       [--adapter ${ADAPTERS.join("|")}]... [--scenario ${Object.keys(SCENARIOS).join("|")}]...
       [--rounds N (20)] [--concurrency N (8)]`;

function log(line) {
  process.stderr.write(`${line}\n`);
}

function parseArgs(argv) {
  const out = { urls: [], adapters: [], scenarios: [], rounds: 20, concurrency: 8 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--url") out.urls.push(value());
    else if (a === "--adapter") out.adapters.push(value());
    else if (a === "--scenario") out.scenarios.push(value());
    else if (a === "--rounds") out.rounds = Number(value());
    else if (a === "--concurrency") out.concurrency = Number(value());
    else if (a === "--help" || a === "-h") out.help = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (out.help) return out;
  if (!out.urls.length) throw new Error("--url is required");
  for (const u of out.urls) ns.dialectOf(u);
  for (const a of out.adapters) if (!ADAPTERS.includes(a)) throw new Error(`unknown adapter ${JSON.stringify(a)} (one of ${ADAPTERS.join(", ")})`);
  for (const s of out.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${JSON.stringify(s)} (one of ${Object.keys(SCENARIOS).join(", ")})`);
  for (const k of ["rounds", "concurrency"]) if (!Number.isInteger(out[k]) || out[k] < (k === "rounds" ? 1 : 2)) throw new Error(`--${k}: ${out[k]}`);
  return out;
}

// The setup the ecosystem cell of `module` on `dialect` uses: its documentation's when it has
// one for that server, else the first that has (Kysely's MySQL tables are its repository's).
function setupOf(module, dialect) {
  if (module.setups[module.defaultSetup] && module.setups[module.defaultSetup][dialect]) return module.defaultSetup;
  return Object.keys(module.setups).find((k) => module.setups[k][dialect]);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new LaneError(`${what}: no answer in ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * One adapter on one server: namespace, tables, adapter, app; the scenarios; everything
 * closed and dropped. Prints an outcome per scenario; resolves to whether the lane held.
 */
async function runCell(name, url, scenarios, options, mock) {
  const dialect = ns.dialectOf(url);
  const module = require(path.join(__dirname, "..", "adapters", name));
  const setup = setupOf(module, dialect);
  const base = { adapter: name, dialect, setup };
  let ok = true;
  const emit = (outcome) => process.stdout.write(`${JSON.stringify({ ...base, ...outcome })}\n`);
  const started = Date.now();
  log(`== ${module.package} on ${dialect} (${setup} tables)`);
  const namespace = await ns.createNamespace(url);
  let raw;
  let opened;
  let app;
  try {
    raw = await ns.rawClient(url, namespace);
    opened = await module.open({ url: ns.namespaceUrl(url, namespace), schema: namespace, dialect, require });
    const tables = module.setups[setup][dialect];
    if (typeof tables === "function") await tables({ raw, opened });
    else await raw.run(require("fs").readFileSync(tables, "utf8"));
    app = await startApp({ adapter: opened.adapter, mockOrigin: mock.origin, log });
    const steps = new Steps({ app, mock, module, dialect, raw, log, options });
    for (const scenario of scenarios) {
      log(`-- ${name}/${dialect} ${scenario}`);
      mock.problems.length = 0;
      const t0 = Date.now();
      try {
        const outcome = await withTimeout(SCENARIOS[scenario](steps), SCENARIO_TIMEOUT_MS, scenario);
        emit({ scenario, ...outcome, ms: Date.now() - t0 });
        log(`   ${outcome.effect}: ${outcome.detail}`);
      } catch (e) {
        ok = false;
        const detail = e instanceof LaneError ? e.message : `${e && e.stack}`;
        emit({ scenario, effect: "error", detail, ms: Date.now() - t0 });
        log(`   LANE ERROR: ${detail}`);
      }
    }
  } catch (e) {
    ok = false;
    emit({ scenario: "(setup)", effect: "error", detail: `opening the adapter on ${namespace}: ${e && e.stack}` });
    log(`   LANE ERROR opening the adapter: ${e && e.stack}`);
  } finally {
    if (app) await app.close().catch((e) => log(`closing the app: ${e.message}`));
    if (opened) await opened.close().catch((e) => log(`closing the adapter: ${e.message}`));
    if (raw) await raw.close().catch((e) => log(`closing the raw client: ${e.message}`));
    await ns.dropNamespace(url, namespace).catch((e) => {
      ok = false;
      log(`dropping ${namespace}: ${e.message}`);
    });
  }
  log(`== ${name}/${dialect}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return ok;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    log(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    log(USAGE);
    return 0;
  }
  const scenarios = options.scenarios.length ? options.scenarios : Object.keys(SCENARIOS);
  const mock = await startOAuthMock(["mock"]);
  let ok = true;
  let cells = 0;
  try {
    for (const url of options.urls) {
      const dialect = ns.dialectOf(url);
      const names = (options.adapters.length ? options.adapters : ADAPTERS).filter((n) => {
        const runs = require(path.join(__dirname, "..", "adapters", n)).dialects.includes(dialect);
        if (!runs && options.adapters.length) log(`${n} does not run on ${dialect}: skipped`);
        return runs;
      });
      for (const name of names) {
        cells++;
        ok = (await runCell(name, url, scenarios, options, mock)) && ok;
      }
    }
  } finally {
    await ns.dropAllLive();
    await mock.close();
  }
  if (cells === 0) {
    log("none of the adapters asked for runs on the servers given: nothing ran");
    return 2;
  }
  const left = await ns.leftBehind();
  if (left.length) {
    log(`LEFT BEHIND: ${left.join(", ")}`);
    ok = false;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`authjs core lane: ${e && e.stack}`);
    ns.dropAllLive().finally(() => process.exit(1));
  },
);

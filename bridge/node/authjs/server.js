#!/usr/bin/env node
// Serves an npm Auth.js (@auth/core) database adapter over the conformance kit's line
// protocol, Auth.js profile (docs/bridge-protocol.md, "Profiles"):
//
//   node bridge/node/authjs/server.js --adapter pg --url postgres://postgres:postgres@127.0.0.1:5432/postgres
//   node bridge/node/authjs/server.js --adapter kysely --setup repository --url mysql://…
//   node bridge/node/authjs/server.js --module examples/authjs-js-adapter/kit.js --url postgres://…
//
// The parent creates a fresh, empty namespace per fixture (a PostgreSQL schema, a MariaDB
// database) on the server at --url; the child makes the adapter's tables there when the
// fixture opens, from the schema of the chosen setup (--setup; each adapter's module under
// adapters/ names its setups, the first being the one its documentation gives), and reads
// every row back with the driver directly for `stored`, never through the adapter.
//
// Method arguments arrive as @auth/core passes them (instants as ISO 8601 text, turned back
// into Dates here) and go to the adapter unchanged; what it returns goes back as JSON.
// The methods the child declares are the ones the adapter object has: a method it lacks is
// answered with `unsupported`, as core would find it undefined.
"use strict";

// Adapters run as in production: some synchronise their tables on every call otherwise
// (TypeORM), or on their first (Sequelize), which a deployment does not. Each setup makes the
// tables the way the adapter's documentation says.
process.env.NODE_ENV = "production";

// stdout carries the protocol: whatever an adapter or its ORM prints (Sequelize logs every
// statement with console.log by default) goes to stderr, with the logs.
for (const level of ["log", "info", "debug"]) console[level] = (...args) => console.error(...args);

const fs = require("fs");
const path = require("path");
const { PROTOCOL, protocolError, checkHello, serveLines } = require("../lib/loop");
const { sqlError } = require("../lib/sql-errors");

const ADAPTERS = {
  pg: "./adapters/pg",
  kysely: "./adapters/kysely",
  drizzle: "./adapters/drizzle",
  typeorm: "./adapters/typeorm",
  "mikro-orm": "./adapters/mikro-orm",
  prisma: "./adapters/prisma",
  sequelize: "./adapters/sequelize",
};

// @auth/core's Adapter methods, in its order.
const METHODS = require("./methods");

function fail(message) {
  process.stderr.write(`bridge authjs server: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { adapter: null, module: null, url: null, setup: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--adapter") out.adapter = argv[++i];
    else if (a === "--module") out.module = argv[++i];
    else if (a === "--url") out.url = argv[++i];
    else if (a === "--setup") out.setup = argv[++i];
    else if (a === "--help" || a === "-h") out.help = true;
    else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  return out;
}

const options = parseArgs(process.argv.slice(2));
if (options.help) {
  process.stderr.write(`usage: node server.js (--adapter ${Object.keys(ADAPTERS).join("|")} | --module <file>) [--setup <setup>] --url <database server url>\n`);
  process.exit(0);
}
if (options.module && options.adapter) fail("--adapter and --module exclude each other");
if (!options.module && (!options.adapter || !ADAPTERS[options.adapter])) {
  fail(`--adapter must be one of ${Object.keys(ADAPTERS).join(", ")}, not ${JSON.stringify(options.adapter)} (or --module <file> for your own)`);
}
if (!options.url) fail("--url <database server url> is required");
// An adapter module: one of ours, or an author's own (--module), of the same shape
// (docs/ecosystem.md, "Certify your own adapter", lists its fields; examples/authjs-js-adapter/kit.js
// is a worked example).
const module_ = options.module ? loadModule(path.resolve(options.module)) : require(ADAPTERS[options.adapter]);

function loadModule(file) {
  let m;
  try {
    m = require(file);
  } catch (e) {
    fail(`cannot load --module ${file}: ${e.message}`);
  }
  for (const key of ["package", "dialects", "setups", "defaultSetup", "capabilities", "open", "stored", "uniqueKeys"]) {
    if (m[key] === undefined) fail(`--module ${file} has no \`${key}\` (docs/ecosystem.md, "Certify your own adapter", lists the fields)`);
  }
  return m;
}
const dialect = /^postgres(ql)?:/.test(options.url) ? "postgres" : /^(mysql|mariadb):/.test(options.url) ? "mysql" : null;
if (!dialect || !module_.dialects.includes(dialect)) {
  fail(`${module_.package} runs on ${module_.dialects.join(", ")}; the URL's scheme is not one of them`);
}
const setup = options.setup || module_.defaultSetup;
if (!module_.setups[setup] || !module_.setups[setup][dialect]) {
  fail(`${module_.package} has no setup ${JSON.stringify(setup)} on ${dialect} (known: ${Object.keys(module_.setups).join(", ")})`);
}

// The version of an installed package, read from its package.json (some packages' `exports`
// do not expose it to require).
function installedVersion(name) {
  if (options.module && name === module_.package && module_.version) return module_.version;
  const file = path.join(__dirname, "node_modules", ...name.split("/"), "package.json");
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

// ---------------------------------------------------------------------------------------
// Raw access to a fixture's namespace (never through the adapter).
// ---------------------------------------------------------------------------------------

// The URL of the namespace `name` on the server at --url: PostgreSQL's URL as is (the
// schema goes on the search path), MySQL's with the database in its path.
function namespaceUrl(name) {
  if (dialect === "postgres") return options.url;
  const u = new URL(options.url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function rawClient(schema) {
  if (dialect === "mysql") {
    const mariadb = require("mariadb");
    const u = new URL(options.url);
    const conn = await mariadb.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: schema,
      bigIntAsNumber: true,
      multipleStatements: true,
    });
    return {
      query: (sql) => conn.query(sql),
      async run(sqlText) {
        await conn.query(sqlText);
      },
      close: () => conn.end(),
    };
  }
  const { Client } = require("pg");
  const client = new Client({ connectionString: options.url, options: `-c search_path=${schema}` });
  await client.connect();
  return {
    async query(sql) {
      return (await client.query(sql)).rows;
    },
    async run(sqlText) {
      await client.query(sqlText);
    },
    close: () => client.end(),
  };
}

// ---------------------------------------------------------------------------------------
// Fixtures: one adapter (its own pool) per namespace.
// ---------------------------------------------------------------------------------------

const fixtures = new Map();

async function openFixture(fixture, args) {
  if (typeof fixture !== "string" || !fixture) throw protocolError("open needs a fixture id");
  if (fixtures.has(fixture)) throw protocolError(`fixture ${fixture} is already open`);
  const namespace = args && args.namespace;
  if (!namespace || !/^[A-Za-z0-9_]+$/.test(namespace.name || "")) throw protocolError("open needs namespace.name ([A-Za-z0-9_]+)");
  const raw = await rawClient(namespace.name);
  let opened;
  try {
    opened = await module_.open({ url: namespaceUrl(namespace.name), schema: namespace.name, dialect, require });
    // The setup's tables: a schema file run as is, or the adapter's own way (a migration);
    // not again in a namespace an earlier fixture of this setup had (`tablesMade`: the
    // parent emptied every table and restarted its ids).
    if (!namespace.tablesMade) {
      const tables = module_.setups[setup][dialect];
      if (typeof tables === "function") await tables({ raw, opened });
      else await raw.run(fs.readFileSync(tables, "utf8"));
    }
    fixtures.set(fixture, { adapter: opened.adapter, close: opened.close, raw });
  } catch (e) {
    if (opened) await opened.close().catch(() => {});
    await raw.close().catch(() => {});
    throw e;
  }
  return null;
}

async function closeFixture(fixture) {
  const f = fixtures.get(fixture);
  if (!f) return null;
  fixtures.delete(fixture);
  await f.close();
  await f.raw.close();
  return null;
}

function fixtureOf(msg) {
  const f = fixtures.get(msg.fixture);
  if (!f) throw protocolError(`no open fixture ${JSON.stringify(msg.fixture)}`);
  return f;
}

async function readStored(f) {
  const out = { authenticators: [] };
  // Each a query, or a function of the raw client where rows need more than SQL.
  for (const [key, read] of Object.entries(module_.stored[dialect])) {
    out[key] = typeof read === "function" ? await read(f.raw) : await f.raw.query(read);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Calls: core's arguments (instants as text on the wire) to the adapter, and back.
// ---------------------------------------------------------------------------------------

const date = (v) => (typeof v === "string" ? new Date(v) : v);

// The argument object with the named instant fields as Dates, as core passes them.
function withDates(value, fields) {
  if (!value || typeof value !== "object") return value;
  const out = { ...value };
  for (const f of fields) if (f in out) out[f] = date(out[f]);
  return out;
}

const DATE_FIELDS = {
  createUser: ["emailVerified"],
  updateUser: ["emailVerified"],
  createSession: ["expires"],
  updateSession: ["expires"],
  createVerificationToken: ["expires"],
};

async function call(f, method, args) {
  if (!METHODS.includes(method)) throw protocolError(`unknown method ${JSON.stringify(method)}`);
  const fn = f.adapter[method];
  if (typeof fn !== "function") {
    return { unsupported: true };
  }
  if (!Array.isArray(args)) throw protocolError(`${method}: args must be an array`);
  const fields = DATE_FIELDS[method];
  const jsArgs = fields ? [withDates(args[0], fields), ...args.slice(1)] : args;
  const result = await fn.apply(f.adapter, jsArgs);
  return { result };
}

// What the adapter returned, as JSON: undefined as null, Dates as ISO text, BigInts as
// numbers.
function wire(value) {
  return JSON.parse(JSON.stringify(value === undefined ? null : value, (_, v) => (typeof v === "bigint" ? Number(v) : v)));
}

// ---------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------

// The contract's key of a duplicate, from the adapter module's `uniqueKeys`
// (`table(col,col)`): PostgreSQL names the table and the columns; MySQL names only the index
// (a column's name, or PRIMARY: the module's `primaryKeys`), the table is the statement's.
function uniqueKeyOf(e) {
  return ({ constraint, columns }) => {
    let table = e.table;
    let cols = columns;
    if (dialect === "mysql") {
      table = (/^\s*(?:INSERT\s+INTO|UPDATE)\s+`?([A-Za-z0-9_]+)`?/i.exec(e.sql || "") || [])[1];
      cols = constraint === "PRIMARY" ? (module_.primaryKeys || {})[table] : constraint;
    }
    if (!table || !cols) return null;
    return module_.uniqueKeys[`${table}(${cols.replace(/["`\s]/g, "")})`] || null;
  };
}

function classify(thrown) {
  // The module's own reading of its library's errors first (Prisma's codes), with the way to
  // name a unique key from its table and columns.
  if (module_.classify) {
    const key = (table, columns) => module_.uniqueKeys[`${table}(${columns})`] || null;
    const own = module_.classify(thrown, key);
    if (own) return { message: (thrown && thrown.message) || String(thrown), ...own };
  }
  // An ORM's error wrapping the driver's (Sequelize: `parent`; Drizzle: `cause`), classified
  // by the driver's.
  const wrapped = thrown && typeof thrown === "object" ? thrown.parent || thrown.cause : null;
  const err = wrapped && typeof wrapped === "object" ? wrapped : thrown;
  const message = (thrown && thrown.message) || String(thrown);
  // PostgreSQL 23503 foreign_key_violation, MySQL ER_NO_REFERENCED_ROW_2: a row naming a user
  // (or another row) nobody has, refused by the tables' foreign key.
  if (err && (err.code === "23503" || err.code === "ER_NO_REFERENCED_ROW_2" || err.errno === 1452)) {
    return { kind: "not_found", message };
  }
  // The library's own "no such row" (Kysely's NoResultError, Prisma's P2025).
  if (module_.notFound && module_.notFound(err)) return { kind: "not_found", message };
  const known = err && typeof err === "object" ? sqlError(err, uniqueKeyOf(err), message) : null;
  return known || { kind: "backend", message: `${(err && err.name) || "Error"}: ${message}` };
}

// ---------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------

const implemented = async () => {
  // The methods the adapter object has, learnt from an instance that is never called.
  const { adapter } = await module_.open({ url: options.url, schema: "public", dialect, require }).then(async (o) => {
    await o.close();
    return o;
  });
  return METHODS.filter((m) => typeof adapter[m] === "function");
};

// A module's capabilities: one declaration, or one per dialect.
function capabilitiesOf(m, d) {
  return m.capabilities[d] || m.capabilities;
}

async function handle(msg) {
  const args = msg.args === undefined ? [] : msg.args;
  switch (msg.method) {
    case "hello": {
      checkHello(args);
      const version = installedVersion(module_.package);
      return {
        ok: {
          protocol: PROTOCOL,
          profile: "authjs",
          name: `${module_.package}@${version}${setup === module_.defaultSetup ? "" : `-${setup}`}`,
          description: `${module_.package}@${version} (${module_.drivers.map((d) => `${d}@${installedVersion(d)}`).join(", ")}) on ${dialect}, ${
            options.module
              ? `tables of ${path.relative(process.cwd(), path.resolve(options.module))}'s ${setup} setup`
              : `tables from ${setup === module_.defaultSetup ? "its documentation" : `the ${setup} setup`} (fixtures/ecosystem)`
          }`,
          capabilities: { methods: await implemented(), ...capabilitiesOf(module_, dialect) },
          namespaces: { server: dialect, url: options.url, tables: "synchronize", reuse: true },
        },
      };
    }
    case "open":
      return { ok: await openFixture(msg.fixture, args) };
    case "close":
      return { ok: await closeFixture(msg.fixture) };
    case "stored":
      return { ok: wire(await readStored(fixtureOf(msg))) };
    case "setClock":
      return { ok: null };
    default: {
      const { result, unsupported } = await call(fixtureOf(msg), msg.method, args);
      if (unsupported) {
        const e = new Error(`${module_.package} has no ${msg.method}`);
        e.unsupported = true;
        throw e;
      }
      return { ok: wire(result) };
    }
  }
}

serveLines({
  handle,
  classify: (err) =>
    err && err.unsupported ? { kind: "unsupported", message: err.message } : classify(err),
  async shutdown() {
    for (const key of [...fixtures.keys()]) await closeFixture(key).catch(() => {});
  },
});

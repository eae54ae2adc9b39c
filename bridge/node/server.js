#!/usr/bin/env node
// Serves a NextAuth.js v3 database adapter over the conformance kit's line protocol
// (docs/bridge-protocol.md): one JSON message per line on stdin, one JSON reply per line on
// stdout, everything else (logs) on stderr.
//
//   node server.js --adapter next-auth --url postgres://postgres:postgres@127.0.0.1:5432/postgres
//   node server.js --adapter next-auth-raw-token --url mysql://root@127.0.0.1:3306/test
//   node server.js --adapter next-auth --tables synchronize --url mysql://root@127.0.0.1:3306/test
//   node server.js --adapter prisma --url postgres://postgres:postgres@127.0.0.1:5432/postgres
//
// Tables (--tables): `ddl` (default): the parent creates each namespace's tables from the
// project's DDL. `synchronize`: next-auth creates them itself, as the seed's example
// configuration does (`?synchronize=true`), in a namespace the parent creates with the
// server's default character set and collation (what `CREATE DATABASE app` gives a user).
//
// Adapters (--adapter):
//   next-auth            next-auth@3's default adapter: require('next-auth/adapters').default.Default(url)
//   next-auth-raw-token  the same, deliberately broken: it stores the raw verification token
//   prisma               next-auth@3's Prisma adapter, Adapters.Prisma.Adapter({ prisma }), on the
//                        seed's Prisma schema (prisma/adapter.js); the parent creates each
//                        namespace's tables from the project's DDL for that schema
//                        (fixtures/schemas/prisma-legacy)
//   prisma-renamed       the same with every model renamed, through `modelMapping`
//
// The adapter's `Date` follows the harness's manual clock: every request carries `now`
// (microseconds since the epoch) and runs inside an AsyncLocalStorage context in which
// `new Date()` and `Date.now()` return that instant (truncated to milliseconds, as a JS
// Date is). Timers are real: the database drivers need them.
"use strict";

const { AsyncLocalStorage } = require("async_hooks");
const { PROTOCOL, protocolError, checkHello, serveLines } = require("./lib/loop");
const { sqlError } = require("./lib/sql-errors");

// ---------------------------------------------------------------------------------------
// The fake Date. Installed before any adapter code is loaded, so that every `new Date()`
// the adapter, TypeORM or a driver makes inside a request sees the request's instant.
// ---------------------------------------------------------------------------------------

const RealDate = Date;
const clock = new AsyncLocalStorage();

function fakeNowMs() {
  const store = clock.getStore();
  return store ? store.nowMs : RealDate.now();
}

class FakeDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(fakeNowMs());
    } else {
      super(...args);
    }
  }

  static now() {
    return fakeNowMs();
  }
}
global.Date = FakeDate;

// ---------------------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = { adapter: "next-auth", url: null, tables: "ddl" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--adapter") out.adapter = argv[++i];
    else if (a === "--url") out.url = argv[++i];
    else if (a === "--tables") out.tables = argv[++i];
    else if (a === "--help" || a === "-h") out.help = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  return out;
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bridge server: ${e.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stderr.write("usage: node server.js --adapter next-auth|next-auth-raw-token|prisma|prisma-renamed [--tables ddl|synchronize] --url <database server url>\n");
  process.exit(0);
}
if (!options.url) {
  process.stderr.write("bridge server: --url <database server url> is required\n");
  process.exit(2);
}
if (options.tables !== "ddl" && options.tables !== "synchronize") {
  process.stderr.write(`bridge server: --tables must be ddl or synchronize, not ${JSON.stringify(options.tables)}\n`);
  process.exit(2);
}
const synchronize = options.tables === "synchronize";

// next-auth@3's default adapter over a namespace (shared with bench.js). Loaded after the
// fake Date is installed.
const defaultAdapter = require("./default-adapter");

const serverUrl = new URL(options.url);
const dialect = defaultAdapter.dialectOf(options.url);
if (!dialect) {
  process.stderr.write(`bridge server: unsupported database URL scheme ${serverUrl.protocol}\n`);
  process.exit(2);
}

const ADAPTERS = {
  "next-auth": { kind: "typeorm", broken: null },
  "next-auth-raw-token": { kind: "typeorm", broken: "raw-verification-token" },
  prisma: { kind: "prisma", broken: null, renamed: false },
  "prisma-renamed": { kind: "prisma", broken: null, renamed: true },
};
const profile = ADAPTERS[options.adapter];
if (!profile) {
  process.stderr.write(`bridge server: unknown adapter ${JSON.stringify(options.adapter)} (known: ${Object.keys(ADAPTERS).join(", ")})\n`);
  process.exit(2);
}
if (profile.kind === "prisma" && synchronize) {
  process.stderr.write("bridge server: the Prisma adapter has no synchronize; its tables come from the project's DDL\n");
  process.exit(2);
}
const prismaAdapter = profile.kind === "prisma" ? require("./prisma/adapter") : null;
// The tables' names: the documented ones, prefixed for the renamed Prisma models.
const TABLE_PREFIX = profile.renamed ? prismaAdapter.RENAMED_TABLE_PREFIX : "";
const table = (name) => `${TABLE_PREFIX}${name}`;

const nextAuthVersion = defaultAdapter.installedVersion("next-auth");
const Adapters = require("next-auth/adapters").default;

// What next-auth@3's default adapter (@next-auth/typeorm-legacy-adapter 0.1.4 since
// next-auth 3.18) really does, as closely as the contract's Capabilities can say it. See
// docs/next-auth-v3-results.md for each choice traced to the adapter's code.
const TYPEORM_CAPABILITIES = {
  // getSession: `manager.delete(Session, {sessionToken})` when expired.
  expired_session: "delete_on_read",
  // `async deleteUser() {}`: a silent no-op. `unsupported` is the closest declaration;
  // the suite reports that it does not return the Unsupported error it should.
  delete_user: "unsupported",
  // `async unlinkAccount() {}`: the same.
  unlink_account: "unsupported",
  // The project's DDL (utf8mb4_bin on MySQL) compares bytes; the tables TypeORM's
  // synchronize creates on MySQL/MariaDB take the database's utf8mb4_general_ci.
  email_matching: synchronize && dialect === "mysql" ? "mysql_general_ci" : "exact",
  // A JS Date holds milliseconds.
  timestamp_precision: "millisecond",
  // The project's DDL makes DATETIME(6) on MySQL; TypeORM's synchronize makes TIMESTAMP(6),
  // which holds 1970 to 2038 only.
  timestamp_range: synchronize && dialect === "mysql" ? "unix32" : "full",
  // getVerificationRequest never deletes a valid request; deleteVerificationRequest does.
  verification_consumption: "on_delete",
  // The project's DDL makes VARCHAR(255). TypeORM's synchronize makes `character varying`
  // without a length on PostgreSQL (the models give none), VARCHAR(255) on MySQL.
  limits:
    synchronize && dialect === "postgres"
      ? {
          varchar: { max_chars: null, max_bytes: null },
          image: { max_chars: null, max_bytes: null },
          text: { max_chars: null, max_bytes: null },
        }
      : {
          varchar: { max_chars: 255, max_bytes: null },
          image: { max_chars: 255, max_bytes: null },
          text: { max_chars: null, max_bytes: null },
        },
};

// What next-auth@3's Prisma adapter (@next-auth/prisma-legacy-adapter 0.1.2) does on the
// seed's tables (fixtures/schemas/prisma-legacy).
const PRISMA_CAPABILITIES = {
  // getSession: `prisma.session.delete({ where: { sessionToken } })` when expired.
  expired_session: "delete_on_read",
  // deleteUser: `prisma.user.delete` of the user row alone (the schema has no relations).
  delete_user: "user_only",
  // unlinkAccount: `prisma.account.delete({ where: { compoundId } })`.
  unlink_account: "supported",
  // PostgreSQL compares bytes. (The seed's MySQL tables are utf8mb4_unicode_ci, which no
  // declaration describes: declared exact, what it does instead is reported.)
  email_matching: "exact",
  // TIMESTAMP(3) / DATETIME(3), and a JS Date.
  timestamp_precision: "millisecond",
  timestamp_range: "full",
  // getVerificationRequest deletes only an expired request; deleteVerificationRequest does.
  verification_consumption: "on_delete",
  // Every Prisma `String` is TEXT on PostgreSQL and VARCHAR(191) on MySQL.
  limits:
    dialect === "postgres"
      ? {
          varchar: { max_chars: null, max_bytes: null },
          image: { max_chars: null, max_bytes: null },
          text: { max_chars: null, max_bytes: null },
        }
      : {
          varchar: { max_chars: 191, max_bytes: null },
          image: { max_chars: 191, max_bytes: null },
          text: { max_chars: 191, max_bytes: null },
        },
};

const CAPABILITIES = profile.kind === "prisma" ? PRISMA_CAPABILITIES : TYPEORM_CAPABILITIES;

// ---------------------------------------------------------------------------------------
// Database access for namespaces and raw reads (never through the adapter).
// ---------------------------------------------------------------------------------------

// The session time zone `open` asks for (`{name, offset}`), checked, or null: the server's
// default. PostgreSQL takes the name, MySQL/MariaDB the offset.
function sessionTimeZone(tz) {
  if (tz === undefined || tz === null) return null;
  if (typeof tz !== "object" || !/^[A-Za-z0-9_+\-\/]+$/.test(tz.name || "") || !/^[+-]\d{2}:\d{2}$/.test(tz.offset || "")) {
    throw protocolError(`open: timeZone must be {name, offset: "±HH:MM"}, not ${JSON.stringify(tz)}`);
  }
  return { name: tz.name, offset: tz.offset, mysql: `SET time_zone = '${tz.offset}'` };
}

async function rawClient(namespace) {
  if (dialect === "postgres") {
    const { Client } = require("pg");
    const client = new Client({ connectionString: options.url.split("?")[0] });
    await client.connect();
    await client.query(`SET search_path TO "${namespace}"`);
    return {
      async query(sql, params) {
        const r = await client.query(sql, params);
        return r.rows;
      },
      async close() {
        await client.end();
      },
    };
  }
  const mysql = require("mysql");
  const u = new URL(options.url);
  const conn = mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: namespace,
    timezone: "Z",
    charset: "utf8mb4",
    supportBigNumbers: true,
  });
  await new Promise((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
  await new Promise((resolve, reject) => conn.query("SET time_zone = '+00:00'", (e) => (e ? reject(e) : resolve())));
  return {
    query(sql, params) {
      const mysqlSql = sql.replace(/\$\d+/g, "?");
      return new Promise((resolve, reject) => conn.query(mysqlSql, params || [], (e, rows) => (e ? reject(e) : resolve(rows))));
    },
    close() {
      return new Promise((resolve) => conn.end(() => resolve()));
    },
  };
}

// The namespace's single-column unique indexes on MySQL/MariaDB, name -> column, to name
// the key of a duplicate-key error (PostgreSQL's errors name the column themselves).
async function uniqueIndexColumns(raw, namespace) {
  if (dialect !== "mysql") return new Map();
  const rows = await raw.query(
    "SELECT INDEX_NAME AS name, MIN(COLUMN_NAME) AS col, COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0 GROUP BY TABLE_NAME, INDEX_NAME",
    [namespace],
  );
  return new Map(rows.filter((r) => Number(r.n) === 1).map((r) => [r.name, r.col]));
}

// Every row of the four tables (stored.js), in this fixture's tables.
function readStored(raw) {
  return require("./stored").readStored((sql) => raw.query(sql), dialect, table);
}

// ---------------------------------------------------------------------------------------
// Fixtures: one adapter instance (its own TypeORM connection) per namespace.
// ---------------------------------------------------------------------------------------

const fixtures = new Map();

const logger = defaultAdapter.logger;

async function openFixture(args) {
  const { fixture, namespace, session, baseUrl, secret } = args;
  if (typeof fixture !== "string" || !fixture) throw protocolError("open needs a fixture id");
  if (fixtures.has(fixture)) throw protocolError(`fixture ${fixture} is already open`);
  if (!namespace || !/^[A-Za-z0-9_]+$/.test(namespace.name || "")) throw protocolError("open needs namespace.name ([A-Za-z0-9_]+)");
  const appOptions = {
    session: { maxAge: session.maxAge, updateAge: session.updateAge },
    secret,
    logger,
    baseUrl,
  };
  const zone = sessionTimeZone(args.timeZone);
  let instance;
  let close;
  // Runs SQL on the adapter's own connection (pool).
  let query;
  if (profile.kind === "prisma") {
    ({ instance, close, query } = await prismaAdapter.open({
      dialect,
      serverUrl: options.url,
      namespace: namespace.name,
      zone,
      renamed: profile.renamed,
      appOptions,
      Adapters,
    }));
  } else {
    ({ instance, close, query } = await defaultAdapter.open({
      dialect,
      serverUrl: options.url,
      namespace: namespace.name,
      connectionName: `bridge_${fixture}`,
      synchronize,
      zone,
      appOptions,
    }));
  }
  let reportedZone = null;
  let raw;
  let uniqueColumns;
  try {
    if (zone) reportedZone = await sessionZone();
    raw = await rawClient(namespace.name);
    uniqueColumns = await uniqueIndexColumns(raw, namespace.name);
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
  fixtures.set(fixture, { instance, raw, close, secret, baseUrl, uniqueColumns });
  return { displayName: instance.displayName || null, sessionTimeZone: reportedZone };

  // What the adapter's own connection says its session's zone is.
  async function sessionZone() {
    const sql = dialect === "postgres" ? "SELECT current_setting('TimeZone') AS tz" : "SELECT @@session.time_zone AS tz";
    const rows = await query(sql);
    return rows[0] && rows[0].tz;
  }
}

async function closeFixture(args) {
  const f = fixtures.get(args.fixture);
  if (!f) return null;
  fixtures.delete(args.fixture);
  await f.close();
  await f.raw.close();
  return null;
}

function fixtureOf(args) {
  const f = fixtures.get(args.fixture);
  if (!f) throw protocolError(`no open fixture ${JSON.stringify(args.fixture)}`);
  return f;
}

// ---------------------------------------------------------------------------------------
// Adapter calls: JSON arguments to v3's JS arguments, and back.
// ---------------------------------------------------------------------------------------

function toDate(v) {
  return v === null || v === undefined ? v : new Date(v);
}

// Ids travel as strings (the contract's type). A record handed back to the adapter (core
// passes the user or session object the adapter returned) gets its integer ids back as
// numbers, the type TypeORM issued: TypeORM's `save` compares the primary key it loads (a
// number) with the entity's, and would otherwise INSERT a second row with the same id.
function restoreId(v) {
  return typeof v === "string" && /^(0|[1-9][0-9]{0,14})$/.test(v) ? Number(v) : v;
}

// An id argument: v3 core passes back the id the adapter returned, a number for Prisma's
// Int ids (the TypeORM adapter is given the string, which it accepts).
const idIn = (v) => (profile.kind === "prisma" ? restoreId(v) : v);

function userIn(u) {
  return {
    ...u,
    id: restoreId(u.id),
    emailVerified: toDate(u.emailVerified),
    createdAt: toDate(u.createdAt),
    updatedAt: toDate(u.updatedAt),
  };
}

function sessionIn(s) {
  return {
    ...s,
    id: restoreId(s.id),
    userId: restoreId(s.userId),
    expires: toDate(s.expires),
    createdAt: toDate(s.createdAt),
    updatedAt: toDate(s.updatedAt),
  };
}

// undefined is what v3 core passes for a missing cookie; JSON carries it as null.
function cookie(v) {
  return v === null ? undefined : v;
}

function providerIn(p, sent) {
  return defaultAdapter.emailProvider(p, ({ identifier, url, token, baseUrl, provider }) => {
    sent.push({ identifier, url, token, baseUrl, providerId: provider && provider.id });
  });
}

async function callAdapter(f, method, a, sent) {
  const ad = f.instance;
  switch (method) {
    case "createUser":
      return { result: await ad.createUser({ ...a[0], emailVerified: toDate(a[0].emailVerified) }) };
    case "getUser":
      return { result: await ad.getUser(idIn(a[0])) };
    case "getUserByEmail":
      return { result: await ad.getUserByEmail(a[0]) };
    case "getUserByProviderAccountId":
      return { result: await ad.getUserByProviderAccountId(a[0], a[1]) };
    case "updateUser":
      return { result: await ad.updateUser(userIn(a[0])) };
    case "deleteUser":
      return { result: await ad.deleteUser(idIn(a[0])) };
    case "linkAccount":
      return { result: await ad.linkAccount(idIn(a[0]), a[1], a[2], a[3], a[4], a[5], toDate(a[6])) };
    case "unlinkAccount":
      return { result: await ad.unlinkAccount(idIn(a[0]), a[1], a[2]) };
    case "createSession":
      return { result: await ad.createSession(userIn(a[0])) };
    case "getSession":
      return { result: await ad.getSession(cookie(a[0])) };
    case "updateSession": {
      const session = sessionIn(a[0]);
      const result = await ad.updateSession(session, a[1]);
      // v3 mutates its argument; core reads the new expiry from it.
      return { result: { returned: result === undefined ? null : result, argument: session } };
    }
    case "deleteSession":
      return { result: await ad.deleteSession(cookie(a[0])) };
    case "createVerificationRequest": {
      const provider = providerIn(a[4], sent);
      const result = await ad.createVerificationRequest(a[0], a[1], a[2], a[3], provider, { baseUrl: f.baseUrl });
      if (profile.broken === "raw-verification-token") {
        // The deliberate defect: overwrite the stored hash with the raw token.
        const { createHash } = require("crypto");
        const hash = createHash("sha256").update(`${a[2]}${f.secret}`).digest("hex");
        await f.raw.query("UPDATE verification_requests SET token = $1 WHERE token = $2", [a[2], hash]);
      }
      return { result };
    }
    case "getVerificationRequest":
      return { result: await ad.getVerificationRequest(a[0], a[1], a[2], providerIn(a[3], sent)) };
    case "deleteVerificationRequest":
      return { result: await ad.deleteVerificationRequest(a[0], a[1], a[2], providerIn(a[3], sent)) };
    default:
      throw protocolError(`unknown method ${JSON.stringify(method)}`);
  }
}

const VOID_METHODS = new Set(["deleteUser", "unlinkAccount", "deleteSession", "deleteVerificationRequest"]);

// Records as JSON: Dates as RFC 3339, integer ids as strings, TypeORM results (DeleteResult,
// `false`) of void methods as null.
function wire(method, value) {
  if (VOID_METHODS.has(method)) return null;
  return JSON.parse(
    JSON.stringify(value === undefined ? null : value, (key, v) => {
      if ((key === "id" || key === "userId") && typeof v === "number") return String(v);
      return v;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Errors: the contract's kinds, recognised from the driver's error codes.
// ---------------------------------------------------------------------------------------

// Index / constraint name -> the contract's UniqueKey (the documented schema's names, and
// the columns for other names).
const UNIQUE_KEYS = {
  email: "user_email",
  compound_id: "account_compound_id",
  session_token: "session_token",
  access_token: "session_access_token",
  token: "verification_token",
};

// The contract's UniqueKey of a duplicate-key error: by the constraint's name, or, through
// `uniqueColumns` (the fixture's unique index name -> column: TypeORM's synchronize names its
// MySQL indexes `IDX_<hash>`, and MySQL's duplicate-key error names only the index), by its
// column.
function uniqueKeyFrom({ constraint, columns }, uniqueColumns) {
  if (constraint && UNIQUE_KEYS[constraint]) return UNIQUE_KEYS[constraint];
  const indexed = constraint && uniqueColumns && uniqueColumns.get(constraint);
  if (indexed && UNIQUE_KEYS[indexed]) return UNIQUE_KEYS[indexed];
  if (columns && UNIQUE_KEYS[columns]) return UNIQUE_KEYS[columns];
  return null;
}

// The contract's UniqueKey of a Prisma P2002 error: from the fields or the index it names
// (`email`, `compoundId`, `users.email_unique`, `users_email_key`, …).
function prismaUniqueKey(meta) {
  const names = [];
  const add = (v) => {
    if (Array.isArray(v)) v.forEach(add);
    else if (typeof v === "string") names.push(v);
  };
  if (meta) {
    add(meta.target);
    const cause = meta.driverAdapterError && meta.driverAdapterError.cause;
    if (cause && cause.constraint) {
      add(cause.constraint.fields);
      add(cause.constraint.index);
    }
  }
  const keys = Object.keys(UNIQUE_KEYS).sort((a, b) => b.length - a.length);
  for (const name of names) {
    const n = name
      .replace(/^.*\./, "")
      .replace(/_(unique|key)$/, "")
      .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (UNIQUE_KEYS[n]) return UNIQUE_KEYS[n];
    const suffix = keys.find((k) => n.endsWith(`_${k}`));
    if (suffix) return UNIQUE_KEYS[suffix];
  }
  return null;
}

function classify(err, fixture) {
  // TypeORM wraps the driver's error in `driverError`; Prisma's driver adapters keep the
  // database's code in `meta.driverAdapterError.cause.originalCode`.
  const prismaCause = err && err.meta && err.meta.driverAdapterError && err.meta.driverAdapterError.cause;
  const fromPrisma = prismaCause && prismaCause.originalCode !== undefined
    ? { code: String(prismaCause.originalCode), errno: Number(prismaCause.originalCode), sqlMessage: prismaCause.originalMessage }
    : null;
  const e = (err && err.driverError) || fromPrisma || err || {};
  const message = (err && err.message) || String(err);
  // Prisma: P2002 a unique constraint refused the write; P2000 a value too long for its column.
  if (err && err.code === "P2002") {
    const key = prismaUniqueKey(err.meta);
    if (key) return { kind: "conflict", key, message };
  }
  if (err && err.code === "P2000") {
    const cause = err.meta && err.meta.driverAdapterError && err.meta.driverAdapterError.cause;
    return { kind: "invalid_input", field: (cause && cause.column) || (err.meta && err.meta.column_name) || "value", message };
  }
  const known = sqlError(e, (names) => uniqueKeyFrom(names, fixture && fixture.uniqueColumns), message);
  if (known) return known;
  return { kind: "backend", message: `${(err && err.name) || "Error"}: ${message}` };
}

function describe() {
  if (profile.kind === "prisma") {
    return `next-auth@${nextAuthVersion} Prisma adapter (@next-auth/prisma-legacy-adapter) on Prisma ${require("@prisma/client/package.json").version} and ${dialect}, the seed's schema${profile.renamed ? " with every model renamed (modelMapping)" : ""}, tables from the project's DDL for it`;
  }
  return `next-auth@${nextAuthVersion} default adapter (TypeORM, @next-auth/typeorm-legacy-adapter) on ${dialect}, ${synchronize ? "tables made by its synchronize" : "tables from the project's DDL"}${profile.broken ? `, deliberately broken: ${profile.broken}` : ""}`;
}

// ---------------------------------------------------------------------------------------
// The requests.
// ---------------------------------------------------------------------------------------

async function handle(msg) {
  const { method } = msg;
  const args = msg.args === undefined ? [] : msg.args;
  switch (method) {
    case "hello":
      checkHello(args);
      return {
        ok: {
          protocol: PROTOCOL,
          name: `next-auth@${nextAuthVersion}${profile.kind === "prisma" ? `-${options.adapter}` : ""}${profile.broken ? `+${profile.broken}` : ""}`,
          description: describe(),
          capabilities: CAPABILITIES,
          namespaces: {
            server: dialect,
            url: options.url,
            tables: profile.kind === "prisma" ? "prisma-legacy" : options.tables,
            table_prefix: TABLE_PREFIX,
            // A namespace an earlier fixture had (emptied by the parent) is fine: with
            // `synchronize`, next-auth's own synchronize finds its tables there and keeps them,
            // as it does when an application starts again.
            reuse: true,
          },
          // `open` honours `timeZone`: the fixture's adapter connects in that zone.
          session_time_zone: true,
        },
      };
    case "open":
      return { ok: await openFixture({ ...args, fixture: msg.fixture }) };
    case "close":
      return { ok: await closeFixture(msg) };
    case "stored":
      return { ok: await readStored(fixtureOf(msg).raw) };
    case "setClock": {
      fixtureOf(msg).defaultNow = args.now;
      return { ok: null };
    }
    default: {
      const f = fixtureOf(msg);
      const sent = [];
      const { result } = await callAdapter(f, method, args, sent);
      const reply = { ok: wire(method, result) };
      if (sent.length) reply.sent = sent;
      return reply;
    }
  }
}

serveLines({
  handle,
  classify: (err, msg) => classify(err, msg.fixture !== undefined ? fixtures.get(msg.fixture) : undefined),
  // Every request runs at its `now` (or its fixture's clock).
  around(msg, run) {
    const fixture = msg.fixture !== undefined ? fixtures.get(msg.fixture) : undefined;
    const nowMicros = typeof msg.now === "number" ? msg.now : fixture && fixture.defaultNow;
    if (typeof nowMicros === "number") clock.run({ nowMs: Math.floor(nowMicros / 1000) }, run);
    else run();
  },
  async shutdown() {
    for (const key of [...fixtures.keys()]) {
      await closeFixture({ fixture: key }).catch(() => {});
    }
  },
});

// Database helpers for the core scenarios: the namespaces this script creates (and only
// drops what it created), and the raw reads of the four tables, with the driver directly,
// never through the adapter (bridge/node/stored.js, shared with server.js).
//
// A namespace is a PostgreSQL schema or a MariaDB/MySQL database named `nx_core_<16 hex>`,
// created empty, with the server's defaults: next-auth's default adapter makes its tables
// itself (`?synchronize=true`), as the seed's example configuration does.
"use strict";

const { randomBytes } = require("crypto");

const NAMESPACE_PREFIX = "nx_core_";
const NAMESPACE_RE = /^nx_core_[0-9a-f]{16}$/;

function dialectOf(url) {
  const scheme = new URL(url).protocol;
  if (/^postgres(ql)?:$/.test(scheme)) return "postgres";
  if (/^(mysql|mariadb):$/.test(scheme)) return "mysql";
  throw new Error(`unsupported database URL scheme ${scheme} (postgres:// or mysql://)`);
}

// A connection to the server (its URL's own database), or to `namespace` on it.
async function connect(url, namespace) {
  if (namespace !== undefined && !NAMESPACE_RE.test(namespace)) throw new Error(`not one of our namespaces: ${namespace}`);
  if (dialectOf(url) === "postgres") {
    const { Client } = require("pg");
    const client = new Client({ connectionString: url.split("?")[0] });
    await client.connect();
    if (namespace) await client.query(`SET search_path TO "${namespace}"`);
    return {
      dialect: "postgres",
      async query(sql, params) {
        return (await client.query(sql, params)).rows;
      },
      close: () => client.end(),
    };
  }
  const mysql = require("mysql");
  const u = new URL(url);
  const conn = mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: namespace || decodeURIComponent(u.pathname.replace(/^\//, "")) || undefined,
    timezone: "Z",
    charset: "utf8mb4",
    supportBigNumbers: true,
  });
  await new Promise((resolve, reject) => conn.connect((e) => (e ? reject(e) : resolve())));
  const query = (sql, params) =>
    new Promise((resolve, reject) => conn.query(sql.replace(/\$\d+/g, "?"), params || [], (e, rows) => (e ? reject(e) : resolve(rows))));
  // Raw reads in UTC, whatever the server's default zone.
  await query("SET time_zone = '+00:00'");
  return {
    dialect: "mysql",
    query,
    close: () => new Promise((resolve) => conn.end(() => resolve())),
  };
}

// The namespaces this process created and has not dropped yet, per server URL; and every
// one it ever created (to prove at the end that none is left).
const created = new Map();
const everCreated = new Set();

// `tables`: `synchronize` (or none): the namespace is left empty, for the adapter's own
// synchronize; a schema of fixtures/schemas (`prisma-legacy`, the seed's Prisma schema as
// `prisma migrate` makes it): its `<dialect>.sql` is run in the namespace, as the Rust bridge
// does (backends/bridge/src/tables.rs), so a child served here gets the same tables.
async function createNamespace(url, tables) {
  const ddl = tables && tables !== "synchronize" ? schemaStatements(tables, dialectOf(url)) : [];
  const name = `${NAMESPACE_PREFIX}${randomBytes(8).toString("hex")}`;
  const admin = await connect(url);
  try {
    await admin.query(admin.dialect === "postgres" ? `CREATE SCHEMA "${name}"` : `CREATE DATABASE \`${name}\``);
  } finally {
    await admin.close();
  }
  if (!created.has(url)) created.set(url, new Set());
  created.get(url).add(name);
  everCreated.add(name);
  if (ddl.length) {
    const conn = await connect(url, name);
    try {
      for (const statement of ddl) await conn.query(statement);
    } finally {
      await conn.close();
    }
  }
  return name;
}

// The statements of fixtures/schemas/<schema>/<dialect>.sql (`--` comment lines dropped,
// split at `;`: the files hold CREATE TABLE and CREATE INDEX statements only).
function schemaStatements(schema, dialect) {
  if (!/^[a-z0-9-]+$/.test(schema)) throw new Error(`not a schema of fixtures/schemas: ${JSON.stringify(schema)}`);
  const file = require("path").join(__dirname, "../../../fixtures/schemas", schema, `${dialect}.sql`);
  const text = require("fs").readFileSync(file, "utf8");
  return text
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join("\n")
    .split(";")
    .map((statement) => statement.trim())
    .filter(Boolean);
}

async function dropNamespace(url, name) {
  if (!NAMESPACE_RE.test(name) || !(created.get(url) || new Set()).has(name)) {
    throw new Error(`refusing to drop ${name}: this process did not create it`);
  }
  const admin = await connect(url);
  try {
    await admin.query(admin.dialect === "postgres" ? `DROP SCHEMA IF EXISTS "${name}" CASCADE` : `DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.close();
  }
  created.get(url).delete(name);
}

// Drops whatever this process created and has not dropped (after a crash of a scenario).
async function dropAllCreated() {
  for (const [url, names] of created) {
    for (const name of [...names]) {
      await dropNamespace(url, name).catch((e) => process.stderr.write(`core: dropping ${name}: ${e.message}\n`));
    }
  }
}

// Which of `names` still exist on the server, and every `nx_core_` namespace there (ours or
// another run's), to prove at the end that we left nothing behind.
async function existingNamespaces(url) {
  const admin = await connect(url);
  try {
    const rows =
      admin.dialect === "postgres"
        ? await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE 'nx\\_core\\_%'")
        : await admin.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'nx\\_core\\_%'");
    return rows.map((r) => r.name);
  } finally {
    await admin.close();
  }
}

// Every row of the four tables (../stored.js).
function readStored(raw) {
  return require("../stored").readStored((sql) => raw.query(sql), raw.dialect);
}

module.exports = {
  NAMESPACE_RE,
  dialectOf,
  connect,
  createNamespace,
  dropNamespace,
  dropAllCreated,
  existingNamespaces,
  wasCreatedHere: (name) => everCreated.has(name),
  readStored,
};

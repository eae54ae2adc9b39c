// The namespaces of the Auth.js real-core lane: a PostgreSQL schema or a MariaDB/MySQL
// database named `ax_core_<16 hex>`, created empty here (MariaDB: with the server's default
// character set and collation, as `CREATE DATABASE app` gives a user, and as the ecosystem
// cells' namespaces are made), and dropped here. Nothing this process did not create is ever
// dropped. Raw access to a namespace (the adapter module's table setup and its `stored`
// reads) goes through the drivers of bridge/node/authjs, never through the adapter.
"use strict";

const { randomBytes } = require("crypto");

const PREFIX = "ax_core_";
const NAME_RE = /^ax_core_[0-9a-f]{16}$/;

function dialectOf(url) {
  const scheme = new URL(url).protocol;
  if (/^postgres(ql)?:$/.test(scheme)) return "postgres";
  if (/^(mysql|mariadb):$/.test(scheme)) return "mysql";
  throw new Error(`unsupported database URL scheme ${scheme} (postgres:// or mysql://)`);
}

// A raw client on the server (`schema` undefined: the URL's own database) or in `schema`:
// {query(sql) → rows, run(sqlText), close()}. The same drivers and options as the bridge
// child's (../server.js), so a module's setup runs exactly as it does for the ecosystem cells.
async function rawClient(url, schema) {
  if (schema !== undefined && !NAME_RE.test(schema)) throw new Error(`not one of this lane's namespaces: ${schema}`);
  if (dialectOf(url) === "mysql") {
    const mariadb = require("mariadb");
    const u = new URL(url);
    const conn = await mariadb.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: schema || decodeURIComponent(u.pathname.replace(/^\//, "")) || undefined,
      bigIntAsNumber: true,
      multipleStatements: true,
    });
    return {
      dialect: "mysql",
      query: (sql, params) => conn.query(sql, params),
      async run(sqlText) {
        await conn.query(sqlText);
      },
      close: () => conn.end(),
    };
  }
  const { Client } = require("pg");
  const client = new Client(schema ? { connectionString: url, options: `-c search_path=${schema}` } : { connectionString: url });
  await client.connect();
  return {
    dialect: "postgres",
    async query(sql, params) {
      return (await client.query(sql, params)).rows;
    },
    async run(sqlText) {
      await client.query(sqlText);
    },
    close: () => client.end(),
  };
}

// Every namespace this process created, per server URL, and those not dropped yet.
const created = new Map(); // url → Set(name)
const live = new Map(); // url → Set(name)

async function createNamespace(url) {
  const name = `${PREFIX}${randomBytes(8).toString("hex")}`;
  const admin = await rawClient(url);
  try {
    await admin.run(admin.dialect === "postgres" ? `CREATE SCHEMA "${name}"` : `CREATE DATABASE \`${name}\``);
  } finally {
    await admin.close();
  }
  for (const m of [created, live]) {
    if (!m.has(url)) m.set(url, new Set());
    m.get(url).add(name);
  }
  return name;
}

async function dropNamespace(url, name) {
  if (!NAME_RE.test(name) || !(live.get(url) || new Set()).has(name)) {
    throw new Error(`refusing to drop ${name}: this process did not create it (or dropped it already)`);
  }
  const admin = await rawClient(url);
  try {
    await admin.run(admin.dialect === "postgres" ? `DROP SCHEMA IF EXISTS "${name}" CASCADE` : `DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.close();
  }
  live.get(url).delete(name);
}

// Drops whatever this process created and has not dropped yet (after a failed step).
async function dropAllLive() {
  for (const [url, names] of live) {
    for (const name of [...names]) {
      await dropNamespace(url, name).catch((e) => process.stderr.write(`authjs core: dropping ${name}: ${e.message}\n`));
    }
  }
}

// The namespaces this process created that still exist on their server (none, after a
// clean run).
async function leftBehind() {
  const out = [];
  for (const [url, names] of created) {
    if (names.size === 0) continue;
    const admin = await rawClient(url);
    try {
      const rows =
        admin.dialect === "postgres"
          ? await admin.query("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE 'ax\\_core\\_%'")
          : await admin.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ax\\_core\\_%'");
      for (const r of rows) if (names.has(r.name)) out.push(r.name);
    } finally {
      await admin.close();
    }
  }
  return out;
}

/**
 * The URL an adapter module's `open` is given for namespace `name` (as ../server.js gives
 * it): PostgreSQL's as is (the schema goes on the search path), MySQL's with the database in
 * its path.
 */
function namespaceUrl(url, name) {
  if (dialectOf(url) === "postgres") return url;
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

module.exports = { PREFIX, NAME_RE, dialectOf, rawClient, createNamespace, dropNamespace, dropAllLive, leftBehind, namespaceUrl };

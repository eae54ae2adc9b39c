// next-auth@3's default adapter (`require('next-auth/adapters').default.Default(...)`, the
// re-exported @next-auth/typeorm-legacy-adapter on TypeORM 0.2) opened over one namespace of a
// database server: a PostgreSQL schema or a MySQL/MariaDB database. With it, what v3 core
// hands any adapter (the email provider, the logger) and the versions installed.
//
// server.js opens one adapter per fixture with it; bench.js one for a whole benchmark run.
"use strict";

const fs = require("fs");
const path = require("path");

// The version of a package installed in bridge/node/node_modules (read from its
// package.json: the packages' `exports` do not export it).
function installedVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules", name, "package.json"), "utf8")).version;
}

// `postgres` or `mysql` (MySQL and MariaDB) for a database server URL, or null.
function dialectOf(serverUrl) {
  const protocol = new URL(serverUrl).protocol;
  return /^postgres/.test(protocol) ? "postgres" : /^(mysql|mariadb)/.test(protocol) ? "mysql" : null;
}

// The URL a v3 user writes for the default adapter: the server's URL with the namespace
// (PostgreSQL's `schema` parameter, MySQL's database) and TypeORM's connection name.
function adapterUrl({ dialect, serverUrl, namespace, connectionName, synchronize }) {
  const u = new URL(serverUrl);
  u.search = "";
  if (dialect === "postgres") {
    u.searchParams.set("schema", namespace);
  } else {
    u.pathname = `/${namespace}`;
  }
  // A connection name per adapter: TypeORM keeps connections in a process-wide manager.
  u.searchParams.set("name", connectionName);
  if (synchronize) u.searchParams.set("synchronize", "true");
  return u.toString();
}

// What the default adapter is given: that URL; in a session time zone (`{name, offset,
// mysql}`), the configuration object the adapter's own parser makes of the URL, plus what a
// user adds to put its connections in the zone: PostgreSQL's `TimeZone` startup option
// through pg's `options`, and on MySQL a `SET time_zone` on every new pooled connection (the
// mysql package's documented `connection` event) through TypeORM's `driver` option.
function typeormConfig(args) {
  const { dialect, zone } = args;
  const url = adapterUrl(args);
  if (!zone) return url;
  const { parseConnectionString } = require("@next-auth/typeorm-legacy-adapter/dist/lib/config");
  const config = parseConnectionString(url);
  if (dialect === "postgres") {
    config.extra = { options: `-c TimeZone=${zone.name}` };
  } else {
    const mysql = require("mysql");
    config.driver = {
      ...mysql,
      createPool(poolConfig) {
        const pool = mysql.createPool(poolConfig);
        pool.on("connection", (connection) => connection.query(zone.mysql));
        return pool;
      },
    };
  }
  return config;
}

// Closes TypeORM's connection `connectionName` (kept in a process-wide manager, by name).
async function closeTypeorm(connectionName) {
  const { getConnectionManager } = require("typeorm");
  const manager = getConnectionManager();
  if (manager.has(connectionName)) {
    const connection = manager.get(connectionName);
    if (connection.isConnected) await connection.close();
  }
}

// Opens the default adapter over `namespace` of the server at `serverUrl` as TypeORM
// connection `connectionName`, with v3's `appOptions` ({session: {maxAge, updateAge}, secret,
// logger, baseUrl}): its v3 adapter instance, a way to close its connection, and a way to
// run SQL on the connection's pool. `synchronize`: next-auth creates the tables itself;
// otherwise they exist. `zone`: a session time zone, or null for the server's default.
async function open({ dialect, serverUrl, namespace, connectionName, synchronize = false, zone = null, appOptions }) {
  const Adapters = require("next-auth/adapters").default;
  const config = typeormConfig({ dialect, serverUrl, namespace, connectionName, synchronize, zone });
  const instance = await Adapters.Default(config).getAdapter(appOptions);
  return {
    instance,
    close: () => closeTypeorm(connectionName),
    query: (sql) => require("typeorm").getConnection(connectionName).query(sql),
  };
}

// The logger v3 core gives an adapter (`appOptions.logger`): warnings and errors to stderr.
const logger = {
  debug() {},
  warn(code, ...rest) {
    process.stderr.write(`[adapter warn] ${code} ${rest.map(String).join(" ")}\n`);
  },
  error(code, ...rest) {
    process.stderr.write(`[adapter error] ${code} ${rest.map((e) => (e && e.message) || String(e)).join(" ")}\n`);
  },
};

// The email provider v3 core passes to the verification-request methods: `{id, maxAge}` from
// the caller, the type and name of next-auth's Email provider, and a `sendVerificationRequest`
// that hands what it is given to `onSend` instead of mailing it.
function emailProvider(p, onSend) {
  return {
    id: p.id,
    type: "email",
    name: "Email",
    maxAge: p.maxAge,
    async sendVerificationRequest(message) {
      onSend(message);
    },
  };
}

module.exports = {
  installedVersion,
  dialectOf,
  open,
  logger,
  emailProvider,
};

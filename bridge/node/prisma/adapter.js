// next-auth@3's Prisma adapter (`Adapters.Prisma.Adapter({ prisma, modelMapping })`, the
// re-exported @next-auth/prisma-legacy-adapter) on Prisma 7's client with a driver adapter,
// one client per namespace: a PostgreSQL schema through @prisma/adapter-pg, a MariaDB/MySQL
// database through @prisma/adapter-mariadb. The clients are the ones ci/bridge.sh generates
// (generate.js): the seed's model names, or every model renamed for `modelMapping`.
"use strict";

const path = require("path");

/// The `modelMapping` of the renamed variant: the client properties of generate.js's
/// `Auth<Model>` models.
const RENAMED_MODELS = {
  User: "authUser",
  Account: "authAccount",
  Session: "authSession",
  VerificationRequest: "authVerificationRequest",
};

/// The table prefix of the renamed variant (generate.js maps `AuthUser` to `auth_users`, …).
const RENAMED_TABLE_PREFIX = "auth_";

function client(dialect, renamed) {
  const dir = `${dialect}${renamed ? "-renamed" : ""}`;
  try {
    return require(path.join(__dirname, "build", dir, "client")).PrismaClient;
  } catch (e) {
    throw new Error(`the Prisma client ${dir} is not generated (run ci/bridge.sh): ${e.message}`);
  }
}

/// A driver adapter whose connections land in `namespace` of the server at `serverUrl`.
function driverAdapter(dialect, serverUrl, namespace) {
  const u = new URL(serverUrl);
  if (dialect === "postgres") {
    const { PrismaPg } = require("@prisma/adapter-pg");
    u.search = "";
    return new PrismaPg({ connectionString: u.toString(), max: 4 }, { schema: namespace });
  }
  const { PrismaMariaDb } = require("@prisma/adapter-mariadb");
  return new PrismaMariaDb({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: namespace,
    connectionLimit: 4,
  });
}

/// Opens the adapter on `namespace`: its v3 adapter instance and a way to close its client.
async function open({ dialect, serverUrl, namespace, renamed, appOptions, Adapters }) {
  const PrismaClient = client(dialect, renamed);
  const prisma = new PrismaClient({ adapter: driverAdapter(dialect, serverUrl, namespace) });
  const config = renamed ? { prisma, modelMapping: RENAMED_MODELS } : { prisma };
  const instance = await Adapters.Prisma.Adapter(config).getAdapter(appOptions);
  return { instance, close: () => prisma.$disconnect() };
}

module.exports = { open, RENAMED_TABLE_PREFIX };

// next-auth@3's Prisma adapter (`Adapters.Prisma.Adapter({ prisma, modelMapping })`, the
// re-exported @next-auth/prisma-legacy-adapter) on Prisma 7's client with a driver adapter,
// one client per namespace: a PostgreSQL schema through @prisma/adapter-pg, a MariaDB/MySQL
// database through @prisma/adapter-mariadb. The clients are the ones ci/bridge.sh generates
// (generate.js): the seed's model names, or every model renamed for `modelMapping`.
"use strict";

const path = require("path");
const { driverAdapter } = require("../lib/prisma-driver");

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

/// Opens the adapter on `namespace`: its v3 adapter instance, a way to close its client, and
/// a way to run SQL on the client's connections.
async function open({ dialect, serverUrl, namespace, zone, renamed, appOptions, Adapters }) {
  const PrismaClient = client(dialect, renamed);
  const prisma = new PrismaClient({ adapter: driverAdapter({ dialect, serverUrl, namespace, zone, load: require }) });
  const config = renamed ? { prisma, modelMapping: RENAMED_MODELS } : { prisma };
  const instance = await Adapters.Prisma.Adapter(config).getAdapter(appOptions);
  return { instance, close: () => prisma.$disconnect(), query: (sql) => prisma.$queryRawUnsafe(sql) };
}

module.exports = { open, RENAMED_TABLE_PREFIX };

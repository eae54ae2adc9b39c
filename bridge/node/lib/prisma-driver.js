// The Prisma 7 driver adapter over a fixture's namespace, shared by the v3 child's Prisma
// adapters (bridge/node/prisma/adapter.js) and the Auth.js child's (bridge/node/authjs/adapters/prisma.js).
"use strict";

/**
 * A driver adapter whose connections land in `namespace` of the server at `serverUrl`, in the
 * session time zone `zone` (`{name, offset, mysql}`) when one is given: pg's `options`
 * startup parameter on PostgreSQL, the mariadb connector's `initSql` on MariaDB/MySQL.
 * `load` is the caller's `require`, so that each package uses its own pinned
 * `@prisma/adapter-pg` and `@prisma/adapter-mariadb`.
 */
function driverAdapter({ dialect, serverUrl, namespace, zone, load }) {
  const u = new URL(serverUrl);
  if (dialect === "postgres") {
    const { PrismaPg } = load("@prisma/adapter-pg");
    u.search = "";
    const pool = { connectionString: u.toString(), max: 4 };
    if (zone) pool.options = `-c TimeZone=${zone.name}`;
    return new PrismaPg(pool, { schema: namespace });
  }
  const { PrismaMariaDb } = load("@prisma/adapter-mariadb");
  const pool = {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: namespace,
    connectionLimit: 4,
  };
  if (zone) pool.initSql = zone.mysql;
  return new PrismaMariaDb(pool);
}

module.exports = { driverAdapter };

// @auth/prisma-adapter on Prisma 7's client with a driver adapter (@prisma/adapter-pg,
// @prisma/adapter-mariadb), on PostgreSQL and MariaDB, on the tables `prisma migrate dev` makes
// from the schema its documentation gives for each
// (fixtures/ecosystem/prisma-adapter/documented.<dialect>.{prisma,sql};
// authjs.dev/getting-started/adapters/prisma). The clients are generated from those schemas by
// ci/bridge.sh (bridge/node/authjs/prisma/generate.js).
"use strict";

const path = require("path");
const { driverAdapter } = require("../../lib/prisma-driver");
const { iso, pgIso, converted } = require("./sql-text");

const FIXTURES = path.join(__dirname, "..", "..", "..", "..", "fixtures", "ecosystem", "prisma-adapter");

function prismaClient(dialect) {
  try {
    return require(path.join(__dirname, "..", "prisma", "build", dialect, "client")).PrismaClient;
  } catch (e) {
    throw new Error(`the Prisma client of the documented ${dialect} schema is not generated (run ci/bridge.sh): ${e.message}`);
  }
}

module.exports = {
  package: "@auth/prisma-adapter",
  drivers: ["@prisma/client", "@prisma/adapter-pg", "@prisma/adapter-mariadb"],
  dialects: ["postgres", "mysql"],
  setups: {
    documented: {
      postgres: path.join(FIXTURES, "documented.postgres.sql"),
      mysql: path.join(FIXTURES, "documented.mysql.sql"),
    },
  },
  defaultSetup: "documented",

  // index.js: createUser drops core's id (`({ id, ...data }) => p.user.create(…)`, the
  // schema's `@default(cuid())`); lookups are `findUnique` (exact on PostgreSQL's TEXT, the
  // tables' utf8mb4_unicode_ci on MariaDB, which compares as general_ci does for addresses);
  // DateTime is TIMESTAMP(3) / DATETIME(3): milliseconds.
  capabilities: {
    postgres: { user_id: "adapter", email_matching: "exact", timestamp_precision: "millisecond" },
    mysql: { user_id: "adapter", email_matching: "mysql_general_ci", timestamp_precision: "millisecond" },
  },

  // As its documentation's `PrismaAdapter(prisma)`, the client over a Prisma 7 driver adapter
  // on the fixture's namespace.
  async open({ url, schema, dialect }) {
    const { PrismaAdapter } = await import("@auth/prisma-adapter");
    const PrismaClient = prismaClient(dialect);
    const prisma = new PrismaClient({ adapter: driverAdapter({ dialect, serverUrl: url, namespace: schema, load: require }) });
    return { adapter: PrismaAdapter(prisma), close: () => prisma.$disconnect() };
  },

  // P2025, "An operation failed because it depends on one or more records that were required
  // but not found": Prisma's word for a row that is not there.
  notFound: (err) => Boolean(err && err.code === "P2025"),

  // Prisma's errors carry the driver adapter's reading of the database's (`meta.
  // driverAdapterError.cause`: its kind, the constraint's fields or index), not the driver's
  // codes: a unique violation is a conflict on the key its table and fields (PostgreSQL) or
  // index (MariaDB) name; a foreign key violation on a write a row naming a user nobody has;
  // a value longer than its column invalid input.
  classify(err, key) {
    const cause = err && err.meta && err.meta.driverAdapterError && err.meta.driverAdapterError.cause;
    if (!cause) return null;
    if (cause.kind === "UniqueConstraintViolation") {
      const table = cause.table || err.meta.modelName;
      const c = cause.constraint || {};
      const fields = c.fields && c.fields.map((f) => f.replace(/["`]/g, "")).join(",");
      // MariaDB calls every primary key PRIMARY: its columns instead.
      const index = c.index === "PRIMARY" ? module.exports.primaryKeys[table] : c.index;
      const found = (fields && key(table, fields)) || (index && key(table, index));
      return found ? { kind: "conflict", key: found } : null;
    }
    // (Not MySQL's 1451, a parent row a RESTRICT key keeps from being deleted: that is no
    // missing row.)
    if (cause.kind === "ForeignKeyConstraintViolation" && String(cause.originalCode) !== "1451") return { kind: "not_found" };
    if (cause.kind === "LengthMismatch") return { kind: "invalid_input", field: cause.column || "value" };
    return null;
  },

  stored: {
    postgres: {
      users: `SELECT id, name, email, ${pgIso('"emailVerified"')} AS "emailVerified", image FROM "User" ORDER BY "createdAt", id`,
      accounts: `SELECT "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM "Account" ORDER BY "createdAt", provider, "providerAccountId"`,
      sessions: `SELECT "sessionToken", "userId", ${pgIso("expires")} AS expires FROM "Session" ORDER BY "createdAt", "sessionToken"`,
      verificationTokens: `SELECT identifier, token, ${pgIso("expires")} AS expires FROM "VerificationToken" ORDER BY identifier, token`,
      authenticators: `SELECT "credentialID", "userId", "providerAccountId", counter, "credentialBackedUp", "credentialPublicKey", transports, "credentialDeviceType" FROM "Authenticator" ORDER BY "credentialID"`,
    },
    mysql: {
      users: `SELECT id, name, email, ${iso("emailVerified")} AS emailVerified, image FROM User ORDER BY createdAt, id`,
      accounts: `SELECT userId, type, provider, providerAccountId, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM Account ORDER BY createdAt, provider, providerAccountId`,
      sessions: `SELECT sessionToken, userId, ${iso("expires")} AS expires FROM Session ORDER BY createdAt, sessionToken`,
      verificationTokens: `SELECT identifier, token, ${iso("expires")} AS expires FROM VerificationToken ORDER BY identifier, token`,
      // MariaDB keeps a BOOLEAN as a TINYINT.
      authenticators: converted(
        "SELECT credentialID, userId, providerAccountId, counter, credentialBackedUp, credentialPublicKey, transports, credentialDeviceType FROM Authenticator ORDER BY credentialID",
        { credentialBackedUp: Boolean },
      ),
    },
  },

  // The constraint the driver adapter names: Prisma's `<Model>_pkey` and `<Model>_<fields>_key`
  // (or, for MariaDB's PRIMARY, the primary key's columns).
  uniqueKeys: {
    "User(User_pkey)": "user_id",
    "Account(Account_pkey)": "account_provider",
    "VerificationToken(VerificationToken_pkey)": "verification_identifier_token",
    "Authenticator(Authenticator_pkey)": "authenticator_credential_id",
    "User(id)": "user_id",
    "User(email)": "user_email",
    "Account(provider,providerAccountId)": "account_provider",
    "Session(sessionToken)": "session_token",
    "VerificationToken(identifier,token)": "verification_identifier_token",
    "Authenticator(credentialID)": "authenticator_credential_id",
    "Authenticator(userId,credentialID)": "authenticator_credential_id",
    "User(User_email_key)": "user_email",
    "Account(Account_provider_providerAccountId_key)": "account_provider",
    "Session(Session_sessionToken_key)": "session_token",
    "VerificationToken(VerificationToken_identifier_token_key)": "verification_identifier_token",
    "Authenticator(Authenticator_credentialID_key)": "authenticator_credential_id",
  },
  primaryKeys: { User: "id", Authenticator: "userId,credentialID" },
};

// @auth/drizzle-adapter over Drizzle ORM, on PostgreSQL (node-postgres) and MariaDB (mysql2),
// on the tables its documentation has a user make: the schema it lists
// (authjs.dev/getting-started/adapters/drizzle, "Schema": the tables the adapter's own
// `defineTables()` defines when given none), pushed with drizzle-kit. Here drizzle-kit's API
// (`drizzle-kit/api`) turns the adapter's default tables into the SQL `drizzle-kit generate`
// writes, and the fixture runs it.
"use strict";

const { iso, pgIso, converted } = require("./sql-text");

const path = require("path");
const { pathToFileURL } = require("url");

// drizzle-kit's statements for the adapter's default tables, per dialect, made once.
const made = {};

// The adapter's `lib/<dialect>.js`, where `defineTables` is (its package exports only its
// index).
const lib = (name) => import(pathToFileURL(path.join(__dirname, "..", "node_modules", "@auth", "drizzle-adapter", "lib", name)).href);

async function drizzleKitSql(dialect) {
  if (!made[dialect]) {
    made[dialect] = (async () => {
      const kit = require("drizzle-kit/api");
      if (dialect === "postgres") {
        const { defineTables } = await lib("pg.js");
        const statements = await kit.generateMigration(kit.generateDrizzleJson({}), kit.generateDrizzleJson(defineTables()));
        // drizzle-kit names the referenced table with its schema, `"public"."user"`; the
        // fixture's tables live in its own schema, on the search path.
        return statements.map((s) => s.replaceAll('REFERENCES "public".', "REFERENCES "));
      }
      const { defineTables } = await lib("mysql.js");
      const empty = await kit.generateMySQLDrizzleJson({});
      const statements = await kit.generateMySQLMigration(empty, await kit.generateMySQLDrizzleJson(defineTables()));
      return statements;
    })();
  }
  return made[dialect];
}

async function runEach(raw, statements) {
  for (const statement of await statements) await raw.run(statement);
}

module.exports = {
  package: "@auth/drizzle-adapter",
  drivers: ["drizzle-orm", "drizzle-kit", "pg", "mysql2"],
  dialects: ["postgres", "mysql"],
  setups: {
    documented: {
      postgres: ({ raw }) => runEach(raw, drizzleKitSql("postgres")),
      mysql: ({ raw }) => runEach(raw, drizzleKitSql("mysql")),
    },
  },
  defaultSetup: "documented",

  // node_modules/@auth/drizzle-adapter/lib/{pg,mysql}.js: the users table's id has a
  // `$defaultFn(() => crypto.randomUUID())`, and createUser drops core's id when the column
  // has a default: the adapter's own id. Lookups are `eq` (the column's comparison: exact on
  // PostgreSQL, the database's collation on MariaDB). Instants: `timestamp` (microseconds)
  // on PostgreSQL; on MariaDB `timestamp(3)` for emailVerified but `timestamp` (whole
  // seconds) for the expiries, so seconds is what it can promise there.
  capabilities: {
    postgres: { user_id: "adapter", email_matching: "exact", timestamp_precision: "millisecond" },
    mysql: { user_id: "adapter", email_matching: "mysql_general_ci", timestamp_precision: "millisecond" },
  },

  // As its documentation's `drizzle(pool)` over a pool of the driver.
  async open({ url, schema, dialect }) {
    const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
    if (dialect === "postgres") {
      const { Pool } = require("pg");
      const { drizzle } = await import("drizzle-orm/node-postgres");
      const pool = new Pool({ connectionString: url, options: `-c search_path=${schema}` });
      return { adapter: DrizzleAdapter(drizzle(pool)), close: () => pool.end() };
    }
    const mysql = require("mysql2/promise");
    const { drizzle } = await import("drizzle-orm/mysql2");
    const pool = mysql.createPool({ uri: url });
    return { adapter: DrizzleAdapter(drizzle(pool)), close: () => pool.end() };
  },

  // updateUser of a user nobody has: `throw new Error("No user found.")`, and
  // updateAuthenticatorCounter of a credential nobody has: "Authenticator not found.", the
  // adapter's words for a missing row.
  notFound: (err) => Boolean(err && ["No user found.", "Authenticator not found."].includes(err.message)),

  stored: {
    postgres: {
      users: `SELECT id, name, email, ${pgIso('"emailVerified"')} AS "emailVerified", image FROM "user" ORDER BY id`,
      accounts: `SELECT "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM account ORDER BY provider, "providerAccountId"`,
      sessions: `SELECT "sessionToken", "userId", ${pgIso("expires")} AS expires FROM session ORDER BY "sessionToken"`,
      verificationTokens: `SELECT identifier, token, ${pgIso("expires")} AS expires FROM "verificationToken" ORDER BY identifier, token`,
      authenticators: `SELECT "credentialID", "userId", "providerAccountId", counter, "credentialBackedUp", "credentialPublicKey", transports, "credentialDeviceType" FROM authenticator ORDER BY "credentialID"`,
    },
    mysql: {
      users: `SELECT id, name, email, ${iso("emailVerified")} AS emailVerified, image FROM user ORDER BY id`,
      accounts: `SELECT userId, type, provider, providerAccountId, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM account ORDER BY provider, providerAccountId`,
      sessions: `SELECT sessionToken, userId, ${iso("expires")} AS expires FROM session ORDER BY sessionToken`,
      verificationTokens: `SELECT identifier, token, ${iso("expires")} AS expires FROM verificationToken ORDER BY identifier, token`,
      // MariaDB keeps a BOOLEAN as a TINYINT.
      authenticators: converted(
        "SELECT credentialID, userId, providerAccountId, counter, credentialBackedUp, credentialPublicKey, transports, credentialDeviceType FROM authenticator ORDER BY credentialID",
        { credentialBackedUp: Boolean },
      ),
    },
  },

  uniqueKeys: {
    "user(id)": "user_id",
    "user(email)": "user_email",
    "account(provider,providerAccountId)": "account_provider",
    "session(sessionToken)": "session_token",
    "verificationToken(identifier,token)": "verification_identifier_token",
    "authenticator(credentialID)": "authenticator_credential_id",
    "authenticator(userId,credentialID)": "authenticator_credential_id",
    // MariaDB names only the index: drizzle-kit's names of the unique ones (a primary key is
    // PRIMARY, its columns below).
    "user(user_email_unique)": "user_email",
    "authenticator(authenticator_credentialID_unique)": "authenticator_credential_id",
  },
  primaryKeys: {
    user: "id",
    account: "provider,providerAccountId",
    session: "sessionToken",
    verificationToken: "identifier,token",
    authenticator: "userId,credentialID",
  },
};

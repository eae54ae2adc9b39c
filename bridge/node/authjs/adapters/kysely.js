// @auth/kysely-adapter over Kysely: on PostgreSQL (PostgresDialect, a node-postgres Pool) on
// the tables its documentation's migration makes (authjs.dev/getting-started/adapters/kysely,
// "Schema": `db/migrations/001_create_db.ts`), run here as that migration runs: Kysely's
// schema builder, the same calls. The migration is PostgreSQL's (uuid, gen_random_uuid(),
// timestamptz); on MariaDB (MysqlDialect, a mysql2 pool) the tables are the ones its
// repository's tests make for MySQL (packages/adapter-kysely/test/index.test.ts), the only
// MySQL tables the project gives.
"use strict";

const { iso } = require("./sql-text");

// The documentation's migration, its `up`, call for call (PostgreSQL: uuid ids made by
// gen_random_uuid(), UNIQUE email and session token, a globally UNIQUE verification token,
// no unique key on the provider account, accounts and sessions referencing users ON DELETE
// CASCADE).
async function documentedMigration(db, sql) {
  await db.schema
    .createTable("User")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("name", "text")
    .addColumn("email", "text", (col) => col.unique().notNull())
    .addColumn("emailVerified", "timestamptz")
    .addColumn("image", "text")
    .execute();
  await db.schema
    .createTable("Account")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("userId", "uuid", (col) => col.references("User.id").onDelete("cascade").notNull())
    .addColumn("type", "text", (col) => col.notNull())
    .addColumn("provider", "text", (col) => col.notNull())
    .addColumn("providerAccountId", "text", (col) => col.notNull())
    .addColumn("refresh_token", "text")
    .addColumn("access_token", "text")
    .addColumn("expires_at", "bigint")
    .addColumn("token_type", "text")
    .addColumn("scope", "text")
    .addColumn("id_token", "text")
    .addColumn("session_state", "text")
    .execute();
  await db.schema
    .createTable("Session")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("userId", "uuid", (col) => col.references("User.id").onDelete("cascade").notNull())
    .addColumn("sessionToken", "text", (col) => col.notNull().unique())
    .addColumn("expires", "timestamptz", (col) => col.notNull())
    .execute();
  await db.schema
    .createTable("VerificationToken")
    .addColumn("identifier", "text", (col) => col.notNull())
    .addColumn("token", "text", (col) => col.notNull().unique())
    .addColumn("expires", "timestamptz", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("Account_userId_index").on("Account").column("userId").execute();
  await db.schema.createIndex("Session_userId_index").on("Session").column("userId").execute();
}

// The repository's MySQL test tables, in its schema builder's calls: varchar(36) ids
// defaulting to UUID(), DATETIME(3) instants (emailVerified defaulting to NOW(3)),
// varchar(255) text, UNIQUE email, session token and (globally) verification token, no id
// and no unique key on accounts, foreign keys to User ON DELETE CASCADE.
async function repositoryMysqlTables(db, sql) {
  const text = "varchar(255)";
  const date = sql`DATETIME(3)`;
  await db.schema
    .createTable("User")
    .addColumn("id", "varchar(36)", (col) => col.primaryKey().defaultTo(sql`(UUID())`))
    .addColumn("name", text)
    .addColumn("email", text, (col) => col.unique().notNull())
    .addColumn("emailVerified", date, (col) => col.defaultTo(sql`NOW(3)`))
    .addColumn("image", text)
    .execute();
  await db.schema
    .createTable("Account")
    .addColumn("userId", "varchar(36)", (col) => col.notNull())
    .addColumn("type", text, (col) => col.notNull())
    .addColumn("provider", text, (col) => col.notNull())
    .addColumn("providerAccountId", text, (col) => col.notNull())
    .addColumn("refresh_token", text)
    .addColumn("access_token", text)
    .addColumn("expires_at", "bigint")
    .addColumn("token_type", text)
    .addColumn("scope", text)
    .addColumn("id_token", text)
    .addColumn("session_state", text)
    .addForeignKeyConstraint("Account_userId_fk", ["userId"], "User", ["id"], (cb) => cb.onDelete("cascade"))
    .execute();
  await db.schema
    .createTable("Session")
    .addColumn("userId", "varchar(36)", (col) => col.notNull())
    .addColumn("sessionToken", text, (col) => col.notNull().unique())
    .addColumn("expires", date, (col) => col.notNull())
    .addForeignKeyConstraint("Session_userId_fk", ["userId"], "User", ["id"], (cb) => cb.onDelete("cascade"))
    .execute();
  await db.schema
    .createTable("VerificationToken")
    .addColumn("identifier", text, (col) => col.notNull())
    .addColumn("token", text, (col) => col.notNull().unique())
    .addColumn("expires", date, (col) => col.notNull())
    .execute();
  await db.schema.createIndex("Account_userId_index").on("Account").column("userId").execute();
}

module.exports = {
  package: "@auth/kysely-adapter",
  drivers: ["kysely", "pg", "mysql2"],
  dialects: ["postgres", "mysql"],
  setups: {
    documented: {
      postgres: ({ opened }) => documentedMigration(opened.db, opened.sql),
    },
    repository: {
      mysql: ({ opened }) => repositoryMysqlTables(opened.db, opened.sql),
    },
  },
  defaultSetup: "documented",

  // node_modules/@auth/kysely-adapter/index.js: createUser stores `{...data, id:
  // crypto.randomUUID()}`, its own id over core's; lookups are `=` on the column (exact on
  // PostgreSQL's text, the database's collation on MariaDB); instants go through JS Dates
  // into timestamptz and DATETIME(3) (milliseconds).
  capabilities: {
    postgres: { user_id: "adapter", email_matching: "exact", timestamp_precision: "millisecond" },
    mysql: { user_id: "adapter", email_matching: "mysql_general_ci", timestamp_precision: "millisecond" },
  },

  // As its documentation's `new Kysely({ dialect })`; on MariaDB a mysql2 pool as its
  // repository's tests make it.
  async open({ url, schema, dialect }) {
    const { Kysely, PostgresDialect, MysqlDialect, sql } = require("kysely");
    const { KyselyAdapter } = await import("@auth/kysely-adapter");
    let kyselyDialect;
    if (dialect === "postgres") {
      const { Pool } = require("pg");
      kyselyDialect = new PostgresDialect({ pool: new Pool({ connectionString: url, options: `-c search_path=${schema}` }) });
    } else {
      const { createPool } = require("mysql2");
      kyselyDialect = new MysqlDialect({ pool: createPool({ uri: url, supportBigNumbers: true, bigNumberStrings: true }) });
    }
    const db = new Kysely({ dialect: kyselyDialect });
    return { adapter: KyselyAdapter(db), close: () => db.destroy(), db, sql };
  },

  // Kysely's "no result" (`executeTakeFirstOrThrow` of an UPDATE … RETURNING that matched no
  // row): the library's word for a row that is not there.
  // (Its class sets no `name`; the adapter's ESM copy of Kysely is not this file's CommonJS
  // one, so `instanceof` cannot tell either.)
  notFound: (err) => Boolean(err && err.constructor && err.constructor.name === "NoResultError"),

  stored: {
    postgres: {
      users: `SELECT id::text AS id, name, email, to_json("emailVerified") AS "emailVerified", image FROM "User" ORDER BY id`,
      accounts: `SELECT "userId"::text AS "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at::float8 AS expires_at, token_type, scope, id_token, session_state FROM "Account" ORDER BY provider, "providerAccountId", id`,
      sessions: `SELECT "sessionToken", "userId"::text AS "userId", to_json(expires) AS expires FROM "Session" ORDER BY "sessionToken", id`,
      verificationTokens: `SELECT identifier, token, to_json(expires) AS expires FROM "VerificationToken" ORDER BY identifier, token`,
    },
    mysql: {
      users: `SELECT id, name, email, ${iso("emailVerified")} AS emailVerified, image FROM User ORDER BY id`,
      accounts: `SELECT userId, type, provider, providerAccountId, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM Account ORDER BY provider, providerAccountId`,
      sessions: `SELECT sessionToken, userId, ${iso("expires")} AS expires FROM Session ORDER BY sessionToken`,
      verificationTokens: `SELECT identifier, token, ${iso("expires")} AS expires FROM VerificationToken ORDER BY identifier, token`,
    },
  },

  uniqueKeys: {
    "User(id)": "user_id",
    "User(email)": "user_email",
    "Account(provider,providerAccountId)": "account_provider",
    "Session(sessionToken)": "session_token",
    // Globally unique here, where the contract's key is (identifier, token): a duplicate
    // token under another identifier is refused as the same key.
    "VerificationToken(token)": "verification_identifier_token",
    // (MariaDB names only the index, and a UNIQUE column's index is named after the column:
    // the same keys.)
  },
  primaryKeys: { User: "id" },
};

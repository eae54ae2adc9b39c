// @auth/pg-adapter over a node-postgres Pool, on the tables its documentation gives
// (fixtures/ecosystem/pg-adapter/documented.postgres.sql; where it comes from:
// fixtures/ecosystem/provenance.json). The repository's packages/adapter-pg/schema.sql, which
// its own tests run, is the same DDL behind a psql `\set ON_ERROR_STOP true`: no second setup.
"use strict";

const path = require("path");

const SCHEMAS = path.join(__dirname, "..", "..", "..", "..", "fixtures", "ecosystem", "pg-adapter");

module.exports = {
  package: "@auth/pg-adapter",
  drivers: ["pg"],
  dialects: ["postgres"],
  setups: {
    documented: { postgres: path.join(SCHEMAS, "documented.postgres.sql") },
  },
  defaultSetup: "documented",

  // What the adapter's code does (node_modules/@auth/pg-adapter/index.js): createUser inserts
  // without the id core passes and returns the SERIAL one; lookups are `=` on PostgreSQL
  // text (exact); instants go through JS Dates into TIMESTAMPTZ (milliseconds).
  capabilities: { user_id: "adapter", email_matching: "exact", timestamp_precision: "millisecond" },

  // An adapter on a pool whose connections work in `schema`, as a user's `new Pool(…)`
  // with the schema on its search path would.
  async open({ url, schema }) {
    const { Pool } = require("pg");
    const { default: PostgresAdapter } = await import("@auth/pg-adapter");
    const pool = new Pool({ connectionString: url, options: `-c search_path=${schema}` });
    return { adapter: PostgresAdapter(pool), close: () => pool.end() };
  },

  // Every row, read around the adapter, in the contract's shape (ids as text, instants as
  // PostgreSQL's JSON text with microseconds).
  stored: {
    postgres: {
      users: `SELECT id::text AS id, name, email, to_json("emailVerified") AS "emailVerified", image FROM users ORDER BY id`,
      accounts: `SELECT "userId"::text AS "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at::float8 AS expires_at, token_type, scope, id_token, session_state FROM accounts ORDER BY id`,
      sessions: `SELECT "sessionToken", "userId"::text AS "userId", to_json(expires) AS expires FROM sessions ORDER BY id`,
      verificationTokens: `SELECT identifier, token, to_json(expires) AS expires FROM verification_token ORDER BY identifier, token`,
    },
  },

  // The contract's key of a duplicate: (table, columns) as PostgreSQL names them.
  uniqueKeys: {
    "users(id)": "user_id",
    "users(email)": "user_email",
    "accounts(provider,providerAccountId)": "account_provider",
    "sessions(sessionToken)": "session_token",
    "verification_token(identifier,token)": "verification_identifier_token",
  },
};

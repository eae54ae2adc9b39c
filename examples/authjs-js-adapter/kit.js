// How the conformance kit's Auth.js bridge (bridge/node/authjs/server.js --module) builds and
// reads the example adapter: the module an author writes for their own adapter.
//
//   node bridge/node/authjs/server.js --module examples/authjs-js-adapter/kit.js --url postgres://…
"use strict";

const path = require("path");
const { ExampleAdapter, UserNotFound } = require("./adapter");

module.exports = {
  // The name reports carry (with --module, the version is this field's).
  package: "example-authjs-js-adapter",
  version: "0.1.0",
  drivers: ["pg"],
  dialects: ["postgres"],
  // The tables, made in each fixture's fresh schema.
  setups: { documented: { postgres: path.join(__dirname, "schema.sql") } },
  defaultSetup: "documented",
  // What adapter.js does: core's id kept (a UUID of its own when core gives none), `=` on
  // text, JS Dates in timestamptz.
  capabilities: { user_id: "core", email_matching: "exact", timestamp_precision: "millisecond" },

  // `require` resolves from bridge/node/authjs, where pg is installed; an adapter with its
  // own node_modules would use its own.
  async open({ url, schema, require }) {
    const { Pool } = require("pg");
    const pool = new Pool({ connectionString: url, options: `-c search_path=${schema}` });
    return { adapter: ExampleAdapter(pool), close: () => pool.end() };
  },

  // The adapter's way of saying a row is not there.
  notFound: (err) => err instanceof UserNotFound,

  // Every row, read around the adapter.
  stored: {
    postgres: {
      users: `SELECT id, name, email, to_json("emailVerified") AS "emailVerified", image FROM users ORDER BY id`,
      accounts: `SELECT "userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at::float8 AS expires_at, token_type, scope, id_token, session_state FROM accounts ORDER BY provider, "providerAccountId"`,
      sessions: `SELECT "sessionToken", "userId", to_json(expires) AS expires FROM sessions ORDER BY "sessionToken"`,
      verificationTokens: `SELECT identifier, token, to_json(expires) AS expires FROM verification_tokens ORDER BY identifier, token`,
    },
  },

  // A duplicate's key, by the table and the columns PostgreSQL names.
  uniqueKeys: {
    "users(id)": "user_id",
    "users(email)": "user_email",
    "accounts(provider,providerAccountId)": "account_provider",
    "sessions(sessionToken)": "session_token",
    "verification_tokens(identifier,token)": "verification_identifier_token",
  },
};

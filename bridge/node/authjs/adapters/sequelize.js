// @auth/sequelize-adapter on Sequelize 6, on PostgreSQL (pg) and MariaDB (mariadb), on the
// tables its documentation has a user make: `SequelizeAdapter(sequelize)` then
// `sequelize.sync()` (authjs.dev/getting-started/adapters/sequelize, "Schema"), which creates
// the tables of the adapter's own models (node_modules/@auth/sequelize-adapter/models.js).
"use strict";

// Sequelize writes DATETIMEs in UTC (its default `timezone: "+00:00"`).
const { iso } = require("./sql-text");

module.exports = {
  package: "@auth/sequelize-adapter",
  drivers: ["sequelize", "pg", "mariadb"],
  dialects: ["postgres", "mysql"],
  setups: {
    documented: {
      postgres: ({ opened }) => opened.sequelize.sync(),
      mysql: ({ opened }) => opened.sequelize.sync(),
    },
  },
  defaultSetup: "documented",

  // What its code does: createUser is `User.create(user)`, core's id kept; lookups are
  // `where: {email}`: exact on PostgreSQL, the database's collation on MariaDB (the server's
  // default here, utf8mb4_general_ci); DataTypes.DATE is `timestamptz` (microseconds, a JS
  // Date's milliseconds) on PostgreSQL and `DATETIME` without a fraction (whole seconds) on
  // MariaDB.
  capabilities: {
    postgres: { user_id: "core", email_matching: "exact", timestamp_precision: "millisecond" },
    mysql: { user_id: "core", email_matching: "mysql_general_ci", timestamp_precision: "second" },
  },

  // As the documentation's `new Sequelize(process.env.DATABASE_URL)`, with the statement log
  // off (it would go to stdout) and, on PostgreSQL, the fixture's schema on the search path.
  async open({ url, schema, dialect }) {
    const { Sequelize } = require("sequelize");
    const { default: SequelizeAdapter } = await import("@auth/sequelize-adapter");
    const sequelize =
      dialect === "postgres"
        ? new Sequelize(url, { logging: false, dialectOptions: { options: `-c search_path=${schema}` } })
        : new Sequelize(url.replace(/^mysql:/, "mariadb:"), { logging: false });
    return { adapter: SequelizeAdapter(sequelize), close: () => sequelize.close(), sequelize };
  },

  stored: {
    postgres: {
      users: `SELECT id::text AS id, name, email, to_json(email_verified) AS "emailVerified", image FROM users ORDER BY id`,
      accounts: `SELECT user_id::text AS "userId", type, provider, provider_account_id AS "providerAccountId", refresh_token, access_token, expires_at::float8 AS expires_at, token_type, scope, id_token, session_state FROM accounts ORDER BY id`,
      sessions: `SELECT session_token AS "sessionToken", user_id::text AS "userId", to_json(expires) AS expires FROM sessions ORDER BY id`,
      verificationTokens: `SELECT identifier, token, to_json(expires) AS expires FROM verification_tokens ORDER BY token`,
    },
    mysql: {
      users: `SELECT id, name, email, ${iso("email_verified")} AS emailVerified, image FROM users ORDER BY id`,
      accounts: `SELECT user_id AS userId, type, provider, provider_account_id AS providerAccountId, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM accounts ORDER BY id`,
      sessions: `SELECT session_token AS sessionToken, user_id AS userId, ${iso("expires")} AS expires FROM sessions ORDER BY id`,
      verificationTokens: `SELECT identifier, token, ${iso("expires")} AS expires FROM verification_tokens ORDER BY token`,
    },
  },

  uniqueKeys: {
    "users(id)": "user_id",
    "users(email)": "user_email",
    "sessions(session_token)": "session_token",
    // MariaDB's duplicate-key error names the index, which Sequelize names after the model's
    // `unique: "sessionToken"`.
    "sessions(sessionToken)": "session_token",
    // The token alone is the primary key, where the contract's key is (identifier, token).
    "verification_tokens(token)": "verification_identifier_token",
  },
  primaryKeys: { users: "id", accounts: "id", sessions: "id", verification_tokens: "token" },
};

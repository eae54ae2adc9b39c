// @auth/mikro-orm-adapter over MikroORM 5, on PostgreSQL (@mikro-orm/postgresql) and MariaDB
// (@mikro-orm/mariadb), on the tables MikroORM's schema generator makes from the adapter's
// own entities (node_modules/@auth/mikro-orm-adapter/lib/entities.js): its documentation
// (authjs.dev/getting-started/adapters/mikro-orm) gives `MikroOrmAdapter(config)` and the
// entities, and leaves the tables to MikroORM, whose way is `orm.getSchemaGenerator()
// .createSchema()`.
"use strict";

require("reflect-metadata");
const { iso } = require("./sql-text");

// The MikroORM configuration of the documentation's `MikroOrmAdapter({ dbName, driver, … })`
// for the fixture's namespace: on PostgreSQL its schema, on MariaDB its database.
function config({ url, schema, dialect }) {
  const u = new URL(url);
  const driver =
    dialect === "postgres" ? require("@mikro-orm/postgresql").PostgreSqlDriver : require("@mikro-orm/mariadb").MariaDbDriver;
  return {
    driver,
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    dbName: dialect === "postgres" ? u.pathname.replace(/^\//, "") : schema,
    ...(dialect === "postgres" ? { schema } : {}),
    debug: false,
  };
}

// The schema generator's `createSchema()` on the adapter's default entities, with an ORM of
// its own (the adapter keeps its ORM to itself).
async function createSchema(options) {
  const { MikroORM } = require("@mikro-orm/core");
  const { defaultEntities } = await import("@auth/mikro-orm-adapter");
  const orm = await MikroORM.init({ ...config(options), entities: Object.values(defaultEntities) });
  try {
    await orm.getSchemaGenerator().createSchema();
  } finally {
    await orm.close();
  }
}

module.exports = {
  package: "@auth/mikro-orm-adapter",
  drivers: ["@mikro-orm/core", "@mikro-orm/postgresql", "@mikro-orm/mariadb"],
  dialects: ["postgres", "mysql"],
  setups: {
    "schema-generator": {
      postgres: ({ opened }) => createSchema(opened.options),
      mysql: ({ opened }) => createSchema(opened.options),
    },
  },
  defaultSetup: "schema-generator",

  // lib/entities.js: a User's id is `crypto.randomUUID()` until createUser assigns core's
  // (kept); lookups are `findOne({ email })`: exact on PostgreSQL, the database's collation
  // on MariaDB; instants are `types.datetime` without a length: `timestamptz(0)` and
  // `datetime`, whole seconds.
  capabilities: {
    postgres: { user_id: "core", email_matching: "exact", timestamp_precision: "second" },
    mysql: { user_id: "core", email_matching: "mysql_general_ci", timestamp_precision: "second" },
  },

  async open(options) {
    const { MikroOrmAdapter } = await import("@auth/mikro-orm-adapter");
    const adapter = MikroOrmAdapter(config(options));
    return { adapter, close: () => adapter.__disconnect(), options };
  },

  // updateUser, linkAccount, updateSession and unlinkAccount of a row nobody has: `throw new
  // Error("User not found")` (or Account, Session), the adapter's word for it.
  notFound: (err) => Boolean(err && /^(User|Account|Session) not found$/.test(err.message || "")),

  stored: {
    postgres: {
      users: `SELECT id, name, email, to_json(email_verified) AS "emailVerified", image FROM "user" ORDER BY id`,
      accounts: `SELECT user_id AS "userId", type, provider, provider_account_id AS "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM account ORDER BY provider, provider_account_id`,
      sessions: `SELECT session_token AS "sessionToken", user_id AS "userId", to_json(expires) AS expires FROM session ORDER BY session_token`,
      verificationTokens: `SELECT identifier, token, to_json(expires) AS expires FROM verification_token ORDER BY identifier, token`,
    },
    mysql: {
      users: `SELECT id, name, email, ${iso("email_verified")} AS emailVerified, image FROM user ORDER BY id`,
      accounts: `SELECT user_id AS userId, type, provider, provider_account_id AS providerAccountId, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM account ORDER BY provider, provider_account_id`,
      sessions: `SELECT session_token AS sessionToken, user_id AS userId, ${iso("expires")} AS expires FROM session ORDER BY session_token`,
      verificationTokens: `SELECT identifier, token, ${iso("expires")} AS expires FROM verification_token ORDER BY identifier, token`,
    },
  },

  uniqueKeys: {
    "user(id)": "user_id",
    "user(email)": "user_email",
    "account(provider,provider_account_id)": "account_provider",
    "session(session_token)": "session_token",
    "verification_token(token,identifier)": "verification_identifier_token",
    // The token alone is the primary key, where the contract's key is (identifier, token).
    "verification_token(token)": "verification_identifier_token",
    // MariaDB names only the index: the schema generator's names.
    "user(user_email_unique)": "user_email",
    "account(account_provider_provider_account_id_unique)": "account_provider",
    "session(session_session_token_unique)": "session_token",
    "verification_token(verification_token_token_identifier_unique)": "verification_identifier_token",
  },
  primaryKeys: { user: "id", account: "id", session: "id", verification_token: "token" },
};

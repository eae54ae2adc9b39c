// @auth/typeorm-adapter over TypeORM, on PostgreSQL (pg) and MariaDB (mysql2), on the
// tables it makes itself: its documentation's only step is `TypeORMAdapter(connection
// string)` (authjs.dev/getting-started/adapters/typeorm), and the adapter runs TypeORM's
// `synchronize()` of its entities (node_modules/@auth/typeorm-adapter/entities.js) before
// every call unless NODE_ENV is production. The bridge runs adapters as in production, so a
// fixture synchronises once, when it opens, the same call on the same entities.
"use strict";

const path = require("path");
const { pathToFileURL } = require("url");
const { converted } = require("./sql-text");

// The adapter keeps its DataSource in a module-level variable: one per module instance, so
// one per process in an application. Each fixture imports its own instance (a distinct
// module URL), so that each has its own DataSource on its own namespace.
const INDEX = pathToFileURL(path.join(__dirname, "..", "node_modules", "@auth", "typeorm-adapter", "index.js")).href;
let instances = 0;

// The entities write instants as the text of their epoch milliseconds in a varchar
// (`transformer.date`) and `expires_at` in a bigint: read back as ISO 8601 and numbers.
const instant = (v) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
const number = (v) => (v === null || v === undefined ? null : Number(v));

// The name TypeORM gives the unique index of `table(column)` on MariaDB.
function typeormIndex(table, column) {
  const { DefaultNamingStrategy } = require("typeorm");
  return new DefaultNamingStrategy().indexName(table, [column]);
}

function stored(q) {
  return {
    users: converted(`SELECT ${q("id")}, name, email, ${q("emailVerified")}, image FROM users ORDER BY ${q("id")}`, { emailVerified: instant }),
    accounts: converted(
      `SELECT ${q("userId")}, type, provider, ${q("providerAccountId")}, refresh_token, access_token, expires_at, token_type, scope, id_token, session_state FROM accounts ORDER BY provider, ${q("providerAccountId")}, id`,
      { expires_at: number },
    ),
    sessions: converted(`SELECT ${q("sessionToken")}, ${q("userId")}, expires FROM sessions ORDER BY ${q("sessionToken")}, id`, { expires: instant }),
    verificationTokens: converted(`SELECT identifier, token, expires FROM verification_tokens ORDER BY identifier, token, id`, { expires: instant }),
  };
}

module.exports = {
  package: "@auth/typeorm-adapter",
  drivers: ["typeorm", "pg", "mysql2"],
  dialects: ["postgres", "mysql"],
  setups: {
    synchronize: {
      postgres: ({ opened }) => opened.synchronize(),
      mysql: ({ opened }) => opened.synchronize(),
    },
  },
  defaultSetup: "synchronize",

  // index.js: createUser is `save(UserEntity, data)`, core's id kept (the uuid column's
  // generator only runs when no id is given); lookups are `findOne({ where: { email } })`,
  // exact on PostgreSQL, the database's collation on MariaDB; instants go through
  // `Date.valueOf()`: milliseconds.
  capabilities: {
    postgres: { user_id: "core", email_matching: "exact", timestamp_precision: "millisecond" },
    mysql: { user_id: "core", email_matching: "mysql_general_ci", timestamp_precision: "millisecond" },
  },

  // As its documentation's `TypeORMAdapter(connection string)`; on PostgreSQL the fixture's
  // schema goes in the string's `schema` parameter (the adapter turns every query parameter
  // into a DataSource option).
  async open({ url, schema, dialect }) {
    const instance = await import(`${INDEX}?instance=${++instances}`);
    const connection = dialect === "postgres" ? `${url}${url.includes("?") ? "&" : "?"}schema=${schema}` : url;
    const adapter = instance.TypeORMAdapter(connection);
    const manager = () => instance.getManager({ dataSource: connection, entities: instance.entities });
    return {
      adapter,
      // The adapter's own way to close its DataSource.
      close: () => adapter.__disconnect(),
      synchronize: async () => (await manager()).connection.synchronize(),
    };
  },

  stored: {
    postgres: stored((c) => `"${c}"`),
    mysql: stored((c) => c),
  },

  // Unique: the user's email and the session token; the ids are uuid primary keys of the
  // ORM's own (core's user id among them). PostgreSQL names the columns; MariaDB names the
  // index, which TypeORM names `IDX_` and a hash of table and columns.
  uniqueKeys: {
    "users(id)": "user_id",
    "users(email)": "user_email",
    "sessions(sessionToken)": "session_token",
    [`users(${typeormIndex("users", "email")})`]: "user_email",
    [`sessions(${typeormIndex("sessions", "sessionToken")})`]: "session_token",
  },
  primaryKeys: { users: "id" },
};

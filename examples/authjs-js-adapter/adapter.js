// An Auth.js (@auth/core) database adapter over node-postgres, as an application would write
// one: every method one statement, the keys left to the tables (schema.sql). The worked
// example of certifying your own adapter (docs/ecosystem.md, "Certify your own adapter").
"use strict";

const { randomUUID } = require("crypto");

const USER = `id, name, email, "emailVerified", image`;
const ACCOUNT = `"userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at::float8 AS expires_at, token_type, scope, id_token, session_state`;
const SESSION = `"sessionToken", "userId", expires`;

/** A user the caller named that no row has (Auth.js expects updateUser to fail then). */
class UserNotFound extends Error {
  constructor(id) {
    super(`no user ${JSON.stringify(id)}`);
    this.name = "UserNotFound";
  }
}

/** The adapter over `pool` (a pg Pool whose connections see the tables of schema.sql). */
function ExampleAdapter(pool) {
  const one = async (sql, params) => (await pool.query(sql, params)).rows[0] ?? null;
  return {
    async createUser(user) {
      return one(
        `INSERT INTO users (id, name, email, "emailVerified", image) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER}`,
        [user.id ?? randomUUID(), user.name ?? null, user.email ?? null, user.emailVerified ?? null, user.image ?? null],
      );
    },
    getUser: (id) => one(`SELECT ${USER} FROM users WHERE id = $1`, [id]),
    getUserByEmail: (email) => one(`SELECT ${USER} FROM users WHERE email = $1`, [email]),
    getUserByAccount: ({ provider, providerAccountId }) =>
      one(
        `SELECT u.id, u.name, u.email, u."emailVerified", u.image FROM users u
         JOIN accounts a ON a."userId" = u.id WHERE a.provider = $1 AND a."providerAccountId" = $2`,
        [provider, providerAccountId],
      ),
    async updateUser({ id, ...fields }) {
      // Only the fields given change: `undefined` keeps, `null` clears.
      const columns = ["name", "email", "emailVerified", "image"].filter((c) => fields[c] !== undefined);
      const user = columns.length
        ? await one(
            `UPDATE users SET ${columns.map((c, i) => `"${c}" = $${i + 2}`).join(", ")} WHERE id = $1 RETURNING ${USER}`,
            [id, ...columns.map((c) => fields[c])],
          )
        : await one(`SELECT ${USER} FROM users WHERE id = $1`, [id]);
      if (!user) throw new UserNotFound(id);
      return user;
    },
    async deleteUser(id) {
      await pool.query(`DELETE FROM users WHERE id = $1`, [id]);
    },
    linkAccount: (a) =>
      one(
        `INSERT INTO accounts ("userId", type, provider, "providerAccountId", refresh_token, access_token, expires_at, token_type, scope, id_token, session_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${ACCOUNT}`,
        [a.userId, a.type, a.provider, a.providerAccountId, a.refresh_token ?? null, a.access_token ?? null,
         a.expires_at ?? null, a.token_type ?? null, a.scope ?? null, a.id_token ?? null, a.session_state ?? null],
      ),
    async unlinkAccount({ provider, providerAccountId }) {
      await pool.query(`DELETE FROM accounts WHERE provider = $1 AND "providerAccountId" = $2`, [provider, providerAccountId]);
    },
    getAccount: (providerAccountId, provider) =>
      one(`SELECT ${ACCOUNT} FROM accounts WHERE provider = $1 AND "providerAccountId" = $2`, [provider, providerAccountId]),
    createSession: ({ sessionToken, userId, expires }) =>
      one(`INSERT INTO sessions ("sessionToken", "userId", expires) VALUES ($1, $2, $3) RETURNING ${SESSION}`, [sessionToken, userId, expires]),
    async getSessionAndUser(sessionToken) {
      const row = await one(
        `SELECT s."sessionToken", s."userId", s.expires, u.id, u.name, u.email, u."emailVerified", u.image
         FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1`,
        [sessionToken],
      );
      if (!row) return null;
      const { sessionToken: token, userId, expires, ...user } = row;
      return { session: { sessionToken: token, userId, expires }, user };
    },
    updateSession: ({ sessionToken, userId, expires }) =>
      one(
        `UPDATE sessions SET "userId" = COALESCE($2, "userId"), expires = COALESCE($3, expires) WHERE "sessionToken" = $1 RETURNING ${SESSION}`,
        [sessionToken, userId ?? null, expires ?? null],
      ),
    async deleteSession(sessionToken) {
      await pool.query(`DELETE FROM sessions WHERE "sessionToken" = $1`, [sessionToken]);
    },
    createVerificationToken: ({ identifier, token, expires }) =>
      one(`INSERT INTO verification_tokens (identifier, token, expires) VALUES ($1, $2, $3) RETURNING identifier, token, expires`, [identifier, token, expires]),
    // Single use: the row is gone in the statement that returns it.
    useVerificationToken: ({ identifier, token }) =>
      one(`DELETE FROM verification_tokens WHERE identifier = $1 AND token = $2 RETURNING identifier, token, expires`, [identifier, token]),
  };
}

module.exports = { ExampleAdapter, UserNotFound };

// Every row of the four v3 tables, read with the database driver directly (never through an
// adapter), in the `stored` reply's shape (docs/bridge-protocol.md): server.js answers
// `stored` with it, core/run.js checks the control adapter's rows with it.
"use strict";

// Instants as RFC 3339 text with microseconds, formatted by the server so that nothing is
// lost to a JS Date's milliseconds.
function ts(dialect, column) {
  if (dialect === "postgres") {
    return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${column}`;
  }
  return `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%fZ') AS ${column}`;
}

// `query(sql)` runs SQL in the namespace and resolves to its rows; `dialect` is `postgres` or
// `mysql`; `table(name)` is a table's name there (a prefix for renamed models).
async function readStored(query, dialect, table = (name) => name) {
  const t = (c) => ts(dialect, c);
  const users = await query(`SELECT id, name, email, ${t("email_verified")}, image, ${t("created_at")}, ${t("updated_at")} FROM ${table("users")} ORDER BY id`);
  const accounts = await query(
    `SELECT id, compound_id, user_id, provider_type, provider_id, provider_account_id, refresh_token, access_token, ${t("access_token_expires")}, ${t("created_at")}, ${t("updated_at")} FROM ${table("accounts")} ORDER BY id`,
  );
  const sessions = await query(`SELECT id, user_id, ${t("expires")}, session_token, access_token, ${t("created_at")}, ${t("updated_at")} FROM ${table("sessions")} ORDER BY id`);
  const verificationRequests = await query(
    `SELECT id, identifier, token, ${t("expires")}, ${t("created_at")}, ${t("updated_at")} FROM ${table("verification_requests")} ORDER BY id`,
  );
  return {
    users: users.map((r) => ({
      id: String(r.id),
      name: r.name,
      email: r.email,
      emailVerified: r.email_verified,
      image: r.image,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    accounts: accounts.map((r) => ({
      id: String(r.id),
      compoundId: r.compound_id,
      userId: String(r.user_id),
      providerType: r.provider_type,
      providerId: r.provider_id,
      providerAccountId: r.provider_account_id,
      refreshToken: r.refresh_token,
      accessToken: r.access_token,
      accessTokenExpires: r.access_token_expires,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    sessions: sessions.map((r) => ({
      id: String(r.id),
      userId: String(r.user_id),
      expires: r.expires,
      sessionToken: r.session_token,
      accessToken: r.access_token,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    verificationRequests: verificationRequests.map((r) => ({
      id: String(r.id),
      identifier: r.identifier,
      token: r.token,
      expires: r.expires,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
  };
}

module.exports = { readStored };

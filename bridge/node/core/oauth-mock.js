// A minimal OAuth 2 authorization server on 127.0.0.1 (a random port), in plain Node, for
// next-auth@3's OAuth flow: several providers on one server, each under its own path
// (`/mock-a/authorize`, `/mock-a/token`, `/mock-a/user`).
//
//   /<provider>/authorize  GET, the browser: redirects to `redirect_uri` with a fresh `code`
//                          and the `state` it was given (no login page: the user "signed in
//                          at the provider" is whoever the test configured with `signIn`).
//   /<provider>/token      POST, core: exchanges the code (once) for
//                          {access_token, refresh_token, token_type, expires_in}.
//   /<provider>/user       GET, core: `Authorization: Bearer <access_token>` gives the profile
//                          the test configured when that code was issued.
//
// Every request is logged; anything a real server would refuse (wrong client, secret or
// redirect_uri, a replayed code, an unknown token) is answered 400/401 AND recorded in
// `problems`, so that a scenario fails loudly instead of core quietly taking another path.
"use strict";

const http = require("http");
const querystring = require("querystring");
const { randomBytes } = require("crypto");

const CLIENT_SECRET = "mock-client-secret";

/**
 * Starts the server. `providerIds`: the providers it serves, e.g. ["mock-a", "mock-b"].
 * Resolves to the mock: { origin, provider(id) → next-auth v3 provider options,
 * signIn(id, profile), log, problems, reset(), close() }.
 */
async function startOAuthMock(providerIds) {
  const providers = new Map(providerIds.map((id) => [id, { id, clientId: `${id}-client`, user: null }]));
  const codes = new Map(); // code → {providerId, clientId, redirectUri, profile}
  const tokens = new Map(); // access token → {providerId, profile}
  const mock = { log: [], problems: [] };

  function refuse(res, status, error, detail) {
    mock.problems.push(`${detail} (${error})`);
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error, error_description: detail }));
  }

  function authorize(p, url, res) {
    const q = Object.fromEntries(url.searchParams);
    if (q.response_type !== "code") return refuse(res, 400, "unsupported_response_type", `${p.id}: response_type ${JSON.stringify(q.response_type)}`);
    if (q.client_id !== p.clientId) return refuse(res, 400, "invalid_client", `${p.id}: client_id ${JSON.stringify(q.client_id)}`);
    if (!q.redirect_uri) return refuse(res, 400, "invalid_request", `${p.id}: no redirect_uri`);
    if (!p.user) return refuse(res, 400, "access_denied", `${p.id}: nobody is signed in at the provider (the test did not call signIn)`);
    const code = randomBytes(12).toString("hex");
    // The profile as it is now: a later `signIn` (a rename at the provider) does not change
    // what this code gives.
    codes.set(code, { providerId: p.id, clientId: q.client_id, redirectUri: q.redirect_uri, profile: { ...p.user } });
    const back = new URL(q.redirect_uri);
    back.searchParams.set("code", code);
    if (q.state !== undefined) back.searchParams.set("state", q.state);
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  function token(p, body, res) {
    const f = querystring.parse(body);
    if (f.grant_type !== "authorization_code") return refuse(res, 400, "unsupported_grant_type", `${p.id}: grant_type ${JSON.stringify(f.grant_type)}`);
    if (f.client_id !== p.clientId || f.client_secret !== CLIENT_SECRET) return refuse(res, 401, "invalid_client", `${p.id}: bad client credentials`);
    const issued = codes.get(f.code);
    if (!issued || issued.providerId !== p.id) return refuse(res, 400, "invalid_grant", `${p.id}: unknown or used code`);
    codes.delete(f.code); // a code works once
    if (f.redirect_uri !== issued.redirectUri) return refuse(res, 400, "invalid_grant", `${p.id}: redirect_uri ${f.redirect_uri} is not ${issued.redirectUri}`);
    const accessToken = `${p.id}-at-${randomBytes(8).toString("hex")}`;
    const refreshToken = `${p.id}-rt-${randomBytes(8).toString("hex")}`;
    tokens.set(accessToken, { providerId: p.id, profile: issued.profile });
    mock.issued.push({ providerId: p.id, accessToken, refreshToken, profile: issued.profile });
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ access_token: accessToken, refresh_token: refreshToken, token_type: "bearer", expires_in: 3600 }));
  }

  function user(p, req, res) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization || "");
    const grant = m && tokens.get(m[1]);
    if (!grant || grant.providerId !== p.id) return refuse(res, 401, "invalid_token", `${p.id}: /user without a valid bearer token`);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(grant.profile));
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const [, providerId, endpoint] = url.pathname.split("/");
    mock.log.push(`${req.method} ${url.pathname}`);
    const p = providers.get(providerId);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (!p) return refuse(res, 404, "not_found", `no provider ${JSON.stringify(providerId)}`);
      if (endpoint === "authorize" && req.method === "GET") return authorize(p, url, res);
      if (endpoint === "token" && req.method === "POST") return token(p, body, res);
      if (endpoint === "user" && req.method === "GET") return user(p, req, res);
      return refuse(res, 404, "not_found", `${req.method} ${url.pathname}`);
    });
  });
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
  const origin = `http://127.0.0.1:${server.address().port}`;

  Object.assign(mock, {
    origin,
    issued: [],

    /** Who is signed in at provider `id`: the profile its /user will return. */
    signIn(id, profile) {
      const p = providers.get(id);
      if (!p) throw new Error(`the mock has no provider ${id}`);
      p.user = { ...profile };
    },

    /**
     * next-auth v3's options for a custom OAuth 2 provider pointing at this server (see
     * next-auth/dist/server/lib/oauth/client.js: the `oauth` package's OAuth2 client takes
     * the authorize path from `authorizationUrl`, core appends its own parameters to the
     * query string given there, and checks `state` on the way back).
     */
    provider(id, name) {
      const p = providers.get(id);
      if (!p) throw new Error(`the mock has no provider ${id}`);
      return {
        id,
        name: name || id,
        type: "oauth",
        version: "2.0",
        scope: "read:user user:email",
        params: { grant_type: "authorization_code" },
        accessTokenUrl: `${origin}/${id}/token`,
        authorizationUrl: `${origin}/${id}/authorize?response_type=code`,
        profileUrl: `${origin}/${id}/user`,
        profile(profile) {
          return { id: profile.id, name: profile.name, email: profile.email, image: profile.image };
        },
        clientId: p.clientId,
        clientSecret: CLIENT_SECRET,
      };
    },

    /** Forgets every user, code, token and log line (between scenarios). */
    reset() {
      for (const p of providers.values()) p.user = null;
      codes.clear();
      tokens.clear();
      mock.log.length = 0;
      mock.problems.length = 0;
      mock.issued.length = 0;
    },

    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  });
  return mock;
}

module.exports = { startOAuthMock, CLIENT_SECRET };

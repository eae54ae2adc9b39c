// The application: @auth/core's real handler, `Auth(request, config)` (Web Request in, Web
// Response out, as every Auth.js framework integration calls it), mounted at /api/auth/* on a
// plain `http` server on 127.0.0.1 (a random port), with
//   - an e-mail provider (type "email") whose sendVerificationRequest puts the link in an
//     outbox instead of mailing it (core's Nodemailer provider is this object plus a mailer:
//     node_modules/@auth/core/providers/nodemailer.js);
//   - an OAuth 2 provider "mock" at the local mock server of ../../core/oauth-mock.js (the
//     same server next-auth@3's lane uses), whose user the scenario chooses;
//   - `session: { strategy: "database" }` (core's default maxAge and updateAge; a scenario may
//     set others for its own duration, `app.withSession`), a fixed secret, `trustHost: true`.
// Every adapter call core makes is recorded in the record of the HTTP request it served
// (through an AsyncLocalStorage), with a one-word summary of its result.
"use strict";

const http = require("http");
const { AsyncLocalStorage } = require("async_hooks");
const { performance } = require("perf_hooks");
const { CLIENT_SECRET } = require("../../core/oauth-mock");

const SECRET = "authjs-real-core-lane-secret-0123456789";
const BASE_PATH = "/api/auth";
const SESSION_COOKIE = "authjs.session-token";

// @auth/core's Adapter methods, in its order.
const METHODS = require("../methods");

const inRequest = new AsyncLocalStorage();

// What a call returned, in a word: null, a user id, "token", "session", "ok".
function summary(method, result) {
  if (result === null || result === undefined) return null;
  if (method === "useVerificationToken" || method === "createVerificationToken") return "token";
  if (method === "getSessionAndUser") return `session of ${result.user && result.user.id}`;
  if (result && typeof result === "object" && "id" in result && /User/.test(method)) return `user ${result.id}`;
  return "ok";
}

// The adapter as core sees it, every call recorded in the current request's record.
function recordingAdapter(adapter, orphans) {
  const out = {};
  for (const method of METHODS) {
    if (typeof adapter[method] !== "function") continue;
    out[method] = async (...args) => {
      const rec = inRequest.getStore();
      // `at` and `done`: when the call started and returned (performance.now(), ms), for a
      // race scenario to tell how two requests' calls interleaved.
      const entry = { method, at: performance.now() };
      (rec ? rec.calls : orphans).push(entry);
      try {
        const result = await adapter[method](...args);
        entry.result = summary(method, result);
        return result;
      } catch (e) {
        entry.error = (e && e.message) || String(e);
        throw e;
      } finally {
        entry.done = performance.now();
      }
    };
  }
  return out;
}

// The e-mail provider: what `Nodemailer({ server, from })` gives core, with the mailing
// replaced by the outbox.
function emailProvider(outbox) {
  return {
    id: "email",
    type: "email",
    name: "Email",
    from: "Auth.js <no-reply@example.com>",
    maxAge: 24 * 60 * 60,
    async sendVerificationRequest({ identifier, url, token, expires }) {
      outbox.push({ identifier, url, token, expires });
    },
  };
}

// A plain OAuth 2 provider (no OIDC) at the mock: authorization, token and userinfo
// endpoints given, the client's secret in the token request's body (the mock reads it there),
// PKCE and state checked by core.
function mockProvider(origin, id = "mock") {
  return {
    id,
    name: "Mock",
    type: "oauth",
    authorization: { url: `${origin}/${id}/authorize`, params: { scope: "read:user user:email" } },
    token: `${origin}/${id}/token`,
    userinfo: `${origin}/${id}/user`,
    clientId: `${id}-client`,
    clientSecret: CLIENT_SECRET,
    client: { token_endpoint_auth_method: "client_secret_post" },
    checks: ["pkce", "state"],
    profile(p) {
      return { id: p.id, name: p.name, email: p.email, image: p.image || null };
    },
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts the app around `adapter` (an @auth/core adapter). `mockOrigin`: the OAuth mock's.
 * Resolves to {baseUrl, api, outbox, requests, orphans, problems, close()}: `requests` gets one
 * record {request, status, location, calls} per HTTP request served, `problems` what core
 * logged as an error.
 */
async function startApp({ adapter, mockOrigin, log }) {
  const { Auth } = await import("@auth/core");
  const app = { outbox: [], requests: [], orphans: [], problems: [] };
  const config = {
    basePath: BASE_PATH,
    secret: SECRET,
    trustHost: true,
    session: { strategy: "database" },
    adapter: recordingAdapter(adapter, app.orphans),
    providers: [emailProvider(app.outbox), mockProvider(mockOrigin)],
    logger: {
      error(e) {
        const rec = inRequest.getStore();
        // An AuthError's type (Verification, OAuthCallbackError, …), and the adapter's or
        // driver's error it wraps, if any.
        const cause = e && e.cause && e.cause.err instanceof Error ? ` (cause: ${e.cause.err.message})` : "";
        const line = `${(e && (e.type || e.name)) || "Error"}: ${(e && e.message) || String(e)}${cause}`.split("\n")[0];
        if (rec) rec.logged.push(line);
        app.problems.push(line);
        log(`    core logged ${line}`);
      },
      warn(code) {
        log(`    core warned ${code}`);
      },
      debug() {},
    },
  };

  const server = http.createServer(async (req, res) => {
    const rec = { request: `${req.method} ${req.url.split("?")[0]}`, status: null, location: null, calls: [], logged: [] };
    app.requests.push(rec);
    try {
      const body = await readBody(req);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      const request = new Request(`${app.baseUrl}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const response = await inRequest.run(rec, () => Auth(request, config));
      rec.status = response.status;
      rec.location = response.headers.get("location");
      const out = {};
      for (const [name, value] of response.headers) if (name !== "set-cookie") out[name] = value;
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      const payload = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, out);
      res.end(payload);
    } catch (e) {
      rec.status = 500;
      rec.logged.push(`the app threw: ${e.message}`);
      app.problems.push(`the app threw: ${e.message}`);
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(e && e.stack));
    }
  });
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
  // Core reads `config.session` afresh on every request (lib/init.js): a scenario that needs
  // other session options (updateAge 0: every read extends the session) sets them for its
  // own duration, and the app's defaults come back after it.
  app.withSession = async (overrides, fn) => {
    const saved = config.session;
    config.session = { ...saved, ...overrides };
    try {
      return await fn();
    } finally {
      config.session = saved;
    }
  };
  app.baseUrl = `http://127.0.0.1:${server.address().port}`;
  app.api = `${app.baseUrl}${BASE_PATH}`;
  app.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return app;
}

module.exports = { startApp, SECRET, BASE_PATH, SESSION_COOKIE };

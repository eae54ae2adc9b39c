#!/usr/bin/env node
// Drives next-auth@3's REAL core (`NextAuth(req, res, options)`, the v3 API-route handler)
// end to end over HTTP on 127.0.0.1, as a user's browser would, against a database adapter;
// records every adapter call core makes, grouped by the HTTP request it served, and checks
// the HTTP results next-auth documents and the rows stored.
//
//   node bridge/node/core/run.js --control postgres://postgres:postgres@127.0.0.1:5432/postgres
//   node bridge/node/core/run.js --control mysql://root@127.0.0.1:3306/test --scenario email.new-user
//   node bridge/node/core/run.js --serve "nextauth-certify serve --url postgres://…"
//   node bridge/node/core/run.js --serve "node bridge/node/server.js --adapter next-auth --tables synchronize --url …"
//
// --control <db url>: next-auth's own default adapter (TypeORM,
//   `require('next-auth/adapters').default.Default(url)` with `?synchronize=true`) in a fresh
//   PostgreSQL schema / MariaDB database `nx_core_<hex>` per scenario, created and dropped here.
// --serve "<command>": the adapter a child serves over the bridge's line protocol
//   (client.js; docs/bridge-protocol.md), one fixture per scenario.
//
// Output: one JSON line per scenario on stdout,
//   {"scenario", "ok", "failures": [...], "requests": [{"request", "status", "calls": [...]}]}
// logs on stderr; exit status 0 iff every scenario is ok (and every namespace was dropped).
//
// Extra scenarios (EXTRA_SCENARIOS; run only when named: --scenario session.read-during-sign-out)
// are not flow rules: their line adds {"effect": "shown"|"absent", "detail", "rounds"}.
//
// Each scenario mirrors the Rust flow rule `flow.<scenario>` (harness/src/catalogue/flows.rs)
// step for step. Which adapter calls core made is reported, not judged, here: the one model of
// core's calls is the Rust one (harness/src/v3core.rs), and certify/tests/real_core.rs holds
// core's calls in each scenario to the calls of its flow rule.
"use strict";

// The fake clock first: nothing that reads the time may load before it.
const clock = require("./clock");

const path = require("path");
const { createHash } = require("crypto");
const { startOAuthMock } = require("./oauth-mock");
const { startApp, recordingAdapter, recordingLogger } = require("./app");
const { Browser } = require("./browser");
const db = require("./db");
const { connect, redact } = require("./client");

const SECRET = "nextauth-core-scenarios-secret";
const MAX_AGE = 30 * 24 * 3600; // seconds
const UPDATE_AGE = 24 * 3600; // seconds
const EMAIL_MAX_AGE = 24 * 3600; // the Email provider's default maxAge, seconds
const SCENARIO_TIMEOUT_MS = 120000;
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SESSION_COOKIE = "next-auth.session-token";
const CSRF_COOKIE = "next-auth.csrf-token";
const CALLBACK_COOKIE = "next-auth.callback-url";

function log(line) {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------------------

const USAGE = 'usage: node bridge/node/core/run.js (--serve "<command line>" | --control <database url>) [--scenario NAME]...';

function parseArgs(argv) {
  const out = { serve: null, control: null, scenarios: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--serve") out.serve = value();
    else if (a === "--control") out.control = value();
    else if (a === "--scenario") out.scenarios.push(value());
    else if (a === "--help" || a === "-h") out.help = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (!out.help && !out.serve === !out.control) throw new Error("give exactly one of --serve and --control");
  return out;
}

// ---------------------------------------------------------------------------------------
// Small helpers: instants, equality.
// ---------------------------------------------------------------------------------------

// An RFC 3339 instant (any fraction, Z or offset) → microseconds since the epoch; null → null.
function micros(s) {
  if (s === null || s === undefined) return null;
  if (s instanceof clock.RealDate || (typeof s === "object" && typeof s.getTime === "function")) return s.getTime() * 1000;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(String(s));
  if (!m) return NaN;
  const zone = !m[4] || m[4] === "Z" ? "Z" : m[4].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const seconds = clock.RealDate.parse(`${m[1]}T${m[2]}${zone}`);
  return seconds * 1000 + Number((m[3] || "").padEnd(6, "0").slice(0, 6));
}

const iso = (ms) => new clock.RealDate(ms).toISOString();

// Deep equality through a canonical JSON form (keys sorted).
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const show = (v) => JSON.stringify(v);

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

// ---------------------------------------------------------------------------------------
// A scenario's context: the checks' failures, the HTTP requests (with their adapter
// calls), the captured e-mails, and the adapter fixture.
// ---------------------------------------------------------------------------------------

// Thrown to end a scenario when a step's result leaves nothing sensible to continue with.
class Stop extends Error {}

class Scenario {
  constructor(name, env) {
    this.name = name;
    this.env = env; // {app, mock, target}
    this.failures = [];
    this.requests = []; // the app's request records, in order
    this.problems = []; // the app's own failures
    this.orphans = []; // adapter calls / logs made outside any HTTP request
    this.outbox = []; // what the Email provider's sendVerificationRequest received
    this.base = env.app.baseUrl;
    this.api = `${this.base}/api/auth`;
    this.callbackUrl = `${this.base}/dashboard`;
    // The session's updateAge (seconds): the flow scenarios' one, unless the scenario sets
    // its own (an extra scenario's `updateAge`).
    this.updateAge = UPDATE_AGE;
    // When set (an array), every adapter call is also timed here, {method, at, done}
    // (performance.now(), ms), for a race scenario to tell how two requests' calls fell.
    this.timings = null;
  }

  fail(message) {
    this.failures.push(message);
    log(`  FAIL ${message}`);
  }

  check(condition, message) {
    if (!condition) this.fail(message);
    return Boolean(condition);
  }

  expectEq(actual, expected, what) {
    return this.check(same(actual, expected), `${what}: expected ${show(expected)}, got ${show(actual)}`);
  }

  // A stored instant equals `expectedMs` (exactly: the fake clock stands still, so every
  // instant a scenario sees is a whole second).
  expectInstant(actual, expectedMs, what) {
    return this.check(micros(actual) === expectedMs * 1000, `${what}: expected ${iso(expectedMs)}, got ${show(actual)}`);
  }

  // next-auth's options for this scenario (as a user's [...nextauth].js would write them).
  options(adapter) {
    const Providers = require("next-auth/providers").default;
    const { mock } = this.env;
    return {
      secret: SECRET,
      session: { jwt: false, maxAge: MAX_AGE, updateAge: this.updateAge },
      providers: [
        Providers.Email({
          // Never used: sendVerificationRequest below replaces the one that mails, and
          // nodemailer's createTransport is disarmed (see guardMail).
          server: "smtp://127.0.0.1:9",
          from: "NextAuth <no-reply@example.com>",
          sendVerificationRequest: async ({ identifier, url, token, baseUrl, provider }) => {
            this.outbox.push({ identifier, url, token, baseUrl, providerId: provider && provider.id });
          },
        }),
        mock.provider("mock-a", "Mock A"),
        mock.provider("mock-b", "Mock B"),
      ],
      adapter: this.timings ? timedAdapter(adapter, this.timings) : adapter,
      logger: recordingLogger({ orphans: this.orphans, log }),
    };
  }

  /**
   * One request of `browser` to the app: exactly one request record must result (the one
   * core served). Resolves to {r: response, rec: its record}.
   */
  async step(browser, method, url, form) {
    const before = this.requests.length;
    const r = await browser.request(method, url, { form });
    const added = this.requests.slice(before);
    const label = `${method} ${new URL(url).pathname}`;
    if (added.length !== 1) {
      this.fail(`${label}: expected the app to serve one request, it served ${added.length}`);
      throw new Stop(label);
    }
    log(`  ${browser.label}: ${label} → ${r.status}${r.location ? ` ${r.location}` : ""}`);
    return { r, rec: added[0] };
  }

  // The recorded arguments of the i-th call of `rec`.
  argsOf(rec, method, nth = 0) {
    const calls = rec.calls.filter((c) => c.method === method);
    return calls[nth] ? calls[nth].args : undefined;
  }

  expectRedirect(r, url, what) {
    this.check(r.status === 302, `${what}: expected a 302 redirect, got ${r.status}`);
    return this.check(r.location === url, `${what}: expected a redirect to ${url}, got ${show(r.location)}`);
  }

  async stored() {
    return this.env.target.stored(this);
  }

  expectCounts(rows, counts, when) {
    for (const [table, n] of Object.entries(counts)) {
      this.check(rows[table].length === n, `${when}: expected ${n} ${table} row(s), found ${rows[table].length}: ${show(rows[table])}`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Browser steps: what a user does, and what next-auth documents for each step.
// ---------------------------------------------------------------------------------------

// GET /api/auth/csrf: the token (and its cookie, `token|sha256(token+secret)`).
async function fetchCsrf(s, b) {
  const { r, rec } = await s.step(b, "GET", `${s.api}/csrf`);
  s.check(r.status === 200, `GET /api/auth/csrf: status ${r.status}`);
  const token = r.json && r.json.csrfToken;
  if (!s.check(typeof token === "string" && /^[0-9a-f]{64}$/.test(token), `GET /api/auth/csrf: no csrfToken in ${show(r.text)}`)) throw new Stop("csrf");
  // Cookie values travel URI-encoded (next-auth's cookie.set): `token%7Chash`.
  const cookie = decodeURIComponent(b.cookie(s.base, CSRF_COOKIE) || "");
  s.expectEq(cookie, `${token}|${sha256(`${token}${SECRET}`)}`, "the csrf cookie");
  return token;
}

// The session cookie the response set is the session row's token, expiring with it.
function expectSessionCookie(s, b, r, session, what) {
  const set = r.setCookie.filter((c) => c.name === SESSION_COOKIE);
  if (!s.check(set.length === 1, `${what}: expected one ${SESSION_COOKIE} Set-Cookie, got ${show(r.setCookie)}`)) return;
  const c = set[0];
  s.expectEq(c.value, session.sessionToken, `${what}: the session cookie's value (the session row's token)`);
  s.check(c.httpOnly && c.path === "/" && /^lax$/i.test(c.sameSite || ""), `${what}: the session cookie is not HttpOnly; Path=/; SameSite=Lax: ${show(c)}`);
  // Expires is an HTTP date: whole seconds.
  s.check(
    c.expires === Math.floor(micros(session.expires) / 1e6) * 1000,
    `${what}: the session cookie expires ${c.expires === null ? "never" : iso(c.expires)}, the session at ${session.expires}`,
  );
  s.expectEq(b.cookie(s.base, SESSION_COOKIE), session.sessionToken, `${what}: the browser's session cookie`);
}

function expectCookieCleared(s, b, r, what) {
  const set = r.setCookie.filter((c) => c.name === SESSION_COOKIE);
  s.check(set.length === 1 && set[0].value === "" && set[0].maxAge === 0, `${what}: expected the session cookie cleared (Max-Age=0), got ${show(set)}`);
  s.check(b.cookie(s.base, SESSION_COOKIE) === undefined, `${what}: the browser still holds a session cookie`);
}

// POST /api/auth/signin/email, as the sign-in page's form (plus callbackUrl, as the
// next-auth client's signIn sends it): the message the provider "sent".
async function requestEmailLink(s, b, address) {
  const csrfToken = await fetchCsrf(s, b);
  const sentBefore = s.outbox.length;
  const { r, rec } = await s.step(b, "POST", `${s.api}/signin/email`, { csrfToken, email: address, callbackUrl: s.callbackUrl });
  s.expectRedirect(r, `${s.api}/verify-request?provider=email&type=email`, "POST /api/auth/signin/email");
  const lower = address.toLowerCase();
  s.expectEq(s.argsOf(rec, "getUserByEmail"), [lower], "getUserByEmail's argument (core lowercases the address)");
  const sent = s.outbox.slice(sentBefore);
  if (!s.check(sent.length === 1, `POST /api/auth/signin/email: expected one e-mail sent, got ${show(sent)}`)) throw new Stop("no link");
  const m = sent[0];
  s.expectEq(m.identifier, lower, "the address the link was sent to");
  s.check(/^[0-9a-f]{64}$/.test(m.token || ""), `the e-mailed token is not 64 hex: ${show(m.token)}`);
  s.expectEq(m.url, `${s.api}/callback/email?email=${encodeURIComponent(lower)}&token=${m.token}`, "the e-mailed link");
  s.expectEq(m.baseUrl, s.base, "the e-mail's baseUrl");
  s.expectEq(m.providerId, "email", "the e-mail's provider");
  return m;
}

// Signs in at the mock provider with whoever `mock.signIn` put there: POST
// /api/auth/signin/<id> → the provider's /authorize → back to /api/auth/callback/<id>.
// Resolves to the callback's {r, rec, issued} (the tokens the provider issued).
async function oauthSignIn(s, b, providerId) {
  const { mock } = s.env;
  const csrfToken = await fetchCsrf(s, b);
  const { r: toProvider, rec: signin } = await s.step(b, "POST", `${s.api}/signin/${providerId}`, { csrfToken, callbackUrl: s.callbackUrl });
  if (!s.check(toProvider.status === 302 && toProvider.location, `POST /api/auth/signin/${providerId}: expected a redirect to the provider, got ${toProvider.status}`)) throw new Stop("no authorize");
  const authorize = new URL(toProvider.locationUrl);
  s.expectEq(`${authorize.origin}${authorize.pathname}`, `${mock.origin}/${providerId}/authorize`, "the authorization URL");
  const q = Object.fromEntries(authorize.searchParams);
  s.expectEq(q.redirect_uri, `${s.api}/callback/${providerId}`, "the authorization URL's redirect_uri");
  s.expectEq(q.state, sha256(csrfToken), "the authorization URL's state (sha256 of the csrf token)");
  s.expectEq(q.response_type, "code", "the authorization URL's response_type");

  const back = await b.get(toProvider.locationUrl); // the provider, not the app
  log(`  ${b.label}: GET ${authorize.pathname} (provider) → ${back.status} ${back.location || ""}`);
  if (!s.check(back.status === 302 && back.location, `the provider's /authorize answered ${back.status}: ${back.text}`)) throw new Stop("provider refused");
  const issuedBefore = mock.issued.length;
  const { r, rec } = await s.step(b, "GET", back.locationUrl);
  const issued = mock.issued.slice(issuedBefore);
  s.check(issued.length === 1, `GET /api/auth/callback/${providerId}: core exchanged ${issued.length} codes for tokens, expected 1`);
  return { r, rec, issued: issued[0] };
}

// GET /api/auth/session.
async function readSession(s, b) {
  return s.step(b, "GET", `${s.api}/session`);
}

// ---------------------------------------------------------------------------------------
// Profiles at the mock providers.
// ---------------------------------------------------------------------------------------

const OCTO = { id: "583231", name: "Octo Cat", email: "Octo@Example.com", image: "https://avatars.example.com/u/583231" };
const OCTO_ELSEWHERE = { id: "g-77", name: "Octo Elsewhere", email: "other-address@example.com", image: "https://b.example.com/g-77.png" };
const NO_EMAIL = { id: "1", name: "Octo Cat", email: null, image: "https://avatars.example.com/u/1" };


// A first OAuth sign-in of `profile` at `providerId` in browser `b`, checked: resolves to
// {user, account, session} rows.
async function firstOAuthSignIn(s, b, providerId, profile) {
  s.env.mock.signIn(providerId, profile);
  const { r, rec, issued } = await oauthSignIn(s, b, providerId);
  s.expectRedirect(r, s.callbackUrl, `GET /api/auth/callback/${providerId}`);
  const email = profile.email ? profile.email.toLowerCase() : null;
  if (email) s.expectEq(s.argsOf(rec, "getUserByEmail"), [email], "getUserByEmail's argument (core lowercases the profile's e-mail)");
  const rows = await s.stored();
  s.expectCounts(rows, { users: 1, accounts: 1, sessions: 1 }, "after the first sign-in");
  const [user] = rows.users;
  const [account] = rows.accounts;
  const [session] = rows.sessions;
  if (!user || !account || !session) throw new Stop("rows missing");
  s.expectEq(
    { name: user.name, email: user.email, image: user.image, emailVerified: user.emailVerified },
    { name: profile.name, email, image: profile.image, emailVerified: null },
    "the stored user (the provider's profile, e-mail lowercased, not verified)",
  );
  s.expectEq(
    {
      userId: account.userId,
      providerId: account.providerId,
      providerType: account.providerType,
      providerAccountId: account.providerAccountId,
      compoundId: account.compoundId,
      accessToken: account.accessToken,
      refreshToken: account.refreshToken,
      accessTokenExpires: account.accessTokenExpires,
    },
    {
      userId: user.id,
      providerId,
      providerType: "oauth",
      providerAccountId: profile.id,
      compoundId: sha256(`${providerId}:${profile.id}`),
      accessToken: issued && issued.accessToken,
      refreshToken: issued && issued.refreshToken,
      accessTokenExpires: null,
    },
    "the stored account",
  );
  s.expectEq(session.userId, user.id, "the session's user");
  s.expectInstant(session.expires, clock.now() + MAX_AGE * 1000, "the session's expiry (now + maxAge)");
  expectSessionCookie(s, b, r, session, `GET /api/auth/callback/${providerId}`);
  return { user, account, session };
}

// ---------------------------------------------------------------------------------------
// The scenarios (harness/src/catalogue/flows.rs, rule `flow.<name>`).
// ---------------------------------------------------------------------------------------


// email.new-user, and the first half of email.link-used-twice.
async function emailNewUser(s) {
  const b = new Browser("browser");
  const m = await requestEmailLink(s, b, "New.Person@Example.com");
  let rows = await s.stored();
  s.expectCounts(rows, { users: 0, verificationRequests: 1 }, "after the sign-in request");
  const [vr] = rows.verificationRequests;
  if (vr) {
    s.expectEq(vr.identifier, "new.person@example.com", "the verification request's identifier");
    s.expectEq(vr.token, sha256(`${m.token}${SECRET}`), "the stored token (sha256 of token + secret, never the raw token)");
    s.expectInstant(vr.expires, clock.now() + EMAIL_MAX_AGE * 1000, "the verification request's expiry (now + the provider's maxAge)");
  }

  clock.advance(3 * MINUTE);
  const { r, rec } = await s.step(b, "GET", m.url);
  s.expectRedirect(r, s.callbackUrl, "GET the e-mailed link");
  rows = await s.stored();
  s.expectCounts(rows, { users: 1, accounts: 0, sessions: 1, verificationRequests: 0 }, "after the link");
  const [user] = rows.users;
  const [session] = rows.sessions;
  if (!user || !session) throw new Stop("rows missing");
  s.expectEq({ name: user.name, email: user.email, image: user.image }, { name: null, email: "new.person@example.com", image: null }, "the new user");
  s.expectInstant(user.emailVerified, clock.now(), "the new user's emailVerified (now)");
  s.expectEq(session.userId, user.id, "the session's user");
  s.expectInstant(session.expires, clock.now() + MAX_AGE * 1000, "the session's expiry (now + maxAge)");
  expectSessionCookie(s, b, r, session, "GET the e-mailed link");
  return { b, m, session };
}

const SCENARIOS = {
  async "email.new-user"(s) {
    await emailNewUser(s);
  },

  async "email.link-used-twice"(s) {
    const { b, m, session } = await emailNewUser(s);
    const { r, rec } = await s.step(b, "GET", m.url);
    s.expectRedirect(r, `${s.api}/error?error=Verification`, "GET the link a second time");
    s.check(!r.setCookie.some((c) => c.name === SESSION_COOKIE), `the second click touched the session cookie: ${show(r.setCookie)}`);
    // The error page the browser lands on.
    const { r: page, rec: pageRec } = await s.step(b, "GET", r.locationUrl);
    s.check(page.status === 403 && /no longer valid/.test(page.text), `the Verification error page: ${page.status} ${page.text.slice(0, 200)}`);
    const rows = await s.stored();
    s.expectCounts(rows, { users: 1, sessions: 1, verificationRequests: 0 }, "after the second click");
    s.expectEq(rows.sessions[0] && rows.sessions[0].sessionToken, session.sessionToken, "the one session");
  },

  async "oauth.first-sign-in"(s) {
    await firstOAuthSignIn(s, new Browser("browser"), "mock-a", OCTO);
  },

  async "oauth.returning-user"(s) {
    const first = await firstOAuthSignIn(s, new Browser("browser"), "mock-a", OCTO);
    const before = await s.stored();
    clock.advance(3 * DAY);
    // Renamed at the provider; the user comes back on another device (no session cookie).
    s.env.mock.signIn("mock-a", { ...OCTO, name: "Renamed at the Provider" });
    const b2 = new Browser("second device");
    const { r, rec } = await oauthSignIn(s, b2, "mock-a");
    s.expectRedirect(r, s.callbackUrl, "GET /api/auth/callback/mock-a (returning)");
    const after = await s.stored();
    s.expectEq(after.users, before.users, "users (v3 does not re-sync the profile)");
    s.expectEq(after.accounts, before.accounts, "accounts (v3 does not refresh tokens)");
    s.expectCounts(after, { sessions: 2 }, "after the returning sign-in");
    const fresh = after.sessions.find((x) => x.sessionToken !== first.session.sessionToken);
    if (!fresh) throw new Stop("no second session");
    s.expectEq(fresh.userId, first.user.id, "the second session's user");
    s.expectInstant(fresh.expires, clock.now() + MAX_AGE * 1000, "the second session's expiry");
    expectSessionCookie(s, b2, r, fresh, "GET /api/auth/callback/mock-a (returning)");
  },

  async "oauth.link-while-signed-in"(s) {
    const b = new Browser("browser");
    const first = await firstOAuthSignIn(s, b, "mock-a", OCTO);
    s.env.mock.signIn("mock-b", OCTO_ELSEWHERE);
    const { r, rec, issued } = await oauthSignIn(s, b, "mock-b");
    s.expectRedirect(r, s.callbackUrl, "GET /api/auth/callback/mock-b (signed in)");
    s.expectEq(s.argsOf(rec, "getSession"), [first.session.sessionToken], "getSession's argument (the cookie)");
    const rows = await s.stored();
    s.expectCounts(rows, { users: 1, accounts: 2, sessions: 1 }, "after linking");
    const linked = rows.accounts.find((a) => a.providerId === "mock-b");
    if (!linked) throw new Stop("no mock-b account");
    s.expectEq(
      { userId: linked.userId, providerAccountId: linked.providerAccountId, accessToken: linked.accessToken, refreshToken: linked.refreshToken },
      { userId: first.user.id, providerAccountId: OCTO_ELSEWHERE.id, accessToken: issued && issued.accessToken, refreshToken: issued && issued.refreshToken },
      "the linked account",
    );
    // Core sets the cookie again, with the session it read.
    expectSessionCookie(s, b, r, rows.sessions[0], "GET /api/auth/callback/mock-b (signed in)");
  },

  async "session.read-rolls-expiry"(s) {
    const b = new Browser("browser");
    const { user, session } = await firstOAuthSignIn(s, b, "mock-a", OCTO);
    let extendedAt = clock.now();
    for (const hours of [6, 12, 25, 30, 49, 50, 75]) {
      clock.set(clock.START + hours * HOUR);
      const { r, rec } = await readSession(s, b);
      // The adapter extends only when more than updateAge has passed since the last time.
      if (clock.now() > extendedAt + UPDATE_AGE * 1000) extendedAt = clock.now();
      const expected = extendedAt + MAX_AGE * 1000;
      const rows = await s.stored();
      const row = rows.sessions.find((x) => x.sessionToken === session.sessionToken);
      if (!s.check(row, `+${hours}h: the session row is gone`)) throw new Stop("session gone");
      s.expectInstant(row.expires, expected, `+${hours}h: the stored expiry`);
      s.check(r.status === 200, `+${hours}h: GET /api/auth/session answered ${r.status}`);
      s.expectEq(
        r.json,
        { user: { name: user.name, email: user.email, image: user.image }, accessToken: row.accessToken, expires: iso(expected) },
        `+${hours}h: the session JSON`,
      );
      expectSessionCookie(s, b, r, row, `+${hours}h: GET /api/auth/session`);
    }
  },

  async "signout.with-cookie"(s) {
    const b = new Browser("browser");
    const { session } = await firstOAuthSignIn(s, b, "mock-a", NO_EMAIL);
    const csrfToken = await fetchCsrf(s, b);
    const { r, rec } = await s.step(b, "POST", `${s.api}/signout`, { csrfToken });
    s.expectRedirect(r, s.callbackUrl, "POST /api/auth/signout");
    s.expectEq(s.argsOf(rec, "deleteSession"), [session.sessionToken], "deleteSession's argument (the cookie)");
    expectCookieCleared(s, b, r, "POST /api/auth/signout");
    const rows = await s.stored();
    s.expectCounts(rows, { users: 1, accounts: 1, sessions: 0 }, "after sign-out");
    // A stale tab still holding the old cookie reads the session: `{}`, cookie cleared.
    const stale = new Browser("stale tab");
    stale.setCookie(s.base, SESSION_COOKIE, session.sessionToken);
    const { r: read, rec: readRec } = await readSession(s, stale);
    s.check(read.status === 200 && same(read.json, {}), `reading after sign-out: expected 200 {}, got ${read.status} ${read.text}`);
    expectCookieCleared(s, stale, read, "reading after sign-out");
  },

  async "signout.without-cookie"(s) {
    await firstOAuthSignIn(s, new Browser("browser"), "mock-a", NO_EMAIL);
    const before = await s.stored();
    const b2 = new Browser("cookieless browser");
    const csrfToken = await fetchCsrf(s, b2);
    const { r, rec } = await s.step(b2, "POST", `${s.api}/signout`, { csrfToken });
    // The callback URL is the callback-url cookie core set on the csrf request: the base URL.
    s.expectEq(decodeURIComponent(b2.cookie(s.base, CALLBACK_COOKIE) || ""), s.base, "the cookieless browser's callback-url cookie");
    s.expectRedirect(r, s.base, "POST /api/auth/signout without a session cookie");
    s.expectEq(s.argsOf(rec, "getSession"), ["undefined"], "getSession's argument (no cookie: undefined)");
    s.expectEq(s.argsOf(rec, "deleteSession"), ["undefined"], "deleteSession's argument (no cookie: undefined)");
    const getSession = rec.calls.find((c) => c.method === "getSession");
    if (getSession && getSession.result !== null && getSession.result !== "undefined") {
      log(`  NOTE getSession(undefined) returned a session: ${show(getSession.result)}`);
    }
    const after = await s.stored();
    s.expectEq(after, before, "storage after sign-out without a cookie");
  },
};

// ---------------------------------------------------------------------------------------
// Extra scenarios: run only when named with --scenario, never by default. They are not flow
// rules (certify/tests/real_core.rs compares the default run's calls with the flow rules'):
// each shows an effect through the real core, reported as data on its line,
// {"scenario", "ok", "effect": "shown"|"absent", "detail", "rounds", "failures", "requests"}
// (`ok`: the lane ran cleanly; `requests`: those of the decisive round).
// ---------------------------------------------------------------------------------------

// Every call of `adapter`'s instance timed into `timings` (around the recording adapter).
function timedAdapter(adapter, timings) {
  const { performance } = require("perf_hooks");
  return {
    async getAdapter(appOptions) {
      const inner = await adapter.getAdapter(appOptions);
      const out = {};
      for (const [name, value] of Object.entries(inner)) {
        if (typeof value !== "function") {
          out[name] = value;
          continue;
        }
        out[name] = async (...args) => {
          const t = { method: name, at: performance.now(), done: null };
          timings.push(t);
          try {
            return await value.apply(inner, args);
          } finally {
            t.done = performance.now();
          }
        };
      }
      return out;
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const READ_ROUNDS = 20;
const WINDOW = "between the read's getSession and its updateSession";
// `offset` ms > 0: the sign-out starts that long after the read; < 0: the read starts that
// long after the sign-out.
const after = (ms, fn) => (ms > 0 ? sleep(ms).then(fn) : fn());

/**
 * session.read-during-sign-out: with `updateAge: 0` every GET /api/auth/session of a live
 * session calls updateSession (routes/session.js calls it on every read; the adapter extends
 * when now > expires − maxAge + updateAge, so the clock moves a second after each sign-in).
 * A new user signs in at the mock provider; then one tab reads the session while another
 * signs out (POST /api/auth/signout with the CSRF token), at once. Shown when, after both
 * answered and the sign-out succeeded (a redirect, the cookie cleared, deleteSession
 * returned), the session row exists: the read's updateSession brought it back (next-auth's
 * TypeORM adapter saves the session it read, `manager.save(Session, session)`, which inserts
 * it again when the row is gone). Up to 20 rounds, a fresh user each; the sign-out starts
 * `offset` ms after the read (0 at first; a negative offset starts the read that long after
 * the sign-out), moved by 1 ms after each round towards the window between the read's
 * getSession and its updateSession: later when the delete came before the read found the
 * session, sooner when it came during or after the read's update.
 */
async function sessionReadDuringSignOut(s) {
  const per = [];
  let offset = 0;
  for (let round = 1; round <= READ_ROUNDS; round++) {
    const n = `${round}-${Math.random().toString(16).slice(2, 8)}`;
    s.env.mock.signIn("mock-a", { id: `reader-${n}`, name: `Reader ${n}`, email: `reader-${n}@example.com`, image: null });
    const b = new Browser(`user ${round}`);
    const { r } = await oauthSignIn(s, b, "mock-a");
    s.expectRedirect(r, s.callbackUrl, `round ${round}: GET /api/auth/callback/mock-a`);
    const token = b.cookie(s.base, SESSION_COOKIE);
    if (!s.check(token, `round ${round}: no session cookie after signing in`)) throw new Stop("not signed in");
    const csrfToken = await fetchCsrf(s, b);
    clock.advance(1000); // the session is now due for an update on every read
    const from = s.requests.length;
    const timed = s.timings.length;
    const [read, out] = await Promise.all([
      after(-offset, () => b.request("GET", `${s.api}/session`)),
      after(offset, () => b.request("POST", `${s.api}/signout`, { form: { csrfToken } })),
    ]);
    const recs = s.requests.slice(from);
    const readRec = recs.find((x) => x.request === "GET /api/auth/session");
    const outRec = recs.find((x) => x.request === "POST /api/auth/signout");
    if (!s.check(recs.length === 2 && readRec && outRec, `round ${round}: expected the app to serve the read and the sign-out, it served ${show(recs.map((x) => x.request))}`)) throw new Stop("race");
    const del = outRec.calls.find((c) => c.method === "deleteSession");
    const cleared = out.setCookie.some((c) => c.name === SESSION_COOKIE && c.value === "" && c.maxAge === 0);
    if (!s.check(out.status === 302 && cleared && del && !del.error, `round ${round}: the sign-out did not succeed: ${out.status} → ${out.location}, cookie ${cleared ? "cleared" : "not cleared"}, deleteSession ${del ? del.error || "returned" : "not called"}`)) {
      throw new Stop("sign-out");
    }
    const found = readRec.calls.find((c) => c.method === "getSession");
    const times = s.timings.slice(timed);
    const tDelete = times.find((t) => t.method === "deleteSession");
    const tUpdate = times.find((t) => t.method === "updateSession");
    let where;
    // (A read that found no session makes no update: next-auth's TypeORM adapter's getSession
    // answers undefined, recorded as "undefined".)
    if (!found || !readRec.calls.some((c) => c.method === "updateSession")) where = "before the read";
    else if (tDelete.done <= tUpdate.at) where = WINDOW;
    else if (tDelete.at >= tUpdate.done) where = "after the update";
    else where = "during the update";
    const rows = await s.stored();
    const back = rows.sessions.some((x) => x.sessionToken === token);
    per.push({ offsetMs: offset, deleteFell: where, readStatus: read.status, rowAfter: back });
    const t0 = Math.min(...times.map((t) => t.at));
    log(`  round ${round} (sign-out ${offset >= 0 ? "+" : ""}${offset} ms): the delete fell ${where}; the row ${back ? "EXISTS" : "is gone"}; read ${show(readRec.calls.map((c) => `${c.method}${c.error ? " ✗" : c.result === null ? " → null" : ""}`))}; ${times.map((t) => `${t.method} ${(t.at - t0).toFixed(2)}–${(t.done - t0).toFixed(2)}`).join(", ")}`);
    if (back) {
      return {
        effect: "shown",
        detail: `a session read (updateAge 0) at once with its sign-out: the sign-out answered ${out.status} and cleared the cookie, its deleteSession returned, and afterwards the session row exists again (the delete fell ${where}); round ${round} of at most ${READ_ROUNDS}`,
        rounds: { run: round, max: READ_ROUNDS, perRound: per },
        requestsFrom: from,
      };
    }
    // Too early: the sign-out later (or the read sooner); too late: the other way.
    if (where === "before the read") offset += 1;
    else if (where === "during the update" || where === "after the update") offset -= 1;
  }
  const fell = {};
  for (const p of per) fell[p.deleteFell] = (fell[p.deleteFell] || 0) + 1;
  return {
    effect: "absent",
    detail: `in each of ${READ_ROUNDS} rounds a session read (updateAge 0) at once with its sign-out left no session row; the delete fell ${Object.entries(fell)
      .map(([w, k]) => `${w} in ${k}`)
      .join(", ")}`,
    rounds: { run: READ_ROUNDS, max: READ_ROUNDS, perRound: per },
    requestsFrom: s.requests.length,
  };
}

const CLICK_ROUNDS = 10;

/**
 * email.link-used-concurrently: one sign-in link opened by two callbacks at once (a mail
 * scanner and the user, two tabs, a double click). A user signs in once by e-mail (so the
 * address has a user: no createUser race), then asks for a new link; two browsers GET it at
 * the same time. Core's e-mail callback (routes/callback.js) calls getVerificationRequest,
 * then deleteVerificationRequest, then signs in, and does not look at what the delete did:
 * with an adapter that removes the request only on delete, both callbacks can read it before
 * either deletes it. Shown when both answered with a redirect to the callback URL and a
 * session cookie, and the link made two sessions. Up to 10 rounds, a fresh address each.
 */
async function linkUsedConcurrently(s) {
  const per = [];
  for (let round = 1; round <= CLICK_ROUNDS; round++) {
    const address = `clicker-${round}-${Math.random().toString(16).slice(2, 8)}@example.com`;
    const first = new Browser(`first sign-in ${round}`);
    const m0 = await requestEmailLink(s, first, address);
    const { r: r0 } = await s.step(first, "GET", m0.url);
    s.expectRedirect(r0, s.callbackUrl, `round ${round}: the first sign-in's link`);
    const asker = new Browser(`asker ${round}`);
    const m = await requestEmailLink(s, asker, address);
    const before = (await s.stored()).sessions.length;
    const from = s.requests.length;
    // The browser that asked (its callback-URL cookie set) and another one (a mail scanner,
    // another device).
    const clickers = [asker, new Browser(`click B ${round}`)];
    const answers = await Promise.all(clickers.map((b) => b.request("GET", m.url)));
    // Signed in: redirected into the app (not to the error page) with a session cookie.
    const signedIn = answers.filter((r) => r.status === 302 && r.location && !r.location.includes("/api/auth/error") && r.setCookie.some((c) => c.name === SESSION_COOKIE && c.value)).length;
    const rows = await s.stored();
    const made = rows.sessions.length - before;
    per.push({ signedIn, sessionsMade: made, statuses: answers.map((r) => `${r.status} → ${r.location || ""}`) });
    log(`  round ${round}: ${signedIn} of 2 concurrent clicks signed in; the link made ${made} session(s)`);
    if (signedIn === 2 && made === 2) {
      return {
        effect: "shown",
        detail: `one sign-in link opened by two callbacks at once: both redirected to the app with a session cookie, and the link made two sessions (round ${round} of at most ${CLICK_ROUNDS})`,
        rounds: { run: round, max: CLICK_ROUNDS, perRound: per },
        requestsFrom: from,
      };
    }
    if (!s.check(signedIn === 1 && made === 1, `round ${round}: expected one or two sign-ins from the link, got ${signedIn} (sessions made: ${made}; ${show(per[per.length - 1].statuses)})`)) throw new Stop("clicks");
  }
  return {
    effect: "absent",
    detail: `in each of ${CLICK_ROUNDS} rounds, one of two concurrent clicks on a sign-in link signed in`,
    rounds: { run: CLICK_ROUNDS, max: CLICK_ROUNDS, perRound: per },
    requestsFrom: s.requests.length,
  };
}

// The user a browser's session cookie signs in as (the session row's userId), or null.
async function signedInAs(s, b) {
  const token = b.cookie(s.base, SESSION_COOKIE);
  if (!token) return null;
  const session = (await s.stored()).sessions.find((x) => x.sessionToken === token);
  return session ? String(session.userId) : null;
}

/**
 * email.address-one-accent-away: a user signs in by e-mail as `jose@example.com`; someone
 * else asks for a sign-in link for `jose@exámple.com` (an internationalised domain anyone can
 * register, so the link reaches the asker's own mailbox) and opens it. Core lower-cases the
 * typed address and nothing more (routes/signin.js); the callback calls getUserByEmail with
 * the link's address (routes/callback.js). Shown when the link signs the asker in as the first
 * user (an adapter or a collation that folds accents finds that user); absent when it makes
 * a user of its own for the other address.
 */
async function addressOneAccentAway(s) {
  const owner = new Browser("the address's owner");
  const m0 = await requestEmailLink(s, owner, "jose@example.com");
  const { r: r0 } = await s.step(owner, "GET", m0.url);
  s.expectRedirect(r0, s.callbackUrl, "the owner's sign-in link");
  const ownerId = await signedInAs(s, owner);
  if (!s.check(ownerId, "the owner is not signed in after opening the link")) throw new Stop("owner");
  const asker = new Browser("the asker of jose@exámple.com");
  const from = s.requests.length;
  const m = await requestEmailLink(s, asker, "jose@ex\u00e1mple.com");
  const { r } = await s.step(asker, "GET", m.url);
  s.expectRedirect(r, s.callbackUrl, "the asker's sign-in link");
  const askerId = await signedInAs(s, asker);
  if (!s.check(askerId, "the asker is not signed in after opening the link")) throw new Stop("asker");
  const rows = await s.stored();
  const users = rows.users.map((u) => u.email);
  log(`  the owner is user ${ownerId}; the link for jose@exámple.com signed in as user ${askerId}; users: ${show(users)}`);
  if (askerId === ownerId) {
    return {
      effect: "shown",
      detail: `a sign-in link asked for jose@exámple.com (mailed to that address) signed in as the user of jose@example.com (user ${ownerId}); the users are ${show(users)}`,
      rounds: { run: 1, max: 1 },
      requestsFrom: from,
    };
  }
  return {
    effect: "absent",
    detail: `the link for jose@exámple.com signed in as a user of its own (user ${askerId}, not ${ownerId}); the users are ${show(users)}`,
    rounds: { run: 1, max: 1 },
    requestsFrom: from,
  };
}

/**
 * oauth.account-id-case: a user signs in at the mock provider with the account id
 * `André-4`; another person, whose account at the same provider is `ANDRÉ-4` (a provider whose
 * ids are names its users choose, or mixed-case opaque ids), signs in there. Core passes the
 * provider's id as the provider sends it to getUserByProviderAccountId
 * (lib/oauth/callback.js, lib/callback-handler.js) and signs in as the user it returns. Shown
 * when the second person is signed in as the first user; absent when they get a user of
 * their own.
 */
async function accountIdCase(s) {
  const first = new Browser("the account André-4");
  s.env.mock.signIn("mock-a", { id: "Andr\u00e9-4", name: "Andr\u00e9", email: "andre@example.com", image: null });
  const { r: r0 } = await oauthSignIn(s, first, "mock-a");
  s.expectRedirect(r0, s.callbackUrl, "the first account's sign-in");
  const firstId = await signedInAs(s, first);
  if (!s.check(firstId, "the first account is not signed in")) throw new Stop("first");
  const other = new Browser("the account ANDRÉ-4");
  s.env.mock.signIn("mock-a", { id: "ANDR\u00c9-4", name: "Another person", email: "another@example.org", image: null });
  const from = s.requests.length;
  const { r } = await oauthSignIn(s, other, "mock-a");
  s.expectRedirect(r, s.callbackUrl, "the second account's sign-in");
  const otherId = await signedInAs(s, other);
  if (!s.check(otherId, "the second account is not signed in")) throw new Stop("second");
  const rows = await s.stored();
  const accounts = rows.accounts.map((a) => `${a.providerAccountId} → user ${a.userId}`);
  log(`  André-4 is user ${firstId}; ANDRÉ-4 signed in as user ${otherId}; accounts: ${show(accounts)}`);
  if (otherId === firstId) {
    return {
      effect: "shown",
      detail: `the provider account ANDRÉ-4 (another person, another address) signed in as the user of the linked account André-4 (user ${firstId}); accounts: ${show(accounts)}`,
      rounds: { run: 1, max: 1 },
      requestsFrom: from,
    };
  }
  return {
    effect: "absent",
    detail: `the provider account ANDRÉ-4 signed in as a user of its own (user ${otherId}, not ${firstId}); accounts: ${show(accounts)}`,
    rounds: { run: 1, max: 1 },
    requestsFrom: from,
  };
}

const EXTRA_SCENARIOS = {
  "session.read-during-sign-out": { updateAge: 0, timed: true, run: sessionReadDuringSignOut },
  "email.link-used-concurrently": { run: linkUsedConcurrently },
  "email.address-one-accent-away": { run: addressOneAccentAway },
  "oauth.account-id-case": { run: accountIdCase },
};

// ---------------------------------------------------------------------------------------
// Targets: where the adapter comes from.
// ---------------------------------------------------------------------------------------

// next-auth's default adapter over a fresh namespace per scenario.
function controlTarget(url) {
  const dialect = db.dialectOf(url);
  const Adapters = require("next-auth/adapters").default;
  const fixtures = new Map(); // scenario → {namespace, raw}

  function adapterUrl(namespace) {
    const u = new URL(url);
    u.search = "";
    if (dialect === "postgres") u.searchParams.set("schema", namespace);
    else u.pathname = `/${namespace}`;
    u.searchParams.set("synchronize", "true");
    // TypeORM keeps connections in a process-wide manager, by name: one per scenario.
    u.searchParams.set("name", namespace);
    return u.toString();
  }

  return {
    describe: `next-auth's default adapter (TypeORM, synchronize) on ${redact(url)}`,
    async open(s) {
      const namespace = await db.createNamespace(url);
      fixtures.set(s, { namespace, raw: null });
      log(`  namespace ${namespace}`);
      const inner = Adapters.Default(adapterUrl(namespace));
      return {
        async getAdapter(appOptions) {
          return recordingAdapter(await inner.getAdapter(appOptions), { orphans: s.orphans, log });
        },
      };
    },
    async stored(s) {
      const f = fixtures.get(s);
      f.raw = f.raw || (await db.connect(url, f.namespace));
      return db.readStored(f.raw);
    },
    async close(s) {
      const f = fixtures.get(s);
      fixtures.delete(s);
      const { getConnectionManager } = require("typeorm");
      const manager = getConnectionManager();
      if (manager.has(f.namespace) && manager.get(f.namespace).isConnected) await manager.get(f.namespace).close();
      if (f.raw) await f.raw.close();
      await db.dropNamespace(url, f.namespace);
    },
    servers: [url],
    async shutdown() {},
  };
}

// The adapter a child serves over the bridge protocol, one fixture per scenario.
async function serveTarget(command) {
  const servers = new Set();
  const bridge = await connect(command, {
    log,
    // For a child that wants the parent to make namespaces (bridge/node/server.js
    // --tables synchronize, or --adapter prisma: the seed's Prisma tables): ours,
    // `nx_core_<hex>`, dropped at close.
    namespaces: {
      async create(serverUrl, tables) {
        servers.add(serverUrl);
        return db.createNamespace(serverUrl, tables);
      },
      drop: (serverUrl, name) => db.dropNamespace(serverUrl, name),
    },
  });
  log(`core: child ${bridge.hello.name}: ${bridge.hello.description || ""}`);
  const fixtures = new Map(); // scenario → fixture id
  let n = 0;
  return {
    describe: `${bridge.hello.name} served by ${redact(bridge.argv.join(" "))}`,
    async open(s) {
      const fixture = `core-${++n}-${s.name}`;
      const appOptions = { session: { maxAge: MAX_AGE, updateAge: s.updateAge }, secret: SECRET, baseUrl: s.base };
      const instance = await bridge.open(fixture, appOptions);
      fixtures.set(s, fixture);
      return {
        async getAdapter(o) {
          // The instance was opened with these; core must ask for the same.
          const asked = { session: { maxAge: o.session.maxAge, updateAge: o.session.updateAge }, secret: o.secret, baseUrl: o.baseUrl };
          if (!same(asked, appOptions)) s.fail(`core's appOptions ${show(asked)} differ from the fixture's ${show(appOptions)}`);
          return recordingAdapter(instance, { orphans: s.orphans, log });
        },
      };
    },
    stored(s) {
      return bridge.stored(fixtures.get(s));
    },
    async close(s) {
      const fixture = fixtures.get(s);
      fixtures.delete(s);
      await bridge.close(fixture);
    },
    get servers() {
      return [...servers];
    },
    async shutdown() {
      const how = await bridge.shutdown();
      log(`core: the child ended (${how})`);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Running a scenario.
// ---------------------------------------------------------------------------------------

// nodemailer's createTransport, disarmed: nothing in these scenarios may send mail.
function guardMail(attempts) {
  const nextAuthDir = path.dirname(require.resolve("next-auth"));
  const nodemailer = require(require.resolve("nodemailer", { paths: [nextAuthDir] }));
  nodemailer.createTransport = (...args) => {
    attempts.push(JSON.stringify(args[0]));
    throw new Error("nodemailer.createTransport: the core scenarios send no mail");
  };
}

let running = null; // the scenario in progress, for unhandled rejections

async function runScenario(name, env) {
  const s = new Scenario(name, env);
  const extra = EXTRA_SCENARIOS[name];
  if (extra && extra.updateAge !== undefined) s.updateAge = extra.updateAge;
  if (extra && extra.timed) s.timings = [];
  let outcome;
  running = s;
  log(`core: ${name}`);
  clock.set(clock.START);
  env.mock.reset();
  const mailBefore = env.mailAttempts.length;
  let opened = false;
  try {
    const adapter = await env.target.open(s);
    opened = true;
    env.app.serve({ options: s.options(adapter), requests: s.requests, problems: s.problems });
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the scenario did not finish within ${SCENARIO_TIMEOUT_MS / 1000} s`)), SCENARIO_TIMEOUT_MS);
    });
    try {
      outcome = await Promise.race([extra ? extra.run(s) : SCENARIOS[name](s), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    if (!(e instanceof Stop)) s.fail(`the scenario broke off: ${e.stack || e}`);
  } finally {
    env.app.serve(null);
    generalChecks(s, env, mailBefore);
    if (opened) {
      await env.target.close(s).catch((e) => s.fail(`closing the fixture: ${e.message}`));
    }
    running = null;
  }
  // An extra scenario resolves to what it shows ({effect, detail, rounds, requestsFrom}): with
  // `ok` (the lane ran cleanly) on its line. The flow scenarios' lines are as they always were.
  const shows = outcome && extra ? { effect: s.failures.length === 0 ? outcome.effect : "error", detail: outcome.detail, rounds: outcome.rounds } : {};
  const result = {
    scenario: name,
    ok: s.failures.length === 0,
    ...shows,
    failures: s.failures,
    requests: s.requests.slice((outcome && extra && outcome.requestsFrom) || 0).map((r) => {
      const out = { request: r.request, status: r.status, calls: r.calls.map((c) => c.method) };
      if (r.logged.length) out.logged = r.logged;
      return out;
    }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  log(`core: ${name}: ${result.ok ? "ok" : `FAILED (${s.failures.length})`}`);
  return result.ok;
}

// What must hold in every scenario, whatever its steps: nothing thrown, logged or refused.
function generalChecks(s, env, mailBefore) {
  for (const rec of s.requests) {
    if (rec.status === null) s.fail(`${rec.request}: the app never finished the response`);
    else if (rec.status >= 500) s.fail(`${rec.request}: status ${rec.status}`);
    for (const c of rec.calls) if (c.error) s.fail(`${rec.request}: ${c.method} threw ${c.error}`);
    for (const line of rec.logged) s.fail(`${rec.request}: next-auth logged ${line}`);
  }
  for (const o of s.orphans) s.fail(`outside any HTTP request: ${typeof o === "string" ? o : `${o.method}(${show(o.args)})`}`);
  for (const p of s.problems) s.fail(p);
  for (const p of env.mock.problems) s.fail(`the OAuth provider refused: ${p}`);
  for (const m of env.mailAttempts.slice(mailBefore)) s.fail(`something tried to send mail: ${m}`);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    log(`core: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    log(`${USAGE}\nscenarios: ${Object.keys(SCENARIOS).join(", ")}\nrun only when named: ${Object.keys(EXTRA_SCENARIOS).join(", ")}`);
    return 0;
  }
  const unknown = args.scenarios.filter((n) => !SCENARIOS[n] && !EXTRA_SCENARIOS[n]);
  if (unknown.length) {
    log(`core: unknown scenario(s) ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}; run only when named: ${Object.keys(EXTRA_SCENARIOS).join(", ")}`);
    return 2;
  }
  const names = args.scenarios.length ? args.scenarios : Object.keys(SCENARIOS);

  const mailAttempts = [];
  const mock = await startOAuthMock(["mock-a", "mock-b"]);
  const app = await startApp({ log });
  guardMail(mailAttempts);
  process.on("unhandledRejection", (e) => {
    const text = `unhandled rejection: ${(e && e.stack) || e}`;
    if (running) running.fail(text);
    else log(`core: ${text}`);
  });

  let target;
  try {
    target = args.control ? controlTarget(args.control) : await serveTarget(args.serve);
  } catch (e) {
    log(`core: ${e.message}`);
    await app.close();
    await mock.close();
    return 1;
  }
  log(`core: next-auth@${nextAuthVersion()} core at ${app.baseUrl}, OAuth provider at ${mock.origin}; adapter: ${target.describe}`);

  const env = { app, mock, target, mailAttempts };
  let allOk = true;
  try {
    for (const name of names) {
      allOk = (await runScenario(name, env)) && allOk;
    }
  } finally {
    await target.shutdown().catch((e) => {
      log(`core: shutting the adapter down: ${e.message}`);
      allOk = false;
    });
    await app.close();
    await mock.close();
    await db.dropAllCreated();
  }
  allOk = (await noNamespaceLeft(target.servers)) && allOk;
  log(`core: ${allOk ? "every scenario ok" : "FAILED"}`);
  return allOk ? 0 : 1;
}

// The installed next-auth's version (its package.json is not in its "exports").
function nextAuthVersion() {
  const dir = path.join(path.dirname(require.resolve("next-auth")), "..", "..");
  return JSON.parse(require("fs").readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

// Every namespace this run created is gone.
async function noNamespaceLeft(servers) {
  let ok = true;
  for (const url of servers) {
    const left = (await db.existingNamespaces(url)).filter((n) => db.NAMESPACE_RE.test(n));
    const ours = left.filter(db.wasCreatedHere);
    if (ours.length) {
      log(`core: namespaces left behind on ${redact(url)}: ${ours.join(", ")}`);
      ok = false;
    }
    const others = left.filter((n) => !db.wasCreatedHere(n));
    if (others.length) log(`core: note: other runs' nx_core_ namespaces on ${redact(url)}: ${others.join(", ")}`);
  }
  return ok;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`core: ${e.stack || e}`);
    db.dropAllCreated().finally(() => process.exit(1));
  },
);

// The application: next-auth@3's real API-route handler, `NextAuth(req, res, options)`,
// mounted on a plain `http` server on 127.0.0.1 at `/api/auth/*`, with what Next.js adds to
// an API route's req/res shimmed in (only what v3 uses: next-auth/dist/server/index.js,
// lib/extend-res.js, routes/*). Every HTTP request is recorded with the adapter calls core
// made while serving it (attributed through an AsyncLocalStorage context, so nothing made
// outside a request can be mistaken for part of one) and whatever core logged.
"use strict";

const http = require("http");
const querystring = require("querystring");
const { AsyncLocalStorage } = require("async_hooks");

const HANDLER_TIMEOUT_MS = 20000;

const inRequest = new AsyncLocalStorage();

/** The record of the HTTP request being served, or undefined outside one. */
function currentRequest() {
  return inRequest.getStore();
}

// ---------------------------------------------------------------------------------------
// What Next.js gives an API route (next/dist/server/api-utils): query, cookies, body;
// res.status, res.json, res.send (extend-res.js wraps json/send/end and replaces redirect).
// ---------------------------------------------------------------------------------------

// `Cookie` header → object, first occurrence wins, values URI-decoded when they can be
// (the `cookie` package's parse, which Next uses).
function parseCookies(header) {
  const out = {};
  for (const part of (header || "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch (_) {
      out[name] = value;
    }
  }
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

// Next's parseBody: JSON and urlencoded forms parsed, anything else the raw string ('' for
// a GET).
function parseBody(contentType, raw) {
  const type = (contentType || "text/plain").split(";")[0].trim().toLowerCase();
  if (type === "application/json" || type === "application/ld+json") return raw ? JSON.parse(raw) : {};
  if (type === "application/x-www-form-urlencoded") return querystring.decode(raw);
  return raw;
}

function extendForNext(req, res, { path, search, body }) {
  // `pages/api/auth/[...nextauth].js`: the catch-all segments, then the query string.
  const segments = path
    .slice("/api/auth/".length)
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent);
  req.query = { ...querystring.parse(search.replace(/^\?/, "")), nextauth: segments };
  req.cookies = parseCookies(req.headers.cookie);
  req.body = body;
  res.status = (code) => {
    res.statusCode = code;
    return res;
  };
  // Next's sendData / sendJson.
  res.send = (data) => {
    const jsonLike = data !== null && ["object", "number", "boolean"].includes(typeof data) && !Buffer.isBuffer(data);
    const text = jsonLike ? JSON.stringify(data) : data === undefined || data === null ? "" : data;
    if (jsonLike && !res.getHeader("Content-Type")) res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.setHeader("Content-Length", Buffer.byteLength(text));
    res.end(text);
    return res;
  };
  res.json = (data) => {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    return res.send(JSON.stringify(data));
  };
  // next-auth replaces it (extend-res.js); Next's own, for completeness.
  res.redirect = (statusOrUrl, url) => {
    const [status, location] = typeof statusOrUrl === "string" ? [307, statusOrUrl] : [statusOrUrl, url];
    res.writeHead(status, { Location: location });
    res.end();
    return res;
  };
}

// ---------------------------------------------------------------------------------------
// The recording adapter: every method call, recorded (name and compact arguments) in the
// current request's record BEFORE it is delegated.
// ---------------------------------------------------------------------------------------

// A compact JSON form of an argument or result: Dates as RFC 3339, `undefined` as the string
// "undefined", the e-mail provider as {provider, maxAge}, core's whole options object as
// "<appOptions>", functions dropped. `short`: long strings (tokens) abbreviated, for logs.
function compact(v, { short = false } = {}, depth = 0) {
  if (v === undefined) return "undefined";
  if (v === null || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "string") return short && v.length > 40 ? `${v.slice(0, 12)}…(${v.length})` : v;
  if (v instanceof Date || (v && typeof v.toISOString === "function")) return v.toISOString();
  if (typeof v === "function") return "fn";
  if (Array.isArray(v)) return v.map((x) => compact(x, { short }, depth + 1));
  if (typeof v === "object") {
    if (v.type === "email" && typeof v.sendVerificationRequest === "function") return { provider: v.id, maxAge: v.maxAge };
    // Core's whole req.options (createVerificationRequest's sixth argument).
    if ("providers" in v && "callbacks" in v && "adapter" in v) return "<appOptions>";
    if (depth > 2) return "{…}";
    const out = {};
    for (const [k, x] of Object.entries(v)) if (typeof x !== "function") out[k] = compact(x, { short }, depth + 1);
    return out;
  }
  return String(v);
}

/**
 * Wraps a v3 adapter instance: same methods (and displayName), each call recorded in the
 * current request's `calls` (or in `orphans` when no request is being served) before the
 * real method runs; the outcome is added when it settles.
 */
function recordingAdapter(instance, { orphans, log }) {
  const out = {};
  for (const [name, value] of Object.entries(instance)) {
    if (typeof value !== "function") {
      out[name] = value;
      continue;
    }
    out[name] = async (...args) => {
      const call = { method: name, args: compact(args) };
      const brief = JSON.stringify(compact(args, { short: true })).slice(1, -1);
      const record = currentRequest();
      (record ? record.calls : orphans).push(call);
      try {
        const result = await value.apply(instance, args);
        call.result = compact(result);
        return result;
      } catch (e) {
        call.error = `${e.name}: ${e.message}`;
        throw e;
      } finally {
        log(`    ${name}(${brief}) → ${call.error ? `THROWS ${call.error}` : JSON.stringify(compact(call.result, { short: true }))}`);
      }
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The server.
// ---------------------------------------------------------------------------------------

/**
 * Starts the app on 127.0.0.1 (random port), sets NEXTAUTH_URL to it and only then loads
 * next-auth (whose index.js reads NEXTAUTH_URL per request, and warns at load when unset).
 * `log`: a line logger. Resolves to { baseUrl, NextAuth, serve(scenarioState), close() }:
 * `serve` points the app at a scenario: { options (NextAuth's), requests (records are
 * pushed there), problems (strings) }.
 */
async function startApp({ log }) {
  let scenario = null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const record = { request: `${req.method} ${url.pathname}`, status: null, calls: [], logged: [] };
    if (!scenario) {
      res.writeHead(503);
      res.end("no scenario");
      return;
    }
    const state = scenario;
    state.requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    inRequest.run(record, () => handle(state, record, req, res, url)).catch((e) => {
      state.problems.push(`${record.request}: the app failed: ${e.stack || e}`);
      if (!res.headersSent) res.writeHead(500);
      if (!res.writableEnded) res.end();
    });
  });

  async function handle(state, record, req, res, url) {
    const body = parseBody(req.headers["content-type"], await readBody(req));
    if (!url.pathname.startsWith("/api/auth/")) {
      // The rest of the app: the pages core redirects to (callbackUrl). A browser would
      // load them; nothing of next-auth runs there.
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(`<p>app page ${url.pathname}</p>`);
      return;
    }
    extendForNext(req, res, { path: url.pathname, search: url.search, body });
    // NextAuth's promise settles when the response is sent (extend-res.js); an exception
    // inside its `new Promise(async …)` would leave it pending forever, so time it out.
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`next-auth did not answer within ${HANDLER_TIMEOUT_MS / 1000} s`)), HANDLER_TIMEOUT_MS);
    });
    try {
      await Promise.race([app.NextAuth(req, res, state.options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  process.env.NEXTAUTH_URL = baseUrl;
  const app = {
    baseUrl,
    NextAuth: require("next-auth").default,
    serve(state) {
      scenario = state;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return app;
}

/** A next-auth logger that records what core logs in the current request's `logged`. */
function recordingLogger({ orphans, log }) {
  const at = (level) => (code, ...message) => {
    const text = `${level} ${code} ${message.map((m) => (m instanceof Error ? `${m.name}: ${m.message}` : typeof m === "string" ? m : JSON.stringify(compact(m, { short: true })))).join(" ")}`;
    const record = currentRequest();
    (record ? record.logged : orphans).push(text);
    log(`    [next-auth ${text}]`);
  };
  return { error: at("error"), warn: at("warn"), debug() {} };
}

module.exports = { startApp, recordingAdapter, recordingLogger, currentRequest, compact, parseCookies };

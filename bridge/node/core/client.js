// The PARENT side of the adapter bridge's line protocol (docs/bridge-protocol.md), in JS:
// it starts a child that serves an adapter (e.g. our Rust `nextauth-certify serve --url <db>`), and
// hands next-auth@3's real core a v3 adapter whose every method is a request to that child.
//
//   const { connect } = require("./client");
//   const bridge = await connect("nextauth-certify serve --url postgres://…");   // spawn + hello
//   const adapter = await bridge.open("f1", { session: { maxAge, updateAge }, secret, baseUrl });
//   await adapter.getUserByEmail("a@example.com");                        // → User | null
//   await bridge.stored("f1");  await bridge.close("f1");  await bridge.shutdown();
//
// One JSON object per line each way; numeric ids; many requests in flight, replies matched
// by id in any order. Every adapter request carries `now`: the current (fake) `Date.now()`
// in microseconds, so the child's adapter reads the same clock as core.
//
// Replies become what v3 core expects: instants (`emailVerified`, `expires`,
// `accessTokenExpires`, `createdAt`, `updatedAt`) become `Date`s, integer ids strings, and an
// `error` reply a thrown Error with `kind` (and `key`, `field`). The `sent` list of a
// verification method is handed to the real JS provider's `sendVerificationRequest`, one
// call per message, as the child's adapter would have called it.
"use strict";

const { spawn } = require("child_process");
const readline = require("readline");

const PROTOCOL = 1;
const REQUEST_TIMEOUT_MS = 30000;
const INSTANT_FIELDS = ["emailVerified", "expires", "accessTokenExpires", "createdAt", "updatedAt"];

// ---------------------------------------------------------------------------------------
// Command lines: a string split as a POSIX shell would (quotes, backslashes), or an argv.
// ---------------------------------------------------------------------------------------

function splitCommand(command) {
  if (Array.isArray(command)) return command.map(String);
  const argv = [];
  let word = null;
  let quote = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < command.length && '"\\$`\n'.includes(command[i + 1])) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word = word || "";
    } else if (c === "\\" && i + 1 < command.length) {
      word = (word || "") + command[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) argv.push(word);
      word = null;
    } else {
      word = (word || "") + c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in command ${JSON.stringify(command)}`);
  if (word !== null) argv.push(word);
  if (argv.length === 0) throw new Error("empty command");
  return argv;
}

// Passwords in URLs are not for logs.
function redact(text) {
  return String(text).replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/g, "$1***@");
}

// ---------------------------------------------------------------------------------------
// The child process and the request/reply matching.
// ---------------------------------------------------------------------------------------

class BridgeError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.name = "BridgeError";
    Object.assign(this, fields);
  }
}

function startChild(command, { env, log }) {
  const argv = splitCommand(command);
  const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  const pending = new Map();
  let nextId = 1;
  let dead = null; // why the child can no longer answer
  let exited = null;
  const exitWaiters = [];

  function die(reason) {
    if (dead) return;
    dead = reason;
    for (const [, p] of pending) p.reject(new BridgeError(`the adapter process failed: ${reason}`, { kind: "backend" }));
    pending.clear();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  // Replies: one JSON object per line, with the id of a request in flight. Anything else is
  // a fatal protocol error, as in the Rust parent (a stray console.log would otherwise be
  // silently taken for, or mixed into, a reply).
  readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => {
    if (!line.trim()) return;
    let reply;
    try {
      reply = JSON.parse(line);
    } catch (e) {
      return die(`it wrote a line that is not JSON: ${JSON.stringify(line.slice(0, 300))}`);
    }
    if (!reply || typeof reply !== "object" || typeof reply.id !== "number") {
      return die(`it wrote a reply without a numeric id: ${JSON.stringify(line.slice(0, 300))}`);
    }
    const p = pending.get(reply.id);
    if (!p) return die(`it answered request ${reply.id}, which is not in flight: ${JSON.stringify(line.slice(0, 300))}`);
    pending.delete(reply.id);
    p.resolve(reply);
  });
  readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", (line) => log(`[child] ${line}`));
  child.on("error", (e) => die(`it could not be started (${argv[0]}): ${e.message}`));
  // `close`, not `exit`: the last replies may still be in the stdout pipe when it exits.
  child.on("close", (code, signal) => {
    exited = signal ? `signal ${signal}` : `status ${code}`;
    die(`it exited with ${exited}`);
    for (const w of exitWaiters.splice(0)) w();
  });
  // Writing to a child that died is reported by `die`; the EPIPE itself is not news.
  child.stdin.on("error", () => {});

  // One request; resolves to the raw reply object (`ok`/`error`/`sent`).
  function request(method, { fixture, now, args }) {
    if (dead) return Promise.reject(new BridgeError(`the adapter process failed: ${dead}`, { kind: "backend" }));
    const id = nextId++;
    const message = { id, method };
    if (fixture !== undefined) message.fixture = fixture;
    if (now !== undefined) message.now = now;
    message.args = args;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new BridgeError(`${method}: no reply within ${REQUEST_TIMEOUT_MS / 1000} s`, { kind: "backend" }));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  function waitForExit(ms) {
    if (exited) return Promise.resolve(exited);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("killed");
      }, ms);
      exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(exited);
      });
    });
  }

  return { argv, request, waitForExit, isDead: () => dead };
}

// An `error` reply as a thrown Error, keeping the protocol's fields.
function replyError(method, error) {
  const e = new BridgeError(`${method}: ${error.kind}${error.key ? ` (${error.key})` : ""}: ${error.message || ""}`, {
    kind: error.kind,
    key: error.key,
    field: error.field,
  });
  e.name = `AdapterError[${error.kind}]`;
  return e;
}

// ---------------------------------------------------------------------------------------
// JSON to and from what v3 core passes and expects.
// ---------------------------------------------------------------------------------------

// The wire carries ids as strings (the contract's type). A JS number id, e.g. GitHub's
// numeric `profile.id` that core passes as `providerAccountId`, becomes its decimal string,
// what an SQL adapter's VARCHAR column would have stored.
function idOut(v) {
  return typeof v === "number" ? String(v) : v;
}

// `undefined` (core's "no cookie") is `null` on the wire.
function optional(v) {
  return v === undefined ? null : v;
}

// A record the child returned, as the JS adapter would have returned it.
function recordIn(v) {
  if (v === null || v === undefined || typeof v !== "object") return v === undefined ? null : v;
  const out = { ...v };
  for (const k of ["id", "userId"]) if (typeof out[k] === "number") out[k] = String(out[k]);
  for (const k of INSTANT_FIELDS) if (typeof out[k] === "string") out[k] = new Date(out[k]);
  return out;
}

// The e-mail provider as the wire knows it: its id and maxAge (seconds).
function providerOut(p) {
  return { id: p && p.id, maxAge: p && p.maxAge };
}

// The profile createUser takes (contract NewUser). Core passes more: the OAuth provider's
// profile, whose `id` is the provider's id for the user, not ours.
function newUserOut(profile) {
  const p = profile || {};
  return { name: optional(p.name), email: optional(p.email), image: optional(p.image), emailVerified: optional(p.emailVerified) };
}

// What the child's adapter "sent": hand each message to the real provider, as the JS
// adapter would have called `provider.sendVerificationRequest` itself. A failure throws,
// after the child stored the row (v3's order).
async function deliver(sent, provider, baseUrl) {
  for (const m of sent || []) {
    if (!provider || typeof provider.sendVerificationRequest !== "function") {
      throw new BridgeError("the child sent a verification message, but core passed no provider with sendVerificationRequest", { kind: "backend" });
    }
    await provider.sendVerificationRequest({
      identifier: m.identifier,
      url: m.url,
      token: m.token,
      baseUrl: m.baseUrl || baseUrl,
      provider,
    });
  }
}

// ---------------------------------------------------------------------------------------
// The v3 adapter instance over one fixture.
// ---------------------------------------------------------------------------------------

function adapterInstance(child, fixture, { displayName, baseUrl }) {
  // One adapter call: the reply's `ok`, after its `sent` messages went to `provider`.
  async function call(method, args, provider) {
    const reply = await child.request(method, { fixture, now: Date.now() * 1000, args });
    if (reply.error) throw replyError(method, reply.error);
    await deliver(reply.sent, provider, baseUrl);
    return reply.ok === undefined ? null : reply.ok;
  }

  return {
    displayName,
    async createUser(profile) {
      return recordIn(await call("createUser", [newUserOut(profile)]));
    },
    async getUser(id) {
      return recordIn(await call("getUser", [idOut(id)]));
    },
    async getUserByEmail(email) {
      return recordIn(await call("getUserByEmail", [optional(email)]));
    },
    async getUserByProviderAccountId(providerId, providerAccountId) {
      return recordIn(await call("getUserByProviderAccountId", [providerId, idOut(providerAccountId)]));
    },
    async updateUser(user) {
      return recordIn(await call("updateUser", [{ ...user, id: idOut(user.id) }]));
    },
    async deleteUser(userId) {
      await call("deleteUser", [idOut(userId)]);
      return null;
    },
    async linkAccount(userId, providerId, providerType, providerAccountId, refreshToken, accessToken, accessTokenExpires) {
      const args = [idOut(userId), providerId, providerType, idOut(providerAccountId), optional(refreshToken), optional(accessToken), optional(accessTokenExpires)];
      return recordIn(await call("linkAccount", args));
    },
    async unlinkAccount(userId, providerId, providerAccountId) {
      await call("unlinkAccount", [idOut(userId), providerId, idOut(providerAccountId)]);
      return null;
    },
    async createSession(user) {
      return recordIn(await call("createSession", [{ ...user, id: idOut(user.id) }]));
    },
    async getSession(sessionToken) {
      return recordIn(await call("getSession", [optional(sessionToken)]));
    },
    // v3 mutates its argument and core reads the new expiry from it (routes/session.js):
    // the child answers {returned, argument}; `argument` is written back into the object
    // core holds.
    async updateSession(session, force) {
      const wire = { ...session, id: idOut(session.id), userId: idOut(session.userId) };
      const ok = await call("updateSession", [wire, Boolean(force)]);
      if (!ok || typeof ok !== "object" || !("argument" in ok)) {
        throw new BridgeError(`updateSession: the reply is not {returned, argument}: ${JSON.stringify(ok)}`, { kind: "protocol" });
      }
      Object.assign(session, recordIn(ok.argument));
      return recordIn(ok.returned === undefined ? null : ok.returned);
    },
    async deleteSession(sessionToken) {
      await call("deleteSession", [optional(sessionToken)]);
      return null;
    },
    async createVerificationRequest(identifier, url, token, secret, provider) {
      return recordIn(await call("createVerificationRequest", [identifier, url, token, secret, providerOut(provider)], provider));
    },
    async getVerificationRequest(identifier, token, secret, provider) {
      return recordIn(await call("getVerificationRequest", [identifier, token, secret, providerOut(provider)], provider));
    },
    async deleteVerificationRequest(identifier, token, secret, provider) {
      await call("deleteVerificationRequest", [identifier, token, secret, providerOut(provider)], provider);
      return null;
    },
  };
}

// ---------------------------------------------------------------------------------------
// connect(): spawn, handshake, and the control messages.
// ---------------------------------------------------------------------------------------

/**
 * Starts `command` (a shell-like string or an argv array) and says hello.
 *
 * options.env: extra environment variables; options.log: where the child's stderr lines and
 * our notes go (default: stderr). options.namespaces: for a child whose hello asks the
 * parent to create each fixture's namespace (bridge/node/server.js does), an object
 * `{create(serverUrl, tables) → name, drop(serverUrl, name)}`; only `tables: "synchronize"`
 * and `"prisma-legacy"` children can be served that way (the project's DDL lives in Rust; the
 * seed's Prisma tables are a fixture file, fixtures/schemas/prisma-legacy).
 */
async function connect(command, options = {}) {
  const log = options.log || ((line) => process.stderr.write(`${line}\n`));
  const child = startChild(command, { env: options.env || {}, log });
  const namespaces = new Map(); // fixture → namespace name we created for it

  async function control(method, args, fixture, now) {
    const reply = await child.request(method, { fixture, now, args });
    if (reply.error) throw replyError(method, reply.error);
    return reply.ok === undefined ? null : reply.ok;
  }

  let hello;
  try {
    hello = await control("hello", { protocol: PROTOCOL });
  } catch (e) {
    await child.waitForExit(100);
    throw new BridgeError(`hello to ${redact(child.argv.join(" "))} failed: ${e.message}`, { kind: e.kind });
  }
  if (!hello || hello.protocol !== PROTOCOL) {
    throw new BridgeError(`the child speaks protocol ${JSON.stringify(hello && hello.protocol)}, not ${PROTOCOL}`, { kind: "protocol" });
  }
  const server = hello.namespaces || null;
  if (server && !["synchronize", "prisma-legacy"].includes(server.tables || "ddl")) {
    throw new BridgeError(
      `the child asks the parent to create its tables (${server.tables || "ddl"}); only the Rust bridge has the project's DDL. Run it with its own namespaces (nextauth-certify serve), --tables synchronize or the Prisma adapter (prisma-legacy tables).`,
      { kind: "protocol" },
    );
  }
  if (server && server.table_prefix) throw new BridgeError("table_prefix is not supported here", { kind: "protocol" });

  return {
    hello,
    argv: child.argv,

    /** Opens fixture `fixture` with v3's appOptions; resolves to its v3 adapter instance. */
    async open(fixture, appOptions) {
      let namespace = null;
      if (server) {
        if (!options.namespaces) throw new BridgeError("the child wants the parent to create namespaces: pass options.namespaces", { kind: "protocol" });
        const name = await options.namespaces.create(server.url, server.tables);
        namespaces.set(fixture, name);
        namespace = { name, server: server.server };
      }
      const args = {
        namespace,
        session: { maxAge: appOptions.session.maxAge, updateAge: appOptions.session.updateAge },
        baseUrl: appOptions.baseUrl,
        secret: appOptions.secret,
      };
      let opened;
      try {
        opened = await control("open", args, fixture, Date.now() * 1000);
      } catch (e) {
        await dropNamespace(fixture);
        throw e;
      }
      const displayName = (opened && opened.displayName) || hello.name;
      return adapterInstance(child, fixture, { displayName, baseUrl: appOptions.baseUrl });
    },

    /** Every row of the fixture's four tables, read by the child without the adapter. */
    stored(fixture) {
      return control("stored", {}, fixture);
    },

    async close(fixture) {
      try {
        await control("close", {}, fixture);
      } finally {
        await dropNamespace(fixture);
      }
    },

    /** Asks the child to exit, and waits for it (killing it after 5 s). */
    async shutdown() {
      if (!child.isDead()) {
        await control("shutdown", null).catch((e) => log(`core client: shutdown: ${e.message}`));
      }
      const how = await child.waitForExit(5000);
      for (const fixture of [...namespaces.keys()]) await dropNamespace(fixture);
      return how;
    },
  };

  async function dropNamespace(fixture) {
    const name = namespaces.get(fixture);
    if (!name) return;
    namespaces.delete(fixture);
    await options.namespaces.drop(server.url, name);
  }
}

module.exports = { connect, splitCommand, redact, BridgeError, PROTOCOL };

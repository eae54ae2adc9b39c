#!/usr/bin/env node
// Measures next-auth@3's default adapter natively in Node: the benchmark's three v3 core
// flows (bench/src/subjects/bridged.rs, the bridged column) called on the adapter directly, with no
// process bridge between the flow and the adapter, so that the bench can show next-auth@3's
// own number next to the bridged one.
//
//   node bench.js --url postgres://postgres:postgres@127.0.0.1:5432/postgres --namespace nx_bench \
//     --users /tmp/users.json --secret bench-secret
//   node bench.js --url mysql://root@127.0.0.1:3306/test --namespace nx_bench --users … --secret …
//
// --url: the database server; --namespace: the PostgreSQL schema or the MySQL/MariaDB
// database holding the tables (made from the project's DDL) and the seeded rows; --users: a
// JSON array of the seeded users, `{id, email, provider_account_id, session_token}`, each
// with one "github" account of that provider account id and one live session of that token;
// --secret: the application secret.
//
// On start, the adapter is opened once over the namespace as server.js opens it for
// `--adapter next-auth --tables ddl`, and one line is written:
//   {"ready": true, "node": "v20…", "next_auth": "3.29.10", "typeorm": "0.2.45"}
// or `{"error": "…"}` and exit code 1. Then each stdin line is a command, answered by one line:
//   {"flow": "session-read"|"oauth-signin"|"email-signin", "concurrency": 16,
//    "warmup": 1.0, "duration": 5.0, "seed": 1}
//   -> {"flow": …, "concurrency": 16, "flows": 1234, "seconds": 5.0, "flows_per_sec": 246.8,
//       "p50_us": 3900, "p99_us": 9800}
//   or {"error": "<flow>: <what>"} when a flow does not see what it must, or throws.
// Commands run one after another. When stdin closes, the connection is closed and the
// process exits 0. Nothing but these lines goes to stdout; logs go to stderr.
//
// A command runs `concurrency` async workers in a loop for `warmup` seconds (not recorded),
// then for `duration` seconds, recording each flow's latency; each worker picks seeded users
// at random from its own generator, seeded from the command's seed and its index, as
// bench/src/measure.rs does. Percentiles are read from the sorted latencies: p50 at
// floor(0.5 (n - 1)), p99 at floor(0.99 (n - 1)). The clock is the real one.
"use strict";

// Anything a library prints with console.log goes to stderr: stdout carries the replies.
console.log = console.info = console.debug = console.error;

const fs = require("fs");
const readline = require("readline");
const defaultAdapter = require("./default-adapter");

// v3's defaults, as the bench's `SessionPolicy::default()`: sessions live 30 days and are
// extended at most once a day; the email provider's links live one day.
const SESSION = { maxAge: 30 * 24 * 60 * 60, updateAge: 24 * 60 * 60 };
const EMAIL_MAX_AGE = 24 * 60 * 60;
const BASE_URL = "http://localhost:3000";
// The sign-in URL sent with each verification request, and the seeded accounts' provider.
const SIGNIN_URL = "http://localhost:3000/api/auth/callback/email";
const PROVIDER = "github";

function send(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

// A start that cannot go on: one error line, exit code 1.
function fatal(message) {
  send({ error: message });
  process.exit(1);
}

// ---------------------------------------------------------------------------------------
// Command line and the seeded users.
// ---------------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = { url: null, namespace: null, users: null, secret: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--url") out.url = argv[++i];
    else if (a === "--namespace") out.namespace = argv[++i];
    else if (a === "--users") out.users = argv[++i];
    else if (a === "--secret") out.secret = argv[++i];
    else if (a === "--help" || a === "-h") out.help = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}`);
  }
  if (out.help) return out;
  for (const key of ["url", "namespace", "users", "secret"]) {
    if (typeof out[key] !== "string" || !out[key]) throw new Error(`--${key} is required`);
  }
  if (!/^[A-Za-z0-9_]+$/.test(out.namespace)) throw new Error(`--namespace must be [A-Za-z0-9_]+, not ${JSON.stringify(out.namespace)}`);
  return out;
}

function readUsers(file) {
  const users = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(users) || users.length === 0) throw new Error(`${file}: a non-empty JSON array of users is required`);
  users.forEach((u, i) => {
    const ok =
      u && Number.isInteger(u.id) && ["email", "provider_account_id", "session_token"].every((k) => typeof u[k] === "string" && u[k]);
    if (!ok) throw new Error(`${file}: user ${i} is not {id, email, provider_account_id, session_token}`);
  });
  return users;
}

// ---------------------------------------------------------------------------------------
// Seeded generators: splitmix64 to derive each worker's state, mulberry32 to draw.
// ---------------------------------------------------------------------------------------

const MASK64 = (1n << 64n) - 1n;

function splitmix64(x) {
  let z = (BigInt.asUintN(64, x) + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

// Worker `w`'s generator for `seed` (as measure.rs: the seed plus the worker index times the
// golden ratio's 32 bits), a function returning uniform 32-bit unsigned integers.
function workerRng(seed, w) {
  let state = Number(splitmix64(BigInt(seed) + BigInt(w) * 0x9e3779b9n) & 0xffffffffn);
  return function mulberry32() {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

// An index below `n` (n < 2^32).
function below(rng, n) {
  return Math.floor((rng() / 4294967296) * n);
}

// 64 lowercase hex digits: a fresh verification token.
function hexToken(rng) {
  let s = "";
  for (let i = 0; i < 8; i++) s += rng().toString(16).padStart(8, "0");
  return s;
}

// ---------------------------------------------------------------------------------------
// The flows, as the `Peer` column sends them and v3 core makes them: records passed back as
// the adapter returned them.
// ---------------------------------------------------------------------------------------

// What a flow did not see: the cell's error.
class FlowError extends Error {}

function makeFlows(ad, secret) {
  const provider = defaultAdapter.emailProvider({ id: "email", maxAge: EMAIL_MAX_AGE }, () => {});
  return {
    // getSession -> updateSession (not due) -> getUser, with a seeded session.
    async "session-read"(user) {
      const session = await ad.getSession(user.session_token);
      if (!session) throw new FlowError("no session");
      const updated = await ad.updateSession(session, false);
      if (updated !== null && updated !== undefined) throw new FlowError("the update was due");
      if (!(await ad.getUser(session.userId))) throw new FlowError("no user");
    },
    // getUserByProviderAccountId twice -> createSession.
    async "oauth-signin"(user) {
      await ad.getUserByProviderAccountId(PROVIDER, user.provider_account_id);
      const found = await ad.getUserByProviderAccountId(PROVIDER, user.provider_account_id);
      if (!found) throw new FlowError("no user");
      await ad.createSession(found);
    },
    // Create, get and delete a verification request -> getUserByEmail -> updateUser ->
    // createSession.
    async "email-signin"(user, token) {
      await ad.createVerificationRequest(user.email, SIGNIN_URL, token, secret, provider);
      if (!(await ad.getVerificationRequest(user.email, token, secret, provider))) {
        throw new FlowError("no verification request");
      }
      await ad.deleteVerificationRequest(user.email, token, secret, provider);
      const found = await ad.getUserByEmail(user.email);
      if (!found) throw new FlowError("no user");
      const updated = await ad.updateUser({ ...found, emailVerified: new Date() });
      await ad.createSession(updated || found);
    },
  };
}

// ---------------------------------------------------------------------------------------
// A cell: workers for a while, their latencies.
// ---------------------------------------------------------------------------------------

// Runs `run(user, token)` on `concurrency` workers until `seconds` have passed; the latencies
// in microseconds (at least 1, as measure.rs records them). The first failure stops every
// worker and is thrown.
async function workers(run, users, concurrency, seconds, seed) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const samples = [];
  let failure = null;
  async function worker(w) {
    const rng = workerRng(seed, w);
    while (failure === null && process.hrtime.bigint() < deadline) {
      const user = users[below(rng, users.length)];
      const token = hexToken(rng);
      const t0 = process.hrtime.bigint();
      try {
        await run(user, token);
      } catch (e) {
        if (failure === null) failure = e;
        return;
      }
      samples.push(Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n)));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  if (failure !== null) throw failure;
  return samples;
}

function checkCommand(cmd, flows) {
  if (typeof cmd !== "object" || cmd === null) throw new Error("a command is a JSON object");
  if (!Object.prototype.hasOwnProperty.call(flows, cmd.flow)) {
    throw new Error(`unknown flow ${JSON.stringify(cmd.flow)} (known: ${Object.keys(flows).join(", ")})`);
  }
  if (!Number.isInteger(cmd.concurrency) || cmd.concurrency < 1) throw new Error("concurrency must be a positive integer");
  if (typeof cmd.warmup !== "number" || !(cmd.warmup >= 0)) throw new Error("warmup must be a number of seconds >= 0");
  if (typeof cmd.duration !== "number" || !(cmd.duration > 0)) throw new Error("duration must be a number of seconds > 0");
  if (!Number.isInteger(cmd.seed) || cmd.seed < 0) throw new Error("seed must be a non-negative integer");
}

async function runCommand(line, flows, users) {
  let cmd;
  try {
    cmd = JSON.parse(line);
    checkCommand(cmd, flows);
  } catch (e) {
    const what = cmd && typeof cmd.flow === "string" ? cmd.flow : "command";
    return { error: `${what}: ${e.message}` };
  }
  const { flow, concurrency, warmup, duration, seed } = cmd;
  try {
    if (warmup > 0) await workers(flows[flow], users, concurrency, warmup, BigInt(seed) ^ 0xa5a5n);
    const started = process.hrtime.bigint();
    const samples = await workers(flows[flow], users, concurrency, duration, seed);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    samples.sort((a, b) => a - b);
    const at = (q) => (samples.length ? samples[Math.floor(q * (samples.length - 1))] : 0);
    return {
      flow,
      concurrency,
      flows: samples.length,
      seconds,
      flows_per_sec: samples.length / seconds,
      p50_us: at(0.5),
      p99_us: at(0.99),
    };
  } catch (e) {
    if (e instanceof FlowError) return { error: `${flow}: ${e.message}` };
    process.stderr.write(`bench: ${flow}: ${(e && e.stack) || e}\n`);
    return { error: `${flow}: ${(e && e.name) || "Error"}: ${(e && e.message) || String(e)}` };
  }
}

// ---------------------------------------------------------------------------------------
// Start, serve, stop.
// ---------------------------------------------------------------------------------------

async function main() {
  let options;
  let users;
  try {
    options = parseArgs(process.argv.slice(2));
    if (options.help) {
      process.stderr.write("usage: node bench.js --url <database server url> --namespace <schema or database> --users <users.json> --secret <secret>\n");
      process.exit(0);
    }
    users = readUsers(options.users);
  } catch (e) {
    fatal(`bench: ${e.message}`);
  }
  const dialect = defaultAdapter.dialectOf(options.url);
  if (!dialect) fatal(`bench: unsupported database URL scheme ${new URL(options.url).protocol}`);

  let opened;
  try {
    opened = await defaultAdapter.open({
      dialect,
      serverUrl: options.url,
      namespace: options.namespace,
      connectionName: "bench",
      appOptions: { session: SESSION, secret: options.secret, logger: defaultAdapter.logger, baseUrl: BASE_URL },
    });
  } catch (e) {
    fatal(`bench: opening next-auth's default adapter over ${options.namespace}: ${(e && e.message) || e}`);
  }
  // The adapter connects without looking at the tables: a namespace without them fails here,
  // not in the first cell.
  const ns = dialect === "postgres" ? `"${options.namespace}"` : `\`${options.namespace}\``;
  try {
    for (const table of ["users", "accounts", "sessions", "verification_requests"]) {
      await opened.query(`SELECT 1 FROM ${ns}.${table} WHERE 1 = 0`);
    }
  } catch (e) {
    await opened.close().catch(() => {});
    fatal(`bench: ${options.namespace} lacks next-auth's tables: ${(e && e.message) || e}`);
  }
  const flows = makeFlows(opened.instance, options.secret);
  send({
    ready: true,
    node: process.version,
    next_auth: defaultAdapter.installedVersion("next-auth"),
    typeorm: defaultAdapter.installedVersion("typeorm"),
  });

  // One command at a time, in the order they arrive.
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    queue = queue.then(() => runCommand(line, flows, users)).then(send);
  });
  rl.on("close", () => {
    queue
      .then(() => opened.close())
      .then(
        () => process.exit(0),
        (e) => {
          process.stderr.write(`bench: closing the connection: ${(e && e.message) || e}\n`);
          process.exit(0);
        },
      );
  });
}

// The parent stopped reading: nothing more can be reported.
process.stdout.on("error", () => process.exit(1));
process.on("unhandledRejection", (e) => {
  process.stderr.write(`bench: unhandled rejection: ${(e && e.stack) || e}\n`);
});

main().catch((e) => fatal(`bench: ${(e && e.message) || e}`));

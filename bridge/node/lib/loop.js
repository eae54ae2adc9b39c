// The line protocol's loop, shared by every Node child of the bridge (docs/bridge-protocol.md):
// one JSON request per line on stdin, one JSON reply per line on stdout, requests served
// concurrently, logs on stderr only.
"use strict";

const readline = require("readline");

/** The protocol version every child speaks. */
const PROTOCOL = 1;

/** A request the child cannot serve as asked: replied with `error.kind = "protocol"`. */
class ProtocolError extends Error {}

function protocolError(message) {
  return new ProtocolError(message);
}

/** Refuses a `hello` asking for another protocol version. */
function checkHello(args) {
  if (!args || args.protocol !== PROTOCOL) {
    throw protocolError(`this server speaks protocol ${PROTOCOL}, asked for ${JSON.stringify(args && args.protocol)}`);
  }
}

function send(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/**
 * Serves stdin until it closes or a `shutdown` is answered.
 *
 * - `handle(msg)` answers one request: a promise of `{ok, sent?}`.
 * - `classify(err, msg)` turns what it threw into the reply's `error` (`{kind, …}`); a
 *   ProtocolError is always `{kind: "protocol"}`.
 * - `around(msg, run)` (optional) runs `run` in the request's context (v3's fake clock).
 * - `shutdown()` (optional) closes what is open before the process exits.
 */
function serveLines({ handle, classify, around, shutdown }) {
  let shuttingDown = false;
  const line = (text) => {
    if (!text.trim()) return;
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      send({ id: null, error: { kind: "protocol", message: `not JSON: ${e.message}` } });
      return;
    }
    if (typeof msg !== "object" || msg === null || typeof msg.id !== "number") {
      send({ id: null, error: { kind: "protocol", message: "a request needs a numeric id" } });
      return;
    }
    const answer = async () => {
      if (msg.method === "shutdown") {
        shuttingDown = true;
        if (shutdown) await shutdown().catch(() => {});
        return { ok: null };
      }
      return handle(msg);
    };
    const run = () =>
      answer().then(
        (reply) => {
          send({ id: msg.id, ...reply });
          if (msg.method === "shutdown") process.exit(0);
        },
        (err) => {
          const message = (err && err.message) || String(err);
          send({ id: msg.id, error: err instanceof ProtocolError ? { kind: "protocol", message } : classify(err, msg) });
        },
      );
    if (around) around(msg, run);
    else run();
  };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", line);
  rl.on("close", () => {
    if (!shuttingDown) process.exit(0);
  });
  process.on("unhandledRejection", (e) => {
    process.stderr.write(`bridge server: unhandled rejection: ${(e && e.stack) || e}\n`);
  });
}

module.exports = { PROTOCOL, ProtocolError, protocolError, checkHello, serveLines };

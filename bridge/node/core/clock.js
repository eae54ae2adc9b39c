// The script's clock: one global instant that the scenarios move by hand.
//
// Requiring this module replaces the global `Date` with a subclass whose no-argument
// constructor and `Date.now()` return that instant. It must be required BEFORE next-auth,
// the adapter, TypeORM or the drivers are loaded, so that every `new Date()` they make (core's
// `emailVerified`, the adapter's session expiry, the cookie expiry) sees the script's time,
// and so does the bridge client's `now` (`Date.now() * 1000`). `new Date(x)` and every other
// use are the real `Date`.
//
// Unlike bridge/node/server.js (one clock per request, in an AsyncLocalStorage), there is a
// single clock here: one browser, one server and one adapter live in one process and must
// agree on the time, as they would in a deployment. The instant stands still between moves:
// every instant a scenario sees is exact, so rows can be compared to the millisecond.
// Timers are not faked: the database drivers and the HTTP stack need real ones.
"use strict";

const RealDate = Date;

// 2026-01-15T10:30:00Z, the harness's start instant (harness/src/context.rs).
const START = RealDate.UTC(2026, 0, 15, 10, 30, 0);

let nowMs = START;

class FakeDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(nowMs);
    } else {
      super(...args);
    }
  }

  static now() {
    return nowMs;
  }
}

if (global.Date !== RealDate || RealDate.name !== "Date") {
  throw new Error("clock.js: the global Date was already replaced; require clock.js once, first");
}
global.Date = FakeDate;

function toMs(instant) {
  const ms = typeof instant === "number" ? instant : new RealDate(instant).getTime();
  if (!Number.isFinite(ms)) throw new Error(`clock: not an instant: ${String(instant)}`);
  return ms;
}

module.exports = {
  RealDate,
  START,
  /** The current instant, milliseconds since the epoch. */
  now: () => nowMs,
  /** Moves the clock to an instant (ms, Date or RFC 3339 string). */
  set(instant) {
    nowMs = toMs(instant);
  },
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms) {
    nowMs += ms;
  },
  /** The current instant as an RFC 3339 string. */
  iso: () => new RealDate(nowMs).toISOString(),
};

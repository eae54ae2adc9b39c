// The scenarios of the Auth.js real-core lane: what users do in a browser, through @auth/core's
// real handler, against one npm adapter in one namespace. Each resolves to
// {effect: "shown" | "absent", detail, requests?, ...}; a step that leaves nothing sensible to
// judge (a baseline that does not sign in, an OAuth round trip the mock refused) throws a
// LaneError: the lane itself is broken, not the adapter's effect absent.
"use strict";

const { randomBytes } = require("crypto");
const { Browser } = require("../../core/browser");
const { SESSION_COOKIE } = require("./app");

class LaneError extends Error {}

const hex = (n = 6) => randomBytes(n).toString("hex");

// A cell's context: {app, mock, module, dialect, raw, log, options: {rounds, concurrency}}.
class Steps {
  constructor(cell) {
    Object.assign(this, cell);
    this.callbackUrl = `${cell.app.baseUrl}/dashboard`;
  }

  // The app's request records served from index `from` on, compacted for the outcome.
  served(from) {
    return this.app.requests.slice(from).map((r) => {
      const out = { request: r.request, status: r.status };
      if (r.location) out.location = r.location.replace(this.app.baseUrl, "");
      out.calls = r.calls.map((c) => `${c.method}${c.error ? ` ✗ ${c.error.split("\n")[0].slice(0, 160)}` : ` → ${c.result}`}`);
      if (r.logged.length) out.logged = r.logged;
      return out;
    });
  }

  async csrf(b) {
    const r = await b.get(`${this.app.api}/csrf`);
    const token = r.json && r.json.csrfToken;
    if (r.status !== 200 || typeof token !== "string") throw new LaneError(`GET /api/auth/csrf: ${r.status} ${r.text.slice(0, 200)}`);
    return token;
  }

  /** Asks for a sign-in link for `email` (the sign-in form's POST): the URL core mailed. */
  async requestLink(b, email) {
    const csrfToken = await this.csrf(b);
    const before = this.app.outbox.length;
    const r = await b.post(`${this.app.api}/signin/email`, { email, csrfToken, callbackUrl: this.callbackUrl });
    const mailed = this.app.outbox.slice(before).filter((m) => m.identifier === email);
    if (r.status !== 302 || !/\/api\/auth\/verify-request\?/.test(r.location || "") || mailed.length !== 1) {
      throw new LaneError(`POST /api/auth/signin/email for ${email}: ${r.status} → ${r.location}, ${mailed.length} link(s) mailed`);
    }
    return mailed[0].url;
  }

  /**
   * Opens `url` (a sign-in link or an OAuth callback) in `b`: {r, signedIn, sessionToken}.
   * Signed in: core redirected to the callback URL and set a session cookie (whether a session
   * row holds it is for the caller to check against the stored rows).
   */
  async open(b, url) {
    const r = await b.get(url);
    const cookie = r.setCookie.find((c) => c.name === SESSION_COOKIE && c.value);
    const signedIn = r.status === 302 && r.location === this.callbackUrl && Boolean(cookie);
    return { r, signedIn, sessionToken: cookie ? cookie.value : null };
  }

  /** The stored sessions, read around the adapter: [{sessionToken, userId, expires}]. */
  async sessions() {
    const read = this.module.stored[this.dialect].sessions;
    return typeof read === "function" ? read(this.raw) : this.raw.query(read);
  }

  async verificationTokens() {
    return this.stored("verificationTokens");
  }

  /** The stored users: [{id, name, email, emailVerified, image}]. */
  async users() {
    return this.stored("users");
  }

  /** The stored accounts: [{userId, type, provider, providerAccountId, …}]. */
  async accounts() {
    return this.stored("accounts");
  }

  async stored(table) {
    const read = this.module.stored[this.dialect][table];
    return typeof read === "function" ? read(this.raw) : this.raw.query(read);
  }

  /** GET /api/auth/session in `b`: the session object core returns (null when signed out). */
  async session(b) {
    const r = await b.get(`${this.app.api}/session`);
    if (r.status !== 200) throw new LaneError(`GET /api/auth/session: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json;
  }

  /** A full e-mail sign-in of `email` in `b` that must work: the session token. */
  async emailSignIn(b, email) {
    const url = await this.requestLink(b, email);
    const o = await this.open(b, url);
    const rows = await this.sessions();
    if (!o.signedIn || !rows.some((s) => s.sessionToken === o.sessionToken)) {
      throw new LaneError(`signing in ${email} by its link: ${o.r.status} → ${o.r.location}, session cookie ${o.sessionToken ? "set" : "not set"}`);
    }
    return o.sessionToken;
  }

  /**
   * An OAuth sign-in at the mock provider as `profile` ({id, email, name}) in `b`: the
   * sign-in POST, the provider's authorize redirect, core's callback. Resolves to the last
   * response's open() result.
   */
  async oauthSignIn(b, profile) {
    this.mock.signIn("mock", profile);
    return this.open(b, await this.oauthAuthorize(b));
  }

  /**
   * The first two steps of an OAuth sign-in in `b` as whoever is signed in at the mock: the
   * sign-in POST and the provider's authorize redirect. Resolves to the callback URL the
   * provider sent the browser to (not opened yet).
   */
  async oauthAuthorize(b) {
    const csrfToken = await this.csrf(b);
    const start = await b.post(`${this.app.api}/signin/mock`, { csrfToken, callbackUrl: this.callbackUrl });
    if (start.status !== 302 || !start.location || !start.location.startsWith(`${this.mock.origin}/mock/authorize?`)) {
      throw new LaneError(`POST /api/auth/signin/mock: ${start.status} → ${start.location}`);
    }
    const authorize = await b.get(start.locationUrl);
    if (authorize.status !== 302 || !authorize.location || !authorize.location.startsWith(`${this.app.api}/callback/mock?`)) {
      throw new LaneError(`the mock's authorize: ${authorize.status} → ${authorize.location} ${authorize.text.slice(0, 200)}`);
    }
    return authorize.locationUrl;
  }

  /** POST /api/auth/signout in `b` with `csrfToken`: the response. */
  async signOut(b, csrfToken) {
    return b.post(`${this.app.api}/signout`, { csrfToken, callbackUrl: this.callbackUrl });
  }

  checkMock() {
    if (this.mock.problems.length) throw new LaneError(`the OAuth mock refused: ${this.mock.problems.join("; ")}`);
  }
}

// ---------------------------------------------------------------------------------------

/** Baseline: one link, one callback, a session row, and the session endpoint's user. */
async function emailSignIn(s) {
  const from = s.app.requests.length;
  const email = `baseline-${hex()}@example.com`;
  const b = new Browser("user");
  const token = await s.emailSignIn(b, email);
  const session = await s.session(b);
  if (!session || !session.user || session.user.email !== email) {
    throw new LaneError(`GET /api/auth/session after signing in ${email}: ${JSON.stringify(session)}`);
  }
  return {
    effect: "absent",
    detail: `${email} signed in by its link: a session row (${token.slice(0, 8)}…) and /api/auth/session returns the user`,
    requests: s.served(from),
  };
}

/**
 * X1: one link opened by N callbacks at once (N browsers, one of them the user's, the others
 * wherever the link went), in up to `rounds` rounds, each a fresh link for the same returning
 * user; shown at the first round where more than one callback ends signed in (a session cookie
 * whose session row exists).
 */
async function linkUsedConcurrently(s) {
  const { rounds, concurrency } = s.options;
  const email = `race-${hex()}@example.com`;
  // A returning user: the race is the link's, not the first sign-up's (a new user's
  // concurrent callbacks would also race on createUser, which the user's unique e-mail
  // decides).
  await s.emailSignIn(new Browser("sign-up"), email);
  const per = [];
  for (let round = 1; round <= rounds; round++) {
    const url = await s.requestLink(new Browser("asker"), email);
    const from = s.app.requests.length;
    const browsers = Array.from({ length: concurrency }, (_, i) => new Browser(`tab-${i}`));
    const results = await Promise.all(browsers.map((b) => s.open(b, url)));
    const rows = await s.sessions();
    const signedIn = results.filter((o) => o.signedIn && rows.some((r) => r.sessionToken === o.sessionToken));
    per.push(signedIn.length);
    s.log(`    round ${round}: ${signedIn.length} of ${concurrency} callbacks signed in`);
    if (signedIn.length === 0) throw new LaneError(`round ${round}: none of ${concurrency} concurrent callbacks of a fresh link signed in`);
    if (signedIn.length > 1) {
      return {
        effect: "shown",
        detail: `one sign-in link opened by ${concurrency} concurrent callbacks signed in ${signedIn.length} times (${signedIn.length} session cookies, each with its session row) in round ${round} of at most ${rounds}`,
        rounds: { run: round, max: rounds, concurrency, signedInPerRound: per },
        requests: s.served(from),
      };
    }
  }
  return {
    effect: "absent",
    detail: `in each of ${rounds} rounds, exactly one of ${concurrency} concurrent callbacks of a fresh link signed in`,
    rounds: { run: rounds, max: rounds, concurrency, signedInPerRound: per },
  };
}

/** Control: one link opened twice, one after the other; shown when the second also signs in. */
async function linkUsedTwice(s) {
  const from = s.app.requests.length;
  const email = `twice-${hex()}@example.com`;
  const url = await s.requestLink(new Browser("user"), email);
  const first = await s.open(new Browser("first"), url);
  if (!first.signedIn) throw new LaneError(`the link's first use did not sign in: ${first.r.status} → ${first.r.location}`);
  const second = await s.open(new Browser("second"), url);
  const rows = await s.sessions();
  const again = second.signedIn && rows.some((r) => r.sessionToken === second.sessionToken);
  return {
    effect: again ? "shown" : "absent",
    detail: again
      ? "the link's second use, after the first signed in, signed in again"
      : `the link's second use was refused: ${second.r.status} → ${(second.r.location || "").replace(s.app.baseUrl, "")}`,
    requests: s.served(from),
  };
}

/**
 * S1: someone calls back with a wrong token for the user's address (core refuses it), then
 * the user opens the real link; shown when the real link no longer signs in.
 */
async function wrongLinkSpendsRightOne(s) {
  const from = s.app.requests.length;
  const email = `victim-${hex()}@example.com`;
  const url = await s.requestLink(new Browser("user"), email);
  const wrongUrl = new URL(url);
  wrongUrl.searchParams.set("token", randomBytes(32).toString("hex"));
  const wrong = await s.open(new Browser("attacker"), wrongUrl.toString());
  if (wrong.signedIn) throw new LaneError("core signed in with a wrong token");
  const refused = `${wrong.r.status} → ${(wrong.r.location || "").replace(s.app.baseUrl, "")}`;
  const left = (await s.verificationTokens()).filter((t) => t.identifier === email).length;
  const right = await s.open(new Browser("user"), url);
  const rows = await s.sessions();
  const works = right.signedIn && rows.some((r) => r.sessionToken === right.sessionToken);
  return {
    effect: works ? "absent" : "shown",
    detail: works
      ? `core refused the wrong token (${refused}); the address's link was kept (${left} stored) and then signed in`
      : `core refused the wrong token (${refused}), and it spent the real link: ${left} verification token(s) left for the address, and the real link then got ${right.r.status} → ${(right.r.location || "").replace(s.app.baseUrl, "")}`,
    requests: s.served(from),
  };
}

/**
 * X2 (the account half): user A signs in with provider account id "AbC-<n>"; another person
 * signs in at the same provider with "abc-<n>" and another address; shown when the second
 * sign-in ends in A's account (its session row names A's user).
 */
async function accountIdCase(s) {
  const n = hex(4);
  const a = { id: `AbC-${n}`, email: `a-${n}@example.com`, name: "A" };
  const other = { id: `abc-${n}`, email: `b-${n}@example.com`, name: "B" };
  const ba = new Browser("A");
  const first = await s.oauthSignIn(ba, a);
  s.checkMock();
  let rows = await s.sessions();
  const rowA = rows.find((r) => r.sessionToken === first.sessionToken);
  if (!first.signedIn || !rowA) throw new LaneError(`A's OAuth sign-in: ${first.r.status} → ${first.r.location}`);
  const from = s.app.requests.length;
  const bb = new Browser("B");
  const second = await s.oauthSignIn(bb, other);
  s.checkMock();
  rows = await s.sessions();
  const rowB = second.signedIn ? rows.find((r) => r.sessionToken === second.sessionToken) : undefined;
  if (!rowB) {
    return {
      effect: "absent",
      detail: `B's sign-in as "${other.id}" did not sign in: ${second.r.status} → ${(second.r.location || "").replace(s.app.baseUrl, "")}`,
      requests: s.served(from),
    };
  }
  const sessionB = await s.session(bb);
  const shown = String(rowB.userId) === String(rowA.userId);
  return {
    effect: shown ? "shown" : "absent",
    detail: shown
      ? `B, signing in with provider account id "${other.id}" and ${other.email}, got a session of A's user (${rowA.userId}, "${a.id}"); /api/auth/session shows B ${sessionB && sessionB.user && sessionB.user.email}`
      : `B, signing in with "${other.id}", got a user of its own (${rowB.userId}, A's is ${rowA.userId}); /api/auth/session shows ${sessionB && sessionB.user && sessionB.user.email}`,
    requests: s.served(from),
  };
}

/**
 * A first OAuth sign-in made twice at once: one new person (one provider account id, one
 * address) goes through two authorize round trips (two tabs), then both callbacks reach core
 * together. Each callback finds no account and no user, so each creates a user and links the
 * account: shown when afterwards more than one user has the address or more than one account
 * row has the (provider, providerAccountId). Up to `rounds` rounds, a fresh person each; stops
 * at the first round that shows it.
 */
async function oauthFirstSignInConcurrently(s) {
  const { rounds } = s.options;
  const per = [];
  for (let round = 1; round <= rounds; round++) {
    const n = hex(4);
    const profile = { id: `first-${n}`, email: `first-${n}@example.com`, name: `First ${n}`, image: `https://avatars.example.com/${n}.png` };
    s.mock.signIn("mock", profile);
    const tabs = [new Browser("tab-1"), new Browser("tab-2")];
    const callbacks = await Promise.all(tabs.map((b) => s.oauthAuthorize(b)));
    const from = s.app.requests.length;
    const results = await Promise.all(tabs.map((b, i) => s.open(b, callbacks[i])));
    s.checkMock();
    const users = (await s.users()).filter((u) => u.email === profile.email);
    const accounts = (await s.accounts()).filter((a) => a.provider === "mock" && a.providerAccountId === profile.id);
    const rows = await s.sessions();
    const signedIn = results.filter((o) => o.signedIn && rows.some((r) => r.sessionToken === o.sessionToken)).length;
    per.push({ signedIn, users: users.length, accounts: accounts.length });
    s.log(`    round ${round}: ${signedIn} of 2 callbacks signed in; ${users.length} user(s), ${accounts.length} account(s)`);
    if (signedIn === 0 && users.length === 0) {
      throw new LaneError(`round ${round}: neither of two concurrent OAuth callbacks of a new person signed in, and no user was made`);
    }
    if (users.length > 1 || accounts.length > 1) {
      return {
        effect: "shown",
        detail: `two concurrent first OAuth callbacks of one person (account "${profile.id}", ${profile.email}) left ${users.length} user row(s) with the address and ${accounts.length} account row(s) for (mock, "${profile.id}"); ${signedIn} of 2 signed in; round ${round} of at most ${rounds}`,
        rounds: { run: round, max: rounds, perRound: per },
        requests: s.served(from),
      };
    }
  }
  return {
    effect: "absent",
    detail: `in each of ${rounds} rounds, two concurrent first OAuth callbacks of one person left one user and one account`,
    rounds: { run: rounds, max: rounds, perRound: per },
  };
}

/**
 * A new address's first sign-in made twice at once: two links asked for (two tabs), both
 * opened together. Each callback finds no user with the address and creates one: shown when
 * afterwards more than one user row has the address. Up to `rounds` rounds, a fresh address
 * each; stops at the first round that shows it.
 */
async function emailNewUserConcurrently(s) {
  const { rounds } = s.options;
  const per = [];
  for (let round = 1; round <= rounds; round++) {
    const email = `new-${hex()}@example.com`;
    // One after the other: requestLink tells its link by the address.
    const links = [await s.requestLink(new Browser("tab-1"), email), await s.requestLink(new Browser("tab-2"), email)];
    const from = s.app.requests.length;
    const results = await Promise.all(links.map((url, i) => s.open(new Browser(`opener-${i + 1}`), url)));
    const users = (await s.users()).filter((u) => u.email === email);
    const rows = await s.sessions();
    const signedIn = results.filter((o) => o.signedIn && rows.some((r) => r.sessionToken === o.sessionToken)).length;
    per.push({ signedIn, users: users.length });
    s.log(`    round ${round}: ${signedIn} of 2 callbacks signed in; ${users.length} user(s)`);
    if (signedIn === 0 && users.length === 0) {
      throw new LaneError(`round ${round}: neither of two concurrent sign-in links of a new address signed in, and no user was made`);
    }
    if (users.length > 1) {
      return {
        effect: "shown",
        detail: `two sign-in links of one new address (${email}) opened at once left ${users.length} user rows with that address; ${signedIn} of 2 signed in; round ${round} of at most ${rounds}`,
        rounds: { run: round, max: rounds, perRound: per },
        requests: s.served(from),
      };
    }
  }
  return {
    effect: "absent",
    detail: `in each of ${rounds} rounds, two sign-in links of one new address opened at once left one user`,
    rounds: { run: rounds, max: rounds, perRound: per },
  };
}

const WINDOW = "between the read's getSessionAndUser and its updateSession";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// `fn()` after `ms` milliseconds (at once when ms ≤ 0).
const after = (ms, fn) => (ms > 0 ? sleep(ms).then(fn) : fn());

/**
 * A session read racing its sign-out. With `updateAge: 0` every GET /api/auth/session of a
 * live session calls updateSession after getSessionAndUser (lib/actions/session.js: the update
 * is due when expires − maxAge + updateAge ≤ now). The user signs in by e-mail, then reads
 * the session in one tab while signing out in another (POST /api/auth/signout with the CSRF
 * token; the tabs share the browser's cookies), at once: shown when, after both answered and the sign-out succeeded (a redirect, the cookie
 * cleared, deleteSession returned), the session row still exists: the read's updateSession
 * brought it back. Up to `rounds` rounds, a fresh user each; the sign-out starts `offset` ms
 * after the read (0 in the first round; a negative offset starts the read that long after the
 * sign-out), moved by 1 ms each round towards the window between the read's
 * getSessionAndUser and its updateSession (later when the delete came before the read found
 * the row, sooner when it came during or after the read's update).
 */
async function sessionReadDuringSignOut(s) {
  const { rounds } = s.options;
  return s.app.withSession({ updateAge: 0 }, async () => {
    const per = [];
    let offset = 0;
    for (let round = 1; round <= rounds; round++) {
      const email = `reader-${hex()}@example.com`;
      const b = new Browser("user");
      const token = await s.emailSignIn(b, email);
      const csrfToken = await s.csrf(b);
      const from = s.app.requests.length;
      const [read, out] = await Promise.all([after(-offset, () => b.get(`${s.app.api}/session`)), after(offset, () => s.signOut(b, csrfToken))]);
      const recs = s.app.requests.slice(from);
      const readRec = recs.find((r) => r.request === "GET /api/auth/session");
      const outRec = recs.find((r) => r.request === "POST /api/auth/signout");
      if (recs.length !== 2 || !readRec || !outRec) throw new LaneError(`round ${round}: the app served ${JSON.stringify(recs.map((r) => r.request))}, not the read and the sign-out`);
      const del = outRec.calls.find((c) => c.method === "deleteSession");
      const cleared = out.setCookie.some((c) => c.name === SESSION_COOKIE && (c.value === "" || c.maxAge === 0));
      if (out.status !== 302 || !cleared || !del || del.error) {
        throw new LaneError(
          `round ${round}: the sign-out did not succeed: ${out.status} → ${out.location}, cookie ${cleared ? "cleared" : "not cleared"}, deleteSession ${del ? del.error || "returned" : "not called"}`,
        );
      }
      const found = readRec.calls.find((c) => c.method === "getSessionAndUser");
      const update = readRec.calls.find((c) => c.method === "updateSession");
      // Where the delete fell: before the read found the row (the read makes no update), in
      // the window between the read's getSessionAndUser and its updateSession, during the
      // update, or after it.
      let where;
      if (!found || !update) where = "before the read";
      else if (del.done <= update.at) where = WINDOW;
      else if (del.at >= update.done) where = "after the update";
      else where = "during the update";
      const rows = await s.sessions();
      const back = rows.some((r) => r.sessionToken === token);
      per.push({ offsetMs: offset, deleteFell: where, readStatus: read.status, update: update ? update.error || update.result : "not called", rowAfter: back });
      s.log(`    round ${round} (sign-out ${offset >= 0 ? "+" : ""}${offset} ms): the delete fell ${where}; updateSession ${update ? update.error || update.result : "not called"}; the row ${back ? "EXISTS" : "is gone"}`);
      if (back) {
        return {
          effect: "shown",
          detail: `a session read (updateAge 0) at once with its sign-out: the sign-out answered ${out.status} → ${(out.location || "").replace(s.app.baseUrl, "")} and cleared the cookie, its deleteSession returned, and afterwards the session row exists again (the delete fell ${where}); round ${round} of at most ${rounds}`,
          rounds: { run: round, max: rounds, perRound: per },
          requests: s.served(from),
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
      detail: `in each of ${rounds} rounds a session read (updateAge 0) at once with its sign-out left no session row; the delete fell ${Object.entries(fell)
        .map(([w, k]) => `${w} in ${k}`)
        .join(", ")}`,
      rounds: { run: rounds, max: rounds, perRound: per },
    };
  });
}

/**
 * A user who signed up by OAuth (a name and an image from the provider) signs in by e-mail
 * with the same address. Core finds the user by the address and calls updateUser with
 * { id, emailVerified } only (lib/actions/callback/handle-login.js): shown when the stored
 * user lost its name or its image.
 */
async function emailExistingUserVerified(s) {
  const n = hex(4);
  const profile = { id: `ada-${n}`, email: `ada-${n}@example.com`, name: `Ada ${n}`, image: `https://avatars.example.com/ada-${n}.png` };
  const first = await s.oauthSignIn(new Browser("oauth"), profile);
  s.checkMock();
  const before = (await s.users()).filter((u) => u.email === profile.email);
  if (!first.signedIn || before.length !== 1 || before[0].name !== profile.name || before[0].image !== profile.image) {
    throw new LaneError(`the OAuth sign-up of ${profile.email}: ${first.r.status} → ${first.r.location}, stored ${JSON.stringify(before)}`);
  }
  const from = s.app.requests.length;
  const b = new Browser("e-mail");
  await s.emailSignIn(b, profile.email);
  const after = (await s.users()).filter((u) => u.email === profile.email);
  const session = await s.session(b);
  const user = after.find((u) => String(u.id) === String(before[0].id));
  if (!user) throw new LaneError(`after the e-mail sign-in of ${profile.email} the user ${before[0].id} is gone: ${JSON.stringify(after)}`);
  const lost = ["name", "image"].filter((k) => user[k] !== before[0][k]);
  const stored = `name ${JSON.stringify(user.name)}, image ${JSON.stringify(user.image)}, emailVerified ${JSON.stringify(user.emailVerified)}`;
  const shownUser = session && session.user ? `name ${JSON.stringify(session.user.name)}, image ${JSON.stringify(session.user.image)}` : JSON.stringify(session);
  return {
    effect: lost.length ? "shown" : "absent",
    detail: lost.length
      ? `the e-mail sign-in of a user who signed up by OAuth lost its ${lost.join(" and ")}: stored ${stored} (was name ${JSON.stringify(profile.name)}, image ${JSON.stringify(profile.image)}); /api/auth/session shows ${shownUser}`
      : `the e-mail sign-in of a user who signed up by OAuth kept its name and image: stored ${stored}`,
    requests: s.served(from),
  };
}

const SCENARIOS = {
  "email.sign-in": emailSignIn,
  "email.link-used-twice": linkUsedTwice,
  "email.link-used-concurrently": linkUsedConcurrently,
  "email.wrong-link-spends-right-one": wrongLinkSpendsRightOne,
  "oauth.account-id-case": accountIdCase,
  "oauth.first-sign-in-concurrently": oauthFirstSignInConcurrently,
  "email.new-user-concurrently": emailNewUserConcurrently,
  "session.read-during-sign-out": sessionReadDuringSignOut,
  "email.existing-user-verified": emailExistingUserVerified,
};

module.exports = { SCENARIOS, Steps, LaneError };

// The user's browser, as far as next-auth@3 cares: a cookie jar and `fetch` with redirects
// followed by hand (`redirect: "manual"`), so that every hop is visible to the scenario.
//
// Cookies follow RFC 6265 closely enough for next-auth's: host-only (ports are ignored, as
// browsers do), path prefix, `Max-Age` before `Expires`, and expiry judged by the script's
// fake clock (`Date.now()`), since the browser lives in the same fake time as the server.
"use strict";

// One `Set-Cookie` header: name, raw value and attributes.
function parseSetCookie(header) {
  const [pair, ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: null, maxAge: null, expires: null, httpOnly: false, secure: false, sameSite: null };
  for (const a of attrs) {
    const i = a.indexOf("=");
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : a.slice(i + 1).trim();
    if (key === "path") cookie.path = val;
    else if (key === "max-age") cookie.maxAge = Number(val);
    else if (key === "expires") cookie.expires = Date.parse(val);
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "secure") cookie.secure = true;
    else if (key === "samesite") cookie.sameSite = val;
  }
  return cookie;
}

function pathMatches(cookiePath, requestPath) {
  return requestPath === cookiePath || requestPath.startsWith(cookiePath.endsWith("/") ? cookiePath : `${cookiePath}/`);
}

class Browser {
  constructor(label) {
    this.label = label;
    this.jar = new Map(); // `${host} ${path} ${name}` → {name, value, host, path, expiresMs, httpOnly}
  }

  // Stores what a response's Set-Cookie headers say, for the URL it came from.
  store(url, setCookie) {
    const u = new URL(url);
    for (const header of setCookie) {
      const c = parseSetCookie(header);
      if (c.secure && u.protocol !== "https:") continue; // a browser ignores Secure over http
      const path = c.path || u.pathname.replace(/\/[^/]*$/, "") || "/";
      const key = `${u.hostname} ${path} ${c.name}`;
      let expiresMs = null;
      if (c.maxAge !== null && Number.isFinite(c.maxAge)) expiresMs = Date.now() + c.maxAge * 1000;
      else if (c.expires !== null && Number.isFinite(c.expires)) expiresMs = c.expires;
      if (expiresMs !== null && expiresMs <= Date.now()) {
        this.jar.delete(key);
        continue;
      }
      this.jar.set(key, { name: c.name, value: c.value, host: u.hostname, path, expiresMs, httpOnly: c.httpOnly });
    }
  }

  // The cookies a request to `url` carries now (expired ones are dropped).
  cookiesFor(url) {
    const u = new URL(url);
    const out = [];
    for (const [key, c] of this.jar) {
      if (c.expiresMs !== null && c.expiresMs <= Date.now()) {
        this.jar.delete(key);
        continue;
      }
      if (c.host === u.hostname && pathMatches(c.path, u.pathname)) out.push(c);
    }
    return out.sort((a, b) => b.path.length - a.path.length);
  }

  /** The value of cookie `name` for `url`, or undefined. */
  cookie(url, name) {
    const c = this.cookiesFor(url).find((x) => x.name === name);
    return c && c.value;
  }

  /** The stored cookie record (with `expiresMs`), or undefined. */
  cookieRecord(url, name) {
    return this.cookiesFor(url).find((x) => x.name === name);
  }

  /** Puts a cookie in the jar by hand (a stale tab, a copied cookie). */
  setCookie(url, name, value) {
    this.store(url, [`${name}=${value}; Path=/`]);
  }

  /**
   * One request, no redirect followed. `form`: an object sent as
   * application/x-www-form-urlencoded, as an HTML form posts it. Resolves to
   * {status, location, locationUrl, setCookie: [parsed], headers, text, json}.
   */
  async request(method, url, { form } = {}) {
    const headers = {};
    const cookies = this.cookiesFor(url);
    if (cookies.length) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    let body;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(url, { method, headers, body, redirect: "manual" });
    const setCookie = response.headers.getSetCookie();
    this.store(url, setCookie);
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch (_) {
      json = undefined;
    }
    const location = response.headers.get("location");
    return {
      status: response.status,
      // As the server wrote it (a browser resolves it against `url` to follow it).
      location,
      locationUrl: location === null ? null : new URL(location, url).toString(),
      setCookie: setCookie.map(parseSetCookie),
      headers: response.headers,
      text,
      json,
    };
  }

  get(url) {
    return this.request("GET", url);
  }

  post(url, form) {
    return this.request("POST", url, { form });
  }
}

module.exports = { Browser, parseSetCookie };

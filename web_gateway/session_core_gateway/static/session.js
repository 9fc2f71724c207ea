/**
 * session.js: the browser helper of session-core (a dependency-free ES module).
 *
 *     import { initSession } from "/session.js";
 *     const session = initSession({ apiOrigins: ["https://api.example.com"] });
 *     const answer = await session.fetch("https://api.example.com/me");
 *
 * It wraps `fetch` and `XMLHttpRequest` for the configured API origins: it sends the
 * session along (cookies, or an Authorization header), adds the anti-CSRF header, and
 * when the server answers 401 `sc-session-error: try-refresh-token` it refreshes the
 * session once, under a lock shared by every tab of the site, then retries the request.
 * Requests to any other origin are passed through untouched. A wrapped request that
 * carries a secret never follows a redirect, and nothing is kept from an answer that
 * came from any other origin.
 *
 * Nothing here is proof of anything: the front token is information for the page. With
 * cookie transport the tokens themselves stay in HttpOnly cookies this script never sees.
 * See docs/session-js.md for the options, events, lock behaviour and limits.
 */

/** Request and response headers (lower case), as the server's driver names them. */
const HEADER = Object.freeze({
  sessionError: "sc-session-error",
  antiCsrf: "sc-anti-csrf",
  customHeader: "sc-requested-with",
  accessToken: "sc-access-token",
  refreshToken: "sc-refresh-token",
  frontToken: "sc-front-token",
  authorization: "authorization",
});
const FRONT_TOKEN_REMOVED = "remove";
const TRY_REFRESH = "try-refresh-token";
const UNAUTHORISED = "unauthorised";
const THEFT = "token-theft-detected";

/** localStorage keys: our own prefix, so several apps on one origin never collide. */
const STORE = Object.freeze({
  antiCsrf: "session-core.anti-csrf",
  accessToken: "session-core.access-token",
  refreshToken: "session-core.refresh-token",
  frontToken: "session-core.front-token",
  lease: "session-core.refresh-lease",
});
const LOCK_NAME = "session-core.refresh";

/** Fallback lock timings, in milliseconds. */
const LEASE_MS = 3000; // a crashed tab blocks the others at most this long
const LEASE_SETTLE_MS = 50; // time for a rival's write to reach us before we re-check
const LEASE_POLL_MS = 30;
const LOCK_WAIT_MS = 20000; // give up (and surface the 401) rather than hang forever
const REFRESH_TIMEOUT_MS = 10000; // the default of `refreshTimeoutMs`
/** The front cookie's names, looked up in this order when `frontCookie` is not given. */
const FRONT_COOKIES = Object.freeze(["__Host-sc_front", "__Secure-sc_front", "sc_front"]);
/** Request headers whose values are secrets: they never follow a redirect. */
const SECRET_HEADERS = new Set([HEADER.antiCsrf, HEADER.authorization, HEADER.refreshToken]);

/**
 * @typedef {object} SessionOptions
 * @property {string[]} [apiOrigins] origins whose requests are wrapped
 * @property {boolean} [includeOwnOrigin] also wrap the page's own origin (default true)
 * @property {string} [refreshUrl] the refresh endpoint (default "/auth/refresh")
 * @property {string} [signOutUrl] the sign-out endpoint (default "/auth/signout")
 * @property {"cookie"|"header"} [transport] how tokens travel (default "cookie")
 * @property {"token"|"custom_header"|"none"} [antiCsrf] must match the server's mode;
 *   default "custom_header" (what the driver derives for SameSite=Lax cookies)
 * @property {number} [maxRefreshAttempts] refreshes per original request (default 2)
 * @property {string} [frontCookie] the readable front cookie's full name; by default the
 *   first present of "__Host-sc_front", "__Secure-sc_front", "sc_front"
 * @property {number} [refreshTimeoutMs] how long a refresh (answer and body) may take
 *   (default 10000)
 */

/** @typedef {{uid: string, ate: number, claims: Record<string, unknown>}} FrontToken */

// Captured at load, before anything is patched, so our own calls never loop through us.
const nativeFetch = globalThis.fetch.bind(globalThis);
const XHR = globalThis.XMLHttpRequest?.prototype;
const nativeXhr = XHR && { open: XHR.open, send: XHR.send, setHeader: XHR.setRequestHeader };

/** @type {Session | null} the instance the patched fetch/XHR consult (set before patching) */
let active = null;

/**
 * Create the page's session helper and patch `window.fetch` and `XMLHttpRequest`.
 *
 * Calling it again replaces the previous configuration (the patches consult the latest).
 * @param {SessionOptions} [options]
 * @returns {Session}
 */
export function initSession(options = {}) {
  active = new Session(options);
  globalThis.fetch = (input, init) => active.fetch(input, init);
  if (nativeXhr) patchXhr();
  return active;
}

/** The session as this page sees it, plus the wrapped fetch. Events: see `EVENTS`. */
export class Session extends EventTarget {
  /** @param {SessionOptions} options */
  constructor(options) {
    super();
    const here = globalThis.location?.href;
    this.transport = oneOf("transport", options.transport ?? "cookie", ["cookie", "header"]);
    const modes = ["token", "custom_header", "none"];
    this.antiCsrf = oneOf("antiCsrf", options.antiCsrf ?? "custom_header", modes);
    this.maxRefreshAttempts = options.maxRefreshAttempts ?? 2;
    if (!Number.isInteger(this.maxRefreshAttempts) || this.maxRefreshAttempts < 0) {
      throw new TypeError("session.js: maxRefreshAttempts must be a whole number >= 0");
    }
    this.frontCookie = options.frontCookie ?? null; // null: look up FRONT_COOKIES
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? REFRESH_TIMEOUT_MS;
    if (!(Number.isFinite(this.refreshTimeoutMs) && this.refreshTimeoutMs > 0)) {
      throw new TypeError("session.js: refreshTimeoutMs must be a number > 0");
    }
    this.refreshUrl = new URL(options.refreshUrl ?? "/auth/refresh", here).href;
    this.signOutUrl = new URL(options.signOutUrl ?? "/auth/signout", here).href;
    this.origins = new Set((options.apiOrigins ?? []).map((o) => new URL(o, here).origin));
    if (options.includeOwnOrigin ?? true) this.origins.add(new URL(here).origin);
    this.origins.add(new URL(this.refreshUrl).origin).add(new URL(this.signOutUrl).origin);
  }

  // ---- what the page may read (never a token) ----

  doesSessionExist() {
    return this.#frontToken() !== null;
  }

  /** @returns {string | null} */
  getUserId() {
    return this.#frontToken()?.uid ?? null;
  }

  /** @returns {Record<string, unknown> | null} */
  getClaims() {
    return this.#frontToken()?.claims ?? null;
  }

  /** @returns {number | null} the access token's expiry, in ms since the epoch */
  getAccessTokenExpiry() {
    return this.#frontToken()?.ate ?? null;
  }

  /** True if `url` (absolute, or relative to the page) is one of ours to wrap. */
  wraps(url) {
    return this.origins.has(new URL(url, globalThis.location?.href).origin);
  }

  // ---- refresh and sign-out ----

  /**
   * Refresh the session now, unless another tab did since this call began.
   *
   * Resolves true when the session is fresh, false when it ended ("expired" or "theft"
   * fired, local state cleared). Rejects on a network error or a 5xx, clearing nothing:
   * the session may well still be valid.
   */
  attemptRefresh() {
    return this.#refreshUnderLock(this.#marker());
  }

  /** Sign out at the server (refreshing first if it asks), clear local state, fire "signed-out". */
  async signOut() {
    const post = () =>
      this.#send(new Request(this.signOutUrl, { method: "POST", redirect: "manual" }));
    const sentWith = this.#marker();
    let answer = await post();
    if (this.#sessionError(answer) === TRY_REFRESH && (await this.#refreshUnderLock(sentWith))) {
      answer = await post(); // the server must know which session to revoke
    }
    this.#clearLocal();
    this.#emit("signed-out");
    return answer.ok;
  }

  // ---- the wrapped fetch ----

  /**
   * `fetch`, with the session added for our origins and one transparent refresh per
   * "try refresh token" answer (at most maxRefreshAttempts per call).
   * @param {RequestInfo | URL} input
   * @param {RequestInit} [init]
   * @returns {Promise<Response>}
   */
  async fetch(input, init) {
    const url = input instanceof Request ? input.url : String(input);
    if (!this.wraps(url)) return nativeFetch(input, init); // untouched: not even re-built
    // Built up front so every retry replays the same body (a stream can be read once).
    const original = new Request(input, init);
    const send = async () => {
      const answer = await this.#send(original.clone());
      return { answer, status: answer.status, error: this.#sessionError(answer) };
    };
    return (await this._retrying(send, original.signal)).answer;
  }

  /**
   * Send with `sendOnce` until the answer needs no refresh, refreshing in between.
   *
   * Only answers marked by the driver (`sc-session-error`) count: an application's own
   * 401 is handed back untouched, so it can never start a refresh loop. At most
   * maxRefreshAttempts refreshes per call; then the last 401 is handed back.
   * @internal shared by the wrapped fetch and XHR
   * A caller's `signal` aborted while waiting for the refresh lock rejects with its reason.
   * @template {{status: number, error: string | null}} A
   * @param {() => Promise<A>} sendOnce @param {AbortSignal} [signal] @returns {Promise<A>}
   */
  async _retrying(sendOnce, signal) {
    for (let attempt = 0; ; attempt += 1) {
      const sentWith = this.#marker();
      const answer = await sendOnce();
      if (!(await this.#refreshedFor(answer, sentWith, attempt, signal))) return answer;
    }
  }

  /** True when `answer` asked for a refresh and one happened (here or in another tab). */
  async #refreshedFor({ status, error }, sentWith, attempt, signal) {
    if (status !== 401 || !error) return false;
    if (error === UNAUTHORISED) this.#emit("unauthorised");
    if (error === THEFT) this.#ended("theft");
    if (error !== TRY_REFRESH || attempt >= this.maxRefreshAttempts) return false;
    try {
      return await this.#refreshUnderLock(sentWith, signal);
    } catch {
      if (signal?.aborted) throw signal.reason; // the caller gave up while we waited
      // Network trouble, a 5xx, a timeout: the caller sees the 401, the session is kept.
      return false;
    }
  }

  /** The answer's `sc-session-error`, unless it came from an origin we do not wrap. */
  #sessionError(answer) {
    return this._trusts(answer.url) ? sessionError(answer) : null;
  }

  /**
   * True if an answer whose final URL is `url` came from one of our origins; an answer
   * without a URL is trusted with nothing. (An opaque redirect has no headers to trust.)
   * @internal
   * @param {string} url
   */
  _trusts(url) {
    return Boolean(url) && this.origins.has(new URL(url).origin);
  }

  /**
   * Send one request with our headers and credentials; keep what the answer hands out.
   *
   * A request carrying one of our secrets (anti-CSRF token, access or refresh token) is
   * sent with `redirect: "manual"` when it would follow redirects: fetch re-sends every
   * header to the redirect target, wherever it is, and the caller cannot see where a
   * redirect leads before it is followed. The caller then gets the opaque redirect
   * (`type: "opaqueredirect"`, status 0). A caller's "error" or "manual" is kept. Nothing
   * is kept from an answer whose final URL is not on one of our origins.
   */
  async #send(request) {
    const headers = new Headers(request.headers);
    let secret = false;
    for (const [name, value] of this._requestHeaders(request.url)) {
      if (headers.has(name)) continue; // the caller's own value wins
      headers.set(name, value);
      secret ||= SECRET_HEADERS.has(name);
    }
    const redirect = secret && request.redirect === "follow" ? "manual" : request.redirect;
    const init = { headers, credentials: "include", redirect };
    const answer = await nativeFetch(new Request(request, init));
    if (this._trusts(answer.url)) this._keepFromAnswer((name) => answer.headers.get(name));
    return answer;
  }

  /**
   * The headers a wrapped request to `url` carries.
   * @internal
   * @param {string} url @returns {[string, string][]}
   */
  _requestHeaders(url) {
    const added = [];
    const csrf = this.antiCsrf === "token" ? read(STORE.antiCsrf) : null;
    if (csrf) added.push([HEADER.antiCsrf, csrf]);
    if (this.antiCsrf === "custom_header") added.push([HEADER.customHeader, "session.js"]);
    if (this.transport === "header") {
      const access = read(STORE.accessToken);
      if (access) added.push([HEADER.authorization, `Bearer ${access}`]);
      // The long-lived token goes to the refresh endpoint only, nowhere else.
      const refresh = read(STORE.refreshToken);
      if (refresh && url === this.refreshUrl) added.push([HEADER.refreshToken, refresh]);
    }
    return added;
  }

  /**
   * Keep the tokens an answer hands out (header transport) and the anti-CSRF token.
   * @internal
   * @param {(name: string) => string | null} header
   */
  _keepFromAnswer(header) {
    const csrf = header(HEADER.antiCsrf);
    if (csrf) write(STORE.antiCsrf, csrf);
    if (this.transport !== "header") return; // cookies are the browser's business
    const front = header(HEADER.frontToken);
    if (front === FRONT_TOKEN_REMOVED) {
      this.#clearLocal();
      return;
    }
    if (front) write(STORE.frontToken, front);
    const access = header(HEADER.accessToken);
    if (access) write(STORE.accessToken, access);
    const refresh = header(HEADER.refreshToken);
    if (refresh) write(STORE.refreshToken, refresh);
  }

  /**
   * Refresh once for every tab: take the lock, then refresh only if nobody did since the
   * failing request was sent (`sentWith`). Two tabs refreshing with one refresh token
   * would look like theft to the server, and it would end the session.
   * @param {string} sentWith the session marker when the failing request was sent
   * @returns {Promise<boolean>}
   */
  #refreshUnderLock(sentWith, signal) {
    return withCrossTabLock(async () => {
      const now = this.#marker();
      if (now && now !== sentWith) return true; // another tab (or call) already refreshed
      return this.#refresh();
    }, signal);
  }

  /** One refresh; the timeout covers the answer and reading its body, so it always ends. */
  async #refresh() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.refreshTimeoutMs);
    try {
      // A refresh endpoint never redirects: one that does is not trusted with anything.
      const init = { method: "POST", signal: abort.signal, redirect: "manual" };
      const answer = await this.#send(new Request(this.refreshUrl, init));
      if (!this._trusts(answer.url) || answer.type === "opaqueredirect") {
        throw new Error("session refresh failed: the refresh endpoint redirected");
      }
      if (answer.ok) {
        this.#emit("refreshed");
        return true;
      }
      if (answer.status !== 401) throw new Error(`session refresh failed: HTTP ${answer.status}`);
      const { reason } = await answer.json().catch((error) => {
        if (abort.signal.aborted) throw error; // timed out: decide nothing, clear nothing
        return {}; // not JSON: an ending like any other
      });
      // Refused for a missing anti-CSRF header: the server kept the session (a
      // configuration mismatch, not an ending), so neither clear it nor say it expired.
      if (reason === "anti_csrf") {
        throw new Error("session refresh refused: anti-CSRF check failed");
      }
      this.#ended(sessionError(answer) === THEFT ? "theft" : "expired");
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- local state ----

  /** What changes whenever any tab refreshes: the front token, or the access token. */
  #marker() {
    if (this.transport === "header") return read(STORE.accessToken) ?? "";
    return this.#frontCookieValue() ?? "";
  }

  /** @returns {FrontToken | null} */
  #frontToken() {
    const text =
      this.transport === "header" ? read(STORE.frontToken) : this.#frontCookieValue();
    return text ? decodeFrontToken(text) : null;
  }

  /** The front cookie: the configured name, else the first of FRONT_COOKIES present. */
  #frontCookieValue() {
    if (this.frontCookie !== null) return readCookie(this.frontCookie);
    for (const name of FRONT_COOKIES) {
      const value = readCookie(name);
      if (value !== null) return value;
    }
    return null;
  }

  /** Forget everything this script keeps; cookie transport's cookies are the server's to clear. */
  #clearLocal() {
    for (const key of [STORE.antiCsrf, STORE.accessToken, STORE.refreshToken, STORE.frontToken]) {
      remove(key);
    }
  }

  #ended(kind) {
    this.#clearLocal();
    this.#emit(kind);
  }

  #emit(kind) {
    this.dispatchEvent(new CustomEvent(kind));
  }
}

/** The event names a Session dispatches. */
export const EVENTS = Object.freeze([
  "refreshed", "expired", "unauthorised", "theft", "signed-out",
]);

/**
 * Decode a front token: base64url (no padding) of UTF-8 JSON. `atob` alone yields Latin-1,
 * so the bytes go through TextDecoder. Null for anything that is not a front token.
 * @param {string} text @returns {FrontToken | null}
 */
export function decodeFrontToken(text) {
  try {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const token = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    const valid = token && typeof token.uid === "string" && typeof token.claims === "object";
    return valid ? token : null;
  } catch {
    return null;
  }
}

function oneOf(name, value, allowed) {
  if (allowed.includes(value)) return value;
  throw new TypeError(`session.js: ${name} must be one of ${allowed.join(", ")}`);
}

/** @param {Response} answer */
function sessionError(answer) {
  return answer.headers.get(HEADER.sessionError);
}

function readCookie(name) {
  for (const part of (globalThis.document?.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}

// localStorage can throw (storage disabled, quota): the helper then keeps nothing.
function read(key) {
  try { return globalThis.localStorage.getItem(key); } catch { return null; }
}
function write(key, value) {
  try { globalThis.localStorage.setItem(key, value); } catch { /* kept nowhere */ }
}
function remove(key) {
  try { globalThis.localStorage.removeItem(key); } catch { /* nothing kept */ }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the cross-tab lock ----

/**
 * Run `task` while holding the site-wide refresh lock.
 *
 * Web Locks when the page has them (secure contexts): the browser releases the lock
 * if a tab dies. Otherwise a lease in localStorage that expires, so a crashed tab never
 * blocks the others for longer than LEASE_MS. The lease is best effort (localStorage
 * has no compare-and-set): the check in `#refreshUnderLock` still catches a tab that
 * refreshed meanwhile. When localStorage throws (disabled, quota) there is no lease to
 * take: the task runs without a cross-tab lock rather than never.
 *
 * Waiting for either lock is capped at LOCK_WAIT_MS (then it rejects), and stops early,
 * rejecting with its reason, when `signal` (the caller's) aborts.
 * @template T @param {() => Promise<T>} task @param {AbortSignal} [signal]
 * @returns {Promise<T>}
 */
async function withCrossTabLock(task, signal) {
  if (signal?.aborted) throw signal.reason;
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return withLease(task, signal);
  const wait = new AbortController(); // aborts after LOCK_WAIT_MS, or with the caller
  const timeout = new DOMException("session refresh lock not acquired", "TimeoutError");
  const timer = setTimeout(() => wait.abort(timeout), LOCK_WAIT_MS);
  const callerAborted = () => wait.abort(signal.reason);
  signal?.addEventListener("abort", callerAborted, { once: true });
  const granted = () => {
    clearTimeout(timer); // the signal only matters while waiting
    signal?.removeEventListener("abort", callerAborted);
  };
  try {
    return await locks.request(LOCK_NAME, { signal: wait.signal }, () => {
      granted();
      return task();
    });
  } finally {
    granted();
  }
}

/** Lease outcome: localStorage throws, so no tab can hold a lease. */
const NO_STORAGE = Symbol("no storage");

async function withLease(task, signal) {
  const owner = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const taken = await takeLease(owner);
    // Without storage, no lock: the check in #refreshUnderLock and the core's grace
    // window for a just-rotated refresh token keep concurrent refreshes honest.
    if (taken === NO_STORAGE) return task();
    if (taken) break;
    if (signal?.aborted) throw signal.reason;
    if (Date.now() > deadline) throw new Error("session refresh lock not acquired");
    await sleep(LEASE_POLL_MS + Math.random() * LEASE_POLL_MS); // jitter breaks lockstep
  }
  // Renew while the task runs, so a slow refresh is not mistaken for a crashed tab.
  const renewal = setInterval(() => holds(owner) && putLease(owner), LEASE_MS / 3);
  try {
    return await task();
  } finally {
    clearInterval(renewal);
    if (holds(owner)) remove(STORE.lease);
  }
}

/**
 * Write our lease if nobody holds a live one, wait for rivals' writes, then re-check.
 * @returns {Promise<boolean | typeof NO_STORAGE>}
 */
async function takeLease(owner) {
  try {
    const lease = parseLease(globalThis.localStorage.getItem(STORE.lease));
    if (lease && lease.owner !== owner && lease.expires > Date.now()) return false;
    globalThis.localStorage.setItem(STORE.lease, leaseFor(owner));
    await sleep(LEASE_SETTLE_MS);
    // The last writer wins; everyone else backs off.
    return parseLease(globalThis.localStorage.getItem(STORE.lease))?.owner === owner;
  } catch {
    return NO_STORAGE; // storage disabled or full (the accessor itself may throw)
  }
}

function parseLease(text) {
  try { return JSON.parse(text ?? "null"); } catch { return null; }
}
function leaseFor(owner) {
  return JSON.stringify({ owner, expires: Date.now() + LEASE_MS });
}
function currentLease() {
  return parseLease(read(STORE.lease));
}
function putLease(owner) {
  write(STORE.lease, leaseFor(owner));
}
function holds(owner) {
  return currentLease()?.owner === owner;
}

// ---- XMLHttpRequest ----

const XHR_STATE = Symbol("session-core.xhr");
const MIRRORED = [
  "readyState", "status", "statusText", "response", "responseText", "responseURL", "responseXML",
];
const MIRRORED_METHODS = ["getResponseHeader", "getAllResponseHeaders"];

/**
 * Route XHRs to our origins through the same refresh-and-retry logic.
 *
 * The caller's XHR is opened but never sent: an inner XHR does the work (again after a
 * refresh), and once the final answer is in, the caller's object mirrors it and gets
 * `readystatechange` (state 4), then `load`/`error`/`timeout`, then `loadend`. Limits:
 * no intermediate ready states or progress events, no upload events, synchronous XHRs
 * are not wrapped. XHR follows redirects by itself, re-sending our headers: nothing is
 * kept from (or refreshed for) an answer from another origin, but the headers' trip
 * there cannot be stopped; use fetch with an API that may redirect elsewhere.
 */
function patchXhr() {
  if (XHR.open !== nativeXhr.open) return; // already patched by an earlier initSession
  XHR.open = function open(method, url, async = true, ...credentials) {
    // A reused XHR shows its own state again: drop every mirrored property.
    for (const name of [...MIRRORED, ...MIRRORED_METHODS]) delete this[name];
    const absolute = new URL(url, globalThis.location?.href).href;
    this[XHR_STATE] = { method, url: absolute, async, headers: [], inner: null, aborted: false };
    return nativeXhr.open.call(this, method, url, async, ...credentials);
  };
  XHR.setRequestHeader = function setRequestHeader(name, value) {
    this[XHR_STATE]?.headers.push([name, value]);
    return nativeXhr.setHeader.call(this, name, value);
  };
  XHR.send = function send(body) {
    const state = this[XHR_STATE];
    if (!state?.async || !active.wraps(state.url)) return nativeXhr.send.call(this, body);
    runWrappedXhr(active, this, state, body);
  };
  const nativeAbort = XHR.abort;
  XHR.abort = function abort() {
    const state = this[XHR_STATE];
    if (!state?.inner) return nativeAbort.call(this);
    state.aborted = true; // also stops a retry that would start after a refresh
    state.inner.abort(); // its abort event is mirrored to the caller
  };
}

async function runWrappedXhr(session, xhr, state, body) {
  const sendOnce = async () => {
    const { inner, outcome } = await sendInner(session, xhr, state, body);
    const loaded = outcome === "load";
    // A redirect to an origin we do not wrap is trusted with nothing, not even its 401.
    const trusted = loaded && session._trusts(inner.responseURL || state.url);
    const error = trusted ? inner.getResponseHeader(HEADER.sessionError) : null;
    return { inner, outcome, status: loaded ? inner.status : 0, error };
  };
  const { inner, outcome } = await session._retrying(sendOnce);
  mirror(xhr, inner, outcome);
}

/** One send of the caller's request on a fresh, unpatched XHR; resolves when it ends. */
function sendInner(session, xhr, state, body) {
  const inner = new XMLHttpRequest();
  state.inner = inner;
  if (state.aborted) return Promise.resolve({ inner, outcome: "abort" });
  nativeXhr.open.call(inner, state.method, state.url, true);
  for (const [name, value] of state.headers) nativeXhr.setHeader.call(inner, name, value);
  const callers = new Set(state.headers.map(([name]) => name.toLowerCase()));
  for (const [name, value] of session._requestHeaders(state.url)) {
    if (!callers.has(name)) nativeXhr.setHeader.call(inner, name, value); // the caller's wins
  }
  inner.withCredentials = true;
  inner.responseType = xhr.responseType;
  inner.timeout = xhr.timeout;
  return new Promise((resolve) => {
    for (const outcome of ["load", "error", "timeout", "abort"]) {
      inner.addEventListener(outcome, () => {
        // XHR follows redirects by itself: keep nothing from another origin's answer.
        if (outcome === "load" && session._trusts(inner.responseURL || state.url)) {
          session._keepFromAnswer((name) => inner.getResponseHeader(name));
        }
        resolve({ inner, outcome });
      });
    }
    nativeXhr.send.call(inner, body);
  });
}

/** Make the caller's XHR show the inner one's final state, and tell its listeners. */
function mirror(xhr, inner, outcome) {
  for (const name of MIRRORED) {
    Object.defineProperty(xhr, name, { configurable: true, get: () => inner[name] });
  }
  xhr.getResponseHeader = (name) => inner.getResponseHeader(name);
  xhr.getAllResponseHeaders = () => inner.getAllResponseHeaders();
  xhr.dispatchEvent(new Event("readystatechange"));
  for (const type of [outcome, "loadend"]) xhr.dispatchEvent(new ProgressEvent(type));
}

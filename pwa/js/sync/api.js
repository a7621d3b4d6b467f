// The one fetch wrapper for the API (docs/sync-api.md): same origin only, the session cookie
// sent (credentials "same-origin"), X-CSRF-Token on every unsafe method, JSON errors turned into
// AccountError, and retries with backoff when the network or the server fails (network error,
// timeout, 5xx, 429 with its Retry-After). Nothing here logs: a request or answer body can hold
// key material (an auth key at sign-in, wrapped keys at enrolment).
//
// Every request the sync service repeats is idempotent on the server (client-chosen ids are the
// idempotency keys), so a retry after a cut connection cannot duplicate anything.
import { AccountError, fromServer } from "./errors.js";

const UNSAFE = new Set(["POST", "PUT", "DELETE"]);

const DEFAULT_POLICY = Object.freeze({
  attempts: 6, // tries per request
  baseMs: 300, // first backoff; doubles each time, with jitter
  maxMs: 5000, // cap of one backoff
  maxRetryAfterMs: 20000, // a longer Retry-After gives up at once ("rate-limited")
  timeoutMs: 30000, // no answer (headers) in this long: treated like a cut connection
});
let policy = { ...DEFAULT_POLICY };

/** Tests shorten the waits; `reset` restores the defaults. */
export function setRetryPolicy(next = null) {
  policy = next ? { ...policy, ...next } : { ...DEFAULT_POLICY };
}

export function retryPolicy() {
  return { ...policy };
}

let csrfToken = null;

/** The CSRF token of the server session this page holds (null: none known). */
export function csrf() {
  return csrfToken;
}

export function setCsrf(token) {
  csrfToken = typeof token === "string" && token ? token : null;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff before try number `attempt` (1-based count of failures so far). */
export function backoff(attempt) {
  const ms = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return ms / 2 + Math.random() * (ms / 2);
}

function offline() {
  return new AccountError("offline", "the server could not be reached");
}

function retryAfterMs(response) {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

async function errorBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * One fetch with a timeout that aborts it. Network failures and timeouts become
 * AccountError("offline"); the caller decides whether to try again.
 */
async function fetchOnce(method, path, { json, bytes, timeoutMs, signal }) {
  if (typeof navigator !== "undefined" && navigator.onLine === false) throw offline();
  const headers = { Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (bytes !== undefined) {
    headers["Content-Type"] = "application/octet-stream";
    body = bytes;
  }
  if (UNSAFE.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const abort = () => controller.abort();
  if (signal) signal.addEventListener("abort", abort, { once: true });
  try {
    return await fetch(path, {
      method, headers, body, credentials: "same-origin", cache: "no-store", redirect: "error",
      referrerPolicy: "no-referrer", signal: controller.signal,
    });
  } catch {
    throw offline();
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", abort);
  }
}

/**
 * Sends one API request and returns the parsed JSON answer (null for 204), or with `raw` the
 * Response itself (a streamed download). Options: `json` (a body to send as JSON) or `bytes`
 * (an octet-stream body); `retry` (default true) — retry network failures, 5xx and 429;
 * `timeoutMs`. Raises AccountError.
 */
export async function request(method, path, { json, bytes, retry = true, raw = false, timeoutMs = policy.timeoutMs } = {}) {
  if (!path.startsWith("/api/")) throw new TypeError("API paths only");
  const attempts = retry ? policy.attempts : 1;
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetchOnce(method, path, { json, bytes, timeoutMs });
    } catch (err) {
      // The phone says it has no network at all: say so now instead of after every backoff.
      const noNetwork = typeof navigator !== "undefined" && navigator.onLine === false;
      if (attempt >= attempts || noNetwork) throw err;
      await sleep(backoff(attempt));
      continue;
    }
    if (response.ok) {
      if (raw) return response;
      if (response.status === 204) return null;
      try {
        return await response.json();
      } catch {
        // The answer was cut while it was read: like a cut connection.
        if (attempt >= attempts) throw offline();
        await sleep(backoff(attempt));
        continue;
      }
    }
    const transient = response.status === 429 || response.status >= 500;
    if (transient && attempt < attempts) {
      const wait = retryAfterMs(response);
      if (wait === null || wait <= policy.maxRetryAfterMs) {
        await response.body?.cancel().catch(() => {});
        await sleep(wait === null ? backoff(attempt) : Math.max(wait, 50));
        continue;
      }
    }
    throw fromServer(response.status, await errorBody(response));
  }
}

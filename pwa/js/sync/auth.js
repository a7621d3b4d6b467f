// The account context of the unlocked vault and its server session.
//
// The server session is a cookie this page cannot read (HttpOnly) plus a CSRF token kept in
// memory. When it has expired (idle 30 min, absolute 12 h) or was signed out, the service signs
// in again silently with the auth key the vault holds while unlocked (SPEC §3.1): the
// passphrase is never asked for twice, and nothing but the auth key, username and device id
// goes to the server.
import * as sp from "../../crypto/sp1.js";
import * as port from "../vault/sync-port.js";
import { VaultError } from "../vault/errors.js";
import { request, setCsrf, csrf } from "./api.js";
import { AccountError, unverified } from "./errors.js";

const accounts = new WeakMap(); // vault session -> its account (dies with the session)

/** Rethrows a vault "locked" as the contract's AccountError("locked"). */
export function unlockedSession() {
  try {
    return port.unlocked();
  } catch (err) {
    if (err instanceof VaultError) throw new AccountError("locked", "the vault is locked");
    throw err;
  }
}

/** The unlocked vault's account ({id, username, role, bundle, serverKey, enrolled}) or null. */
export async function accountOf(s) {
  if (!accounts.has(s)) accounts.set(s, await port.loadAccount(s));
  return accounts.get(s);
}

export function rememberAccount(s, account) {
  accounts.set(s, account);
}

/**
 * Everything one operation needs: the vault session, the enrolled account, the pinned server
 * key (bytes), this device's id. `check()` throws AccountError("locked") once the vault has
 * locked meanwhile, so no step runs on keys the delegate asked to drop.
 */
export async function context() {
  const s = unlockedSession();
  const account = await accountOf(s);
  if (!account || !account.enrolled) throw new AccountError("not-enrolled", "this vault has no account yet");
  return {
    s, account, serverKey: sp.b64uDecode(account.serverKey, 32), dev: sp.b64uEncode(s.meta.dev),
    check() {
      if (!port.alive(s)) throw new AccountError("locked", "the vault locked");
    },
  };
}

/**
 * Checks a sign-in or enrolment answer against what this device knows: the same account id and
 * bundle, this device, and the pinned server key (else "server-changed"). Keeps the CSRF token.
 */
export function acceptSignIn(answer, { accountId, bundle, dev, serverKey }) {
  if (!answer || typeof answer.csrf !== "string" || !answer.account || !answer.server) {
    throw new AccountError("server-error", "unexpected sign-in answer");
  }
  if (answer.account.id !== accountId || answer.device !== dev) throw unverified("the server answered for another account or device");
  if (bundle && (!answer.account.bundle || answer.account.bundle.bundle !== bundle.bundle)) {
    throw unverified("the server holds another bundle for this account");
  }
  if (answer.server.receipt_key !== serverKey) throw new AccountError("server-changed", "the server's receipt key changed");
  setCsrf(answer.csrf);
}

/** Signs this device in with the auth key held in memory. */
export async function signInSilently(ctx) {
  ctx.check();
  const answer = await request("POST", "/api/auth/signin", {
    json: { username: ctx.account.username, auth_key: sp.b64uEncode(ctx.s.authKey), device: ctx.dev },
  });
  ctx.check();
  acceptSignIn(answer, { accountId: ctx.account.id, bundle: ctx.account.bundle, dev: ctx.dev, serverKey: ctx.account.serverKey });
}

/** GET /api/session; signs in silently if there is none (or it is another account's). */
export async function ensureSession(ctx) {
  let current = null;
  try {
    current = await request("GET", "/api/session");
  } catch (err) {
    if (err.serverCode !== "unauthenticated") throw err;
  }
  if (current && current.account && current.account.id === ctx.account.id && current.device === ctx.dev) {
    setCsrf(current.csrf);
    return;
  }
  setCsrf(null);
  await signInSilently(ctx);
}

/**
 * An API request on the account's session: if the server says the session is gone (or the
 * CSRF token is stale), sign in silently once and repeat it.
 */
export async function authed(ctx, method, path, options = {}) {
  ctx.check();
  if (!csrf()) await ensureSession(ctx);
  try {
    return await request(method, path, options);
  } catch (err) {
    if (err.serverCode !== "unauthenticated" && err.serverCode !== "csrf") throw err;
    setCsrf(null);
    await signInSilently(ctx);
    return request(method, path, options);
  }
}

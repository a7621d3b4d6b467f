// The account: the invite in the URL fragment, enrolment, sign-in on a new device, sign-out,
// devices and "Prepare for crossing" (docs/account-contract.md, docs/sync-api.md).
import * as sp from "../../crypto/sp1.js";
import { allRecords } from "../store/vault-store.js";
import * as syncStore from "../store/sync-store.js";
import * as port from "../vault/sync-port.js";
import { csrf, request, setCsrf } from "./api.js";
import { acceptSignIn, accountOf, authed, context, rememberAccount, unlockedSession } from "./auth.js";
import { downloadAll, exclusive, readPage, syncOnce } from "./engine.js";
import { AccountError, unverified } from "./errors.js";
import { queued } from "./outbox.js";

const ROLES = new Set(["delegate", "focal-point", "legal"]);
const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
const ACCOUNT_FORMAT = 1;
const PULL_LIMIT = 200;

// ---------------------------------------------------------------------------------------------
// The invite: "#invite=<b64u 32 B>&role=<role>" (docs/sync-api.md, "Invite URLs"). The token is
// a bearer secret: it is taken out of the address bar at once (so it is not in history, a
// screenshot or a shared link), kept in this page's memory only and sent in a POST body.

let invite = null; // {token, role}

export function takeInviteFromUrl() {
  if (typeof location === "undefined" || !location.hash) return invite !== null;
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("invite")) return invite !== null;
  history.replaceState(history.state, "", location.pathname + location.search);
  const token = params.get("invite");
  const role = params.get("role");
  let valid = ROLES.has(role);
  try {
    sp.b64uDecode(token, 32);
  } catch {
    valid = false;
  }
  if (valid) invite = { token, role };
  return invite !== null;
}

export function pendingInvite() {
  return invite !== null;
}

// A wipe also ends the server session this page holds (best effort, not awaited): a wiped
// phone must not keep a live session cookie that could list or revoke the delegate's devices.
port.onLock((reason) => {
  if (reason !== "wipe") return;
  invite = null;
  if (csrf()) request("POST", "/api/auth/signout", { retry: false }).catch(() => {});
  setCsrf(null);
});

/** NFKC + lowercase, then the server's rule (public, so checking it here tells nobody anything). */
export function normaliseUsername(raw) {
  const text = String(raw ?? "");
  const name = text.slice(0, 129).normalize("NFKC").toLowerCase();
  if (text.length > 128 || !USERNAME.test(name)) throw new AccountError("invalid-username", "username does not fit the rule");
  return name;
}

function deviceName(id) {
  const bytes = sp.b64uDecode(id, 16);
  const h = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  return `${h.slice(0, 4)}-${h.slice(4)}`;
}

// ---------------------------------------------------------------------------------------------
// Status.

export async function status() {
  const none = { enrolled: false, pendingEnrolment: false, username: null, displayName: null, role: null, device: null, signedIn: false };
  if ((await port.state()) === "none") return none;
  const s = unlockedSession();
  const account = await accountOf(s);
  const profile = port.latestProfile(s);
  const dev = sp.b64uEncode(s.meta.dev);
  return {
    enrolled: Boolean(account && account.enrolled),
    pendingEnrolment: Boolean(account && !account.enrolled),
    username: account ? account.username : null,
    displayName: profile ? profile.displayName : account ? account.displayName ?? null : null,
    role: account ? account.role : null,
    device: { id: dev, name: deviceName(dev) },
    signedIn: Boolean(account && account.enrolled && csrf()),
  };
}

// ---------------------------------------------------------------------------------------------
// Enrolment.

function receiptKeyOf(info) {
  try {
    sp.b64uDecode(info && info.receipt_key, 32);
  } catch {
    throw new AccountError("server-error", "the server sent no usable receipt key");
  }
  return info.receipt_key;
}

async function storeAccount(s, account) {
  await syncStore.putSync("account", await port.sealAccount(s, account));
  rememberAccount(s, account);
}

/**
 * Turns the unlocked vault into an account with the pending invite: its KDF block, wrapped AK,
 * wrapped identity and a bundle signed for a new account id and the invite's role go to the
 * server with the auth key; the server's receipt key is pinned in a profile record sealed into
 * this device's chain (with the display name, which the server never sees in clear).
 *
 * Killed or cut half-way, it can be called again with the same username, even without the
 * invite (which lived in memory only): the enrolment is stored, sealed, before it is sent, and
 * is completed by signing in if the server had already accepted it.
 */
export async function enrol({ username, displayName = "" } = {}) {
  const s = unlockedSession();
  // The decoy a duress passphrase opens has nothing to enrol and must not reach the server.
  if (s.decoy) throw new AccountError("invite-invalid", "no invite");
  const name = normaliseUsername(username);
  const earlier = await accountOf(s);
  if (earlier && earlier.enrolled) throw new AccountError("unsupported", "this vault already has an account");
  const resuming = Boolean(earlier && earlier.username === name && (!invite || invite.role === earlier.role));
  if (!invite && !resuming) throw new AccountError("invite-invalid", "no invite");
  const serverKey = receiptKeyOf(await request("GET", "/api/server"));
  if (resuming && earlier.serverKey !== serverKey) throw new AccountError("server-changed", "the server's receipt key changed");
  const role = resuming ? earlier.role : invite.role;
  const id = resuming ? earlier.id : sp.b64uEncode(sp.randomBytes(16));
  const bundle = await sp.makeBundle(s.identity, id, role); // Ed25519 is deterministic: same bytes on a retry
  const pending = {
    v: ACCOUNT_FORMAT, id, username: name, role, bundle, serverKey, displayName: String(displayName).trim(), enrolled: false,
  };
  await storeAccount(s, pending);

  const dev = sp.b64uEncode(s.meta.dev);
  const m = s.meta;
  const B = sp.b64uEncode;
  const authKey = B(s.authKey);
  let answer = null;
  if (invite) {
    try {
      answer = await request("POST", "/api/auth/enrol", {
        json: {
          invite: invite.token, username: name, device: dev,
          account: {
            id, kdf: m.kdf, auth_key: authKey, vault_id: B(m.vaultId), wrapped_ak: B(m.wrappedAk),
            identity: {
              kid: B(m.identity.kid), sig_pub: B(m.identity.sigPub), enc_pub: B(m.identity.encPub),
              wrapped_sig: B(m.identity.wrappedSig), wrapped_enc: B(m.identity.wrappedEnc),
            },
            bundle,
          },
        },
      });
    } catch (err) {
      if (!(resuming && err.code === "invite-invalid")) throw await settled(s, err);
    }
  }
  if (!answer) {
    try {
      answer = await request("POST", "/api/auth/signin", { json: { username: name, auth_key: authKey, device: dev } });
    } catch (err) {
      const never = err.code === "signin-failed" ? new AccountError("invite-invalid", "the enrolment did not reach the server") : err;
      throw await settled(s, never);
    }
  }
  if (!port.alive(s)) throw new AccountError("locked", "the vault locked");
  acceptSignIn(answer, { accountId: id, bundle, dev, serverKey });
  if (answer.account.role !== role) throw unverified("the server gave the account another role");
  await finishEnrolment(s, pending);
  invite = null;
  return status();
}

/**
 * After a failed enrolment request: when the server's answer says the account was certainly
 * not created (taken username, used invite, refused input), the stored pending enrolment is
 * dropped, so status() does not offer to resume it. Unknown outcomes (cut connection, server
 * error) keep it. Returns `err` for the caller to throw.
 */
async function settled(s, err) {
  if (err instanceof AccountError && (err.code === "username-taken" || err.code === "invite-invalid" || err.status === 400)) {
    await syncStore.deleteSync("account");
    rememberAccount(s, null);
  }
  return err;
}

async function finishEnrolment(s, pending) {
  const profile = port.latestProfile(s);
  if (!profile || profile.serverKey !== pending.serverKey || profile.displayName !== pending.displayName) {
    await port.sealProfile(s, { displayName: pending.displayName, serverKey: pending.serverKey });
  }
  const { displayName: _shown, ...account } = pending;
  await storeAccount(s, { ...account, enrolled: true });
}

// ---------------------------------------------------------------------------------------------
// Sign in on a new device.

function decodeIdentity(id) {
  const D = sp.b64uDecode;
  return {
    kid: D(id.kid, 16), sigPub: D(id.sig_pub, 32), encPub: D(id.enc_pub, 32),
    wrappedSig: D(id.wrapped_sig), wrappedEnc: D(id.wrapped_enc),
  };
}

/**
 * On a device with no vault: prelogin -> Argon2id under SP1 §4's floor and ceiling -> sign-in ->
 * unwrap AK and identity -> verify the bundle -> pull and verify every record in memory ->
 * check the profile's pinned server key -> write the new vault (new device id, new device key)
 * in one transaction -> download attachments. Leaves the vault unlocked. Returns {records,
 * attachments, pendingAttachments}: an attachment that could not be downloaded now (cut
 * connection) is fetched by the next "Sync now".
 */
export async function signIn({ username, passphrase, secretKey, onProgress = null } = {}) {
  const progress = (p) => {
    try {
      if (onProgress) onProgress(p);
    } catch {
      // a screen's failure must not break the sign-in
    }
  };
  if ((await port.state()) !== "none") throw new AccountError("unsupported", "this device already has a vault");
  const name = normaliseUsername(username);
  let ask;
  try {
    if (typeof passphrase !== "string" || !passphrase) throw new TypeError("passphrase required");
    ask = sp.parseAsk(String(secretKey ?? ""));
  } catch {
    throw new AccountError("signin-failed", "wrong username, passphrase or Secret Key");
  }
  let derived = null;
  let adopted = false;
  try {
    const pre = await request("POST", "/api/auth/prelogin", { json: { username: name } });
    try {
      progress({ phase: "kdf", done: 0, total: null });
      derived = await sp.deriveAccount(passphrase, pre && pre.kdf, ask, {
        onMessage: (msg) => progress({ phase: "kdf", done: msg.type === "done" ? 1 : 0, total: msg.type === "done" ? 1 : null }),
      });
    } catch (err) {
      if (err instanceof sp.KdfPolicyError || err instanceof sp.UnsupportedVersion || err instanceof sp.FormatError) {
        throw unverified("the server offered KDF parameters outside the policy");
      }
      throw err;
    }
    const dev = sp.randomBytes(16);
    const answer = await request("POST", "/api/auth/signin", {
      json: { username: name, auth_key: sp.b64uEncode(derived.authKey), device: sp.b64uEncode(dev) },
    });
    const acct = answer && answer.account;
    if (!acct || acct.kdf !== pre.kdf || !ROLES.has(acct.role) || !answer.server) throw unverified("unexpected sign-in answer");
    let ak;
    let identity;
    let wrappedIdentity;
    let vaultId;
    let wrappedAk;
    try {
      vaultId = sp.b64uDecode(acct.vault_id, 16);
      wrappedAk = sp.b64uDecode(acct.wrapped_ak);
      ak = await sp.unwrapAccountKey(derived.kek, wrappedAk, vaultId);
      wrappedIdentity = decodeIdentity(acct.identity);
      identity = await sp.unwrapIdentity(ak, wrappedIdentity);
      const party = await sp.verifyBundle(acct.bundle);
      if (party.uid !== acct.id || party.role !== acct.role || sp.b64uEncode(party.kid) !== sp.b64uEncode(identity.kid)
          || sp.b64uEncode(party.sigPub) !== sp.b64uEncode(identity.sigPub) || sp.b64uEncode(party.encPub) !== sp.b64uEncode(identity.encPub)) {
        throw new sp.AuthError("bundle does not match the identity");
      }
    } catch {
      // The auth key verified, so passphrase and Secret Key are right: the server altered keys.
      throw unverified("the account's keys do not verify");
    }
    const tentativeKey = receiptKeyOf(answer.server);
    const account = {
      v: ACCOUNT_FORMAT, id: acct.id, username: name, role: acct.role, bundle: acct.bundle, serverKey: tentativeKey, enrolled: true,
    };
    acceptSignIn(answer, { accountId: acct.id, bundle: acct.bundle, dev: sp.b64uEncode(dev), serverKey: tentativeKey });
    const s = await port.prepareDevice({
      ak, identity, wrappedIdentity, kdf: acct.kdf, vaultId, wrappedAk, ask, dev, authKey: derived.authKey,
    });
    const ctx = {
      s, account, serverKey: sp.b64uDecode(tentativeKey, 32), dev: sp.b64uEncode(dev),
      check() {}, // not the unlocked session yet: nothing to lose to a lock
    };

    // Every record, verified (signature, owner wrap, receipts under the tentative key, chains
    // from seq 1 with no gap or fork), held in memory until the pin is confirmed.
    const receipts = new Map();
    let heads = new Map();
    let after = 0;
    progress({ phase: "pull", done: 0, total: null });
    for (;;) {
      const page = await readPage(s, {
        fetchPage: (from) => authed(ctx, "GET", `/api/records?after=${from}&limit=${PULL_LIMIT}`),
        serverKey: ctx.serverKey, heads, receipts, ownDev: ctx.dev, after,
      });
      port.addRecords(s, page.fresh.map((f) => f.rec));
      for (const f of page.fresh) receipts.set(f.row.rid, { row: f.row, receipt: f.receipt });
      heads = page.heads;
      after = page.next;
      progress({ phase: "pull", done: receipts.size, total: null });
      if (!page.more) break;
    }
    // The pin: the newest profile record, signed by the account and sealed under its key, must
    // name the server key this server signs with now.
    const profile = port.latestProfile(s);
    if (!profile) {
      if (!s.records.size) throw new AccountError("nothing-synced", "no device of this account has synced yet");
      throw unverified("the account's profile record is missing");
    }
    const current = receiptKeyOf(await request("GET", "/api/server"));
    if (profile.serverKey !== tentativeKey || current !== tentativeKey) {
      throw new AccountError("server-changed", "the server's receipt key is not the pinned one");
    }
    const rows = [...receipts.values()];
    const sealedAccount = await port.sealAccount(s, account);
    await port.adoptDevice(s, [], () => syncStore.putSignedIn({
      meta: s.meta, head: { seq: 0, entryHash: null }, account: sealedAccount,
      records: rows.map((r) => r.row), receipts: rows.map((r) => ({ rid: r.row.rid, receipt: r.receipt })),
      aids: [...new Set(rows.flatMap((r) => [...s.records.get(r.row.rid).attByAid.keys()]))], cursor: after,
    }));
    adopted = true;
    rememberAccount(s, account);

    let attachments = 0;
    try {
      attachments = await exclusive(async () => downloadAll(await context(), progress));
    } catch {
      // Left pending (and shown as such): "Sync now" downloads what is missing.
    }
    const pendingAttachments = (await syncStore.allAttachments()).filter((a) => !a.complete).length;
    return { records: rows.length, attachments, pendingAttachments };
  } finally {
    ask.fill(0);
    if (!adopted) {
      // Nothing was stored: no key of this attempt outlives it, and no session is kept.
      if (derived) derived.authKey.fill(0);
      setCsrf(null);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Session and devices.

/** Ends the server session (the local vault stays as it is). Works locked or unlocked. */
export async function signOut() {
  try {
    if (!csrf()) {
      const current = await request("GET", "/api/session");
      setCsrf(current && current.csrf);
    }
    await request("POST", "/api/auth/signout");
  } catch (err) {
    if (err.serverCode !== "unauthenticated") throw err;
  } finally {
    setCsrf(null);
  }
}

export async function listDevices() {
  const ctx = await context();
  const answer = await authed(ctx, "GET", "/api/devices");
  if (!answer || !Array.isArray(answer.devices)) throw new AccountError("server-error", "unexpected devices answer");
  return answer.devices.map((d) => ({
    id: d.id, name: deviceName(d.id), current: Boolean(d.current), revoked: Boolean(d.revoked),
    created: d.created ?? null, lastSync: d.last_sync ?? null,
  }));
}

export async function revokeDevice(id) {
  sp.b64uDecode(id, 16); // a device id, nothing else, goes into the path
  const ctx = await context();
  await authed(ctx, "POST", `/api/devices/${id}/revoke`);
  if (id === ctx.dev) setCsrf(null); // revoking this device signed it out
}

// ---------------------------------------------------------------------------------------------
// Prepare for crossing.

/**
 * Sync; then prove that the server holds everything: a receipt that verifies under the pinned
 * key for every local record and attachment, and the server's chain heads equal to this
 * device's. Only then sign out and delete the local database (the app shell stays cached).
 * Any failed check throws and deletes nothing.
 */
export async function prepareForCrossing({ onProgress = null } = {}) {
  const progress = (p) => {
    try {
      if (onProgress) onProgress(p);
    } catch {
      // a screen's failure must not stop the checks
    }
  };
  return exclusive(async () => {
    const ctx = await context();
    const summary = await syncOnce(ctx, onProgress);
    const { s } = ctx;
    // Shares and revocations queued on this phone exist nowhere else: they must have gone out.
    const left = await queued(s);
    if (left.wraps.size || left.revokes.length) throw unverified("queued shares have not all reached the server");
    const receipts = await syncStore.allReceipts();
    const rows = await allRecords();
    const attachments = new Map((await syncStore.allAttachments()).map((a) => [a.aid, a]));
    const wanted = [...s.records.values()].reduce((n, r) => n + 1 + r.attByAid.size, 0);
    let done = 0;
    progress({ phase: "verify", done, total: wanted });
    if (rows.some((row) => !s.records.has(row.rid))) throw unverified("a local record is damaged");
    for (const rec of s.records.values()) {
      try {
        await sp.verifyReceipt(receipts.get(rec.rid), ctx.serverKey, rec.entryHash);
        for (const [aid, a] of rec.attByAid) {
          await sp.verifyReceipt(attachments.get(aid)?.receipt, ctx.serverKey, sp.b64uDecode(a.hash, 32));
          progress({ phase: "verify", done: ++done, total: wanted });
        }
      } catch {
        throw unverified("a record or attachment has no valid receipt");
      }
      progress({ phase: "verify", done: ++done, total: wanted });
      ctx.check();
    }
    const answer = await authed(ctx, "GET", "/api/records/heads");
    const local = await port.chainHeads(s);
    const author = sp.b64uEncode(s.identity.kid);
    const remote = answer && Array.isArray(answer.heads) ? answer.heads : null;
    if (!remote || remote.length !== local.size || !remote.every((h) => {
      const mine = local.get(author + "." + h.dev);
      return mine && mine.seq === h.seq && sp.b64uEncode(mine.entryHash) === h.entry;
    })) {
      throw unverified("the server's chain heads differ from this device's");
    }
    ctx.check();
    progress({ phase: "delete", done: 0, total: 1 });
    try {
      await request("POST", "/api/auth/signout", { retry: false });
    } catch {
      // The session expires on its own; the local copy must go now.
    }
    setCsrf(null);
    invite = null;
    await port.forgetDevice();
    progress({ phase: "delete", done: 1, total: 1 });
    return summary;
  });
}

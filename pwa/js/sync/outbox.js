// The outbox on the wire (docs/sharing-contract.md §3.2): recipient wraps queued by the sharing
// service travel with their record when it is pushed (POST /api/records items carry "shares"),
// or, for records the server holds already, by POST /api/shares; revocations by DELETE.
//
// A wrap leaves the outbox in the same transaction as the proof that the server holds it (the
// record's receipt, or the POST /api/shares result). Every call is idempotent on the server (a
// live share re-added is a no-op, a deleted share answers 404), so a cut or a killed page at any
// point re-sends at most what was in flight and loses nothing. A wrap the server refuses for good
// (unknown or unaddressable recipient, a malformed wrap) is kept as "failed" for sharesOf, so one
// bad recipient never blocks the delegate's chain or the other shares.
import { changeOutbox } from "../store/sharing-store.js";
import { receiptRids } from "../store/sync-store.js";
import { outboxRows, sealOutbox, sharingState } from "../sharing/state.js";
import { authed } from "./auth.js";
import { AccountError } from "./errors.js";

export const MAX_SHARES_PER_RECORD = 32;
const SHARES_BATCH = 200;
/** Server codes that refuse one wrap for good (retrying cannot help). */
export const WRAP_REFUSALS = new Set(["invalid-wrap", "recipient-unknown", "not-addressable", "forbidden", "not-found"]);

/**
 * {wraps: Map rid -> [{key, row, keys}], revokes: [{key, row}], failed: n} of the outbox now. A
 * report shared twice with one person before a sync queues two wraps for one (rid, recipient):
 * one is sent, and `keys` lists every row it stands for, all removed together.
 */
export async function queued(s) {
  const wraps = new Map();
  const revokes = [];
  let failed = 0;
  for (const entry of await outboxRows(s)) {
    if (entry.row.t === "wrap") {
      if (!wraps.has(entry.row.rid)) wraps.set(entry.row.rid, []);
      const list = wraps.get(entry.row.rid);
      const same = list.find((e) => e.row.kid === entry.row.kid);
      if (same) same.keys.push(entry.key);
      else list.push({ ...entry, keys: [entry.key] });
    } else if (entry.row.t === "revoke") {
      revokes.push(entry);
    } else if (entry.row.t === "failed") {
      failed++;
    }
  }
  return { wraps, revokes, failed };
}

async function markFailed(s, entry, code) {
  const sealed = await sealOutbox(s, { ...entry.row, t: "failed", code: String(code || "refused") });
  await changeOutbox({ replace: [{ key: entry.key, sealed }], remove: entry.keys.filter((k) => k !== entry.key) });
}

/**
 * The rids of records the server holds: this account's own that have a receipt, and every
 * record received in the inbox (a focal point re-shares those with a legal supporter,
 * docs/legal-contract.md §0.3).
 */
async function heldByServer(s) {
  const rids = await receiptRids();
  for (const it of (await sharingState(s)).inbox.values()) if (!it.rejected) rids.add(it.rid);
  return rids;
}

/** POST /api/shares for queued wraps of records the server holds. */
export async function postWraps(ctx) {
  const { s } = ctx;
  const onServer = await heldByServer(s);
  const todo = [...(await queued(s)).wraps.values()].flat().filter((e) => onServer.has(e.row.rid));
  let sent = 0;
  let i = 0;
  while (i < todo.length) {
    const batch = todo.slice(i, i + SHARES_BATCH);
    let results;
    let failure = null;
    try {
      const answer = await authed(ctx, "POST", "/api/shares", { json: { shares: batch.map((e) => ({ rid: e.row.rid, wrap: e.row.wrap })) } });
      results = answer && answer.results;
      if (!Array.isArray(results) || results.length !== batch.length) throw new AccountError("server-error", "unexpected shares answer");
    } catch (err) {
      if (!(err instanceof AccountError) || !Array.isArray(err.details?.results)) throw err;
      results = err.details.results;
      failure = err;
    }
    const done = batch.slice(0, Math.min(results.length, batch.length));
    ctx.check();
    await changeOutbox({ remove: done.flatMap((e) => e.keys) });
    sent += done.length;
    i += done.length;
    if (failure) {
      const refused = batch[done.length];
      if (!refused || !WRAP_REFUSALS.has(failure.serverCode)) throw failure;
      await markFailed(s, refused, failure.serverCode);
      i++;
    }
  }
  return sent;
}

/** DELETE /api/shares/<rid>/<kid> for each queued revocation (404: already gone, also done). */
export async function sendRevocations(ctx) {
  const { revokes } = await queued(ctx.s);
  for (const entry of revokes) {
    try {
      await authed(ctx, "DELETE", `/api/shares/${entry.row.rid}/${entry.row.kid}`);
    } catch (err) {
      if (!(err instanceof AccountError) || err.serverCode !== "not-found") throw err;
    }
    ctx.check();
    await changeOutbox({ remove: [entry.key] });
  }
  return revokes.length;
}

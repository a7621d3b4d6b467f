// Sharing the delegate's own reports: share (an sp.share message plus an HPKE wrap of every
// version of each report for each recipient, queued), revoke (the wraps' deletion plus an
// sp.unshare, queued) and who holds a report with what they answered (sharesOf).
//
// Who holds it also counts the legal supporters a focal point referred it to (the "referred"
// custody events she receives, docs/legal-contract.md §0.3): listed with `via`, the focal point,
// and withdrawn by the same revoke() — a "revoked" custody event plus the deletion of the shares
// the focal point made (legal/withdraw.js).
//
// What was shared is read back from this account's own sp.share/sp.unshare records (so every
// device of the delegate sees it after a sync); whether it has left this phone, from the outbox.
// A new version of a shared report follows by itself (forward.js); sharesOf says when one waits
// for the next sync (`update`).
import * as sp from "../../crypto/sp1.js";
import { changeOutbox } from "../store/sharing-store.js";
import { receiptRids } from "../store/sync-store.js";
import { getRecords } from "../store/vault-store.js";
import { lineages } from "../vault/lineage.js";
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { referralsOf, withdrawReferral } from "../legal/withdraw.js";
import { recipients } from "./contacts.js";
import { ownMessages, sealMessage } from "./messages.js";
import { person } from "./reports.js";
import {
  B, contactByKid, contactByUid, me, outboxRows, partyOf, sealOutbox, sharingState,
} from "./state.js";

function fail(code, message = code) {
  return new AccountError(code, message);
}

/** Every version (opened record) of the incident lineage `rid` belongs to, or "not-found". */
export function versionsOf(s, rid) {
  const recs = [...s.records.values()].filter((r) => r.incident);
  const lineage = lineages(recs).lineageOf.get(String(rid ?? ""));
  if (!lineage) throw fail("not-found", "no such incident");
  return lineage.members.map((m) => s.records.get(m.rid));
}

function checkConsent(consent) {
  if (!consent || typeof consent !== "object") throw fail("invalid", "consent required");
  const out = {};
  for (const k of ["contact", "statistics", "legal"]) {
    if (typeof consent[k] !== "boolean") throw fail("invalid", "consent must be three booleans");
    out[k] = consent[k];
  }
  return out;
}

/**
 * Shares the delegate's reports `rids` with the contacts `to` (uids). Seals one sp.share
 * ({items: [{rid, entry, author}] for every version, consent}) to the recipients and queues an
 * HPKE wrap of every version for each, all in one transaction; the next syncNow() sends them.
 * Errors: "not-found" (report or contact), "key-changed", "unverified-contact" (without
 * confirmUnverified), "no-consent" (a legal supporter without consent.legal), "invalid".
 */
export async function share(rids, { to = [], consent = null, confirmUnverified = false } = {}) {
  const ctx = await context();
  const agreed = checkConsent(consent);
  if (!Array.isArray(rids) || !rids.length) throw fail("invalid", "no report");
  const people = await recipients(ctx, to, { confirmUnverified });
  if (people.some((c) => c.role === "legal") && !agreed.legal) throw fail("no-consent", "no consent to share with legal support");
  const self = me(ctx);
  const versions = new Map();
  for (const rid of rids) for (const rec of versionsOf(ctx.s, rid)) versions.set(rec.rid, rec);
  const items = [...versions.values()].map((rec) => ({ rid: rec.rid, entry: B(rec.entryHash), author: self.kid }));
  const headers = new Map((await getRecords([...versions.keys()])).map((row) => [row.rid, row.envelope.hdr]));
  if (headers.size !== versions.size) throw fail("not-found", "a version of the report is not stored");
  await sealMessage(ctx, {
    kind: "sp.share", recipients: people, fields: { items, consent: agreed },
    extra: async (s) => {
      const add = [];
      for (const rec of versions.values()) {
        for (const c of people) {
          const wrap = await sp.wrapForRecipient(s.identity, headers.get(rec.rid), rec.cek, partyOf(c));
          add.push(await sealOutbox(s, { t: "wrap", rid: rec.rid, kid: c.kid, uid: c.uid, wrap }));
        }
      }
      // A new attempt replaces what an earlier one left as refused (to this person, any key).
      const uids = new Set(people.map((c) => c.uid));
      const remove = (await outboxRows(s))
        .filter(({ row }) => row.t === "failed" && versions.has(row.rid) && uids.has(row.uid))
        .map(({ key }) => key);
      return { add, remove };
    },
  });
  return sharesOf(rids[0]);
}

/**
 * Withdraws report `rid` (every version) from contact `uid`: wraps still queued are dropped, the
 * server's are deleted by the next sync, and an sp.unshare asks the recipient's app to remove its
 * copy (a copy already opened cannot be recalled). For someone a focal point referred it to
 * (sharesOf's `via`), and also for one she shared it with herself whom it was referred to as
 * well: a "revoked" custody event to the case's holders asks the same, and the shares the focal
 * point made are deleted (legal/withdraw.js). "not-found" when she does not hold it now.
 */
export async function revoke(rid, uid) {
  const ctx = await context();
  const st = await sharingState(ctx.s);
  const c = contactByUid(st, String(uid ?? ""));
  if (!c) throw fail("not-found", "no such contact");
  const rids = new Set(versionsOf(ctx.s, rid).map((r) => r.rid));
  const entry = (await sharesOf(rid)).find((e) => e.uid === c.uid);
  if (!entry || entry.state === "revoking") throw fail("not-found", "not shared with this contact");
  const referred = referralsOf(st, rids).get(c.kid)?.live === true;
  if (entry.via) {
    await withdrawReferral(ctx, rid, c);
    return;
  }
  const shared = new Set();
  for (const m of ownMessages(ctx.s, "sp.share")) {
    if (!m.message.to.includes(c.kid)) continue;
    for (const x of m.message.items) if (x && rids.has(x.rid)) shared.add(x.rid);
  }
  if (!shared.size) {
    // Only a refused share to a key she no longer has: forgetting the refusal is all there is.
    const failed = (await outboxRows(ctx.s)).filter(({ row }) => row.t === "failed" && row.uid === c.uid && rids.has(row.rid));
    await changeOutbox({ remove: failed.map(({ key }) => key) });
    if (referred) await withdrawReferral(ctx, rid, c);
    return;
  }
  await sealMessage(ctx, {
    kind: "sp.unshare", recipients: [c], fields: { items: [...shared].map((r) => ({ rid: r })) },
    extra: async (s) => {
      const remove = (await outboxRows(s))
        .filter(({ row }) => rids.has(row.rid) && ((row.t === "wrap" && row.kid === c.kid) || (row.t === "failed" && row.uid === c.uid)))
        .map(({ key }) => key);
      const add = [];
      for (const r of shared) add.push(await sealOutbox(s, { t: "revoke", rid: r, kid: c.kid, uid: c.uid }));
      return { add, remove };
    },
  });
  if (referred) await withdrawReferral(ctx, rid, c);
}

/**
 * The kids that hold the lineage `rids` now: those whose latest own sp.share/sp.unshare naming
 * it is a share. Map kid -> {kid, at (first share since the last unshare), recs: the share
 * records since then, oldest first}.
 */
export function liveHolders(s, rids) {
  const events = [];
  for (const kind of ["sp.share", "sp.unshare"]) {
    for (const m of ownMessages(s, kind)) {
      if (!Array.isArray(m.message.items) || !m.message.items.some((x) => x && rids.has(x.rid))) continue;
      for (const kid of Array.isArray(m.message.to) ? m.message.to : []) events.push({ kind, kid, at: m.message.ts, rec: m });
    }
  }
  events.sort((a, b) => a.at - b.at);
  const holders = new Map();
  for (const e of events) {
    if (e.kind === "sp.share") {
      if (!holders.has(e.kid)) holders.set(e.kid, { kid: e.kid, at: e.at, recs: [] });
      holders.get(e.kid).recs.push(e.rec);
    } else {
      holders.delete(e.kid);
    }
  }
  return holders;
}

/** The rids the share records `recs` name. */
export function namedBy(recs) {
  const out = new Set();
  for (const r of recs) {
    for (const x of Array.isArray(r.message.items) ? r.message.items : []) if (x && typeof x.rid === "string") out.add(x.rid);
  }
  return out;
}

/**
 * Whether a version this holder does not have yet waits for the next sync: named by a share
 * record not sent, or by a wrap still queued, while an earlier share of the report has left.
 */
function updateWaits(holder, outboxOfKid, sent) {
  const waiting = namedBy(holder.recs.filter((r) => !sent.has(r.rid)));
  for (const { row } of outboxOfKid) if (row.t === "wrap") waiting.add(row.rid);
  const delivered = [...namedBy(holder.recs.filter((r) => sent.has(r.rid)))].filter((rid) => !waiting.has(rid));
  return waiting.size > 0 && delivered.length > 0;
}

/**
 * Who holds report `rid` (any version) and what they answered:
 * [{uid, name, contactState, state: "queued"|"shared"|"revoking"|"failed", at, update,
 *   statuses: [{status, by, at}], via, cases}]. `update`: she holds the report ("shared") and a
 * newer version of it waits for the next sync to go to her. `via`: null for the people she
 * shared it with; for a legal supporter a focal point referred it to, that focal point {uid,
 * name} — `at` is then the referral's time, `cases` the case ids, and `uid` null while the
 * legal supporter is not a pinned contact (no revoke until "Update contacts" pins her).
 */
export async function sharesOf(rid) {
  const ctx = await context();
  const { s } = ctx;
  const st = await sharingState(s);
  const self = me(ctx);
  const rids = new Set(versionsOf(s, rid).map((r) => r.rid));
  const holders = liveHolders(s, rids);
  const outbox = (await outboxRows(s)).filter(({ row }) => rids.has(row.rid));
  const sent = await receiptRids();
  const answers = statusAnswers(st, self, rids);
  // One entry per person: the newest share decides. A share to a key that is no longer the
  // contact's (accepted a new one) and left no trace in the outbox is that key's, not hers.
  const byPerson = new Map();
  for (const h of holders.values()) {
    const mine = outbox.filter(({ row }) => row.kid === h.kid);
    const c = contactByKid(st, h.kid);
    const uid = c ? c.uid : mine.length ? mine[0].row.uid : null;
    if (!c && !mine.length) continue;
    let state = "shared";
    if (mine.some(({ row }) => row.t === "failed")) state = "failed";
    if (mine.some(({ row }) => row.t === "wrap") || h.recs.some((r) => !sent.has(r.rid))) state = "queued";
    // She holds the report already; only a newer version waits for the next sync.
    const update = state === "queued" && updateWaits(h, mine, sent);
    if (update) state = "shared";
    const earlier = byPerson.get(uid);
    if (earlier && earlier.at > h.at) continue;
    const who = c ? person(st, self, { kid: h.kid }) : person(st, self, { uid });
    byPerson.set(uid, {
      uid, name: who.name, contactState: who.state, state, at: h.at, update,
      statuses: answers.filter((a) => a.kid === h.kid).map(({ kid: _k, ...a }) => a), via: null, cases: [],
    });
  }
  // Those a focal point referred it to. Someone she shared it with herself keeps that line.
  const referred = referralsOf(st, rids);
  const viaOf = (r) => {
    const who = person(st, self, { kid: r.by });
    return { uid: who.uid, name: who.name };
  };
  for (const r of referred.values()) {
    if (!r.live) continue;
    const c = contactByKid(st, r.kid);
    if (c && byPerson.has(c.uid)) continue;
    const who = person(st, self, { kid: r.kid });
    byPerson.set(c ? c.uid : "kid:" + r.kid, {
      uid: c ? c.uid : null, name: who.name, contactState: who.state, state: "shared", at: r.at, update: false,
      statuses: answers.filter((a) => a.kid === r.kid).map(({ kid: _k, ...a }) => a), via: viaOf(r), cases: [...r.cases].sort(),
    });
  }
  // Revocations still queued show until the server has deleted the share.
  for (const { row } of outbox) {
    if (row.t !== "revoke") continue;
    const held = byPerson.get(row.uid);
    if (held) {
      held.state = "revoking";
      held.update = false;
    } else {
      const c = contactByUid(st, row.uid);
      const r = referred.get(row.kid);
      byPerson.set(row.uid, {
        uid: row.uid, name: c ? c.name : "", contactState: c ? c.state : "unverified", state: "revoking", at: r ? r.at : null,
        update: false, statuses: [], via: r ? viaOf(r) : null, cases: r ? [...r.cases].sort() : [],
      });
    }
  }
  return [...byPerson.values()].sort((a, b) => (a.at || 0) - (b.at || 0));
}

/** sp.status answers received about `rids`, with the kid of who sent each. */
function statusAnswers(st, self, rids) {
  const out = [];
  for (const it of st.inbox.values()) {
    if (it.rejected || it.kind !== "sp.status" || !Array.isArray(it.body.about)) continue;
    if (!it.body.about.some((x) => x && rids.has(x.rid))) continue;
    out.push({
      kid: it.author.kid, status: String(it.body.status ?? ""), at: Number(it.body.ts) || 0,
      by: person(st, self, { uid: it.author.uid, claimed: it.body.from }),
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

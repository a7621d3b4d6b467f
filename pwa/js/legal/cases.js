// Cases as this account holds them (docs/legal-contract.md §0.1–0.2): the sp.custody records of
// each case id, the consent sp.share records its referrals name, and the DAG their `prev` links
// make — heads, topological order, entries named but not held (a withheld event).
//
// Pure functions over loadHeld() (held.js): no storage, no network.
import { AccountError } from "../sync/errors.js";
import { casesHeld, custodyRecords } from "../sharing/reports.js";
import { contactByKid, contactByUid } from "../sharing/state.js";
import { reportsOf } from "./held.js";

const RANK = { ok: 0, warn: 1, fail: 2 };
const FAIL_FLAGS = new Set(["fork", "chain-broken"]);
const WARN_FLAGS = new Set(["gap", "reorder", "repeat", "unnumbered"]);
export const TITLE_MAX = 200;

/** The worse of two states ("ok" < "warn" < "fail"). */
export const worse = (a, b) => (RANK[b] > RANK[a] ? b : a);

/** A verdict being built: {state, reasons}, `mark(state, reason)` raising it. */
export function verdict() {
  const v = { state: "ok", reasons: [] };
  v.mark = (state, reason) => {
    v.state = worse(v.state, state);
    if (!v.reasons.includes(reason)) v.reasons.push(reason);
  };
  return v;
}

/**
 * What the checks of receive.js found on one held record, as a log line reads it: chain
 * "fork"/"chain-broken" and "receipt-invalid" fail; the order warnings warn; an author whose
 * pinned key changed fails ("key-changed"), one whose key was replaced since warns; an item it
 * names with another entry hash than the version held fails ("entry-mismatch"). An author not
 * verified is not a log fault: integrity() says so per item.
 */
function recordVerdict(held, h) {
  const v = verdict();
  for (const f of h.flags) {
    if (FAIL_FLAGS.has(f)) v.mark("fail", f);
    else if (WARN_FLAGS.has(f)) v.mark("warn", f);
  }
  if (h.receiptOk === false) v.mark("fail", "receipt-invalid");
  if (!h.own) {
    const c = contactByUid(held.st, h.author.uid);
    if (h.senderAtReceipt === "changed" || (c && c.state === "changed")) v.mark("fail", "key-changed");
    else if (c && c.kid !== h.author.kid) v.mark("warn", "key-changed");
  }
  const items = Array.isArray(h.body.items) ? h.body.items : [];
  for (const x of items) {
    const version = x && held.byRid.get(x.rid);
    if (version && version.entry !== x.entry) v.mark("fail", "entry-mismatch");
  }
  return v;
}

const consentEntries = (h) => (h.body.event === "referred" && Array.isArray(h.body.detail.consent)
  ? h.body.detail.consent.map((c) => c && c.entry).filter((e) => typeof e === "string")
  : []);

/** Server receipt time (not received yet: last), then the author's clock, then the entry. */
function logOrder(a, b) {
  const ra = a.receiptTs ?? Number.MAX_SAFE_INTEGER;
  const rb = b.receiptTs ?? Number.MAX_SAFE_INTEGER;
  return ra - rb || (Number(a.body.ts) || 0) - (Number(b.body.ts) || 0) || (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0);
}

/**
 * Topological order of the log (§0.2): every node after the nodes it names in `prev`, ties by
 * logOrder. Entry hashes cover `prev`, so there is no cycle; should storage hold one anyway,
 * the earliest waiting node goes next rather than dropping anything.
 */
function topological(nodes) {
  const byEntry = new Map(nodes.map((n) => [n.entry, n]));
  const waiting = new Map(nodes.map((n) => [
    n.entry, new Set((n.kind === "sp.custody" ? n.body.prev : []).filter((p) => byEntry.has(p) && p !== n.entry)),
  ]));
  const out = [];
  while (waiting.size) {
    const ready = [...waiting].filter(([, deps]) => deps.size === 0).map(([entry]) => byEntry.get(entry));
    const next = (ready.length ? ready : [...waiting.keys()].map((entry) => byEntry.get(entry))).sort(logOrder)[0];
    out.push(next);
    waiting.delete(next.entry);
    for (const deps of waiting.values()) deps.delete(next.entry);
  }
  return out;
}

/**
 * The report versions of a case withdrawn from this account: those whose latest event naming
 * them for this account (by `ts`) is a "revoked" of its kid by the version's author or by
 * someone who referred the case here — not a "referred" to it. Its copy was removed on
 * purpose (sharing/receive.js), so the case is not incomplete for lack of them.
 */
function withdrawnHere(held, events) {
  const mine = held.self.kid;
  const referredHere = (h) => h.body.event === "referred" && Array.isArray(h.body.detail.legal) && h.body.detail.legal.includes(mine);
  const referrers = new Set(events.filter(referredHere).map((h) => h.author.kid));
  const latest = new Map();
  for (const h of [...events].sort((a, b) => (Number(a.body.ts) || 0) - (Number(b.body.ts) || 0))) {
    const referred = referredHere(h);
    const revoked = h.body.event === "revoked" && h.body.detail.kid === mine;
    if (!referred && !revoked) continue;
    for (const x of h.body.items) {
      if (referred || x.author === h.author.kid || referrers.has(h.author.kid)) latest.set(x.rid, h.body.event);
    }
  }
  return new Set([...latest].filter(([, event]) => event === "revoked").map(([rid]) => rid));
}

/**
 * One case: {id, events: [held sp.custody], shares: [held consent sp.share], log: [{h, event,
 * state, reasons, missing: [entry]}] in topological order, heads: [entry] (sorted), missing:
 * [entry] (named by an event, not held), holders: Set kid (with this account when it holds
 * the case), unheld: [rid] (versions its events name that are not held, except those
 * withdrawn from this account), reports (held.js reportsOf), title, referrer: the first
 * "referred" held | null, last: ms}.
 */
function buildCase(held, id, events, info) {
  const eventEntries = new Set(events.map((h) => h.entry));
  const shares = new Map();
  for (const h of events) {
    for (const p of [...h.body.prev, ...consentEntries(h)]) {
      const x = held.byEntry.get(p);
      if (x && x.kind === "sp.share" && !eventEntries.has(p)) shares.set(p, x);
    }
  }
  const known = new Set([...eventEntries, ...shares.keys()]);
  const named = new Set(events.flatMap((h) => h.body.prev));
  const missing = [...new Set(events.flatMap((h) => h.body.prev.filter((p) => !known.has(p))))];
  const log = topological([...shares.values(), ...events]).map((h) => {
    const v = recordVerdict(held, h);
    const gone = h.kind === "sp.custody" ? h.body.prev.filter((p) => !known.has(p)) : [];
    if (gone.length) v.mark("fail", "missing-prev");
    return { h, event: h.kind === "sp.custody" ? h.body.event : "shared", state: v.state, reasons: v.reasons, missing: gone };
  });
  const items = new Map();
  for (const h of events) for (const x of h.body.items) if (!items.has(x.rid)) items.set(x.rid, x);
  const referrals = log.filter((e) => e.event === "referred");
  const latest = referrals.length ? referrals[referrals.length - 1].h.body.detail.title : "";
  const withdrawn = withdrawnHere(held, events);
  return {
    id, events, shares: [...shares.values()], log, missing,
    heads: events.filter((h) => !named.has(h.entry)).map((h) => h.entry).sort(),
    holders: info ? info.holders : new Set(), unheld: [...items.keys()].filter((rid) => !held.byRid.has(rid) && !withdrawn.has(rid)),
    reports: reportsOf(held, items.keys()),
    title: typeof latest === "string" ? latest.normalize("NFC").trim().slice(0, TITLE_MAX) : "",
    referrer: referrals.length ? referrals[0].h : null,
    last: Math.max(0, ...log.map((e) => e.h.receiptTs ?? (Number(e.h.body.ts) || 0))),
  };
}

/** Every case held: Map case id -> case (buildCase). */
export function buildCases(held) {
  const groups = new Map();
  for (const e of custodyRecords(held.st)) {
    const h = held.byEntry.get(e.entry);
    if (!h) continue;
    if (!groups.has(e.body.case)) groups.set(e.body.case, []);
    groups.get(e.body.case).push(h);
  }
  const infos = casesHeld(held.st);
  const out = new Map();
  for (const [id, events] of groups) out.set(id, buildCase(held, id, events, infos.get(id)));
  return out;
}

/** The case `caseId`, or AccountError("not-found"). */
export function caseOf(held, caseId) {
  const found = buildCases(held).get(String(caseId ?? ""));
  if (!found) throw new AccountError("not-found", "no such case");
  return found;
}

/**
 * The heads of case `caseId` now (sorted entry hashes): what a new event of it names in `prev`.
 * Reads only memory, so custody.js calls it inside the chain's queue.
 */
export function headsNow(st, caseId) {
  const events = custodyRecords(st).filter((e) => e.body.case === caseId);
  const named = new Set(events.flatMap((e) => e.body.prev));
  return events.filter((e) => !named.has(e.entry)).map((e) => e.entry).sort();
}

/**
 * Who an event of the case goes to (§0.1): its holders except this account — pinned contacts
 * whose key did not change, focal points and legal supporters only (delegates get "referred"
 * and "revoked" only, which their callers add).
 */
export function holderContacts(st, self, caseId) {
  const info = casesHeld(st).get(caseId);
  const out = [];
  for (const kid of info ? info.holders : []) {
    const c = contactByKid(st, kid);
    if (!c || c.uid === self.uid || c.state === "changed" || (c.role !== "focal-point" && c.role !== "legal")) continue;
    if (!out.some((o) => o.uid === c.uid)) out.push(c);
  }
  return out;
}

/**
 * The held record `rid` of case `c` — a version of one of its reports, a share or an event of
 * its log — or "not-found".
 */
export function recordOf(held, c, rid) {
  const h = held.byRid.get(String(rid ?? ""));
  const inCase = h && (c.reports.some((r) => r.rids.has(h.rid)) || c.log.some((e) => e.h.rid === h.rid));
  if (!inCase) throw new AccountError("not-found", "no such record in this case");
  return h;
}

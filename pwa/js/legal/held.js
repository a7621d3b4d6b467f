// What this account holds, in one shape whether a record was received (the sharing inbox) or is
// its own (the vault's records, from any of its devices): report versions, share messages and
// custody events. Cases, integrity lines and bundles all read records through this shape, so a
// focal point's view of a referral, a legal supporter's view of the same case and a delegate's
// view of who now holds her evidence are computed by one set of functions.
//
// Nothing here writes or fetches: it reads the unlocked session, the sharing state (both in
// memory) and the stored receipts of own records.
import { allReceipts } from "../store/sync-store.js";
import { lineages } from "../vault/lineage.js";
import { buildReports } from "../sharing/reports.js";
import { B, me, sharingState } from "../sharing/state.js";

/** The parsed content of a received incident body, or {} (a body is the author's word). */
function contentOf(body) {
  try {
    const content = JSON.parse(body.c);
    return content && typeof content === "object" && !Array.isArray(content) ? content : {};
  } catch {
    return {};
  }
}

/**
 * A held record, the same shape for both origins:
 * {rid, entry, kind, own, author: {uid, kid}, sharer: {uid, kid} | null (own records),
 *  body (the opened body; an own incident's is rebuilt from the vault's view: kind, ts, ver,
 *  att), content (an incident's content) | null, dev, seq, att (header entries), cek (b64u),
 *  flags (receive.js), receipt | null, receiptTs (ms, verified) | null, receiptOk (true, false:
 *  a receipt that did not verify, null: not received by the server yet), senderAtReceipt,
 *  item (inbox row) | rec (opened own record)}.
 */
function fromOwn(rec, self, receipt) {
  const body = rec.message || {
    kind: rec.kind, ts: rec.incident.savedAt, ver: rec.incident.version, att: rec.incident.attachments,
  };
  return {
    rid: rec.rid, entry: B(rec.entryHash), kind: rec.kind, own: true, author: { uid: self.uid, kid: self.kid }, sharer: null,
    body, content: rec.incident ? rec.incident.content : null, dev: rec.header.dev, seq: rec.header.seq, att: rec.header.att,
    cek: B(rec.cek), flags: [], receipt, receiptTs: receipt ? receipt.ts : null, receiptOk: receipt ? true : null,
    senderAtReceipt: "pinned", rec,
  };
}

function fromInbox(it) {
  return {
    rid: it.rid, entry: it.entry, kind: it.kind, own: false, author: it.author, sharer: it.sharer, body: it.body,
    content: it.kind === "sp.incident" ? contentOf(it.body) : null, dev: it.dev, seq: it.seq, att: it.att, cek: it.cek,
    flags: it.flags, receipt: it.receipt || null, receiptTs: it.receiptOk ? it.receiptTs : null, receiptOk: it.receiptOk,
    senderAtReceipt: it.senderAtReceipt, item: it,
  };
}

/**
 * Everything one legal-service call reads: {ctx, self, st, built (sharing buildReports),
 * byRid, byEntry (held records), own: own incident lineages}. One load per call: records only
 * ever arrive, so nothing here goes stale within it.
 */
export async function loadHeld(ctx) {
  const { s } = ctx;
  const st = await sharingState(s);
  const self = me(ctx);
  const receipts = await allReceipts();
  const byRid = new Map();
  const byEntry = new Map();
  const add = (h) => {
    byRid.set(h.rid, h);
    byEntry.set(h.entry, h);
  };
  for (const rec of s.records.values()) {
    if (rec.incident || rec.message) add(fromOwn(rec, self, receipts.get(rec.rid) || null));
  }
  for (const it of st.inbox.values()) {
    if (!it.rejected && !byEntry.has(it.entry)) add(fromInbox(it));
  }
  const own = lineages([...s.records.values()].filter((r) => r.incident));
  return { ctx, self, st, built: buildReports(st), byRid, byEntry, own };
}

/** Versions in the order they were written: version number, then save time. */
const oldestFirst = (a, b) => (Number(a.body.ver) || 1) - (Number(b.body.ver) || 1) || (Number(a.body.ts) || 0) - (Number(b.body.ts) || 0);

/**
 * The reports the given rids belong to, each once: a received report (an incident lineage of
 * its author, sharing/reports.js) or one of this account's own incidents (the delegate's view
 * of a case about her evidence). [{rid: the head's rid, rids: Set, members: [held] oldest
 * first, author: {uid, kid}, own, report: the sharing report | null}]. Rids held by nobody are
 * left out.
 */
export function reportsOf(held, rids) {
  const out = new Map();
  for (const rid of rids) {
    const received = held.built.byRid.get(rid);
    if (received && received.kind === "report") {
      if (!out.has(received.head.rid)) {
        out.set(received.head.rid, {
          rid: received.head.rid, rids: received.rids, author: received.author, own: false, report: received,
          members: received.members.map((m) => held.byRid.get(m.rid)).filter(Boolean).sort(oldestFirst),
        });
      }
      continue;
    }
    const lineage = held.own.lineageOf.get(rid);
    if (lineage && !out.has(lineage.primary.rid)) {
      out.set(lineage.primary.rid, {
        rid: lineage.primary.rid, rids: new Set(lineage.members.map((m) => m.rid)), author: { uid: held.self.uid, kid: held.self.kid },
        own: true, report: null, members: lineage.members.map((m) => held.byRid.get(m.rid)).sort(oldestFirst),
      });
    }
  }
  return [...out.values()];
}

/** The head of a report (what its title and type are read from). */
export function headOf(report) {
  return report.members.find((h) => h.rid === report.rid) || report.members[report.members.length - 1];
}

const namesAny = (body, rids) => Array.isArray(body.items) && body.items.some((x) => x && rids.has(x.rid));

/**
 * The share that carries a report's consent: for a received report its latest sp.share from its
 * author (the inbox's rule), for an own one her latest own sp.share naming it. Held record or null.
 */
function latestShareOf(held, report) {
  if (report.report) return report.report.latestShare ? held.byRid.get(report.report.latestShare.rid) || null : null;
  let best = null;
  for (const h of held.byRid.values()) {
    if (!h.own || h.kind !== "sp.share" || !namesAny(h.body, report.rids)) continue;
    if (!best || h.body.ts > best.body.ts) best = h;
  }
  return best;
}

/** {contact, statistics, legal, at (the share's ts)} the author signed for the report, or null. */
export function consentOf(held, report) {
  const share = latestShareOf(held, report);
  const given = share && share.body.consent;
  if (!given || typeof given !== "object") return null;
  return {
    contact: given.contact === true, statistics: given.statistics === true, legal: given.legal === true, at: Number(share.body.ts) || 0,
  };
}

// Received items seen as reports (pure functions over the opened inbox and the vault's own
// records; no storage, no network).
//
// A report is one incident lineage of one author (every version shared, grouped by the
// `supersedes`/`merges` links like the vault's own list; the first head is what is shown), or
// one alert. Around it: the sp.share messages of its author that name it (consent, the other
// recipients), and the sp.status and sp.note messages about it — received ones and this
// account's own (its own records, from any of its devices).
//
// A report referred to legal support (docs/legal-contract.md) is also in one or more **cases**,
// whose custody log is made of sp.custody records; everyone who sent or received an event of a
// case the report is in holds it too, and may speak about it (statuses, notes) like the
// recipients of its share.
import { lineages } from "../vault/lineage.js";
import { B, contactByKid, contactByUid } from "./state.js";

export const STATUSES = ["new", "acknowledged", "in-progress", "referred", "closed"];
/** The events of the custody log (docs/legal-contract.md §0.1). */
const CUSTODY_EVENTS = new Set(["referred", "opened", "note", "working-copy", "exported", "revoked"]);
const isRid = (v) => typeof v === "string" && /^[A-Za-z0-9_-]{22}$/.test(v);
const isKid = isRid; // 16 bytes in base64url, like a rid or a case id
const isEntry = (v) => typeof v === "string" && /^[A-Za-z0-9_-]{43}$/.test(v); // 32 bytes

/**
 * Whether an opened body is a well-formed sp.custody record: a case id, a known event, items
 * [{rid, entry, author}], prev [entry], `to` [kid] and a detail object. Anything else is not
 * part of any case (it is kept in the inbox, and shown nowhere).
 */
function isCustody(body) {
  if (!body || body.kind !== "sp.custody" || !isRid(body.case) || !CUSTODY_EVENTS.has(body.event)) return false;
  if (!Array.isArray(body.items) || !Array.isArray(body.prev) || !Array.isArray(body.to)) return false;
  if (!body.prev.every(isEntry) || !body.to.every(isKid)) return false;
  if (!body.items.every((x) => x && isRid(x.rid) && isEntry(x.entry) && isKid(x.author))) return false;
  return Boolean(body.detail) && typeof body.detail === "object" && !Array.isArray(body.detail);
}

/**
 * Every well-formed sp.custody record held: received ones and this account's own (any of its
 * devices; an own record delivered back by someone is counted once). [{entry, author: kid,
 * body, item (inbox row) | rec (own opened record)}].
 */
export function custodyRecords(st) {
  const out = new Map();
  const s = st.session;
  const mine = B(s.identity.kid);
  for (const rec of s.records.values()) {
    if (rec.message && isCustody(rec.message)) out.set(B(rec.entryHash), { entry: B(rec.entryHash), author: mine, body: rec.message, rec });
  }
  for (const it of st.inbox.values()) {
    if (it.rejected || it.kind !== "sp.custody" || out.has(it.entry) || !isCustody(it.body)) continue;
    out.set(it.entry, { entry: it.entry, author: it.author.kid, body: it.body, item: it });
  }
  return [...out.values()];
}

/**
 * Per case: {holders: Set kid (authors and recipients of its events, except the authors of its
 * items and pinned delegates), rids: Set (the items named), referrers: Set kid (authors of its
 * "referred" events)}.
 */
export function casesHeld(st) {
  const cases = new Map();
  for (const e of custodyRecords(st)) {
    if (!cases.has(e.body.case)) cases.set(e.body.case, { kids: new Set(), authors: new Set(), rids: new Set(), referrers: new Set() });
    const c = cases.get(e.body.case);
    c.kids.add(e.author);
    for (const kid of e.body.to) c.kids.add(kid);
    for (const x of e.body.items) {
      c.rids.add(x.rid);
      c.authors.add(x.author);
    }
    if (e.body.event === "referred") c.referrers.add(e.author);
  }
  for (const c of cases.values()) {
    c.holders = new Set([...c.kids].filter((kid) => !c.authors.has(kid) && contactByKid(st, kid)?.role !== "delegate"));
  }
  return cases;
}

const later = (a, b) => a.at - b.at || (a.order || 0) - (b.order || 0);

/**
 * {reports: [report], byRid: Map rid -> report}. report = {kind: "report"|"alert", head, members,
 * rids: Set, author: {uid, kid}, shares: [share message items naming it], latestShare,
 * holders: Set kid}. `holders` are those of the cases naming any of its versions that were
 * referred by this account or by a recipient of its latest share: a case someone else opened
 * about a report cannot make a stranger one of its holders.
 */
export function buildReports(st) {
  const items = [...st.inbox.values()].filter((it) => !it.rejected);
  const reports = [];
  const byAuthor = new Map();
  for (const it of items) {
    if (it.kind === "sp.incident") {
      if (!byAuthor.has(it.author.uid)) byAuthor.set(it.author.uid, []);
      byAuthor.get(it.author.uid).push(it);
    } else if (it.kind === "sp.alert") {
      reports.push({ kind: "alert", head: it, members: [it], rids: new Set([it.rid]), author: it.author });
    }
  }
  for (const group of byAuthor.values()) {
    const recs = group.map((it) => ({
      incident: {
        rid: it.rid, version: Number.isSafeInteger(it.body.ver) ? it.body.ver : 1, supersedes: it.supersedes,
        savedAt: Number(it.body.ts) || 0, item: it,
      },
      merges: Array.isArray(it.body.merges) ? it.body.merges.filter(isRid) : [],
    }));
    for (const l of lineages(recs).lineages) {
      const members = l.members.map((m) => m.item);
      reports.push({
        kind: "report", head: l.primary.item, members, rids: new Set(members.map((m) => m.rid)), author: l.primary.item.author,
      });
    }
  }
  const shares = items.filter((it) => it.kind === "sp.share" && Array.isArray(it.body.items));
  const byRid = new Map();
  for (const r of reports) {
    for (const rid of r.rids) byRid.set(rid, r);
    r.shares = shares.filter((m) => m.author.uid === r.author.uid && m.body.items.some((x) => x && r.rids.has(x.rid)))
      .sort((a, b) => a.body.ts - b.body.ts || a.cursor - b.cursor);
    r.latestShare = r.shares.length ? r.shares[r.shares.length - 1] : null;
  }
  const mine = B(st.session.identity.kid);
  const cases = casesHeld(st);
  for (const r of reports) {
    const trusted = new Set([mine, ...(r.latestShare && Array.isArray(r.latestShare.body.to) ? r.latestShare.body.to : [])]);
    r.holders = new Set();
    for (const c of cases.values()) {
      if (![...r.rids].some((rid) => c.rids.has(rid)) || ![...c.referrers].some((kid) => trusted.has(kid))) continue;
      for (const kid of c.holders) r.holders.add(kid);
    }
  }
  return { reports, byRid };
}

/**
 * Who someone is, for the screens: a pinned contact {uid, name, state, role}, this account
 * ({uid, name, state: "verified", me: true}), or an unknown kid ({uid: null, kid, name, state:
 * "unverified"}) named by what it claims.
 */
export function person(st, self, { uid = null, kid = null, claimed = "" }) {
  if ((uid && uid === self.uid) || (kid && kid === self.kid)) {
    return { uid: self.uid, name: self.name, state: "verified", role: self.role, me: true };
  }
  const c = (uid && contactByUid(st, uid)) || (kid && contactByKid(st, kid));
  if (c) return { uid: c.uid, name: c.name || String(claimed || ""), state: c.state, role: c.role };
  return { uid, kid, name: String(claimed || ""), state: "unverified", role: null };
}

/** Whether a message body is about any rid of `rids` (its `about` list). */
function about(body, rids) {
  return Array.isArray(body.about) && body.about.some((x) => x && rids.has(x.rid));
}

/**
 * Who may speak about a report: its author, the recipients of its latest share (for an alert,
 * of its header), the holders of its cases and this account. A status or note from anyone else
 * is ignored: holding a report is what entitles one to triage it.
 */
export function entitled(report, self) {
  return new Set([report.author.kid, self.kid, ...coRecipientKids(report, self)]);
}

/**
 * The messages of `kind` (sp.status or sp.note) about the report: received ones from those
 * entitled, and this account's own. [{body, at, by: person, own, flags}], oldest first.
 */
export function messagesAbout(s, st, self, kind, report) {
  const rids = report.rids;
  const allowed = entitled(report, self);
  const out = [];
  for (const it of st.inbox.values()) {
    if (it.rejected || it.kind !== kind || !about(it.body, rids) || !allowed.has(it.author.kid)) continue;
    out.push({
      body: it.body, at: Number(it.body.ts) || 0, order: it.cursor, own: false, flags: it.flags,
      by: person(st, self, { uid: it.author.uid, claimed: it.body.from }),
    });
  }
  for (const rec of s.records.values()) {
    if (!rec.message || rec.message.kind !== kind || !about(rec.message, rids)) continue;
    out.push({ body: rec.message, at: Number(rec.message.ts) || 0, order: 0, own: true, flags: [], by: person(st, self, { uid: self.uid }) });
  }
  return out.sort(later);
}

/** Statuses [{status, by, at}] (oldest first) and the current one (latest by ts; "new" if none). */
export function statusesOf(s, st, self, report) {
  const list = messagesAbout(s, st, self, "sp.status", report)
    .filter((m) => STATUSES.includes(m.body.status))
    .map((m) => ({ status: m.body.status, by: m.by, at: m.at }));
  return { statuses: list, status: list.length ? list[list.length - 1].status : "new" };
}

/**
 * The other holders of a report (its latest share's `to`, or an alert's header rcpt, and the
 * holders of its cases), without this account.
 */
export function coRecipientKids(report, self) {
  let kids = [];
  if (report.kind === "alert") kids = report.head.rcpt;
  else if (report.latestShare && Array.isArray(report.latestShare.body.to)) kids = report.latestShare.body.to;
  return [...new Set([...kids, ...report.holders].filter((k) => typeof k === "string" && k !== self.kid))];
}

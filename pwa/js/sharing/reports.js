// Received items seen as reports (pure functions over the opened inbox and the vault's own
// records; no storage, no network).
//
// A report is one incident lineage of one author (every version shared, grouped by the
// `supersedes`/`merges` links like the vault's own list; the first head is what is shown), or
// one alert. Around it: the sp.share messages of its author that name it (consent, the other
// recipients), and the sp.status and sp.note messages about it — received ones and this
// account's own (its own records, from any of its devices).
import { lineages } from "../vault/lineage.js";
import { contactByKid, contactByUid } from "./state.js";

export const STATUSES = ["new", "acknowledged", "in-progress", "referred", "closed"];
const isRid = (v) => typeof v === "string" && /^[A-Za-z0-9_-]{22}$/.test(v);

const later = (a, b) => a.at - b.at || (a.order || 0) - (b.order || 0);

/**
 * {reports: [report], byRid: Map rid -> report}. report = {kind: "report"|"alert", head, members,
 * rids: Set, author: {uid, kid}, shares: [share message items naming it], latestShare}.
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
 * of its header) and this account. A status or note from anyone else is ignored: holding a
 * report is what entitles one to triage it.
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

/** The other recipients of a report (its latest share's `to`, or an alert's header rcpt), without this account. */
export function coRecipientKids(report, self) {
  let kids = [];
  if (report.kind === "alert") kids = report.head.rcpt;
  else if (report.latestShare && Array.isArray(report.latestShare.body.to)) kids = report.latestShare.body.to;
  return [...new Set(kids.filter((k) => typeof k === "string" && k !== self.kid))];
}

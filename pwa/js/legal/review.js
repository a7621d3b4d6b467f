// Case review (docs/legal-contract.md §3 and §7.1): the list of cases this account holds and one
// case with its reports, versions, attachments, working copies, custody log and notes — what
// the legal supporter's and focal point's case screens show. Reads only; "opened" is sealed by
// openReport (custody.js) when a report is actually opened.
import { context } from "../sync/auth.js";
import { STATUSES, person, statusesOf } from "../sharing/reports.js";
import { buildCases, caseOf, worse } from "./cases.js";
import { isAvailable } from "./files.js";
import { consentOf, headOf, loadHeld } from "./held.js";

/** The author of a held record as the screens show people ({uid, name, state, role} or me). */
export const authorOf = (held, h) => person(held.st, held.self, { uid: h.author.uid, kid: h.author.kid, claimed: h.body.from });
const peopleOf = (held, kids) => (Array.isArray(kids) ? kids : []).map((kid) => person(held.st, held.self, { kid }));

/**
 * One log line: {entry, rid, event ("shared" for a consent share), by, to: [person], at (server
 * receipt time, null until received), ts (the author's clock), items, detail, state, reasons,
 * missing: [entry named by it and not held]}.
 */
export function logLine(held, e) {
  const { h } = e;
  const given = h.body.consent && typeof h.body.consent === "object" ? h.body.consent : {};
  const detail = e.event === "shared"
    ? { consent: { contact: given.contact === true, statistics: given.statistics === true, legal: given.legal === true } }
    : structuredClone(h.body.detail);
  return {
    entry: h.entry, rid: h.rid, event: e.event, by: authorOf(held, h), to: peopleOf(held, h.body.to), at: h.receiptTs,
    ts: Number(h.body.ts) || 0,
    items: (Array.isArray(h.body.items) ? h.body.items : []).map((x) => ({ rid: x.rid, entry: x.entry, author: x.author })),
    detail, state: e.state, reasons: [...e.reasons], missing: [...e.missing],
  };
}

/** {state, events, missing}: the worst line (a missing entry fails), how many lines, what is missing. */
function logVerdictOf(c) {
  let state = c.missing.length ? "fail" : "ok";
  for (const e of c.log) state = worse(state, e.state);
  return { state, events: c.log.length, missing: [...c.missing] };
}

/** The current status of an own report: the latest sp.status about it received from anyone. */
function ownStatus(held, report) {
  let best = null;
  for (const it of held.st.inbox.values()) {
    if (it.rejected || it.kind !== "sp.status" || !STATUSES.includes(it.body.status) || !Array.isArray(it.body.about)) continue;
    if (!it.body.about.some((x) => x && report.rids.has(x.rid))) continue;
    if (!best || it.body.ts > best.body.ts) best = it;
  }
  return best ? best.body.status : "new";
}

async function reportLine(held, c, r) {
  const head = headOf(r);
  const content = head.content || {};
  const attachments = [];
  for (const h of [...r.members].reverse()) { // newest version naming a file first
    for (const meta of Array.isArray(h.body.att) ? h.body.att : []) {
      if (!meta || attachments.some((a) => a.aid === meta.aid)) continue;
      attachments.push({
        aid: String(meta.aid), rid: h.rid, name: String(meta.name ?? ""), mime: String(meta.mime || "application/octet-stream"),
        size: Number(meta.size) || 0, available: await isAvailable(h, meta.aid), sha256: String(meta.sha256 ?? ""),
      });
    }
  }
  const workingCopies = [];
  for (const e of c.log) {
    const { h } = e;
    const of = e.event === "working-copy" ? h.body.detail.of : null;
    if (!of || !r.rids.has(of.rid) || !h.att.length) continue;
    workingCopies.push({
      rid: h.rid, aid: h.att[0].aid, of: { rid: String(of.rid), aid: String(of.aid ?? ""), sha256: String(of.sha256 ?? "") },
      by: authorOf(held, h), at: Number(h.body.ts) || 0, name: String(h.body.detail.name ?? ""),
      mime: String(h.body.detail.mime ?? ""), available: await isAvailable(h, h.att[0].aid),
    });
  }
  const sender = r.report
    ? person(held.st, held.self, { uid: r.author.uid, claimed: r.report.latestShare?.body.from ?? head.body.from })
    : authorOf(held, head);
  return {
    rid: r.rid, title: String(content.title ?? ""), type: String(content.type ?? ""), content, sender,
    status: r.report ? statusesOf(held.ctx.s, held.st, held.self, r.report).status : ownStatus(held, r),
    consent: consentOf(held, r),
    versions: r.members.map((h) => ({
      rid: h.rid, entry: h.entry, ver: Number(h.body.ver) || 1, ts: Number(h.body.ts) || 0, receivedByServer: h.receiptTs,
    })),
    attachments, workingCopies,
  };
}

/**
 * The cases this account holds, latest activity first: [{case, title, reports, events, last,
 * referredBy: person | null, complete}]. `complete`: no event names an entry that is not held
 * and every report version the events name is held.
 */
export async function cases() {
  const ctx = await context();
  const held = await loadHeld(ctx);
  return [...buildCases(held).values()]
    .map((c) => ({
      case: c.id, title: c.title, reports: c.reports.length, events: c.log.length, last: c.last,
      referredBy: c.referrer ? authorOf(held, c.referrer) : null, complete: !c.missing.length && !c.unheld.length,
    }))
    .sort((a, b) => b.last - a.last || (a.case < b.case ? -1 : 1));
}

/** One case (docs/legal-contract.md §7.1 caseView). "not-found" for a case this account does not hold. */
export async function caseView(caseId) {
  const ctx = await context();
  const held = await loadHeld(ctx);
  return viewOf(held, caseOf(held, caseId));
}

/** caseView() of case `c` (cases.js) from what `held` holds. */
export async function viewOf(held, c) {
  const reports = [];
  for (const r of c.reports) reports.push(await reportLine(held, c, r));
  return {
    case: c.id, title: c.title, holders: peopleOf(held, [...c.holders]), reports,
    log: c.log.map((e) => logLine(held, e)), logVerdict: logVerdictOf(c),
    notes: c.log.filter((e) => e.event === "note")
      .map((e) => ({ text: String(e.h.body.detail.text ?? ""), by: authorOf(held, e.h), at: Number(e.h.body.ts) || 0 })),
  };
}

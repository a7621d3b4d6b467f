// Referral (docs/legal-contract.md §0.3): a focal point passes reports she received to legal
// supporters, with the delegate's own signed permission.
//
// The consent gate runs before anything is sealed or queued — and before anything reaches the
// network: for every report, the latest sp.share its author sent to this account must say
// `consent.legal === true`, else AccountError("no-consent"). A referral is then one
// transaction: HPKE wraps by this focal point of every version of each report and of those
// consent shares (so the legal supporter verifies the delegate's permission, not the focal
// point's word) for each legal supporter, and the "referred" custody record with its own wraps
// — to the legal supporters, the other holders of the reports and their authors. The reports'
// status then becomes "referred" (sharing/triage.js). The next "Sync now" sends all of it.
import * as sp from "../../crypto/sp1.js";
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { recipients } from "../sharing/contacts.js";
import { coRecipientKids } from "../sharing/reports.js";
import { B, contactByKid, contactByUid, partyOf, sealOutbox } from "../sharing/state.js";
import { setStatus } from "../sharing/triage.js";
import { TITLE_MAX, caseOf } from "./cases.js";
import { itemsOf, sealCustody } from "./custody.js";
import { loadHeld } from "./held.js";

/** The latest sp.share from the report's author to this account (report.shares is sorted), or null. */
function consentShare(report, self) {
  const toMe = report.shares.filter((m) => Array.isArray(m.body.to) && m.body.to.includes(self.kid));
  return toMe.length ? toMe[toMe.length - 1] : null;
}

const allowsLegal = (share) => Boolean(share && share.body.consent && share.body.consent.legal === true);

/** A received report (any version's rid), or "not-found". */
function receivedReport(held, rid) {
  const r = held.built.byRid.get(String(rid ?? ""));
  if (!r || r.kind !== "report") throw new AccountError("not-found", "no such report");
  return r;
}

/**
 * Whether report `rid` may be referred: {ok, reason: null | "no-consent"}. For the screen; no
 * side effect.
 */
export async function referable(rid) {
  const ctx = await context();
  const held = await loadHeld(ctx);
  const ok = allowsLegal(consentShare(receivedReport(held, rid), held.self));
  return { ok, reason: ok ? null : "no-consent" };
}

/** The legal supporters `uids`: pinned, role "legal" (else "invalid"), the share() rules otherwise. */
async function legalSupporters(ctx, uids, confirmUnverified) {
  let people;
  try {
    people = await recipients(ctx, uids, { confirmUnverified });
  } catch (err) {
    if (err instanceof AccountError && err.code === "not-found") throw new AccountError("invalid", "not a pinned legal supporter");
    throw err;
  }
  if (people.some((c) => c.role !== "legal")) throw new AccountError("invalid", "not a legal supporter");
  return people;
}

/**
 * Refers reports `rids` (any version of each) to legal supporters `to` (uids) as a new case,
 * or, with `case`, as a further referral of a case this account holds. Returns {case}.
 * Errors: "no-consent", "not-found", "invalid", "key-changed", "unverified-contact" (without
 * `confirmUnverified`).
 */
export async function refer(rids, { to = [], title = "", confirmUnverified = false, case: existing = null } = {}) {
  if (!Array.isArray(rids) || !rids.length) throw new AccountError("invalid", "no report");
  const heading = typeof title === "string" ? title.normalize("NFC").trim() : null;
  if (heading === null || heading.length > TITLE_MAX) throw new AccountError("invalid", "a title has at most 200 characters");
  const ctx = await context();
  const held = await loadHeld(ctx);
  const { self, st } = held;
  const reports = [];
  for (const rid of rids) {
    const r = receivedReport(held, rid);
    if (!reports.includes(r)) reports.push(r);
  }
  const consent = reports.map((r) => consentShare(r, self));
  if (!consent.every(allowsLegal)) throw new AccountError("no-consent", "no consent to legal support");
  const legal = await legalSupporters(ctx, to, confirmUnverified);
  const caseId = existing === null ? B(sp.randomBytes(16)) : caseOf(held, existing).id;

  // Everyone who learns of it: the legal supporters, the other holders, the authors.
  const people = new Map(legal.map((c) => [c.uid, c]));
  for (const r of reports) {
    const author = contactByUid(st, r.author.uid);
    const kids = [author && author.kid === r.author.kid ? author.kid : null, ...coRecipientKids(r, self)];
    for (const kid of kids) {
      const c = kid && contactByKid(st, kid);
      if (c && c.state !== "changed" && c.uid !== self.uid && !people.has(c.uid)) people.set(c.uid, c);
    }
  }
  const versions = reports.flatMap((r) => r.members);
  const shares = [...new Map(consent.map((m) => [m.rid, m])).values()];
  await sealCustody(ctx, {
    caseId, event: "referred", items: itemsOf(versions),
    detail: { title: heading, consent: shares.map((m) => ({ rid: m.rid, entry: m.entry })), legal: legal.map((c) => c.kid) },
    recipients: [...people.values()], also: shares.map((m) => m.entry),
    extra: async (s) => {
      const add = [];
      for (const it of [...versions, ...shares]) {
        for (const c of legal) {
          const wrap = await sp.wrapForRecipient(s.identity, it.envelope.hdr, sp.b64uDecode(it.cek, 32), partyOf(c));
          add.push(await sealOutbox(s, { t: "wrap", rid: it.rid, kid: c.kid, uid: c.uid, wrap }));
        }
      }
      return { add, remove: [] };
    },
  });
  await setStatus(reports.map((r) => r.head.rid), "referred");
  return { case: caseId };
}

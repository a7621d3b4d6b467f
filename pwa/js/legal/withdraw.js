// Withdrawing a referred report (docs/legal-contract.md §0.1 "revoked", §0.3): a focal point
// referred a delegate's report to a legal supporter, re-sharing every version and the delegate's
// signed consent with wraps of her own. The delegate learns of it from the "referred" event
// (she is one of its recipients), and the server lets a record's author delete any share of
// it — so she can take her evidence back from someone she never shared it with herself.
//
// Who holds a report through a referral is read from the custody records held, never stored:
// a "referred" event naming a version grants each legal supporter of its `detail.legal`; a
// later "revoked" event naming a version withdraws `detail.kid` when its author wrote the report
// or referred it to that person. Withdrawing is one custody event per case, sealed to the
// case's holders, with the DELETE of every share that gave the legal supporter the report
// queued in the first event's transaction; the next "Sync now" sends both. A copy the legal
// supporter already opened cannot be recalled: her app removes its copy when it receives the
// event (sharing/receive.js), the server stops serving it once the shares are deleted.
import { AccountError } from "../sync/errors.js";
import { custodyRecords } from "../sharing/reports.js";
import { sealOutbox } from "../sharing/state.js";
import { itemsOf, sealCustody } from "./custody.js";
import { loadHeld, reportsOf } from "./held.js";

const strings = (list) => (Array.isArray(list) ? list.filter((v) => typeof v === "string") : []);

/**
 * Who received the report whose version rids are `rids` through a referral, as the custody
 * records held say (st: sharing state): Map kid -> {kid, live, by (the referrer's kid), at (ms:
 * the first referral since the last withdrawal), cases: Set case id, consent: Set rid (the
 * consent shares those referrals forwarded)}. `live` is false once it was withdrawn; the entry
 * stays for the screen's "revoking" line. Events are taken in the order of their authors'
 * clocks (`ts`), then entry hash, so every device of the delegate reads the same answer.
 */
export function referralsOf(st, rids) {
  const names = (e) => e.body.items.some((x) => rids.has(x.rid));
  const events = custodyRecords(st)
    .filter((e) => (e.body.event === "referred" || e.body.event === "revoked") && names(e))
    .sort((a, b) => (Number(a.body.ts) || 0) - (Number(b.body.ts) || 0) || (a.entry < b.entry ? -1 : 1));
  // Who may withdraw a legal supporter: the report's author, and whoever referred it to her.
  const referrers = new Map();
  for (const e of events) {
    if (e.body.event !== "referred") continue;
    for (const kid of strings(e.body.detail.legal)) {
      if (!referrers.has(kid)) referrers.set(kid, new Set());
      referrers.get(kid).add(e.author);
    }
  }
  const out = new Map();
  for (const e of events) {
    if (e.body.event === "referred") {
      const consent = (Array.isArray(e.body.detail.consent) ? e.body.detail.consent : []).map((c) => c && c.rid);
      for (const kid of strings(e.body.detail.legal)) {
        let r = out.get(kid);
        if (!r || !r.live) {
          r = { kid, live: true, by: e.author, at: Number(e.body.ts) || 0, cases: new Set(), consent: new Set() };
          out.set(kid, r);
        }
        r.cases.add(e.body.case);
        for (const rid of strings(consent)) r.consent.add(rid);
      }
      continue;
    }
    const r = out.get(e.body.detail.kid);
    if (!r || !r.live) continue;
    const byAuthor = e.body.items.some((x) => rids.has(x.rid) && x.author === e.author);
    if (byAuthor || referrers.get(r.kid)?.has(e.author)) r.live = false;
  }
  return out;
}

/**
 * Whether the own consent share `h` may be withdrawn from `kid` with `report`: no other report
 * it names is still referred to that person (her permission for that one must stay readable).
 */
function onlyFor(held, h, report, kid) {
  for (const x of Array.isArray(h.body.items) ? h.body.items : []) {
    if (!x || report.rids.has(x.rid)) continue;
    const other = held.own.lineageOf.get(x.rid);
    if (other && referralsOf(held.st, new Set(other.members.map((m) => m.rid))).get(kid)?.live) return false;
  }
  return true;
}

/**
 * The author withdraws her report `rid` (any version) from contact `c`, to whom a focal point
 * referred it: queues the DELETE of the share of every version and of each consent share the
 * referral forwarded, for `c.kid`, and seals a "revoked" event {kid} about the report's
 * versions in every case that referred it to her (prev = the case's heads, to its holders).
 * "not-found" when the report is not hers or is not referred to `c` now. Only seals and
 * queues; idempotent under concurrent calls (checked inside the chain's queue).
 */
export async function withdrawReferral(ctx, rid, c) {
  const held = await loadHeld(ctx);
  const [report] = reportsOf(held, [String(rid ?? "")]);
  if (!report || !report.own) throw new AccountError("not-found", "no such report of yours");
  const granted = referralsOf(held.st, report.rids).get(c.kid);
  if (!granted || !granted.live) throw new AccountError("not-found", "not referred to this contact");
  const consent = [...granted.consent].filter((r) => {
    const h = held.byRid.get(r);
    return h && h.own && h.kind === "sp.share" && onlyFor(held, h, report, c.kid);
  });
  const revoke = [...new Set([...report.rids, ...consent])];
  const items = itemsOf(report.members);
  const withdrawn = () => !referralsOf(held.st, report.rids).get(c.kid)?.live;
  const [first, ...others] = [...granted.cases].sort();
  const sealed = await sealCustody(ctx, {
    caseId: first, event: "revoked", items, detail: { kid: c.kid }, unless: withdrawn,
    extra: async (s) => {
      const add = [];
      for (const r of revoke) add.push(await sealOutbox(s, { t: "revoke", rid: r, kid: c.kid, uid: c.uid }));
      return { add, remove: [] };
    },
  });
  if (!sealed) return;
  for (const caseId of others) await sealCustody(ctx, { caseId, event: "revoked", items, detail: { kid: c.kid } });
}

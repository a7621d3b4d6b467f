// The "Integrity" region of case review (docs/legal-contract.md §3, §7.1): per record, one
// verdict line per check, each {check, state: "ok"|"warn"|"fail"|"unchecked", params, reasons}.
// The screen words them; codes and params are all it gets (never a sentence).
//
//   signature   the author's signature verified when the record arrived (an item that fails is
//               never kept); "fail" when her pinned key changed or a signed share names another
//               entry hash for this version, "warn" when her key is not verified.
//   chain       its place in the author's device chain: seq, dev, fork / chain-broken flags.
//   attachment  per file: the chunk hash was checked against the signed header at download;
//               the plaintext SHA-256 against the body's is checked when the file is read
//               (readCaseAttachment) and remembered for the session — "unchecked" until then.
//   receipt     the server's receipt time, verified under the pinned server key.
//   custody     who passed it to whom and when: the share messages and custody events naming it.
//   consent     what the author signed about legal support, and when.
import { context } from "../sync/auth.js";
import { contactByUid } from "../sharing/state.js";
import { caseOf, recordOf, verdict } from "./cases.js";
import { decryptFile, isAvailable, verdictOf } from "./files.js";
import { consentOf, loadHeld } from "./held.js";
import { authorOf, logLine } from "./review.js";

const line = (check, v, params) => ({ check, state: v.state, params, reasons: v.reasons });

function signatureLine(held, h) {
  const v = verdict();
  const who = authorOf(held, h);
  let verified = true;
  if (!h.own) {
    const c = contactByUid(held.st, h.author.uid);
    verified = Boolean(c) && c.kid === h.author.kid && c.state === "verified";
    if (h.senderAtReceipt === "changed" || (c && c.state === "changed")) v.mark("fail", "key-changed");
    else if (c && c.kid !== h.author.kid) v.mark("warn", "key-changed");
    else if (!verified) v.mark("warn", "unverified-sender");
  }
  for (const s of held.byRid.values()) {
    if (s.kind !== "sp.share" || s.author.kid !== h.author.kid || !Array.isArray(s.body.items)) continue;
    if (s.body.items.some((x) => x && x.rid === h.rid && x.entry !== h.entry)) v.mark("fail", "entry-mismatch");
  }
  return line("signature", v, { name: who.name, verified, kid: h.author.kid });
}

function chainLine(h) {
  const v = verdict();
  const fork = h.flags.includes("fork");
  const broken = h.flags.includes("chain-broken");
  if (fork) v.mark("fail", "fork");
  if (broken) v.mark("fail", "chain-broken");
  return line("chain", v, { seq: h.seq, dev: h.dev, fork, broken });
}

async function attachmentLine(s, h, meta) {
  const v = verdict();
  const checked = verdictOf(s, meta.aid);
  const available = await isAvailable(h, meta.aid);
  if (!checked) {
    v.state = "unchecked";
    if (!available) v.reasons.push("not-downloaded");
  } else if (!checked.matches) {
    v.mark("fail", "sha256-mismatch");
  }
  return line("attachment", v, {
    aid: String(meta.aid), name: String(meta.name ?? ""), sha256: String(meta.sha256 ?? ""),
    matches: checked ? checked.matches : null, available,
  });
}

function receiptLine(h) {
  const v = verdict();
  if (h.receiptOk === false) v.mark("fail", "receipt-invalid");
  else if (h.receiptTs === null) {
    v.state = "unchecked";
    v.reasons.push("not-received");
  }
  return line("receipt", v, { at: h.receiptTs });
}

/** The log lines naming the record (or being it), and whether the log has holes. */
function custodyLine(held, c, h) {
  const v = verdict();
  const events = [];
  for (const e of c.log) {
    const names = e.h.rid === h.rid || (Array.isArray(e.h.body.items) && e.h.body.items.some((x) => x && x.rid === h.rid));
    if (!names) continue;
    const shown = logLine(held, e);
    events.push({ event: shown.event, by: shown.by, to: shown.to, at: shown.at ?? shown.ts });
    for (const reason of e.reasons) v.mark(e.state, reason);
  }
  if (c.missing.length) v.mark("warn", "log-incomplete");
  return line("custody", v, { events });
}

/** The report a record is about: a version of it, or a working copy of one of its files. */
function reportAbout(c, h) {
  const of = h.kind === "sp.custody" && h.body.event === "working-copy" ? h.body.detail.of?.rid : null;
  return c.reports.find((r) => r.rids.has(h.rid) || (of && r.rids.has(of))) || null;
}

function consentLine(held, c, h) {
  const v = verdict();
  const report = reportAbout(c, h);
  const consent = report ? consentOf(held, report) : null;
  if (!report) {
    v.state = "unchecked";
  } else if (!consent) {
    v.mark("fail", "no-share-message");
  } else if (!consent.legal) {
    v.mark("fail", "no-consent");
  }
  return line("consent", v, { legal: consent ? consent.legal : false, at: consent ? consent.at : null });
}

/**
 * The verdict lines of record `rid` of case `caseId` (a report version, a consent share or a
 * custody event such as a working copy), in this order: signature, chain, attachment (one per
 * file), receipt, custody, consent. "not-found" for a record the case does not hold.
 */
export async function integrity(caseId, rid) {
  const ctx = await context();
  const held = await loadHeld(ctx);
  const c = caseOf(held, caseId);
  const h = recordOf(held, c, rid);
  const lines = [signatureLine(held, h), chainLine(h)];
  for (const meta of Array.isArray(h.body.att) ? h.body.att : []) {
    if (meta && h.att.some((a) => a.aid === meta.aid)) lines.push(await attachmentLine(ctx.s, h, meta));
  }
  lines.push(receiptLine(h), custodyLine(held, c, h), consentLine(held, c, h));
  return lines;
}

/**
 * File `aid` of record `rid` of the case, decrypted in memory; its plaintext SHA-256 is checked
 * against the signed body and the verdict remembered for integrity(). "not-found" until "Sync
 * now" downloaded it (or for a file the case does not hold).
 */
export async function readCaseAttachment(caseId, rid, aid) {
  const ctx = await context();
  const held = await loadHeld(ctx);
  const h = recordOf(held, caseOf(held, caseId), rid);
  return (await decryptFile(ctx.s, h, String(aid ?? ""))).blob;
}

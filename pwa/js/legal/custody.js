// Sealing custody events (docs/legal-contract.md §0.1–0.2): an sp.custody record in this
// device's chain, numbered and wrapped like every message (sharing/messages.js), whose `prev`
// names the heads of the case as held at that moment. The heads are read inside the chain's
// serial queue, so two events sealed at once never both claim to follow the same heads while
// missing each other, and "opened" is checked and sealed in one step of that queue.
//
// Everything here only seals and queues: the next "Sync now" sends it.
import * as sp from "../../crypto/sp1.js";
import { encryptFile } from "../vault/attachments.js";
import * as port from "../vault/sync-port.js";
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { sealMessageNow } from "../sharing/messages.js";
import { B, me, sharingState } from "../sharing/state.js";
import { caseOf, headsNow, holderContacts } from "./cases.js";
import { loadHeld } from "./held.js";

const NOTE_MAX = 10000;

/** {rid, entry, author} of held records, as a custody event's `items`. */
export const itemsOf = (records) => records.map((h) => ({ rid: h.rid, entry: h.entry, author: h.author.kid }));

/**
 * Seals custody `event` of case `caseId` inside the chain's queue. `recipients`: the contacts
 * it goes to (default: the case's holders now, cases.js holderContacts). `prev`: `also` (a
 * referral's consent shares) plus the case's heads now — or `prev` itself when given (an
 * export names the heads of what its bundle holds). `file`: {blob, name}, the event's one
 * attachment, encrypted under the record's key in the same step of the queue (so the orphan
 * sweep never sees its chunks alone). `unless()`: when true, nothing is sealed and null is
 * returned. `extra`: more outbox rows for the record's transaction (sharing/messages.js).
 * Returns the opened own record.
 */
export async function sealCustody(ctx, {
  caseId, event, items, detail, recipients = null, also = [], prev = null, extra = null, file = null, unless = null,
}) {
  return port.serial(async () => {
    ctx.check();
    const st = await sharingState(ctx.s);
    if (unless && unless()) return null;
    const to = recipients || holderContacts(st, me(ctx), caseId);
    const fields = {
      case: caseId, event, items, detail,
      prev: [...new Set([...(prev || headsNow(st, caseId)), ...also])].sort(),
    };
    if (!file) return sealMessageNow(ctx, { kind: "sp.custody", recipients: to, fields, extra });
    const cek = sp.newRecordKey();
    const named = new File([file.blob], file.name, { type: file.blob.type });
    const { entry, meta } = await encryptFile(named, cek, null);
    ctx.check();
    return sealMessageNow(ctx, {
      kind: "sp.custody", recipients: to, fields: { ...fields, att: [meta] }, extra,
      attachments: [entry], cek, newAids: [meta.aid],
    });
  });
}

/** Whether this device has already sealed "opened" for the case (its own chain says so). */
function openedHere(s, caseId) {
  const dev = B(s.meta.dev);
  for (const rec of s.records.values()) {
    const m = rec.message;
    if (m && m.kind === "sp.custody" && m.case === caseId && m.event === "opened" && rec.header.dev === dev) return true;
  }
  return false;
}

/**
 * Case review opens report `rid` (any version) of case `caseId`: the first time this device
 * does so for the case, an "opened" event about that report's versions is sealed and queued.
 * Idempotent, also under concurrent calls (checked inside the chain's queue).
 * Returns {sealed: bool}.
 */
export async function openReport(caseId, rid) {
  const ctx = await context();
  const held = await loadHeld(ctx);
  const c = caseOf(held, caseId);
  const report = c.reports.find((r) => r.rids.has(String(rid ?? "")));
  if (!report) throw new AccountError("not-found", "no such report in this case");
  const rec = await sealCustody(ctx, {
    caseId: c.id, event: "opened", items: itemsOf(report.members), detail: {}, unless: () => openedHere(ctx.s, c.id),
  });
  return { sealed: rec !== null };
}

/** "Add note" in case review: a "note" event {text} (1–10000 characters, NFC, trimmed) to the case's holders. */
export async function addCaseNote(caseId, text) {
  const note = typeof text === "string" ? text.normalize("NFC").trim() : "";
  if (!note || note.length > NOTE_MAX) throw new AccountError("invalid", "a note needs 1 to 10000 characters");
  const ctx = await context();
  const c = caseOf(await loadHeld(ctx), caseId);
  await sealCustody(ctx, { caseId: c.id, event: "note", items: [], detail: { text: note } });
}

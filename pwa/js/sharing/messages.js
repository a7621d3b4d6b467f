// Sealing the messages of docs/sharing-contract.md §2 (sp.share, sp.unshare, sp.status, sp.note)
// into this device's chain, with an HPKE wrap per recipient queued in the outbox in the same
// transaction as the record (the next "Sync now" sends them together).
//
// Numbering: `n[rkid]` counts the messages this device chain has sent to one recipient, 1, 2, 3…
// It is derived from the chain itself (the opened bodies of this device's own message records),
// never from a separate counter, so it cannot drift from what was really sealed, and it is
// computed inside the chain's serial queue, so two messages can never get one number.
import * as sp from "../../crypto/sp1.js";
import * as port from "../vault/sync-port.js";
import { B, me, partyOf, sealOutbox } from "./state.js";

/** Highest `n` this device chain has used per recipient kid. */
export function numbersUsed(s) {
  const dev = B(s.meta.dev);
  const used = new Map();
  for (const rec of s.records.values()) {
    if (!rec.message || rec.header.dev !== dev || !rec.message.n || typeof rec.message.n !== "object") continue;
    for (const [kid, n] of Object.entries(rec.message.n)) {
      if (Number.isSafeInteger(n) && n > (used.get(kid) || 0)) used.set(kid, n);
    }
  }
  return used;
}

/**
 * Seals message `kind` with body `fields` to `recipients` (pinned contacts) and queues one HPKE
 * wrap per recipient. `extra(s)`, if given, returns more outbox changes for the same transaction
 * ({add: [sealed rows], remove: [keys]}): the wraps of the reports a share names, the
 * revocations of an unshare. A message that carries a file (a working copy, docs/legal-contract.md
 * §0.1) passes its header entries as `attachments`, the record key they were encrypted under as
 * `cek` and their aids as `newAids` (chunks already stored), exactly as an incident does; its
 * `fields` then hold the body's `att`. Returns the opened record.
 */
export async function sealMessage(ctx, message) {
  return port.serial(() => sealMessageNow(ctx, message));
}

/** sealMessage() for a caller already inside the chain's queue (port.serial). */
export async function sealMessageNow(ctx, {
  kind, recipients, fields, extra = null, attachments = [], cek = sp.newRecordKey(), newAids = [],
}) {
  const self = me(ctx);
  ctx.check();
  const { s } = ctx;
  const used = numbersUsed(s);
  const to = recipients.map((c) => c.kid);
  const n = Object.fromEntries(to.map((kid) => [kid, (used.get(kid) || 0) + 1]));
  const body = { ts: Date.now(), kind, to, n, from: self.name, ...fields };
  const more = extra ? await extra(s) : { add: [], remove: [] };
  return port.sealIntoChain(s, {
    body, attachments, cek, newAids,
    rcpt: to.map((kid) => sp.b64uDecode(kid, 16)),
    outbox: async ({ rid, hdr, cek }) => {
      const add = [];
      for (const c of recipients) {
        const wrap = await sp.wrapForRecipient(s.identity, hdr, cek, partyOf(c));
        add.push(await sealOutbox(s, { t: "wrap", rid, kid: c.kid, uid: c.uid, wrap }));
      }
      return { add: [...add, ...(more.add || [])], remove: more.remove || [] };
    },
  });
}

/** Every opened message record of this account (all its devices) of `kind`. */
export function ownMessages(s, kind) {
  return [...s.records.values()].filter((rec) => rec.message && rec.message.kind === kind);
}

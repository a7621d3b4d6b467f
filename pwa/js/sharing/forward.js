// A new version of a shared report goes to the people who hold it, by itself: the delegate who
// corrects a report she shared expects its recipients to get the correction.
//
// When this device seals a version of an incident lineage that has live shares (the latest own
// sp.share/sp.unshare naming it, per recipient key, is a share; no wrap of it was refused), it
// seals an sp.share {items: the new version(s), consent: that recipient's latest share's} to
// those recipients and queues an HPKE wrap of each new version for each — exactly what share()
// does, so the recipients' numbering, consent and statistics work unchanged. The next "Sync
// now" sends them. Merges (a version that resolves a conflict) are versions like any other.
//
// Only the device that sealed a version forwards it (its header's `dev`): two devices of the
// delegate never both forward one version, and a device that learns of a share only at a pull
// (made on her other phone) forwards its own versions then. Forwarding runs after each save
// (vault hook), at the start of "Sync now" (a page that died in between) and after its pull.
// A recipient whose key changed is skipped until it is pinned again; one she revoked gets
// nothing. What was forwarded is read back from the chain itself (the share records), so it can
// never be sent twice by one device.
import * as sp from "../../crypto/sp1.js";
import { getRecords } from "../store/vault-store.js";
import { lineages } from "../vault/lineage.js";
import * as port from "../vault/sync-port.js";
import { context } from "../sync/auth.js";
import { ownMessages, sealMessageNow } from "./messages.js";
import { liveHolders, namedBy } from "./shares.js";
import {
  B, contactByKid, me, outboxRows, partyOf, sealOutbox, sharingState,
} from "./state.js";

const CONSENT_KEYS = ["contact", "statistics", "legal"];

/** The consent of a share record, as the three booleans share() signs. */
function consentOf(rec) {
  const given = rec.message.consent && typeof rec.message.consent === "object" ? rec.message.consent : {};
  return Object.fromEntries(CONSENT_KEYS.map((k) => [k, given[k] === true]));
}

/**
 * What this device must still forward: [{versions: [opened records], people: [contacts],
 * consent}], one entry per lineage and group of recipients with the same consent and the same
 * missing versions. `refused` is the set of "rid kid" pairs the server refused for good.
 */
export function pendingForwards(s, st, refused) {
  const everShared = namedBy(ownMessages(s, "sp.share"));
  if (!everShared.size) return [];
  const dev = B(s.meta.dev);
  const incidents = [...s.records.values()].filter((r) => r.incident);
  const out = [];
  for (const lineage of lineages(incidents).lineages) {
    if (!lineage.members.some((m) => everShared.has(m.rid))) continue;
    const mine = lineage.members.map((m) => s.records.get(m.rid)).filter((rec) => rec.header.dev === dev);
    if (!mine.length) continue;
    const rids = new Set(lineage.members.map((m) => m.rid));
    const groups = new Map();
    for (const holder of liveHolders(s, rids).values()) {
      if ([...rids].some((rid) => refused.has(rid + " " + holder.kid))) continue;
      const c = contactByKid(st, holder.kid);
      if (!c || c.state === "changed") continue;
      const named = namedBy(holder.recs);
      const missing = mine.filter((rec) => !named.has(rec.rid));
      if (!missing.length) continue;
      const consent = consentOf(holder.recs[holder.recs.length - 1]);
      const key = JSON.stringify([consent, missing.map((rec) => rec.rid).sort()]);
      if (!groups.has(key)) groups.set(key, { versions: missing, people: [], consent });
      groups.get(key).people.push(c);
    }
    out.push(...groups.values());
  }
  return out;
}

/**
 * Seals what pendingForwards() finds, in the chain's queue (so a save and a sync never forward
 * one version twice). Returns the number of sp.share messages sealed.
 */
export async function forwardVersions(ctx) {
  return port.serial(async () => {
    ctx.check();
    const { s } = ctx;
    if (!ownMessages(s, "sp.share").length) return 0;
    const st = await sharingState(s);
    const refused = new Set((await outboxRows(s))
      .filter(({ row }) => row.t === "failed").map(({ row }) => row.rid + " " + row.kid));
    const self = me(ctx);
    let sealed = 0;
    for (const { versions, people, consent } of pendingForwards(s, st, refused)) {
      const headers = new Map((await getRecords(versions.map((rec) => rec.rid))).map((row) => [row.rid, row.envelope.hdr]));
      if (headers.size !== versions.length) continue; // a version not stored (cannot happen): nothing half-sent
      const items = versions.map((rec) => ({ rid: rec.rid, entry: B(rec.entryHash), author: self.kid }));
      await sealMessageNow(ctx, {
        kind: "sp.share", recipients: people, fields: { items, consent },
        extra: async () => {
          const add = [];
          for (const rec of versions) {
            for (const c of people) {
              const wrap = await sp.wrapForRecipient(s.identity, headers.get(rec.rid), rec.cek, partyOf(c));
              add.push(await sealOutbox(s, { t: "wrap", rid: rec.rid, kid: c.kid, uid: c.uid, wrap }));
            }
          }
          return { add, remove: [] };
        },
      });
      sealed++;
    }
    return sealed;
  });
}

// After each new version saved by the screens (vault.saveIncident with `supersedes`). A vault
// without an account (or the decoy) has nothing shared: context() refuses and nothing happens.
port.onNewVersion(async () => {
  const ctx = await context();
  await forwardVersions(ctx);
});

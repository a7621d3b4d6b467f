// Contacts: the focal points and legal supporters of the directory, and the people whose reports
// or messages arrived (senders), each pinned by account id on first sight (trust on first use).
//
// Pinning rule: a bundle for a pinned uid with the same kid updates the contact (role, and the
// name of a card signed by that key); a bundle with another kid never replaces the pin. The
// contact becomes "changed" and keeps the new bundle aside until the person accepts it
// (acceptNewKey), after comparing safety numbers: a server cannot swap a key unnoticed.
// A changed contact is never shared with (AccountError "key-changed").
//
// Cross-device memory: verifying a contact (markVerified, verifyScanned) and accepting a new key
// also seal an "sp.contact" record {kind, ts, uid, kid, state: "verified"|"accepted"} into the
// account's own chain (owner wrap only, no recipient). Her other devices pull it like an
// incident, and read every contact through it (state.js stateOf): a new phone shows the contact
// verified as soon as the directory gives it the key she verified, and "changed" when the
// directory gives it another one — even on its very first look, when a pin alone would have
// taken the server's word. A directory that shows the key her records name is pinned at once.
import * as sp from "../../crypto/sp1.js";
import * as port from "../vault/sync-port.js";
import { authed, context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import {
  B, contactByUid, contactView, me, partyOf, publicContact, saveContacts, sharingState, stateOf, vouches,
} from "./state.js";

const DIRECTORY_ROLES = new Set(["focal-point", "legal"]);
export const SAFETY_PREFIX = "SP1-SAFETY:";

function fail(code, message = code) {
  return new AccountError(code, message);
}

/** The name and org of a signed card, verified under the bundle's key; null when absent or invalid. */
async function cardOf(signed, party) {
  if (!signed || typeof sp.verifyCard !== "function") return null;
  try {
    const card = await sp.verifyCard(signed, party);
    return { name: String(card.name || ""), org: String(card.org || "") };
  } catch {
    return null; // a card that does not verify is ignored: the contact shows no name
  }
}

/**
 * Applies the pinning rule to a verified bundle `party` ({uid, role, kid, sigPub, encPub}) with
 * its transport form `bundle` and optional verified `card` ({name, org}). Returns the contact to
 * store (or null when nothing changed) and whether it just became "changed".
 */
export function pinned(existing, { party, bundle, card = undefined, signedCard = null, source }) {
  const kid = B(party.kid);
  const fresh = {
    uid: party.uid, kid, sigPub: B(party.sigPub), encPub: B(party.encPub), role: party.role, bundle,
  };
  if (!existing) {
    return {
      c: {
        ...fresh, name: card ? card.name : "", org: card ? card.org : "", card: signedCard, state: "unverified",
        source, pending: null, previous: null, pinnedAt: Date.now(),
      },
      changed: true,
    };
  }
  if (existing.kid === kid) {
    const next = { ...existing, role: party.role, bundle };
    if (card !== undefined) Object.assign(next, { name: card ? card.name : "", org: card ? card.org : "", card: signedCard });
    if (source === "directory") next.source = "directory";
    // The directory shows the pinned key again: whatever changed it is gone.
    if (existing.state === "changed") Object.assign(next, { state: existing.previous || "unverified", pending: null, previous: null });
    const same = JSON.stringify(next) === JSON.stringify(existing);
    return same ? null : { c: next, changed: false };
  }
  if (existing.state === "changed" && existing.pending && existing.pending.kid === kid) return null;
  return {
    c: {
      ...existing, state: "changed", previous: existing.state === "changed" ? existing.previous : existing.state,
      pending: { ...fresh, card: signedCard, name: card ? card.name : "", org: card ? card.org : "" },
    },
    changed: true,
    keyChanged: true,
  };
}

/**
 * pinned(), told what the account's own latest sp.contact record says of this person
 * (`vouch`: {kid, state} or undefined). A bundle with the key that record names replaces a pin
 * of another key: she verified or accepted that key herself, on one of her devices.
 */
export function pinnedVouched(existing, item, vouch) {
  const kid = B(item.party.kid);
  if (!existing || !vouch || vouch.kid !== kid || existing.kid === kid) return pinned(existing, item);
  const fresh = pinned(null, item).c;
  const source = existing.source === "directory" ? "directory" : fresh.source;
  return { c: { ...fresh, source, state: vouch.state === "verified" ? "verified" : "unverified" }, changed: false };
}

/**
 * GET /api/directory: verifies every bundle (and card), pins new contacts, updates known ones and
 * marks those whose key differs as "changed". Returns {contacts, changed: [uid]} (the uids that
 * became "changed" now: by their pin, or because their key is not the one the account's own
 * sp.contact records name). Entries that do not verify are left out.
 */
export async function refreshDirectory() {
  const ctx = await context();
  const answer = await authed(ctx, "GET", "/api/directory");
  if (!answer || !Array.isArray(answer.contacts)) throw fail("server-error", "unexpected directory answer");
  const self = me(ctx);
  const seen = [];
  for (const entry of answer.contacts) {
    if (!entry || entry.account === self.uid || !DIRECTORY_ROLES.has(entry.role)) continue;
    let party;
    try {
      party = await sp.verifyBundle(entry.bundle);
    } catch {
      continue;
    }
    if (party.uid !== entry.account || party.role !== entry.role) continue;
    seen.push({
      party, bundle: { bundle: entry.bundle.bundle, sig: entry.bundle.sig },
      card: await cardOf(entry.card, party), signedCard: entry.card || null,
    });
  }
  const changedUids = [];
  await port.serial(async () => {
    ctx.check();
    const st = await sharingState(ctx.s);
    const vouched = vouches(ctx.s);
    const writes = [];
    const before = new Map();
    for (const item of seen) {
      const current = st.contacts.get(item.party.uid);
      before.set(item.party.uid, current ? stateOf(st, current.c) : null);
      const next = pinnedVouched(current ? current.c : null, { ...item, source: "directory" }, vouched.get(item.party.uid));
      if (!next) continue;
      writes.push({ key: current ? current.key : null, c: next.c });
    }
    await saveContacts(ctx.s, st, writes);
    for (const [uid, was] of before) {
      if (was !== "changed" && stateOf(st, st.contacts.get(uid).c) === "changed") changedUids.push(uid);
    }
  });
  return { contacts: await contacts(), changed: changedUids };
}

/**
 * Publishes this account's contact card (focal points and legal supporters only), signed with
 * its identity key so the server cannot rename it: PUT /api/directory/card. `name` defaults to
 * the profile's display name. "invalid" for a name or org the card format refuses (SP1 §5.4).
 */
export async function publishCard({ name = null, org = "" } = {}) {
  const ctx = await context();
  const self = me(ctx);
  if (!DIRECTORY_ROLES.has(self.role)) throw fail("invalid", "only focal points and legal supporters publish a card");
  let signed;
  try {
    signed = await sp.makeCard(ctx.s.identity, String(name ?? self.name), String(org ?? ""));
  } catch {
    throw fail("invalid", "this name or organisation cannot go on a card");
  }
  try {
    await authed(ctx, "PUT", "/api/directory/card", { json: signed });
  } catch (err) {
    if (err instanceof AccountError && err.serverCode === "invalid-card") throw fail("invalid", "the server refused the card");
    throw err;
  }
}

/** Every pinned contact (not this account itself), by name then uid. */
export async function contacts() {
  const ctx = await context();
  const st = await sharingState(ctx.s);
  return [...st.contacts.values()].map(({ c }) => publicContact(contactView(st, c)))
    .sort((a, b) => a.name.localeCompare(b.name) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/** {st, c: the contact's view, entry: {key, c} as stored} or "not-found". */
async function contactOrFail(ctx, uid) {
  const st = await sharingState(ctx.s);
  const entry = st.contacts.get(String(uid ?? ""));
  if (!entry) throw fail("not-found", "no such contact");
  return { st, c: contactView(st, entry.c), entry };
}

async function digits(ctx, c) {
  return sp.safetyNumber(me(ctx).party, partyOf(c));
}

/** SP1 §13 safety number of this account and the contact's pinned key: 12 groups of 5 digits. */
export async function safetyNumber(uid) {
  const ctx = await context();
  const { c } = await contactOrFail(ctx, uid);
  return (await digits(ctx, c)).match(/\d{5}/g).join(" ");
}

/** What the contact's QR code holds: "SP1-SAFETY:" + the 60 digits (the same on both phones). */
export async function qrText(uid) {
  const ctx = await context();
  const { c } = await contactOrFail(ctx, uid);
  return SAFETY_PREFIX + (await digits(ctx, c));
}

/**
 * Seals an sp.contact record {uid, kid, state} into this device's chain (owner wrap only: it is
 * for the account's own devices). Call inside port.serial().
 */
async function sealNote(s, uid, kid, state) {
  await port.sealIntoChain(s, { body: { ts: Date.now(), kind: port.CONTACT, uid, kid, state } });
}

/**
 * In the chain's queue: `change(c, view)` (stored contact, its view) returns {c: the contact to
 * store, or null, note: the sp.contact state to seal for c.kid, or null}. The record is sealed
 * first: once it exists, every device reads the contact through it, even if the page dies
 * before the pin is stored.
 */
async function setState(ctx, uid, change) {
  await port.serial(async () => {
    ctx.check();
    const { st, c: view, entry } = await contactOrFail(ctx, uid);
    const { c: next, note } = change(entry.c, view);
    const kid = next ? next.kid : entry.c.kid;
    if (note) await sealNote(ctx.s, entry.c.uid, kid, note);
    if (next) await saveContacts(ctx.s, st, [{ key: entry.key, c: next }]);
  });
}

/**
 * After comparing the safety number in person or on a call. A changed key cannot be verified.
 * Seals an sp.contact "verified" record unless her latest one already says so of this key.
 */
export async function markVerified(uid) {
  const ctx = await context();
  await setState(ctx, uid, (c, view) => {
    if (view.state === "changed") throw fail("key-changed", "the contact's key changed");
    const v = vouches(ctx.s).get(c.uid);
    return {
      c: c.state === "verified" ? null : { ...c, state: "verified", verifiedAt: Date.now() },
      note: v && v.kid === c.kid && v.state === "verified" ? null : "verified",
    };
  });
}

/** A scanned QR code: equal to this contact's → verified; anything else → AccountError("mismatch"). */
export async function verifyScanned(uid, text) {
  const ctx = await context();
  const { c } = await contactOrFail(ctx, uid);
  if (c.state === "changed") throw fail("key-changed", "the contact's key changed");
  const expected = SAFETY_PREFIX + (await digits(ctx, c));
  if (typeof text !== "string" || text.trim() !== expected) throw fail("mismatch", "the scanned code is not this contact's");
  await markVerified(uid);
}

/**
 * A "changed" contact: pins the new key (state "unverified": compare safety numbers again) and
 * seals an sp.contact "accepted" record for it. A contact "changed" only because her own
 * records name another key (`conflict`) has no new key waiting: the key pinned on this phone is
 * the one accepted.
 */
export async function acceptNewKey(uid) {
  const ctx = await context();
  await setState(ctx, uid, (c, view) => {
    if (c.state === "changed" && c.pending) {
      const { card, name, org, ...key } = c.pending;
      return {
        c: {
          ...c, ...key, card, name, org, state: "unverified", pending: null, previous: null, verifiedAt: null, pinnedAt: Date.now(),
        },
        note: "accepted",
      };
    }
    if (view.state !== "changed") throw fail("invalid", "the contact's key did not change");
    return { c: { ...c, state: "unverified", verifiedAt: null, pinnedAt: Date.now() }, note: "accepted" };
  });
}

/**
 * The recipients of a message or share: pinned contacts by uid. Unknown → "not-found"; a changed
 * key → "key-changed"; unverified without `confirmUnverified` → "unverified-contact".
 */
export async function recipients(ctx, uids, { confirmUnverified = false, allowUnverified = false } = {}) {
  if (!Array.isArray(uids) || !uids.length) throw fail("invalid", "no recipient");
  const st = await sharingState(ctx.s);
  const self = me(ctx);
  const out = new Map();
  for (const uid of uids) {
    const c = contactByUid(st, String(uid ?? ""));
    if (!c || c.uid === self.uid) throw fail("not-found", "no such contact");
    if (c.state === "changed") throw fail("key-changed", "a recipient's key changed");
    if (c.state !== "verified" && !confirmUnverified && !allowUnverified) {
      throw fail("unverified-contact", "a recipient is not verified");
    }
    out.set(c.uid, c);
  }
  return [...out.values()];
}

// What the sharing service holds for the unlocked vault: the pinned contacts and the received
// items, opened from IndexedDB once per unlock and kept in memory (they die with lock(), like
// the vault's records); the outbox, read when needed; the small "sharing" object (alerts this
// device set, the duress alert). Every value is sealed under the account key with its own
// label (sp.sealLocal), so IndexedDB holds no name, kid, consent or status in clear.
//
// A contact's state is this phone's pin (contacts.js) read together with the account's own
// "sp.contact" records — which key of that person she verified or accepted, on any of her
// devices (they sync like her incidents). The pin alone would forget a verification on a new
// phone, and would pin silently whatever key the server showed that phone first.
//
// Writes happen inside the vault's serial() queue (port.serial), one transaction each, and the
// memory copy is changed only after the transaction committed.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/sharing-store.js";
import { getSync, putSync } from "../store/sync-store.js";
import * as port from "../vault/sync-port.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

export const B = (bytes) => sp.b64uEncode(bytes);

/** JSON sealed under the account key for local storage (`label`: contact, inbox, outbox, sharing). */
export async function sealJson(s, value, label) {
  return sp.sealLocal(s.ak, enc.encode(JSON.stringify(value)), label);
}

export async function openJson(s, sealed, label) {
  return JSON.parse(dec.decode(await sp.openLocal(s.ak, sealed, label)));
}

// ---------------------------------------------------------------------------------------------
// Contacts and inbox, in memory per session.

const states = new WeakMap(); // vault session -> Promise<{contacts, inbox}>

/**
 * {contacts: Map uid -> {key, c}, inbox: Map cursor -> item} of session `s`. A row that does not
 * open (damaged storage) is left out; it stays in IndexedDB untouched.
 */
export function sharingState(s) {
  if (!states.has(s)) {
    const loading = load(s);
    states.set(s, loading);
    loading.catch(() => states.delete(s));
  }
  return states.get(s);
}

async function load(s) {
  const contacts = new Map();
  for (const [key, sealed] of await store.allContacts()) {
    try {
      const c = await openJson(s, sealed, "contact");
      contacts.set(c.uid, { key, c });
    } catch {
      // damaged row: not shown, not overwritten
    }
  }
  const inbox = new Map();
  for (const [key, sealed] of await store.allInbox()) {
    try {
      inbox.set(key, await openJson(s, sealed, "inbox"));
    } catch {
      // damaged row
    }
  }
  return { contacts, inbox, session: s };
}

/** Seals and stores contacts [{key?, c}] in one transaction, then updates the memory copy. */
export async function saveContacts(s, st, list) {
  const rows = [];
  for (const entry of list) {
    const key = entry.key || B(sp.randomBytes(16));
    rows.push({ key, c: entry.c, sealed: await sealJson(s, entry.c, "contact") });
  }
  await store.putContacts(rows.map(({ key, sealed }) => ({ key, sealed })));
  for (const { key, c } of rows) st.contacts.set(c.uid, { key, c });
}

// ---------------------------------------------------------------------------------------------
// Contact states across devices.

const vouchCache = new WeakMap(); // vault session -> {size, map}

/**
 * The latest sp.contact record of this account per contact uid: Map uid -> {kid, state, ts,
 * rid}. Latest by `ts`, then rid (the same answer on every device). Records are only ever
 * added to a session, so the map is rebuilt when their number changes.
 */
export function vouches(s) {
  const hit = vouchCache.get(s);
  if (hit && hit.size === s.records.size) return hit.map;
  const map = new Map();
  for (const rec of s.records.values()) {
    const v = rec.contact;
    if (!v) continue;
    const best = map.get(v.uid);
    if (!best || v.ts > best.ts || (v.ts === best.ts && rec.rid > best.rid)) map.set(v.uid, { ...v, rid: rec.rid });
  }
  vouchCache.set(s, { size: s.records.size, map });
  return map;
}

/**
 * The state of pinned contact `c` (as stored: `c.state` is this phone's pin): "changed" when
 * the pin says so, or when the key pinned here is not the one her latest sp.contact record for
 * that person names (another of her phones verified or accepted another key); "verified" when
 * that record verifies the pinned key; else the pin's own state.
 */
export function stateOf(st, c) {
  if (c.state === "changed") return "changed";
  const v = st.session ? vouches(st.session).get(c.uid) : null;
  if (!v) return c.state;
  if (v.kid !== c.kid) return "changed";
  return v.state === "verified" ? "verified" : c.state;
}

/**
 * The contact as the rest of the service reads it: `state` is stateOf(), and `conflict` is true
 * when it is "changed" only because of her own records. Never stored (writes use st.contacts).
 */
export function contactView(st, c) {
  const state = stateOf(st, c);
  return state === c.state ? c : { ...c, state, conflict: state === "changed" };
}

/** The pinned contact with this uid (its view), or null. */
export function contactByUid(st, uid) {
  const entry = st.contacts.get(uid);
  return entry ? contactView(st, entry.c) : null;
}

/** The pinned contact whose pinned kid is `kid` (b64u; its view), or null. */
export function contactByKid(st, kid) {
  for (const { c } of st.contacts.values()) if (c.kid === kid) return contactView(st, c);
  return null;
}

/** A contact as the recipient party of sp.wrapForRecipient / sp.safetyNumber. */
export function partyOf(c) {
  return { kid: sp.b64uDecode(c.kid, 16), sigPub: sp.b64uDecode(c.sigPub, 32), encPub: sp.b64uDecode(c.encPub, 32) };
}

/** What the screens see of a contact (or of a sender nobody pinned: {uid, name, state}). */
export function publicContact(c) {
  return {
    uid: c.uid, kid: c.kid, role: c.role, name: c.name || "", org: c.org || "", state: c.state, source: c.source,
    conflict: c.conflict === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Outbox: read each time (it is small and the sync engine changes it).

/** [{key, row}] of the outbox, oldest first. Rows that do not open are skipped. */
export async function outboxRows(s) {
  const out = [];
  for (const [key, sealed] of await store.allOutbox()) {
    try {
      out.push({ key, row: await openJson(s, sealed, "outbox") });
    } catch {
      // damaged row
    }
  }
  return out;
}

export async function sealOutbox(s, row) {
  return sealJson(s, row, "outbox");
}

// ---------------------------------------------------------------------------------------------
// The "sharing" object of the sync store: {alerts: [{id, kind, to, deadline}], duress: {id, to}|null}.

const EMPTY = Object.freeze({ alerts: [], duress: null });

export async function loadLedger(s) {
  const sealed = await getSync("sharing");
  if (!sealed) return { ...EMPTY, alerts: [] };
  try {
    return { ...EMPTY, ...(await openJson(s, sealed, "sharing")) };
  } catch {
    return { ...EMPTY, alerts: [] };
  }
}

export async function saveLedger(s, ledger) {
  await putSync("sharing", await sealJson(s, ledger, "sharing"));
}

// ---------------------------------------------------------------------------------------------
// Who this account is.

/** {uid, kid (b64u), role, name, party} of the account of context `ctx` (sync/auth.js context()). */
export function me(ctx) {
  const { s, account } = ctx;
  const profile = port.latestProfile(s);
  return {
    uid: account.id, kid: B(s.identity.kid), role: account.role, name: profile ? profile.displayName : "",
    party: { kid: s.identity.kid, sigPub: s.identity.sigPub, encPub: s.identity.encPub },
  };
}

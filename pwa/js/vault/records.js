// Records in the vault: opening what is stored, sealing new records into this device's chain,
// and the incident views (list, detail with history and conflicts, save).
//
// Every record of the account is held opened in memory while unlocked, whatever its body kind:
// incidents ("sp.incident") are what the lists show; the profile ("sp.profile", the display
// name and the pinned server key, sealed like an incident so that neither reaches the server in
// clear) and kinds a later version adds are kept for the chain and ignored by the views.
// Messages between people (issue 6: shares, statuses, notes, alerts) are records of the chain
// too; their opened bodies are kept for the sharing service (pwa/js/sharing/). So are the
// account's own notes about its contacts ("sp.contact": which key of whom it verified or
// accepted), which carry that memory to its other devices; no list, export or share shows them.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/vault-store.js";
import { encryptFile } from "./attachments.js";
import { guarded } from "./errors.js";
import { lineages, newestFirst, present } from "./lineage.js";
import { requireSession, serial, touch } from "./session.js";
import { storageOf } from "./storage.js";

export const INCIDENT = "sp.incident";
export const PROFILE = "sp.profile";
/** Body kind of a contact note: {kind, ts, uid, kid (b64u), state: "verified"|"accepted"}. */
export const CONTACT = "sp.contact";
const CONTACT_STATES = new Set(["verified", "accepted"]);
/**
 * Body kinds of the messages of docs/sharing-contract.md §2, and the custody log's one kind
 * (docs/legal-contract.md §0.1: referrals, openings, case notes, working copies, exports).
 */
export const MESSAGE_KINDS = new Set(["sp.share", "sp.unshare", "sp.status", "sp.note", "sp.alert", "sp.custody"]);

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const isRid = (v) => typeof v === "string" && /^[A-Za-z0-9_-]{22}$/.test(v);
const isKid = isRid; // 16 bytes in base64url: 22 characters, like a rid

/** The opened contact note, or null when its members are not what an sp.contact holds. */
function contactNote(body) {
  if (typeof body.uid !== "string" || !body.uid || !isKid(body.kid) || !CONTACT_STATES.has(body.state)) return null;
  return { uid: body.uid, kid: body.kid, state: body.state, ts: Number.isSafeInteger(body.ts) ? body.ts : 0 };
}

function attachmentsOf(body) {
  return (body.att || []).map(({ aid, name, mime, size, sha256 }) => ({ aid, name, mime, size, sha256 }));
}

/**
 * Opens a stored row {rid, envelope, wrap} with the account's keys: record signature, owner
 * wrap, key commitment, body (SPEC §10). Raises the crypto errors. The result keeps what the
 * views and the sync service need: kind, header, entry hash, CEK, attachments by aid.
 */
export async function openStored(s, row) {
  const opened = await sp.openRecord(row.envelope, row.wrap, { author: s.author, ak: s.ak });
  const body = opened.content;
  const rec = {
    rid: row.rid, kind: body.kind, header: opened.header, entryHash: opened.entryHash, cek: opened.cek,
    attByAid: new Map(opened.header.att.map((a) => [a.aid, a])),
    sizeByAid: new Map((body.att || []).map((a) => [a.aid, a.size])),
    incident: null, merges: [], profile: null, message: null, contact: null,
  };
  if (body.kind === INCIDENT) {
    rec.incident = {
      rid: row.rid, version: body.ver, supersedes: opened.header.supersedes || null, savedAt: body.ts,
      content: JSON.parse(body.c), attachments: attachmentsOf(body),
    };
    rec.merges = Array.isArray(body.merges) ? body.merges.filter(isRid) : [];
  } else if (body.kind === PROFILE) {
    rec.profile = { displayName: String(body.displayName ?? ""), serverKey: String(body.serverKey ?? ""), savedAt: body.ts };
  } else if (MESSAGE_KINDS.has(body.kind)) {
    rec.message = body;
  } else if (body.kind === CONTACT) {
    rec.contact = contactNote(body);
  }
  return rec;
}

/**
 * Opens every stored record. A record that fails to open (tampered or damaged storage) is
 * counted, not fatal: one bad record must not lock the delegate out of the rest. The device
 * chains (SPEC §11) are then checked over the records that opened, and this device's stored
 * head must be the last entry of its own chain (a deleted tail shows as "broken").
 */
export async function loadRecords(s) {
  const rows = await store.allRecords();
  let damaged = 0;
  for (const row of rows) {
    try {
      s.records.set(row.rid, await openStored(s, row));
    } catch {
      damaged++;
    }
  }
  let chain = "ok";
  try {
    const heads = await chainHeads(s);
    const head = await store.getHead();
    const mine = heads.get(sp.b64uEncode(s.identity.kid) + "." + sp.b64uEncode(s.meta.dev));
    if (head && head.seq > 0 && !(mine && mine.seq === head.seq && hex(mine.entryHash) === hex(head.entryHash))) {
      chain = "broken";
    }
  } catch {
    chain = "broken";
  }
  s.integrity = { damaged, chain };
}

/** The head {seq, entryHash} of every device chain held, by "author.dev"; ChainError if broken. */
export async function chainHeads(s) {
  return sp.verifyChain([...s.records.values()].map((r) => ({ header: r.header, entryHash: r.entryHash })));
}

/**
 * Not in the first contract draft (added): what the last unlock found. {damaged: records that
 * failed to open, chain: "ok" | "broken" (a fork, gap or missing record in a device chain)}.
 */
export async function integrity() {
  return { ...requireSession().integrity };
}

/**
 * Seals `body` as the next record of this device's chain and stores it with its owner wrap,
 * the new head and rows for the attachments it adds. Call inside serial(). Returns the opened
 * record, already in the session.
 *
 * `rcpt` (kids, bytes) is the header's recipient list. `outbox`, when given, is called with
 * {rid, hdr, cek, rec} once the record is sealed and returns outbox changes ({add: sealed rows,
 * remove: keys}: its recipient wraps, ...) stored in the same transaction as the record: a
 * message never exists on the device without the wraps that deliver it.
 */
export async function sealIntoChain(s, {
  body, attachments = [], supersedes = null, cek = sp.newRecordKey(), newAids = [], rcpt = [], outbox = null,
}) {
  const st = storageOf(s);
  const head = (await st.getHead()) || { seq: 0, entryHash: null };
  const sealed = await sp.sealRecord({
    identity: s.identity, dev: s.meta.dev, seq: head.seq + 1, prev: head.entryHash || undefined, rcpt,
    content: body, attachments, supersedes: supersedes ? sp.b64uDecode(supersedes, 16) : null, cek,
  });
  const rid = sp.b64uEncode(sealed.rid);
  const wrap = await sp.wrapForOwner(s.ak, sealed.envelope.hdr, cek);
  const row = { rid, envelope: sealed.envelope, wrap };
  const rec = await openStored(s, row);
  const extra = outbox ? await outbox({ rid, hdr: sealed.envelope.hdr, cek, rec }) : null;
  await st.putRecord(row, { seq: head.seq + 1, entryHash: sealed.entryHash }, newAids, extra);
  s.records.set(rid, rec);
  return rec;
}

function incidentRecords(s) {
  return [...s.records.values()].filter((r) => r.incident);
}

export async function listIncidents() {
  const s = requireSession();
  return lineages(incidentRecords(s)).lineages
    .map((l) => present(l.primary, l))
    .sort(newestFirst);
}

/**
 * {current, history, conflicts} of the incident a rid (of any version) belongs to. `current` is
 * that rid when it is a head, else the lineage's first head; `conflicts` the other heads;
 * `history` every other version, newest first.
 */
export async function getIncident(rid) {
  const s = requireSession();
  const rec = s.records.get(rid);
  if (!rec || !rec.incident) return null;
  const lineage = lineages(incidentRecords(s)).lineageOf.get(rid);
  const current = lineage.heads.includes(rec.incident) ? rec.incident : lineage.primary;
  const history = lineage.members.filter((m) => !lineage.heads.includes(m))
    .sort((a, b) => b.version - a.version || newestFirst(a, b));
  return {
    current: present(current, lineage),
    history: history.map((m) => present(m, lineage)),
    conflicts: lineage.heads.filter((h) => h !== current).map((h) => present(h, lineage)),
  };
}

let afterNewVersion = null;

/**
 * Registers `fn(incident)`, awaited after a new version (one that supersedes another) is saved:
 * the sharing service queues it for the people who hold the report
 * (pwa/js/sharing/forward.js). The vault does not know who they are; a failure of `fn` never
 * fails the save (the sync service repeats the forwarding).
 */
export function onNewVersion(fn) {
  afterNewVersion = fn;
}

const headerEntry = (a) => ({
  aid: sp.b64uDecode(a.aid, 16), ct_len: a.ct_len, hash: sp.b64uDecode(a.hash, 32), salt: sp.b64uDecode(a.salt, 16),
});

/**
 * Seals a new version. `supersedes`: the version it replaces (it keeps that version's record
 * key and attachments); `merges`: the other heads it resolves (recorded in the encrypted body;
 * their attachments under the same record key are carried over, so no evidence leaves view).
 */
export async function saveIncident(content, { files = [], supersedes = null, merges = [], onProgress = null } = {}) {
  const saved = await guarded(() => serial(async () => {
    const s = requireSession();
    touch();
    let cek = sp.newRecordKey();
    const att = []; // header entries
    const attMeta = []; // body entries
    let version = 1;
    if (!Array.isArray(merges)) throw new TypeError("merges must be a list of rids");
    merges = [...new Set(merges)].filter((rid) => rid !== supersedes).sort();
    if (merges.length && !supersedes) throw new TypeError("merges needs supersedes");
    if (supersedes) {
      const prior = s.records.get(supersedes);
      if (!prior || !prior.incident) throw new TypeError("unknown incident to supersede");
      // A new version keeps the attachments of the one it supersedes: same CEK, same chunks.
      cek = prior.cek;
      version = prior.incident.version + 1;
      const carried = new Set();
      for (const source of [prior, ...merges.map((rid) => s.records.get(rid))]) {
        if (!source || !source.incident) throw new TypeError("unknown incident to merge");
        version = Math.max(version, source.incident.version + 1);
        if (hex(source.cek) !== hex(cek)) continue; // under another record key: cannot be carried
        for (const meta of source.incident.attachments) { // in the order the delegate added them
          if (carried.has(meta.aid)) continue;
          carried.add(meta.aid);
          att.push(headerEntry(source.attByAid.get(meta.aid)));
          attMeta.push(meta);
        }
      }
    }
    const total = files.reduce((n, f) => n + f.size, 0);
    let done = 0;
    const newAids = [];
    for (const file of files) {
      const { entry, meta } = await encryptFile(file, cek, (n) => {
        done += n;
        if (onProgress) onProgress({ phase: "attachments", done, total });
      }, storageOf(s).putChunks);
      att.push(entry);
      attMeta.push(meta);
      newAids.push(meta.aid);
    }
    const body = { ts: Date.now(), kind: INCIDENT, ver: version, c: JSON.stringify(content), att: attMeta };
    if (merges.length) body.merges = merges;
    const rec = await sealIntoChain(s, { body, attachments: att, supersedes, cek, newAids });
    if (onProgress) onProgress({ phase: "saved", done: total, total });
    return present(rec.incident, lineages(incidentRecords(s)).lineageOf.get(rec.rid));
  }));
  if (saved.supersedes && afterNewVersion) {
    try {
      await afterNewVersion(saved);
    } catch {
      // not enrolled, locked meanwhile, storage full: the next "Sync now" forwards it
    }
  }
  return saved;
}

/** The newest profile record's content {displayName, serverKey, savedAt}, or null. */
export function latestProfile(s) {
  let best = null;
  for (const rec of s.records.values()) {
    if (rec.profile && (!best || rec.profile.savedAt > best.savedAt)) best = rec.profile;
  }
  return best;
}

/** Seals a profile record {displayName, serverKey} into this device's chain. */
export async function sealProfile(s, { displayName, serverKey }) {
  return serial(() => sealIntoChain(s, {
    body: { ts: Date.now(), kind: PROFILE, displayName: String(displayName), serverKey: String(serverKey) },
  }));
}

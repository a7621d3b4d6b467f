// Where a session keeps its records, chunks and draft: IndexedDB for the real vault, memory for
// the decoy that a duress passphrase opens (docs/sharing-contract.md §4, "Duress"). The decoy
// must behave like a fresh vault — incidents can be logged, listed, read back, exported — yet
// leave nothing on the device: what it saves lives in this object and dies with lock().
import * as store from "../store/vault-store.js";
import { allAttachments, allReceipts, getAttachment, getSync } from "../store/sync-store.js";

const persistent = Object.freeze({
  getHead: store.getHead,
  putRecord: (record, head, newAids, outbox) => store.putRecord(record, head, newAids, outbox),
  allRecords: store.allRecords,
  putChunks: store.putChunks,
  getChunk: store.getChunk,
  chunkKeys: store.chunkKeys,
  getAttachment,
  getDraft: store.getDraft,
  putDraft: store.putDraft,
  deleteDraft: store.deleteDraft,
  getSync,
  allReceipts,
  allAttachments,
});

/** An empty in-memory store with the interface above (the decoy session's). */
export function memoryStorage() {
  let head = { seq: 0, entryHash: null };
  let draft;
  const records = new Map();
  const chunks = new Map(); // "aid/i" -> ciphertext
  return Object.freeze({
    getHead: async () => head,
    putRecord: async (record, next) => {
      records.set(record.rid, record);
      head = next;
    },
    allRecords: async () => [...records.values()],
    putChunks: async (list) => {
      for (const c of list) chunks.set(`${c.aid}/${c.i}`, c.ct);
    },
    getChunk: async (aid, i) => chunks.get(`${aid}/${i}`),
    chunkKeys: async () => [...chunks.keys()].map((k) => {
      const cut = k.lastIndexOf("/");
      return [k.slice(0, cut), Number(k.slice(cut + 1))];
    }),
    getAttachment: async () => undefined,
    getDraft: async () => draft,
    putDraft: async (sealed) => {
      draft = sealed;
    },
    deleteDraft: async () => {
      draft = undefined;
    },
    getSync: async () => undefined,
    allReceipts: async () => new Map(),
    allAttachments: async () => [],
  });
}

/** The storage of session `s`: its memory store when it is a decoy, else IndexedDB. */
export function storageOf(s) {
  return (s && s.memory) || persistent;
}

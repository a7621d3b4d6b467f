// "Sync now": what will go up (plan), then upload, push, pull and download — only ever when the
// delegate asks (docs/sync-api.md, "Client behaviour").
//
// Trust: the server is a relay that may lie. Every receipt is verified under the server key
// pinned at enrolment, for the exact entry hash or attachment hash it must cover, before
// anything is marked as synced. Every pulled record must verify under the account's own
// signing key, open with the account key, and extend the device chains this vault already
// holds with no gap, fork or reordering (SPEC §11): a server that hides or reorders records is
// caught, and the sync stops with AccountError("unverified") before storing that page.
//
// Faults: local records are never deleted or rewritten by sync; receipts, pulled pages (records
// + receipts + cursor) and finished downloads are each one IndexedDB transaction; the server's
// answers are idempotent. A page killed or a connection cut anywhere loses and duplicates
// nothing: the next sync resumes (uploads from the server's offset, pulls from the stored cursor,
// downloads of attachments still marked incomplete).
//
// Sharing (issue 6) adds: recipient wraps queued in the outbox travel with their record's push
// or by POST /api/shares, revocations by DELETE (outbox.js); the inbox is pulled with its own
// cursor and every item checked (sharing/receive.js); attachments of received reports are
// downloaded like the vault's own. New versions of shared reports sealed on this device that
// are not on their way to the people who hold the report yet (a page that died after the save,
// or a share made on another device and only now pulled) are forwarded first and after the
// pull (sharing/forward.js); what the pull made due goes up in the same sync. A duress release still waiting for the network is retried
// first, whatever the state of the vault.
import * as sp from "../../crypto/sp1.js";
import { getRecords, putChunks } from "../store/vault-store.js";
import { putReceiptsAndSent } from "../store/sharing-store.js";
import * as syncStore from "../store/sync-store.js";
import * as port from "../vault/sync-port.js";
import { forwardVersions } from "../sharing/forward.js";
import { inboxDownloads } from "../sharing/inbox.js";
import { PULL_LIMIT as INBOX_LIMIT, pullInbox } from "../sharing/receive.js";
import { backoff, request, retryPolicy, sleep } from "./api.js";
import { authed, context, ensureSession } from "./auth.js";
import { downloadAttachment } from "./download.js";
import { AccountError, unverified } from "./errors.js";
import { MAX_SHARES_PER_RECORD, WRAP_REFUSALS, postWraps, queued, sendRevocations } from "./outbox.js";
import { CT_CHUNK, uploadAttachment } from "./uploader.js";

const PULL_LIMIT = 200;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const send = (ctx) => (method, path, options) => authed(ctx, method, path, options);
const chainKey = (header) => header.author + "." + header.dev;

// ---------------------------------------------------------------------------------------------
// What is not on the server yet.

/** Header attachment entries {aid, ct_len, hash} of every record, by aid. */
function attachmentEntries(s) {
  const entries = new Map();
  for (const rec of s.records.values()) {
    for (const [aid, a] of rec.attByAid) if (!entries.has(aid)) entries.set(aid, { rec, entry: a });
  }
  return entries;
}

/**
 * Records without a receipt (in chain order: by device, then seq) with their stored rows, and
 * attachments held whole on this device without a receipt.
 */
async function pending(s) {
  const receipts = await syncStore.receiptRids();
  const unsent = [...s.records.keys()].filter((rid) => !receipts.has(rid));
  const records = (await getRecords(unsent))
    .map((row) => ({ row, rec: s.records.get(row.rid) }))
    .sort((a, b) => (a.rec.header.dev < b.rec.header.dev ? -1 : a.rec.header.dev > b.rec.header.dev ? 1 : 0)
      || a.rec.header.seq - b.rec.header.seq);
  const entries = attachmentEntries(s);
  const attachments = (await syncStore.allAttachments())
    .filter((row) => row.complete && !row.receipt && entries.has(row.aid))
    .map((row) => ({ aid: row.aid, ...entries.get(row.aid) }));
  return { records, attachments };
}

const recordBytes = (row) => row.envelope.hdr.length + row.envelope.body.length + row.envelope.sig.length;

/**
 * {records, attachments, bytes, messages, wraps, revocations}: what "Sync now" will send
 * (`messages`: the unsent records that are messages; `wraps`: queued recipient wraps;
 * `revocations`: queued share deletions). Local only: no request is made.
 */
export async function plan() {
  const { s } = await context();
  const p = await pending(s);
  const q = await queued(s);
  const bytes = p.records.reduce((n, r) => n + recordBytes(r.row), 0) + p.attachments.reduce((n, a) => n + a.entry.ct_len, 0);
  return {
    records: p.records.length, attachments: p.attachments.length, bytes,
    messages: p.records.filter((r) => r.rec.message).length,
    wraps: [...q.wraps.values()].reduce((n, list) => n + list.length, 0), revocations: q.revokes.length,
  };
}

// ---------------------------------------------------------------------------------------------
// The server's parameters.

async function serverInfo(ctx) {
  const info = await request("GET", "/api/server");
  if (!info || info.receipt_key !== ctx.account.serverKey) throw new AccountError("server-changed", "the server's receipt key changed");
  const positive = (v, fallback) => (Number.isSafeInteger(v) && v > 0 ? v : fallback);
  return { partSize: positive(info.part_size, 16 * CT_CHUNK), maxBatch: Math.min(positive(info.max_batch, 50), 50) };
}

// ---------------------------------------------------------------------------------------------
// Push.

async function uploadAll(ctx, server, attachments, progress) {
  const total = attachments.reduce((n, a) => n + a.entry.ct_len, 0);
  let done = 0;
  progress({ phase: "upload", done, total });
  for (const { aid, entry } of attachments) {
    const receipt = await uploadAttachment({
      aid, ctLen: entry.ct_len, hash: entry.hash, serverKey: ctx.serverKey, partSize: server.partSize,
      send: send(ctx), alive: () => { ctx.check(); return true; },
      onBytes: (n) => { done += n; progress({ phase: "upload", done, total }); },
    });
    ctx.check();
    await syncStore.putAttachmentReceipt(aid, receipt);
  }
  return total;
}

/** Verifies the receipts of a pushed batch (in order) and returns the rows to store. */
async function verifiedReceipts(ctx, batch, results) {
  if (!Array.isArray(results) || results.length > batch.length) throw unverified("unexpected push answer");
  const rows = [];
  for (let n = 0; n < results.length; n++) {
    const { row, rec } = batch[n];
    const result = results[n];
    if (!result || result.rid !== row.rid) throw unverified("a receipt names another record");
    try {
      await sp.verifyReceipt(result.receipt, ctx.serverKey, rec.entryHash);
    } catch {
      throw unverified("a record receipt does not verify");
    }
    rows.push({ rid: row.rid, receipt: result.receipt });
  }
  return rows;
}

/**
 * Pushes records in batches, each with the recipient wraps queued for it (up to 32; the rest go
 * by POST /api/shares). A record refused because of one of its wraps is pushed again without
 * them: the wraps stay queued and postWraps() finds which one the server refuses.
 */
async function pushAll(ctx, server, records, progress) {
  let done = 0;
  progress({ phase: "records", done, total: records.length });
  const wraps = (await queued(ctx.s)).wraps;
  const bare = new Set(); // rids pushed without their wraps after a refusal
  let n = 0;
  while (n < records.length) {
    const batch = records.slice(n, n + server.maxBatch);
    const withShares = batch.map(({ row }) => (bare.has(row.rid) ? [] : (wraps.get(row.rid) || []).slice(0, MAX_SHARES_PER_RECORD)));
    let results;
    let failure = null;
    try {
      const answer = await authed(ctx, "POST", "/api/records", {
        json: {
          records: batch.map(({ row }, i) => {
            const item = { envelope: row.envelope, wrap: row.wrap };
            if (withShares[i].length) item.shares = withShares[i].map((e) => e.row.wrap);
            return item;
          }),
        },
      });
      results = answer && answer.results;
      if (!Array.isArray(results) || results.length !== batch.length) throw unverified("unexpected push answer");
    } catch (err) {
      if (!(err instanceof AccountError) || !err.details?.results) throw err;
      // The batch stopped at one record: keep the receipts of those stored before it.
      results = err.details.results;
      failure = err;
    }
    // All receipts of the batch verify, or none is stored: nothing is marked synced on trust.
    const rows = await verifiedReceipts(ctx, batch, results);
    ctx.check();
    // A wrap that went with a stored record leaves the outbox with that record's receipt.
    await putReceiptsAndSent(rows, withShares.slice(0, rows.length).flat().flatMap((e) => e.keys));
    done += rows.length;
    n += rows.length;
    progress({ phase: "records", done, total: records.length });
    if (failure) {
      const refused = batch[rows.length];
      if (refused && withShares[rows.length].length && WRAP_REFUSALS.has(failure.serverCode)) {
        bare.add(refused.row.rid);
        continue;
      }
      // A fork or gap at the server means it holds something this device's chain does not.
      if (["chain-fork", "chain-gap"].includes(failure.serverCode)) throw unverified("the server's chain differs from this device's");
      throw failure;
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// Pull.

/**
 * Reads and checks one page of GET /api/records after `after`. `s` holds the records known so
 * far (opened), `heads` their verified chain heads, `receipts` the rids with a stored receipt
 * (a Set or a Map: only has() is used).
 * Returns {fresh: [{row, rec, receipt}], known: [{rid, receipt}] (receipts for records held
 * without one), next, more, heads}. Raises AccountError("unverified") on any inconsistency.
 */
export async function readPage(s, { fetchPage, serverKey, heads, receipts, ownDev, after }) {
  const page = await fetchPage(after);
  if (!page || !Array.isArray(page.records) || !Number.isSafeInteger(page.next) || typeof page.more !== "boolean") {
    throw new AccountError("server-error", "unexpected records page");
  }
  let cursor = after;
  const lastSeq = new Map();
  const fresh = new Map();
  const known = [];
  for (const item of page.records) {
    if (!item || !Number.isSafeInteger(item.cursor) || item.cursor <= cursor) throw unverified("records out of order");
    cursor = item.cursor;
    let rec;
    try {
      const header = sp.parseHeader(item.envelope.hdr);
      rec = await port.openStored(s, { rid: header.rid, envelope: item.envelope, wrap: item.wrap });
      await sp.verifyReceipt(item.receipt, serverKey, rec.entryHash);
    } catch {
      throw unverified("a pulled record or its receipt does not verify");
    }
    // Each device pushes its chain in order, so the server's order keeps each chain ascending.
    const key = chainKey(rec.header);
    if ((lastSeq.get(key) || 0) >= rec.header.seq) throw unverified("records of a device out of order");
    lastSeq.set(key, rec.header.seq);
    const local = s.records.get(rec.rid) || fresh.get(rec.rid)?.rec;
    if (local) {
      if (hex(local.entryHash) !== hex(rec.entryHash)) throw unverified("a pulled record differs from the copy held");
      if (!receipts.has(rec.rid)) known.push({ rid: rec.rid, receipt: item.receipt });
      continue;
    }
    // This device's own chain is only ever written here: a record of it not held is forged.
    if (rec.header.dev === ownDev) throw unverified("a pulled record claims this device");
    fresh.set(rec.rid, { row: { rid: rec.rid, envelope: item.envelope, wrap: item.wrap }, rec, receipt: item.receipt });
  }
  if (page.next < cursor || (page.more && page.next <= after)) throw unverified("the records cursor does not advance");
  const list = [...fresh.values()];
  let next;
  try {
    next = await sp.verifyChain(list.map((f) => ({ header: f.rec.header, entryHash: f.rec.entryHash })), heads);
  } catch {
    throw unverified("pulled records leave a gap or fork in a device chain");
  }
  return { fresh: list, known, next: page.next, more: page.more, heads: next };
}

const aidsOf = (fresh) => fresh.flatMap((f) => [...f.rec.attByAid.keys()]);

async function pullAll(ctx, progress) {
  const { s } = ctx;
  let heads;
  try {
    heads = await port.chainHeads(s);
  } catch {
    throw unverified("the device chains on this device are damaged");
  }
  const receipts = await syncStore.receiptRids();
  let after = (await syncStore.getSync("cursor")) || 0;
  let received = 0;
  progress({ phase: "pull", done: 0, total: null });
  for (;;) {
    const page = await readPage(s, {
      fetchPage: (from) => authed(ctx, "GET", `/api/records?after=${from}&limit=${PULL_LIMIT}`),
      serverKey: ctx.serverKey, heads, receipts, ownDev: ctx.dev, after,
    });
    ctx.check();
    // Records, receipts and cursor in one transaction: the cursor never passes unstored records.
    await syncStore.putPulled({
      records: page.fresh.map((f) => f.row),
      receipts: [...page.fresh.map((f) => ({ rid: f.row.rid, receipt: f.receipt })), ...page.known],
      aids: aidsOf(page.fresh), cursor: page.next,
    });
    port.addRecords(s, page.fresh.map((f) => f.rec));
    for (const f of page.fresh) receipts.add(f.row.rid);
    for (const k of page.known) receipts.add(k.rid);
    heads = page.heads;
    after = page.next;
    received += page.fresh.length;
    progress({ phase: "pull", done: received, total: null });
    if (!page.more) return received;
  }
}

/**
 * A server restored from an old backup still answers a pull (from this device's cursor, with
 * nothing new), so only a push would meet its shorter chains. Every sync therefore compares the
 * server's chain heads with the newest record of each of this account's chains that this device
 * holds a verified receipt for: a missing chain or a head behind that record means the server
 * lost records it acknowledged; the same position with another entry is a fork. A head ahead is
 * fine (another device pushed since the pull).
 */
export async function checkServerHeads(ctx) {
  const answer = await authed(ctx, "GET", "/api/records/heads");
  if (!answer || !Array.isArray(answer.heads)) throw unverified("unexpected heads answer");
  const remote = new Map(answer.heads.map((h) => [h && h.dev, h]));
  const receipted = await syncStore.receiptRids();
  const author = sp.b64uEncode(ctx.s.identity.kid);
  const newest = new Map();
  for (const rec of ctx.s.records.values()) {
    if (rec.header.author !== author || !receipted.has(rec.rid)) continue;
    const seen = newest.get(rec.header.dev);
    if (!seen || seen.header.seq < rec.header.seq) newest.set(rec.header.dev, rec);
  }
  for (const [dev, rec] of newest) {
    const head = remote.get(dev);
    if (!head || !(head.seq >= rec.header.seq)) {
      throw unverified("the server no longer holds records it acknowledged (restored from an old backup?)");
    }
    if (head.seq === rec.header.seq && head.entry !== sp.b64uEncode(rec.entryHash)) {
      throw unverified("the server's chain differs from this device's");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Download.

/** Downloads every attachment a stored record names that this device does not hold whole. */
export async function downloadAll(ctx, progress) {
  const entries = attachmentEntries(ctx.s);
  const wanted = (await syncStore.allAttachments()).filter((row) => !row.complete && entries.has(row.aid));
  const total = wanted.reduce((n, row) => n + entries.get(row.aid).entry.ct_len, 0);
  let done = 0;
  progress({ phase: "download", done, total });
  for (const row of wanted) {
    const item = { aid: row.aid, ...entries.get(row.aid) };
    let state;
    try {
      state = await authed(ctx, "GET", `/api/uploads/${row.aid}`);
    } catch (err) {
      if (err.serverCode === "not-found") throw unverified("the server no longer holds an attachment");
      throw err;
    }
    if (!state || !state.complete || !state.receipt) throw unverified("the server no longer holds an attachment");
    try {
      await sp.verifyReceipt(state.receipt, ctx.serverKey, sp.b64uDecode(item.entry.hash, 32));
    } catch {
      throw unverified("an attachment receipt does not verify");
    }
    // A cut download starts again (the server sends whole attachments); chunks are overwritten.
    const start = done;
    for (let attempt = 1; ; attempt++) {
      done = start;
      try {
        await downloadAttachment(ctx, {
          aid: item.aid, cek: item.rec.cek, entry: item.entry, size: item.rec.sizeByAid.get(item.aid),
          onBytes: (n) => {
            done += n;
            progress({ phase: "download", done, total });
          },
          finish: (batch) => syncStore.putDownloaded(item.aid, batch, state.receipt),
        });
        break;
      } catch (err) {
        if (!(err instanceof AccountError) || err.code !== "offline" || attempt >= retryPolicy().attempts) throw err;
        await sleep(backoff(attempt));
      }
    }
  }
  return wanted.length;
}

// ---------------------------------------------------------------------------------------------
// One sync.

let running = null;

/** Runs `fn` unless a sync is running, in which case its caller waits for that one first. */
export function exclusive(fn) {
  const run = (running || Promise.resolve()).catch(() => {}).then(fn);
  const mine = run.finally(() => {
    if (running === mine) running = null;
  });
  running = mine;
  return mine;
}

/** The sync itself (callers go through exclusive()). */
export async function syncOnce(ctx, onProgress) {
  const progress = (p) => {
    if (!onProgress) return;
    try {
      onProgress(p);
    } catch {
      // a screen's failure must not break the sync
    }
  };
  await ensureSession(ctx);
  const server = await serverInfo(ctx);
  await forwardVersions(ctx);
  const todo = await pending(ctx.s);
  let bytes = await uploadAll(ctx, server, todo.attachments, progress);
  let attachments = todo.attachments.length;
  let sentRecords = await pushAll(ctx, server, todo.records, progress);
  let wraps = await postWraps(ctx);
  const revocations = await sendRevocations(ctx);
  const receivedRecords = await pullAll(ctx, progress);
  let messages = todo.records.filter((r) => r.rec.message).length;
  if (receivedRecords && await forwardVersions(ctx)) {
    // A share pulled from another device names a report this device has new versions of: the
    // forwarding just sealed goes up now (with anything saved while this sync ran).
    const late = await pending(ctx.s);
    bytes += await uploadAll(ctx, server, late.attachments, progress);
    attachments += late.attachments.length;
    sentRecords += await pushAll(ctx, server, late.records, progress);
    wraps += await postWraps(ctx);
    messages += late.records.filter((r) => r.rec.message).length;
  }
  await checkServerHeads(ctx);
  const inbox = await pullInbox(ctx, {
    fetchPage: (from) => authed(ctx, "GET", `/api/inbox?after=${from}&limit=${INBOX_LIMIT}`), progress,
  });
  const receivedAttachments = await downloadAll(ctx, progress) + await downloadInbox(ctx, progress);
  return {
    sent: {
      records: sentRecords, attachments, bytes, messages, wraps, revocations,
    },
    received: { records: receivedRecords, attachments: receivedAttachments, inbox },
    conflicts: port.conflictCount(ctx.s),
  };
}

/**
 * Downloads the attachments of received reports into "inbox:<aid>" chunks. One that the server
 * no longer serves (the share was revoked) or whose bytes do not match the signed header is left
 * unavailable (the report says so) without stopping the sync; a cut is retried with backoff.
 */
async function downloadInbox(ctx, progress) {
  const wanted = await inboxDownloads(ctx.s);
  const total = wanted.reduce((n, w) => n + w.entry.ct_len, 0);
  let done = 0;
  let count = 0;
  progress({ phase: "download", done, total });
  for (const item of wanted) {
    const start = done;
    for (let attempt = 1; ; attempt++) {
      done = start;
      try {
        await downloadAttachment(ctx, {
          ...item,
          onBytes: (n) => {
            done += n;
            progress({ phase: "download", done, total });
          },
          finish: (batch) => putChunks(batch),
        });
        count++;
        break;
      } catch (err) {
        if (!(err instanceof AccountError)) throw err;
        if (err.code === "unverified" || err.serverCode === "not-found") break;
        if (err.code !== "offline" || attempt >= retryPolicy().attempts) throw err;
        await sleep(backoff(attempt));
      }
    }
  }
  return count;
}

export async function syncNow({ onProgress = null } = {}) {
  // A duress release waiting for the network goes first: the decoy vault has no account, so the
  // rest of the sync stops at "not-enrolled", exactly as on a fresh vault.
  await port.retryRelease();
  return exclusive(async () => syncOnce(await context(), onProgress));
}

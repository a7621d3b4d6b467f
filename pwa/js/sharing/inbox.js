// The inbox of focal points and legal supporters (and of a delegate, for the answers about her
// reports): the list, one report with what its checks found, its attachments read back, and
// which attachments the next "Sync now" must download. Filled by receive.js.
import * as sp from "../../crypto/sp1.js";
import { getChunk } from "../store/vault-store.js";
import { hasChunk } from "../store/sharing-store.js";
import * as port from "../vault/sync-port.js";
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import {
  STATUSES, buildReports, coRecipientKids, messagesAbout, person, statusesOf,
} from "./reports.js";
import { contactByUid, me, sharingState } from "./state.js";

const CT_CHUNK = 65552;
const ORDER_FLAGS = new Set(["gap", "reorder", "repeat", "unnumbered"]);
const CHAIN_FLAGS = new Set(["fork", "chain-broken"]);
const RANK = { ok: 0, warn: 1, fail: 2 };

const lastChunk = (ctLen) => Math.max(1, Math.ceil(ctLen / CT_CHUNK)) - 1;
const chunkKey = (aid) => port.INBOX_CHUNK_PREFIX + aid;

function contentOf(report) {
  const body = report.head.body;
  if (report.kind === "alert") {
    return {
      title: String(body.text ?? ""), alert: String(body.alert ?? ""), text: String(body.text ?? ""),
      deadline: Number.isSafeInteger(body.deadline) ? body.deadline : null, from: String(body.from ?? ""),
    };
  }
  try {
    const content = JSON.parse(body.c);
    return content && typeof content === "object" && !Array.isArray(content) ? content : {};
  } catch {
    return {};
  }
}

/** Versions of a report in the order they were written: version number, then save time. */
const versionOf = (m) => (Number.isSafeInteger(m.body.ver) ? m.body.ver : 1);
const oldestFirst = (a, b) => versionOf(a) - versionOf(b) || (Number(a.body.ts) || 0) - (Number(b.body.ts) || 0);

const typeOf = (report, content) => (report.kind === "alert" ? content.alert : String(content.type ?? ""));

/**
 * The five checks of a report, each {state: "ok"|"warn"|"fail", reasons: [code]} (see
 * receive.js for what each item check means; docs/sharing-contract.md, notes).
 */
export function verificationOf(st, report) {
  const v = {};
  for (const name of ["signature", "chain", "receipt", "sender", "order"]) v[name] = { state: "ok", reasons: [] };
  const mark = (name, state, reason) => {
    if (RANK[state] > RANK[v[name].state]) v[name].state = state;
    if (!v[name].reasons.includes(reason)) v[name].reasons.push(reason);
  };
  for (const m of report.members) {
    for (const f of m.flags) {
      if (CHAIN_FLAGS.has(f)) mark("chain", "fail", f);
      else if (ORDER_FLAGS.has(f)) mark("order", "warn", f);
    }
    if (!m.receiptOk) mark("receipt", "fail", "receipt-invalid");
    if (m.senderAtReceipt === "changed") mark("sender", "fail", "key-changed");
  }
  const c = contactByUid(st, report.author.uid);
  if (!c) mark("sender", "warn", "unverified-sender");
  else if (c.kid !== report.head.author.kid) mark("sender", c.state === "changed" ? "fail" : "warn", "key-changed");
  else if (c.state === "changed") mark("sender", "fail", "key-changed");
  else if (c.state !== "verified") mark("sender", "warn", "unverified-sender");
  if (report.kind === "report") {
    if (!report.shares.length) mark("order", "warn", "no-share-message");
    for (const sh of report.shares) {
      for (const f of sh.flags) {
        if (CHAIN_FLAGS.has(f)) mark("chain", "fail", f);
        else if (ORDER_FLAGS.has(f)) mark("order", "warn", f);
      }
      for (const x of sh.body.items) {
        const m = x && report.members.find((member) => member.rid === x.rid);
        if (m && x.entry !== m.entry) mark("signature", "fail", "entry-mismatch");
      }
    }
  }
  return v;
}

const isVerified = (v) => Object.values(v).every((c) => c.state !== "fail");
/** The reasons worth a flag in the list: every "fail" and the order warnings. */
function flagsOf(v) {
  const out = new Set();
  for (const [name, c] of Object.entries(v)) {
    if (c.state === "fail" || name === "order") for (const r of c.reasons) if (r !== "no-share-message") out.add(r);
  }
  return [...out];
}

function summary(s, st, self, report) {
  const content = contentOf(report);
  const v = verificationOf(st, report);
  const { status } = statusesOf(s, st, self, report);
  const sender = person(st, self, { uid: report.author.uid, claimed: report.latestShare?.body.from ?? report.head.body.from });
  return {
    rid: report.head.rid, kind: report.kind, sender, received: Math.min(...report.members.map((m) => m.received)),
    ts: Number(report.head.body.ts) || 0, title: String(content.title ?? ""), type: typeOf(report, content), status,
    attachments: Array.isArray(report.head.body.att) ? report.head.body.att.length : 0,
    flags: flagsOf(v), verified: isVerified(v), content, verification: v,
  };
}

function matches(entry, { status, type, q }) {
  if (status && entry.status !== status) return false;
  if (type && entry.type !== type) return false;
  if (q) {
    const needle = String(q).toLocaleLowerCase();
    const c = entry.content;
    const hay = [entry.title, c.what, c.where, c.text, entry.sender.name].map((x) => String(x ?? "").toLocaleLowerCase());
    if (!hay.some((h) => h.includes(needle))) return false;
  }
  return true;
}

/**
 * The inbox: one entry per report or alert, newest received first:
 * {rid, kind: "report"|"alert", sender: {uid, name, state}, received, ts, title, type, status,
 *  attachments (count), flags, verified}. Filters: status, type, q (text search).
 */
export async function inbox({ status = undefined, type = undefined, q = undefined } = {}) {
  const ctx = await context();
  const st = await sharingState(ctx.s);
  const self = me(ctx);
  if (status !== undefined && !STATUSES.includes(status)) throw new AccountError("invalid", "unknown status");
  return buildReports(st).reports
    .map((r) => summary(ctx.s, st, self, r))
    .filter((e) => matches(e, { status, type, q }))
    .sort((a, b) => b.received - a.received || (a.rid < b.rid ? 1 : -1))
    .map(({ content: _c, verification: _v, ...entry }) => entry);
}

/**
 * How many received items failed their keyed checks (bundle, record or share signature, key
 * commitment, body) and were kept unopened. Anything above 0 means the server, or someone
 * through it, delivered forged or damaged data: the Inbox says so instead of hiding it.
 */
export async function rejectedCount() {
  const ctx = await context();
  const st = await sharingState(ctx.s);
  let n = 0;
  for (const it of st.inbox.values()) if (it.rejected) n += 1;
  return n;
}

async function reportOrFail(ctx, rid) {
  const st = await sharingState(ctx.s);
  const report = buildReports(st).byRid.get(String(rid ?? ""));
  if (!report) throw new AccountError("not-found", "no such report");
  return { st, report };
}

/** One report: content, attachments, verification, consent, statuses, notes, co-recipients. */
export async function report(rid) {
  const ctx = await context();
  const { st, report: r } = await reportOrFail(ctx, rid);
  const self = me(ctx);
  const base = summary(ctx.s, st, self, r);
  const attachments = [];
  for (const a of Array.isArray(r.head.body.att) ? r.head.body.att : []) {
    const entry = r.head.att.find((h) => h.aid === a.aid);
    attachments.push({
      aid: String(a.aid), name: String(a.name ?? ""), mime: String(a.mime ?? "application/octet-stream"), size: Number(a.size) || 0,
      available: Boolean(entry) && await hasChunk(chunkKey(a.aid), lastChunk(entry.ct_len)),
    });
  }
  const { statuses, status } = statusesOf(ctx.s, st, self, r);
  const consent = r.latestShare && r.latestShare.body.consent && typeof r.latestShare.body.consent === "object"
    ? {
      contact: r.latestShare.body.consent.contact === true, statistics: r.latestShare.body.consent.statistics === true,
      legal: r.latestShare.body.consent.legal === true,
    }
    : null;
  return {
    rid: base.rid, kind: base.kind, sender: base.sender, received: base.received, ts: base.ts,
    receivedByServer: r.head.receiptOk ? r.head.receiptTs : null, content: base.content, attachments,
    verification: base.verification, verified: base.verified, flags: base.flags, consent, status, statuses,
    notes: messagesAbout(ctx.s, st, self, "sp.note", r)
      .map((m) => ({ text: String(m.body.text ?? ""), by: m.by, at: m.at })),
    coRecipients: coRecipientKids(r, self).map((kid) => person(st, self, { kid })),
    versions: [...r.members].sort(oldestFirst).map((m) => m.rid),
  };
}

/** An attachment of a received report, decrypted in memory (AccountError "not-found" until downloaded). */
export async function readAttachment(rid, aid) {
  const ctx = await context();
  const { report: r } = await reportOrFail(ctx, rid);
  const member = r.members.find((m) => m.att.some((a) => a.aid === aid));
  const meta = member && Array.isArray(member.body.att) ? member.body.att.find((a) => a.aid === aid) : null;
  if (!member || !meta) throw new AccountError("not-found", "no such attachment");
  const entry = member.att.find((a) => a.aid === aid);
  if (!(await hasChunk(chunkKey(aid), lastChunk(entry.ct_len)))) throw new AccountError("not-found", "not downloaded yet");
  async function* chunks() {
    for (let i = 0; ; i++) {
      const ct = await getChunk(chunkKey(aid), i);
      if (ct === undefined) return;
      yield ct instanceof Uint8Array ? ct : new Uint8Array(ct);
    }
  }
  const parts = [];
  await sp.decryptAttachment(chunks(), sp.b64uDecode(member.cek, 32), entry, meta.size, async (bytes) => {
    parts.push(bytes.slice());
  });
  return new Blob(parts, { type: String(meta.mime || "application/octet-stream") });
}

/** Received records whose files "Sync now" downloads: reports, and the working copies of a case. */
const withFiles = (it) => it.kind === "sp.incident" || (it.kind === "sp.custody" && it.body.event === "working-copy");

/**
 * What "Sync now" must download for the inbox: every attachment of a held report or working copy
 * (docs/legal-contract.md §0.1) whose last chunk is not on this device. [{aid, chunkKey, cek,
 * entry, size}].
 */
export async function inboxDownloads(s) {
  const st = await sharingState(s);
  const out = [];
  for (const it of st.inbox.values()) {
    if (it.rejected || !withFiles(it) || !Array.isArray(it.body.att)) continue;
    for (const entry of it.att) {
      const meta = it.body.att.find((a) => a.aid === entry.aid);
      if (!meta || out.some((o) => o.aid === entry.aid)) continue;
      if (await hasChunk(chunkKey(entry.aid), lastChunk(entry.ct_len))) continue;
      out.push({ aid: entry.aid, chunkKey: chunkKey(entry.aid), cek: sp.b64uDecode(it.cek, 32), entry, size: meta.size });
    }
  }
  return out;
}

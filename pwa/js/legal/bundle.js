// The evidence bundle (docs/legal-contract.md §0.4–0.5): one ZIP with every record of a case
// this account holds — the signed envelopes, their receipts, the CEKs that open exactly those
// records (the bundle discloses them on purpose), the wraps they arrived by, the decrypted
// bodies byte for byte, every attachment's ciphertext and plaintext, the signed bundles and
// cards of everyone involved — plus a manifest, a readable report and a README. The
// "exported" custody event that names the manifest's SHA-256 is sealed while the bundle is
// built and is its export.json; `safepassage verify` checks all of it offline.
//
// Built in memory with fflate (pwa/vendor/zip.js): media and ciphertext are stored (level 0),
// text is deflated. With a passphrase the ZIP is then sealed as an SP1 sealed file (§0.5).
import * as sp from "../../crypto/sp1.js";
import { zipSync } from "../../vendor/zip.js";
import { getRecords } from "../store/vault-store.js";
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { B, contactByKid } from "../sharing/state.js";
import { readmeText, reportHtml, textsFor } from "./bundle-text.js";
import { caseOf } from "./cases.js";
import { itemsOf, sealCustody } from "./custody.js";
import { ciphertextOf, decryptFile, fileOf } from "./files.js";
import { loadHeld } from "./held.js";
import { viewOf } from "./review.js";

const enc = new TextEncoder();
const json = (value) => enc.encode(JSON.stringify(value));
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
/** Already compressed: stored as they are (deflate would cost time and gain nothing). */
const COMPRESSED = /^(image|audio|video)\/|^application\/(pdf|zip|gzip|x-7z-compressed)$/;
const DEFLATE_LEVEL = 6;
const NAME_MAX_BYTES = 100;
// Path separators, characters Windows refuses in names, and control characters (§0.4: C0 and
// C1, and DEL between them — Unicode's Cc, as the verifier reads it).
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;

/**
 * A file name as it goes under originals/<aid>/ (§0.4): NFC, unsafe characters replaced by
 * "_", leading dots stripped, at most 100 UTF-8 bytes cut at a character boundary, "file"
 * when nothing is left.
 */
function safeName(name) {
  const cleaned = String(name ?? "").toWellFormed().normalize("NFC").replace(UNSAFE, "_").replace(/^\.+/, "");
  let out = "";
  let bytes = 0;
  for (const ch of cleaned) {
    const n = enc.encode(ch).length;
    if (bytes + n > NAME_MAX_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out || "file";
}

/** The records the bundle discloses, once each: every held version of the case's reports, its consent shares, its custody events. */
function disclosed(c) {
  const out = new Map();
  for (const h of [...c.reports.flatMap((r) => r.members), ...c.shares, ...c.events]) if (!out.has(h.rid)) out.set(h.rid, h);
  return [...out.values()];
}

/** bundles/<kid>.json members: the signed bundle of every author and sharer, and the exporter's. */
async function signedBundles(ctx, held, records) {
  const bundles = new Map([[held.self.kid, ctx.account.bundle]]);
  for (const h of records) {
    if (h.own) continue;
    if (!bundles.has(h.author.kid)) bundles.set(h.author.kid, h.item.authorBundle);
    if (!bundles.has(h.sharer.kid)) bundles.set(h.sharer.kid, h.item.sharerBundle || h.item.authorBundle);
  }
  let ownCard = null;
  try {
    ownCard = held.self.name ? await sp.makeCard(ctx.s.identity, held.self.name) : null;
  } catch {
    ownCard = null; // a display name a card cannot hold: the bundle alone names the exporter
  }
  const out = new Map();
  for (const [kid, bundle] of bundles) {
    const c = kid === held.self.kid ? null : contactByKid(held.st, kid);
    const card = kid === held.self.kid ? ownCard : c && c.card ? c.card : null;
    out.set(`bundles/${kid}.json`, json({ bundle: { bundle: bundle.bundle, sig: bundle.sig }, card }));
  }
  return out;
}

/**
 * Exports case `caseId` (docs/legal-contract.md §7.1): {blob, filename, manifestSha256}.
 * `lang`: the reader's language of report.html and README.txt; `passphrase`: seal the ZIP
 * (SP1 sealed file) for transport; `onProgress({phase, done, total})`: "records", "seal",
 * "zip", "encrypt". Seals and queues the "exported" custody event. "not-found" while a file
 * of the case is not downloaded (nothing is sealed then); "invalid" for an unknown language or
 * an empty passphrase.
 */
export async function exportBundle(caseId, { lang = "en", passphrase = null, onProgress = null } = {}) {
  const progress = (p) => {
    try {
      if (onProgress) onProgress(p);
    } catch {
      // a screen's failure must not break the export
    }
  };
  if (passphrase !== null && (typeof passphrase !== "string" || !passphrase)) throw new AccountError("invalid", "an empty passphrase");
  const ctx = await context();
  const held = await loadHeld(ctx);
  const c = caseOf(held, caseId);
  const texts = await textsFor(lang);
  const created = Date.now();
  const filename = `case-${c.id.slice(0, 8)}-${new Date(created).toISOString().slice(0, 10)}.${passphrase === null ? "zip" : "sp1sealed"}`;

  const records = disclosed(c);
  const files = new Map(); // path -> {bytes, stored}
  const put = (path, bytes, stored = false) => files.set(path, { bytes, stored });
  const envelopes = new Map((await getRecords(records.filter((h) => h.own).map((h) => h.rid))).map((row) => [row.rid, row.envelope]));
  const listed = [];
  const attachments = [];
  for (const [n, h] of records.entries()) {
    const envelope = h.own ? envelopes.get(h.rid) : h.item.envelope;
    if (!envelope) throw new AccountError("not-found", "a record of the case is not stored");
    const path = `records/${h.rid}.json`;
    put(path, json({
      envelope: { hdr: envelope.hdr, body: envelope.body, sig: envelope.sig }, receipt: h.receipt, cek: h.cek, author: h.author.kid,
      shared_by: h.own ? null : h.sharer.kid, wrap: h.own ? null : h.item.wrap,
    }));
    put(`content/${h.rid}.json`, (await sp.decryptBody(envelope, sp.b64uDecode(h.cek, 32))).body);
    listed.push({ rid: h.rid, kind: h.kind, author: h.author.kid, path });
    for (const { aid } of h.att) {
      if (attachments.some((a) => a.aid === aid)) continue;
      const { meta } = fileOf(h, aid);
      const mime = String(meta.mime || "application/octet-stream");
      const original = `originals/${aid}/${safeName(meta.name)}`;
      put(`attachments/${aid}.sp1`, await ciphertextOf(h, aid), true);
      const { blob } = await decryptFile(ctx.s, h, aid);
      put(original, new Uint8Array(await blob.arrayBuffer()), COMPRESSED.test(mime));
      attachments.push({
        aid, rid: h.rid, name: String(meta.name ?? ""), mime, size: meta.size, sha256: String(meta.sha256 ?? ""),
        ciphertext: `attachments/${aid}.sp1`, original,
      });
    }
    progress({ phase: "records", done: n + 1, total: records.length });
  }
  for (const [path, bytes] of await signedBundles(ctx, held, records)) put(path, bytes);
  put("report.html", enc.encode(reportHtml(texts, {
    view: await viewOf(held, c), created, exporter: { name: held.self.name, kid: held.self.kid }, serverKey: ctx.account.serverKey, filename,
  })));
  put("README.txt", enc.encode(readmeText(texts, { caseId: c.id, kid: held.self.kid, filename, sealed: passphrase !== null })));

  const paths = [...files.keys()].sort();
  const listing = [];
  for (const path of paths) listing.push({ path, sha256: hex(await sp.sha256(files.get(path).bytes)), size: files.get(path).bytes.length });
  const manifest = json({
    format: "sp-evidence-bundle", v: 1, suite: "SP1", created, lang: texts.lang, case: c.id, title: c.title,
    exporter: held.self.kid, server_key: ctx.account.serverKey, files: listing,
    records: listed.sort((a, b) => (a.path < b.path ? -1 : 1)), attachments,
    custody: c.log.filter((e) => e.h.kind === "sp.custody").map((e) => e.h.entry),
  });
  const manifestSha256 = hex(await sp.sha256(manifest));

  // The export names the heads of what the bundle holds, so every custody record in it is an
  // ancestor of this signed record: dropping one leaves a dangling prev.
  progress({ phase: "seal", done: 0, total: 1 });
  const rec = await sealCustody(ctx, {
    caseId: c.id, event: "exported", items: itemsOf(c.reports.flatMap((r) => r.members)), prev: c.heads,
    detail: { manifest: manifestSha256, files: listing.length, encrypted: passphrase !== null },
  });
  const [row] = await getRecords([rec.rid]);
  progress({ phase: "seal", done: 1, total: 1 });

  progress({ phase: "zip", done: 0, total: 1 });
  const entries = {
    "manifest.json": [manifest, { level: DEFLATE_LEVEL }],
    "export.json": [json({ envelope: row.envelope, cek: B(rec.cek), author: held.self.kid }), { level: DEFLATE_LEVEL }],
  };
  for (const path of paths) entries[path] = [files.get(path).bytes, { level: files.get(path).stored ? 0 : DEFLATE_LEVEL }];
  const zip = new Blob([zipSync(entries, { mtime: created })], { type: "application/zip" });
  progress({ phase: "zip", done: 1, total: 1 });
  if (passphrase === null) return { blob: zip, filename, manifestSha256 };
  const sealed = await sp.sealFile(passphrase, zip, {
    onProgress: (p) => progress({ phase: "encrypt", done: p.done ?? 0, total: p.total ?? null }),
  });
  return { blob: sealed, filename, manifestSha256 };
}

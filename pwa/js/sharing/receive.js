// Pulling the inbox (GET /api/inbox, docs/sharing-contract.md §3.3) and checking every item
// before anything of it is kept. Called by the sync engine's "Sync now".
//
// Per item, first failure wins and the item is kept only as "rejected" (no content):
//   bundle      the author's and the sharer's bundles verify (SP1 §5.3);
//   signature   the record signature under the author's key, the share attestation under the
//               sharer's, the wrap names this account, HPKE opens, the key commitment and the
//               body decrypt (SP1 §10) — sp.openRecord.
// Then, recorded on the item (it is kept and shown with them):
//   receipt     the server's receipt verifies under the pinned server key for this entry (§12);
//   sender      the author is pinned by account id: first sight pins it, the pinned key is
//               "ok", another key is "changed" — the contact is marked, never re-pinned
//               (unless it is the key this account's own sp.contact records name: contacts.js);
//   chain       per (author, dev): two records with one seq ("fork"), or a prev that does not
//               link to the record before it ("chain-broken") — the inbox holds only the
//               records wrapped to this account, so gaps in seq are normal and not flagged;
//   order       per (author, dev), the number `n[my kid]` of sp.share/unshare/status/note:
//               "gap" (a number was skipped: a message withheld), "reorder" (lower than one
//               already received; fills the gap, whose flag goes), "repeat" (a number or the
//               very same record delivered again), "unnumbered". A **forwarded** item — its
//               sharer is not its author: a focal point passing a report and the delegate's
//               consent on to a legal supporter (docs/legal-contract.md §0.3) — is left out of
//               this check: its numbers were the author's count toward someone else.
// The same record delivered twice is stored once (by entry hash). A page — its items, flags
// changed on earlier items, contacts pinned or marked changed, reports withdrawn by an
// sp.unshare or by a "revoked" custody event naming this account (deleted with their
// attachment chunks: withdrawnRows) and the cursor — is one transaction.
import * as sp from "../../crypto/sp1.js";
import * as store from "../store/sharing-store.js";
import { getSync } from "../store/sync-store.js";
import * as port from "../vault/sync-port.js";
import { AccountError, unverified } from "../sync/errors.js";
import { pinnedVouched } from "./contacts.js";
import { B, sealJson, sharingState, vouches } from "./state.js";

export const PULL_LIMIT = 200;
export const NUMBERED = new Set(["sp.share", "sp.unshare", "sp.status", "sp.note", "sp.custody"]);
const NAME_MAX = 128;

/**
 * Pulls every inbox page after the stored cursor. `fetchPage(after)` is the API call on the
 * account's session. Returns how many new items were kept (rejected ones not counted).
 */
export async function pullInbox(ctx, { fetchPage, progress = () => {} }) {
  let after = (await getSync("inbox-cursor")) || 0;
  let received = 0;
  for (;;) {
    const page = await fetchPage(after);
    if (!page || !Array.isArray(page.items) || !Number.isSafeInteger(page.next) || typeof page.more !== "boolean") {
      throw new AccountError("server-error", "unexpected inbox page");
    }
    let cursor = after;
    for (const item of page.items) {
      if (!item || !Number.isSafeInteger(item.cursor) || item.cursor <= cursor) throw unverified("inbox items out of order");
      cursor = item.cursor;
    }
    if (page.next < cursor || (page.more && page.next <= after)) throw unverified("the inbox cursor does not advance");
    const checked = [];
    for (const item of page.items) {
      checked.push(await checkItem(ctx, item));
      ctx.check();
    }
    received += await port.serial(() => storePage(ctx, checked, page.next));
    after = page.next;
    progress({ phase: "pull", done: received, total: null });
    if (!page.more) return received;
  }
}

const bundleOf = (b) => ({ bundle: String(b.bundle), sig: String(b.sig) });

/** The keyed checks of one item (no state involved): a candidate row, or {rejected}. */
async function checkItem(ctx, item) {
  const base = { v: 1, cursor: item.cursor, received: Date.now() };
  let author;
  let sharer;
  try {
    author = await sp.verifyBundle(item.author);
    sharer = item.sharer && item.sharer.bundle !== item.author.bundle ? await sp.verifyBundle(item.sharer) : author;
  } catch {
    return { ...base, rejected: "bundle" };
  }
  let opened;
  try {
    opened = await sp.openRecord(item.envelope, item.wrap, { author, sharer, identity: ctx.s.identity });
  } catch (err) {
    return { ...base, rejected: err instanceof sp.FormatError ? "format" : "signature" };
  }
  let receiptTs = null;
  try {
    receiptTs = await sp.verifyReceipt(item.receipt, ctx.serverKey, opened.entryHash);
  } catch {
    receiptTs = null;
  }
  const h = opened.header;
  return {
    ...base,
    envelope: { hdr: item.envelope.hdr, body: item.envelope.body, sig: item.envelope.sig },
    wrap: item.wrap, receipt: item.receipt, receiptOk: receiptTs !== null, receiptTs,
    authorBundle: bundleOf(item.author), sharerBundle: sharer === author ? null : bundleOf(item.sharer),
    rid: h.rid, entry: B(opened.entryHash), dev: h.dev, seq: h.seq, prev: h.prev, supersedes: h.supersedes || null,
    rcpt: [...h.rcpt], att: h.att.map((a) => ({ ...a })),
    author: { uid: author.uid, kid: B(author.kid), role: author.role },
    sharer: { uid: sharer.uid, kid: B(sharer.kid), role: sharer.role },
    kind: typeof opened.content.kind === "string" ? opened.content.kind : "",
    body: opened.content, cek: B(opened.cek), flags: [], senderAtReceipt: null,
    parties: { author, sharer }, // not stored
  };
}

/** Whether the item reached this account through someone other than its author (a re-share). */
const forwarded = (it) => it.sharer.kid !== it.author.kid;

/** Whether the item's `n[my kid]` is a number this account must check (see the header comment). */
const numbered = (it) => NUMBERED.has(it.kind) && !forwarded(it);

function addFlag(item, flag) {
  if (!item.flags.includes(flag)) item.flags.push(flag);
}

/** A custody record of `event` (its body well enough formed to be read here). */
const custodyEvent = (it, event) => it.kind === "sp.custody" && it.body.event === event && typeof it.body.case === "string"
  && Boolean(it.body.detail) && typeof it.body.detail === "object";

const names = (list, value) => Array.isArray(list) && list.includes(value);

/**
 * The incident rows withdrawn from this account (`myKid`, b64u), deleted with their attachment
 * chunks by a cooperating client. Per version, the latest (by `ts`, then cursor) of:
 * - the author's sp.share / sp.unshare naming it (docs/sharing-contract.md §4): an unshare
 *   withdraws, a share (again) gives it back;
 * - the "referred" custody events naming it with this account in `detail.legal`, which give it
 *   (again), and the "revoked" events naming it with `detail.kid` = this account
 *   (docs/legal-contract.md §0.1), which take it away — counted only from the version's author
 *   and from whoever shared it with this account (the focal point who referred it), the two
 *   the server lets delete that share: nobody else can withdraw it, or hold on to it.
 * Only the report versions go: the consent shares and the custody log stay, so the case shows
 * the withdrawal with every `prev` still resolved.
 */
export function withdrawnRows(items, myKid = null) {
  const later = (a, b) => !b || a.body.ts > b.body.ts || (a.body.ts === b.body.ts && a.cursor > b.cursor);
  const note = (map, key, it) => {
    if (later(it, map.get(key))) map.set(key, it);
  };
  const sharers = new Map(); // "author kid/rid" -> kid of who wrapped that version to this account
  for (const it of items) if (!it.rejected && it.kind === "sp.incident") sharers.set(it.author.kid + "/" + it.rid, it.sharer.kid);
  const shares = new Map(); // "author uid/rid" -> latest sp.share | sp.unshare
  const custody = new Map(); // "author kid/rid" -> latest "referred" here | "revoked" of this account
  for (const it of items) {
    if (it.rejected || !it.body || !Array.isArray(it.body.items)) continue;
    const share = it.kind === "sp.share" || it.kind === "sp.unshare";
    const referred = myKid !== null && custodyEvent(it, "referred") && names(it.body.detail.legal, myKid);
    const revoked = myKid !== null && custodyEvent(it, "revoked") && it.body.detail.kid === myKid;
    if (!share && !referred && !revoked) continue;
    for (const x of it.body.items) {
      if (!x || typeof x.rid !== "string") continue;
      if (share) {
        note(shares, it.author.uid + "/" + x.rid, it);
      } else if (typeof x.author === "string") {
        const key = x.author + "/" + x.rid;
        if (x.author === it.author.kid || sharers.get(key) === it.author.kid) note(custody, key, it);
      }
    }
  }
  return items.filter((it) => {
    if (it.rejected || it.kind !== "sp.incident") return false;
    const a = shares.get(it.author.uid + "/" + it.rid);
    const b = custody.get(it.author.kid + "/" + it.rid);
    const last = b && later(b, a) ? b : a;
    return last?.kind === "sp.unshare" || (last?.kind === "sp.custody" && last.body.event === "revoked");
  });
}

/** Applies one checked page to the state and stores it; returns the number of new items kept. */
async function storePage(ctx, checked, cursor) {
  ctx.check();
  const { s } = ctx;
  const st = await sharingState(s);
  const myKid = B(s.identity.kid);
  const changed = new Map(); // key -> row to store (new, or a copy of a stored one)
  const view = (key) => changed.get(key) || st.inbox.get(key);
  const edit = (key) => {
    if (!changed.has(key)) changed.set(key, structuredClone(st.inbox.get(key)));
    return changed.get(key);
  };
  // Indexes over what is held, extended as the page is applied.
  const byEntry = new Map();
  const chains = new Map(); // "kid.dev" -> Map seq -> key
  const numbers = new Map(); // "kid.dev" -> Map n -> key
  const index = (key, it) => {
    byEntry.set(it.entry, key);
    const chain = it.author.kid + "." + it.dev;
    if (!chains.has(chain)) chains.set(chain, new Map());
    if (!chains.get(chain).has(it.seq)) chains.get(chain).set(it.seq, key);
    const n = numbered(it) && it.body.n && typeof it.body.n === "object" ? it.body.n[myKid] : undefined;
    if (Number.isSafeInteger(n) && n > 0) {
      if (!numbers.has(chain)) numbers.set(chain, new Map());
      if (!numbers.get(chain).has(n)) numbers.get(chain).set(n, key);
    }
  };
  for (const [key, it] of st.inbox) if (!it.rejected) index(key, it);

  const contactWrites = new Map(); // uid -> {key, c}
  const vouched = vouches(s);
  const pin = (party, bundle) => {
    const current = contactWrites.get(party.uid) || st.contacts.get(party.uid) || null;
    const next = pinnedVouched(current ? current.c : null, { party, bundle, source: "sender" }, vouched.get(party.uid));
    if (next) contactWrites.set(party.uid, { key: current ? current.key : B(sp.randomBytes(16)), c: next.c });
    const c = next ? next.c : current.c;
    if (c.kid !== B(party.kid)) return "changed";
    return current ? "pinned" : "first-seen";
  };

  let kept = 0;
  for (const it of checked) {
    if (it.rejected) {
      changed.set(it.cursor, it);
      continue;
    }
    const known = byEntry.get(it.entry);
    if (known !== undefined) {
      // Delivered again. A report may come back after a new share; a message never should.
      if (view(known).kind !== "sp.incident") addFlag(edit(known), "repeat");
      continue;
    }
    const { author, sharer } = it.parties;
    delete it.parties;
    it.senderAtReceipt = pin(author, it.authorBundle);
    if (it.sharerBundle) it.sharerAtReceipt = pin(sharer, it.sharerBundle);
    nameFromMessage(contactWrites, st, it);

    const chainKey = it.author.kid + "." + it.dev;
    const seqs = chains.get(chainKey);
    if (seqs) {
      const other = seqs.get(it.seq);
      if (other !== undefined && view(other).entry !== it.entry) {
        addFlag(it, "fork");
        addFlag(edit(other), "fork");
      }
      const before = seqs.get(it.seq - 1);
      if (before !== undefined && view(before).entry !== it.prev) addFlag(it, "chain-broken");
      const after = seqs.get(it.seq + 1);
      if (after !== undefined && view(after).prev !== it.entry) addFlag(edit(after), "chain-broken");
    }
    if (numbered(it)) checkNumber(it, myKid, numbers.get(chainKey), view, edit);
    changed.set(it.cursor, it);
    index(it.cursor, it);
    kept++;
  }

  // Reports withdrawn (sp.unshare, or a "revoked" custody event) go, with their attachment
  // chunks — except a file another row still held names (a version kept, a working copy).
  const all = new Map(st.inbox);
  for (const [key, it] of changed) all.set(key, it);
  const gone = withdrawnRows([...all.values()], myKid);
  const goneKeys = new Set(gone.map((it) => it.cursor));
  const stillNamed = new Set();
  for (const [key, it] of all) {
    if (!goneKeys.has(key) && !it.rejected) for (const a of it.att) stillNamed.add(a.aid);
  }
  const deletes = [];
  const chunkKeys = [];
  for (const it of gone) {
    changed.delete(it.cursor);
    if (st.inbox.has(it.cursor)) deletes.push(it.cursor);
    for (const a of it.att) if (!stillNamed.has(a.aid)) chunkKeys.push(port.INBOX_CHUNK_PREFIX + a.aid);
  }

  const rows = [];
  for (const [key, it] of changed) rows.push({ key, it, sealed: await sealJson(s, it, "inbox") });
  const contactRows = [];
  for (const { key, c } of contactWrites.values()) contactRows.push({ key, c, sealed: await sealJson(s, c, "contact") });
  ctx.check();
  await store.putInboxPage({
    rows: rows.map(({ key, sealed }) => ({ key, sealed })), deletes, chunkKeys,
    contacts: contactRows.map(({ key, sealed }) => ({ key, sealed })), cursor,
  });
  for (const { key, it } of rows) st.inbox.set(key, it);
  for (const key of deletes) st.inbox.delete(key);
  for (const { key, c } of contactRows) st.contacts.set(c.uid, { key, c });
  return kept;
}

/** Message numbering per (author, dev) toward this account (see the header comment). */
function checkNumber(it, myKid, nums, view, edit) {
  const n = it.body.n && typeof it.body.n === "object" ? it.body.n[myKid] : undefined;
  if (!Number.isSafeInteger(n) || n < 1) {
    addFlag(it, "unnumbered");
    return;
  }
  if (!nums) {
    if (n > 1) addFlag(it, "gap");
    return;
  }
  if (nums.has(n)) {
    addFlag(it, "repeat");
    return;
  }
  const max = Math.max(0, ...nums.keys());
  if (n > max + 1) addFlag(it, "gap");
  if (n < max) {
    addFlag(it, "reorder");
    // Whatever waited for this number may now be complete.
    const have = new Set([...nums.keys(), n]);
    for (const [m, key] of nums) {
      if (m <= n || !view(key).flags.includes("gap")) continue;
      let complete = true;
      for (let k = 1; k < m; k++) if (!have.has(k)) complete = false;
      if (complete) {
        const row = edit(key);
        row.flags = row.flags.filter((f) => f !== "gap");
      }
    }
  }
}

/**
 * A sender without a signed card (a delegate: only focal points and legal supporters publish
 * one) is named by the `from` of her own signed messages, when the key is the pinned one.
 */
function nameFromMessage(contactWrites, st, it) {
  if (!NUMBERED.has(it.kind) || typeof it.body.from !== "string" || it.senderAtReceipt === "changed") return;
  const current = contactWrites.get(it.author.uid) || st.contacts.get(it.author.uid);
  if (!current || current.c.card) return;
  const name = it.body.from.normalize("NFC").trim().slice(0, NAME_MAX);
  if (!name || name === current.c.name) return;
  contactWrites.set(it.author.uid, { key: current.key, c: { ...current.c, name } });
}

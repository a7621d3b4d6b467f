// What a focal point (or legal supporter) sends about a report she holds: a triage status to
// the report's author and the other recipients, and notes to the other recipients only (never to
// the delegate). Both are messages sealed into her own chain and queued (messages.js).
import { context } from "../sync/auth.js";
import { AccountError } from "../sync/errors.js";
import { sealMessage } from "./messages.js";
import { STATUSES, buildReports, coRecipientKids } from "./reports.js";
import { contactByKid, contactByUid, me, sharingState } from "./state.js";

const NOTE_MAX = 10000;

async function reportsFor(ctx, rids) {
  if (!Array.isArray(rids) || !rids.length) throw new AccountError("invalid", "no report");
  const st = await sharingState(ctx.s);
  const { byRid } = buildReports(st);
  const found = [];
  for (const rid of rids) {
    const r = byRid.get(String(rid ?? ""));
    if (!r) throw new AccountError("not-found", "no such report");
    if (!found.includes(r)) found.push(r);
  }
  return { st, reports: found };
}

/** What a status or note is about: every version held, as {rid, entry, author}. */
const aboutOf = (r) => r.members.map((m) => ({ rid: m.rid, entry: m.entry, author: m.author.kid }));

/** Pinned contacts among `kids` that can be written to (known, key not changed, not this account). */
function reachable(st, self, kids) {
  const out = [];
  for (const kid of kids) {
    const c = contactByKid(st, kid);
    if (c && c.state !== "changed" && c.uid !== self.uid && !out.some((o) => o.uid === c.uid)) out.push(c);
  }
  return out;
}

/**
 * Whether the report's author addressed it to this account herself: an alert, a report one of
 * whose signed shares names this account, or one whose share message never arrived. A report a
 * focal point forwarded to a legal supporter (docs/legal-contract.md §0.3) is not: its author
 * never chose this account, and the server refuses to let it address her.
 */
function fromAuthor(r, self) {
  if (r.kind === "alert" || !r.shares.length) return true;
  return r.shares.some((m) => Array.isArray(m.body.to) && m.body.to.includes(self.kid));
}

/**
 * Seals an sp.status {about, status} per report to its author (when she shared it with this
 * account) and the other holders (contacts whose key changed are left out until accepted).
 * Queued for the next sync.
 */
export async function setStatus(rids, status) {
  if (!STATUSES.includes(status)) throw new AccountError("invalid", "unknown status");
  const ctx = await context();
  const { st, reports } = await reportsFor(ctx, rids);
  const self = me(ctx);
  for (const r of reports) {
    const author = fromAuthor(r, self) ? contactByUid(st, r.author.uid) : null;
    const kids = [author && author.kid === r.author.kid ? author.kid : null, ...coRecipientKids(r, self)].filter(Boolean);
    await sealMessage(ctx, { kind: "sp.status", recipients: reachable(st, self, kids), fields: { about: aboutOf(r), status } });
  }
}

export async function acknowledge(rids) {
  return setStatus(rids, "acknowledged");
}

/** Seals an sp.note {about, text} to the other focal points and legal supporters who hold the report. */
export async function addNote(rid, text) {
  const note = typeof text === "string" ? text.normalize("NFC").trim() : "";
  if (!note || note.length > NOTE_MAX) throw new AccountError("invalid", "a note needs 1 to 10000 characters");
  const ctx = await context();
  const { st, reports: [r] } = await reportsFor(ctx, [rid]);
  const self = me(ctx);
  const to = reachable(st, self, coRecipientKids(r, self))
    .filter((c) => c.uid !== r.author.uid && (c.role === "focal-point" || c.role === "legal"));
  await sealMessage(ctx, { kind: "sp.note", recipients: to, fields: { about: aboutOf(r), text: note } });
}

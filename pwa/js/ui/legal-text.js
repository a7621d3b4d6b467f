// Words for the legal screens (issue 7): case review, referral, working copies and the evidence
// bundle. How a custody event, an integrity check and its verdict are said, which sentence an
// error of the legal service gets, and texts that must be re-drawn when the language changes
// (dates, counts) without re-building a screen that has files open. Everything a case carries —
// titles, names, notes, file names, custody details — was written by someone else: it is only
// ever turned into text here (String(), textContent), and an unknown code gets a neutral word.
import { formatList, t } from "../i18n.js";
import { formatNumber, plural } from "./account-text.js";
import { el, ltr, onLanguageChange, setText } from "./dom.js";
import { formatDate } from "./incident-types.js";
import { personName, sharingErrorKey, shownFileName } from "./sharing-text.js";

/**
 * Someone else's text (a name, a title, a file name) set inside one of our sentences, between
 * FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: a Latin name in an Arabic sentence keeps
 * its own direction without reordering the words around it, and a direction override hidden in
 * a name ("\u202E…") ends with the name instead of reversing the rest of the sentence.
 *
 * The sentence itself is never dir="auto": it is in the interface language and takes the
 * page's direction. With dir="auto" a sentence that starts with a Latin name ("Amal: …",
 * "photo.jpg: …") would be laid out left to right in Arabic. (Where a value can be an element,
 * dom.js's own() and ltr() do the same with <bdi>.)
 */
export function isolate(text) {
  return `\u2068${String(text ?? "")}\u2069`;
}

/** Several people's names in one placeholder, each isolated, listed the way the interface
 *  language lists them ("A, B and C"; in Arabic "A وB وC"). */
export function names(people) {
  const each = [].concat(people || []).map((p) => isolate(personName(p)));
  return formatList(each);
}

/** The sentence for an error of the legal service (docs/legal-contract.md §7.1 codes). */
export function legalErrorKey(error) {
  const code = error && typeof error.code === "string" ? error.code : "";
  if (code === "no-consent") return "refer.error.no-consent";
  if (code === "not-found") return "case.error.not-found";
  return sharingErrorKey(error);
}

// A verdict is said in words and with a sign, never by colour alone.
export const VERDICTS = ["ok", "warn", "fail", "unchecked"];
const VERDICT_KEYS = {
  ok: "integrity.state.ok", warn: "integrity.state.warn", fail: "integrity.state.fail", unchecked: "integrity.state.unchecked",
};
const VERDICT_SIGNS = { ok: "✓", warn: "!", fail: "✗", unchecked: "…" };

export function verdictOf(state) {
  return VERDICTS.includes(state) ? state : "fail";
}

/** A tag "✓ OK" / "! Warning" / "✗ Failed" / "… Not checked yet" (the sign is hidden from
 *  screen readers, which read the word). */
export function verdictTag(state) {
  const v = verdictOf(state);
  return el("span", { className: `tag verdict check-${v === "unchecked" ? "unchecked" : v}` }, [
    el("span", { className: "sign", "aria-hidden": "true", text: VERDICT_SIGNS[v] }),
    el("span", { i18n: VERDICT_KEYS[v] }),
  ]);
}

// Custody events (docs/legal-contract.md §0.1), plus "shared" (the delegate's own share).
const EVENT_KEYS = {
  "shared": "case.event.shared",
  "referred": "case.event.referred",
  "opened": "case.event.opened",
  "note": "case.event.note",
  "working-copy": "case.event.working-copy",
  "exported": "case.event.exported",
  "revoked": "case.event.revoked",
};
export function eventKey(event) {
  return EVENT_KEYS[event] || "case.event.other";
}

// Why an event of the log is not "ok", in words; any other code is said once, generically.
const REASON_KEYS = {
  "missing-prev": "case.reason.missing-prev",
  "signature": "case.reason.signature",
  "bad-signature": "case.reason.signature",
  "receipt": "case.reason.receipt",
  "no-receipt": "case.reason.no-receipt",
  "unreceived": "case.reason.no-receipt",
  "order": "case.reason.order",
  "gap": "case.reason.order",
  "replay": "case.reason.order",
  "repeat": "case.reason.order",
  "reorder": "case.reason.order",
  "unnumbered": "case.reason.order",
  "fork": "case.reason.fork",
  "chain-broken": "case.reason.chain",
  "receipt-invalid": "case.reason.receipt",
  "entry-mismatch": "case.reason.entry",
  "unverified": "case.reason.unverified",
  "unverified-author": "case.reason.unverified",
  "key-changed": "case.reason.key-changed",
};
export function reasonKeys(reasons) {
  const keys = new Set();
  for (const r of [].concat(reasons || [])) {
    const code = typeof r === "string" ? r : r && typeof r.code === "string" ? r.code : "";
    keys.add(REASON_KEYS[code] || "case.reason.other");
  }
  return [...keys];
}

// The integrity checks of one item (§7.1 integrity()), in the service's order.
const CHECK_KEYS = {
  signature: "integrity.check.signature",
  chain: "integrity.check.chain",
  attachment: "integrity.check.attachment",
  receipt: "integrity.check.receipt",
  custody: "integrity.check.custody",
  consent: "integrity.check.consent",
};
// One sentence per check and verdict; {placeholders} come from the check's params.
const CHECK_TEXT = {
  signature: {
    ok: "integrity.signature.ok", warn: "integrity.signature.warn", fail: "integrity.signature.fail",
    unchecked: "integrity.signature.unchecked",
  },
  chain: { ok: "integrity.chain.ok", warn: "integrity.chain.warn", fail: "integrity.chain.fail", unchecked: "integrity.chain.unchecked" },
  attachment: {
    ok: "integrity.attachment.ok", warn: "integrity.attachment.warn", fail: "integrity.attachment.fail",
    unchecked: "integrity.attachment.unchecked",
  },
  receipt: { ok: "integrity.receipt.ok", warn: "integrity.receipt.warn", fail: "integrity.receipt.fail", unchecked: "integrity.receipt.unchecked" },
  custody: { ok: "integrity.custody.ok", warn: "integrity.custody.warn", fail: "integrity.custody.fail", unchecked: "integrity.custody.unchecked" },
  consent: { ok: "integrity.consent.ok", warn: "integrity.consent.warn", fail: "integrity.consent.fail", unchecked: "integrity.consent.unchecked" },
};

export function checkKey(check) {
  return CHECK_KEYS[check] || "integrity.check.other";
}

/** The catalog key and placeholders of one check's sentence, from its verdict, its params and
 *  its reason codes. The names and file names in params are someone else's text: made strings. */
export function checkSentence(check, state, params, reasons = []) {
  const p = params && typeof params === "object" ? params : {};
  const why = new Set([].concat(reasons || []).filter((r) => typeof r === "string"));
  const v = verdictOf(state);
  const table = CHECK_TEXT[check];
  if (!table) return { key: v === "ok" ? "integrity.other.ok" : "integrity.other.notok", vars: {} };
  let key = table[v];
  const vars = {};
  if (check === "signature") {
    vars.name = isolate(personName(p.name ?? p.author ?? p.by));
    if (v === "fail" && why.has("entry-mismatch")) key = "integrity.signature.entry";
    else if (v === "fail" && why.has("key-changed")) key = "integrity.signature.changed";
    else if (v === "ok" && p.verified === false) key = "integrity.signature.ok.unverified";
  } else if (check === "chain") {
    vars.seq = Number.isSafeInteger(p.seq) ? formatNumber(p.seq) : "?";
    if (v === "fail" && (p.fork || why.has("fork"))) key = "integrity.chain.fork";
  } else if (check === "attachment") {
    vars.name = isolate(shownFileName(p.name) || t("report.attachment.noname"));
    vars.sha = ltr(typeof p.sha256 === "string" ? p.sha256.slice(0, 16) : "");
    if (v === "unchecked" && (p.available === false || why.has("not-downloaded"))) key = "integrity.attachment.notdownloaded";
  } else if (check === "receipt") {
    vars.date = formatDate(p.at);
    if (v === "unchecked" && (why.has("not-received") || p.at === null)) key = "integrity.receipt.notreceived";
  } else if (check === "consent") {
    vars.date = formatDate(p.at);
    if (v === "fail" && why.has("no-consent")) key = "integrity.consent.refused";
  }
  return { key, vars };
}

/** Who an event went to, when that is what the event is about: a share names its recipients,
 *  a referral its legal supporters (the other recipients are only told). Otherwise none. */
export function eventRecipients(event, to) {
  const people = [].concat(to || []).filter((p) => p && typeof p === "object");
  if (event === "shared") return people;
  if (event !== "referred") return [];
  const legal = people.filter((p) => p.role === "legal");
  return legal.length ? legal : people;
}

/** One line per custody event an integrity check lists: "Referred…: Amal to Lina, 3 Dec". */
export function custodyLine(e) {
  const ev = e && typeof e === "object" ? e : {};
  const to = eventRecipients(ev.event, ev.to);
  const vars = { event: t(eventKey(ev.event)), by: isolate(personName(ev.by)), to: names(to), date: formatDate(ev.at) };
  return setText(el("li"), to.length ? "integrity.custody.line.to" : "integrity.custody.line", vars);
}

/**
 * Texts that the dom.js observer cannot re-render by itself (dates, plural counts): a screen
 * registers them here and they follow a language switch without the screen being rebuilt —
 * so an opened PDF, a shown photo or a half-drawn rectangle stays where it was.
 */
export function liveTexts() {
  const dates = new Map(); // node -> ms
  const counts = new Map(); // node -> [key, n]
  const stop = onLanguageChange(() => {
    for (const [node, ms] of dates) node.textContent = formatDate(ms);
    for (const [node, [key, n]] of counts) node.textContent = plural(key, n);
  });
  return {
    date(node, ms) {
      dates.set(node, ms);
      node.textContent = formatDate(ms);
      return node;
    },
    count(node, key, n) {
      counts.set(node, [key, n]);
      node.textContent = plural(key, n);
      return node;
    },
    /** Forgets the nodes of a section that is being re-drawn. */
    forget(root) {
      for (const node of [...dates.keys()]) if (root.contains(node)) dates.delete(node);
      for (const node of [...counts.keys()]) if (root.contains(node)) counts.delete(node);
    },
    dispose() {
      stop();
      dates.clear();
      counts.clear();
    },
  };
}

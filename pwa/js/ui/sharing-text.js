// Words for the sharing screens (issue 6): which sentence an error code gets, how a contact's
// role and state, a report's triage status and its verification are said, and safe file names.
// Everything a report or a contact card carries is attacker-controlled: it is only ever turned
// into text here (String(), never markup), and an unknown value gets a neutral word, not itself.
import { t } from "../i18n.js";
import { accountErrorKey } from "./account-text.js";

// docs/sharing-contract.md §4: codes of the sharing service, beside those of issue 5.
const SHARING_ERRORS = {
  "unverified-contact": "sharing.error.unverified-contact",
  "key-changed": "sharing.error.key-changed",
  "mismatch": "sharing.error.mismatch",
  "no-consent": "sharing.error.no-consent",
  "alert-released": "sharing.error.alert-released",
  "not-found": "sharing.error.not-found",
  "invalid": "sharing.error.invalid",
};

/** The catalog key of the sentence for an error of the sharing (or account) service. */
export function sharingErrorKey(error) {
  const code = error && typeof error.code === "string" ? error.code : "";
  return SHARING_ERRORS[code] || accountErrorKey(error);
}

export const STATUSES = ["new", "acknowledged", "in-progress", "referred", "closed"];
const STATUS_KEYS = {
  "new": "status.new",
  "acknowledged": "status.acknowledged",
  "in-progress": "status.in-progress",
  "referred": "status.referred",
  "closed": "status.closed",
};
export function statusKey(status) {
  return STATUS_KEYS[status] || "status.unknown";
}

const ROLE_KEYS = { "focal-point": "role.focal-point", "legal": "role.legal", "delegate": "role.delegate" };
export function roleKey(role) {
  return ROLE_KEYS[role] || "role.unknown";
}

const STATE_KEYS = { verified: "contact.state.verified", unverified: "contact.state.unverified", changed: "contact.state.changed" };
/** A held alert's kind in words ("checkin" | "duress"); anything else is a plain "Alert". */
export function alertKey(kind) {
  return kind === "duress" ? "alert.duress" : kind === "checkin" ? "alert.checkin" : "alert.other";
}

export function contactStateKey(state) {
  return STATE_KEYS[state] || "contact.state.unverified";
}

/** A contact's name as a person reads it: the signed card's name, or a neutral placeholder. */
export function contactName(contact) {
  const name = contact && typeof contact.name === "string" ? contact.name.trim() : "";
  return name || t("contact.noname");
}

/** The name of whoever a status, a note or a share names: a contact object, a name, or nothing. */
export function personName(who) {
  if (who && typeof who === "object") return contactName(who);
  const text = typeof who === "string" ? who.trim() : "";
  return text || t("contact.noname");
}

// Verification of a received report: five checks, each "ok" | "warn" | "fail", said in words.
export const CHECKS = ["signature", "chain", "receipt", "sender", "order"];
const CHECK_STATES = new Set(["ok", "warn", "fail"]);

/** {state, reasons} of one check, whether the service gives "ok" or {state|result, reasons}. */
export function checkOf(verification, name) {
  const value = verification && typeof verification === "object" ? verification[name] : undefined;
  let state = value;
  let reasons = [];
  if (value && typeof value === "object") {
    state = value.state ?? value.result ?? value.status;
    reasons = [].concat(value.reasons ?? value.reason ?? []);
  }
  return { state: CHECK_STATES.has(state) ? state : "fail", reasons: reasons.filter((r) => typeof r === "string") };
}

/** "ok" when every check passed, "fail" when one failed, "warn" otherwise. */
export function overallCheck(verification) {
  const states = CHECKS.map((name) => checkOf(verification, name).state);
  if (states.includes("fail")) return "fail";
  return states.every((s) => s === "ok") ? "ok" : "warn";
}

// Flags of an inbox item and reason codes of a check: the known ones have a sentence; any
// other is said once, generically (never shown as the raw code, which the sender may choose).
const FLAG_KEYS = {
  "gap": "flag.gap",
  "repeat": "flag.replay",
  "replay": "flag.replay",
  "reorder": "flag.reorder",
  "unnumbered": "flag.unnumbered",
  "fork": "flag.chain",
  "chain-broken": "flag.chain",
  "receipt-invalid": "flag.receipt",
  "entry-mismatch": "flag.entry",
  "no-share-message": "flag.no-share",
  "unverified-sender": "flag.unverified",
  "key-changed": "flag.key-changed",
};
export function flagKeys(flags) {
  const keys = new Set();
  for (const flag of [].concat(flags || [])) {
    const code = typeof flag === "string" ? flag : flag && typeof flag.code === "string" ? flag.code : "";
    keys.add(FLAG_KEYS[code] || "flag.other");
  }
  return [...keys];
}

// Only these image types are ever shown in the page; everything else is a download.
export const SHOWN_IMAGES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

// Control characters and the invisible marks that reorder text: "evil\u202Egnp.html" would
// read as "evillmth.png" on screen.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A file name as it is shown: the sender's characters without the hidden ones. */
export function shownFileName(name) {
  return String(name ?? "").replace(HIDDEN, "");
}

/** A file name safe to offer as a download: no folders, no control or direction-changing
 *  characters, no leading dots, at most 100 characters; "attachment" if nothing is left. */
export function safeFileName(name) {
  const cleaned = String(name ?? "")
    .normalize("NFC")
    .replace(HIDDEN, "")
    .replace(/[\\/:*?"<>|]/g, "_")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 100);
  return cleaned || "attachment";
}

// Words for the account and sync screens: which message an AccountError code gets, counts with
// the plural forms of the interface language, sizes, and the dates the server gives per day.
// Errors are always shown from their code, never from their message.

// Every code of docs/account-contract.md, plus the vault's "locked", has its own sentence.
const ERROR_KEYS = {
  "offline": "account.error.offline",
  "invite-invalid": "account.error.invite-invalid",
  "username-taken": "account.error.username-taken",
  "invalid-username": "account.error.invalid-username",
  "signin-failed": "account.error.signin-failed",
  "device-revoked": "account.error.device-revoked",
  "rate-limited": "account.error.rate-limited",
  "locked": "account.error.locked",
  "not-enrolled": "account.error.not-enrolled",
  "server-changed": "account.error.server-changed",
  "unverified": "account.error.unverified",
  "server-error": "account.error.server-error",
  "nothing-synced": "account.error.nothing-synced",
  "storage-full": "error.storage-full",
  "unsupported": "error.unsupported",
};

/** The phone itself says it has no connection (navigator.onLine is only reliable when false):
 *  the screens say so at once instead of letting the service retry for seconds. */
export function knownOffline() {
  return navigator.onLine === false;
}

export const OFFLINE = Object.freeze({ code: "offline" });

/** The code an AccountError (or a VaultError) carries; "server-error" for anything else. */
export function accountErrorCode(error) {
  const code = error && typeof error.code === "string" ? error.code : "";
  return code in ERROR_KEYS ? code : "server-error";
}

/** The catalog key of the sentence for an error. */
export function accountErrorKey(error) {
  return ERROR_KEYS[accountErrorCode(error)];
}

/** Codes that mean "stop and read this": shown with the serious style. */
export const SERIOUS = new Set(["unverified", "server-changed", "device-revoked"]);

// Counts, numbers, sizes and days are formatted in i18n.js (Intl, the current language's locale);
// the screens of issue 5 import them from here.
export { formatNumber, plural, formatBytes as formatSize, formatDay } from "../i18n.js";

/** The number of conflicts a sync reports, whether the service gives a count or a list. */
export function conflictCount(conflicts) {
  if (Array.isArray(conflicts)) return conflicts.length;
  return Math.max(0, Number(conflicts) || 0);
}

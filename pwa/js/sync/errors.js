// The account and sync service's one error type (docs/account-contract.md). `code` is what the
// screens show a sentence for; `serverCode` (the API's own code, docs/sync-api.md), `status` and
// `details` (an upload offset; the receipts a failed batch did store) are for this service's own
// decisions.
// Messages never carry a secret, a body or a user-supplied value.

export class AccountError extends Error {
  constructor(code, message = code, { status = 0, serverCode = null, details = null } = {}) {
    super(message);
    this.name = "AccountError";
    this.code = code;
    this.status = status;
    this.serverCode = serverCode;
    this.details = details;
  }
}

/** Server codes the contract passes through unchanged; every other failure is "server-error". */
const PASSED_THROUGH = new Set(["invite-invalid", "username-taken", "signin-failed", "device-revoked", "rate-limited"]);

/** The AccountError for an API error answer {error: {code}} with `status`. */
export function fromServer(status, body) {
  const serverCode = body && body.error && typeof body.error.code === "string" ? body.error.code : null;
  const details = {};
  // The extra members may sit beside "error" or inside it.
  for (const part of [body && body.error, body]) {
    if (!part || typeof part !== "object") continue;
    if (Number.isSafeInteger(part.offset)) details.offset = part.offset;
    if (Array.isArray(part.results)) details.results = part.results;
    if (typeof part.rid === "string") details.rid = part.rid;
  }
  const code = PASSED_THROUGH.has(serverCode) ? serverCode : "server-error";
  return new AccountError(code, `the server answered ${status}${serverCode ? " " + serverCode : ""}`, {
    status, serverCode, details,
  });
}

export function unverified(message) {
  return new AccountError("unverified", message);
}

// The vault's one error type and the mapping of lower-level failures onto its codes
// (docs/vault-contract.md). Messages never carry secrets.
import * as sp from "../../crypto/sp1.js";

export class VaultError extends Error {
  constructor(code, message = code) {
    super(message);
    this.name = "VaultError";
    this.code = code;
  }
}

export function mapError(err) {
  if (err instanceof VaultError) return err;
  if (err && err.name === "QuotaExceededError") return new VaultError("storage-full");
  if (err instanceof sp.UnsupportedVersion || err instanceof sp.KdfPolicyError) return new VaultError("unsupported");
  return err;
}

/** Runs `fn`, re-raising its failure as a VaultError where one applies. */
export async function guarded(fn) {
  try {
    return await fn();
  } catch (err) {
    throw mapError(err);
  }
}

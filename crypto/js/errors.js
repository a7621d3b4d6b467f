// SP1 error family, shared by every crypto/js module. The names match the Python
// implementation (crypto/spcrypto) so a test or a UI can map both the same way.
//
// Messages name the rule that failed, never a key, a plaintext or a passphrase.

/** Base class: every failure of an SP1 operation is a CryptoError. */
export class CryptoError extends Error {
  constructor(message) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** Malformed input: bad encoding, wrong length, non-canonical JSON, missing field. */
export class FormatError extends CryptoError {}

/** Any authentication failure: AEAD tag, signature, key commitment, attachment hash. */
export class AuthError extends CryptoError {}

/** A `v` or `suite` this implementation does not speak. */
export class UnsupportedVersion extends CryptoError {}

/** Argon2id parameters below the floor or different from the pinned ones (downgrade). */
export class KdfPolicyError extends CryptoError {}

/** A per-device hash chain with a fork, a gap or a wrong link. */
export class ChainError extends CryptoError {}

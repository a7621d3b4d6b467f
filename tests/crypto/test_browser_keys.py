"""Key handling rules of crypto/js that the vectors cannot show: private keys stay
non-extractable CryptoKeys, the KDF policy runs before any Argon2 work, and the Argon2 worker
reports its progress."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

KEY_RULES = """
async () => {
  const sp = await import("/crypto/sp1.js");
  const subtleExport = async (key) => {
    // Exporting a non-extractable key must fail (InvalidAccessError).
    try { await crypto.subtle.exportKey(key.type === "secret" ? "raw" : "pkcs8", key); return "exported"; }
    catch (err) { return err.name; }
  };
  const kdf = sp.newKdfParams().replace('"m":65536', '"m":19456').replace('"t":3', '"t":2');
  const ask = sp.generateAsk();
  const messages = [];
  sp.prewarmArgon2();
  const account = await sp.deriveAccount("pass phrase", kdf, ask, { onMessage: (m) => messages.push(m.type) });
  const vaultId = sp.randomBytes(16);
  const { ak, wrapped } = await sp.createAccountKey(account.kek, vaultId);
  const ak2 = await sp.unwrapAccountKey(account.kek, wrapped, vaultId);
  const id = await sp.generateIdentity(ak);
  const id2 = await sp.unwrapIdentity(ak2, id);
  const keys = { kek: account.kek, ak, ak2, sig: id.signingKey, enc: id.encKeyPair.privateKey, sig2: id2.signingKey, enc2: id2.encKeyPair.privateKey };
  const exported = {};
  for (const [name, key] of Object.entries(keys)) exported[name] = [key.extractable, await subtleExport(key)];

  // A wrong passphrase (same ASK) is an AuthError at the AK unwrap, not a wrong key.
  let wrong;
  try {
    const other = await sp.deriveAccount("pass phrasE", kdf, ask);
    await sp.unwrapAccountKey(other.kek, wrapped, vaultId);
    wrong = "unwrapped";
  } catch (err) { wrong = err.name; }

  // Policy is checked before Argon2 starts: a downgrade fails fast, without a worker.
  const t0 = performance.now();
  let policy;
  try { await sp.deriveAccount("pass phrase", kdf.replace('"m":19456', '"m":8192'), ask); policy = "derived"; }
  catch (err) { policy = err.name; }
  let pinned;
  try { await sp.deriveAccount("pass phrase", kdf, ask, { pinned: sp.newKdfParams() }); pinned = "derived"; }
  catch (err) { pinned = err.name; }

  // Emergency Kit text round trip.
  const askBack = sp.b64uEncode(sp.parseAsk(sp.formatAsk(ask).toLowerCase().replaceAll("-", " ")));
  return { exported, messages, wrong, policy, pinned, policyMs: performance.now() - t0,
           askOk: askBack === sp.b64uEncode(ask), authKeyLength: account.authKey.length };
}
"""


def test_private_keys_are_non_extractable_and_policy_runs_first(page: Page) -> None:
    # Given the app's origin under its real CSP
    page.goto("/")
    page.set_default_timeout(60_000)
    # When the browser unlocks, creates and re-unwraps an account key and an identity
    out = page.evaluate(KEY_RULES)
    # Then no secret key can be exported from the page
    for name, (extractable, result) in out["exported"].items():
        assert (extractable, result) == (False, "InvalidAccessError"), name
    # And the worker reported its progress, the wrong passphrase fails authentication
    assert out["messages"] == ["started", "progress", "done"]
    assert out["wrong"] == "AuthError"
    # And weak or unpinned parameters are refused before any Argon2 work
    assert (out["policy"], out["pinned"]) == ("KdfPolicyError", "KdfPolicyError")
    assert out["policyMs"] < 1000
    assert out["askOk"] and out["authKeyLength"] == 32

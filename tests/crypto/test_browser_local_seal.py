"""sp1.js's local sealing for the vault (newDeviceKey, sealLocal, openLocal): a device key that
script can never export, sealing bound to its label, and AuthError on any mismatch."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_device_key_and_local_sealing(page: Page) -> None:
    page.goto("/")
    out = page.evaluate(
        """async () => {
            const sp = await import("/crypto/sp1.js");
            const key = await sp.newDeviceKey();
            let exported;
            try { await crypto.subtle.exportKey("raw", key); exported = "exported"; } catch (e) { exported = e.name; }
            const secret = sp.randomBytes(16);
            const sealed = await sp.sealLocal(key, secret, "ask");
            const again = await sp.sealLocal(key, secret, "ask");
            const opened = await sp.openLocal(key, sealed, "ask");
            const fail = async (f) => { try { await f(); return "opened"; } catch (e) { return e.name; } };
            const flipped = sealed.slice(); flipped[20] ^= 1;
            return {
              extractable: key.extractable, usages: key.usages.sort(), exported,
              length: sealed.length, differs: sealed.some((b, i) => b !== again[i]),
              same: opened.every((b, i) => b === secret[i]) && opened.length === 16,
              wrongLabel: await fail(() => sp.openLocal(key, sealed, "draft")),
              wrongKey: await fail(async () => sp.openLocal(await sp.newDeviceKey(), sealed, "ask")),
              tampered: await fail(() => sp.openLocal(key, flipped, "ask")),
              short: await fail(() => sp.openLocal(key, sealed.slice(0, 20), "ask")),
              badLabel: await fail(() => sp.sealLocal(key, secret, "Not OK")),
              rawKey: await fail(() => sp.sealLocal(new Uint8Array(32), secret, "ask")),
            };
        }"""
    )
    assert out["extractable"] is False and out["exported"] == "InvalidAccessError"
    assert out["usages"] == ["decrypt", "encrypt"]
    assert out["length"] == 12 + 16 + 16 and out["differs"] and out["same"]
    assert out["wrongLabel"] == out["wrongKey"] == out["tampered"] == "AuthError"
    assert out["short"] == out["badLabel"] == out["rawKey"] == "FormatError"

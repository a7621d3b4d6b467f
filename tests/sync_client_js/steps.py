"""What a delegate's phone does, as page-side steps for the sync service tests.

``open_app`` loads the app (main.js takes an invite from the fragment, as on a real phone) and
installs ``window.t``: the vault and account services, the crypto module, and raw IndexedDB
reads for the assertions. Every step is a function string (the CSP forbids anything else).
"""
from __future__ import annotations

import secrets
from typing import Any

from playwright.sync_api import Page

PASSPHRASE = "a long enough passphrase for tests"

HELPERS = """
async () => {
  const raw = (store) => new Promise((resolve, reject) => {
    const open = indexedDB.open("safe-passage");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(store)) { db.close(); resolve(null); return; }
      const tx = db.transaction(store);
      const keys = tx.objectStore(store).getAllKeys();
      const values = tx.objectStore(store).getAll();
      tx.oncomplete = () => { db.close(); resolve(keys.result.map((k, i) => [k, values.result[i]])); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    };
  });
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  window.t = {
    v: await import('/js/vault/index.js'),
    a: await import('/js/sync/index.js'),
    sp: await import('/crypto/sp1.js'),
    raw,
    sha: async (blobOrBytes) => {
      const bytes = blobOrBytes instanceof Blob ? await blobOrBytes.arrayBuffer() : blobOrBytes;
      return hex(await crypto.subtle.digest("SHA-256", bytes));
    },
    /** Runs fn and returns {ok, value} or {code, name, message}: errors are data here. */
    attempt: async (fn) => {
      try { return { ok: true, value: await fn() }; }
      catch (e) { return { ok: false, code: e.code || null, name: e.name, message: e.message }; }
    },
  };
}
"""


def open_app(page: Page, fragment: str = "") -> None:
    page.goto("/" + fragment)
    page.wait_for_function("() => document.body.dataset.ready === 'true'")
    page.evaluate(HELPERS)


def new_username() -> str:
    return "d" + secrets.token_hex(6)


def create_and_enrol(page: Page, invite: str, display_name: str = "Amal") -> dict[str, Any]:
    """A new vault that becomes an account with the invite in the URL: {username, secretKeyText}."""
    open_app(page, invite)
    return page.evaluate(
        """async ({ pass, username, displayName }) => {
            const url = location.href;
            const { secretKeyText } = await t.v.createVault(pass);
            const invited = t.a.pendingInvite();
            const status = await t.a.enrol({ username, displayName });
            return { username, secretKeyText, status, invited, url, pendingAfter: t.a.pendingInvite() };
        }""",
        {"pass": PASSPHRASE, "username": new_username(), "displayName": display_name},
    )


def sign_in(page: Page, creds: dict[str, Any]) -> dict[str, Any]:
    open_app(page)
    return page.evaluate(
        """async ({ pass, username, secretKeyText }) => {
            const phases = [];
            const result = await t.a.signIn({ username, passphrase: pass, secretKey: secretKeyText,
                                              onProgress: (p) => phases.push(p.phase) });
            return { result, phases: [...new Set(phases)], state: await t.v.state() };
        }""",
        {"pass": PASSPHRASE, **creds},
    )


def log_incidents(page: Page, titles: list[str], file_size: int = 0) -> list[dict[str, Any]]:
    return page.evaluate(
        """async ({ titles, fileSize }) => {
            const out = [];
            for (const title of titles) {
              const files = fileSize ? [new File([new Uint8Array(fileSize).map((_, i) => (i * 7 + title.length) & 255)],
                                                  title + ".bin", { type: "application/octet-stream" })] : [];
              out.push(await t.v.saveIncident({ title }, { files }));
            }
            return out;
        }""",
        {"titles": titles, "fileSize": file_size},
    )


def sync(page: Page) -> dict[str, Any]:
    """syncNow() as data: {ok, value} or {ok: False, code}."""
    return page.evaluate("async () => t.attempt(() => t.a.syncNow())")


def titles(page: Page) -> list[str]:
    return sorted(page.evaluate("async () => (await t.v.listIncidents()).map((i) => i.content.title)"))

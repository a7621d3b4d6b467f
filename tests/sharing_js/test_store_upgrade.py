"""IndexedDB schema v4 (sharing): a v3 database upgrades in place, keeping what it held, and a
vault made before issue 6 gets its duress slot (random bytes) at its next unlock."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.sync_client_js.steps import PASSPHRASE, open_app

pytestmark = pytest.mark.browser


def test_schema_v3_upgrades_to_v4_and_an_old_vault_gets_its_duress_slot(page: Page, page_guard) -> None:  # type: ignore[no-untyped-def]
    open_app(page)
    # Given a database left by the issue-5 app (schema v3) holding a record, a receipt and the cursor
    upgraded = page.evaluate(
        """async () => {
            const db = await import('/js/store/db.js');
            await db.deleteDatabase();
            await new Promise((resolve, reject) => {
              const open = indexedDB.open("safe-passage", 3);
              open.onupgradeneeded = () => {
                const d = open.result;
                d.createObjectStore("prefs");
                d.createObjectStore("vault");
                d.createObjectStore("records", { keyPath: "rid" }).put({ rid: "r1", envelope: { hdr: "{}" }, wrap: {} });
                d.createObjectStore("chunks", { keyPath: ["aid", "i"] });
                d.createObjectStore("drafts");
                d.createObjectStore("receipts", { keyPath: "rid" }).put({ rid: "r1", receipt: { ts: 1 } });
                d.createObjectStore("attachments", { keyPath: "aid" });
                d.createObjectStore("sync").put(7, "cursor");
              };
              open.onsuccess = () => { open.result.close(); resolve(); };
              open.onerror = () => reject(open.error);
            });
            // When this version opens it
            const opened = await db.database();
            const out = { version: opened.version, stores: [...opened.objectStoreNames].sort(),
                          records: (await opened.getAll("records")).length, receipts: (await opened.getAll("receipts")).length,
                          cursor: await opened.get("sync", "cursor") };
            await db.deleteDatabase();
            return out;
        }"""
    )
    # Then it is at v4 with the sharing stores added and nothing of v3 lost
    assert upgraded["version"] == 4
    assert upgraded["stores"] == ["attachments", "chunks", "contacts", "drafts", "inbox", "outbox", "prefs", "receipts",
                                  "records", "sync", "vault"]
    assert (upgraded["records"], upgraded["receipts"], upgraded["cursor"]) == (1, 1, 7)

    # Given a vault whose meta has no duress slot (made before issue 6)
    slot = page.evaluate(
        """async (pass) => {
            await t.v.createVault(pass);
            const db = await (await import('/js/store/db.js')).database();
            const meta = await db.get("vault", "meta");
            const fresh = meta.duress.length;
            delete meta.duress;
            await db.put("vault", meta, "meta");
            // When it is unlocked
            t.v.lock();
            await t.v.unlock(pass);
            return { fresh, after: (await db.get("vault", "meta")).duress.length, state: await t.v.state() };
        }""",
        PASSPHRASE,
    )
    # Then it has one, like a new vault: 60 random bytes
    assert slot == {"fresh": 60, "after": 60, "state": "unlocked"}
    page.evaluate("async () => t.v.wipe()")

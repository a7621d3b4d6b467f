"""The vault service (pwa/js/vault/, issue 4) driven from the page: create, unlock and lock,
the failure counter and wipe-after-N, incidents with versions and streamed attachments, drafts,
what IndexedDB holds (no plaintext, only non-extractable CryptoKeys), wipe, backup and restore.

Each unlock runs the real Argon2id (64 MiB, t=3), so the tests keep the number of unlocks low."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

CANARIES = ["CANARY-ascii-7f3e", "كناري-سري-٣٤", "🐤🔐canary"]

# Dumps every IndexedDB database in page and searches it for the canaries: strings directly,
# bytes as UTF-8/UTF-16 byte sequences, and hex and base64 (standard and url, all alignments)
# of the canaries inside every string. Also lists every CryptoKey found and its extractable.
DUMP = """
async (canaries) => {
  const enc = new TextEncoder();
  const latin1 = (bytes) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return s; };
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const b64 = (bytes) => btoa(latin1(bytes));
  const needles = [];
  for (const c of canaries) {
    const u8 = enc.encode(c);
    const u16 = new Uint8Array(new Uint16Array(Array.from(c, (ch) => ch.charCodeAt(0))).buffer);
    needles.push({ c, kind: "bytes", s: latin1(u8) }, { c, kind: "utf16", s: latin1(u16) });
    for (const off of [0, 1, 2]) {
      const padded = new Uint8Array(off + u8.length); padded.set(u8, off);
      const t = b64(padded).replace(/=+$/, "");
      const core = t.slice(Math.ceil(off * 4 / 3) + 1, t.length - 2);
      needles.push({ c, kind: "text", s: core }, { c, kind: "text", s: core.replace(/\\+/g, "-").replace(/\\//g, "_") });
    }
    needles.push({ c, kind: "text", s: c }, { c, kind: "text", s: hex(u8) });
  }
  const found = [];
  const keys = [];
  let values = 0;
  const visit = (v, path) => {
    values++;
    if (v === null || v === undefined) return;
    if (typeof v === "string") {
      for (const n of needles) if (n.kind === "text" && v.includes(n.s)) found.push([path, n.c, "text"]);
      return;
    }
    if (v instanceof CryptoKey) { keys.push([path, v.extractable, v.algorithm.name]); return; }
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const s = latin1(bytes);
      for (const n of needles) if (n.kind !== "text" && s.includes(n.s)) found.push([path, n.c, n.kind]);
      visit(hex(bytes), path + "#hex"); visit(b64(bytes), path + "#b64");
      return;
    }
    if (v instanceof Blob) { found.push([path, "a Blob is stored", "blob"]); return; }
    if (typeof v === "object") for (const [k, x] of Object.entries(v)) { visit(k, path + "." + k + "#key"); visit(x, path + "." + k); }
    else visit(String(v), path);
  };
  const dbs = await indexedDB.databases();
  for (const { name } of dbs) {
    const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    for (const storeName of db.objectStoreNames) {
      const tx = db.transaction(storeName);
      const st = tx.objectStore(storeName);
      const [ks, vs] = await Promise.all([
        new Promise((res) => { const r = st.getAllKeys(); r.onsuccess = () => res(r.result); }),
        new Promise((res) => { const r = st.getAll(); r.onsuccess = () => res(r.result); }),
      ]);
      ks.forEach((k, i) => { visit(k, `${name}/${storeName}[${i}]key`); visit(vs[i], `${name}/${storeName}[${i}]`); });
    }
    db.close();
  }
  const web = [];
  for (let i = 0; i < localStorage.length; i++) web.push(localStorage.key(i), localStorage.getItem(localStorage.key(i)));
  for (let i = 0; i < sessionStorage.length; i++) web.push(sessionStorage.key(i), sessionStorage.getItem(sessionStorage.key(i)));
  visit(web, "webstorage");
  // Cache Storage must hold only the app shell: every cached body is searched as well.
  for (const cacheName of await caches.keys()) {
    const cache = await caches.open(cacheName);
    for (const request of await cache.keys()) {
      const body = new Uint8Array(await (await cache.match(request)).arrayBuffer());
      visit(body, `cache:${cacheName}${new URL(request.url).pathname}`);
    }
  }
  return { found, keys, values, dbs: dbs.map((d) => d.name) };
}
"""

# Creates a vault and logs two incidents full of canaries (one with a 200 KB, 4-chunk
# attachment and a small one), then a second version of the first incident with another file.
CREATE_AND_LOG = """
async (canaries) => {
  const v = await import('/js/vault/index.js');
  const before = await v.state();
  const progress = [];
  const { secretKeyText } = await v.createVault("correct horse battery staple", { onProgress: (m) => progress.push(m.type) });
  const text = canaries.join(" ") + " " + "x".repeat(10000);
  const content = (title) => ({
    title: title + " " + canaries.join(" "), type: "device-search", when: "2026-11-27T06:30", where: text,
    location: { lat: 48.8584, lon: 2.2945, accuracy: 12.5, coarse: false }, officials: canaries[1],
    what: text, questions: canaries[2], impact: text, witnesses: "", help: canaries[0],
    consent: { contact: true, statistics: false, legal: true }, device: { unlocked: "yes", copied: "unknown" },
  });
  const big = new Uint8Array(200 * 1024);
  const pattern = new TextEncoder().encode(canaries.join("|"));
  for (let i = 0; i < big.length; i++) big[i] = pattern[i % pattern.length] ^ (i >> 16);
  const fileBig = new File([big], "photo " + canaries[1] + ".jpg", { type: "image/jpeg" });
  const fileSmall = new File([canaries.join("\\n")], "note.txt", { type: "text/plain" });
  const a = await v.saveIncident(content("first"), { files: [fileBig, fileSmall] });
  const b = await v.saveIncident(content("second"), {});
  const a2 = await v.saveIncident({ ...content("first, edited") }, { supersedes: a.rid, files: [new File([canaries[0].repeat(3)], "more.txt", { type: "text/plain" })] });
  await v.saveDraft({ title: "draft " + canaries.join(" "), what: text });
  const hex = async (blob) => {
    const d = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("");
  };
  return { before, after: await v.state(), secretKeyText, progress, a, b, a2,
           bigSha: await hex(fileBig), smallSha: await hex(fileSmall), list: await v.listIncidents() };
}
"""

READ_BACK = """
async ({ pass }) => {
  const v = await import('/js/vault/index.js');
  const locked = await v.state();
  let lockedErr = null;
  try { await v.listIncidents(); } catch (e) { lockedErr = e.code; }
  await v.unlock(pass);
  const list = await v.listIncidents();
  const first = list.find((i) => i.content.title.startsWith("first"));
  const detail = await v.getIncident(first.rid);
  const hex = async (blob) => {
    const d = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("");
  };
  const blobs = [];
  for (const att of detail.current.attachments) {
    const blob = await v.readAttachment(att.aid);
    blobs.push({ aid: att.aid, size: blob.size, type: blob.type, sha: await hex(blob) });
  }
  return { locked, lockedErr, state: await v.state(), list, detail, blobs, draft: await v.loadDraft(), integrity: await v.integrity(),
           policy: await v.unlockPolicy() };
}
"""


def _open(page: Page) -> None:
    page.goto("/")
    page.wait_for_function("() => document.readyState === 'complete'")


def test_vault_lifecycle_at_rest_and_backup(page: Page, security_figure) -> None:  # type: ignore[no-untyped-def]
    _open(page)
    created = page.evaluate(CREATE_AND_LOG, CANARIES)
    assert created["before"] == "none" and created["after"] == "unlocked"
    assert created["secretKeyText"].startswith("SP1-")
    assert "done" in created["progress"]
    a, b, a2 = created["a"], created["b"], created["a2"]
    assert a["version"] == 1 and a["supersedes"] is None
    assert a2["version"] == 2 and a2["supersedes"] == a["rid"]
    assert [x["name"] for x in a2["attachments"]][:2] == [x["name"] for x in a["attachments"]]
    assert len(a2["attachments"]) == 3
    big = a["attachments"][0]
    assert big["size"] == 200 * 1024 and big["sha256"] == created["bigSha"]
    assert a["attachments"][1]["sha256"] == created["smallSha"]
    assert a2["content"]["location"]["lat"] == 48.8584
    # The list shows the latest version of each incident, newest first.
    assert [i["rid"] for i in created["list"]] == [a2["rid"], b["rid"]]

    # Nothing readable at rest, every stored key non-extractable.
    dump = page.evaluate(DUMP, CANARIES)
    assert dump["found"] == []
    assert dump["keys"] and all(extractable is False for _, extractable, _ in dump["keys"])
    assert dump["values"] > 50
    security_figure("canary.device", f"{len(CANARIES)} canaries in {dump['values']} stored values, 0 found",
                    "canary dump of IndexedDB, Web Storage and Cache Storage; every stored key non-extractable")

    # Reload (memory gone): locked; unlock brings back everything identical.
    page.reload()
    page.wait_for_function("() => document.readyState === 'complete'")
    back = page.evaluate(READ_BACK, {"pass": "correct horse battery staple"})
    assert back["locked"] == "locked" and back["lockedErr"] == "locked" and back["state"] == "unlocked"
    assert back["list"] == created["list"]
    assert back["detail"]["current"] == a2
    assert back["detail"]["history"] == [a]
    assert [x["sha"] for x in back["blobs"]] == [x["sha256"] for x in a2["attachments"]]
    assert back["blobs"][0]["size"] == 200 * 1024 and back["blobs"][0]["type"] == "image/jpeg"
    assert back["draft"]["title"].startswith("draft " + CANARIES[0])
    assert back["policy"]["failures"] == 0
    assert back["integrity"] == {"damaged": 0, "chain": "ok"}

    # Backup -> wipe -> import on the "new" device restores it all.
    restored = page.evaluate(
        """async ({ pass, ask, canaries }) => {
            const v = await import('/js/vault/index.js');
            const blob = await v.exportBackup();
            const text = await blob.text();
            const leaks = canaries.filter((c) => text.includes(c));
            await v.wipe();
            const wiped = { state: await v.state(), dbs: (await indexedDB.databases()).map((d) => d.name),
                            caches: await caches.keys(), regs: (await navigator.serviceWorker.getRegistrations()).length };
            let wrong = null;
            try { await v.importBackup(blob, pass + "x", ask); } catch (e) { wrong = e.code; }
            let bad = null;
            try { await v.importBackup(new Blob(["{}"]), pass, ask); } catch (e) { bad = e.code; }
            await v.importBackup(blob, pass, ask);
            const list = await v.listIncidents();
            const att = list[0].attachments[0];
            const blobBack = await v.readAttachment(att.aid);
            const d = await crypto.subtle.digest("SHA-256", await blobBack.arrayBuffer());
            const sha = Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("");
            // The restored device continues with its own chain.
            const c = await v.saveIncident({ title: "after restore" }, {});
            return { leaks, size: blob.size, wiped, wrong, bad, state: await v.state(), list, sha, attSha: att.sha256,
                     c, history: (await v.getIncident(list[0].rid)).history.length, integrity: await v.integrity() };
        }""",
        {"pass": "correct horse battery staple", "ask": created["secretKeyText"], "canaries": CANARIES},
    )
    assert restored["leaks"] == [] and restored["size"] > 200 * 1024
    assert restored["wiped"] == {"state": "none", "dbs": [], "caches": [], "regs": 0}
    assert restored["wrong"] == "wrong-passphrase" and restored["bad"] == "invalid-backup"
    assert restored["state"] == "unlocked"
    assert restored["list"] == created["list"]
    assert restored["sha"] == restored["attSha"]
    assert restored["c"]["version"] == 1 and restored["history"] == 1
    assert restored["integrity"] == {"damaged": 0, "chain": "ok"}
    dump = page.evaluate(DUMP, CANARIES)
    assert dump["found"] == []
    assert all(extractable is False for _, extractable, _ in dump["keys"])


def test_wrong_passphrase_counts_and_wipes_after_n(page: Page, page_guard) -> None:  # type: ignore[no-untyped-def]
    _open(page)
    out = page.evaluate(
        """async () => {
            const v = await import('/js/vault/index.js');
            const events = [];
            v.onLock((reason) => events.push(reason));
            await v.createVault("a long enough passphrase");
            await v.setUnlockPolicy({ wipeAfter: 2, idleMinutes: 0.005 });
            // Idle auto-lock (0.3 s here); touch() keeps it open before that.
            await new Promise((r) => setTimeout(r, 150)); v.touch();
            await new Promise((r) => setTimeout(r, 200));
            const afterTouch = await v.state();
            await new Promise((r) => setTimeout(r, 400));
            const afterIdle = await v.state();
            const codes = [];
            try { await v.unlock("wrong one"); } catch (e) { codes.push(e.code); }
            const policy1 = await v.unlockPolicy();
            try { await v.unlock("wrong two"); } catch (e) { codes.push(e.code); }
            return { events, afterTouch, afterIdle, codes, policy1, state: await v.state(),
                     dbs: (await indexedDB.databases()).map((d) => d.name) };
        }"""
    )
    assert out["afterTouch"] == "unlocked" and out["afterIdle"] == "locked"
    assert out["codes"] == ["wrong-passphrase", "wiped"]
    assert out["policy1"]["failures"] == 1 and out["policy1"]["wipeAfter"] == 2
    assert out["events"] == ["idle", "wipe"]
    assert out["state"] == "none" and out["dbs"] == []


def test_counter_resets_on_success_and_lock_drops_keys(page: Page) -> None:
    _open(page)
    out = page.evaluate(
        """async () => {
            const v = await import('/js/vault/index.js');
            await v.createVault("another fine passphrase");
            const saved = await v.saveIncident({ title: "t" }, {});
            const tampered = await v.saveIncident({ title: "will be damaged" }, {});
            v.lock();
            const codes = [];
            for (const f of [() => v.listIncidents(), () => v.saveIncident({ title: "x" }), () => v.loadDraft()]) {
              try { await f(); codes.push("ok"); } catch (e) { codes.push(e.code); }
            }
            try { await v.unlock("nope"); } catch (e) { codes.push(e.code); }
            const failures = (await v.unlockPolicy()).failures;
            // Storage damage while locked: an orphan chunk (a save killed after its chunks) and
            // a tampered record. Unlock still works, drops the orphan and reports the damage.
            const raw = await new Promise((res) => { const r = indexedDB.open("safe-passage"); r.onsuccess = () => res(r.result); });
            const put = (storeName, value) => new Promise((res, rej) => {
              const tx = raw.transaction(storeName, "readwrite"); tx.objectStore(storeName).put(value);
              tx.oncomplete = res; tx.onerror = () => rej(tx.error);
            });
            await put("chunks", { aid: "orphan", i: 0, ct: new Uint8Array(80) });
            const rows = await new Promise((res) => { const r = raw.transaction("records").objectStore("records").getAll(); r.onsuccess = () => res(r.result); });
            const victim = rows.find((r) => r.rid === tampered.rid);
            victim.envelope.body = victim.envelope.body.slice(0, -4) + (victim.envelope.body.endsWith("AAAA") ? "BBBB" : "AAAA");
            await put("records", victim);
            raw.close();
            await v.unlock("another fine passphrase");
            await new Promise((res) => setTimeout(res, 300)); // the orphan sweep runs after unlock
            const raw2 = await new Promise((res) => { const r = indexedDB.open("safe-passage"); r.onsuccess = () => res(r.result); });
            const chunkKeys = await new Promise((res) => { const r = raw2.transaction("chunks").objectStore("chunks").getAllKeys(); r.onsuccess = () => res(r.result); });
            raw2.close();
            const integrity = await v.integrity();
            let again = null;
            try { await v.createVault("x y z w v"); } catch (e) { again = e.code; }
            return { codes, failures, after: (await v.unlockPolicy()).failures, list: await v.listIncidents(), saved, again,
                     integrity, orphans: chunkKeys.filter((k) => k[0] === "orphan").length };
        }"""
    )
    assert out["codes"] == ["locked", "locked", "locked", "wrong-passphrase"]
    assert out["failures"] == 1 and out["after"] == 0
    assert out["list"] == [out["saved"]]
    assert out["again"] == "unsupported"
    assert out["integrity"] == {"damaged": 1, "chain": "broken"}
    assert out["orphans"] == 0
    page.evaluate("async () => (await import('/js/vault/index.js')).wipe()")


def test_killed_page_leaves_records_whole_and_drafts(page: Page, context) -> None:  # type: ignore[no-untyped-def]
    # Given a vault with one saved incident and a draft being typed
    _open(page)
    page.evaluate(
        """async () => {
            const v = await import('/js/vault/index.js');
            await v.createVault("a long enough passphrase");
            await v.saveIncident({ title: "kept" }, {});
            await v.saveDraft({ title: "typed before the crash" });
            const big = new Uint8Array(24 * 1024 * 1024).fill(7);
            window.__saving = v.saveIncident({ title: "interrupted" }, { files: [new File([big], "v.mp4")] });
            window.__saving.catch(() => {});
        }"""
    )
    # When the page dies in the middle of saving the second one
    page.wait_for_timeout(150)
    page.close(run_before_unload=False)

    # Then after reopening, each record is wholly there or wholly absent, and the draft survived
    again = context.new_page()
    again.goto("/")
    out = again.evaluate(
        """async () => {
            const v = await import('/js/vault/index.js');
            await v.unlock("a long enough passphrase");
            const list = await v.listIncidents();
            const sizes = [];
            for (const inc of list) for (const a of inc.attachments) sizes.push((await v.readAttachment(a.aid)).size);
            return { titles: list.map((i) => i.content.title).sort(), sizes, draft: await v.loadDraft(),
                     integrity: await v.integrity() };
        }"""
    )
    assert out["titles"] in (["kept"], ["interrupted", "kept"])
    assert out["sizes"] == ([] if out["titles"] == ["kept"] else [24 * 1024 * 1024])
    assert out["draft"] == {"title": "typed before the crash"}
    assert out["integrity"] == {"damaged": 0, "chain": "ok"}
    again.evaluate("async () => (await import('/js/vault/index.js')).wipe()")
    again.close()

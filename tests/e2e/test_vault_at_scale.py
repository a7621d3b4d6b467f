"""The vault at the scale a delegate really reaches: a hundred incidents logged with no network,
ten reloads, lock and unlock — nothing lost, nothing fetched; and a 64 MiB video stored with
bounded memory and read back identical."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.pages.vault_pages import Vault
from tests.e2e.test_delegate_vault import PASSPHRASE, PNG

COUNT = 100

# Logs incidents through the vault service the screens use (the UI path is covered by
# test_delegate_vault; a hundred form fills would only slow the suite). Every 10th carries an
# attachment. Returns {title: sha256 of its attachment or null}.
LOG_MANY = """async ([first, count]) => {
  const vault = await import('/js/vault/index.js');
  const { createSHA256 } = await import('/vendor/sha256.js');
  const expected = {};
  for (let i = first; i < first + count; i++) {
    const title = `Incident ${String(i).padStart(3, '0')} — تفتيش 🛂`;
    const files = [];
    let sha = null;
    if (i % 10 === 0) {
      const bytes = new Uint8Array(70000 + i);            // two chunks, different each time
      for (let j = 0; j < bytes.length; j++) bytes[j] = (i * 31 + j * 7) & 0xff;
      const h = await createSHA256(); h.init(); h.update(bytes); sha = h.digest('hex');
      files.push(new File([bytes], `evidence-${i}.bin`, { type: 'application/octet-stream' }));
    }
    await vault.saveIncident({
      title, type: 'screening', when: '2026-05-04T10:00', where: 'JFK Terminal 4',
      location: null, officials: 'CBP', what: `What happened in incident ${i}.`, questions: '',
      impact: '', witnesses: '', help: '', consent: { contact: false, statistics: true, legal: false },
    }, { files });
    expected[title] = sha;
  }
  return expected;
}"""

CHECK_ALL = """async (expected) => {
  const vault = await import('/js/vault/index.js');
  const { createSHA256 } = await import('/vendor/sha256.js');
  const problems = [];
  const incidents = await vault.listIncidents();
  const byTitle = new Map(incidents.map((i) => [i.content.title, i]));
  for (const [title, sha] of Object.entries(expected)) {
    const incident = byTitle.get(title);
    if (!incident) { problems.push(`missing: ${title}`); continue; }
    if (sha === null) continue;
    const att = incident.attachments[0];
    const bytes = new Uint8Array(await (await vault.readAttachment(att.aid)).arrayBuffer());
    const h = await createSHA256(); h.init(); h.update(bytes);
    if (h.digest('hex') !== sha || att.sha256 !== sha) problems.push(`changed: ${title}`);
  }
  return { count: incidents.length, problems, integrity: await vault.integrity() };
}"""


def test_hundred_incidents_offline_survive_ten_reloads(page, page_guard) -> None:  # type: ignore[no-untyped-def]
    vault = Vault(page)
    vault.open()
    vault.wait_until_installed_for_offline_use()

    # Given the network is gone from right after the first load
    page.context.set_offline(True)
    reached_network: list[str] = []
    page.on("response", lambda r: None if r.from_service_worker or r.url.startswith(("blob:", "data:"))
            else reached_network.append(r.url))
    page.on("requestfailed", lambda r: reached_network.append(f"failed {r.url}"))

    # When the delegate creates a vault and logs a hundred incidents, one through the form
    vault.delegate_creates_vault(PASSPHRASE)
    vault.delegate_logs_incident("Held in secondary screening", "Secondary screening or questioning",
                                 "Three hours, no explanation.",
                                 files=[{"name": "slip.png", "mimeType": "image/png", "buffer": PNG}])
    expected = page.evaluate(LOG_MANY, [1, COUNT - 1])
    expected["Held in secondary screening"] = None

    # And reloads the app ten times, unlocking each time
    for _ in range(10):
        vault.reload()
        vault.unlock(PASSPHRASE)
        expect(vault.incidents.get_by_role("listitem")).to_have_count(COUNT)

    # Then after a lock and an unlock every incident and every attachment is intact
    vault.lock()
    vault.unlock(PASSPHRASE)
    result = page.evaluate(CHECK_ALL, expected)
    assert result["count"] == COUNT
    assert result["problems"] == []
    assert result["integrity"]["damaged"] == 0
    assert result["integrity"]["chain"] != "broken"

    # And not one request reached the network while all this happened offline
    assert reached_network == []
    page.context.set_offline(False)


SAVE_BIG = """async () => {
  const vault = await import('/js/vault/index.js');
  const { createSHA256 } = await import('/vendor/sha256.js');
  await vault.createVault(%r);
  // 64 MiB built from 64 KiB random pieces: the Blob lives in the browser's blob store, not in
  // the JS heap, as a camera file picked from the phone would.
  const parts = [];
  const h = await createSHA256(); h.init();
  for (let i = 0; i < 1024; i++) {
    const piece = crypto.getRandomValues(new Uint8Array(65536));
    h.update(piece); parts.push(piece);
  }
  window.__bigSha = h.digest('hex');
  const file = new File(parts, 'video.mp4', { type: 'video/mp4' });
  parts.length = 0;
  window.__bigDone = false;
  window.__bigSave = vault.saveIncident({
      title: 'Long video', type: 'detention', when: '2026-05-04T10:00', where: '', location: null,
      officials: '', what: '', questions: '', impact: '', witnesses: '', help: '',
      consent: { contact: false, statistics: false, legal: false } }, { files: [file] })
    .then((incident) => { window.__bigIncident = incident; window.__bigDone = true; });
  return window.__bigSha;
}""" % PASSPHRASE

READ_BIG = """async () => {
  const vault = await import('/js/vault/index.js');
  const { createSHA256 } = await import('/vendor/sha256.js');
  const att = window.__bigIncident.attachments[0];
  const blob = await vault.readAttachment(att.aid);
  const h = await createSHA256(); h.init();
  for (let at = 0; at < blob.size; at += 1 << 20) {
    h.update(new Uint8Array(await blob.slice(at, at + (1 << 20)).arrayBuffer()));
  }
  return { size: blob.size, sha: h.digest('hex'), recorded: att.sha256 };
}"""


def test_64_mib_attachment_is_stored_with_bounded_memory_and_read_back_identical(page) -> None:  # type: ignore[no-untyped-def]
    Vault(page).open()
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    baseline = cdp.send("Runtime.getHeapUsage")["usedSize"]

    sha = page.evaluate(SAVE_BIG)
    peak = baseline
    deadline = time.monotonic() + 120
    while not page.evaluate("() => window.__bigDone") and time.monotonic() < deadline:
        peak = max(peak, cdp.send("Runtime.getHeapUsage")["usedSize"])
        page.wait_for_timeout(20)
    assert page.evaluate("() => window.__bigDone"), "saving 64 MiB did not finish"

    # The JS heap grew by a small fraction of the file: it was streamed, never held whole.
    growth_mib = (peak - baseline) / 2**20
    assert growth_mib < 16, f"JS heap grew by {growth_mib:.1f} MiB while saving 64 MiB"

    result = page.evaluate(READ_BIG)
    assert result["size"] == 64 * 2**20
    assert result["sha"] == sha == result["recorded"]

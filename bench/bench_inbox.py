"""A focal point triaging two hundred reports (issue 6 figures). Run: .venv/bin/python bench/bench_inbox.py

The real app on gunicorn (SQLite, pooled) and the PWA in Debian's headless Chromium. Twenty
delegates (the Python sync client, which writes what the app writes) each share ten incidents
with a 96 KiB photo and a signed share message with one focal point, who is signed in in the
browser. Timed in the page:

a. "Sync now" that receives the 200 reports, their 200 share messages and 200 photos — every
   item verified (bundles, record and share signatures, key commitment, receipt, chain and
   message numbering), sealed into IndexedDB, photos checked against the signed hash —
   ÷ the same bytes fetched raw by the same page (the inbox pages and the 200 attachments,
   nothing checked, nothing stored), measured in the same run.
b. The inbox list (`sharing.inbox()`, all 200 with their checks) and one report
   (`sharing.report(rid)`), the calls the Inbox screen makes.

Medians of several runs; no assertions. The numbers go to docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "crypto")]

from playwright.sync_api import sync_playwright  # noqa: E402
from spcrypto import b64u_encode, format_ask  # noqa: E402

from tests.support.bench import Invites, database  # noqa: E402
from tests.support.serve import ServerProcess  # noqa: E402
from tests.support.sync_client import new_account  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DELEGATES, PER_DELEGATE, PHOTO = 20, 10, 96 * 1024

SIGN_IN = """async ({ username, passphrase, secretKey }) => {
  const a = await import('/js/sync/index.js');
  window.sharing = await import('/js/sharing/index.js');
  window.account = a;
  await a.signIn({ username, passphrase, secretKey });
}"""

SYNC = """async () => {
  const t0 = performance.now();
  const result = await account.syncNow();
  return { ms: performance.now() - t0, inbox: result.received.inbox, attachments: result.received.attachments };
}"""

# The baseline: the same requests, answers read to the last byte, nothing checked or stored.
RAW = """async () => {
  const t0 = performance.now();
  const get = (path) => fetch(path, { credentials: 'same-origin' });
  let after = 0, items = [], more = true;
  while (more) {
    const page = await (await get(`/api/inbox?after=${after}&limit=200`)).json();
    items = items.concat(page.items); after = page.next; more = page.more;
  }
  let bytes = 0;
  for (const item of items) {
    const hdr = JSON.parse(item.envelope.hdr);
    for (const att of hdr.att) bytes += (await (await get(`/api/attachments/${att.aid}`)).arrayBuffer()).byteLength;
  }
  return { ms: performance.now() - t0, items: items.length, bytes };
}"""

LIST = """async () => {
  const t0 = performance.now();
  const list = await sharing.inbox({});
  const t1 = performance.now();
  const one = await sharing.report(list[list.length - 1].rid);
  return { list: t1 - t0, report: performance.now() - t1, n: list.length, verified: list.filter((r) => r.verified).length, checks: one.verification };
}"""


def median(values: list[float]) -> float:
    return statistics.median(values)


def share_reports(app_url: str, invites: Invites, focal_name: str, run: int) -> None:
    for d in range(DELEGATES):
        (delegate,) = new_account(app_url, invites("delegate"), role="delegate")
        focal = next(c.bundle for c in delegate.directory() if c.card and c.card.name == focal_name)
        me = b64u_encode(delegate.bundle.kid)
        for k in range(PER_DELEGATE):
            content = {"title": f"Run {run} delegate {d} report {k}", "type": "screening",
                       "what": "Questioned for two hours about the forum. " * 8,
                       "where": "Terminal 4", "consent": {"statistics": True}}
            rid = delegate.create_record({"kind": "sp.incident", "ver": 1, "c": json.dumps(content)},
                                         attachments=[("photo.jpg", "image/jpeg", os.urandom(PHOTO))],
                                         to=[focal])
            delegate.send_message("sp.share", [focal], items=[{
                "rid": b64u_encode(rid), "entry": b64u_encode(delegate.records[rid].entry_hash),
                "author": me}], consent={"contact": True, "statistics": True, "legal": False})
        delegate.sync()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"== inbox benchmark: {DELEGATES} delegates × {PER_DELEGATE} reports with a "
          f"{PHOTO // 1024} KiB photo each, SQLite, gunicorn, headless Chromium", flush=True)
    syncs, raws, lists, reports = [], [], [], []
    with database("sqlite") as url, tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp, \
            ServerProcess(url, stack="gunicorn", workers=1, threads=4, config={"DATABASE_POOLING": True},
                          log_path=Path(tmp) / "app.log") as app, sync_playwright() as pw:
        invites = Invites(url)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(args.runs):
            name = f"Bench Focal {run}"
            (focal,) = new_account(app.url, invites("focal-point"), role="focal-point")
            focal.put_card(name)
            context = browser.new_context(base_url=app.url)
            page = context.new_page()
            page.goto("/")
            page.wait_for_function("() => document.body.dataset.ready === 'true'")
            page.evaluate(SIGN_IN, {"username": focal.creds.username, "passphrase": focal.creds.passphrase,
                                    "secretKey": format_ask(focal.creds.ask)})
            share_reports(app.url, invites, name, run)
            raw = page.evaluate(RAW)
            synced = page.evaluate(SYNC)
            listed = page.evaluate(LIST)
            assert raw["items"] == 2 * DELEGATES * PER_DELEGATE, raw
            assert listed["n"] == DELEGATES * PER_DELEGATE and listed["verified"] == listed["n"], listed
            syncs.append(synced["ms"])
            raws.append(raw["ms"])
            lists.append(listed["list"])
            reports.append(listed["report"])
            print(f"  run {run + 1}: sync {synced['ms']:.0f} ms (inbox {synced['inbox']}), raw fetch "
                  f"{raw['ms']:.0f} ms ({raw['bytes'] / 2**20:.1f} MiB), inbox() {listed['list']:.0f} ms, "
                  f"report() {listed['report']:.0f} ms", flush=True)
            context.close()
        browser.close()
        invites.close()
    print(f"a. Sync now receiving 200 reports + 200 messages + 200 photos: median {median(syncs):.0f} ms; "
          f"raw fetch of the same: {median(raws):.0f} ms; ratio {median(syncs) / median(raws):.2f}×")
    print(f"b. inbox() over 200 reports: median {median(lists):.0f} ms; report(): {median(reports):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""First visit on a cheap phone (issue 9). Run: .venv/bin/python bench/bench_shell.py [--runs N] [--all]

A first visit to the app in Debian's Chromium, driven through Playwright and the DevTools
protocol, on emulated slow 3G (Network.emulateNetworkConditions: 2,000 ms latency, 50,000 B/s
down and up) with the CPU slowed 4× (Emulation.setCPUThrottlingRate), from the navigation until
the service worker is active and controls the page with the core cached ("installed for offline
use"). The throttling is set on the page and, through Target.setAutoAttach (the worker waits for
the debugger before it runs), on the service worker itself, so the worker's precache crosses the
same slow network.

Bytes counted two ways: the sum of Network.loadingFinished encodedDataLength (headers and body as
received) over the page's target and every target attached to it (the service worker's precache
and background fill); and the response bytes the server wrote (status line excluded), which also
catch what no target reports (the browser fetching the worker's own scripts). Times: to the first
screen (body[data-ready]), to "installed for offline use", and to the end of the background fill
of the deferred files.

Configurations, each in a fresh browser context and measured in the same run:

- baseline: the shell as before issue 9 — every file precached at install (a copy of pwa/ whose
  pwa/sw/deferred.js defers nothing, signed with the development key) and no compression (the
  bench server rewrites Accept-Encoding to identity);
- issue 9: the shell as shipped — the core precached, the rest filled in the background, gzip.

``--all`` adds the two halves (gzip with everything precached; deferred without gzip). Medians of
``--runs`` (default 1: one baseline visit takes minutes). No assertions: the figures go to
docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "crypto")]
sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from server import create_app  # noqa: E402
from server.config import TestingConfig  # noqa: E402
from server.serving import AnonymousRequestHandler  # noqa: E402
from tests.support.bench import database, median  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
TIMEOUT_MS = 900_000


# -- the server -----------------------------------------------------------------------------------

class Counting:
    """WSGI middleware: counts the response bytes the app writes (headers as name: value lines,
    and the body) and, with ``identity``, makes every request refuse compression."""

    def __init__(self, app: Any, identity: bool) -> None:
        self.app = app
        self.identity = identity
        self.bytes = 0
        self.requests = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.bytes = self.requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.identity:
            environ["HTTP_ACCEPT_ENCODING"] = "identity"

        def counted_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            with self._lock:
                self.requests += 1
                self.bytes += sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, counted_start):
            with self._lock:
                self.bytes += len(chunk)
            yield chunk


class Server:
    def __init__(self, database_url: str, pwa_dir: Path, identity: bool) -> None:
        self.counting = Counting(create_app(TestingConfig(database_url, PWA_DIR=pwa_dir)), identity)
        self._server = make_server("127.0.0.1", 0, self.counting, threaded=True,
                                   request_handler=AnonymousRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()


def shell_copy(tmp: Path, eager: bool) -> Path:
    """A copy of pwa/, signed; with ``eager`` its worker defers nothing (the shell before issue 9)."""
    pwa = tmp / ("pwa-eager" if eager else "pwa-deferred")
    shutil.copytree(ROOT / "pwa", pwa)
    if eager:
        deferred_js = pwa / "sw" / "deferred.js"
        text = deferred_js.read_text(encoding="utf-8")
        emptied = re.sub(r"export const DEFERRED = \[.*?\];", "export const DEFERRED = [];", text, flags=re.S)
        assert emptied != text, "pwa/sw/deferred.js: no DEFERRED list to empty"
        deferred_js.write_text(emptied, encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_release.py"), str(pwa),
                    str(ROOT / "crypto" / "js")], check=True, stdout=subprocess.DEVNULL)
    return pwa


# -- the browser ----------------------------------------------------------------------------------

@dataclass
class Visit:
    ready_s: float = 0.0  # first screen shown
    installed_s: float = 0.0  # the worker controls the page, the core cached
    filled_s: float = 0.0  # the deferred files cached too
    page_bytes: int = 0  # encodedDataLength, page target
    worker_bytes: int = 0  # encodedDataLength, attached targets (the service worker)
    server_bytes: int = 0  # what the server wrote until "installed"
    server_requests: int = 0
    fill_server_bytes: int = 0  # what the server wrote during the background fill
    cached: int = 0
    targets: list[str] = field(default_factory=list)


class Throttled:
    """A page whose every request crosses slow 3G: the page's own target, and each target that
    attaches to it (the service worker, paused until it is throttled too)."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.page_bytes = 0
        self.worker_bytes = 0
        self.targets: list[str] = []
        self._ids = iter(range(1_000_000, 2_000_000))
        self.cdp.on("Network.loadingFinished", self._page_finished)
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.receivedMessageFromTarget", self._from_target)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        # flatten: False, so that the child targets are reached through this one session.
        self.cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                               "flatten": False})

    def _page_finished(self, params: dict[str, Any]) -> None:
        self.page_bytes += int(params["encodedDataLength"])

    def _to_target(self, session: str, method: str, params: dict[str, Any] | None = None) -> None:
        message = json.dumps({"id": next(self._ids), "method": method, "params": params or {}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def _attached(self, params: dict[str, Any]) -> None:
        info, session = params["targetInfo"], params["sessionId"]
        self.targets.append(info["type"])
        self._to_target(session, "Network.enable")
        self._to_target(session, "Network.emulateNetworkConditions", SLOW_3G)
        self._to_target(session, "Runtime.runIfWaitingForDebugger")

    def _from_target(self, params: dict[str, Any]) -> None:
        message = json.loads(params["message"])
        if message.get("method") == "Network.loadingFinished":
            self.worker_bytes += int(message["params"]["encodedDataLength"])


INSTALLED = """async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    const worker = registration && registration.active;
    if (!navigator.serviceWorker.controller || !worker || worker.state !== "activated") return false;
    const name = (await caches.keys()).find((n) => n.startsWith("sp-shell-"));
    return Boolean(name && await (await caches.open(name)).match("/__sp/release"));
}"""

CACHED = """async () => {
    const name = (await caches.keys()).find((n) => n.startsWith("sp-shell-"));
    return name ? (await (await caches.open(name)).keys()).length : 0;
}"""

FILL = """async () => {
    const registration = await navigator.serviceWorker.ready;
    const channel = new MessageChannel();
    const answer = new Promise((done) => { channel.port1.onmessage = (e) => done(e.data); });
    registration.active.postMessage({ type: "FILL_DEFERRED" }, [channel.port2]);
    return answer;
}"""


def first_visit(browser: Any, server: Server, deferred: bool) -> Visit:
    context = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        phone = Throttled(context)
        page = phone.page
        server.counting.reset()
        t0 = time.monotonic()
        page.goto("/", wait_until="commit")
        page.locator("body[data-ready=true]").wait_for(state="attached")
        visit = Visit(ready_s=time.monotonic() - t0)
        while not page.evaluate(INSTALLED):  # wait_for_function does not await an async predicate
            time.sleep(0.25)
        visit.installed_s = time.monotonic() - t0
        visit.page_bytes, visit.worker_bytes = phone.page_bytes, phone.worker_bytes
        visit.server_bytes, visit.server_requests = server.counting.bytes, server.counting.requests
        if deferred:
            result = page.evaluate(FILL)
            if result["missing"] or result["refused"]:
                raise SystemExit(f"the background fill did not complete: {result}")
        visit.filled_s = time.monotonic() - t0
        visit.fill_server_bytes = server.counting.bytes - visit.server_bytes
        visit.cached = page.evaluate(CACHED)
        visit.targets = phone.targets
        return visit
    finally:
        context.close()


# -- the report -----------------------------------------------------------------------------------

CONFIGS = {
    "baseline": ("everything precached, identity (before issue 9)", True, True),
    "issue9": ("core precached + background fill, gzip (issue 9)", False, False),
    "gzip-only": ("everything precached, gzip", True, False),
    "defer-only": ("core precached + background fill, identity", False, True),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--all", action="store_true", help="also the two halves of the change")
    args = parser.parse_args()
    names = list(CONFIGS) if args.all else ["baseline", "issue9"]
    print(f"first visit, slow 3G ({SLOW_3G['latency']} ms, {SLOW_3G['downloadThroughput']:,} B/s "
          f"down/up), CPU ÷{CPU_SLOWDOWN}, median of {args.runs}")
    results: dict[str, list[Visit]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="sp-bench-shell-") as tmp_name, database("sqlite") as url:
        tmp = Path(tmp_name)
        shells = {True: shell_copy(tmp, eager=True), False: shell_copy(tmp, eager=False)}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for run in range(args.runs):
                    for name in names:
                        _, eager, identity = CONFIGS[name]
                        server = Server(url, shells[eager], identity)
                        try:
                            visit = first_visit(browser, server, deferred=not eager)
                        finally:
                            server.stop()
                        results[name].append(visit)
                        print(f"  run {run + 1} {name:<10} ready {visit.ready_s:6.1f} s, installed "
                              f"{visit.installed_s:6.1f} s, filled {visit.filled_s:6.1f} s; "
                              f"{(visit.page_bytes + visit.worker_bytes) / 1000:7.1f} kB by CDP "
                              f"({visit.page_bytes / 1000:.1f} page + {visit.worker_bytes / 1000:.1f} "
                              f"{'/'.join(sorted(set(visit.targets))) or 'no target'}), "
                              f"{visit.server_bytes / 1000:7.1f} kB / {visit.server_requests} requests "
                              f"by the server; {visit.cached} cached")
            finally:
                browser.close()

    def med(name: str, attr: str) -> float:
        return median([getattr(v, attr) if attr != "cdp" else v.page_bytes + v.worker_bytes
                       for v in results[name]])

    print()
    print(f"  {'configuration':<52}{'ready':>8}{'installed':>11}{'filled':>9}{'kB (CDP)':>10}"
          f"{'kB (server)':>12}{'fill kB':>9}")
    for name in names:
        print(f"  {CONFIGS[name][0]:<52}{med(name, 'ready_s'):7.1f}s{med(name, 'installed_s'):10.1f}s"
              f"{med(name, 'filled_s'):8.1f}s{med(name, 'cdp') / 1000:10.1f}"
              f"{med(name, 'server_bytes') / 1000:12.1f}{med(name, 'fill_server_bytes') / 1000:9.1f}")
    base, new = "baseline", "issue9"
    print(f"  => bytes until installed (CDP): issue 9 ÷ baseline = {med(new, 'cdp') / med(base, 'cdp'):.2f}x; "
          f"(server) {med(new, 'server_bytes') / med(base, 'server_bytes'):.2f}x")
    print(f"  => time until installed: issue 9 ÷ baseline = "
          f"{med(new, 'installed_s') / med(base, 'installed_s'):.2f}x; first screen "
          f"{med(new, 'ready_s') / med(base, 'ready_s'):.2f}x; until everything is cached "
          f"{med(new, 'filled_s') / med(base, 'filled_s'):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

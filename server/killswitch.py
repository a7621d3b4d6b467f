"""The operator's kill switch (docs/RELEASES.md "Kill switch"): stop every phone from running
the app shell it has cached, without touching what is stored on the phones.

While ``KILL_SWITCH_FILE`` (default ``instance/KILL_SWITCH``) exists, server/shell.py answers
``/service-worker.js`` with a *retiring worker* (pwa/retiring-worker.js: it deletes every Cache
Storage cache, unregisters itself and reloads open pages) and every other shell request with
``Clear-Site-Data: "cache"`` and a static, script-free "Safe Passage is paused" page
(pwa/paused.html). The API keeps working, so a fixed release can still sync.

It never sends ``"storage"``: that would also erase IndexedDB, where delegates' vaults hold
evidence that may not be synced yet. Tests never read the instance file: under TESTING the
switch exists only when a test passes ``KILL_SWITCH_FILE``.
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

from .config import INSTANCE

CLEAR_SITE_DATA = '"cache"'
RETIRING_WORKER = "retiring-worker.js"
PAUSED_PAGE = "paused.html"


def switch_file(config: Mapping[str, object]) -> Path | None:
    """Where the switch lives for this app's configuration (None: tests that did not ask)."""
    configured = config.get("KILL_SWITCH_FILE")
    if configured:
        return Path(str(configured))
    return None if config.get("TESTING") else INSTANCE / "KILL_SWITCH"


def is_on(path: Path | None) -> bool:
    return path is not None and path.exists()


def turn_on(path: Path) -> None:
    """Switch on; the file records when (UTC), for `status`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    path.write_text(f"on since {now}\n", encoding="utf-8")


def turn_off(path: Path) -> None:
    path.unlink(missing_ok=True)


def describe(path: Path) -> str:
    if not path.exists():
        return "off"
    return path.read_text(encoding="utf-8").strip() or "on"

"""Fixtures for the sharing service tests (pwa/js/sharing/ in Chromium, against the live server):
the same invites and "phones" as the sync service tests — each phone a browser context of its
own (own IndexedDB, own cookies), watched by the PageGuard — reused from there."""
from __future__ import annotations

from tests.sync_client_js.conftest import make_invite, new_device

__all__ = ["make_invite", "new_device"]

"""The server's one source of time, and how coarse each stored time is.

Every stored time is rounded down (or, for expiries, up) to the coarsest unit its feature
needs (docs/sync-api.md "Conventions"): a seized database then says little about when a
delegate was online. Services call ``clock.now()`` through this module so tests can move time
with ``monkeypatch.setattr(clock, "now", ...)`` instead of sleeping.
"""
from __future__ import annotations

import time
from datetime import UTC, date, datetime

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS


def now() -> float:
    """Seconds since the Unix epoch (tests replace this)."""
    return time.time()


def now_ms() -> int:
    return int(now() * 1000)


def minute_ms() -> int:
    """Now, floored to the minute, in Unix ms: receipts, receive times, session activity."""
    ms = now_ms()
    return ms - ms % MINUTE_MS


def hour_ceil_ms(ms: int) -> int:
    """``ms`` rounded up to the next whole hour: invite expiry (never earlier than promised)."""
    return -(-ms // HOUR_MS) * HOUR_MS


def today() -> date:
    """The UTC day: device enrolment and last sync."""
    return datetime.fromtimestamp(now(), UTC).date()

"""Helpers shared by the sync benchmarks (bench/bench_sync*.py): a database to run against,
invites, a PostgreSQL re-exec, percentiles and an RSS sampler."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "SAFEPASSAGE_TEST_DATABASE_URL"  # set by tools/pg-throwaway.sh


def pg_available() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def reexec_under_pg(extra_args: list[str]) -> int:
    """Run this script again inside tools/pg-throwaway.sh (a throwaway PostgreSQL cluster)."""
    import subprocess

    cmd = [str(ROOT / "tools" / "pg-throwaway.sh"), sys.executable, sys.argv[0], *extra_args]
    return subprocess.call(cmd, cwd=ROOT)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A migrated, empty database: ``sqlite`` in a temp folder, or ``pg`` from the environment."""
    from sqlalchemy import delete

    from server.db import downgrade, make_engine, upgrade
    from server.models import Base

    if kind == "pg":
        url = os.environ[PG_ENV]
        downgrade(url, "base")
        upgrade(url)
        engine = make_engine(url, pooled=False)
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))
        engine.dispose()
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="sp-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        yield url


class Invites:
    """Creates invites on ``url`` as the operator's command would (an app context)."""

    def __init__(self, url: str) -> None:
        from server import create_app
        from server.config import TestingConfig

        self.app = create_app(TestingConfig(url))

    def __call__(self, role: str = "delegate") -> str:
        from server.services.invites import create_invite

        with self.app.app_context():
            return create_invite(role)

    def close(self) -> None:
        from server.db import db

        with self.app.app_context():
            db.engine.dispose()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


class RssSampler:
    """Samples VmRSS of some processes every ``interval`` seconds in a thread; ``peak_kib``."""

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.01) -> None:
        from .serve import rss_kib

        self._rss = rss_kib
        self._pids = pids
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current_kib(self) -> int:
        total = 0
        for pid in self._pids():
            try:
                total += self._rss(pid)
            except (FileNotFoundError, ProcessLookupError, RuntimeError):
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, self.current_kib())
            self.samples += 1
            time.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

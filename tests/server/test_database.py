"""The database under test is the one we think it is, tuned the way the design says."""
from __future__ import annotations

from sqlalchemy import text

from server.db import db


def test_backend_settings(app, database_url) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), db.engine.connect() as conn:
        if database_url.startswith("sqlite"):
            # WAL for concurrent readers during sync, FULL for durable commits.
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:
            assert database_url.startswith("postgresql+psycopg://")
            assert "PostgreSQL" in conn.execute(text("SELECT version()")).scalar()

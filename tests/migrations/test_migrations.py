"""Alembic is the only owner of the schema: head matches the models, and every revision
upgrades and downgrades cleanly — on SQLite and on PostgreSQL (tools/run-tests.sh runs both)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from server.db import alembic_config, downgrade, make_engine, upgrade
from server.models import Base


def test_head_matches_the_models(database_url) -> None:  # type: ignore[no-untyped-def]
    upgrade(database_url)
    engine = make_engine(database_url, pooled=False)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; add a revision: {diff}"


def test_every_revision_upgrades_and_downgrades(database_url) -> None:  # type: ignore[no-untyped-def]
    script = ScriptDirectory.from_config(alembic_config(database_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations found"
    try:
        downgrade(database_url, "base")
        assert _tables(database_url) <= {"alembic_version"}
        for revision in revisions:  # step up one revision at a time, then all the way down
            upgrade(database_url, revision)
        assert set(Base.metadata.tables) <= _tables(database_url)
        downgrade(database_url, "base")
        assert _tables(database_url) <= {"alembic_version"}
    finally:
        upgrade(database_url)


def _tables(url: str) -> set[str]:
    engine = make_engine(url, pooled=False)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names

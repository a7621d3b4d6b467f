"""The database: one engine and session factory per app, bound with ``init_app``.

Services take a ``Session`` from ``db.session()``; routes never run SQL themselves. The schema is
owned by Alembic (``migrations/``): nothing here calls ``create_all``.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers proceed during a sync write; synchronous=FULL makes a commit durable
    # across power loss, which an evidence store needs more than speed. foreign_keys is off by
    # default in SQLite.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str, pooled: bool = True) -> Engine:
    """An engine for ``url``. Tests turn pooling off so no connection outlives its use."""
    pool = {} if pooled else {"poolclass": NullPool}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=pooled, **pool)


class Database:
    def init_app(self, app: Flask) -> None:
        url = app.config["SQLALCHEMY_DATABASE_URL"]
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url, pooled=app.config["DATABASE_POOLING"])
        app.extensions["db"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db"][0]

    def session(self) -> Session:
        """The request's session, opened on first use and closed at teardown."""
        if "db_session" not in g:
            g.db_session = current_app.extensions["db"][1]()
        return g.db_session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any exception."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)

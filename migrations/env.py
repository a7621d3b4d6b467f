"""Alembic environment: the URL comes from the caller (server.db.alembic_config)."""
from __future__ import annotations

from alembic import context
from server.db import make_engine
from server.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url, pooled=False)  # migrations hold no pooled connections
    with engine.connect() as connection:
        # render_as_batch: SQLite cannot ALTER most things; batch mode recreates tables there.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Operator commands: ``flask --app server db upgrade`` and friends."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    database.upgrade(current_app.config["SQLALCHEMY_DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    database.downgrade(current_app.config["SQLALCHEMY_DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)

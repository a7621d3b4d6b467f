"""Operator commands: ``flask --app server db upgrade``, ``flask --app server invite create``,
``flask --app server alerts release-due``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database
from .services import alerts, invites

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
invite_cli = AppGroup("invite", help="Invitations: the only way to create an account.")
alerts_cli = AppGroup("alerts", help="Held check-in alerts.")


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


@invite_cli.command("create")
@click.option("--role", required=True, type=click.Choice(invites.ROLES),
              help="The role the new account will have.")
@click.option("--hours", type=click.IntRange(min=1), default=None,
              help="Hours until the invite expires (default: INVITE_DEFAULT_HOURS, 72).")
def create_invite(role: str, hours: int | None) -> None:
    """Create a single-use invite and print its link as the last line.

    The link's token is in the URL fragment, which browsers never send to a server; the database
    keeps only its SHA-256. Send the link over a channel the person already trusts.
    """
    try:
        token = invites.create_invite(role, hours)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--hours") from None
    hours = hours or current_app.config["INVITE_DEFAULT_HOURS"]
    click.echo(f"Single-use invite for a {role}, valid for {hours} hours.")
    click.echo("Send it over a channel the person already trusts; it works once.")
    click.echo(invites.invite_url(token, role))


@alerts_cli.command("release-due")
def release_due() -> None:
    """Release every check-in alert whose deadline has passed.

    The API also releases due alerts before every inbox and alerts answer; run this from a
    cron job or systemd timer (e.g. every minute) so an alert goes out on time even when nobody
    is pulling.
    """
    count = alerts.release_due()
    click.echo(f"released {count} alert{'' if count == 1 else 's'}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(invite_cli)
    app.cli.add_command(alerts_cli)

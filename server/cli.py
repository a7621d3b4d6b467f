"""Operator commands: ``flask --app server db upgrade``, ``flask --app server invite create``,
``flask --app server alerts release-due``, ``flask --app server uploads purge``,
``flask --app server kill-switch on|off|status``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import db as database
from . import killswitch
from .services import alerts, invites, uploads

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
invite_cli = AppGroup("invite", help="Invitations: the only way to create an account.")
alerts_cli = AppGroup("alerts", help="Held check-in alerts.")
uploads_cli = AppGroup("uploads", help="Attachment uploads.")
kill_switch_cli = AppGroup("kill-switch", help="Pause the app on every phone (docs/RELEASES.md).")


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


@uploads_cli.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True,
              help="Delete incomplete uploads untouched for more than this many days.")
def purge_uploads(days: int) -> None:
    """Delete incomplete attachment uploads nobody has touched for DAYS days.

    Run it daily from a cron job or systemd timer. Complete attachments are never deleted. A
    phone that comes back after its upload was purged uploads the file again on its next sync.
    """
    purged = uploads.purge_stale(days)
    click.echo(f"purged {purged.uploads} incomplete upload{'' if purged.uploads == 1 else 's'} "
               f"({purged.bytes} bytes of ciphertext)")


def _switch_file() -> Path:
    path = killswitch.switch_file(current_app.config)
    if path is None:
        raise click.UsageError("KILL_SWITCH_FILE is not configured for this app")
    return path


@kill_switch_cli.command("on")
def kill_switch_on() -> None:
    """Make every phone drop its cached app and service worker; the app shows "paused".

    Vaults in IndexedDB stay on the phones (no Clear-Site-Data "storage") and the API keeps
    working. Phones act on their next visit or update check.
    """
    path = _switch_file()
    killswitch.turn_on(path)
    click.echo(f"kill switch ON ({path}): phones drop the cached app on their next visit")


@kill_switch_cli.command("off")
def kill_switch_off() -> None:
    """Serve the app again; phones install the current signed release on their next visit."""
    path = _switch_file()
    killswitch.turn_off(path)
    click.echo(f"kill switch off ({path})")


@kill_switch_cli.command("status")
def kill_switch_status() -> None:
    """Print whether the kill switch is on."""
    path = _switch_file()
    click.echo(f"kill switch {killswitch.describe(path)} ({path})")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(invite_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(kill_switch_cli)

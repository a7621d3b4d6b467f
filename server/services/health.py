"""What an operator (or a load balancer) needs to know, and nothing a stranger could use."""
from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from .. import __version__
from ..db import db


def check() -> dict[str, str]:
    try:
        database = "ok" if db.ping() else "unavailable"
    except SQLAlchemyError:
        database = "unavailable"
    return {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "version": __version__,
    }

"""The JSON API. Every blueprint here lives under /api/ and answers JSON only."""
from __future__ import annotations

from flask import Blueprint

from . import health

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_blueprint(health.bp)

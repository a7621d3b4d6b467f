"""The JSON API. Every blueprint here lives under /api/ and answers JSON only (attachment bytes
excepted). Routes parse and check their input (``parsing``), decide who is calling
(``guards``), call one service and serialise its answer; they never run SQL."""
from __future__ import annotations

from flask import Blueprint

from . import (alerts, auth, devices, directory, guards, health, inbox, records, server_info,
               shares, uploads)

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(guards.refuse_cross_site)
for child in (health.bp, server_info.bp, auth.bp, devices.bp, uploads.bp, records.bp,
              directory.bp, shares.bp, inbox.bp, alerts.bp):
    bp.register_blueprint(child)

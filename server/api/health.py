"""Operator health check: is the process up and can it reach its database?"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..services import health as health_service

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    report = health_service.check()
    return jsonify(report), 200 if report["status"] == "ok" else 503

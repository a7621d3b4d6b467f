"""Errors as the API promises them: ``{"error": {"code", "message"}}``, the right status, never a
stack trace or HTML. Outside ``/api/`` a short plain-text page is enough (the PWA is static).

Messages are fixed per code and never echo request data, so they cannot carry secrets or
another user's content into a log or a screen.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)

# status -> (code, human message). Services raise ApiError for domain-specific codes.
STANDARD = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthenticated", "Sign in to continue."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    409: ("conflict", "This conflicts with what the server already has."),
    413: ("too_large", "The request body is larger than the server accepts."),
    415: ("unsupported_media_type", "Send the request body as application/json."),
    422: ("invalid", "The request was understood but some fields are not valid."),
    429: ("rate_limited", "Too many requests. Wait a moment and try again."),
    500: ("server_error", "Something went wrong on the server. Nothing you sent was stored."),
}


class ApiError(HTTPException):
    """An error a service raises on purpose, with a stable machine code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(description=message)
        self.code = status
        self.api_code = code


def error_response(status: int, code: str | None = None, message: str | None = None) -> Response:
    default_code, default_message = STANDARD.get(status, STANDARD[500])
    body = {"error": {"code": code or default_code, "message": message or default_message}}
    response = jsonify(body)
    response.status_code = status
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.code or 400, exc.api_code, exc.description)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status < 400:  # routing redirects (e.g. a missing trailing slash) are not errors
            return exc.get_response()
        if _wants_json():
            response = error_response(status)
        else:
            default = STANDARD.get(status, STANDARD[500])[1]
            response = Response(default + "\n", status=status, mimetype="text/plain")
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # Log the type and where, not the request body: bodies are ciphertext today but may hold
        # identifiers, and logs are the first thing a seized server gives away.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.path,
                  exc_info=app.debug)
        return _http_error(InternalServerError())

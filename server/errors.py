"""Errors as the API promises them: ``{"error": {"code", "message"}}``, the right status, never a
stack trace or HTML. Outside ``/api/`` a short plain-text page is enough (the PWA is static).

Messages are fixed per code and never echo request data, so they cannot carry secrets or
another user's content into a log or a screen. Codes are the ones docs/sync-api.md lists.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)

# status -> (code, human message): what a plain HTTP error (abort, routing) answers with.
STANDARD = {
    400: ("invalid-request", "The request could not be understood."),
    401: ("unauthenticated", "Sign in to continue."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not-found", "There is nothing at this address."),
    405: ("method-not-allowed", "This address does not accept that method."),
    409: ("conflict", "This conflicts with what the server already has."),
    413: ("too-large", "The request body is larger than the server accepts."),
    415: ("unsupported-media-type", "Send the request body as application/json."),
    422: ("invalid", "The request was understood but some fields are not valid."),
    429: ("rate-limited", "Too many requests. Wait a moment and try again."),
    500: ("server-error", "Something went wrong on the server. Nothing you sent was stored."),
    503: ("unavailable", "The server cannot answer right now. Try again later."),
}

# code -> (status, human message): the domain errors services raise with ApiError.of(code).
# "not-found" shares its text with an unknown address, so another account's id, an unknown id
# and a mistyped URL are byte-identical answers.
CODES: dict[str, tuple[int, str]] = {
    "invalid-request": (400, "The request is malformed or has invalid fields."),
    "invalid-record": (400, "A record is not a valid signed SP1 envelope."),
    "invalid-card": (400, "The contact card does not verify under this account's key."),
    "invalid-wrap": (400, "A recipient wrap is malformed, self-addressed or not validly attested."),
    "invalid-alert": (400, "The alert is not a valid held alert."),
    "unauthenticated": (401, STANDARD[401][1]),
    "signin-failed": (401, "The username, passphrase or Secret Key is not right."),
    "csrf": (403, "The request did not come from this app."),
    "device-revoked": (403, "This device was revoked. Sign in again as a new device."),
    "forbidden": (403, "A record is signed by someone other than this account."),
    "not-addressable": (403, "You may not address this account."),
    "not-found": (404, STANDARD[404][1]),
    "recipient-unknown": (404, "No account has this recipient key."),
    "chain-fork": (409, "Another record already holds this place in the device's chain."),
    "chain-gap": (409, "This record does not follow the last one the server holds."),
    "attachment-missing": (409, "An attachment of this record has not been fully uploaded."),
    "record-conflict": (409, "Another record already uses this record id."),
    "upload-offset": (409, "The upload continues from a different offset."),
    "upload-conflict": (409, "This attachment id was declared with a different length or hash."),
    "username-taken": (409, "This username is already in use."),
    "alert-released": (409, "This alert has already been released."),
    "invite-invalid": (410, "This invite is unknown, already used or expired."),
    "too-large": (413, STANDARD[413][1]),
    "upload-hash": (422, "The uploaded attachment does not match its hash. Upload it again."),
    "rate-limited": (429, STANDARD[429][1]),
}


class ApiError(HTTPException):
    """An error a service raises on purpose, with a stable machine code.

    ``extra`` members are added beside ``"error"`` in the body (e.g. the stored ``offset`` of an
    upload, or the ``results`` already stored before a batch stopped).
    """

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(description=message)
        self.code = status
        self.api_code = code
        self.extra = extra

    @classmethod
    def of(cls, code: str, message: str | None = None, **extra: Any) -> ApiError:
        """The error for a documented ``code``; ``message`` may say which field is wrong (never
        what the client sent)."""
        status, default = CODES[code]
        return cls(status, code, message or default, **extra)


def error_response(status: int, code: str | None = None, message: str | None = None,
                   extra: dict[str, Any] | None = None) -> Response:
    default_code, default_message = STANDARD.get(status, STANDARD[500])
    body: dict[str, Any] = {"error": {"code": code or default_code,
                                      "message": message or default_message}}
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.code or 400, exc.api_code, exc.description, exc.extra)

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

"""Who may call what: the CSRF defence on every state change, and the session behind a request.

CSRF has two layers (docs/sync-api.md "Conventions"):

1. ``refuse_cross_site`` runs before every ``POST``/``PUT``/``DELETE``/``PATCH`` under ``/api/``.
   Browsers send ``Origin`` on such requests and ``Sec-Fetch-Site`` on all of them; if either says
   the request comes from another site, it is refused with ``403 csrf`` before any work is done.
   Requests without those headers (non-browser clients) pass this layer.
2. ``signed_in(csrf=True)`` additionally requires ``X-CSRF-Token`` to equal the session's token,
   which only this origin's page can know (it is in answer bodies, never in a cookie).

The session cookie is ``__Host-`` prefixed, ``Secure``, ``HttpOnly``, ``SameSite=Strict``,
``Path=/``, without ``Domain`` or ``Max-Age``: it dies with the browser session, the server-side
row decides how long it lives.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, request

from ..errors import ApiError
from ..services import sessions
from ..services.sessions import Current

UNSAFE = frozenset({"POST", "PUT", "DELETE", "PATCH"})
SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refuse_cross_site() -> None:
    """Before-request hook of the API blueprint (layer 1 above)."""
    if request.method not in UNSAFE:
        return
    origin = request.headers.get("Origin")
    if origin is not None:
        allowed = {_origin(request.host_url), _origin(current_app.config["PUBLIC_URL"])}
        if origin.lower() not in allowed:
            raise ApiError.of("csrf")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCH:
        raise ApiError.of("csrf")


def cookie_token() -> str | None:
    return request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])


def signed_in(*, csrf: bool) -> Current:
    """The request's live session, or 401 unauthenticated; with ``csrf``, also 403 csrf unless
    ``X-CSRF-Token`` matches it (compared in constant time)."""
    current = sessions.authenticate(cookie_token())
    if csrf and not current.csrf_matches(request.headers.get("X-CSRF-Token")):
        raise ApiError.of("csrf")
    return current


def set_session_cookie(response: Response, token: str) -> Response:
    response.set_cookie(current_app.config["SESSION_COOKIE_NAME"], token, secure=True,
                        httponly=True, samesite="Strict", path="/")
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(current_app.config["SESSION_COOKIE_NAME"], secure=True,
                           httponly=True, samesite="Strict", path="/")
    return response

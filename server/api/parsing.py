"""Reading request bodies strictly. Every route that takes JSON goes through ``json_object``."""
from __future__ import annotations

import json
from typing import Any

from flask import request

from ..errors import ApiError


def json_object() -> dict[str, Any]:
    """The request body as a JSON object.

    Raises ApiError 415 (not JSON), 400 ``malformed_json`` (not parseable, or duplicate keys,
    which would let two parsers disagree) or 422 ``invalid`` (parseable but not an object).
    """
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the request body as application/json.")
    raw = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH (413 before reading)
    try:
        value = json.loads(raw, object_pairs_hook=_no_duplicates,
                           parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ApiError(422, "invalid", "The request body must be a JSON object.")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key")
        result[key] = value
    return result


def _no_constants(_name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON")

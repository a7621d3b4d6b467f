"""``/api/uploads`` (resumable attachment uploads) and ``/api/attachments`` (downloads)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from ..errors import ApiError
from ..models import Attachment
from ..services import uploads
from . import guards
from .parsing import MAX_INT, b64u, integer, json_object, members, path_id, query_int

bp = Blueprint("uploads", __name__)


def state_json(row: Attachment) -> dict[str, Any]:
    complete = row.complete_ms is not None
    return {
        "aid": row.aid,
        "ct_len": row.ct_len,
        "offset": row.ct_len if complete else row.received,
        "complete": complete,
        "receipt": uploads.receipt(row),
    }


@bp.post("/uploads")
def declare() -> tuple[Response, int]:
    current = guards.signed_in(csrf=True)
    body = members(json_object(), "body", {"aid", "ct_len", "hash"})
    b64u(body, "aid", 16)
    b64u(body, "hash", 32)
    row, created = uploads.declare(current.account.id, str(body["aid"]),
                                   integer(body, "ct_len", lo=0, hi=MAX_INT), str(body["hash"]))
    return jsonify(state_json(row)), 201 if created else 200


@bp.get("/uploads/<aid>")
def upload_state(aid: str) -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify(state_json(uploads.state(current.account.id, path_id(aid))))


@bp.put("/uploads/<aid>")
def put_part(aid: str) -> Response:
    """One part of raw ciphertext, streamed from the body a chunk at a time (the early-413 hook
    in create_app caps it at PART_SIZE before a byte is read)."""
    current = guards.signed_in(csrf=True)
    if request.mimetype not in ("", "application/octet-stream"):
        raise ApiError(415, "unsupported-media-type",
                       "Send attachment parts as application/octet-stream.")
    offset = query_int("offset", -1, lo=0, hi=MAX_INT)
    if offset < 0:
        raise ApiError.of("invalid-request", "offset is required.")
    row = uploads.write_part(current.account.id, path_id(aid), offset, request.stream,
                             request.content_length)
    return jsonify(state_json(row))


@bp.get("/attachments/<aid>")
def download(aid: str) -> Response:
    current = guards.signed_in(csrf=False)
    length, chunks = uploads.download(current.account.id, path_id(aid))
    response = Response(stream_with_context(chunks), mimetype="application/octet-stream")
    response.content_length = length
    return response

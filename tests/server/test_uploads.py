"""Attachment uploads: declared lengths SP1 can produce, chunk-aligned parts from the stored
offset, keyless hash check at the end, resumable after a cut, streamed both ways."""
from __future__ import annotations

import secrets
import tracemalloc

import spcrypto
from spcrypto import b64u_decode
from sqlalchemy import func, select

from server.db import db
from server.models import AttachmentChunk

from tests.server.bodies import CutStream, ExplodingStream
from tests.server.factories import CHUNK, Attachment, b64, encrypt

PART = 16 * CHUNK


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def _attachment(size: int) -> Attachment:
    return encrypt(secrets.token_bytes(size), spcrypto.new_cek())


def test_valid_ct_lens_are_exactly_what_sp1_produces() -> None:
    limit = 5 * CHUNK + 1000
    produced = {spcrypto.attachment_ct_len(size) for size in range(0, limit)}
    produced = {n for n in produced if n <= limit}
    assert {n for n in range(limit) if spcrypto.is_attachment_ct_len(n)} == produced
    for size in (10**6, 10**7 + 3, 2**30, 2**31 - 5):
        assert spcrypto.is_attachment_ct_len(spcrypto.attachment_ct_len(size))
        assert not spcrypto.is_attachment_ct_len(spcrypto.attachment_ct_len(size) + 1)


def test_declaring_is_idempotent_and_conflicts_are_refused(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(1000)
    first = delegate.declare(att)
    again = delegate.declare(att)
    assert (first.status_code, again.status_code) == (201, 200)
    state = {"aid": att.aid, "ct_len": att.ref.ct_len, "offset": 0, "complete": False,
             "receipt": None}
    assert first.get_json() == again.get_json() == state
    assert delegate.get(f"/api/uploads/{att.aid}").get_json() == state
    other = _attachment(5000)
    for conflicting in ({**att.declaration(), "ct_len": other.ref.ct_len},
                        {**att.declaration(), "hash": b64(other.ref.hash)}):
        response = delegate.post("/api/uploads", conflicting)
        assert response.status_code == 409 and _error(response) == "upload-conflict"


def test_impossible_or_oversize_lengths_are_refused(app_config) -> None:  # type: ignore[no-untyped-def]
    from server import create_app
    from tests.server.factories import enrolled_account

    app_config.MAX_ATTACHMENT = 10 * CHUNK
    delegate = enrolled_account(create_app(app_config).test_client())
    aid = b64(secrets.token_bytes(16))
    for ct_len in (0, 15, 25, CHUNK + 1, 2 * CHUNK - 1, spcrypto.attachment_ct_len(11 * 65536),
                   2**53, -16, "16", 16.0, True):
        response = delegate.post("/api/uploads", {"aid": aid, "ct_len": ct_len,
                                                  "hash": b64(bytes(32))})
        assert response.status_code == 400 and _error(response) == "invalid-request", ct_len
    assert delegate.post("/api/uploads", {"aid": aid, "ct_len": 16,
                                          "hash": b64(bytes(32))}).status_code == 201


def test_upload_in_parts_then_download_the_same_bytes(delegate, app) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(2 * PART + 12345)  # three parts, the last one short
    delegate.declare(att)
    offsets = []
    offset = 0
    while offset < att.ref.ct_len:
        response = delegate.put_part(att.aid, offset, att.ct[offset:offset + PART])
        assert response.status_code == 200
        offset = response.get_json()["offset"]
        offsets.append(offset)
    assert offsets == [PART, 2 * PART, att.ref.ct_len]
    final = response.get_json()
    assert final["complete"] is True
    key = b64u_decode(delegate.get("/api/server").get_json()["receipt_key"], 32)
    entry, ts = spcrypto.verify_receipt(final["receipt"], key)
    assert entry == att.ref.hash and ts % 60_000 == 0
    download = delegate.get(f"/api/attachments/{att.aid}")
    assert download.status_code == 200 and download.mimetype == "application/octet-stream"
    assert download.content_length == att.ref.ct_len
    assert download.data == att.ct
    # One row per SP1 chunk.
    with app.app_context():
        rows = db.session().scalar(select(func.count()).select_from(AttachmentChunk))
    assert rows == -(-att.ref.ct_len // CHUNK)


def test_a_part_must_start_at_the_stored_offset(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(3 * 65536)
    delegate.declare(att)
    assert delegate.put_part(att.aid, 0, att.ct[:CHUNK]).status_code == 200
    for offset in (0, 2 * CHUNK):
        response = delegate.client.put(
            f"/api/uploads/{att.aid}?offset={offset}", input_stream=ExplodingStream(),
            content_type="application/octet-stream", headers=delegate.headers,
            environ_overrides={"CONTENT_LENGTH": str(CHUNK)})
        assert response.status_code == 409 and _error(response) == "upload-offset"
        assert response.get_json()["offset"] == CHUNK
    delegate.upload(att)
    done = delegate.put_part(att.aid, CHUNK, att.ct[CHUNK:2 * CHUNK])
    assert _error(done) == "upload-offset" and done.get_json()["offset"] == att.ref.ct_len


def test_parts_must_be_whole_chunks_within_the_declared_length(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(3 * 65536)  # three full chunks and a 16-byte final one
    delegate.declare(att)
    for data in (att.ct[:1000], att.ct[:CHUNK + 1], b"", att.ct + b"x"):
        response = delegate.put_part(att.aid, 0, data)
        assert response.status_code == 400 and _error(response) == "invalid-request", len(data)
    assert delegate.get(f"/api/uploads/{att.aid}").get_json()["offset"] == 0
    assert delegate.put_part(att.aid, 0, att.ct[:2 * CHUNK]).get_json()["offset"] == 2 * CHUNK
    # Ending at ct_len is the one way to end off a chunk boundary.
    assert delegate.put_part(att.aid, 2 * CHUNK, att.ct[2 * CHUNK:]).get_json()["complete"]


def test_an_oversize_part_is_refused_before_it_is_read(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(40 * 65536)
    delegate.declare(att)
    response = delegate.client.put(
        f"/api/uploads/{att.aid}?offset=0", input_stream=ExplodingStream(),
        content_type="application/octet-stream", headers=delegate.headers,
        environ_overrides={"CONTENT_LENGTH": str(PART + CHUNK)})
    assert response.status_code == 413 and _error(response) == "too-large"
    response = delegate.put_part(att.aid, 0, att.ct[:PART + CHUNK])
    assert response.status_code == 413


def test_a_hash_mismatch_resets_the_upload(delegate, app) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(2 * 65536 + 5)
    lie = {**att.declaration(), "hash": b64(secrets.token_bytes(32))}
    assert delegate.post("/api/uploads", lie).status_code == 201
    assert delegate.put_part(att.aid, 0, att.ct[:CHUNK]).status_code == 200
    response = delegate.put_part(att.aid, CHUNK, att.ct[CHUNK:])
    assert response.status_code == 422 and _error(response) == "upload-hash"
    assert delegate.get(f"/api/uploads/{att.aid}").get_json()["offset"] == 0
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(AttachmentChunk)) == 0
    assert delegate.get(f"/api/attachments/{att.aid}").status_code == 404


def test_a_cut_connection_keeps_every_committed_part(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(3 * PART)
    delegate.declare(att)
    assert delegate.put_part(att.aid, 0, att.ct[:PART]).status_code == 200
    part = att.ct[PART:2 * PART]
    cut = delegate.client.put(
        f"/api/uploads/{att.aid}?offset={PART}", input_stream=CutStream(part, 5 * CHUNK + 77),
        content_type="application/octet-stream", headers=delegate.headers,
        environ_overrides={"CONTENT_LENGTH": str(len(part))})
    assert 400 <= cut.status_code < 500
    resume = delegate.get(f"/api/uploads/{att.aid}").get_json()
    assert resume["offset"] == PART and not resume["complete"]
    assert delegate.upload(att)["complete"]
    assert delegate.get(f"/api/attachments/{att.aid}").data == att.ct


def test_part_requests_are_checked(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(100)
    delegate.declare(att)
    no_offset = delegate.client.put(f"/api/uploads/{att.aid}", data=att.ct,
                                    content_type="application/octet-stream",
                                    headers=delegate.headers)
    assert no_offset.status_code == 400
    as_json = delegate.client.put(f"/api/uploads/{att.aid}?offset=0", data=att.ct,
                                  content_type="application/json", headers=delegate.headers)
    assert as_json.status_code == 415
    unknown = delegate.put_part(b64(secrets.token_bytes(16)), 0, att.ct)
    assert unknown.status_code == 404 and _error(unknown) == "not-found"
    bad_id = delegate.put_part("not-an-id", 0, att.ct)
    assert bad_id.status_code == 400
    untyped = delegate.client.put(f"/api/uploads/{att.aid}?offset=0", data=att.ct,
                                  headers=delegate.headers)
    assert untyped.status_code == 200 and untyped.get_json()["complete"]


def test_incomplete_attachments_cannot_be_downloaded(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(3 * 65536)
    delegate.declare(att)
    assert delegate.get(f"/api/attachments/{att.aid}").status_code == 404
    delegate.put_part(att.aid, 0, att.ct[:CHUNK])
    response = delegate.get(f"/api/attachments/{att.aid}")
    assert response.status_code == 404 and _error(response) == "not-found"


def test_memory_does_not_grow_with_the_attachment(delegate) -> None:  # type: ignore[no-untyped-def]
    att = _attachment(12 * 2**20)
    parts = [att.ct[o:o + PART] for o in range(0, att.ref.ct_len, PART)]
    delegate.declare(att)
    tracemalloc.start()
    try:
        offset = 0
        for part in parts:
            response = delegate.put_part(att.aid, offset, part)
            offset = response.get_json()["offset"]
        upload_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        download = delegate.client.get(f"/api/attachments/{att.aid}", buffered=False)
        received = 0
        for piece in download.response:
            received += len(piece)
        download.close()
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert offset == received == att.ref.ct_len
    # About one part (1 MiB) in flight, never the whole attachment.
    assert upload_peak < 3.5 * 2**20, upload_peak
    assert download_peak < 3.5 * 2**20, download_peak


# -- abandoned uploads -------------------------------------------------------------------------

DAY = 24 * 3600


def _purge(app, days: int = 30) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["uploads", "purge", "--days", str(days)])
    assert result.exit_code == 0, result.output
    return str(result.output.strip())


def _later(fake_clock, days: int, delegate) -> None:  # type: ignore[no-untyped-def]
    """Days pass; the session idles out meanwhile, so the delegate signs in again."""
    fake_clock.advance(days * DAY)
    assert delegate.sign_in().status_code == 200


def _chunks_of(app, aid: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(AttachmentChunk)
                                       .where(AttachmentChunk.aid == aid)) or 0)


def test_an_upload_abandoned_for_a_month_is_purged_and_the_phone_sends_it_again(app, delegate, fake_clock) -> None:  # type: ignore[no-untyped-def]
    # Given a photo whose upload stopped after its first chunk, and a file uploaded whole
    abandoned, whole = _attachment(3 * 65536), _attachment(5000)
    delegate.declare(abandoned)
    assert delegate.put_part(abandoned.aid, 0, abandoned.ct[:CHUNK]).status_code == 200
    assert delegate.upload(whole)["complete"]
    assert _purge(app) == "purged 0 incomplete uploads (0 bytes of ciphertext)"

    # When a month passes, another upload starts the day the operator's timer runs
    _later(fake_clock, 31, delegate)
    fresh = _attachment(2 * 65536)
    delegate.declare(fresh)
    assert delegate.put_part(fresh.aid, 0, fresh.ct[:CHUNK]).status_code == 200
    # Then only the abandoned one goes, with its ciphertext
    assert _purge(app) == f"purged 1 incomplete upload ({CHUNK} bytes of ciphertext)"
    assert _chunks_of(app, abandoned.aid) == 0
    assert _error(delegate.get(f"/api/uploads/{abandoned.aid}")) == "not-found"
    assert delegate.get(f"/api/uploads/{fresh.aid}").get_json()["offset"] == CHUNK
    assert delegate.get(f"/api/attachments/{whole.aid}").data == whole.ct  # complete: never purged
    # And the phone that comes back declares it again and sends it from the start
    again = delegate.declare(abandoned)
    assert again.status_code == 201 and again.get_json()["offset"] == 0
    assert delegate.upload(abandoned)["complete"]


def test_a_part_or_a_declaration_restarts_the_grace_period(app, delegate, fake_clock) -> None:  # type: ignore[no-untyped-def]
    # Given an upload that moves a chunk at a time, weeks apart
    slow = _attachment(3 * 65536)
    delegate.declare(slow)
    assert delegate.put_part(slow.aid, 0, slow.ct[:CHUNK]).status_code == 200
    _later(fake_clock, 20, delegate)
    assert delegate.put_part(slow.aid, CHUNK, slow.ct[CHUNK:2 * CHUNK]).status_code == 200
    _later(fake_clock, 20, delegate)
    # Then 40 days after it began, it is 20 days since its last part: kept
    assert _purge(app).startswith("purged 0 ")
    # When the phone only declares it again (a sync that was cut before any part)
    _later(fake_clock, 20, delegate)
    assert delegate.declare(slow).get_json()["offset"] == 2 * CHUNK
    _later(fake_clock, 30, delegate)
    # Then it is kept for 30 days from then, and purged after
    assert _purge(app).startswith("purged 0 ")
    fake_clock.advance(1 * DAY)
    assert _purge(app) == f"purged 1 incomplete upload ({2 * CHUNK} bytes of ciphertext)"
    assert _chunks_of(app, slow.aid) == 0


def test_the_purge_refuses_less_than_a_day(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["uploads", "purge", "--days", "0"])
    assert result.exit_code != 0 and "--days" in result.output

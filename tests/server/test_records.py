"""Records: the relay checks signature, author, device, chain and attachments without keys,
stores each record once, answers re-pushes with the original receipt, and serves pulls by
cursor."""
from __future__ import annotations

import secrets

import spcrypto
from spcrypto import Envelope
from spcrypto import b64u_decode
from spcrypto.record import _seal_record_from_parts
from sqlalchemy import select

from server.db import db
from server.models import Record
from tests.server.factories import Delegate, b64, enrolled_account, make_keys


def _server_key(client) -> bytes:  # type: ignore[no-untyped-def]
    return b64u_decode(client.get("/api/server").get_json()["receipt_key"], 32)


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def test_push_returns_receipts_that_verify_under_the_server_key(delegate) -> None:  # type: ignore[no-untyped-def]
    sealed = [delegate.seal(), delegate.seal(), delegate.seal()]
    results = delegate.push_ok(*sealed)
    key = _server_key(delegate.client)
    assert [r["rid"] for r in results] == [s.rid for s in sealed]
    for result, s in zip(results, sealed, strict=True):
        entry, ts = spcrypto.verify_receipt(result["receipt"], key)
        assert entry == s.envelope.entry_hash
        assert ts % 60_000 == 0  # receive times are kept to the minute


def test_a_re_push_is_a_no_op_with_the_original_receipt(fake_clock, delegate, app) -> None:  # type: ignore[no-untyped-def]
    first, second = delegate.seal(), delegate.seal()
    original = delegate.push_ok(first, second)
    fake_clock.advance(10 * 60)  # a later minute: the receipt still carries the first one
    again = delegate.push(first, second)
    assert again.status_code == 200
    assert again.get_json()["results"] == original
    with app.app_context():
        assert len(db.session().scalars(select(Record)).all()) == 2
    assert delegate.pull().get_json()["next"] == 2


def test_a_different_record_at_a_stored_position_is_a_fork(delegate) -> None:  # type: ignore[no-untyped-def]
    delegate.push_ok(delegate.seal())
    rival = delegate.seal(seq=1, prev=bytes(32), text="other")
    response = delegate.push(rival)
    assert response.status_code == 409 and _error(response) == "chain-fork"
    assert response.get_json()["rid"] == rival.rid and response.get_json()["results"] == []


def test_records_that_do_not_extend_the_head_are_gaps(delegate) -> None:  # type: ignore[no-untyped-def]
    first_at_two = delegate.seal(seq=2, prev=secrets.token_bytes(32))
    assert _error(delegate.push(first_at_two)) == "chain-gap"
    delegate.heads.clear()
    head = delegate.seal()
    delegate.push_ok(head)
    skipped = delegate.seal(seq=3, prev=head.envelope.entry_hash)
    assert _error(delegate.push(skipped)) == "chain-gap"
    wrong_prev = delegate.seal(seq=2, prev=secrets.token_bytes(32))
    response = delegate.push(wrong_prev)
    assert response.status_code == 409 and _error(response) == "chain-gap"


def test_a_record_by_another_author_is_forbidden(delegate) -> None:  # type: ignore[no-untyped-def]
    stranger = make_keys().identity
    cek = spcrypto.new_cek()
    envelope = spcrypto.seal_record(stranger, cek, dev=delegate.device, seq=1, prev=bytes(32),
                                    body={"ts": 1, "kind": "incident"})
    response = delegate.post("/api/records", {"records": [
        {"envelope": envelope.to_json(),
         "wrap": spcrypto.wrap_for_owner(envelope.hdr, cek, delegate.keys.ak)}]})
    assert response.status_code == 403 and _error(response) == "forbidden"


def test_bad_signatures_and_malformed_envelopes_are_invalid_records(delegate) -> None:  # type: ignore[no-untyped-def]
    good = delegate.seal()
    env = good.envelope.to_json()
    flipped = bytearray(good.envelope.sig)
    flipped[0] ^= 1
    body = bytearray(good.envelope.body)
    body[-1] ^= 1
    bad_envelopes = [
        {**env, "sig": b64(bytes(flipped))},
        {**env, "body": b64(bytes(body))},
        {**env, "hdr": good.envelope.hdr.replace('{"att"', '{ "att"')},  # not canonical
        {**env, "hdr": good.envelope.hdr.replace('"v":1', '"v":2')},     # unsupported version
        {**env, "hdr": "{}"},
        {**env, "hdr": 42},
        {**env, "sig": "!!"},
        {"hdr": env["hdr"], "body": env["body"]},
    ]
    for bad in bad_envelopes:
        response = delegate.post("/api/records", {"records": [{"envelope": bad, "wrap": good.wrap}]})
        assert response.status_code == 400, bad
        assert _error(response) == "invalid-record"
    assert delegate.post("/api/records", {"records": [good.item()]}).status_code == 200


def test_records_of_a_revoked_device_are_refused(app, delegate) -> None:  # type: ignore[no-untyped-def]
    lost = secrets.token_bytes(16)
    assert delegate.sign_in(lost).status_code == 200  # the phone that will be lost
    delegate.push_ok(delegate.seal())  # its first record arrives
    assert delegate.sign_in(secrets.token_bytes(16)).status_code == 200  # a second device
    assert delegate.post(f"/api/devices/{b64(lost)}/revoke").status_code == 204
    late = delegate.seal(dev=lost)
    response = delegate.push(late)
    assert response.status_code == 403 and _error(response) == "device-revoked"
    # Records from the device that is still trusted go through.
    delegate.push_ok(delegate.seal())


def test_every_attachment_must_be_fully_uploaded_first(delegate) -> None:  # type: ignore[no-untyped-def]
    sealed = delegate.seal((secrets.token_bytes(200_000), b"small"))
    big, small = sealed.attachments
    assert _error(delegate.push(sealed)) == "attachment-missing"
    delegate.upload(small)
    assert _error(delegate.push(sealed)) == "attachment-missing"
    delegate.declare(big)
    delegate.put_part(big.aid, 0, big.ct[:65552])  # one chunk of four
    assert _error(delegate.push(sealed)) == "attachment-missing"
    delegate.upload(big)
    assert delegate.push(sealed).status_code == 200


def test_an_attachment_uploaded_with_another_hash_does_not_count(delegate) -> None:  # type: ignore[no-untyped-def]
    sealed = delegate.seal((b"evidence",))
    (att,) = sealed.attachments
    impostor = delegate.seal((b"evidencf",)).attachments[0]  # same length, other bytes
    response = delegate.post("/api/uploads", {**impostor.declaration(), "aid": att.aid})
    assert response.status_code == 201
    assert delegate.put_part(att.aid, 0, impostor.ct).status_code == 200
    assert _error(delegate.push(sealed)) == "attachment-missing"


def test_a_batch_stops_at_the_first_failing_record(delegate) -> None:  # type: ignore[no-untyped-def]
    one, two = delegate.seal(), delegate.seal()
    gap = delegate.seal(seq=9, prev=secrets.token_bytes(32))
    response = delegate.push(one, two, gap, delegate.seal())
    assert response.status_code == 409
    body = response.get_json()
    assert body["rid"] == gap.rid
    assert [r["rid"] for r in body["results"]] == [one.rid, two.rid]
    assert [r["cursor"] for r in delegate.pull().get_json()["records"]] == [1, 2]


def test_batch_and_wrap_limits(delegate) -> None:  # type: ignore[no-untyped-def]
    good = delegate.seal()
    for body in ({"records": []}, {"records": [good.item()] * 51}, {"records": {}},
                 {"records": [{"envelope": good.envelope.to_json(), "wrap": {"x": "y" * 1100}}]},
                 {"records": [{"envelope": good.envelope.to_json(), "wrap": "ak"}]},
                 {"records": [{"envelope": "hdr", "wrap": good.wrap}]},
                 {"records": [{**good.item(), "extra": 1}]}, {"records": [1]}, {}):
        response = delegate.post("/api/records", body)
        assert response.status_code == 400 and _error(response) == "invalid-request", body


def test_a_different_record_with_a_taken_rid_is_a_conflict(delegate) -> None:  # type: ignore[no-untyped-def]
    first = delegate.seal()
    delegate.push_ok(first)
    cek = spcrypto.new_cek()
    clash = _seal_record_from_parts(
        delegate.keys.identity, cek, rid=spcrypto.parse_header(first.envelope.hdr).rid,
        dev=delegate.device, seq=2, prev=first.envelope.entry_hash, rcpt=(),
        bn=secrets.token_bytes(12), att=(), supersedes=None, body_json=b'{"kind":"x","ts":1}')
    response = delegate.post("/api/records", {"records": [
        {"envelope": clash.to_json(),
         "wrap": spcrypto.wrap_for_owner(clash.hdr, cek, delegate.keys.ak)}]})
    assert response.status_code == 409 and _error(response) == "record-conflict"


def test_pull_pages_by_cursor_and_returns_what_was_pushed(delegate, app) -> None:  # type: ignore[no-untyped-def]
    sealed = [delegate.seal() for _ in range(5)]
    delegate.push_ok(*sealed)
    seen, after, pages = [], 0, 0
    while True:
        page = delegate.pull(after, limit=2).get_json()
        pages += 1
        seen += page["records"]
        after = page["next"]
        if not page["more"]:
            break
    assert pages == 3 and after == 5
    assert [r["cursor"] for r in seen] == [1, 2, 3, 4, 5]
    bundle = spcrypto.verify_bundle(delegate.answer["account"]["bundle"])
    key = _server_key(delegate.client)
    for record, original in zip(seen, sealed, strict=True):
        envelope = Envelope.from_json(record["envelope"])
        assert envelope == original.envelope
        opened = spcrypto.open_record(envelope, bundle, record["wrap"], ak=delegate.keys.ak)
        assert opened.body["text"] == "note"
        assert spcrypto.verify_receipt(record["receipt"], key)[0] == envelope.entry_hash
    empty = delegate.pull(5).get_json()
    assert empty == {"records": [], "next": 5, "more": False}


def test_pull_query_is_strict(delegate) -> None:  # type: ignore[no-untyped-def]
    for query in ("after=-1", "after=1e3", "after=%D9%A3", "limit=0", "limit=201", "limit=x",
                  "after=99999999999999999"):
        response = delegate.get(f"/api/records?{query}")
        assert response.status_code == 400 and _error(response) == "invalid-request", query


def test_accounts_see_only_their_own_records(delegate, other) -> None:  # type: ignore[no-untyped-def]
    delegate.push_ok(delegate.seal())
    other.push_ok(other.seal(), other.seal())
    mine = delegate.pull().get_json()["records"]
    theirs = other.pull().get_json()["records"]
    assert len(mine) == 1 and len(theirs) == 2
    assert [r["cursor"] for r in theirs] == [1, 2]  # cursors are per account
    assert delegate.get("/api/records/heads").get_json()["heads"][0]["seq"] == 1


def test_heads_name_every_device_chain(app, delegate) -> None:  # type: ignore[no-untyped-def]
    laptop = secrets.token_bytes(16)
    delegate.push_ok(delegate.seal(), delegate.seal())
    delegate.push_ok(delegate.seal(dev=laptop))
    heads = delegate.get("/api/records/heads").get_json()["heads"]
    expected = [{"dev": b64(dev), "seq": seq, "entry": b64(entry)}
                for dev, (seq, entry) in delegate.heads.items()]
    assert sorted(heads, key=lambda h: h["dev"]) == sorted(expected, key=lambda h: h["dev"])
    assert {h["seq"] for h in heads} == {1, 2}


def test_last_sync_day_is_recorded(delegate) -> None:  # type: ignore[no-untyped-def]
    assert delegate.get("/api/devices").get_json()["devices"][0]["last_sync"] is None
    delegate.pull()
    (device,) = delegate.get("/api/devices").get_json()["devices"]
    assert device["last_sync"] == device["created"]


def test_two_devices_of_one_account_interleave_their_chains(app) -> None:  # type: ignore[no-untyped-def]
    phone = enrolled_account(app.test_client())
    laptop = Delegate(app.test_client(), phone.username, phone.role, phone.keys, phone.account_id,
                      secrets.token_bytes(16), "", phone.answer)
    assert laptop.sign_in(laptop.device).status_code == 200
    for _ in range(3):
        phone.push_ok(phone.seal())
        laptop.push_ok(laptop.seal())
    pulled = laptop.pull().get_json()["records"]
    assert len(pulled) == 6
    assert spcrypto.verify_chain(Envelope.from_json(r["envelope"]) for r in pulled)

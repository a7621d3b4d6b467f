"""Sharing, as delegates and focal points use it: a delegate shares an incident with a focal
point she chose; only that focal point can pull it and its attachments; revoking takes it back;
focal points can answer the delegates who shared with them and nobody else; every wrap is
checked keylessly before it is stored (docs/sharing-contract.md §3.2)."""
from __future__ import annotations

import io
import secrets

import pytest
import spcrypto

from tests.server.factories import Delegate, Sealed, b64, enrolled_account


@pytest.fixture
def focal_a(app) -> Delegate:  # type: ignore[no-untyped-def]
    return enrolled_account(app.test_client(), role="focal-point")


@pytest.fixture
def focal_b(app) -> Delegate:  # type: ignore[no-untyped-def]
    return enrolled_account(app.test_client(), role="focal-point")


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def _share_message(delegate: Delegate, shared: Sealed, to: Delegate) -> Sealed:
    """The signed sp.share message that goes with a shared incident (contract §2)."""
    return delegate.seal(kind="sp.share", text="", to=(to,), body={
        "to": [to.kid], "n": {to.kid: 1}, "from": "Delegate",
        "items": [{"rid": shared.rid, "entry": b64(shared.envelope.entry_hash),
                   "author": delegate.kid}],
        "consent": {"contact": True, "statistics": True, "legal": False}})


def test_a_shared_incident_reaches_only_the_chosen_focal_point(delegate, focal_a, focal_b) -> None:  # type: ignore[no-untyped-def]
    # Given an incident with two photos, shared with focal point A, and the signed share message
    photos = (secrets.token_bytes(70_000), b"second photo")
    incident = delegate.seal(photos, text="checkpoint beating", to=(focal_a,))
    message = _share_message(delegate, incident, focal_a)
    stored = delegate.push_ok(incident, message)
    # When A pulls her inbox
    items = focal_a.inbox_items()
    # Then she has both, in the order they were stored, with receipt and the author's bundle
    assert [i["cursor"] for i in items] == [1, 2]
    assert [spcrypto.parse_header(i["envelope"]["hdr"]).rid for i in items] == [
        spcrypto.b64u_decode(incident.rid), spcrypto.b64u_decode(message.rid)]
    for item, result in zip(items, stored, strict=True):
        assert item["receipt"] == result["receipt"]
        assert item["author"] == item["sharer"] == delegate.answer["account"]["bundle"]
    opened = focal_a.open(items[0])
    assert opened.body["text"] == "checkpoint beating"
    assert focal_a.open(items[1]).body["consent"]["statistics"] is True
    # And she downloads and decrypts each photo's ciphertext
    for photo, att in zip(photos, incident.attachments, strict=True):
        response = focal_a.get(f"/api/attachments/{att.aid}")
        assert response.status_code == 200 and response.data == att.ct
        out = io.BytesIO()
        spcrypto.decrypt_attachment(io.BytesIO(response.data), out, opened.cek, att.ref,
                                    len(photo))
        assert out.getvalue() == photo
    # While focal point B, not chosen, sees nothing and cannot tell the photos exist
    assert focal_b.inbox_items() == []
    unknown = focal_b.get(f"/api/attachments/{b64(secrets.token_bytes(16))}")
    for att in incident.attachments:
        response = focal_b.get(f"/api/attachments/{att.aid}")
        assert response.status_code == 404 and response.data == unknown.data


def test_revoking_takes_the_incident_and_its_photos_back_and_resharing_delivers_again(  # type: ignore[no-untyped-def]
        delegate, focal_a) -> None:
    incident = delegate.seal((b"photo",), to=(focal_a,))
    delegate.push_ok(incident)
    (att,) = incident.attachments
    (first,) = focal_a.inbox_items()
    shares = delegate.get("/api/shares").get_json()["shares"]
    assert [(s["rid"], s["to"]) for s in shares] == [(incident.rid, focal_a.kid)]
    # When the delegate revokes
    assert delegate.revoke(incident, focal_a).status_code == 204
    # Then A's inbox no longer has it, nor can she download the photo; the list is empty
    assert focal_a.inbox_items() == []
    assert focal_a.get(f"/api/attachments/{att.aid}").status_code == 404
    assert delegate.get("/api/shares").get_json() == {"shares": []}
    # Revoking again, or what was never shared, is not found
    assert _error(delegate.revoke(incident, focal_a)) == "not-found"
    # And sharing again delivers it again, under a new cursor
    response = delegate.share((incident, focal_a))
    assert response.status_code == 200
    assert response.get_json() == {"results": [{"rid": incident.rid, "to": focal_a.kid}]}
    (again,) = focal_a.inbox_items()
    assert again["cursor"] > first["cursor"]
    assert again["envelope"] == first["envelope"]
    assert focal_a.get(f"/api/attachments/{att.aid}").data == att.ct


def test_a_synced_incident_is_shared_later_with_every_version(delegate, focal_a) -> None:  # type: ignore[no-untyped-def]
    # Given an incident synced earlier, then edited (the new version keeps the photo)
    first = delegate.seal((b"the photo",), text="v1")
    delegate.push_ok(first)
    second = delegate.seal(text="v2", borrowed=tuple(first.attachments), cek=first.cek,
                           supersedes=first.rid)
    delegate.push_ok(second)
    # When she shares only the newest version
    assert delegate.share((second, focal_a)).status_code == 200
    # Then the focal point can read it and download the photo it names
    (item,) = focal_a.inbox_items()
    assert focal_a.open(item).body["text"] == "v2"
    assert focal_a.get(f"/api/attachments/{first.attachments[0].aid}").status_code == 200
    # Sharing the same thing again changes nothing (idempotent), and the whole lineage works
    response = delegate.share((second, focal_a), (first, focal_a))
    assert [r["rid"] for r in response.get_json()["results"]] == [second.rid, first.rid]
    assert [i["cursor"] for i in focal_a.inbox_items()] == [item["cursor"], item["cursor"] + 1]


def test_a_focal_point_answers_only_a_delegate_who_shared_with_her(delegate, focal_a) -> None:  # type: ignore[no-untyped-def]
    # Before the delegate shared anything, the focal point cannot address her
    status = focal_a.seal(kind="sp.status", text="", to=(delegate,))
    response = focal_a.push(status)
    assert response.status_code == 403 and _error(response) == "not-addressable"
    assert delegate.inbox_items() == []
    # After the delegate shared an incident with her
    incident = delegate.seal(to=(focal_a,))
    delegate.push_ok(incident)
    (item,) = focal_a.inbox_items()
    # The focal point acknowledges it: an sp.status record in her chain, wrapped to the author
    focal_a.heads.pop(focal_a.device)  # the refused record above never reached the server
    ack = focal_a.seal(kind="sp.status", text="", to=(delegate,), body={
        "to": [delegate.kid], "n": {delegate.kid: 1}, "from": "Maria", "status": "acknowledged",
        "about": [{"rid": incident.rid, "entry": b64(incident.envelope.entry_hash),
                   "author": delegate.kid}]})
    focal_a.push_ok(ack)
    (reply,) = delegate.inbox_items()
    assert delegate.open(reply).body["status"] == "acknowledged"
    assert reply["author"] == reply["sharer"] == focal_a.answer["account"]["bundle"]
    # Once the delegate revokes her only share, the focal point cannot address her again
    assert delegate.revoke(incident, focal_a).status_code == 204
    later = focal_a.seal(kind="sp.status", text="", to=(delegate,))
    assert _error(focal_a.push(later)) == "not-addressable"


def test_delegates_cannot_address_other_delegates(delegate, other) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal(to=(other,))
    response = delegate.push(incident)
    assert response.status_code == 403 and _error(response) == "not-addressable"
    assert other.inbox_items() == []


def test_a_focal_point_reshares_a_report_she_holds(delegate, focal_a, focal_b) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal((b"photo",), to=(focal_a,))
    delegate.push_ok(incident)
    # Focal point B cannot share what she does not hold
    assert _error(focal_b.share((incident, focal_a))) == "not-found"
    # Focal point A re-shares it with B, wrapping the key she unwrapped
    (item,) = focal_a.inbox_items()
    cek = focal_a.open(item).cek
    response = focal_a.post("/api/shares", {"shares": [
        {"rid": incident.rid, "wrap": focal_a.wrap_for(incident, focal_b, cek)}]})
    assert response.status_code == 200
    (got,) = focal_b.inbox_items()
    assert got["author"] == delegate.answer["account"]["bundle"]
    assert got["sharer"] == focal_a.answer["account"]["bundle"]
    assert focal_b.open(got).body == focal_a.open(item).body
    assert focal_b.get(f"/api/attachments/{incident.attachments[0].aid}").status_code == 200
    # Only the sharer lists her share; a third holder cannot revoke it
    assert [s["to"] for s in focal_a.get("/api/shares").get_json()["shares"]] == [focal_b.kid]
    assert _error(focal_b.revoke(incident, focal_a)) == "not-found"
    assert focal_a.revoke(incident, focal_b).status_code == 204
    assert focal_b.inbox_items() == []


def test_the_author_withdraws_her_record_from_someone_a_focal_point_reshared_it_with(
        delegate, focal_a, focal_b) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal((b"photo",), to=(focal_a,))
    delegate.push_ok(incident)
    (item,) = focal_a.inbox_items()
    cek = focal_a.open(item).cek
    assert focal_a.post("/api/shares", {"shares": [
        {"rid": incident.rid, "wrap": focal_a.wrap_for(incident, focal_b, cek)}]}).status_code == 200
    aid = incident.attachments[0].aid
    assert focal_b.get(f"/api/attachments/{aid}").status_code == 200
    # The delegate revokes the re-share she never made: it is her evidence
    assert delegate.revoke(incident, focal_b).status_code == 204
    assert focal_b.inbox_items() == []
    assert _error(focal_b.get(f"/api/attachments/{aid}")) == "not-found"
    # The focal point's own copy stays until the delegate revokes that too
    assert len(focal_a.inbox_items()) == 1
    assert _error(delegate.revoke(incident, focal_b)) == "not-found"


def _forged(wrap: dict[str, str], **changes: str) -> dict[str, str]:
    return {**wrap, **changes}


def test_bad_wraps_are_refused_with_their_own_codes(delegate, focal_a, other) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal()
    delegate.push_ok(incident)
    good = delegate.wrap_for(incident, focal_a)
    other_sig = other.wrap_for(incident, focal_a)  # attested by someone else
    cases = {
        "forged signature": (_forged(good, sig=b64(bytes(64))), 400, "invalid-wrap"),
        "another record's wrap": (delegate.wrap_for(delegate.seal(), focal_a), 400,
                                  "invalid-wrap"),
        "wrong by": (other_sig, 403, "forbidden"),
        "by claims me, signed by another": (_forged(other_sig, by=delegate.kid), 400,
                                            "invalid-wrap"),
        "unknown recipient": (_forged(good, kid=b64(secrets.token_bytes(16))), 404,
                              "recipient-unknown"),
        "self": (_forged(good, kid=delegate.kid), 400, "invalid-wrap"),
        "owner wrap": (incident.wrap, 400, "invalid-wrap"),
        "short ct": (_forged(good, ct=b64(bytes(79))), 400, "invalid-wrap"),
        "extra member": ({**good, "x": "y"}, 400, "invalid-wrap"),
        "padded kid": (_forged(good, kid=good["kid"] + "=="), 400, "invalid-wrap"),
    }
    for name, (wrap, status, code) in cases.items():
        response = delegate.post("/api/shares", {"shares": [{"rid": incident.rid, "wrap": wrap}]})
        assert (response.status_code, _error(response)) == (status, code), name
        assert response.get_json()["results"] == [], name
    # A record nobody has, or one the caller cannot read
    for rid in (b64(secrets.token_bytes(16)),):
        response = delegate.post("/api/shares", {"shares": [{"rid": rid, "wrap": good}]})
        assert _error(response) == "not-found"
    theirs = other.seal()
    other.push_ok(theirs)
    response = delegate.post("/api/shares", {"shares": [
        {"rid": theirs.rid, "wrap": delegate.wrap_for(theirs, focal_a)}]})
    assert response.status_code == 404 and _error(response) == "not-found"
    assert focal_a.inbox_items() == []


def test_a_bad_wrap_fails_its_record_and_stops_the_batch(delegate, focal_a) -> None:  # type: ignore[no-untyped-def]
    first, second, third = delegate.seal(to=(focal_a,)), delegate.seal(to=(focal_a,)), \
        delegate.seal(to=(focal_a,))
    second.shares = [_forged(second.shares[0], sig=b64(bytes(64)))]
    response = delegate.push(first, second, third)
    assert response.status_code == 400 and _error(response) == "invalid-wrap"
    body = response.get_json()
    assert body["rid"] == second.rid and [r["rid"] for r in body["results"]] == [first.rid]
    # The failing record was not stored without its shares: nothing of it is on the server
    assert [r["cursor"] for r in delegate.pull().get_json()["records"]] == [1]
    assert len(focal_a.inbox_items()) == 1
    # POST /api/shares stops the same way, keeping what came before
    response = delegate.post("/api/shares", {"shares": [
        {"rid": first.rid, "wrap": delegate.wrap_for(first, focal_a)},
        {"rid": first.rid, "wrap": _forged(delegate.wrap_for(first, focal_a), kid=delegate.kid)},
    ]})
    assert _error(response) == "invalid-wrap"
    assert response.get_json()["results"] == [{"rid": first.rid, "to": focal_a.kid}]


def test_a_retried_push_keeps_its_shares_once(delegate, focal_a) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal(to=(focal_a,))
    first = delegate.push_ok(incident)
    again = delegate.push(incident)  # a retry after a lost answer
    assert again.status_code == 200 and again.get_json()["results"] == first
    assert len(focal_a.inbox_items()) == 1


def test_shares_in_a_push_are_bounded_and_shaped(delegate, focal_a) -> None:  # type: ignore[no-untyped-def]
    incident = delegate.seal(to=(focal_a,))
    too_many = {"records": [{**incident.item(), "shares": incident.shares * 33}]}
    not_objects = {"records": [{**incident.item(), "shares": ["wrap"]}]}
    for body in (too_many, not_objects):
        response = delegate.post("/api/records", body)
        assert response.status_code == 400 and _error(response) == "invalid-request"
        assert "results" not in response.get_json()
    assert delegate.pull().get_json()["records"] == []


def test_share_times_are_coarse(delegate, focal_a, fake_clock) -> None:  # type: ignore[no-untyped-def]
    fake_clock.advance(35)  # 10:35 past the hour
    delegate.push_ok(delegate.seal(to=(focal_a,)))
    (made,) = delegate.get("/api/shares").get_json()["shares"]
    assert made["created"] == int(fake_clock.t * 1000) // 60_000 * 60_000

"""Held alerts, as a delegate uses them: a check-in timer that goes out to her focal points only if
she does not check in before the deadline, and a duress alert that goes out when the duress
decoy (which has no session) presents its token. Until then the server holds them apart:
nobody can see that they exist (docs/sharing-contract.md §3.4)."""
from __future__ import annotations

import secrets

import pytest
import spcrypto

from tests.server.conftest import FakeClock
from tests.server.factories import Delegate, b64, enrolled_account

MINUTE, HOUR = 60_000, 3_600_000


@pytest.fixture
def focal(app) -> Delegate:  # type: ignore[no-untyped-def]
    return enrolled_account(app.test_client(), role="focal-point")


def _now(clock: FakeClock) -> int:
    return int(clock.t * 1000)


def _later(clock: FakeClock, seconds: int, *people: Delegate) -> None:
    """Time passes; sessions idle out meanwhile, so everyone signs in again."""
    clock.advance(seconds)
    for person in people:
        assert person.sign_in().status_code == 200


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_json()["error"]["code"])


def _set_checkin(delegate: Delegate, focal: Delegate, clock: FakeClock, hours: int = 2
                 ) -> tuple[str, int]:
    deadline = _now(clock) + hours * HOUR
    sealed = delegate.seal_alert("Crossing at Ventimiglia, call my sister", (focal,),
                                 deadline=deadline)
    response = delegate.hold(sealed, deadline=deadline)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"id": sealed.rid, "kind": "checkin", "deadline": deadline}
    return sealed.rid, deadline


def test_a_missed_checkin_goes_out_after_the_deadline_and_not_before(  # type: ignore[no-untyped-def]
        delegate, focal, fake_clock) -> None:
    # Given a delegate who set a check-in timer two hours ahead
    held_at = _now(fake_clock) // MINUTE * MINUTE
    alert_id, deadline = _set_checkin(delegate, focal, fake_clock)
    # Then it is held: listed for her, invisible to the focal point, not in her records
    assert delegate.alerts() == [{"id": alert_id, "kind": "checkin", "deadline": deadline,
                                  "state": "held", "released": None}]
    assert focal.inbox_items() == []
    assert delegate.pull().get_json()["records"] == []
    # Still held a minute before the deadline
    _later(fake_clock, 2 * 3600 - 60, delegate, focal)
    assert focal.inbox_items() == []
    # When the deadline passes without a check-in
    _later(fake_clock, 60, delegate, focal)
    (item,) = focal.inbox_items()
    # Then the focal point has the alert, signed, with a receipt from when it was first held
    opened = focal.open(item)
    assert opened.body["kind"] == "sp.alert" and opened.body["alert"] == "checkin"
    assert opened.body["text"] == "Crossing at Ventimiglia, call my sister"
    assert spcrypto.verify_receipt(item["receipt"], spcrypto.b64u_decode(
        delegate.answer["server"]["receipt_key"]))[1] == held_at
    # And the delegate sees that it went out, and her other devices get the record
    (listed,) = delegate.alerts()
    assert listed["state"] == "released" and listed["released"] == _now(fake_clock)
    (record,) = delegate.pull().get_json()["records"]
    assert record["envelope"] == item["envelope"]
    assert [s["to"] for s in delegate.get("/api/shares").get_json()["shares"]] == [focal.kid]
    # Checking in now is too late
    response = delegate.post(f"/api/alerts/{alert_id}/checkin")
    assert response.status_code == 409 and _error(response) == "alert-released"


def test_checking_in_in_time_deletes_the_alert_for_good(delegate, focal, fake_clock) -> None:  # type: ignore[no-untyped-def]
    alert_id, _ = _set_checkin(delegate, focal, fake_clock)
    _later(fake_clock, 3600, delegate)
    assert delegate.post(f"/api/alerts/{alert_id}/checkin").status_code == 204
    assert delegate.alerts() == []
    _later(fake_clock, 30 * 24 * 3600, delegate, focal)  # long after the deadline
    assert focal.inbox_items() == []
    assert delegate.pull().get_json()["records"] == []
    assert _error(delegate.post(f"/api/alerts/{alert_id}/checkin")) == "not-found"


def test_the_operator_timer_releases_due_alerts(app, delegate, focal, fake_clock) -> None:  # type: ignore[no-untyped-def]
    soon, _ = _set_checkin(delegate, focal, fake_clock, hours=1)
    later, _ = _set_checkin(delegate, focal, fake_clock, hours=3)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["alerts", "release-due"]).output.strip() == "released 0 alerts"
    _later(fake_clock, 2 * 3600, delegate, focal)
    assert runner.invoke(args=["alerts", "release-due"]).output.strip() == "released 1 alert"
    assert {a["id"]: a["state"] for a in delegate.alerts()} == {soon: "released", later: "held"}
    assert len(focal.inbox_items()) == 1


def test_duress_release_needs_only_the_token(app, delegate, focal) -> None:  # type: ignore[no-untyped-def]
    # Given a registered duress alert
    token = secrets.token_bytes(32)
    sealed = delegate.seal_alert("I was forced to unlock my phone", (focal,), alert="duress")
    response = delegate.hold(sealed, token=token)
    assert response.status_code == 201
    assert response.get_json() == {"id": sealed.rid, "kind": "duress", "deadline": None}
    assert focal.inbox_items() == []
    # When the decoy (no session, no cookie, no CSRF token) releases it
    decoy = app.test_client()
    response = decoy.post("/api/alerts/release", json={"token": b64(token)},
                          headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 204
    # Then the focal point has it
    (item,) = focal.inbox_items()
    assert focal.open(item).body["alert"] == "duress"
    # And releasing again (the decoy retries on every sync attempt) changes nothing
    assert decoy.post("/api/alerts/release", json={"token": b64(token)}).status_code == 204
    assert len(focal.inbox_items()) == 1
    assert [a["state"] for a in delegate.alerts()] == ["released"]
    # An unknown token is not found; another site cannot trigger a release
    unknown = decoy.post("/api/alerts/release", json={"token": b64(secrets.token_bytes(32))})
    assert unknown.status_code == 404 and _error(unknown) == "not-found"
    cross = decoy.post("/api/alerts/release", json={"token": b64(token)},
                       headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and _error(cross) == "csrf"


def test_a_delegate_cancels_her_duress_alert(delegate, focal) -> None:  # type: ignore[no-untyped-def]
    token = secrets.token_bytes(32)
    sealed = delegate.seal_alert("duress", (focal,), alert="duress")
    assert delegate.hold(sealed, token=token).status_code == 201
    assert delegate.post(f"/api/alerts/{sealed.rid}/checkin").status_code == 204
    assert _error(delegate.client.post("/api/alerts/release",
                                       json={"token": b64(token)})) == "not-found"
    assert focal.inbox_items() == []


def test_alerts_must_be_alone_in_a_fresh_chain(delegate, focal, fake_clock) -> None:  # type: ignore[no-untyped-def]
    deadline = _now(fake_clock) + HOUR
    delegate.push_ok(delegate.seal())  # her device chain exists
    cases = {
        "seq 2": delegate.seal_alert("x", (focal,), seq=2),
        "her device's chain": delegate.seal_alert("x", (focal,), dev=delegate.device),
        "with a photo": delegate.seal(dev=secrets.token_bytes(16), files=(b"photo",),
                                      to=(focal,)),
    }
    for name, sealed in cases.items():
        for att in sealed.attachments:
            delegate.upload(att)
        response = delegate.hold(sealed, deadline=deadline)
        assert (response.status_code, _error(response)) == (400, "invalid-alert"), name
    # A chain already used by another alert
    first = delegate.seal_alert("x", (focal,))
    assert delegate.hold(first, deadline=deadline).status_code == 201
    reused = delegate.seal_alert("y", (focal,), dev=spcrypto.parse_header(first.hdr).dev)
    assert _error(delegate.hold(reused, deadline=deadline)) == "invalid-alert"
    # Deadlines outside one minute … 90 days
    for when in (_now(fake_clock), _now(fake_clock) + 30_000, _now(fake_clock) + 91 * 24 * HOUR):
        sealed = delegate.seal_alert("x", (focal,))
        assert _error(delegate.hold(sealed, deadline=when)) == "invalid-alert", when
    # The wraps are checked like any share, and there must be one to sixteen of them
    sealed = delegate.seal_alert("x", (focal,))
    sealed.shares = [{**sealed.shares[0], "sig": b64(bytes(64))}]
    assert _error(delegate.hold(sealed, deadline=deadline)) == "invalid-wrap"
    sealed.shares = []
    assert _error(delegate.hold(sealed, deadline=deadline)) == "invalid-request"
    # A check-in alert needs a deadline and no token; a duress alert the reverse
    sealed = delegate.seal_alert("x", (focal,))
    body = {"kind": "checkin", "envelope": sealed.envelope.to_json(), "wrap": sealed.wrap,
            "shares": sealed.shares}
    for extra in ({}, {"token": b64(bytes(32))}, {"deadline": deadline, "token": b64(bytes(32))}):
        assert _error(delegate.post("/api/alerts", {**body, **extra})) == "invalid-request"
    assert _error(delegate.post("/api/alerts", {**body, "kind": "duress",
                                                "deadline": deadline})) == "invalid-request"
    assert [a["id"] for a in delegate.alerts()] == [first.rid]


def test_a_held_alert_keeps_its_chain_and_rid(delegate, focal, fake_clock) -> None:  # type: ignore[no-untyped-def]
    deadline = _now(fake_clock) + HOUR
    sealed = delegate.seal_alert("x", (focal,))
    assert delegate.hold(sealed, deadline=deadline).status_code == 201
    # Repeating the request (a lost answer) gives the first answer
    again = delegate.hold(sealed, deadline=deadline)
    assert again.status_code == 201 and again.get_json()["id"] == sealed.rid
    assert len(delegate.alerts()) == 1
    # Pushing the alert as a record, or another record onto its chain, is refused
    assert _error(delegate.push(sealed)) == "chain-fork"
    # Another account cannot check it in
    assert _error(focal.post(f"/api/alerts/{sealed.rid}/checkin")) == "not-found"


def test_an_alert_to_someone_she_may_not_address_is_refused(delegate, other, fake_clock) -> None:  # type: ignore[no-untyped-def]
    sealed = delegate.seal_alert("x", (other,))
    response = delegate.hold(sealed, deadline=_now(fake_clock) + HOUR)
    assert response.status_code == 403 and _error(response) == "not-addressable"
    assert delegate.alerts() == []

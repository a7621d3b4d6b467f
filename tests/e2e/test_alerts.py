"""Check-in timer and duress passphrase, through the delegate's screens. The focal point is the
Python client (tests/support/sync_client.py), which verifies and opens everything it receives;
the server's clock is moved forward in the test instead of waiting hours."""
from __future__ import annotations

from playwright.sync_api import expect

from server import clock
from tests.e2e.test_sharing import PASSPHRASE, joined
from tests.support.sync_client import new_account

FOCAL = "Amal Haddad"
DURESS = "orange lamp river tuesday"


def focal_point(live_server: str, issue_invite):  # type: ignore[no-untyped-def]
    """A focal point in the directory with her signed card, reading her inbox from Python."""
    (amal,) = new_account(live_server, issue_invite("focal-point").token, role="focal-point")
    amal.put_card(FOCAL)
    return amal


def alerts_in(amal) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    amal.pull_inbox()
    return [item.body for item in amal.inbox.values() if item.body.get("kind") == "sp.alert"]


def later(monkeypatch, hours: float) -> None:  # type: ignore[no-untyped-def]
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + hours * 3600)


def test_a_missed_check_in_is_released_and_a_kept_one_never_is(issue_invite, phones, live_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    amal = focal_point(live_server, issue_invite)
    layla = joined(phones, issue_invite, "delegate", "Layla")
    # Seven hours on, her server session has expired: the app's first call is refused (401)
    # and it signs in again silently. The browser logs that refusal.
    phones.opened[-1].guard.expect_console_error("401 (UNAUTHORIZED)")
    layla.contacts.open()
    layla.contacts.update()

    # Layla sets a check-in before the airport, and checks in when she is through
    layla.checkin.open()
    layla.checkin.set("within 6 hours", [FOCAL], "Flight TK 1 via Istanbul; lawyer +1 555 0100")
    layla.checkin.check_in()
    # The deadline passes: the server deleted that alert, so nobody ever gets it
    later(monkeypatch, 7)
    assert alerts_in(amal) == []
    monkeypatch.undo()

    # Before the next border she sets another and cannot check in
    layla.checkin.set("within 6 hours", [FOCAL], "Detained at JFK terminal 4; lawyer +1 555 0199")
    assert alerts_in(amal) == []  # held: not before the deadline
    later(monkeypatch, 7)
    (alert,) = alerts_in(amal)
    assert alert["alert"] == "checkin"
    assert alert["text"] == "Detained at JFK terminal 4; lawyer +1 555 0199"
    assert alert["from"] == "Layla"
    # Her own screen says it went out
    layla.checkin.open()
    expect(layla.checkin.timers().first).to_contain_text("The alert was sent to")


def test_the_duress_passphrase_opens_an_empty_vault_and_the_alert_arrives(issue_invite, phones, live_server) -> None:  # type: ignore[no-untyped-def]
    amal = focal_point(live_server, issue_invite)
    layla = joined(phones, issue_invite, "delegate", "Layla")
    layla.contacts.open()
    layla.contacts.update()
    layla.delegate_logs_incident("Phone taken at secondary screening", "Device search", "They copied my phone.")
    layla.duress.open()
    assert layla.duress.warnings(), "the duress section must say what it cannot do"
    layla.duress.set(DURESS, [FOCAL], "I was made to open the app. Do not call me.")
    assert alerts_in(amal) == []  # registered, held, unreadable by the server

    # At the border she is made to unlock: the duress passphrase shows an empty vault
    layla.lock()
    layla.unlock(DURESS)
    expect(layla.incidents.get_by_role("listitem")).to_have_count(0)
    assert layla.nav_names() == []  # no account, no contacts: a fresh-looking app
    # … and the alert reaches her focal point
    (alert,) = _eventually(lambda: alerts_in(amal))
    assert alert["alert"] == "duress"
    assert alert["text"] == "I was made to open the app. Do not call me."

    # Later, safe, her real passphrase opens everything as it was
    layla.lock()
    layla.unlock(PASSPHRASE)
    assert layla.incident_titles() == ["Phone taken at secondary screening"]


def _eventually(probe, tries: int = 40):  # type: ignore[no-untyped-def]
    """The decoy sends the release as soon as it opens; give the request time to land."""
    import time
    for _ in range(tries):
        found = probe()
        if found:
            return found
        time.sleep(0.25)
    return probe()

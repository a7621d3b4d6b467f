"""Accounts, devices and sync (issue 5) in Chromium at 360 px, as delegates use them: an invite
link, Create account, incidents logged offline, Sync now, Sign in on other phones, two phones
editing one incident, a lost phone revoked, and Prepare for crossing. Then what the server and
the network saw: none of what the delegate wrote, in any encoding."""
from __future__ import annotations

import os
import re
import secrets

from playwright.sync_api import expect

from tests.e2e.leaks import dump_database, find_leaks
from tests.e2e.pages.account_pages import SYNC
from tests.e2e.test_accessibility import check_both_languages, names_reached_by_tab

PASSPHRASE = "river lamp orange school at dawn"


def canary(label: str) -> str:
    """Text that exists nowhere else: random, with Arabic so UTF-16 and \\u escapes matter."""
    return f"{label}-{secrets.token_hex(10)}-عصفور"


def new_username() -> str:
    return f"delegate.{secrets.token_hex(4)}"


def log_incident_with_evidence(device, title: str, where: str, what: str, evidence: tuple[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    name, data = evidence
    device.open_new_incident()
    device.fill_incident(title=title, type_label="Device search", where=where, what=what,
                         files=[{"name": name, "mimeType": "text/plain", "buffer": data}])
    device.save_incident()


def test_incidents_logged_offline_reach_two_more_phones_and_no_server_byte_or_request_holds_them(  # type: ignore[no-untyped-def]
        issue_invite, phones, database_url, server_log, security_figure) -> None:
    username, display_name = new_username(), canary("Layla")
    titles = [canary("title-one"), canary("title-two")]
    wheres = [canary("where-one"), canary("where-two")]
    whats = [canary("what-one"), canary("what-two")]
    evidence_canary = canary("evidence")
    evidence_name = f"{canary('file')}.txt"
    # An attachment of four SP1 chunks with the canary at the start and across a chunk boundary.
    evidence = (evidence_canary.encode() + os.urandom(65_500) + evidence_canary.encode()
                + os.urandom(150_000) + evidence_canary.encode())

    # Given a delegate who opened the focal point's invite link on their first phone
    one = phones()
    one.device.open_invite(issue_invite().url)
    assert "invite" not in one.page.url  # taken out of the address bar at once
    one.device.wait_until_installed_for_offline_use()
    secret_key = one.device.delegate_creates_vault_for_the_invite(PASSPHRASE)
    one.device.delegate_creates_account(username, display_name)

    # When they log two incidents, one with evidence, with no connection at all
    one.page.context.set_offline(True)
    one.guard.expect_console_error("ERR_INTERNET_DISCONNECTED")
    log_incident_with_evidence(one.device, titles[0], wheres[0], whats[0], (evidence_name, evidence))
    one.device.delegate_logs_incident(titles[1], "Visa denied or delayed", whats[1], Where=wheres[1])
    # Sync now says plainly that nothing was lost
    error = one.device.sync_fails()
    assert "Nothing was lost. Try again on a safe connection." in error

    # And sync once they are back on a safe connection
    one.page.context.set_offline(False)
    one.device.open_sync()
    plan = one.device.plan()
    # Two incidents and the account's sealed profile (display name, pinned server key)
    assert plan.startswith("Ready to send: 3 records and 1 attachment, "), plan
    result = one.device.sync_now()
    assert "Everything is on the server." in result
    expect(one.page.get_by_text("Nothing new to send from this phone.")).to_be_visible()

    # Then their second phone, signed in with Username, Passphrase and Secret Key, has it all
    for label in ("second phone", "third phone"):
        phone = phones()
        phone.device.open()
        # The Secret Key as typed from the paper kit: lower case, spaces instead of dashes
        phone.device.sign_in(username, PASSPHRASE, secret_key.lower().replace("-", " "))
        assert sorted(phone.device.incident_titles()) == sorted(titles), label
        phone.device.open_incident(titles[0])
        expect(phone.page.get_by_text(whats[0])).to_be_visible()
        expect(phone.page.get_by_text(wheres[0])).to_be_visible()
        expect(phone.page.get_by_text(evidence_name)).to_be_visible()
        assert phone.device.attachment_bytes(titles[0], evidence_name) == evidence, label
        assert "Everything is on the server." in phone.device.sync_now()

    # And none of it is in the database, the server's log or any request a browser sent
    dump, rows = dump_database(database_url)
    assert rows.get("records", 0) >= 3 and len(dump) > len(evidence), rows  # the ciphertext is there
    typed = [*titles, *wheres, *whats, evidence_canary, evidence_name]
    written = {f"canary {i}": text for i, text in enumerate(typed)}
    written["display name"] = display_name
    sent = phones.sent()
    log = "\n".join(server_log).encode()
    assert log, "the server logged nothing: the log capture is not working"
    assert find_leaks(dump, {**written, "username": username}) == []
    assert find_leaks(log, {**written, "username": username}) == []
    assert find_leaks(sent, written) == []
    security_figure("canary.server", f"{len(written) + 1} canaries, 0 found",
                    "canaries typed on phones, searched in every encoding (UTF-8/16, base64, hex, URL, JSON) in the database, server log and every request")


def first_phone_with_account(phones, issue_invite, username: str):  # type: ignore[no-untyped-def]
    """A delegate's first phone, enrolled from an invite; returns (phone, Secret Key)."""
    phone = phones()
    phone.device.open_invite(issue_invite().url)
    secret_key = phone.device.delegate_creates_vault_for_the_invite(PASSPHRASE)
    phone.device.delegate_creates_account(username, "Layla")
    return phone, secret_key


def test_two_phones_edit_one_incident_both_versions_survive_as_a_conflict_resolved_on_either(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    username = new_username()
    one, secret_key = first_phone_with_account(phones, issue_invite, username)
    one.device.delegate_logs_incident("Questioned at the airport", "Secondary screening or questioning",
                                      "Two hours in a side room.")
    one.device.sync_now()
    two = phones()
    two.device.open()
    two.device.sign_in(username, PASSPHRASE, secret_key)

    # Given both phones change the same version before either syncs
    one.device.open_incident("Questioned at the airport")
    one.device.edit_open_incident(what="Phone one: two officers asked about my NGO.")
    two.device.open_incident("Questioned at the airport")
    two.device.edit_open_incident(what="Phone two: they photographed my passport.")

    # When both sync
    assert "Everything is on the server." in one.device.sync_now()
    result = two.device.sync_now()

    # Then nothing is lost: the incident is listed once, flagged "Conflict" in words
    assert "1 incident was changed on two devices" in result
    two.device.button("My incidents").click()
    entry = two.device.incident_entry("Questioned at the airport")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Conflict")
    check_both_languages(two.page, "list with a conflict")
    # And the detail shows both versions, each with when it was saved
    two.device.open_incident("Questioned at the airport")
    versions = two.device.conflict_versions()
    expect(versions).to_have_count(2)
    expect(versions.filter(has_text="Phone one: two officers")).to_have_count(1)
    expect(versions.filter(has_text="Phone two: they photographed")).to_have_count(1)
    expect(versions.get_by_role("heading", level=4).first).to_contain_text("Version 1 of 2, saved")
    # Reachable by keyboard and clean for axe, in English and Arabic
    assert names_reached_by_tab(two.page).count("Keep this version") == 2
    check_both_languages(two.page, "conflict detail")

    # When the delegate keeps one version on the second phone and both phones sync
    two.device.keep_version("Phone one: two officers")
    expect(versions).to_have_count(0)
    two.device.sync_now()
    one.device.sync_now()

    # Then the conflict is gone on both, and the version kept is the current one everywhere
    for device in (one.device, two.device):
        device.button("My incidents").click()
        entry = device.incident_entry("Questioned at the airport")
        expect(entry).to_have_count(1)
        expect(entry).not_to_contain_text("Conflict")
        device.open_incident("Questioned at the airport")
        expect(device.page.locator("#screen .facts").first).to_contain_text("Phone one: two officers")
        # The other version stays in the history: nothing is ever dropped
        expect(device.page.locator(".history details")).to_have_count(3)


def test_a_phone_revoked_from_another_can_no_longer_sync(issue_invite, phones) -> None:  # type: ignore[no-untyped-def]
    username = new_username()
    lost, secret_key = first_phone_with_account(phones, issue_invite, username)
    lost.device.sync_now()
    lost.device.open_devices()
    lost_name = lost.device.this_device_name()
    kept = phones()
    kept.device.open()
    kept.device.sign_in(username, PASSPHRASE, secret_key)

    # When the delegate revokes the lost phone from the other one
    kept.device.open_devices()
    expect(kept.device.device_list.get_by_role("listitem")).to_have_count(2)
    kept.device.revoke(lost_name)

    # Then the lost phone's next sync is refused, and it says so
    lost.guard.expect_console_error("status of 401")
    lost.guard.expect_console_error("status of 403")
    error = lost.device.sync_fails()
    assert "This device was removed from your account (revoked)" in error
    # While the phone that revoked it syncs as before
    assert "Everything is on the server." in kept.device.sync_now()

    # Sign out ends the server session; the next Sync now signs in again (the vault is unlocked)
    kept.device.button("Sign out").click()
    expect(kept.device.status).to_have_text(
        "Signed out of the server. Your reports stay on this phone, locked with your passphrase.")
    kept.guard.expect_console_error("status of 401")
    assert "Everything is on the server." in kept.device.sync_now()


def test_prepare_for_crossing_leaves_an_empty_phone_and_sign_in_brings_everything_back(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    username = new_username()
    evidence = b"photo of the officer's badge " + os.urandom(70_000)
    phone, secret_key = first_phone_with_account(phones, issue_invite, username)
    device = phone.device
    device.wait_until_installed_for_offline_use()
    device.page.get_by_label("Language").select_option("en")
    device.button("New incident").click()
    log_incident_with_evidence(device, "Laptop imaged at the border", "Terminal 2", "They copied the disk.",
                               ("badge.txt", evidence))

    # Without a connection, Prepare for crossing deletes nothing, and says so first
    device.open_sync()
    device.button("Prepare for crossing").click()
    expect(device.page.get_by_text("Your username: " + username)).to_be_visible()
    phone.page.context.set_offline(True)
    device.button("Prepare for crossing").click()
    device.button("Yes, send everything and empty this phone").click()
    expect(device.alert).to_contain_text("Nothing was deleted: everything is still on this phone.")
    expect(device.alert).to_contain_text("The server cannot be reached.")
    phone.page.context.set_offline(False)

    # When the delegate prepares for crossing (nothing synced yet: it sends everything first)
    device.prepare_for_crossing()

    # Then the phone holds nothing: no incident, no key, no record in IndexedDB — only the
    # display preferences, so the app does not change language or name right before a border
    rows = device.stored_rows()
    assert sum(n for store, n in rows.items() if not store.endswith("/prefs")) == 0, rows
    assert set(device.preference_keys()) == {"language"}
    # And the message that says so can be hidden before anyone else sees the phone
    device.button("Hide this message").click()
    expect(device.page.get_by_text("This phone now holds none of your reports.")).to_have_count(0)
    # And the app still opens without a connection, empty
    phone.page.context.set_offline(True)
    device.reload()
    expect(device.button("Create vault")).to_be_visible()
    expect(device.button("Lock")).to_have_count(0)
    phone.page.context.set_offline(False)

    # When, after the border, the delegate signs in again
    device.sign_in(username, PASSPHRASE, secret_key)

    # Then everything is back, the evidence byte for byte
    assert device.incident_titles() == ["Laptop imaged at the border"]
    assert device.attachment_bytes("Laptop imaged at the border", "badge.txt") == evidence


def test_an_invite_works_once_and_its_token_only_ever_travels_in_a_post_body(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    invite = issue_invite()
    first = phones()
    first.device.open_invite(invite.url)
    first.device.delegate_creates_vault_for_the_invite(PASSPHRASE)
    first.device.delegate_creates_account(new_username(), "Layla")

    # When the same link is opened again, on another phone
    second = phones()
    second.guard.expect_console_error("status of 410")
    second.device.open_invite(invite.url)
    second.device.delegate_creates_vault_for_the_invite(PASSPHRASE)
    second.device.fill_account_form(new_username(), "Someone else")

    # Then it is refused, with what to do — and no way to try the same invite again
    alert = second.device.alert
    expect(alert).to_contain_text("it was already used or it has expired", timeout=SYNC)
    expect(alert).to_contain_text("Ask your focal point for a new invitation.")
    expect(second.device.button("Create account")).to_be_disabled()

    # And the token never appeared in a URL or a header: only in the body of a POST
    for phone in phones.opened:
        assert "invite" not in phone.page.url
        for method, url, headers, body in phone.traffic.requests:
            assert invite.token not in url, url
            assert not any(invite.token in value for value in headers.values()), (url, headers)
            if invite.token.encode() in body:
                assert method == "POST" and "/api/auth/" in url, url
    assert any(invite.token.encode() in body for body in first.traffic.bodies_to("/api/auth/enrol"))


def test_a_server_that_cannot_prove_it_stored_the_data_gets_a_serious_warning_and_crossing_deletes_nothing(  # type: ignore[no-untyped-def]
        issue_invite, phones) -> None:
    phone, _ = first_phone_with_account(phones, issue_invite, new_username())
    device = phone.device
    device.delegate_logs_incident("Followed from the hotel", "Surveillance or photographing", "A grey car.")

    # Given a server (or someone in the middle) that answers a push with a receipt that does
    # not verify under the key pinned at enrolment
    def forge_receipts(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        answer = response.json()
        for result in answer.get("results", []):
            sig = result["receipt"]["sig"]
            result["receipt"]["sig"] = ("B" if sig[0] == "A" else "A") + sig[1:]
        route.fulfill(response=response, json=answer)

    phone.page.route("**/api/records", lambda route: forge_receipts(route) if route.request.method == "POST"
                     else route.fallback())
    # Then Sync now says so, plainly and seriously
    error = device.sync_fails()
    assert error.startswith("Warning: the server could not prove that it stored your data."), error
    expect(device.alert).to_have_class(re.compile(r"\bserious\b"))
    phone.page.unroute("**/api/records")
    assert "Everything is on the server." in device.sync_now()  # the honest server: receipts verify

    # Given a server whose chain heads do not match this phone's records
    phone.page.route("**/api/records/heads", lambda route: route.fulfill(json={"heads": []}))
    # When the delegate prepares for crossing, every check runs before anything is deleted
    device.button("Prepare for crossing").click()
    device.button("Prepare for crossing").click()
    device.button("Yes, send everything and empty this phone").click()
    # Then nothing was deleted, and the phone says so first
    expect(device.alert).to_contain_text("Nothing was deleted: everything is still on this phone.", timeout=SYNC)
    expect(device.alert).to_contain_text("the server could not prove that it stored your data")
    device.button("My incidents").click()
    assert device.incident_titles() == ["Followed from the hotel"]

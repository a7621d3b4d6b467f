"""The server lies; the people using the app must see it, and nothing must leave silently.

1. The server substitutes its own key for a focal point the delegate has already met (the
   directory row is rewritten in the database, with a card re-signed by the substitute key):
   the delegate's Contacts raise the alarm and no report is wrapped to the substitute.
2. The server withholds, replays and re-orders the messages of a delegate's device in a focal
   point's inbox, and slips in a forged report (the answers of GET /api/inbox are rewritten in
   flight): every report affected says so in its Verification section, the list marks it, and
   the forgery is not opened but counted on the Inbox screen."""
from __future__ import annotations

import json

import spcrypto
from playwright.sync_api import Route, expect
from spcrypto import b64u_encode
from sqlalchemy import select

from tests.e2e.test_sharing import PHOTO, joined
from tests.support.sync_client import new_account

FOCAL = "Amal Haddad"


def substitute_key(app, account_id: str, name: str) -> bytes:  # type: ignore[no-untyped-def]
    """What a malicious operator does: a fresh identity, a valid self-signed bundle for the
    same account id and role, a card with the same name. Returns the substitute's kid."""
    from server.db import db
    from server.models import Account, Card

    mallory = spcrypto.generate_identity()
    with app.app_context():
        session = db.session()
        account = session.scalar(select(Account).where(Account.id == account_id))
        signed = spcrypto.make_bundle(mallory, account_id, account.role)
        bundle = spcrypto.verify_bundle(signed)
        account.bundle, account.bundle_sig = signed["bundle"], signed["sig"]
        account.kid = b64u_encode(bundle.kid)
        account.sig_pub, account.enc_pub = b64u_encode(bundle.sig_pub), b64u_encode(bundle.enc_pub)
        card = session.get(Card, account_id)
        fake = spcrypto.make_card(mallory, name)
        card.card, card.sig = fake["card"], fake["sig"]
        session.commit()
        session.close()
    return bundle.kid


def shares_to(app, kid: bytes) -> int:  # type: ignore[no-untyped-def]
    from server.db import db
    from server.models import Share

    with app.app_context():
        session = db.session()
        rows = session.scalars(select(Share)).all()
        count = sum(1 for row in rows if json.loads(row.wrap)["kid"] == b64u_encode(kid))
        session.close()
    return count


def test_a_substituted_focal_point_key_is_flagged_and_nothing_is_shared_with_it(  # type: ignore[no-untyped-def]
        issue_invite, phones, live_server, live_app) -> None:
    (amal,) = new_account(live_server, issue_invite("focal-point").token, role="focal-point")
    amal.put_card(FOCAL)
    layla = joined(phones, issue_invite, "delegate", "Layla")
    layla.delegate_logs_incident("Questioned about the forum", "Secondary screening or questioning", "Two hours, about my union.",
                                 files=[PHOTO])
    layla.contacts.verify_in_person(FOCAL)  # the key she met is pinned and verified

    # The operator swaps Amal's key for its own
    mallory_kid = substitute_key(live_app, b64u_encode(amal.account_id), FOCAL)
    layla.contacts.update()
    expect(layla.contacts.entry(FOCAL)).to_contain_text("Key changed")
    expect(layla.page.get_by_role("alert").filter(has_text=FOCAL)).to_be_visible()

    # Sharing with her is refused on the phone, before anything is sent
    layla.open_incident("Questioned about the forum")
    layla.button("Share").click()
    expect(layla.share_screen.recipient(FOCAL)).to_be_disabled()
    layla.sync_now()
    assert shares_to(live_app, mallory_kid) == 0


def test_withheld_replayed_and_reordered_messages_are_flagged_in_the_inbox(  # type: ignore[no-untyped-def]
        issue_invite, phones, live_server) -> None:
    amal = joined(phones, issue_invite, "focal-point", FOCAL)
    (layla,) = new_account(live_server, issue_invite("delegate").token, role="delegate")
    focal = next(c.bundle for c in layla.directory() if c.card and c.card.name == FOCAL)
    me = b64u_encode(layla.bundle.kid)
    titles = ["Visa refused twice", "Followed from the hotel", "Laptop imaged at the airport",
              "Questioned about the forum"]
    for title in titles:  # one report and one signed share message each: messages n = 1 … 4
        rid = layla.create_record({"kind": "sp.incident", "ver": 1, "c": json.dumps(
            {"title": title, "type": "surveillance", "what": title})}, to=[focal])
        layla.send_message("sp.share", [focal], items=[{
            "rid": b64u_encode(rid), "entry": b64u_encode(layla.records[rid].entry_hash),
            "author": me}], consent={"contact": True, "statistics": True, "legal": False})
    layla.sync()

    def lie(route: Route) -> None:
        """Withhold the 2nd share message, deliver the 4th before the 3rd, and repeat the 1st."""
        answer = route.fetch()
        body = answer.json()
        items = body["items"]
        shares = [i for i, item in enumerate(items) if _kind_is_share(item, layla)]
        if len(shares) == 4:
            first, second, third, fourth = (items[i] for i in shares)
            rest = [item for item in items if item not in (first, second, third, fourth)]
            # ... and slip in a forgery: a report under another record's signature
            forged = dict(rest[0], envelope=dict(rest[0]["envelope"], sig=rest[1]["envelope"]["sig"]))
            # A lying server numbers its cursors to match the order it chose
            told = rest + [first, fourth, third, first, forged]
            start = items[0]["cursor"]
            body["items"] = [dict(item, cursor=start + i) for i, item in enumerate(told)]
            body["next"] = body["items"][-1]["cursor"]
        route.fulfill(response=answer, body=json.dumps(body))

    amal.page.route("**/api/inbox?*", lie)
    amal.sync_now()
    amal.inbox.open()
    expect(amal.inbox.entries()).to_have_count(4)
    # The forgery was not opened, and the Inbox says that something failed its checks
    expect(amal.page.locator("#screen .rejected")).to_have_text(
        "The server delivered 1 item that failed its checks. It was not opened. "
        "Tell your coalition's security contact.")
    # The report whose share message was withheld has no signed consent and says so
    withheld = amal.inbox.open_report("Followed from the hotel")
    assert withheld.checks()["Order"] != "OK"
    amal.inbox.open()
    reordered = amal.inbox.open_report("Questioned about the forum")
    assert reordered.checks()["Order"] != "OK"
    amal.inbox.open()
    replayed = amal.inbox.open_report("Visa refused twice")
    assert replayed.checks()["Order"] != "OK"
    amal.inbox.open()
    # The list marks what did not pass, and never claims all checks passed for them
    for title in ("Visa refused twice", "Followed from the hotel", "Questioned about the forum"):
        expect(amal.inbox.entry(title)).not_to_contain_text("All checks passed")


def _kind_is_share(item: dict, layla) -> bool:  # type: ignore[no-untyped-def, type-arg]
    """Which inbox items are Layla's share messages (the test knows their rids; the server and
    the proxy cannot read the bodies)."""
    rid = spcrypto.parse_header(item["envelope"]["hdr"]).rid
    record = layla.records.get(rid)
    return record is not None and record.body.get("kind") == "sp.share"

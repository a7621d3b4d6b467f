"""A delegate withdraws her report from a legal supporter it was referred to (pwa/js/legal/
withdraw.js, sharing.sharesOf/revoke; docs/legal-contract.md §0.1 "revoked", §0.3): Amal shares a
report with a photo with Maria, consenting to legal support; Maria refers it to Layla, who opens
it. Amal sees Layla among those who hold it, referred by Maria, and revokes: the server stops
serving Layla the report and its photo, Layla's app removes its copy at her next sync, and the
case — which stays, for Layla as for everyone — logs the withdrawal. Maria keeps the report Amal
shared with her."""
from __future__ import annotations

from typing import Any

import pytest

from .steps import Trio, case_view, own_kid, read_attachment, referred_case

pytestmark = pytest.mark.browser

PHOTO = bytes((i * 53 + 7) & 255 for i in range(70_000))  # 2 ciphertext chunks

# What the server gives the page that asks, as data: attachment status, and the rids of the
# records in the inbox from the first cursor on.
SERVER_GIVES = """
async (aid) => {
  const attachment = (await fetch('/api/attachments/' + aid)).status;
  const inbox = await (await fetch('/api/inbox?after=0&limit=200')).json();
  return { attachment, rids: inbox.items.map((item) => JSON.parse(item.envelope.hdr).rid) };
}
"""


def shares_of(person: Any, rid: str) -> list[dict[str, Any]]:
    return list(person.run("async (rid) => t.s.sharesOf(rid)", rid))


def inbox_chunks(person: Any, aid: str) -> int:
    """How many chunks of attachment `aid` the phone keeps for its inbox (keys ["inbox:<aid>", i])."""
    return int(person.run("async (aid) => (await t.raw('chunks')).filter(([k]) => k[0] === 'inbox:' + aid).length", aid))


def withdrawal_resolved(view: dict[str, Any], by: str, kid: str, rid: str) -> None:
    """The case log has Amal's "revoked" of `kid` about the report, passing, nothing missing."""
    [revoked] = [e for e in view["log"] if e["event"] == "revoked"]
    assert (revoked["by"]["uid"], revoked["detail"], revoked["state"], revoked["missing"]) == (by, {"kid": kid}, "ok", [])
    assert [x["rid"] for x in revoked["items"]] == [rid]
    assert view["logVerdict"]["state"] == "ok" and view["logVerdict"]["missing"] == []
    assert [e["event"] for e in view["log"]][:2] == ["shared", "referred"]


def test_the_delegate_withdraws_her_report_from_the_legal_supporter_it_was_referred_to(trio: Trio) -> None:
    amal, maria, layla = trio.delegate, trio.maria, trio.layla
    # Given a report with a photo that Amal shared with Maria (legal support allowed), Maria
    # referred to Layla, and Layla holds and has opened
    rid, case = referred_case(trio, "Searched at the bus station", files=[("photo.jpg", "image/jpeg", PHOTO)])
    [report] = case_view(layla, case)["reports"]
    [photo] = report["attachments"]
    aid = photo["aid"]
    assert read_attachment(layla, case, photo["rid"], aid) == PHOTO and inbox_chunks(layla, aid) == 2
    assert layla.run("async ({ c, r }) => t.l.openReport(c, r)", {"c": case, "r": rid})["sealed"] is True
    assert layla.sync()["ok"] and maria.sync()["ok"]
    given = layla.run(SERVER_GIVES, aid)
    assert given["attachment"] == 200 and rid in given["rids"]
    layla_kid = own_kid(layla)

    # When Amal syncs (the referral reaches her) with Layla in her contacts
    amal.run("async () => t.s.refreshDirectory()")
    assert amal.sync()["ok"]
    # Then "Shared with" lists Maria, and Layla as referred by Maria
    shares = {s["uid"]: s for s in shares_of(amal, rid)}
    assert set(shares) == {maria.uid, layla.uid}
    assert (shares[maria.uid]["via"], shares[maria.uid]["state"]) == (None, "shared")
    held = shares[layla.uid]
    assert (held["name"], held["state"], held["via"], held["cases"]) == ("Layla", "shared", {"uid": maria.uid, "name": "Maria"}, [case])
    assert held["at"] > 0

    # When she revokes it for Layla
    done = amal.attempt("t.s.revoke(arg.rid, arg.uid)", {"rid": rid, "uid": layla.uid})
    assert done["ok"], done
    # Then it waits for "Sync now": one custody event (wrapped to Maria and Layla) and the
    # deletion of Layla's shares of the report and of Amal's consent
    assert {s["uid"]: (s["state"], s["via"]) for s in shares_of(amal, rid)} == {
        maria.uid: ("shared", None), layla.uid: ("revoking", {"uid": maria.uid, "name": "Maria"})}
    plan = amal.run("async () => t.a.plan()")
    assert (plan["messages"], plan["wraps"], plan["revocations"]) == (1, 2, 2), plan
    # And a second tap finds nothing left to revoke
    assert amal.attempt("t.s.revoke(arg.rid, arg.uid)", {"rid": rid, "uid": layla.uid})["code"] == "not-found"
    assert amal.sync()["ok"]
    assert [(s["uid"], s["state"]) for s in shares_of(amal, rid)] == [(maria.uid, "shared")]
    assert amal.run("async () => t.a.plan()")["revocations"] == 0

    # Then the server no longer gives Layla the report or its photo
    given = layla.run(SERVER_GIVES, aid)
    assert given["attachment"] == 404 and rid not in given["rids"]
    # When Layla syncs, her app removes its copy: not in the case, the Inbox, or IndexedDB
    got = layla.sync()
    assert got["ok"] and got["value"]["received"]["inbox"] == 1, got
    view = case_view(layla, case)
    assert view["reports"] == []
    assert rid not in [e["rid"] for e in layla.run("async () => t.s.inbox()")]
    assert layla.attempt("t.s.report(arg)", rid)["code"] == "not-found"
    assert inbox_chunks(layla, aid) == 0
    # And the case stays, logging Amal's withdrawal of Layla after the referral and the opening
    withdrawal_resolved(view, amal.uid, layla_kid, rid)
    assert sorted(e["event"] for e in view["log"][2:]) == ["opened", "revoked"]
    # (complete: the versions it names were withdrawn from her, not withheld)
    [listed] = [c for c in layla.run("async () => t.l.cases()") if c["case"] == case]
    assert (listed["reports"], listed["complete"]) == (0, True)
    # And a later sync does not bring it back
    assert layla.sync()["ok"] and case_view(layla, case)["reports"] == []

    # And Amal's and Maria's logs show the same withdrawal, every prev resolved
    withdrawal_resolved(case_view(amal, case), amal.uid, layla_kid, rid)
    assert maria.sync()["ok"]
    withdrawal_resolved(case_view(maria, case), amal.uid, layla_kid, rid)
    # And Maria still holds the report and its photo, which the server still gives her
    assert [r["rid"] for r in case_view(maria, case)["reports"]] == [rid]
    assert maria.run("async (rid) => t.s.report(rid)", rid)["rid"] == rid
    assert maria.run("async ({ rid, aid }) => t.sha(await t.s.readAttachment(rid, aid))", {"rid": photo["rid"], "aid": aid}) == photo["sha256"]
    assert maria.run(SERVER_GIVES, aid)["attachment"] == 200

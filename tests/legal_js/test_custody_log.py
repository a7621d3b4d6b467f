"""The custody log when the server lies (pwa/js/legal/, issue 7): a custody event withheld from
the legal supporter's inbox is named — by its entry hash — as missing, because the next event
names it in its signed `prev`; the case is not complete and its report's custody line says so."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Route

from tests.sharing_js.steps import header_rid

from .steps import Trio, case_view, integrity, referred_case

pytestmark = pytest.mark.browser


def test_a_custody_event_the_server_withholds_is_named_as_missing(trio: Trio) -> None:
    maria, layla = trio.maria, trio.layla
    # Given a case Maria referred to Layla
    rid, case = referred_case(trio, "Phone taken at the checkpoint")
    # When Maria adds two notes to the case and syncs
    for text in ("Call the embassy first.", "The embassy called back."):
        maria.run("async ({ c, text }) => t.l.addCaseNote(c, text)", {"c": case, "text": text})
    assert maria.sync()["ok"]
    first, second = [e for e in case_view(maria, case)["log"] if e["event"] == "note"]
    assert second["missing"] == [] and first["state"] == second["state"] == "ok"

    # And the server leaves the first note out of Layla's inbox
    def withhold(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["items"] = [item for item in body["items"] if header_rid(item) != first["rid"]]
        route.fulfill(response=answer, body=json.dumps(body))

    layla.page.route("**/api/inbox?*", withhold)
    got = layla.sync()
    layla.page.unroute("**/api/inbox?*", withhold)
    assert got["ok"], got

    # Then Layla's log names the withheld note by its entry hash, on the note that follows it
    view = case_view(layla, case)
    assert view["logVerdict"] == {"state": "fail", "events": 3, "missing": [first["entry"]]}
    assert [(e["event"], e["state"]) for e in view["log"]] == [("shared", "ok"), ("referred", "ok"), ("note", "fail")]
    note = view["log"][-1]
    assert note["entry"] == second["entry"] and note["missing"] == [first["entry"]]
    assert "missing-prev" in note["reasons"] and "gap" in note["reasons"]
    assert [n["text"] for n in view["notes"]] == ["The embassy called back."]
    # And the case is not complete, which the report's custody line repeats
    [listed] = [c for c in layla.run("async () => t.l.cases()") if c["case"] == case]
    assert listed["complete"] is False
    custody = next(line for line in integrity(layla, case, rid) if line["check"] == "custody")
    assert custody["state"] == "warn" and custody["reasons"] == ["log-incomplete"]

"""Referral to legal support (pwa/js/legal/, issue 7) in Chromium against the live server: a
delegate shares a report with a photo with focal point Maria, consenting to legal support; Maria
refers it to legal supporter Layla; Layla reviews the case — every version, the photo, every
integrity line, the custody log from the delegate's share to her own first opening — and notes
travel between Maria and Layla both ways; the delegate learns who now holds her evidence; Layla
exports the case as an evidence bundle that the Python implementation of SP1 verifies.

Without the delegate's signed consent, nothing is sealed, queued or sent."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Request

from crypto import spcrypto

from tests.sharing_js.steps import incident

from .steps import (
    Trio, assert_bundle_layout, case_view, export, integrity, own_kid, read_attachment, refer, share, sha, unzip, verifier_passes,
)

pytestmark = pytest.mark.browser

PHOTO = bytes((i * 37 + 11) & 255 for i in range(150_000))  # 3 ciphertext chunks
TITLE = "Airport questioning <img src=x onerror=alert(1)>"  # markup in it stays text
NOTE_LAYLA = "Please ask Amal whether the officers kept a copy of her phone."
NOTE_FOR_MARIA = "Layla: the hearing is on the 14th."
NOTE_FOR_LAYLA = "Maria: Amal can come to the office on Monday."
PASSPHRASE = "olive roots under the snow 7"
ALL_OK = ["ok"] * 6


def events(view: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(e["event"], e["state"]) for e in view["log"]]


def test_a_referred_report_reaches_legal_support_with_its_custody_log_and_bundle(trio: Trio, tmp_path: Path) -> None:
    amal, maria, layla = trio.delegate, trio.maria, trio.layla
    # Given a report with a photo, corrected once, that Amal shares with Maria, consenting to
    # legal support
    first = incident(amal, "Questioned at the airport", files=[("photo.jpg", "image/jpeg", PHOTO)])
    second = amal.run(
        """async (rid) => { const { current } = await t.v.getIncident(rid);
              return t.v.saveIncident({ ...current.content, what: "They copied my phone." }, { supersedes: rid }); }""",
        first["rid"])
    rid = second["rid"]
    share(amal, [rid], maria, legal=True)
    assert amal.sync()["ok"] and maria.sync()["ok"]

    # When Maria, who may refer it, refers it to Layla
    assert maria.run("async (rid) => t.l.referable(rid)", rid) == {"ok": True, "reason": None}
    case = refer(maria, [rid], layla, TITLE)
    # Then the referral waits for "Sync now": the referral and the status, their wraps, and
    # Maria's re-shares of both versions and of Amal's signed consent to Layla
    plan = maria.run("async () => t.a.plan()")
    assert (plan["messages"], plan["wraps"]) == (2, 7), plan
    assert maria.sync()["ok"]
    assert maria.run("async () => t.a.plan()")["wraps"] == 0

    # When Layla syncs and compares Amal's safety number in person
    got = layla.sync()
    assert got["ok"], got
    assert got["value"]["received"]["inbox"] == 5 and got["value"]["received"]["attachments"] == 1
    layla.run("async (uid) => t.s.markVerified(uid)", amal.uid)
    # Then the case is hers, referred by Maria, complete
    [listed] = [c for c in layla.run("async () => t.l.cases()") if c["case"] == case]
    assert (listed["title"], listed["reports"], listed["referredBy"]["uid"], listed["complete"]) == (TITLE, 1, maria.uid, True)
    # And her Inbox lists the report — not the custody record — referred, every check passed
    [entry] = [e for e in layla.run("async () => t.s.inbox()") if e["rid"] == rid]
    assert (entry["status"], entry["verified"], entry["flags"]) == ("referred", True, [])
    assert layla.run("async (rid) => t.s.report(rid)", rid)["consent"]["legal"] is True
    # And case review shows the report with both versions and the photo
    view = case_view(layla, case)
    assert {p["uid"] for p in view["holders"]} == {maria.uid, layla.uid}
    [report] = view["reports"]
    assert (report["rid"], report["title"], report["status"], report["consent"]["legal"]) == (rid, "Questioned at the airport", "referred", True)
    assert [v["rid"] for v in report["versions"]] == [first["rid"], rid] and all(v["receivedByServer"] for v in report["versions"])
    [photo] = report["attachments"]
    assert (photo["name"], photo["available"], photo["sha256"]) == ("photo.jpg", True, sha(PHOTO))

    # And the photo's integrity is "unchecked" until she reads it, then every line passes
    lines = integrity(layla, case, rid)
    assert [line["check"] for line in lines] == ["signature", "chain", "attachment", "receipt", "custody", "consent"]
    assert lines[2]["state"] == "unchecked"
    assert read_attachment(layla, case, photo["rid"], photo["aid"]) == PHOTO
    lines = integrity(layla, case, rid)
    assert [line["state"] for line in lines] == ALL_OK, lines
    checks = {line["check"]: line["params"] for line in lines}
    assert checks["signature"]["name"] == "Amal" and checks["signature"]["verified"] is True
    assert checks["attachment"]["matches"] is True and checks["consent"]["legal"] is True
    assert [(e["event"], e["by"]["uid"]) for e in checks["custody"]["events"]] == [("shared", amal.uid), ("referred", maria.uid)]

    # When she opens the report (twice at once: two taps) and adds a note to the case
    opened = layla.run("async ({ c, r }) => Promise.all([t.l.openReport(c, r), t.l.openReport(c, r)])", {"c": case, "r": rid})
    assert sorted(o["sealed"] for o in opened) == [False, True]
    assert layla.run("async ({ c, r }) => t.l.openReport(c, r)", {"c": case, "r": first["rid"]})["sealed"] is False
    layla.run("async ({ c, text }) => t.l.addCaseNote(c, text)", {"c": case, "text": NOTE_LAYLA})
    # Then her custody log reads: Amal's share, Maria's referral, her opening, her note — in order, all passing
    view = case_view(layla, case)
    assert events(view) == [("shared", "ok"), ("referred", "ok"), ("opened", "ok"), ("note", "ok")]
    assert [e["by"]["uid"] for e in view["log"]] == [amal.uid, maria.uid, layla.uid, layla.uid]
    assert view["logVerdict"] == {"state": "ok", "events": 4, "missing": []}

    # When notes go both ways on the report and everyone syncs
    layla.run("async ({ rid, text }) => t.s.addNote(rid, text)", {"rid": rid, "text": NOTE_FOR_MARIA})
    assert layla.sync()["ok"] and maria.sync()["ok"]
    maria.run("async ({ rid, text }) => t.s.addNote(rid, text)", {"rid": rid, "text": NOTE_FOR_LAYLA})
    assert maria.sync()["ok"] and layla.sync()["ok"]
    # Then Maria's case shows Layla's opening and note, and her report Layla's note
    maria_view = case_view(maria, case)
    assert events(maria_view) == [("shared", "ok"), ("referred", "ok"), ("opened", "ok"), ("note", "ok")]
    assert [(n["text"], n["by"]["uid"]) for n in maria_view["notes"]] == [(NOTE_LAYLA, layla.uid)]
    assert NOTE_FOR_MARIA in [n["text"] for n in maria.run("async (rid) => t.s.report(rid)", rid)["notes"]]
    # And Layla's report shows Maria's note
    assert NOTE_FOR_LAYLA in [n["text"] for n in layla.run("async (rid) => t.s.report(rid)", rid)["notes"]]
    # When Layla marks the report in progress, Maria sees it; Amal, who never wrote to Layla, is not
    # addressed (the server would refuse it), so nothing stays behind in Layla's outbox
    layla.run("async (rid) => t.s.setStatus([rid], 'in-progress')", rid)
    assert layla.sync()["ok"] and maria.sync()["ok"]
    assert layla.run("async () => (await t.raw('outbox')).length") == 0
    assert maria.run("async (rid) => t.s.report(rid)", rid)["status"] == "in-progress"

    # When Amal syncs, she learns of the referral and of the status, and nothing new is in her Inbox
    assert amal.sync()["ok"]
    [hers] = [c for c in amal.run("async () => t.l.cases()") if c["case"] == case]
    assert (hers["referredBy"]["uid"], hers["reports"], hers["title"]) == (maria.uid, 1, TITLE)
    amal_view = case_view(amal, case)
    assert len(amal_view["holders"]) == 2
    amal.run("async () => t.s.refreshDirectory()")  # Layla enrolled after Amal's last look
    amal_view = case_view(amal, case)
    assert {(p["uid"], p["name"]) for p in amal_view["holders"]} == {(maria.uid, "Maria"), (layla.uid, "Layla")}
    assert amal_view["reports"][0]["status"] == "referred"
    # Her "Shared with" names Maria, and Layla through Maria's referral
    holders = amal.run("async (rid) => t.s.sharesOf(rid)", rid)
    [held] = [s for s in holders if s["via"] is None]
    assert [(s["status"], s["by"]["uid"]) for s in held["statuses"]] == [("referred", maria.uid)]
    assert [(s["uid"], s["via"]["uid"]) for s in holders if s["via"]] == [(layla.uid, maria.uid)]
    assert amal.run("async () => t.s.inbox()") == []

    # When Layla exports the case for a lawyer who reads Arabic
    out = export(layla, case, lang="ar")
    assert out["filename"].startswith(f"case-{case[:8]}-") and out["filename"].endswith(".zip")
    assert out["phases"] == ["records", "seal", "zip"]
    # Then the ZIP has the layout of the contract, every record and file verifying in Python
    bundle = unzip(out["data"])
    layla_kid = own_kid(layla)
    assert_bundle_layout(bundle, case=case, exporter=layla_kid, manifest_sha256=out["manifestSha256"])
    manifest = bundle.manifest
    kinds = sorted(r["kind"] for r in manifest["records"])
    assert kinds == ["sp.custody"] * 3 + ["sp.incident"] * 2 + ["sp.share"]
    assert [bundle.json(r["path"])["shared_by"] for r in manifest["records"] if r["kind"] != "sp.custody"] == [own_kid(maria)] * 3
    assert [e["entry"] for e in case_view(layla, case)["log"] if e["event"] in ("referred", "opened", "note")] == manifest["custody"]
    [photo_entry] = manifest["attachments"]
    assert photo_entry["original"] == f"originals/{photo['aid']}/photo.jpg" and bundle.files[photo_entry["original"]] == PHOTO
    html = bundle.files["report.html"].decode()
    assert '<html lang="ar" dir="rtl">' in html and "<script" not in html and "<img" not in html
    assert "Airport questioning &lt;img src=x onerror=alert(1)&gt;" in html
    assert """<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">""" in html
    assert "حزمة الأدلة" in html and "Questioned at the airport" in html
    readme = bundle.files["README.txt"].decode()
    assert f"safepassage verify {out['filename']}" in readme and layla_kid in readme
    assert "make setup" in readme  # where a lawyer gets the verifier
    assert readme.index("حزمة") < readme.index("Safe Passage evidence bundle")
    # And the export itself is the newest event of the case
    assert events(case_view(layla, case))[-1] == ("exported", "ok")
    path = tmp_path / out["filename"]
    path.write_bytes(out["data"])
    verifier_passes(path)

    # When she exports it sealed under a passphrase for the way to the lawyer
    sealed = export(layla, case, lang="en", passphrase=PASSPHRASE)
    assert sealed["filename"].endswith(".sp1sealed") and sealed["data"].startswith(b"SP1-SEALED\n")
    # Then it opens with the passphrase into a bundle that verifies, naming the previous export
    inner = unzip(spcrypto.open_sealed_file(PASSPHRASE, sealed["data"]))
    assert_bundle_layout(inner, case=case, exporter=layla_kid, manifest_sha256=sealed["manifestSha256"])
    assert len(inner.manifest["custody"]) == 4
    sealed_path = tmp_path / sealed["filename"]
    sealed_path.write_bytes(sealed["data"])
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE)
    verifier_passes(sealed_path, "--passphrase-file", str(secret))


def test_without_the_delegates_consent_nothing_is_sealed_queued_or_sent(trio: Trio) -> None:
    amal, maria, layla = trio.delegate, trio.maria, trio.layla
    # Given a report Amal shared with Maria without consenting to legal support
    rid = incident(amal, "Followed after the meeting")["rid"]
    share(amal, [rid], maria, legal=False)
    assert amal.sync()["ok"] and maria.sync()["ok"]
    assert layla.sync()["ok"]
    cases_before = layla.run("async () => t.l.cases()")
    # Then the screen is told it cannot be referred
    assert maria.run("async (rid) => t.l.referable(rid)", rid) == {"ok": False, "reason": "no-consent"}
    records_before = maria.run("async () => t.port.unlocked().records.size")

    # When Maria tries to refer it to Layla anyway, while the network is watched
    requests: list[str] = []

    def watch(request: Request) -> None:
        requests.append(request.url)

    maria.page.on("request", watch)
    refused = maria.attempt("t.l.refer([arg.rid], { to: [arg.to], title: 'Followed' })", {"rid": rid, "to": layla.uid})
    maria.page.remove_listener("request", watch)
    # Then it is refused before anything is sealed, queued or sent
    assert refused["code"] == "no-consent"
    assert requests == []
    assert maria.run("async () => t.port.unlocked().records.size") == records_before
    plan = maria.run("async () => t.a.plan()")
    assert (plan["records"], plan["messages"], plan["wraps"]) == (0, 0, 0)

    # And after both sync, Layla holds nothing of it
    assert maria.sync()["ok"]
    got = layla.sync()
    assert got["ok"] and got["value"]["received"]["inbox"] == 0
    assert rid not in [e["rid"] for e in layla.run("async () => t.s.inbox()")]
    assert layla.run("async () => t.l.cases()") == cases_before
    assert layla.attempt("t.s.report(arg)", rid)["code"] == "not-found"

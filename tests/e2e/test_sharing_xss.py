"""Stored XSS: a report is written by whoever holds an invite. A hostile "delegate" (the Python
client, which writes exactly the records the app writes) shares reports whose every field, every
attachment name and MIME type, and her own display name carry the payloads of
``tests/e2e/xss_payloads.py``. The focal point opens every one of them in the app. Nothing may
run, nothing may be parsed into the page, no CSP violation may fire, and the text must still be
there to read — as text."""
from __future__ import annotations

import json
import struct
import zlib

from playwright.sync_api import expect
from spcrypto import b64u_encode

from tests.e2e.test_sharing import joined
from tests.e2e.xss_payloads import CLOBBERED_NAMES, XSS_PROBE, payloads
from tests.support.sync_client import new_account

# The incident's text fields (pwa/js/ui/incident-form.js), all shown by the report view.
FIELDS = ["title", "where", "officials", "what", "questions", "impact", "witnesses", "help", "when"]
PER_FIELD = 12
MIMES = ["image/png", "image/svg+xml", "text/html", "application/xhtml+xml", "image/png\" onerror=\"__xss(900)"]

# Everything under #screen that could run or navigate if a payload had been parsed as HTML.
INSPECT = """(names) => {
  const root = document.getElementById("screen");
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["script", "iframe", "object", "embed", "base", "meta", "link", "style", "frame",
         "frameset", "math", "template", "noscript", "xmp", "marquee"].includes(tag)) found.push("element " + tag);
    if (el.namespaceURI === "http://www.w3.org/2000/svg" && !el.closest("[data-app-svg]")) found.push("svg " + tag);
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) found.push(tag + " @" + a.name);
      if (/^(href|src|action|formaction|xlink:href|data|srcdoc|style)$/i.test(a.name)) {
        const v = a.value.trim();
        if (a.name === "style" ? /url|expression|position/i.test(v) : !(v === "" || v.startsWith("blob:" + location.origin)))
          found.push(tag + " @" + a.name + "=" + v.slice(0, 40));
      }
    }
  }
  const clobbered = names.filter((n) => n in window && !(n in Object.getPrototypeOf(window)) && window[n] instanceof Element);
  if (document.getElementById !== Document.prototype.getElementById) clobbered.push("document.getElementById");
  return { found, clobbered, hits: window.__xssHits.slice(), text: root.textContent };
}"""


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x20\xd0\x20" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def batches() -> list[list[str]]:
    every = payloads()
    assert len(every) >= 200
    return [every[i:i + PER_FIELD] for i in range(0, len(every), PER_FIELD)]


def hostile_delegate(live_server: str, invite: str, focal_name: str, accomplice: str):  # type: ignore[no-untyped-def]
    """Enrols through the API, finds Amal (and a hostile focal point) in the directory, and
    shares one report per batch with both: field f of report r holds batch (r + f) mod R, so
    every payload sits in every field once."""
    (mallory,) = new_account(live_server, invite, role="delegate")
    mallory.creds.display_name = "<img src=x onerror=__xss(950)>\u202Eevil"
    found = {c.card.name: c.bundle for c in mallory.directory() if c.card}
    amal, trudy = found[focal_name], found[accomplice]
    groups = batches()
    titles = []
    image = png()
    items = []
    for r in range(len(groups)):
        content = {name: "\n".join(groups[(r + f) % len(groups)]) for f, name in enumerate(FIELDS)}
        content["title"] = f"R{r:02d} " + content["title"]
        content["type"] = groups[r][0]
        content["consent"] = {"contact": True, "statistics": True, "legal": False}
        content["location"] = {"lat": "<svg onload=__xss(951)>", "lon": "javascript:__xss(952)"}
        attachments = [(name, MIMES[i % len(MIMES)], image) for i, name in enumerate(groups[r])]
        rid = mallory.create_record({"kind": "sp.incident", "ver": 1, "c": json.dumps(content)},
                                    attachments=attachments, to=[amal, trudy])
        titles.append(content["title"])
        items.append({"rid": b64u_encode(rid), "entry": b64u_encode(mallory.records[rid].entry_hash),
                      "author": b64u_encode(mallory.bundle.kid)})
    mallory.send_message("sp.share", [amal, trudy], items=items,
                         consent={"contact": True, "statistics": True, "legal": False})
    mallory.sync()
    return titles, groups


def hostile_focal_point(live_server: str, invite: str) -> tuple[str, object]:
    """A focal point whose card name and display name are payloads; she will write notes and
    statuses about the shared reports to Amal (notes between focal points are rendered too)."""
    (trudy,) = new_account(live_server, invite, role="focal-point")
    name = "<svg onload=__xss(960)>Trudy"
    trudy.creds.display_name = "<img src=x onerror=__xss(961)>"
    trudy.put_card(name, "<a href=javascript:__xss(962)>org</a>")
    return name, trudy


def hostile_notes(trudy, amal_name: str, groups: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    """Every batch of payloads as a note and a status "from" about the report carrying it."""
    amal = next(c.bundle for c in trudy.directory() if c.card and c.card.name == amal_name)
    for item in trudy.pull_inbox():
        if item.body.get("kind") != "sp.incident":
            continue
        r = int(json.loads(item.body["c"])["title"][1:3])
        about = [{"rid": b64u_encode(item.rid), "entry": b64u_encode(item.envelope.entry_hash),
                  "author": b64u_encode(item.author.kid)}]
        trudy.send_message("sp.note", [amal], about=about, text="\n".join(groups[r]))
        trudy.send_message("sp.status", [amal, item.author], about=about, status="in-progress")
    trudy.sync()


def test_hostile_reports_render_as_text_and_run_nothing(issue_invite, phones, live_server, security_figure) -> None:  # type: ignore[no-untyped-def]
    amal = joined(phones, issue_invite, "focal-point", "Amal Haddad")
    page = amal.page
    page.add_init_script(XSS_PROBE)
    page.evaluate(XSS_PROBE)  # the page is already open; the init script covers reloads
    accomplice, trudy = hostile_focal_point(live_server, issue_invite("focal-point").token)
    titles, groups = hostile_delegate(live_server, issue_invite("delegate").token, "Amal Haddad", accomplice)
    hostile_notes(trudy, "Amal Haddad", groups)

    amal.sync_now()
    amal.inbox.open()
    expect(amal.inbox.entries()).to_have_count(len(titles))
    listed = page.evaluate(INSPECT, CLOBBERED_NAMES)
    assert listed["found"] == [] and listed["hits"] == [] and listed["clobbered"] == []

    for r, title in enumerate(titles):
        report = amal.inbox.open_report(title.split("\n", 1)[0])
        shown = page.evaluate(INSPECT, CLOBBERED_NAMES)
        assert shown["found"] == [], f"report {r}: parsed as HTML: {shown['found']}"
        assert shown["hits"] == [], f"report {r}: payloads ran: {shown['hits']}"
        assert shown["clobbered"] == [], f"report {r}: clobbered globals: {shown['clobbered']}"
        # Trudy's note carries this report's first batch once more, as text
        notes = page.locator("#screen .note-text").all_text_contents()
        assert "\n".join(groups[r]) in notes, f"report {r}: the note is not shown as text"
        # Every payload of every free-text field is on the screen as the text it is ("when" is
        # shown as a date in the reader's language, so an unparseable one shows nothing)
        for f in range(len(FIELDS) - 1):
            for payload in groups[(r + f) % len(groups)]:
                assert payload in shown["text"], f"report {r}: {payload!r} is not shown as text"
        # Attachment names: no bidirectional override survives into what people read
        names = page.locator("#screen ul.picked .picked-name").all_text_contents()
        assert len(names) == len(groups[r])
        assert not any(ch in name for name in names for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
        # Raster images are shown from blob: URLs; the rest stays a download
        first = report.attachment(names[0])
        if first.get_by_role("button", name="Show", exact=True).count():
            report.show_image(names[0])
        after = page.evaluate(INSPECT, CLOBBERED_NAMES)
        assert after["found"] == [] and after["hits"] == []
        amal.inbox.open()
    tried = sum(len(group) for group in groups)
    security_figure("xss.payloads", tried, "XSS payloads sent in reports, notes and file names")
    security_figure("xss.executed", 0, "XSS payloads that ran or were parsed as HTML")
    # phones' teardown fails the test on any CSP violation, page error or foreign request

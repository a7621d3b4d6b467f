"""Working copies (pwa/js/legal/, issue 7): a legal supporter blurs one area of a delegate's photo
that carries GPS coordinates in its EXIF data; the copy has no EXIF and no GPS, the size of the
original, blurred pixels inside the area and the same pixels (up to JPEG) outside it; the
original's SHA-256 still equals the sealed one; the focal point receives the copy, and her
evidence bundle carries both."""
from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import pytest

from .steps import (
    Person, Trio, assert_bundle_layout, case_view, export, integrity, own_kid, read_attachment, referred_case, sha, unzip,
    verifier_passes,
)

pytestmark = pytest.mark.browser

AREA = {"x": 40, "y": 32, "w": 120, "h": 88}
EDGE = {"x": 300, "y": 200, "w": 100, "h": 100}  # runs off the 320 x 240 photo: cut to it
NOTES = b"names of the officers: ..."


def canvas_jpeg(person: Person) -> bytes:
    """A 320 x 240 JPEG of sharp black-and-colour squares (a blur changes every pixel of it)."""
    b64 = person.run(
        """async () => {
              const canvas = new OffscreenCanvas(320, 240);
              const g = canvas.getContext("2d");
              for (let y = 0; y < 240; y += 8) for (let x = 0; x < 320; x += 8) {
                g.fillStyle = (x + y) % 16 ? `rgb(${(x * 3) % 256}, 200, ${(y * 5) % 256})` : "#000";
                g.fillRect(x, y, 8, 8);
              }
              return t.b64(await canvas.convertToBlob({ type: "image/jpeg", quality: 0.95 }));
           }""")
    return base64.b64decode(b64)


def exif_with_gps() -> bytes:
    """An APP1 "Exif" segment: a big-endian TIFF whose IFD0 points at a GPS IFD holding
    GPSLatitudeRef "N" and GPSLatitude 35° 53' 24.00"."""
    gps_at, rationals_at = 26, 56
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, gps_at) + struct.pack(">I", 0)
    gps = (struct.pack(">H", 2) + struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"
           + struct.pack(">HHII", 0x0002, 5, 3, rationals_at) + struct.pack(">I", 0))
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + gps + struct.pack(">6I", 35, 1, 53, 1, 2400, 100)
    assert len(b"MM\x00\x2a") + 4 + len(ifd0) == gps_at and gps_at + len(gps) == rationals_at
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def segments(jpeg: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of scan."""
    assert jpeg[:2] == b"\xff\xd8"
    out, at = [], 2
    while jpeg[at] == 0xFF and jpeg[at + 1] != 0xDA:
        out.append(jpeg[at + 1])
        at += 2 + int.from_bytes(jpeg[at + 2:at + 4], "big")
    return out


def compare(person: Person, original: bytes, copy: bytes, area: dict[str, int]) -> dict[str, Any]:
    """Sizes of both images, and the mean absolute difference of their pixels inside and
    outside the area, decoded by the browser."""
    return person.run(
        """async ({ a, b, area }) => {
              const decode = async (b64) => {
                const bitmap = await createImageBitmap(new Blob([t.bytes(b64)], { type: "image/jpeg" }));
                const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                const g = canvas.getContext("2d");
                g.drawImage(bitmap, 0, 0);
                return { w: bitmap.width, h: bitmap.height, px: g.getImageData(0, 0, bitmap.width, bitmap.height).data };
              };
              const [x, y] = [await decode(a), await decode(b)];
              const sums = { inside: [0, 0], outside: [0, 0] };
              for (let row = 0; row < x.h; row++) for (let col = 0; col < x.w; col++) {
                const inArea = col >= area.x && col < area.x + area.w && row >= area.y && row < area.y + area.h;
                const i = (row * x.w + col) * 4;
                const d = (Math.abs(x.px[i] - y.px[i]) + Math.abs(x.px[i + 1] - y.px[i + 1]) + Math.abs(x.px[i + 2] - y.px[i + 2])) / 3;
                const s = sums[inArea ? "inside" : "outside"];
                s[0] += d; s[1] += 1;
              }
              return { original: [x.w, x.h], copy: [y.w, y.h], inside: sums.inside[0] / sums.inside[1], outside: sums.outside[0] / sums.outside[1] };
           }""",
        {"a": base64.b64encode(original).decode(), "b": base64.b64encode(copy).decode(), "area": area})


def test_a_working_copy_drops_gps_blurs_the_area_and_reaches_the_focal_point(trio: Trio, tmp_path: Path) -> None:
    maria, layla = trio.maria, trio.layla
    # Given a photo with GPS coordinates in its EXIF data, and a text file, in a referred report
    plain = canvas_jpeg(layla)
    photo = plain[:2] + exif_with_gps() + plain[2:]
    assert 0xE1 in segments(photo) and b"Exif\x00\x00" in photo
    rid, case = referred_case(trio, "Photographed at the crossing", files=[
        ("crossing.jpg", "image/jpeg", photo), ("notes.txt", "text/plain", NOTES)])
    [report] = case_view(layla, case)["reports"]
    by_name = {a["name"]: a for a in report["attachments"]}
    original = by_name["crossing.jpg"]

    # When Layla asks for a copy of the text file, or with too many areas, it is refused
    make = "t.l.makeWorkingCopy(arg.c, arg.r, arg.a, { redactions: arg.areas })"
    assert layla.attempt(make, {"c": case, "r": rid, "a": by_name["notes.txt"]["aid"], "areas": [AREA]})["code"] == "invalid"
    assert layla.attempt(make, {"c": case, "r": rid, "a": original["aid"], "areas": [AREA] * 33})["code"] == "invalid"
    assert layla.attempt(make, {"c": case, "r": rid, "a": original["aid"], "areas": [{**AREA, "w": 1.5}]})["code"] == "invalid"
    # When she makes a working copy of the photo with one area blurred (and one cut at the edge)
    made = layla.attempt(make, {"c": case, "r": rid, "a": original["aid"], "areas": [AREA, EDGE]})
    assert made["ok"], made
    copy_rid, copy_aid = made["value"]["rid"], made["value"]["aid"]
    copy = read_attachment(layla, case, copy_rid, copy_aid)

    # Then the copy carries no EXIF segment and no GPS tag, only the JPEG it was drawn into
    assert 0xE1 not in segments(copy) and b"Exif" not in copy and struct.pack(">HH", 0x8825, 4) not in copy
    # And it has the original's size; the area is blurred, the rest the same up to JPEG noise
    seen = compare(layla, photo, copy, AREA)
    assert seen["copy"] == seen["original"] == [320, 240]
    assert seen["inside"] > 25 and seen["outside"] < 6, seen
    # And the original still has its sealed SHA-256, and its integrity line passes
    assert sha(read_attachment(layla, case, rid, original["aid"])) == sha(photo) == original["sha256"]
    line = next(x for x in integrity(layla, case, rid) if x["check"] == "attachment" and x["params"]["aid"] == original["aid"])
    assert line["state"] == "ok" and line["params"]["matches"] is True
    # And the case lists the copy, linked to the original, with the areas cut to the photo
    view = case_view(layla, case)
    [listed] = view["reports"][0]["workingCopies"]
    assert (listed["rid"], listed["aid"], listed["of"]) == (copy_rid, copy_aid, {"rid": rid, "aid": original["aid"], "sha256": sha(photo)})
    assert listed["name"] == "crossing-working-copy.jpg" and listed["mime"] == "image/jpeg"
    event = view["log"][-1]
    assert event["event"] == "working-copy" and event["detail"]["redactions"] == [AREA, {"x": 300, "y": 200, "w": 20, "h": 40}]

    # When Layla and Maria sync, Maria receives the copy: the same bytes, signed by Layla
    assert layla.sync()["ok"]
    got = maria.sync()
    assert got["ok"] and got["value"]["received"]["attachments"] == 1
    [hers] = case_view(maria, case)["reports"][0]["workingCopies"]
    assert (hers["rid"], hers["by"]["uid"], hers["available"]) == (copy_rid, layla.uid, True)
    assert read_attachment(maria, case, copy_rid, copy_aid) == copy
    states = {x["check"]: x["state"] for x in integrity(maria, case, copy_rid)}
    assert states == {"signature": "ok", "chain": "ok", "attachment": "ok", "receipt": "ok", "custody": "ok", "consent": "ok"}

    # And Maria's evidence bundle carries the copy next to the untouched original
    out = export(maria, case, lang="en")
    bundle = unzip(out["data"])
    assert_bundle_layout(bundle, case=case, exporter=own_kid(maria), manifest_sha256=out["manifestSha256"])
    originals = {a["aid"]: bundle.files[a["original"]] for a in bundle.manifest["attachments"]}
    assert originals[original["aid"]] == photo and originals[copy_aid] == copy
    path = tmp_path / out["filename"]
    path.write_bytes(out["data"])
    verifier_passes(path)

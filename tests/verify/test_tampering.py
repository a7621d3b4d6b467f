"""Someone without any key changes a bundle after it was exported: whatever they change, the
verifier fails (exit 1, or 2 when the manifest no longer parses) and names the file they changed.

One valid bundle (with a working copy, so there are three attachments under two record keys)
is built once; Hypothesis draws the changes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.bundle_maker import MadeBundle, build_evidence_bundle, zip_entries

from .steps import Run, verify

STORY = build_evidence_bundle(working_copy=True)
NAMES = [name for name, _ in STORY.entries]
SETTINGS = settings(max_examples=130, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Entries = list[tuple[str, bytes]]
# A change: the new entries, and the files a failure line must name.
Change = tuple[str, Entries, list[str]]


def _replace(entries: Entries, name: str, data: bytes) -> Entries:
    return [(n, data if n == name else d) for n, d in entries]


@st.composite
def flipped_byte(draw: st.DrawFn) -> Change:
    name = draw(st.sampled_from(NAMES))
    data = bytearray(STORY.files[name])
    offset = draw(st.integers(0, len(data) - 1))
    data[offset] ^= draw(st.integers(1, 255))
    return f"byte {offset} of {name}", _replace(STORY.entries, name, bytes(data)), [name]


@st.composite
def deleted_file(draw: st.DrawFn) -> Change:
    name = draw(st.sampled_from(NAMES))
    return f"deleted {name}", [(n, d) for n, d in STORY.entries if n != name], [name]


@st.composite
def swapped_pair(draw: st.DrawFn) -> Change:
    """Two attachments' ciphertexts, or two originals, trade places (same paths, swapped bytes)."""
    which = draw(st.sampled_from(["ciphertext", "original"]))
    names = [getattr(STORY, which)(a) for a in sorted(STORY.attachments)]
    a, b = draw(st.permutations(names))[:2]
    files = STORY.files
    entries = _replace(_replace(STORY.entries, a, files[b]), b, files[a])
    return f"swapped {a} and {b}", entries, [a, b]


@st.composite
def unlisted_file(draw: st.DrawFn) -> Change:
    name = draw(
        st.sampled_from(
            [
                "notes.txt",
                "records/AAAAAAAAAAAAAAAAAAAAAA.json",
                "originals/extra.jpg",
                "bundles/AAAAAAAAAAAAAAAAAAAAAA.json",
                "content/AAAAAAAAAAAAAAAAAAAAAA.json",
                "attachments/AAAAAAAAAAAAAAAAAAAAAA.sp1",
                "README.TXT",
            ]
        )
    )
    data = draw(st.binary(max_size=64))
    return f"added {name}", [*STORY.entries, (name, data)], [name]


@st.composite
def duplicated_name(draw: st.DrawFn) -> Change:
    name = draw(st.sampled_from(NAMES))
    data = draw(st.sampled_from([STORY.files[name], b"{}", b"something else"]))
    at = draw(st.integers(0, len(STORY.entries)))
    entries = [*STORY.entries]
    entries.insert(at, (name, data))
    return f"a second {name}", entries, [name]


def _assert_fails_naming(run: Run, change: str, names: list[str]) -> None:
    assert run.code in (1, 2), f"{change}: exit {run.code}\n{run.out}"
    for name in names:
        if run.code == 2:
            assert name in run.out, f"{change}: not named\n{run.out}"
        else:
            assert run.failure_lines_naming(name), f"{change}: no failure names {name}\n{run.out}"
    # Every malformed input is a named check, never the verifier giving up.
    assert "could not complete" not in run.out and "internal error" not in run.out, run.out


@SETTINGS
@given(
    change=st.one_of(
        flipped_byte(),
        flipped_byte(),
        deleted_file(),
        swapped_pair(),
        unlisted_file(),
        duplicated_name(),
    )
)
def test_any_change_to_a_bundle_fails_and_names_the_changed_file(change: Change) -> None:
    description, entries, names = change

    run = verify(zip_entries(entries))

    _assert_fails_naming(run, description, names)


def _without_record(bundle: MadeBundle, label: str) -> Entries:
    """The record and its content taken out of the ZIP *and* manifest.json, which is rewritten
    consistently: only the signed export record can still tell."""
    rid = bundle.records[label].rid
    gone = {f"records/{rid}.json", f"content/{rid}.json"}
    manifest = bundle.manifest
    manifest["files"] = [f for f in manifest["files"] if f["path"] not in gone]
    manifest["records"] = [r for r in manifest["records"] if r["rid"] != rid]
    manifest["custody"] = [e for e in manifest["custody"] if e != bundle.records[label].entry]
    raw = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    return [(n, raw if n == "manifest.json" else d) for n, d in bundle.entries if n not in gone]


@pytest.mark.parametrize("label", ["referred", "opened", "note", "working-copy"])
def test_a_custody_record_dropped_from_zip_and_manifest_fails_at_the_export_check(
    label: str,
) -> None:
    run = verify(zip_entries(_without_record(STORY, label)))

    assert run.code == 1, run.out
    export_lines = run.failure_lines_naming("manifest.json")
    assert any("manifest hash" in line and "export.json" in line for line in export_lines), run.out
    # The event recorded after it names the missing entry (the export names the last one).
    later = {"referred": "opened", "opened": "note", "note": "working-copy"}.get(label)
    naming = STORY.path(later) if later else "export.json"
    assert any("prev: names entry" in line for line in run.failure_lines_naming(naming)), run.out


def test_the_swap_of_two_attachments_is_caught_by_name_even_with_a_rewritten_manifest() -> None:
    """Swapping the photo and the PDF and fixing manifest.json's hashes still fails: each
    ciphertext is bound to its record's signed header, and the export record to the manifest."""
    photo, pdf = STORY.ciphertext("photo"), STORY.ciphertext("pdf")
    files = STORY.files
    entries = _replace(_replace(STORY.entries, photo, files[pdf]), pdf, files[photo])
    manifest = STORY.manifest
    for f in manifest["files"]:
        if f["path"] in (photo, pdf):
            other = pdf if f["path"] == photo else photo
            f["sha256"] = next(g["sha256"] for g in STORY.manifest["files"] if g["path"] == other)
            f["size"] = len(files[other])
    raw = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()

    run = verify(zip_entries(_replace(entries, "manifest.json", raw)))

    assert run.code == 1
    assert any("ciphertext" in line for line in run.failure_lines_naming(photo)), run.out
    assert any("ciphertext" in line for line in run.failure_lines_naming(pdf)), run.out
    assert run.failure_lines_naming("manifest.json"), run.out

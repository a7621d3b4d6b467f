"""The ZIP is hostile input: limits, unsafe names, terminal escapes, damaged archives. Nothing is
extracted, nothing over a limit is read, and nothing escapes as a traceback."""

from __future__ import annotations

import builtins
import io
import os
import tempfile
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spcrypto.bundle import archive, original_name, verify_bundle
from tests.support.bundle_maker import MadeBundle, build_evidence_bundle, zip_entries

from .steps import verify

STORY = build_evidence_bundle()
ZIP = STORY.zip


@pytest.fixture()
def bundle() -> MadeBundle:
    return STORY


def test_an_entry_over_the_size_limit_is_refused_without_reading_anything(
    bundle: MadeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Zeros four times the size of the bundle deflate to almost nothing: a zip bomb in miniature.
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", len(ZIP) * 3)
    data = zip_entries([*bundle.entries, ("bomb.bin", bytes(len(ZIP) * 4))])
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: object, *args: object, **kwargs: object) -> object:
        opened.append(getattr(name, "filename", str(name)))
        return real_open(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)

    run = verify(data)

    assert run.code == 1, run.out
    assert "FAIL  bomb.bin  size:" in run.out and "nothing else was read" in run.out
    assert opened == []  # not even manifest.json


def test_a_zip_with_too_many_entries_is_refused(
    bundle: MadeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_ENTRIES", 10)

    run = verify(bundle.zip)

    assert run.code == 1
    assert "FAIL  (zip)  entries:" in run.out and "over the limit of 10" in run.out


def test_a_json_file_over_its_limit_is_not_read(
    bundle: MadeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 1000)

    report = verify_bundle(bundle.zip)

    record_file = bundle.path("share")
    assert any(c.file == record_file and "limit" in c.message for c in report.failures)


@pytest.mark.parametrize(
    "name",
    [
        "../../.bashrc",
        "/etc/cron.d/x",
        "records\\..\\x.json",
        "C:evil.txt",
        "records//x.json",
        "./README.txt",
    ],
)
def test_an_entry_name_that_could_escape_the_folder_fails(bundle: MadeBundle, name: str) -> None:
    run = verify(zip_entries([*bundle.entries, (name, b"payload")]))

    assert run.code == 1
    assert any("name:" in line for line in run.failure_lines_naming(name)), run.out


def test_an_entry_name_cannot_send_control_sequences_to_the_terminal(bundle: MadeBundle) -> None:
    evil = "records/\x1b[2J\x1b]0;owned\x07\u202eevil.json"

    run = verify(zip_entries([*bundle.entries, (evil, b"{}")]))

    assert run.code == 1
    assert "\x1b" not in run.out and "\x07" not in run.out and "\u202e" not in run.out
    assert "records/\\u001b[2J\\u001b]0;owned\\u0007\\u202eevil.json" in run.out


def test_entries_compressed_with_other_methods_fail(bundle: MadeBundle) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in bundle.entries:
            method = zipfile.ZIP_BZIP2 if name == "README.txt" else zipfile.ZIP_DEFLATED
            zf.writestr(name, data, method)

    run = verify(out.getvalue())

    assert run.code == 1
    assert "FAIL  README.txt  compression: neither stored nor deflated" in run.out


def test_empty_directory_entries_are_allowed(bundle: MadeBundle) -> None:
    run = verify(zip_entries([("records/", b""), ("originals/", b""), *bundle.entries]))

    assert run.code == 0, run.out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offset=st.integers(0, len(ZIP) - 1),
    xor=st.integers(1, 255),
    cut=st.none() | st.integers(0, len(ZIP) - 1),
)
def test_a_damaged_zip_never_crashes_the_verifier(offset: int, xor: int, cut: int | None) -> None:
    data = bytearray(ZIP)
    data[offset] ^= xor
    damaged = bytes(data[:cut] if cut is not None else data)

    run = verify(damaged)

    assert run.code in (0, 1, 2)
    assert "Traceback" not in run.out
    assert "could not complete" not in run.out and "internal error" not in run.out, run.out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IMG_2041.jpg", "IMG_2041.jpg"),
        ("scan 12:40.pdf", "scan 12_40.pdf"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("...hidden", "hidden"),
        ("\x00\x1f\x7f\x85name", "____name"),
        ("", "file"),
        ("...", "file"),
        ("Cafe\u0301.jpg", "Café.jpg"),  # NFC
        ("ب" * 60, "ب" * 50),  # 2 UTF-8 bytes each: cut at 100 bytes
        ("a" + "ب" * 60, "a" + "ب" * 49),  # never half a character
    ],
)
def test_original_file_names_are_made_safe_as_the_contract_says(name: str, expected: str) -> None:
    assert original_name(name) == expected


def test_verifying_writes_nothing_to_disk(
    bundle: MadeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is extracted: with every way of opening a file refused, a bundle held in memory
    still verifies."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the verifier opened a file: {args!r}")

    for module, name in ((builtins, "open"), (io, "open"), (os, "open"), (tempfile, "mkstemp")):
        monkeypatch.setattr(module, name, refuse)

    report = verify_bundle(bundle.zip)

    assert report.ok, report.failures

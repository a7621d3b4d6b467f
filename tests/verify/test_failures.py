"""Bundles that are wrong in one specific way, each signed by the right keys (so only the rule
under test can catch it), and files that are not bundles at all."""

from __future__ import annotations

import json

import pytest

from spcrypto.bundle import verify_bundle
from tests.support.bundle_maker import OTHER_CASE, MadeBundle, build_evidence_bundle, zip_entries

from .steps import safepassage, verify


@pytest.fixture(scope="module")
def bundle() -> MadeBundle:
    return build_evidence_bundle()


# -- exit 2: not a bundle at all ---------------------------------------------------------------


def test_a_file_that_is_not_a_zip_cannot_be_read() -> None:
    run = verify(b"%PDF-1.4 this is a PDF, not a bundle\n" * 20)

    assert run.code == 2
    assert "cannot read" in run.out and "not a ZIP" in run.out
    assert "Traceback" not in run.out


def test_an_empty_file_cannot_be_read() -> None:
    run = verify(b"")

    assert run.code == 2 and "not a ZIP" in run.out


def test_a_zip_without_a_manifest_cannot_be_read(bundle: MadeBundle) -> None:
    run = verify(zip_entries([(n, d) for n, d in bundle.entries if n != "manifest.json"]))

    assert run.code == 2
    assert "manifest.json: missing from the ZIP" in run.out


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\x01garbage",
        b"[1, 2, 3]",
        b'{"format": "sp-evidence-bundle", "v": 1, "suite": "SP1"}',
        b'{"format": "zip", "v": 1, "suite": "SP1"}',
        b'{"format": "sp-evidence-bundle", "v": 2, "suite": "SP1"}',
        b'{"a": 1, "a": 2}',
        b"\xff\xfe{}",
    ],
)
def test_a_zip_with_a_garbage_manifest_cannot_be_read(bundle: MadeBundle, garbage: bytes) -> None:
    entries = [(n, garbage if n == "manifest.json" else d) for n, d in bundle.entries]

    run = verify(zip_entries(entries))

    assert run.code == 2, run.out
    assert "cannot read" in run.out and "manifest.json" in run.out
    assert "Traceback" not in run.out


def test_a_bundle_file_that_does_not_exist_cannot_be_read() -> None:
    run = safepassage("verify", "/nonexistent/case.zip")

    assert run.code == 2 and "cannot read" in run.out


def test_a_wrong_command_line_exits_2() -> None:
    assert safepassage().code == 2
    assert safepassage("verify").code == 2
    assert safepassage("frobnicate", "x").code == 2


# -- a note, not a failure ---------------------------------------------------------------------


def test_a_record_the_server_has_not_received_yet_is_a_note_not_a_failure() -> None:
    made = build_evidence_bundle(no_receipt=["note"])

    run = verify(made.zip)

    assert run.code == 0, run.out
    assert f"NOTE  {made.path('note')}  receipt: not yet received by the server" in run.out
    assert "checks passed for 6 records" in run.out


# -- exit 1: one rule broken -------------------------------------------------------------------


def test_a_forked_device_chain_fails_and_names_both_records() -> None:
    made = build_evidence_bundle(fork=True)

    run = verify(made.zip)

    assert run.code == 1, run.out
    fork_lines = [line for line in run.out.splitlines() if "fork:" in line]
    assert len(fork_lines) == 1, run.out
    assert made.path("fork") in fork_lines[0] and made.path("incident-v2") in fork_lines[0]
    assert "1 checks FAILED" in run.out


def test_a_custody_event_naming_a_missing_event_fails_and_names_the_event_that_names_it() -> None:
    made = build_evidence_bundle(skip=["opened"])  # Sami's note still names his "opened" event

    run = verify(made.zip)

    assert run.code == 1, run.out
    missing = made.records["opened"].entry
    assert (
        f"FAIL  {made.path('note')}  prev: names entry {missing}, which is not in the bundle "
        "(a missing event)"
    ) in run.out
    # The referral before the gap is no longer linked to the export record either.
    assert run.failure_lines_naming(made.path("referred"))


def test_an_export_record_naming_another_manifest_fails() -> None:
    made = build_evidence_bundle(export_manifest_sha256="ab" * 32)

    run = verify(made.zip)

    assert run.code == 1
    assert (
        "FAIL  manifest.json  manifest hash: SHA-256 is not the one the signed export record "
        "(export.json) names"
    ) in run.out
    assert "1 checks FAILED" in run.out


def test_a_custody_record_of_another_case_fails_and_names_it() -> None:
    made = build_evidence_bundle(other_case=["note"])

    run = verify(made.zip)

    assert run.code == 1
    assert run.failure_lines_naming(made.path("note"))
    assert OTHER_CASE in run.out


def test_an_export_record_of_another_case_fails() -> None:
    made = build_evidence_bundle(other_case=["export"])

    run = verify(made.zip)

    assert run.code == 1
    assert any("case:" in line for line in run.failure_lines_naming("export.json")), run.out


def test_every_failure_is_listed_not_only_the_first(bundle: MadeBundle) -> None:
    entries = [(n, d) for n, d in bundle.entries if n not in ("README.txt", "report.html")]
    entries.append(("unlisted.txt", b"x"))

    report = verify_bundle(zip_entries(entries))

    named = {c.file for c in report.failures}
    assert {"README.txt", "report.html", "unlisted.txt"} <= named


def test_a_manifest_with_a_malformed_file_entry_is_a_failure_naming_the_manifest(
    bundle: MadeBundle,
) -> None:
    manifest = bundle.manifest
    manifest["files"][0]["sha256"] = 42
    raw = json.dumps(manifest).encode()

    run = verify(zip_entries([(n, raw if n == "manifest.json" else d) for n, d in bundle.entries]))

    assert run.code == 1
    assert any("files[0].sha256" in line for line in run.failure_lines_naming("manifest.json"))


def test_a_referral_without_the_delegates_consent_to_legal_support_fails() -> None:
    made = build_evidence_bundle(legal_consent=False)

    run = verify(made.zip)

    assert run.code == 1
    lines = run.failure_lines_naming(made.path("referred"))
    assert any("references:" in line and "legal consent" in line for line in lines), run.out

"""A lawyer verifies the bundle a legal supporter exported: every check passes, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import spcrypto as S
from spcrypto.account import KdfParams
from spcrypto.bundle import GROUPS, verify_bundle
from tests.support.bundle_maker import CASE, TITLE, MadeBundle, build_evidence_bundle

from .steps import safepassage, verify

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_SCRIPT = ROOT / ".venv" / "bin" / "safepassage"
# Argon2id at the SP1 floor: the sealed-file tests are about the CLI, not the KDF's cost.
FLOOR = KdfParams(t=2, m=19456, p=1, salt=os.urandom(16))
PASSPHRASE = "raíces de olivo 7"


@pytest.fixture(scope="module")
def bundle() -> MadeBundle:
    return build_evidence_bundle()


def test_a_valid_bundle_verifies_and_exits_0(bundle: MadeBundle) -> None:
    run = verify(bundle.zip)

    assert run.code == 0, run.out
    assert "checks passed for 6 records, 2 attachments, 4 custody events" in run.out
    assert "FAIL" not in run.out
    for group in GROUPS:
        assert f"PASS  {group}" in run.out
    # The header a lawyer reads first.
    assert f"Case        {CASE}" in run.out
    assert f"Title       {TITLE}" in run.out
    assert f"Exporter    {bundle.people['sami'].kid}  Sami Benali" in run.out
    assert S.b64u_encode(bundle.server_key.public_key().public_bytes_raw()) in run.out


def test_the_installed_console_script_verifies_a_bundle(bundle: MadeBundle, tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    path.write_bytes(bundle.zip)

    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "verify", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "checks passed for 6 records, 2 attachments, 4 custody events" in done.stdout
    assert done.stderr == ""


def test_the_report_lists_every_check_with_its_file(bundle: MadeBundle) -> None:
    report = verify_bundle(bundle.zip)

    assert report.ok and not report.failures and not report.notes
    files = {c.file for c in report.checks}
    for label in ("incident-v1", "incident-v2", "share", "referred", "opened", "note"):
        assert bundle.path(label) in files
    assert {
        "export.json",
        "manifest.json",
        bundle.ciphertext("photo"),
        bundle.original("pdf"),
    } <= files
    shares = [c.message for c in report.checks if c.check == "share"]
    maria, sami = bundle.people["maria"].kid, bundle.people["sami"].kid
    assert shares.count(f"shared with {sami} by {maria}") == 4  # both versions, share, referral
    assert report.facts.case == CASE and report.facts.exporter == sami
    assert (report.facts.records, report.facts.attachments, report.facts.custody_events) == (
        6,
        2,
        4,
    )


def test_a_bundle_with_a_redacted_working_copy_verifies() -> None:
    run = verify(build_evidence_bundle(working_copy=True).zip)

    assert run.code == 0, run.out
    assert "checks passed for 7 records, 3 attachments, 5 custody events" in run.out


def test_a_manifest_listing_an_attachment_once_per_record_that_carries_it_verifies() -> None:
    run = verify(build_evidence_bundle(attachment_entry_per_record=True).zip)

    assert run.code == 0, run.out


def test_a_bundle_exported_in_arabic_verifies() -> None:
    run = verify(build_evidence_bundle(lang="ar").zip, name="قضية.zip")

    assert run.code == 0, run.out
    assert "قضية.zip" in run.out


def test_a_sealed_bundle_verifies_with_the_passphrase_from_a_file(
    bundle: MadeBundle, tmp_path: Path
) -> None:
    sealed = tmp_path / "case.sp1sealed"
    sealed.write_bytes(S.seal_file(PASSPHRASE, bundle.zip, FLOOR))
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")

    run = safepassage("verify", str(sealed), "--passphrase-file", str(secret))

    assert run.code == 0, run.out
    assert "Opened the sealed bundle" in run.out
    assert "checks passed for 6 records" in run.out


def test_a_sealed_bundle_with_the_wrong_passphrase_cannot_be_read(
    bundle: MadeBundle, tmp_path: Path
) -> None:
    sealed = tmp_path / "case.sp1sealed"
    sealed.write_bytes(S.seal_file(PASSPHRASE, bundle.zip, FLOOR))
    secret = tmp_path / "passphrase.txt"
    secret.write_text("raices de olivo 7", encoding="utf-8")

    run = safepassage("verify", str(sealed), "--passphrase-file", str(secret))

    assert run.code == 2
    assert "wrong passphrase" in run.out
    assert "checks" not in run.out


def test_unseal_writes_the_zip_and_never_overwrites(bundle: MadeBundle, tmp_path: Path) -> None:
    sealed = tmp_path / "case.sp1sealed"
    sealed.write_bytes(S.seal_file(PASSPHRASE, bundle.zip, FLOOR))
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE, encoding="utf-8")
    target = tmp_path / "case.zip"

    first = safepassage("unseal", str(sealed), str(target), "--passphrase-file", str(secret))
    again = safepassage("unseal", str(sealed), str(target), "--passphrase-file", str(secret))

    assert first.code == 0, first.out
    assert target.read_bytes() == bundle.zip
    assert again.code == 2 and "already exists" in again.out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "case.sp1sealed",
        "case.zip",
        "passphrase.txt",
    ]


def test_unsealing_a_changed_file_leaves_no_plaintext_behind(
    bundle: MadeBundle, tmp_path: Path
) -> None:
    data = bytearray(S.seal_file(PASSPHRASE, bundle.zip, FLOOR))
    data[-100] ^= 1
    sealed = tmp_path / "case.sp1sealed"
    sealed.write_bytes(bytes(data))
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE, encoding="utf-8")

    run = safepassage(
        "unseal", str(sealed), str(tmp_path / "case.zip"), "--passphrase-file", str(secret)
    )

    assert run.code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.sp1sealed", "passphrase.txt"]


def test_the_module_runs_as_a_script_too(bundle: MadeBundle, tmp_path: Path) -> None:
    path = tmp_path / "case.zip"
    path.write_bytes(bundle.zip)

    done = subprocess.run(
        [sys.executable, "-m", "spcrypto.cli", "verify", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr

#!/usr/bin/env python3
"""Proves that each malicious-server test fails when the client defence it relies on is removed.

For every attack below: the test that plays it (tests/malicious/, and helper A's release test for
a tampered app file) and a minimal source patch — exact-string replacements in the client's own
files — that removes the one check standing between the lie and the user's data. The check runs
in a temporary copy of the repository (the files git knows, tracked or new, plus pwa/vendor/ and
pwa/release.js; the real .venv is reused):

1. every test once, unpatched, in one pytest run: each must PASS;
2. for each attack: apply its patch, run its test alone, expect a FAILURE of the test itself
   (a setup error is not a proof), restore the file.

Prints the table ``attack | defence | test | with defence | defence removed`` and, with
``--json OUT``, writes it for tools/security_figures.py. Exits non-zero when a test fails with
its defence in place, or still passes (or errors) without it. Not part of ``make test`` (it runs
one browser test per attack, a few minutes); part of ``make security-figures``.

    .venv/bin/python tools/defence_check.py [--json OUT] [--only ATTACK ...]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
EXTRA = ["pwa/vendor", "pwa/release.js", "instance/release-dev.key"]  # untracked, needed to run

OWN = "tests/malicious/test_own_records.py::"
SHARING = "tests/malicious/test_sharing.py::"


@dataclass(frozen=True)
class Defence:
    attack: str
    defence: str  # file:function
    test: str  # pytest node id (without the [chromium] parameter)
    patch: tuple[tuple[str, str, str], ...]  # (file, exact old text, new text)
    pending: str = ""  # why it cannot be checked yet (another helper's test not written)


DEFENCES: tuple[Defence, ...] = (
    Defence(
        "weak-kdf", "crypto/js/sp1.js:checkKdfPolicy (floor), via pwa/js/sync/account.js:signIn",
        OWN + "test_weaker_kdf_parameters_at_prelogin_are_refused_before_anything_derived_is_sent",
        (("crypto/js/sp1.js",
          '    if (params[f] < KDF_FLOOR[f]) throw new KdfPolicyError("KDF parameters below the floor");\n', ""),)),
    Defence(
        "substituted-key", "pwa/js/sharing/contacts.js:pinned (a pinned key is never replaced)",
        SHARING + "test_a_substituted_key_for_a_pinned_focal_point_is_flagged_and_nothing_is_wrapped_to_it",
        (("pwa/js/sharing/contacts.js", "  if (!existing) {\n    return {\n      c: {",
          "  if (!existing || existing.kid !== kid) {\n    return {\n      c: {"),)),
    Defence(
        "dropped-record", "pwa/js/sync/engine.js:readPage (sp.verifyChain: no gap)",
        OWN + "test_a_record_dropped_from_a_pull_is_caught_and_nothing_of_the_page_is_kept",
        (("pwa/js/sync/engine.js", 'throw unverified("pulled records leave a gap or fork in a device chain");',
          "next = heads;"),)),
    Defence(
        "injected-record", "pwa/js/sync/engine.js:readPage (every record opens and verifies)",
        OWN + "test_a_record_the_server_forged_in_a_pull_is_refused",
        (("pwa/js/sync/engine.js", 'throw unverified("a pulled record or its receipt does not verify");',
          "continue;"),)),
    Defence(
        "replayed-record", "pwa/js/sync/engine.js:readPage (each chain ascending in a page)",
        OWN + "test_a_record_replayed_in_a_pull_is_caught",
        (("pwa/js/sync/engine.js",
          'if ((lastSeq.get(key) || 0) >= rec.header.seq) throw unverified("records of a device out of order");', ""),)),
    Defence(
        "reordered-records", "pwa/js/sync/engine.js:readPage (each chain ascending in a page)",
        OWN + "test_records_reordered_in_a_pull_are_caught",
        (("pwa/js/sync/engine.js",
          'if ((lastSeq.get(key) || 0) >= rec.header.seq) throw unverified("records of a device out of order");', ""),)),
    Defence(
        "rolled-back", "pwa/js/sync/engine.js:checkServerHeads (every sync: server heads not behind receipted records)",
        "tests/malicious/test_rollback.py::test_a_server_rolled_back_to_an_old_backup_is_caught_before_the_phone_trusts_it",
        (("pwa/js/sync/engine.js", "  await checkServerHeads(ctx);\n", ""),)),
    Defence(
        "forged-receipt", "pwa/js/sync/engine.js:verifiedReceipts (signature under the pinned key)",
        OWN + "test_forged_receipts_on_a_push_mark_nothing_as_synced",
        (("pwa/js/sync/engine.js", "      await sp.verifyReceipt(result.receipt, ctx.serverKey, rec.entryHash);\n", ""),)),
    Defence(
        "stale-receipt", "pwa/js/sync/engine.js:verifiedReceipts (receipt covers this entry hash)",
        OWN + "test_a_stale_receipt_on_a_push_marks_nothing_as_synced",
        (("pwa/js/sync/engine.js", "sp.verifyReceipt(result.receipt, ctx.serverKey, rec.entryHash)",
          "sp.verifyReceipt(result.receipt, ctx.serverKey)"),)),
    Defence(
        "swapped-attachment", "pwa/js/sync/download.js:downloadAttachment (sp.decryptAttachment)",
        OWN + "test_a_swapped_truncated_or_altered_attachment_is_refused_and_nothing_is_stored_as_it",
        (("pwa/js/sync/download.js", "    await sp.decryptAttachment(pieces(), cek, entry, size, async () => {});",
          "    for await (const _ of pieces());"),)),
    Defence(
        "withheld-message", "pwa/js/sharing/receive.js:checkNumber (gap)",
        SHARING + "test_a_message_withheld_from_the_inbox_is_flagged",
        (("pwa/js/sharing/receive.js", '  if (n > max + 1) addFlag(it, "gap");\n', ""),)),
    Defence(
        "replayed-message", "pwa/js/sharing/receive.js:storePage (same entry again: repeat)",
        SHARING + "test_a_message_replayed_in_the_inbox_is_flagged",
        (("pwa/js/sharing/receive.js",
          '      if (view(known).kind !== "sp.incident") addFlag(edit(known), "repeat");\n', ""),)),
    Defence(
        "reordered-messages", "pwa/js/sharing/receive.js:checkNumber (reorder)",
        SHARING + "test_messages_reordered_in_the_inbox_are_flagged",
        (("pwa/js/sharing/receive.js", '    addFlag(it, "reorder");\n', ""),)),
    Defence(
        "injected-message", "crypto/js/sp1.js:verifySignature, via sp.openRecord in pwa/js/sharing/receive.js:checkItem",
        SHARING + "test_a_report_the_server_forged_in_the_inbox_is_rejected_unopened",
        (("crypto/js/sp1.js", '  if (!ok) throw new AuthError("bad signature");\n', ""),)),
    # ---- helper A's (issue 8 part A): the service worker installs a release only if every file's
    # SHA-256 equals its signed manifest's. Its test and the worker are A's files: if either
    # changes shape, update this entry (the check reports "patch does not apply").
    Defence(
        "tampered-app-file", "pwa/sw/release-check.js:fetchVerified (every file's SHA-256 = the signed manifest's)",
        "tests/e2e/test_release.py::test_phone_refuses_updates_that_are_not_the_signed_release",
        (("pwa/sw/release-check.js",
          '  if (!response.ok || hex(await sha256(body)) !== expected) throw new ReleaseRefused("file", path);',
          '  if (!response.ok) throw new ReleaseRefused("file", path);'),)),
)


@dataclass
class Result:
    attack: str
    defence: str
    test: str
    with_defence: str = "not run"
    defence_removed: str = "not run"
    seconds: float = 0.0
    note: str = ""
    failure: str = ""  # how the test failed without its defence (the first line of pytest's message)
    ok: bool = field(default=False)


def copy_repo(dest: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for rel in EXTRA:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, dirs_exist_ok=True)
        elif src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def environment(copy: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SP_FIGURES", "SAFEPASSAGE_TEST_DATABASE_URL")}
    # The copy's own server/ and spcrypto first: the editable install points at the real tree.
    env["PYTHONPATH"] = os.pathsep.join([str(copy), str(copy / "crypto")])
    return env


def pytest_outcomes(copy: Path, tests: list[str], xml: Path) -> dict[str, tuple[str, str]]:
    """Runs pytest in the copy; returns {node id without parameters: (passed|failed|error|skipped,
    the first line of the failure or error message)}."""
    subprocess.run([str(VENV_PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", str(xml), *tests],
                   cwd=copy, env=environment(copy), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    outcomes: dict[str, tuple[str, str]] = {}
    if not xml.exists():
        return outcomes
    for case in ET.parse(xml).getroot().iter("testcase"):
        node = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "").split("[")[0]
        state = ("failed" if case.find("failure") is not None else "error" if case.find("error") is not None
                 else "skipped" if case.find("skipped") is not None else "passed")
        # a failure in the call and an error in teardown: the failure is what counts
        if node in outcomes and outcomes[node][0] != "passed" and state == "error":
            continue
        detail = next((e.get("message", "") for e in case if e.tag in ("failure", "error")), "")
        outcomes[node] = (state, detail.splitlines()[0][:160] if detail else "")
    xml.unlink()
    return outcomes


def check(defences: list[Defence], copy: Path) -> list[Result]:
    results = [Result(d.attack, d.defence, d.test) for d in defences]
    runnable = [(d, r) for d, r in zip(defences, results, strict=True) if not d.pending]
    for d, r in zip(defences, results, strict=True):
        if d.pending:
            r.note = "PENDING: " + d.pending
    xml = copy / "defence-check.xml"
    started = time.monotonic()
    baseline = pytest_outcomes(copy, sorted({d.test for d, _ in runnable}), xml)
    print(f"baseline (all tests, defences in place): {time.monotonic() - started:.0f} s", flush=True)
    for d, r in runnable:
        r.with_defence, why = baseline.get(d.test, ("not collected", ""))
        if why:
            r.note = "with defence: " + why
        originals: dict[str, str] = {}
        try:
            for rel, old, new in d.patch:
                path = copy / rel
                current = path.read_text(encoding="utf-8")
                originals.setdefault(rel, current)
                if current.count(old) != 1:
                    raise LookupError(f"{rel}: the patched text occurs {current.count(old)} times, not once")
                path.write_text(current.replace(old, new), encoding="utf-8")
            began = time.monotonic()
            r.defence_removed, r.failure = pytest_outcomes(copy, [d.test], xml).get(d.test, ("not collected", ""))
            r.seconds = round(time.monotonic() - began, 1)
        except LookupError as err:
            r.defence_removed, r.note = "patch does not apply", str(err)
        finally:
            for rel, text in originals.items():
                (copy / rel).write_text(text, encoding="utf-8")
        r.ok = r.with_defence == "passed" and r.defence_removed == "failed"
        print(f"  {d.attack}: with defence {r.with_defence}, removed {r.defence_removed} ({r.seconds} s) {r.failure}",
              flush=True)
    return results


def table(results: list[Result]) -> str:
    lines = ["| attack | defence (file:function) | test | with defence | defence removed |",
             "| --- | --- | --- | --- | --- |"]
    for r in results:
        removed = "fails" if r.defence_removed == "failed" else r.defence_removed
        if r.note:
            removed += f" ({r.note})"
        lines.append(f"| {r.attack} | {r.defence} | `{r.test}` | {'pass' if r.with_defence == 'passed' else r.with_defence} "
                     f"| {removed} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the results here (for tools/security_figures.py)")
    parser.add_argument("--only", nargs="*", help="check only these attacks")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (its path is printed)")
    args = parser.parse_args()
    defences = [d for d in DEFENCES if not args.only or d.attack in args.only]
    for d in defences:
        if d.pending and (ROOT / d.test.split("::")[0]).exists():
            print(f"note: {d.attack} is marked pending but {d.test} exists: fill in its patch", file=sys.stderr)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="sp-defence-check-"))
    try:
        copy_repo(tmp)
        probe = subprocess.run([str(VENV_PYTHON), "-c", "import server; print(server.__file__)"], cwd=tmp,
                               env=environment(tmp), capture_output=True, text=True, check=True).stdout.strip()
        if not probe.startswith(str(tmp)):
            raise SystemExit(f"the copy imports the real tree's server ({probe}): the patches would not be served")
        results = check(defences, tmp)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    print()
    print(table(results))
    checked = [r for r in results if not r.note.startswith("PENDING")]
    failed = [r for r in checked if not r.ok]
    print(f"\n{len(checked) - len(failed)} of {len(checked)} defences proven ({len(results) - len(checked)} pending) "
          f"in {elapsed:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"seconds": round(elapsed), "results": [asdict(r) for r in results]},
                                        indent=2) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

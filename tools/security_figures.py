"""Writes docs/SECURITY-FIGURES.md: every automated security check with its latest result.

    make security-figures        (or: .venv/bin/python tools/security_figures.py [--quick])

1. Runs the security tests with ``SP_FIGURES`` set, so each reports what it measured through the
   ``security_figure`` fixture (tests/support/figures.py), and keeps each test's outcome.
2. Runs ``tools/defence_check.py``: each malicious-server defence removed in turn, its test
   must then fail (skipped with ``--quick``).
3. Runs ``tools/audit_deps.py``: the dependency audit, which says so when the advisory service
   cannot be reached (that is "not checked", never a pass).

A figure is printed beside the outcome of the test that measured it: a figure from a failed
test is shown as such, not as a result.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OUT = ROOT / "docs" / "SECURITY-FIGURES.md"

# The tests that measure a defence, grouped as the figures page shows them.
SUITES: dict[str, list[str]] = {
    "Nothing in clear": [
        "tests/vault/test_vault_service.py::test_vault_lifecycle_at_rest_and_backup",
        "tests/e2e/test_accounts_sync.py::test_incidents_logged_offline_reach_two_more_phones_and_no_server_byte_or_request_holds_them",
        "tests/server/test_privacy.py",
    ],
    "Hostile content": [
        "tests/e2e/test_sharing_xss.py",
        "tests/verify/test_hostile_zip.py",
    ],
    "Faults": [
        "tests/sync/test_faults.py",
    ],
    "Server input": [
        "tests/server/test_openapi.py",
        "tests/server/test_junk.py",
        "tests/hardening",
    ],
    "Access control": [
        "tests/server/test_authorization.py",
        "tests/server/test_csrf.py",
        "tests/server/test_headers.py",
        "tests/server/test_ratelimits.py",
    ],
    "Malicious server": [
        "tests/malicious",
        "tests/e2e/test_release.py",
        "tests/server/test_kill_switch.py",
    ],
    "Evidence integrity": [
        "tests/verify/test_tampering.py",
        "tests/test_threat_model.py",
    ],
}


def run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True, check=False)


def run_tests(workdir: Path) -> tuple[dict[str, str], list[dict[str, object]], dict[str, int]]:
    """Runs every suite once; returns (outcome by test id, figures, totals)."""
    figures_file = workdir / "figures.jsonl"
    junit = workdir / "junit.xml"
    targets = [t for group in SUITES.values() for t in group if (ROOT / t.split("::")[0]).exists()]
    env = {**os.environ, "SP_FIGURES": str(figures_file)}
    result = run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *targets], env=env)
    print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
    outcomes: dict[str, str] = {}
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            path = case.get("classname", "").replace(".", "/")
            test_id = f"{path}.py::{case.get('name')}"
            failure = case.find("failure")
            if failure is None:
                failure = case.find("error")
            if failure is not None:
                outcome = "failed"
                # Why, on the console (the page shows the outcome; the reason is for whoever runs it).
                print(f"FAILED {test_id}: {(failure.get('message') or '')[:300]}")
                print((failure.text or "")[-1500:], flush=True)
            elif case.find("skipped") is not None:
                outcome = "skipped"
            else:
                outcome = "passed"
            outcomes[test_id] = outcome
            totals[outcome] += 1
    figures = []
    if figures_file.exists():
        figures = [json.loads(line) for line in figures_file.read_text().splitlines() if line.strip()]
    return outcomes, figures, totals


def outcome_of(test: str, outcomes: dict[str, str]) -> str:
    base = test.split("[", 1)[0]
    if "::" not in base:  # a module's figure (a total over its tests): failed if any failed
        mine = [o for t, o in outcomes.items() if t.startswith(base + "::")]
        return ("failed" if "failed" in mine else "passed") if mine else "unknown"
    for test_id, outcome in outcomes.items():
        if test_id == base or test_id.startswith(base + "["):
            return outcome
    return "unknown"


def group_of(test: str) -> str:
    for name, targets in SUITES.items():
        if any(test.startswith(t) for t in targets):
            return name
    return "Other"


def json_step(cmd: list[str], workdir: Path, name: str) -> tuple[int, object]:
    out = workdir / f"{name}.json"
    result = run([*cmd, "--json", str(out)])
    print(result.stdout[-3000:], result.stderr[-2000:], sep="\n")
    data: object = None
    if out.exists():
        try:
            data = json.loads(out.read_text())
        except ValueError:
            data = None
    return result.returncode, data


def cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(outcomes: dict[str, str], figures: list[dict[str, object]], totals: dict[str, int],
           defences: tuple[int, object] | None, audit: tuple[int, object], commit: str) -> str:
    today = dt.date.today().isoformat()
    lines = [
        "# Security figures",
        "",
        f"Written by `make security-figures` on {today} at commit `{commit}`. Every figure comes",
        "from a test that asserts the defence; the Outcome column is that test's result in this run",
        "(a figure from a failed test is not a result). Do not edit by hand.",
        "",
        f"**Tests run: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped.**",
        "",
    ]
    by_group: dict[str, list[dict[str, object]]] = {}
    for figure in figures:
        by_group.setdefault(group_of(str(figure["test"])), []).append(figure)
    for group in [*SUITES, "Other"]:
        rows = by_group.get(group)
        if not rows:
            continue
        lines += [f"## {group}", "", "| check | figure | test | outcome |", "| --- | --- | --- | --- |"]
        for f in rows:
            test = str(f["test"])
            lines.append(f"| {cell(f['label'])} | **{cell(f['value'])}** | `{cell(test)}` | "
                         f"{outcome_of(test, outcomes)} |")
        lines.append("")

    lines += ["## Each malicious-server defence, removed", ""]
    if defences is None:
        lines += ["Not run this time (`--quick`).", ""]
    else:
        code, data = defences
        rows = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not rows:
            lines += [f"`tools/defence_check.py` produced no results (exit {code}).", ""]
        else:
            lines += ["`tools/defence_check.py` patches each defence out of a copy of the code and runs",
                      "the attack's test: it must pass with the defence and fail without it.", "",
                      "| attack | defence | test | with defence | defence removed |",
                      "| --- | --- | --- | --- | --- |"]
            for r in rows:
                lines.append(f"| {cell(r.get('attack'))} | {cell(r.get('defence'))} | `{cell(r.get('test'))}` | "
                             f"{cell(r.get('with_defence'))} | {cell(r.get('defence_removed', r.get('without_defence')))} |")
            verdict = "every removed defence made its test fail" if code == 0 else \
                "**a removed defence went unnoticed by its test**"
            lines += ["", f"Result: {verdict} (exit {code}).", ""]

    code, data = audit
    lines += ["## Dependency audit", ""]
    info = data if isinstance(data, dict) else {}
    status = info.get("status", "unknown")
    if code == 0:
        lines.append(f"Pinned Python packages audited against {cell(info.get('service', 'the advisory service'))}: "
                     "no known vulnerability.")
    elif code == 1:
        lines.append("**Known vulnerabilities in pinned packages:**")
        for adv in info.get("advisories", []):
            if isinstance(adv, dict):
                fixed = ", ".join(adv.get("fixed") or []) or "no fixed version"
                lines.append(f"- {cell(adv.get('package'))} {cell(adv.get('version'))}: {cell(adv.get('id'))} "
                             f"{cell(adv.get('summary', ''))} (fixed in {cell(fixed)})")
            else:
                lines.append(f"- {cell(adv)}")
    else:
        lines.append(f"**Not checked** ({cell(status)}): {cell(info.get('reason', 'the advisory service was unreachable'))}. "
                     "This is not a pass; run `make security-figures` where the service is reachable.")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="skip the defence check (minutes)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    commit = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip() or "unknown"
    with tempfile.TemporaryDirectory(prefix="sp-figures-") as tmp:
        work = Path(tmp)
        outcomes, figures, totals = run_tests(work)
        defences = None
        if not args.quick:
            defences = json_step([PY, "tools/defence_check.py"], work, "defences")
        audit = json_step([PY, "tools/audit_deps.py"], work, "audit")
    args.out.write_text(render(outcomes, figures, totals, defences, audit, commit) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    failed = totals["failed"] > 0 or (defences is not None and defences[0] != 0) or audit[0] == 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""bandit over server/ and crypto/ (the verifier CLI, crypto/spcrypto/cli.py, included): no
HIGH-severity finding, every ``# nosec`` names its test and gives a reason. A canary file with
a known HIGH finding is scanned in the same run, so a bandit that silently checks nothing (a
broken install, a changed config) fails here instead of passing."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CANARY = "import subprocess\nsubprocess.call(input(), shell=True)\n"  # B602, HIGH
NOSEC = re.compile(r"#\s*nosec\b(.*)")
# Bandit reads every word after "nosec" as a test id, so the reason follows a second "#".
JUSTIFIED = re.compile(r"\s+B\d{3}(,\s*B\d{3})*\s+#\s*\S")


def test_bandit_finds_no_high_severity_issue(tmp_path, security_figure) -> None:  # type: ignore[no-untyped-def]
    canary = tmp_path / "canary.py"
    canary.write_text(CANARY)
    out = tmp_path / "bandit.json"
    run = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", "server", "crypto",
                          str(canary), "-f", "json", "-o", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.exists(), run.stderr
    report = json.loads(out.read_text())
    assert report["errors"] == [], report["errors"]  # a file bandit could not parse is unscanned
    results = [r for r in report["results"] if Path(r["filename"]) != canary]
    canary_hits = [r for r in report["results"] if Path(r["filename"]) == canary]
    assert any(r["issue_severity"] == "HIGH" for r in canary_hits), "bandit detected nothing"
    high = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
            for r in results if r["issue_severity"] == "HIGH"]
    assert high == []
    counts = {level: sum(r["issue_severity"] == level for r in results)
              for level in ("HIGH", "MEDIUM", "LOW")}
    scanned = [f for f in report["metrics"] if f.startswith(("server", "crypto"))]
    assert any(f.endswith("crypto/spcrypto/cli.py") for f in scanned)
    security_figure("bandit.high", counts["HIGH"], "bandit HIGH findings in server/ and crypto/")
    security_figure("bandit.medium", counts["MEDIUM"], "bandit MEDIUM findings (reviewed)")
    security_figure("bandit.low", counts["LOW"], "bandit LOW findings (reviewed)")
    security_figure("bandit.files", len(scanned), "Python files bandit scanned")


def test_every_nosec_names_its_test_and_a_reason() -> None:
    bare = []
    for path in sorted([*ROOT.glob("server/**/*.py"), *ROOT.glob("crypto/**/*.py"),
                        *ROOT.glob("tools/*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = NOSEC.search(line)
            if match and not JUSTIFIED.match(match[1]):
                bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == [], "write `# nosec BXXX  # why it is safe` instead of a bare nosec"

"""ruff's pyflakes rules (F: undefined names, unused imports and variables, redefinitions, broken
format strings) and syntax errors (E9) over every Python file of ours. A canary file with an
undefined name is checked in the same run, so a ruff that silently checks nothing (a broken
install, a config that excludes everything) fails here instead of passing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ["server", "crypto", "tests", "tools", "bench", "migrations"]
CANARY = "def f() -> int:\n    return undefined_name\n"  # F821


def test_no_python_file_has_a_pyflakes_finding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    canary = tmp_path / "canary.py"
    canary.write_text(CANARY)
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F,E9",
                          "--output-format", "json", "--exit-zero", *OURS, str(canary)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert any(f["code"] == "F821" for f in found if Path(f["filename"]) == canary), "ruff detected nothing"
    ours = [f"{Path(f['filename']).relative_to(ROOT)}:{f['location']['row']} {f['code']} {f['message']}"
            for f in found if Path(f["filename"]) != canary]
    assert ours == []

"""Crypto has one home per language: importing spcrypto must not drag in the web stack."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "alembic", "server")


def test_importing_spcrypto_loads_no_web_or_database_modules() -> None:
    code = (
        "import json, sys, spcrypto, spcrypto.stream, spcrypto.record, spcrypto.sealed;"
        "print(json.dumps(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert bad == [], f"spcrypto imported {bad}"
    assert "spcrypto" in loaded

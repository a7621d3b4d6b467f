"""Static rules for the browser crypto modules (crypto/js/), checked without a browser."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "crypto" / "js"
MODULES = sorted(JS.glob("*.js"))


def test_modules_exist() -> None:
    names = {m.name for m in MODULES}
    expected = {"sp1.js", "encoding.js", "errors.js", "record.js", "attachments.js", "sealed.js",
                "argon2-worker.js"}
    assert expected <= names


def test_only_sp1_touches_crypto_subtle() -> None:
    # Crypto has one home per language: every WebCrypto call goes through sp1.js.
    offenders = [m.name for m in MODULES if m.name != "sp1.js" and "subtle" in m.read_text()]
    assert offenders == []
    # And nothing else in the browser code base calls it either (the PWA uses crypto/js).
    pwa = [p for p in (ROOT / "pwa" / "js").rglob("*.js") if "crypto.subtle" in p.read_text()]
    assert pwa == []


def test_no_dynamic_code_or_html_sinks() -> None:
    forbidden = re.compile(r"\beval\s*\(|new\s+Function\s*\(|innerHTML|outerHTML|document\.write|insertAdjacentHTML")
    assert [m.name for m in MODULES if forbidden.search(m.read_text())] == []


def test_imports_stay_inside_crypto_js_and_vendor() -> None:
    # No CDN, no bare specifiers: modules load under script-src 'self' from /crypto/ and /vendor/.
    spec = re.compile(
        r"""(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']"""
    )
    for m in MODULES:
        for found in spec.finditer(m.read_text()):
            target = found.group(1) or found.group(2)
            assert target.startswith("./") or target.startswith("../vendor/"), (m.name, target)

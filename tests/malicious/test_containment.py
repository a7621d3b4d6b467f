"""The malicious-server mode cannot ship enabled: it lives in tests/, nothing under server/
imports anything from tests/, and tests/ is not in the installed packages. Every attack it can
play is documented (a docstring in tests/support/lying_server.py and a row in
docs/malicious-server.md)."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.support.lying_server import ATTACKS

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_under_server_imports_tests() -> None:
    modules = sorted((ROOT / "server").rglob("*.py"))
    assert len(modules) > 20  # the walk found the server
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m == "tests" or m.startswith("tests."))
                 for p in modules}
    assert {k: v for k, v in offenders.items() if v} == {}
    # and no dynamic import of the lying server hides in a string
    assert [str(p.relative_to(ROOT)) for p in modules if "lying_server" in p.read_text(encoding="utf-8")] == []


def test_tests_are_not_shipped_in_the_package() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]["find"]
    assert packages["include"] == ["server*", "spcrypto*"]


def test_every_attack_is_documented() -> None:
    catalogue = (ROOT / "docs" / "malicious-server.md").read_text(encoding="utf-8")
    assert len(ATTACKS) >= 15
    for name, attack in ATTACKS.items():
        assert attack.doc, f"{name} has no docstring"
        assert f"`{name}`" in catalogue, f"{name} is missing from docs/malicious-server.md"

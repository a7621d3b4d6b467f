"""docs/THREAT_MODEL.md names the test behind each mitigation; those names must stay true.

A renamed or deleted test would leave the threat model claiming a proof that no longer runs.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "THREAT_MODEL.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")}


def test_every_test_the_threat_model_names_exists() -> None:
    references = REFERENCE.findall(DOC.read_text())
    assert len(references) >= 50, "the threat model links its mitigations to tests"
    missing = [f"{path}::{name}" for path, name in references
               if not (ROOT / path).is_file() or name not in defined_tests(ROOT / path)]
    assert missing == []


def test_every_adversary_has_mitigations_proved_by_tests() -> None:
    sections = re.split(r"^### ", DOC.read_text(), flags=re.M)
    adversaries = [s for s in sections if re.match(r"4\.\d ", s)]
    assert len(adversaries) >= 6
    for section in adversaries:
        assert REFERENCE.search(section), section.splitlines()[0]

"""Security figures: numbers the tests measure anyway, kept for docs/SECURITY-FIGURES.md.

A test that proves a defence also knows its size — how many XSS payloads it rendered, how many
IDOR pairs the server denied, how many records a kill -9 lost. ``security_figure(key, value,
label)`` writes that down: one JSON line appended to the file named by ``$SP_FIGURES`` (set by
``tools/security_figures.py``) and nothing at all otherwise, so a normal ``make test`` is
unchanged. The test's own assertions decide pass or fail; a figure is only reported after them
when the test reaches the call, and the figures tool prints the test's outcome beside it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

ENV = "SP_FIGURES"

Recorder = Callable[[str, object, str], None]


def recorder(test_id: str) -> Recorder:
    target = os.environ.get(ENV)

    def record(key: str, value: object, label: str) -> None:
        if not target:
            return
        line = json.dumps({"key": key, "value": value, "label": label, "test": test_id},
                          ensure_ascii=False, sort_keys=True)
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    return record


@pytest.fixture
def security_figure(request: pytest.FixtureRequest) -> Recorder:
    """``security_figure("xss.payloads", 40, "XSS payloads rendered")``."""
    return recorder(request.node.nodeid)

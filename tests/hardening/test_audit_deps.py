"""tools/audit_deps.py: an unreachable advisory service is reported loudly as "not run" (exit 3),
never as a pass; advisories that affect a pinned version fail (exit 1); a clean answer passes.
The service is a local fake, so these tests never depend on the network."""
from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "tools" / "audit_deps.py")
assert _spec is not None and _spec.loader is not None
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit_deps"] = audit  # dataclasses look their module up there
_spec.loader.exec_module(audit)

PINS = audit.read_pins(ROOT / "requirements-dev.txt")
FLASK = next(p for p in PINS if p.name == "flask")


class FakeOsv:
    """A tiny OSV: ``vulns`` maps a package name to the advisory ids it reports; ``garbage``
    answers HTML, as a captive portal or a proxy error page would."""

    def __init__(self, vulns: dict[str, list[str]], garbage: bool = False) -> None:
        self.vulns, self.garbage, self.queries = vulns, garbage, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: bytes, kind: str = "application/json") -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.queries.append(payload)
                if fake.garbage:
                    return self._answer(b"<html>blocked</html>", "text/html")
                results = [{"vulns": [{"id": i} for i in fake.vulns.get(
                    q["package"]["name"], [])]} for q in payload["queries"]]
                return self._answer(json.dumps({"results": results}).encode())

            def do_GET(self) -> None:  # noqa: N802
                vuln_id = self.path.rsplit("/", 1)[-1]
                self._answer(json.dumps({"id": vuln_id, "summary": "test advisory",
                                         "affected": [{"package": {"name": "Flask"}, "ranges": [
                                             {"events": [{"introduced": "0"},
                                                         {"fixed": "9.9.9"}]}]}]}).encode())

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def osv() -> Iterator[Any]:
    servers: list[FakeOsv] = []

    def start(vulns: dict[str, list[str]], garbage: bool = False) -> FakeOsv:
        servers.append(FakeOsv(vulns, garbage))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_service_is_not_a_pass(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    out = tmp_path / "audit.json"
    code = audit.main(["--osv-url", url, "--json", str(out)])
    err = capsys.readouterr().err
    assert code == audit.EXIT_NOT_RUN == 3
    assert f"Dependency audit NOT RUN: the advisory service {url} is unreachable (" in err
    assert "This is not a pass." in err
    status = json.loads(out.read_text())
    assert status["status"] == "not-run" and url in status["reason"]
    assert status["packages"] == len({(p.name, p.version) for p in
                                      audit.read_pins(ROOT / "requirements.txt")
                                      + PINS})


def test_an_answer_that_is_not_osv_is_not_a_pass(osv, capsys) -> None:  # type: ignore[no-untyped-def]
    fake = osv({}, garbage=True)
    assert audit.main(["--osv-url", fake.url]) == audit.EXIT_NOT_RUN
    assert "This is not a pass." in capsys.readouterr().err


def test_an_advisory_on_a_pinned_version_fails(osv, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    fake = osv({"flask": ["GHSA-test-0001"]})
    out = tmp_path / "audit.json"
    assert audit.main(["--osv-url", fake.url, "--json", str(out)]) == audit.EXIT_VULNERABLE
    err = capsys.readouterr().err
    assert f"flask=={FLASK.version}: GHSA-test-0001 test advisory; fixed in 9.9.9" in err
    status = json.loads(out.read_text())
    assert status["status"] == "vulnerable"
    assert [a["id"] for a in status["advisories"]] == ["GHSA-test-0001"]
    # Every pinned package was asked about, at its pinned version.
    asked = {(q["package"]["name"], q["version"]) for q in fake.queries[0]["queries"]}
    assert {(p.name, p.version) for p in PINS} <= asked


def test_a_clean_answer_passes(osv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = osv({"not-a-pinned-package": ["GHSA-test-0002"]})
    out = tmp_path / "audit.json"
    assert audit.main(["--osv-url", fake.url, "--json", str(out), "--installed"]) == 0
    status = json.loads(out.read_text())
    assert status["status"] == "pass" and status["advisories"] == []
    assert status["packages"] > len(PINS)  # --installed adds the transitive dependencies


def test_a_requirement_without_an_exact_pin_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    loose = tmp_path / "requirements.txt"
    loose.write_text("flask>=3\n")
    with pytest.raises(SystemExit, match="not an exact pin"):
        audit.read_pins(loose)

"""Audits the pinned Python packages against the OSV advisory database (osv.dev, which carries
PyPA's advisories for PyPI), offline-tolerant but never silently.

    .venv/bin/python tools/audit_deps.py [--installed] [--json OUT] [--osv-url URL]

Reads ``requirements.txt`` and ``requirements-dev.txt`` (following ``-r``), asks OSV which known
advisories affect each pinned ``name==version`` (``--installed`` adds every distribution
installed in the running interpreter, i.e. the transitive dependencies), and prints them.

Exit status:
  0  the service answered: no advisory affects a pinned version;
  1  the service answered: at least one advisory affects a pinned version (listed);
  3  NOT RUN: the service could not be reached or gave no usable answer. This is not a pass,
     and the message says so; ``make test`` reports it without failing (CI machines may have
     no route to the service), ``make security-figures`` prints "not checked".

``--json OUT`` writes ``{"status": "pass"|"vulnerable"|"not-run", "service", "reason",
"packages", "advisories": [{"package", "version", "id", "summary", "aliases", "fixed"}],
"checked_at"}`` for tools/security_figures.py.

The service URL can also come from ``SP_OSV_URL`` (tests point it at a local fake). Timeouts are
short so an unreachable service costs seconds, not minutes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
OSV_URL = "https://api.osv.dev/v1"
QUERY_TIMEOUT = 6.0  # seconds for the one batch query: the whole run when the service is down
DETAIL_TIMEOUT = 5.0  # per advisory detail, only when the service answered
MAX_DETAILS = 40  # advisories fetched in detail; beyond that, ids only

EXIT_PASS, EXIT_VULNERABLE, EXIT_NOT_RUN = 0, 1, 3
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)")


@dataclass(frozen=True)
class Pin:
    name: str  # PEP 503 normalised
    version: str
    source: str


class NotRun(Exception):
    """The advisory service could not be asked; the message is the reason."""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path, seen: set[Path] | None = None) -> list[Pin]:
    """Every ``name==version`` line of a requirements file and the files it includes with
    ``-r``. A requirement without an exact pin is an error: the audit could not say what runs."""
    seen = seen if seen is not None else set()
    if path in seen:
        return []
    seen.add(path)
    pins: list[Pin] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            pins += read_pins(path.parent / line.split(None, 1)[1], seen)
            continue
        match = _PIN.match(line)
        if not match:
            raise SystemExit(f"{path.name}:{number}: not an exact pin (name==version): {line}")
        pins.append(Pin(normalise(match[1]), match[3], path.name))
    return pins


def installed_pins() -> list[Pin]:
    """The distributions installed in this interpreter (transitive dependencies included)."""
    pins = []
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            pins.append(Pin(normalise(name), dist.version, "installed"))
    return pins


def _post(url: str, payload: dict[str, Any], timeout: float) -> Any:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": "safe-passage-audit"})
    return _read(request, timeout)


def _read(request: urllib.request.Request | str, timeout: float) -> Any:
    try:
        # Only http(s): the URL is OSV's https API, or a test's local fake (--osv-url).
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # nosec B310  # see above
            body = answer.read(8 * 1024 * 1024)
    except urllib.error.HTTPError as exc:
        raise NotRun(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotRun(str(reason) or type(exc).__name__) from None
    try:
        return json.loads(body)
    except ValueError:
        raise NotRun("the answer was not JSON") from None


def query(service: str, pins: list[Pin]) -> dict[Pin, list[str]]:
    """The advisory ids OSV lists for each pin (one batch request), within a hard deadline:
    a socket timeout does not bound name resolution, a thread does."""
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(_attempt(_query, service, pins)),
                              daemon=True)
    worker.start()
    worker.join(QUERY_TIMEOUT + 2)
    if not box:
        raise NotRun(f"no answer within {QUERY_TIMEOUT + 2:.0f} s")
    if isinstance(box[0], NotRun):
        raise box[0]
    return box[0]  # type: ignore[no-any-return]


def _attempt(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except NotRun as exc:
        return exc


def _query(service: str, pins: list[Pin]) -> dict[Pin, list[str]]:
    answer = _post(f"{service}/querybatch", {"queries": [
        {"package": {"name": p.name, "ecosystem": "PyPI"}, "version": p.version} for p in pins]},
        QUERY_TIMEOUT)
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(pins):
        raise NotRun("the answer did not have one result per package")
    found: dict[Pin, list[str]] = {}
    for pin, result in zip(pins, results):
        vulns = (result.get("vulns") or []) if isinstance(result, dict) else None
        if not isinstance(vulns, list):
            raise NotRun("a result was malformed")
        ids = [v["id"] for v in vulns if isinstance(v, dict) and isinstance(v.get("id"), str)]
        if ids:
            found[pin] = ids
    return found


def detail(service: str, vuln_id: str, pin: Pin) -> dict[str, Any]:
    """Summary, aliases and fixed versions of one advisory (ids only if that fails)."""
    entry: dict[str, Any] = {"package": pin.name, "version": pin.version, "id": vuln_id,
                             "summary": "", "aliases": [], "fixed": []}
    try:
        data = _read(f"{service}/vulns/{vuln_id}", DETAIL_TIMEOUT)
    except NotRun:
        return entry
    if not isinstance(data, dict):
        return entry
    entry["summary"] = str(data.get("summary") or data.get("details", ""))[:200]
    entry["aliases"] = [a for a in data.get("aliases", []) if isinstance(a, str)]
    for affected in data.get("affected", []):
        package = affected.get("package", {}) if isinstance(affected, dict) else {}
        if normalise(str(package.get("name", ""))) != pin.name:
            continue
        for rng in affected.get("ranges", []):
            for event in rng.get("events", []) if isinstance(rng, dict) else []:
                if isinstance(event, dict) and "fixed" in event:
                    entry["fixed"].append(str(event["fixed"]))
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--installed", action="store_true",
                        help="also audit every distribution installed in this interpreter")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the result as JSON")
    parser.add_argument("--osv-url", default=os.environ.get("SP_OSV_URL", OSV_URL))
    parser.add_argument("--requirements", type=Path, nargs="*", default=REQUIREMENTS)
    args = parser.parse_args(argv)
    service = args.osv_url.rstrip("/")
    if not service.startswith(("https://", "http://")):
        parser.error("--osv-url must be an http(s) URL")

    pins: dict[tuple[str, str], Pin] = {}
    for path in args.requirements:
        for pin in read_pins(path):
            pins.setdefault((pin.name, pin.version), pin)
    if args.installed:
        for pin in installed_pins():
            pins.setdefault((pin.name, pin.version), pin)
    ordered = sorted(pins.values(), key=lambda p: (p.name, p.version))
    result: dict[str, Any] = {"service": service, "packages": len(ordered), "advisories": [],
                              "reason": "", "checked_at": dt.datetime.now(dt.timezone.utc)
                              .isoformat(timespec="seconds")}
    try:
        found = query(service, ordered)
    except NotRun as exc:
        result.update(status="not-run", reason=f"{service} is unreachable ({exc})")
        print(f"Dependency audit NOT RUN: the advisory service {service} is unreachable ({exc}). "
              "This is not a pass.", file=sys.stderr)
        _write(args.json, result)
        return EXIT_NOT_RUN
    advisories = []
    for pin, ids in found.items():
        for vuln_id in ids:
            advisories.append(detail(service, vuln_id, pin) if len(advisories) < MAX_DETAILS
                              else {"package": pin.name, "version": pin.version, "id": vuln_id,
                                    "summary": "", "aliases": [], "fixed": []})
    result["advisories"] = advisories
    if advisories:
        result["status"] = "vulnerable"
        print(f"Dependency audit FAILED: {len(advisories)} known advisories affect pinned "
              f"packages ({service}):", file=sys.stderr)
        for adv in advisories:
            fixed = f"; fixed in {', '.join(adv['fixed'])}" if adv["fixed"] else ""
            print(f"  {adv['package']}=={adv['version']}: {adv['id']} {adv['summary']}{fixed}",
                  file=sys.stderr)
        _write(args.json, result)
        return EXIT_VULNERABLE
    result["status"] = "pass"
    print(f"Dependency audit: {len(ordered)} pinned packages, no known advisory ({service}).")
    _write(args.json, result)
    return EXIT_PASS


def _write(path: Path | None, result: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

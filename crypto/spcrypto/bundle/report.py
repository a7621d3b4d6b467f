"""What the verifier reports: each check's verdict, the facts of the report header, and the
collector the check groups write their verdicts into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import FormatError

# The check groups, in the order they are reported.
GROUPS = (
    "zip",
    "files",
    "identities",
    "export",
    "records",
    "receipts",
    "shares",
    "attachments",
    "chains",
    "custody",
)
ZIP_ITSELF = "(zip)"  # the "file" of a check about the archive as a whole


class BundleUnreadable(FormatError):
    """The file is not a readable evidence bundle: not a ZIP, or no parseable manifest.json."""


@dataclass(frozen=True)
class BundleCheck:
    """One verdict: ``check`` (e.g. "signature") of ``file`` (a path in the ZIP) in ``group``."""

    group: str
    file: str
    check: str
    ok: bool
    message: str

    @property
    def line(self) -> str:
        return f"{self.file}  {self.check}: {self.message}"


@dataclass(frozen=True)
class BundleFacts:
    """What the report header shows, from the manifest (which the export record signs)."""

    case: str = ""
    title: str = ""
    created: int | None = None  # Unix ms
    lang: str = ""
    exporter: str = ""  # kid, base64url
    exporter_name: str = ""  # from the exporter's verified card, if any
    server_key: str = ""  # base64url Ed25519 public key the receipts verify under
    records: int = 0
    attachments: int = 0
    custody_events: int = 0  # custody records in records/ plus the export record


@dataclass(frozen=True)
class BundleReport:
    """Every check run on one bundle, in GROUPS order; ``failures`` are those that did not pass."""

    facts: BundleFacts
    checks: tuple[BundleCheck, ...]
    # Remarks that are not failures: a record "not yet received by the server".
    notes: tuple[BundleCheck, ...] = ()

    @property
    def failures(self) -> tuple[BundleCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and not self.failures

    def group_results(self) -> list[tuple[str, bool, int]]:
        """(group, passed, number of checks) for every group that ran, in GROUPS order."""
        out = []
        for group in GROUPS:
            mine = [c for c in self.checks if c.group == group]
            if mine:
                out.append((group, all(c.ok for c in mine), len(mine)))
        return out

    def summary(self) -> str:
        if self.failures:
            return f"{len(self.failures)} checks FAILED"
        f = self.facts
        return (
            f"{len(self.checks)} checks passed for {f.records} records, "
            f"{f.attachments} attachments, {f.custody_events} custody events"
        )


def format_utc(ms: int | None) -> str:
    """A Unix-ms time as "YYYY-MM-DD HH:MM:SS UTC" (the raw number if it is out of range)."""
    if ms is None:
        return "unknown"
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ms} (Unix ms)"


class Checks:
    """The verdicts of one run, in the order the checks were made."""

    def __init__(self) -> None:
        self.checks: list[BundleCheck] = []
        self.notes: list[BundleCheck] = []

    def ok(self, group: str, file: str, check: str, message: str) -> None:
        self.checks.append(BundleCheck(group, file, check, True, message))

    def fail(self, group: str, file: str, check: str, message: str) -> None:
        self.checks.append(BundleCheck(group, file, check, False, message))

    def expect(self, cond: bool, group: str, file: str, check: str, good: str, bad: str) -> bool:
        (self.ok if cond else self.fail)(group, file, check, good if cond else bad)
        return cond

    def note(self, group: str, file: str, check: str, message: str) -> None:
        """A remark that is not a verdict (BundleReport.notes)."""
        self.notes.append(BundleCheck(group, file, check, True, message))

    def guarded(self, group: str, step: Callable[[], None]) -> None:
        """Run one group's checks; an unforeseen error fails the group instead of escaping.

        Every malformed input is meant to be a named failed check already; this is the last
        line, so that a verifier bug can only ever make a bundle fail, never pass or crash.
        """
        try:
            step()
        except Exception as e:  # deliberately broad: fail closed on anything unforeseen
            self.fail(group, ZIP_ITSELF, "verifier", f"could not complete ({type(e).__name__})")

    def report(self, facts: BundleFacts) -> BundleReport:
        order = {g: i for i, g in enumerate(GROUPS)}
        checks = sorted(self.checks, key=lambda c: order[c.group])  # stable: keeps file order
        return BundleReport(facts, tuple(checks), tuple(self.notes))

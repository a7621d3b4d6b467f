"""What one verification knows as its checks pass: the verified bundles and cards, the disclosed
records, the export record. The check groups (identities, records, attachments, custody) read
and fill it; a value is set only once the check that vouches for it has passed."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from .._encoding import b64u_encode
from ..errors import FormatError
from ..identity import Bundle, Card
from ..record import Envelope, Header, OpenedRecord
from .archive import Zip
from .fields import CUSTODY_KIND, as_obj
from .manifest import Manifest
from .report import BundleFacts, Checks


@dataclass
class Rec:
    """One disclosed record, filled in as its checks pass."""

    path: str
    rid: str
    author: str | None = None
    listed_kind: str | None = None  # manifest.records kind
    envelope: Envelope | None = None
    header: Header | None = None  # set only once the signature verified
    cek: bytes | None = None
    opened: OpenedRecord | None = None  # set only once commitment and body verified
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        return self.opened.body.get("kind") if self.opened else self.listed_kind

    @property
    def entry(self) -> bytes | None:
        return _entry_hash(self.envelope) if self.envelope else None


@functools.lru_cache(maxsize=4096)
def _entry_hash(envelope: Envelope) -> bytes:
    # Envelopes are frozen and hashable; the entry hash is looked up for every link and prev.
    return envelope.entry_hash


def parse_envelope(value: Any) -> Envelope:
    """An envelope whose entry hash can be computed (ASCII header); raises FormatError."""
    envelope = Envelope.from_json(as_obj(value, "envelope"))
    _entry_hash(envelope)
    return envelope


class Verification(Checks):
    """A run past the "zip" group, with a parsed manifest."""

    def __init__(self, z: Zip, m: Manifest, so_far: Checks) -> None:
        super().__init__()
        self.checks, self.notes = so_far.checks, so_far.notes  # one list for the whole run
        self.z = z
        self.m = m
        self.bundles: dict[str, Bundle] = {}
        self.cards: dict[str, Card] = {}
        self.needed: dict[str, str] = {}  # kid -> the file that needs its bundle
        self.records: dict[str, Rec] = {}
        self.export: Rec | None = None
        self._by_entry: dict[bytes, Rec] | None = None  # filled once the records are loaded

    def bundle_for(self, kid: str, needed_by: str) -> Bundle:
        """The verified bundle of ``kid``; FormatError when the bundle has none."""
        self.needed.setdefault(kid, needed_by)
        bundle = self.bundles.get(kid)
        if bundle is None:
            raise FormatError(f"no verified bundle for {kid} (bundles/{kid}.json)")
        return bundle

    def entries(self) -> dict[bytes, Rec]:
        """The records in the bundle by entry hash (the export record is not one of them)."""
        if self._by_entry is None:
            self._by_entry = {r.entry: r for r in self.records.values() if r.entry is not None}
        return self._by_entry

    def facts(self) -> BundleFacts:
        m = self.m
        custody = sum(1 for r in self.records.values() if r.kind == CUSTODY_KIND)
        card = self.cards.get(m.exporter)
        return BundleFacts(
            case=m.case,
            title=m.title,
            created=m.created,
            lang=m.lang,
            exporter=m.exporter,
            exporter_name=(card.name + (f" ({card.org})" if card.org else "")) if card else "",
            server_key=b64u_encode(m.server_key),
            records=len(self.records),
            attachments=len(m.attachments_by_aid()),
            custody_events=custody + (1 if self.export else 0),
        )

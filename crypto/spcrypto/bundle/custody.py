"""The "chains" group (device chains: no fork, consecutive records linked) and the "custody"
group: each custody event, the entries it names in prev, manifest.custody, and the custody DAG
that ends in the export record."""

from __future__ import annotations

import itertools
from typing import Any

from .._encoding import b64u_encode
from ..errors import CryptoError, FormatError
from ..record import ChainHead, check_chain_link
from .attachments import body_att
from .fields import CUSTODY_KIND, MANIFEST, as_entry, as_list, as_obj
from .state import Rec, Verification

CUSTODY_EVENTS = frozenset({"referred", "opened", "note", "working-copy", "exported", "revoked"})


def check_chains(v: Verification) -> None:
    signed = [r for r in v.records.values() if r.header is not None]
    if v.export is not None and v.export.header is not None:
        signed.append(v.export)
    chains: dict[tuple[bytes, bytes], dict[int, Rec]] = {}
    for rec in signed:
        # Narrowing for mypy: under -O the next use fails closed; no check is skipped.
        assert rec.header is not None and rec.envelope is not None  # nosec B101  # see above
        by_seq = chains.setdefault((rec.header.author, rec.header.dev), {})
        other = by_seq.get(rec.header.seq)
        if other is None:
            by_seq[rec.header.seq] = rec
        elif other.entry != rec.entry:
            v.fail(
                "chains", rec.path, "fork",
                f"seq {rec.header.seq} of the same device chain is also {other.path}",
            )
    for (author, dev), by_seq in chains.items():
        seqs = sorted(by_seq)
        links = 0
        broken = False
        for a, b in itertools.pairwise(seqs):
            if b != a + 1:
                continue  # a bundle holds part of a chain: gaps are expected
            earlier, later = by_seq[a], by_seq[b]
            # Narrowing for mypy: under -O the next use fails closed; no check is skipped.
            assert earlier.header is not None  # nosec B101  # see above
            assert earlier.entry is not None  # nosec B101  # see above
            assert later.envelope is not None  # nosec B101  # see above
            head = ChainHead(author, dev, a, earlier.entry)
            try:
                check_chain_link(head, later.envelope)
                links += 1
            except CryptoError as e:
                broken = True
                v.fail("chains", later.path, "link", f"{e} ({earlier.path}, seq {a})")
        if not broken:
            last = by_seq[seqs[-1]]
            v.ok(
                "chains", last.path, "chain",
                f"device {b64u_encode(dev)} of {b64u_encode(author)}: seq "
                f"{', '.join(map(str, seqs))}, {links} consecutive links verified, no fork",
            )


def check_prev(v: Verification, rec: Rec, group: str) -> None:
    """Every entry a custody record names in prev is a record in the bundle (contract 0.2)."""
    if rec.opened is None:
        return
    entries = v.entries()
    try:
        prev = [as_entry(e, "prev") for e in as_list(rec.opened.body.get("prev"), "prev")]
        texts = [b64u_encode(e) for e in prev]
        if texts != sorted(set(texts)):
            raise FormatError("prev is not sorted and unique")
    except FormatError as e:
        v.fail(group, rec.path, "prev", str(e))
        return
    missing = [b64u_encode(e) for e in prev if e not in entries]
    for entry in missing:
        why = f"names entry {entry}, which is not in the bundle (a missing event)"
        v.fail(group, rec.path, "prev", why)
    if not missing:
        v.ok(group, rec.path, "prev", f"the {len(prev)} entries it names are in the bundle")


def check_custody(v: Verification) -> None:
    m = v.m
    entries = v.entries()
    custody = [r for r in v.records.values() if r.kind == CUSTODY_KIND]
    for rec in custody:
        if rec.opened is not None:
            _check_custody_record(v, rec, entries)
    # manifest.custody: exactly the custody records, each after the entries it names.
    want = {b64u_encode(r.entry): r for r in custody if r.entry is not None}
    listed = [e for e in m.custody if isinstance(e, str)]
    problems = []
    if len(listed) != len(m.custody) or len(set(listed)) != len(listed):
        problems.append("custody has non-string or repeated entries")
    for e in listed:
        if e not in want:
            problems.append(f"custody lists {e}, which is not a custody record in the bundle")
    for e, rec in want.items():
        if e not in listed:
            problems.append(f"custody does not list {rec.path}")
    position = {e: i for i, e in enumerate(listed)}
    for e, rec in want.items():
        if rec.opened is None or e not in position:
            continue
        prev = rec.opened.body.get("prev")
        for p in prev if isinstance(prev, list) else []:
            if isinstance(p, str) and position.get(p, -1) > position[e]:
                problems.append(f"custody lists {rec.path} before an entry it names")
    for problem in problems:
        v.fail("custody", MANIFEST, "custody list", problem)
    if not problems:
        good = f"lists the {len(want)} custody records in log order"
        v.ok("custody", MANIFEST, "custody list", good)
    _check_ancestry(v, custody)


def _check_ancestry(v: Verification, custody: list[Rec]) -> None:
    """Every custody record is an ancestor of the export record (contract 0.2: the export
    names the heads), so none can be added to a bundle without breaking a signed link."""
    if v.export is None or v.export.opened is None:
        return
    entries = v.entries()
    reached: set[bytes] = set()
    missing = False
    todo = [v.export]
    while todo:
        rec = todo.pop()
        prev = rec.opened.body.get("prev") if rec.opened else None
        for p in prev if isinstance(prev, list) else []:
            try:
                e = as_entry(p, "prev")
            except FormatError:
                continue
            missing = missing or e not in entries
            if e not in reached and e in entries:
                reached.add(e)
                todo.append(entries[e])
    why = "a missing event cuts it off" if missing else "not in the log the exporter signed"
    for rec in custody:
        v.expect(
            rec.entry in reached, "custody", rec.path, "in the log",
            "an ancestor of the export record",
            f"not an ancestor of the export record ({why})",
        )


def _check_custody_record(v: Verification, rec: Rec, entries: dict[bytes, Rec]) -> None:
    assert rec.opened is not None  # nosec B101  # narrowing: under -O the next use fails closed
    body, case = rec.opened.body, v.m.case
    event = body.get("event")
    if not v.expect(
        event in CUSTODY_EVENTS, "custody", rec.path, "event", f"{event}",
        f"unknown event {event!r}",
    ):
        return
    v.expect(
        body.get("case") == case, "custody", rec.path, "case",
        f"{event} event of case {case}",
        f"belongs to case {body.get('case')!r}, not manifest.json's {case}",
    )
    check_prev(v, rec, "custody")
    try:
        _check_references(v, body, str(event), entries)
    except FormatError as e:
        v.fail("custody", rec.path, "references", str(e))
        return
    good = "the reports, consents and originals it names are in the bundle"
    v.ok("custody", rec.path, "references", good)


def _check_references(
    v: Verification, body: dict[str, Any], event: str, entries: dict[bytes, Rec]
) -> None:
    """The records an event names are in the bundle: its items, a referral's consent (the
    author's sp.share with consent.legal true), a working copy's original. FormatError."""
    for i, item in enumerate(as_list(body.get("items"), "items")):
        _resolve(entries, as_obj(item, f"items[{i}]"), f"items[{i}]")
    detail = as_obj(body.get("detail"), "detail")
    if event == "referred":
        for i, ref in enumerate(as_list(detail.get("consent"), "detail.consent")):
            what = f"detail.consent[{i}]"
            share = _resolve(entries, as_obj(ref, what), what)
            consent = share.opened.body.get("consent") if share.opened else None
            legal = isinstance(consent, dict) and consent.get("legal") is True
            if share.kind != "sp.share" or not legal:
                raise FormatError(f"{what}: {share.path} is no sp.share with legal consent")
    if event == "working-copy":
        of = as_obj(detail.get("of"), "detail.of")
        target = v.records.get(f"records/{of.get('rid')}.json")
        opened = target.opened if target else None
        meta = body_att(opened.body, of.get("aid")) if opened else None
        if meta is None or meta.get("sha256") != of.get("sha256"):
            raise FormatError("detail.of does not name an original in the bundle")


def _resolve(entries: dict[bytes, Rec], ref: dict[str, Any], what: str) -> Rec:
    """The record ``{rid, entry[, author]}`` names; FormatError unless it is in the bundle."""
    found = entries.get(as_entry(ref.get("entry"), f"{what}.entry"))
    rid, author = ref.get("rid"), ref.get("author")
    if found is None or found.rid != rid or ("author" in ref and found.author != author):
        raise FormatError(f"{what} names {rid!r}, which is not that record in the bundle")
    return found

"""A malicious server, for tests only: WSGI middleware around the REAL app that lies on command.

What a coerced or compromised operator can do without any user's keys: rewrite what the server
answers (drop, repeat, reorder or invent records and inbox items, substitute a directory key,
weaken the KDF parameters it hands out, swap or damage attachment bytes, sign receipts with
another key or hand out old ones) and restore an old backup of its database. Each attack is one
small documented function below, registered under a name; a test arms it around the one step it
attacks and disarms it after::

    lying.arm("weak-kdf")
    ... the client signs in and must refuse ...
    lying.disarm()

The client must detect or refuse every attack (tests/malicious/, docs/malicious-server.md).
Nothing in ``server/`` knows this module exists (tests/malicious/test_containment.py asserts that
no module under ``server/`` imports ``tests``), and it is not in the shipped packages
(pyproject.toml ships ``server*`` and ``spcrypto*`` only): the lies exist only in a test run.

The middleware also keeps a log of every request it passed on (``lying.requests``), so a test can
assert what the phone sent, or did not send, after it was lied to.
"""
from __future__ import annotations

import copy
import io
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import spcrypto
from spcrypto import b64u_decode, b64u_encode
from spcrypto.receipt import make_receipt
from spcrypto.record import _seal_record_from_parts, wrap_for_recipient

# ---------------------------------------------------------------------------------------------
# The exchange an attack rewrites.


@dataclass
class Exchange:
    """One request and the real app's answer to it, open for rewriting. ``json`` is the parsed
    answer body (assign to it to replace the body); ``body`` its raw bytes."""

    lying: LyingServer
    environ: dict[str, Any]
    method: str
    path: str
    query: dict[str, list[str]]
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    state: dict[str, Any]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @json.setter
    def json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()

    @property
    def ok(self) -> bool:
        return self.status.startswith("2")

    def inner(self, method: str, path: str, query: str = "") -> tuple[str, bytes]:
        """What the real app answers to another request on the same session (same cookies)."""
        environ = dict(self.environ)
        environ.update({"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                        "CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO(b"")})
        environ.pop("CONTENT_TYPE", None)
        status, _headers, body = self.lying.call_app(environ)
        return status, body

    def receipt_key(self) -> Ed25519PrivateKey:
        """The real server's receipt signing key: a lying server can sign anything with it."""
        key: Ed25519PrivateKey = self.lying.app.extensions["safepassage"].keys.receipt
        return key

    def bundle_of_kid(self, kid: str) -> dict[str, str]:
        """The signed bundle the server stores for the account whose key id is ``kid``."""
        from sqlalchemy import select

        from server.db import db
        from server.models import Account

        with self.lying.app.app_context():
            session = db.session()
            try:
                account = session.scalar(select(Account).where(Account.kid == kid))
                assert account is not None, "no account with that key id"
                return {"bundle": account.bundle, "sig": account.bundle_sig}
            finally:
                session.close()


@dataclass(frozen=True)
class Attack:
    name: str
    method: str
    path: re.Pattern[str]
    rewrite: Callable[..., bool]

    @property
    def doc(self) -> str:
        return (self.rewrite.__doc__ or "").strip()


ATTACKS: dict[str, Attack] = {}


def attack(name: str, method: str, path: str) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    """Registers ``rewrite(ex, **params)`` as the attack ``name`` on ``method path`` (a regex
    matched against the whole path). ``rewrite`` returns whether it lied (the test counts the
    lies told in ``Armed.hits``: an attack that found nothing to lie about proves nothing)."""

    def register(rewrite: Callable[..., bool]) -> Callable[..., bool]:
        ATTACKS[name] = Attack(name, method, re.compile(path), rewrite)
        return rewrite

    return register


# ---------------------------------------------------------------------------------------------
# Helpers the attacks share.


def header_of(item: dict[str, Any]) -> dict[str, Any]:
    """The parsed SP1 header of a records or inbox item (readable by the server: SP1 §6.1)."""
    return dict(json.loads(item["envelope"]["hdr"]))


def rid_of(item: dict[str, Any]) -> str:
    return str(header_of(item)["rid"])


@dataclass(frozen=True)
class Impostor:
    """The operator's own key wearing a user's key id: it can put her kid in a header and sign,
    but the signature is the operator's."""

    kid: bytes
    signer: spcrypto.Identity = field(default_factory=spcrypto.generate_identity)

    def sign(self, message: bytes) -> bytes:
        return self.signer.sign(message)


def forge_record(*, author_kid: str, dev: str, seq: int, prev: bytes, title: str,
                 rcpt: Iterable[bytes] = ()) -> tuple[spcrypto.Envelope, bytes]:
    """A record that claims ``author_kid`` and sits at ``seq`` on chain ``dev``, well formed and
    encrypted, signed by the operator's key. Returns (envelope, cek)."""
    cek = os.urandom(32)
    body = {"ts": int(time.time() * 1000), "kind": "sp.incident", "ver": 1,
            "c": json.dumps({"title": title, "type": "surveillance", "what": title})}
    envelope = _seal_record_from_parts(
        Impostor(b64u_decode(author_kid, 16)), cek, rid=os.urandom(16), dev=b64u_decode(dev, 16),
        seq=seq, prev=prev, rcpt=sorted(rcpt), bn=os.urandom(12), att=(), supersedes=None,
        body_json=json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return envelope, cek


def renumber(page: dict[str, Any], items: list[dict[str, Any]], key: str) -> None:
    """Puts ``items`` into ``page[key]`` with cursors ascending from the page's first one, as a
    lying server that chose the order would number them, and a ``next`` that covers them."""
    start = min((item["cursor"] for item in page[key]), default=page["next"] + 1)
    page[key] = [dict(item, cursor=start + n) for n, item in enumerate(items)]
    if page[key]:
        page["next"] = max(page["next"], page[key][-1]["cursor"])


# ---------------------------------------------------------------------------------------------
# The attacks. Each docstring says what a coerced operator does.


@attack("weak-kdf", "POST", r"/api/auth/prelogin")
def weak_kdf(ex: Exchange, m: int = 4096, t: int = 1) -> bool:
    """Prelogin hands out Argon2id parameters far under the floor (4 MiB, one pass) with the
    account's real salt, so the auth key a new device derives and sends is cheap to brute-force
    offline (and a real operator would keep the verifier it receives)."""
    kdf = json.loads(ex.json["kdf"])
    kdf.update(m=m, t=t)
    ex.json = {"kdf": json.dumps(kdf, sort_keys=True, separators=(",", ":"))}
    return True


@attack("substituted-key", "GET", r"/api/directory")
def substituted_key(ex: Exchange, account: str) -> bool:
    """The directory answers, for ``account``, a key pair the operator made: a valid self-signed
    bundle with the same account id and role, and a card with the same name signed by it.
    ``state["kid"]`` is the substitute's key id."""
    if "identity" not in ex.state:
        ex.state["identity"] = spcrypto.generate_identity()
        ex.state["kid"] = b64u_encode(ex.state["identity"].kid)
    mallory = ex.state["identity"]
    answer = ex.json
    lied = False
    for entry in answer["contacts"]:
        if entry["account"] != account:
            continue
        lied = True
        real = spcrypto.verify_bundle(entry["bundle"])
        card = spcrypto.verify_card(entry["card"], real) if entry.get("card") else None
        entry["bundle"] = spcrypto.make_bundle(mallory, account, entry["role"])
        if card is not None:
            entry["card"] = spcrypto.make_card(mallory, card.name, card.org)
    ex.json = answer
    return lied


@attack("drop-record", "GET", r"/api/records")
def drop_record(ex: Exchange, rids: Iterable[str]) -> bool:
    """A pull leaves out the records ``rids`` (deleted from the database, or hidden from this
    device), the rest answered as they are."""
    drop = set(rids)
    page = ex.json
    kept = [item for item in page["records"] if rid_of(item) not in drop]
    lied = len(kept) < len(page["records"])
    page["records"] = kept
    ex.json = page
    return lied


@attack("inject-record", "GET", r"/api/records")
def inject_record(ex: Exchange, after: str, title: str = "Planted by the server") -> bool:
    """A pull carries a record the user never wrote: the next record on the chain of record
    ``after``, claiming her key id, encrypted and well formed, with a genuine receipt signed by
    the server's real key — but signed by the operator's key, and with an owner wrap copied from
    a real record (the server never holds the account key)."""
    page = ex.json
    base = next((item for item in page["records"] if rid_of(item) == after), None)
    if base is None:
        return False
    h = header_of(base)
    prev = spcrypto.Envelope.from_json(base["envelope"]).entry_hash
    envelope, _cek = forge_record(author_kid=h["author"], dev=h["dev"], seq=h["seq"] + 1, prev=prev,
                                  title=title)
    forged = {"cursor": 0, "envelope": envelope.to_json(), "wrap": copy.deepcopy(base["wrap"]),
              "receipt": make_receipt(ex.receipt_key(), envelope.entry_hash)}
    ex.state["rid"] = b64u_encode(spcrypto.parse_header(envelope.hdr).rid)
    renumber(page, [*page["records"], forged], "records")
    ex.json = page
    return True


@attack("replay-record", "GET", r"/api/records")
def replay_record(ex: Exchange, rid: str) -> bool:
    """A pull delivers record ``rid`` twice, the copy right after the original (cursors
    renumbered so that the page looks in order)."""
    page = ex.json
    told: list[dict[str, Any]] = []
    for item in page["records"]:
        told.append(item)
        if rid_of(item) == rid:
            told.append(copy.deepcopy(item))
    lied = len(told) > len(page["records"])
    renumber(page, told, "records")
    ex.json = page
    return lied


def _swap(items: list[dict[str, Any]], rids: tuple[str, str]) -> bool:
    """Puts the two items ``rids`` in each other's place in ``items``, each keeping the cursor of
    the position it lands in (a lying server numbers its cursors to match the order it chose)."""
    at = [n for n, item in enumerate(items) if rid_of(item) in set(rids)]
    if len(at) != 2:
        return False
    i, j = at
    items[i], items[j] = ({**items[j], "cursor": items[i]["cursor"]},
                          {**items[i], "cursor": items[j]["cursor"]})
    return True


@attack("reorder-records", "GET", r"/api/records")
def reorder_records(ex: Exchange, rids: tuple[str, str]) -> bool:
    """A pull delivers the two records ``rids`` in each other's place; the cursors keep their
    ascending positions, so only the records' own chain numbers can show it."""
    page = ex.json
    if not _swap(page["records"], rids):
        return False
    ex.json = page
    return True


@attack("swapped-attachment", "GET", r"/api/attachments/[A-Za-z0-9_-]+")
def swapped_attachment(ex: Exchange, aid: str, other: str) -> bool:
    """The download of attachment ``aid`` answers attachment ``other``'s ciphertext: a genuine
    file of the same account, in its place."""
    if ex.path.endswith("/" + aid):
        status, body = ex.inner("GET", f"/api/attachments/{other}")
        assert status.startswith("200"), status
        ex.body = body
        return True
    return False


@attack("truncated-attachment", "GET", r"/api/attachments/[A-Za-z0-9_-]+")
def truncated_attachment(ex: Exchange, aid: str, cut: int = 100) -> bool:
    """The download of attachment ``aid`` ends ``cut`` bytes early."""
    if ex.path.endswith("/" + aid):
        ex.body = ex.body[:-cut]
        return True
    return False


@attack("bit-flipped-attachment", "GET", r"/api/attachments/[A-Za-z0-9_-]+")
def bit_flipped_attachment(ex: Exchange, aid: str) -> bool:
    """The download of attachment ``aid`` has one bit flipped in the middle (a damaged disk, or a
    deliberate alteration of evidence)."""
    if ex.path.endswith("/" + aid):
        body = bytearray(ex.body)
        body[len(body) // 2] ^= 0x01
        ex.body = bytes(body)
        return True
    return False


@attack("forged-receipt", "POST", r"/api/records")
def forged_receipt(ex: Exchange, how: str = "other-key") -> bool:
    """The receipts of a push are not the server's: ``how="other-key"`` signs each one, well
    formed, with a key that is not the one the account pinned (a server that swapped keys, or a
    machine in the middle); ``how="bad-signature"`` alters each signature."""
    if not ex.ok:
        return
    answer = ex.json
    other = Ed25519PrivateKey.generate()
    for result in answer.get("results", []):
        receipt = result["receipt"]
        if how == "other-key":
            result["receipt"] = make_receipt(other, b64u_decode(receipt["entry"], 32), receipt["ts"])
        else:
            sig = receipt["sig"]
            receipt["sig"] = ("B" if sig[0] == "A" else "A") + sig[1:]
    ex.json = answer
    return bool(answer.get("results"))


@attack("stale-receipt", "POST", r"/api/records")
def stale_receipt(ex: Exchange) -> bool:
    """The receipts of a push are genuine receipts the server signed earlier, for the account's
    oldest record: valid under the pinned key, but not for what was just pushed (a server that
    did not store the new records and hopes the client only checks signatures)."""
    if not ex.ok:
        return
    status, body = ex.inner("GET", "/api/records", "after=0&limit=1")
    assert status.startswith("200"), status
    old = json.loads(body)["records"][0]["receipt"]
    answer = ex.json
    for result in answer.get("results", []):
        result["receipt"] = copy.deepcopy(old)
    ex.json = answer
    return bool(answer.get("results"))


def _inbox(ex: Exchange) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    page = ex.json
    return page, page["items"]


@attack("withhold-message", "GET", r"/api/inbox")
def withhold_message(ex: Exchange, rids: Iterable[str]) -> bool:
    """An inbox pull leaves out the items (messages) ``rids``; the rest keep their cursors."""
    drop = set(rids)
    page, items = _inbox(ex)
    page["items"] = [item for item in items if rid_of(item) not in drop]
    ex.json = page
    return len(page["items"]) < len(items)


@attack("replay-message", "GET", r"/api/inbox")
def replay_message(ex: Exchange, rid: str, instead_of: str) -> bool:
    """An inbox pull delivers message ``rid`` again in the place (and under the cursor) of
    message ``instead_of``, which it withholds."""
    page, items = _inbox(ex)
    original = next((item for item in items if rid_of(item) == rid), None)
    if original is None:
        return False
    lied = False
    for n, item in enumerate(items):
        if rid_of(item) == instead_of:
            items[n] = {**copy.deepcopy(original), "cursor": item["cursor"]}
            lied = True
    ex.json = page
    return lied


@attack("reorder-messages", "GET", r"/api/inbox")
def reorder_messages(ex: Exchange, rids: tuple[str, str]) -> bool:
    """An inbox pull delivers the two messages ``rids`` in each other's place, cursors kept in
    ascending positions."""
    page, items = _inbox(ex)
    if not _swap(items, rids):
        return False
    ex.json = page
    return True


@attack("inject-message", "GET", r"/api/inbox")
def inject_message(ex: Exchange, author: str, title: str = "Planted by the server") -> bool:
    """An inbox pull carries a report "from" the account whose key id is ``author``: her genuine
    bundle, her key id in the header, an HPKE wrap to the reader's real key naming her as the
    sharer, a genuine server receipt — every signature made by the operator's key."""
    page, items = _inbox(ex)
    genuine = next((item for item in items if header_of(item)["author"] == author), None)
    if genuine is None or ex.state.get("done"):
        return False
    h = header_of(genuine)
    reader = spcrypto.verify_bundle(ex.bundle_of_kid(genuine["wrap"]["kid"]))
    envelope, cek = forge_record(author_kid=author, dev=h["dev"], seq=h["seq"] + 1000,
                                 prev=os.urandom(32), title=title, rcpt=[reader.kid])
    impostor = Impostor(b64u_decode(author, 16))
    forged = {"cursor": 0, "envelope": envelope.to_json(),
              "wrap": wrap_for_recipient(envelope.hdr, cek, reader, impostor),  # type: ignore[arg-type]
              "receipt": make_receipt(ex.receipt_key(), envelope.entry_hash),
              "author": genuine["author"], "sharer": genuine.get("sharer")}
    if forged["sharer"] is None:
        del forged["sharer"]
    ex.state["done"] = True
    renumber(page, [*items, forged], "items")
    ex.json = page
    return True


# ---------------------------------------------------------------------------------------------
# The middleware.


@dataclass
class Seen:
    """A request as it reached the server."""

    method: str
    path: str
    query: str
    body: bytes


@dataclass
class Armed:
    attack: Attack
    params: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    hits: int = 0


class LyingServer:
    """WSGI middleware: ``LyingServer(app)`` serves ``app`` honestly until an attack is armed."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.armed: list[Armed] = []
        self.requests: list[Seen] = []
        self._lock = threading.Lock()

    # -- the test's controls --------------------------------------------------------------------

    def arm(self, name: str, **params: Any) -> Armed:
        """Starts lying with attack ``name`` (see ATTACKS) until disarm()."""
        armed = Armed(ATTACKS[name], params)
        with self._lock:
            self.armed.append(armed)
        return armed

    def disarm(self) -> None:
        """Back to honest answers."""
        with self._lock:
            self.armed.clear()

    def sent(self, method: str, path: str) -> list[Seen]:
        """The requests ``method path`` (path as a regex) received so far."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    # -- an operator's database actions (SQLite) -------------------------------------------------

    def _database(self) -> str:
        url = str(self.app.config["SQLALCHEMY_DATABASE_URL"])
        assert url.startswith("sqlite:///"), "the rollback attack needs the SQLite database"
        return url.removeprefix("sqlite:///")

    def backup(self, path: str) -> None:
        """What an operator's nightly backup does: a consistent copy of the database file."""
        with sqlite3.connect(self._database()) as live, sqlite3.connect(path) as copy_:
            live.backup(copy_)

    def restore(self, path: str) -> None:
        """"Restore an old backup": every row written since the backup is gone, the server
        carries on as if it had never received it."""
        with sqlite3.connect(path) as old, sqlite3.connect(self._database()) as live:
            old.backup(live)

    # -- WSGI ------------------------------------------------------------------------------------

    def call_app(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """The real app's whole answer to ``environ``."""
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.app(environ, start_response)
        try:
            for chunk in result:
                chunks.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return captured["status"], captured["headers"], b"".join(chunks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        with self._lock:
            self.requests.append(Seen(method, path, query, body))
            armed = [a for a in self.armed if a.attack.method == method and a.attack.path.fullmatch(path)]
        if not armed:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        status, headers, answer = self.call_app(environ)
        ex = Exchange(self, environ, method, path, parse_qs(query), status, headers, answer, {})
        if ex.ok:
            for a in armed:
                ex.state = a.state
                if a.attack.rewrite(ex, **a.params):
                    a.hits += 1
        out = [(k, v) for k, v in ex.headers if k.lower() != "content-length"]
        start_response(ex.status, [*out, ("Content-Length", str(len(ex.body)))])
        return [ex.body]

"""A real Python client of the sync API (docs/sync-api.md), built on spcrypto and requests.

It does what the PWA's sync service does, in the order of the contract's "Client behaviour",
so tests and benchmarks exercise the server the way a delegate's phone will:

- ``Device.enrol`` redeems an invite: Argon2id at the SP1 floor (t=2, m=19456, p=1), a new
  account key, identity and signed bundle; it pins the server's receipt key and seals a profile
  record ``{"kind": "sp.profile", "displayName", "serverKey"}`` as the device's first record.
- ``Device.sign_in`` is prelogin → KDF policy (floor, ceiling, pin) → derive → sign-in →
  unwrap the account key and identity. A new device pins the server key only after it has pulled the
  account's own signed profile record and found the same key in it.
- ``Device.sync`` = session check (silent sign-in on 401) → push (attachments in parts from the
  server's offset, then records in batches, every receipt verified under the pinned key) → pull
  (cursor; signature, receipt and chain checked; owner wrap opened; attachments downloaded and
  decrypted to check them).
- Sharing (docs/sharing-contract.md): ``directory`` (bundles and cards verified, pinned on first
  sight by account id), ``put_card``; ``create_record(…, to=[bundle])`` and ``send_message``
  seal a record with ``rcpt`` and HPKE wraps that the next push sends as its ``shares``;
  ``share`` adds wraps to a stored record (own or received), ``list_shares``, ``revoke_share``;
  ``pull_inbox`` checks every item (author signature, share attestation, receipt, key
  commitment) and ``read_shared_attachment`` downloads and decrypts; ``set_checkin``,
  ``set_duress``, ``list_alerts``, ``checkin`` and the session-free ``release_duress``.
- Every request is retried with capped exponential backoff on connection errors, 429 and 5xx; a
  cut upload asks ``GET /api/uploads/<aid>`` for the offset, so at most the part in flight is
  sent again. ``Device.stats.parts_sent`` counts every part sent, retries included.

The session cookie is ``__Host-`` and Secure; requests (rightly) never sends a Secure cookie
over plain http, so the client keeps the token itself and sends a ``Cookie`` header, as a
browser does for ``http://127.0.0.1`` (a secure context). Unsafe methods carry ``Origin``,
``Sec-Fetch-Site: same-origin`` and ``X-CSRF-Token`` like the PWA's fetches.
"""
from __future__ import annotations

import hashlib
import http.cookiejar
import io
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import requests

import spcrypto as S
from spcrypto import b64u_decode, b64u_encode

COOKIE = "__Host-sp_session"
CT_CHUNK = 65552  # SP1 §8.1: one full ciphertext chunk
FLOOR_KDF = {"t": 2, "m": 19456, "p": 1}  # SP1 §4 floor: the cheapest parameters a client accepts
_ID_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{22}(?=/|$)")  # a b64u 16-byte id in a path
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


# -- errors ------------------------------------------------------------------------------------

class ApiError(Exception):
    """A non-retryable answer: the contract's ``{"error": {"code", "message"}}`` and status."""

    def __init__(self, status: int, body: Mapping[str, Any] | None) -> None:
        self.status = status
        self.body = dict(body or {})
        err = self.body.get("error") if isinstance(self.body.get("error"), dict) else {}
        self.code = str(err.get("code", "")) if err else ""
        super().__init__(f"{status} {self.code}: {err.get('message', '') if err else ''}")


class GaveUp(Exception):
    """Retries ran past the deadline (the server stayed down or kept failing)."""


class Unverified(Exception):
    """A receipt, signature, chain, hash or pin check failed: the server is not trusted."""


class ServerChanged(Unverified):
    """The server's receipt key is not the one pinned at enrolment."""


class KeyChanged(Unverified):
    """A contact's key is not the one pinned when this device first saw the contact."""


# -- small helpers ------------------------------------------------------------------------------

def chunk_hash(chunks: Iterable[bytes]) -> bytes:
    """SP1 §8.1's ``hash`` of ciphertext given as its chunks."""
    return S.chunk_hash(hashlib.sha256(c).digest() for c in chunks)


def _why(exc: BaseException) -> str:
    """A short name for a connection failure, e.g. ``ProtocolError/RemoteDisconnected``."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    if inner is None:
        return type(exc).__name__
    reason = getattr(inner, "reason", None)
    if reason is None and len(inner.args) > 1 and isinstance(inner.args[1], BaseException):
        reason = inner.args[1]
    return f"{type(inner).__name__}/{type(reason).__name__}" if reason else type(inner).__name__


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """requests' jar stores nothing: the client handles its one cookie explicitly."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


@dataclass
class Stats:
    requests: int = 0
    attempts_failed: int = 0  # connection errors, 429 and 5xx that were retried
    status_5xx: int = 0
    parts_sent: int = 0
    part_bytes_sent: int = 0
    signins: int = 0
    latencies: list[tuple[str, float, int]] = field(default_factory=list)  # (route, s, status)
    record_latencies: bool = False
    failures: Counter[str] = field(default_factory=Counter)  # why attempts failed


# -- blobs: attachment ciphertext in memory or in a file ------------------------------------------

class Blob:
    """Attachment ciphertext held by a device."""

    length: int

    def read(self, offset: int, n: int) -> bytes:
        raise NotImplementedError

    def open(self) -> BinaryIO:
        raise NotImplementedError

    def sha256(self) -> bytes:
        h = hashlib.sha256()
        with self.open() as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.digest()

    def chunk_hash(self) -> bytes:
        with self.open() as f:
            return chunk_hash(iter(lambda: f.read(CT_CHUNK), b""))


class MemoryBlob(Blob):
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.length = len(data)

    def read(self, offset: int, n: int) -> bytes:
        return self.data[offset : offset + n]

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data)


class FileBlob(Blob):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.length = path.stat().st_size

    def read(self, offset: int, n: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(offset)
            return f.read(n)

    def open(self) -> BinaryIO:
        return open(self.path, "rb")  # noqa: SIM115 - the caller closes it


class _Sink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)


# -- the local store -----------------------------------------------------------------------------

@dataclass
class LocalRecord:
    envelope: S.Envelope
    header: S.Header
    wrap: dict[str, Any]
    body: dict[str, Any]
    cek: bytes = field(repr=False)
    receipt: dict[str, Any] | None = None

    @property
    def rid(self) -> bytes:
        return self.header.rid

    @property
    def entry_hash(self) -> bytes:
        return self.envelope.entry_hash


@dataclass
class LocalAttachment:
    ref: S.AttachmentRef
    blob: Blob
    size: int  # plaintext bytes (from the record body)
    receipt: dict[str, Any] | None = None


@dataclass
class Contact:
    """A directory entry whose bundle (and card, if any) verified."""

    account: str
    role: str
    bundle: S.Bundle
    card: S.Card | None


@dataclass
class InboxItem:
    """A record shared with this account, verified and opened."""

    cursor: int
    envelope: S.Envelope
    header: S.Header
    wrap: dict[str, Any]
    body: dict[str, Any]
    cek: bytes = field(repr=False)
    author: S.Bundle = field(repr=False)
    sharer: S.Bundle = field(repr=False)
    receipt: dict[str, Any] = field(repr=False)

    @property
    def rid(self) -> bytes:
        return self.header.rid


@dataclass
class Credentials:
    """What a person types (or their Emergency Kit holds)."""

    username: str
    passphrase: str
    ask: bytes = field(default_factory=S.generate_ask, repr=False)
    display_name: str = "Delegate"


@dataclass
class SyncResult:
    sent_records: int = 0
    sent_attachments: int = 0
    sent_bytes: int = 0
    received_records: int = 0
    received_attachments: int = 0
    conflicts: int = 0


# -- HTTP ----------------------------------------------------------------------------------------

class Transport:
    """One HTTP session: the session cookie, CSRF headers, retries with backoff."""

    def __init__(self, base_url: str, *, stats: Stats, rng: random.Random,
                 deadline: float = 120.0, timeout: tuple[float, float] = (5.0, 120.0)) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.cookies.set_policy(_NoCookies())
        self.http.trust_env = False  # never a proxy from the environment
        self.stats = stats
        self.rng = rng
        self.deadline = deadline
        self.timeout = timeout
        self.session_token: str | None = None
        self.cookie_attributes: dict[str, str] = {}
        self.csrf: str | None = None

    def close(self) -> None:
        self.http.close()

    # one attempt
    def send(self, method: str, path: str, *, json_body: Any = None, data: bytes | None = None,
             params: Mapping[str, Any] | None = None, stream: bool = False) -> requests.Response:
        headers = {"Accept": "application/json"}
        if method in ("POST", "PUT", "DELETE"):
            headers["Origin"] = self.base_url
            headers["Sec-Fetch-Site"] = "same-origin"
            if self.csrf:
                headers["X-CSRF-Token"] = self.csrf
        if self.session_token:
            headers["Cookie"] = f"{COOKIE}={self.session_token}"
        kwargs: dict[str, Any] = {}
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            kwargs["data"] = data
            headers["Content-Type"] = "application/octet-stream"
        self.stats.requests += 1
        t0 = time.perf_counter()
        resp = self.http.request(method, self.base_url + path, params=params, headers=headers,
                                 timeout=self.timeout, stream=stream, allow_redirects=False,
                                 **kwargs)
        if self.stats.record_latencies:
            route = _ID_SEGMENT.sub("/<id>", path.split("?")[0])
            self.stats.latencies.append((f"{method} {route}", time.perf_counter() - t0,
                                         resp.status_code))
        self._take_cookie(resp)
        if resp.status_code >= 500:
            self.stats.status_5xx += 1
        return resp

    def _take_cookie(self, resp: requests.Response) -> None:
        for header in resp.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name.strip() != COOKIE:
                continue
            value, *attrs = rest.split(";")
            parsed = {}
            for a in attrs:
                k, _, v = a.strip().partition("=")
                parsed[k.lower()] = v
            cleared = not value or parsed.get("max-age") == "0" or (
                "expires" in parsed and "1970" in parsed["expires"])
            self.session_token = None if cleared else value
            self.cookie_attributes = {} if cleared else parsed

    def backoff(self, attempt: int) -> None:
        delay = min(1.0, 0.05 * 2 ** min(attempt, 6))
        time.sleep(delay * (0.5 + self.rng.random() / 2))

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200, 201, 204),
             retry: bool = True, **kwargs: Any) -> requests.Response:
        """Send with retries on connection errors, 429 and 5xx; raise ApiError otherwise."""
        start = time.monotonic()
        attempt = 0
        while True:
            try:
                resp = self.send(method, path, **kwargs)
            except TRANSIENT as exc:
                self.stats.failures[_why(exc)] += 1
                if not retry:
                    raise
                self.retry_or_give_up(start, attempt, f"{method} {path}: connection failed")
                attempt += 1
                continue
            if resp.status_code >= 500 or resp.status_code == 429:
                self.stats.failures[f"HTTP {resp.status_code}"] += 1
                resp.close()
                if not retry:
                    raise requests.ConnectionError(f"{method} {path}: {resp.status_code}")
                self.retry_or_give_up(start, attempt, f"{method} {path}: {resp.status_code}")
                attempt += 1
                continue
            if resp.status_code not in expect:
                try:
                    body = resp.json()
                except ValueError:
                    body = {}
                raise ApiError(resp.status_code, body if isinstance(body, dict) else {})
            return resp

    def retry_or_give_up(self, start: float, attempt: int, what: str) -> None:
        """Count a failed attempt; sleep (backoff) or raise GaveUp past the deadline."""
        self.stats.attempts_failed += 1
        if time.monotonic() - start > self.deadline:
            raise GaveUp(what)
        self.backoff(attempt)


# -- the device ------------------------------------------------------------------------------------

class Device:
    """One install of the app: its own device id and chain, a local store, keys while unlocked."""

    def __init__(self, base_url: str, creds: Credentials, *, dev: bytes | None = None,
                 seed: int | None = None, store_dir: Path | None = None,
                 deadline: float = 120.0, verify_downloads: bool = True,
                 part_size: int | None = None) -> None:
        self.creds = creds
        self.part_size = part_size  # None: the server's part_size (docs/sync-api.md)
        self.dev = dev or os.urandom(16)
        self.stats = Stats()
        self.rng = random.Random(seed)
        self.http = Transport(base_url, stats=self.stats, rng=self.rng, deadline=deadline)
        self.store_dir = store_dir
        self.verify_downloads = verify_downloads
        # local store (ciphertext, wraps, receipts; bodies are decrypted on load while unlocked)
        self.records: dict[bytes, LocalRecord] = {}
        self.attachments: dict[bytes, LocalAttachment] = {}
        self.cursor = 0
        self.heads: dict[bytes, S.ChainHead] = {}  # per dev: the chain head this device knows
        # Indexes that keep a sync's cost proportional to what changed, not to the store's size.
        self._unsent: set[bytes] = set()  # own records without a receipt
        self._children: dict[bytes, set[bytes]] = {}  # rid -> the versions superseding it
        # account (public parts) and pins
        self.account_id: bytes | None = None
        self.role: str | None = None
        self.vault_id: bytes | None = None
        self.wrapped_ak: bytes | None = None
        self.wrapped_identity: dict[str, bytes] = {}
        self.bundle: S.Bundle | None = None
        self.pinned_kdf: str | None = None
        self.server_key: bytes | None = None  # pinned receipt key
        self._provisional_key: bytes | None = None
        self.server_info: dict[str, Any] = {}
        self.last_listing_receipts: dict[bytes, Any] = {}  # by entry hash, from server_listing()
        # sharing: what others shared with this account, contacts pinned on first sight (by
        # account id), wraps waiting to be pushed with their record, message numbers sent
        self.inbox: dict[bytes, InboxItem] = {}
        self.inbox_cursor = 0
        self.pinned: dict[str, bytes] = {}  # account id -> kid
        self._outgoing: dict[bytes, list[dict[str, str]]] = {}  # rid -> recipient wraps
        self._sent_n: dict[bytes, int] = {}  # recipient kid -> last message number sent
        # keys in memory while unlocked
        self.ak: bytes | None = None
        self.identity: S.Identity | None = None
        self._keys: tuple[str, S.AccountKeys] | None = None

    def close(self) -> None:
        self.http.close()

    def __repr__(self) -> str:
        return f"<Device {self.dev.hex()[:8]} records={len(self.records)}>"

    @property
    def url(self) -> str:
        return self.http.base_url

    # -- account -------------------------------------------------------------------------------

    def _derive(self, kdf_text: str) -> S.AccountKeys:
        # The PWA keeps the derived auth key in memory while unlocked, so a silent re-sign-in
        # does not run Argon2id again; the cache is keyed by the exact (policy-checked) block.
        if self._keys is None or self._keys[0] != kdf_text:
            keys = S.derive_account_keys(self.creds.passphrase, kdf_text, self.creds.ask,
                                         pinned=self.pinned_kdf)
            self._keys = (kdf_text, keys)
        return self._keys[1]

    def fetch_server_info(self) -> dict[str, Any]:
        self.server_info = self.http.call("GET", "/api/server").json()
        return self.server_info

    def enrol(self, invite: str, role: str) -> None:
        """Redeem an invite and make this device's vault an account (docs/sync-api.md)."""
        info = self.fetch_server_info()
        self.server_key = b64u_decode(info["receipt_key"], 32, what="receipt_key")
        params = S.KdfParams(t=FLOOR_KDF["t"], m=FLOOR_KDF["m"], p=FLOOR_KDF["p"],
                             salt=os.urandom(16))
        kdf_text = params.to_text()
        keys = self._derive(kdf_text)
        ak, self.vault_id = S.generate_ak(), os.urandom(16)
        identity = S.generate_identity()
        self.account_id = os.urandom(16)
        self.wrapped_ak = S.wrap_ak(keys.kek, self.vault_id, ak)
        self.wrapped_identity = S.wrap_identity(identity, ak)
        signed_bundle = S.make_bundle(identity, uid=b64u_encode(self.account_id), role=role)
        body = {
            "invite": invite,
            "username": self.creds.username,
            "account": {
                "id": b64u_encode(self.account_id),
                "kdf": kdf_text,
                "auth_key": b64u_encode(keys.auth_key),
                "vault_id": b64u_encode(self.vault_id),
                "wrapped_ak": b64u_encode(self.wrapped_ak),
                "identity": {
                    "kid": b64u_encode(identity.kid),
                    "sig_pub": b64u_encode(identity.sig_pub),
                    "enc_pub": b64u_encode(identity.enc_pub),
                    "wrapped_sig": b64u_encode(self.wrapped_identity["sig"]),
                    "wrapped_enc": b64u_encode(self.wrapped_identity["enc"]),
                },
                "bundle": signed_bundle,
            },
            "device": b64u_encode(self.dev),
        }
        failed_before = self.stats.attempts_failed
        try:
            resp = self.http.call("POST", "/api/auth/enrol", json_body=body, expect=(201,))
        except ApiError as exc:
            # A retry after a lost answer finds the invite used; the account exists, so sign in.
            if exc.code != "invite-invalid" or self.stats.attempts_failed == failed_before:
                raise
            self.pinned_kdf = kdf_text
            self.sign_in()
        else:
            self._accept_session(resp.json(), keys)
        self.pinned_kdf = kdf_text
        self.create_record({"kind": "sp.profile", "displayName": self.creds.display_name,
                            "serverKey": b64u_encode(self.server_key)})

    def sign_in(self) -> None:
        """Prelogin → SP1 §4 policy → Argon2id → sign-in → unwrap the account key."""
        resp = self.http.call("POST", "/api/auth/prelogin",
                              json_body={"username": self.creds.username})
        kdf_text = resp.json()["kdf"]
        S.check_kdf_policy(kdf_text, self.pinned_kdf)  # before any Argon2 work
        keys = self._derive(kdf_text)
        resp = self.http.call("POST", "/api/auth/signin", json_body={
            "username": self.creds.username,
            "auth_key": b64u_encode(keys.auth_key),
            "device": b64u_encode(self.dev),
        })
        self._accept_session(resp.json(), keys)
        self.pinned_kdf = kdf_text
        self.stats.signins += 1

    def _accept_session(self, answer: Mapping[str, Any], keys: S.AccountKeys) -> None:
        self.http.csrf = answer["csrf"]
        acct = answer["account"]
        if b64u_decode(answer["device"], 16, what="device") != self.dev:
            raise Unverified("the server answered for another device")
        account_id = b64u_decode(acct["id"], 16, what="account id")
        if self.account_id is not None and account_id != self.account_id:
            raise Unverified("the server answered with another account")
        vault_id = b64u_decode(acct["vault_id"], 16, what="vault_id")
        wrapped_ak = b64u_decode(acct["wrapped_ak"], what="wrapped_ak")
        ident = acct["identity"]
        kid = b64u_decode(ident["kid"], 16, what="kid")
        wrapped = {"sig": b64u_decode(ident["wrapped_sig"], what="wrapped_sig"),
                   "enc": b64u_decode(ident["wrapped_enc"], what="wrapped_enc")}
        ak = S.unwrap_ak(keys.kek, vault_id, wrapped_ak)  # AuthError: wrong passphrase or ASK
        identity = S.unwrap_identity(ak, kid, wrapped["sig"], wrapped["enc"])
        bundle = S.verify_bundle(acct["bundle"])
        if bundle.kid != identity.kid or bundle.uid != b64u_encode(account_id):
            raise Unverified("the account's bundle does not match its identity")
        if self.bundle is not None and self.bundle.kid != bundle.kid:
            raise Unverified("the account's identity changed")
        self.account_id, self.vault_id, self.wrapped_ak = account_id, vault_id, wrapped_ak
        self.wrapped_identity = wrapped
        self.role = acct.get("role", bundle.role)
        self.ak, self.identity, self.bundle = ak, identity, bundle
        self.server_info = answer.get("server") or self.server_info
        offered = b64u_decode(self.server_info["receipt_key"], 32, what="receipt_key")
        if self.server_key is None:
            self._provisional_key = offered  # pinned once the signed profile record agrees
        elif offered != self.server_key:
            raise ServerChanged("the server's receipt key is not the pinned one")

    def ensure_session(self) -> None:
        try:
            self.http.call("GET", "/api/session", expect=(200,))
        except ApiError as exc:
            if exc.status != 401:
                raise
            self.sign_in()

    def _api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call that signs in again once if the session is gone (expired, killed)."""
        try:
            return self.http.call(method, path, **kwargs)
        except ApiError as exc:
            if exc.status != 401:
                raise
            self.sign_in()
            return self.http.call(method, path, **kwargs)

    def sign_out(self) -> None:
        self.http.call("POST", "/api/auth/signout", expect=(204,))
        self.http.session_token = None
        self.http.csrf = None

    def list_devices(self) -> list[dict[str, Any]]:
        return list(self._api("GET", "/api/devices").json()["devices"])

    def revoke(self, dev: bytes) -> None:
        self._api("POST", f"/api/devices/{b64u_encode(dev)}/revoke", expect=(204,))

    # -- creating and editing records (offline) ----------------------------------------------------

    @property
    def own_head(self) -> S.ChainHead | None:
        return self.heads.get(self.dev)

    def create_record(self, body: Mapping[str, Any], *,
                      attachments: Iterable[tuple[str, str, bytes | Path]] = (),
                      supersedes: bytes | None = None, to: Iterable[S.Bundle] = ()) -> bytes:
        """Seal a record on this device's chain; ``attachments`` = (name, mime, data or path).

        Attachments are encrypted first with the record's CEK (SP1 §6); a Path is streamed
        chunk by chunk to a ciphertext file, so memory does not grow with its size. ``to``:
        recipients (verified bundles), named in the header's ``rcpt`` and sent an HPKE wrap each
        with the record's push.
        """
        to = list(to)
        assert self.identity is not None and self.ak is not None, "locked"
        cek = S.new_cek()
        refs, att_body, blobs = [], [], []
        for name, mime, data in attachments:
            size = data.stat().st_size if isinstance(data, Path) else len(data)
            aid = os.urandom(16)
            enc = S.AttachmentEncryptor(cek, size, aid=aid)
            blob = self._encrypt_to_blob(enc, aid, data)
            refs.append(enc.ref)
            att_body.append({"aid": b64u_encode(enc.ref.aid), "size": size, "name": name,
                             "mime": mime})
            blobs.append((enc.ref, blob, size))
        full = {"ts": int(time.time() * 1000), **body}
        if att_body:
            full["att"] = att_body
        head = self.own_head
        env = S.seal_record(
            self.identity, cek, dev=self.dev, seq=head.seq + 1 if head else 1,
            prev=head.entry_hash if head else bytes(32), body=full, attachments=refs,
            supersedes=supersedes, rcpt=sorted({b.kid for b in to}),
        )
        wrap = S.wrap_for_owner(env.hdr, cek, self.ak)
        header = S.parse_header(env.hdr)
        if to:
            self._outgoing[header.rid] = [S.wrap_for_recipient(env.hdr, cek, b, self.identity)
                                          for b in to]
        for ref, blob, size in blobs:
            self.attachments[ref.aid] = LocalAttachment(ref, blob, size)
        self.heads[self.dev] = S.check_chain_link(head, env)
        self._add(LocalRecord(env, header, wrap, full, cek))
        return header.rid

    def _add(self, rec: LocalRecord) -> None:
        self.records[rec.rid] = rec
        if rec.header.supersedes is not None:
            self._children.setdefault(rec.header.supersedes, set()).add(rec.rid)
        if rec.header.dev == self.dev and rec.receipt is None:
            self._unsent.add(rec.rid)

    def _encrypt_to_blob(self, enc: S.AttachmentEncryptor, aid: bytes, data: bytes | Path) -> Blob:
        if self.store_dir is None and not isinstance(data, Path):
            return MemoryBlob(enc.update(data) + enc.finalize())
        path = self._blob_path(aid)
        with open(path, "wb") as out:
            if isinstance(data, Path):
                with open(data, "rb") as f:
                    for block in iter(lambda: f.read(1 << 16), b""):
                        out.write(enc.update(block))
            else:
                out.write(enc.update(data))
            for ct in enc.finalize_chunks():
                out.write(ct)
        return FileBlob(path)

    def _blob_path(self, aid: bytes) -> Path:
        base = self.store_dir or Path(os.environ.get("TMPDIR", "/tmp"))
        (base / "att").mkdir(parents=True, exist_ok=True)
        return base / "att" / aid.hex()

    def edit(self, rid: bytes, changes: Mapping[str, Any]) -> bytes:
        """A new version superseding ``rid`` (records are immutable; SP1 §6)."""
        old = self.records[rid]
        body = {k: v for k, v in old.body.items() if k not in ("ts", "att")}
        body.update(changes)
        return self.create_record(body, supersedes=rid)

    # -- lineages and conflicts ------------------------------------------------------------------

    def lineage_root(self, rid: bytes) -> bytes:
        seen = set()
        while True:
            sup = self.records[rid].header.supersedes
            if sup is None or sup not in self.records or rid in seen:
                return rid
            seen.add(rid)
            rid = sup

    def heads_of(self, root: bytes) -> set[bytes]:
        """The heads of one lineage (walks down from its root)."""
        heads, todo = set(), [root]
        while todo:
            rid = todo.pop()
            children = self._children.get(rid)
            if children:
                todo.extend(children)
            else:
                heads.add(rid)
        return heads

    def lineages(self) -> dict[bytes, set[bytes]]:
        """{root rid: head rids}: a head is a version that no known version supersedes."""
        superseded = {r.header.supersedes for r in self.records.values() if r.header.supersedes}
        out: dict[bytes, set[bytes]] = {}
        for rid in self.records:
            out.setdefault(self.lineage_root(rid), set())
            if rid not in superseded:
                out[self.lineage_root(rid)].add(rid)
        return out

    def conflicts(self) -> dict[bytes, set[bytes]]:
        """Lineages with more than one head: concurrent edits, both kept, for a person to
        resolve."""
        return {root: heads for root, heads in self.lineages().items() if len(heads) > 1}

    # -- sync -------------------------------------------------------------------------------------

    def sync(self) -> SyncResult:
        """One "Sync now": session, push, pull (docs/sync-api.md "Client behaviour")."""
        result = SyncResult()
        self.ensure_session()
        if not self.server_info:
            self.fetch_server_info()
        touched = {self.lineage_root(r.rid) for r in self.pending()}
        self.push(result)
        touched |= {self.lineage_root(rid) for rid in self.pull(result)}
        result.conflicts = sum(1 for root in touched if len(self.heads_of(root)) > 1)
        return result

    def pending(self) -> list[LocalRecord]:
        """This device's records the server has not receipted, in chain order."""
        return sorted((self.records[rid] for rid in self._unsent), key=lambda r: r.header.seq)

    def plan(self) -> dict[str, int]:
        pending = self.pending()
        atts = {a.aid for r in pending for a in r.header.att
                if self.attachments[a.aid].receipt is None}
        return {"records": len(pending), "attachments": len(atts),
                "bytes": sum(self.attachments[a].ref.ct_len for a in atts)}

    def push(self, result: SyncResult | None = None) -> None:
        result = result or SyncResult()
        pending = self.pending()
        for rec in pending:
            for ref in rec.header.att:
                att = self.attachments[ref.aid]
                if att.receipt is None:
                    result.sent_bytes += self.upload(att)
                    result.sent_attachments += 1
        batch_size = int(self.server_info.get("max_batch", 50))
        for i in range(0, len(pending), batch_size):
            batch = pending[i : i + batch_size]
            self._push_batch(batch)
            result.sent_records += len(batch)

    def _push_batch(self, batch: list[LocalRecord]) -> None:
        payload = {"records": [{"envelope": r.envelope.to_json(), "wrap": r.wrap,
                                **({"shares": self._outgoing[r.rid]} if r.rid in self._outgoing
                                   else {})} for r in batch]}
        try:
            answer = self._api("POST", "/api/records", json_body=payload, expect=(200,)).json()
        except ApiError as exc:
            # Records before the failing one were stored; keep their receipts, then fail.
            self._take_receipts(batch, exc.body.get("results") or [])
            raise
        self._take_receipts(batch, answer["results"])
        if any(r.receipt is None for r in batch):
            raise Unverified("the server did not receipt every record of the batch")

    def _take_receipts(self, batch: list[LocalRecord], results: list[Mapping[str, Any]]) -> None:
        by_rid = {r.rid: r for r in batch}
        for res in results:
            rec = by_rid.get(b64u_decode(res["rid"], 16, what="rid"))
            if rec is None:
                raise Unverified("a receipt for a record that was not sent")
            self._check_receipt(res["receipt"], rec.entry_hash)
            rec.receipt = dict(res["receipt"])
            self._unsent.discard(rec.rid)
            self._outgoing.pop(rec.rid, None)  # its wraps were stored with it

    def _receipt_key(self) -> bytes:
        key = self.server_key or self._provisional_key
        if key is None:
            raise Unverified("no server key to check receipts with")
        return key

    def _check_receipt(self, receipt: Mapping[str, Any] | None, entry: bytes) -> None:
        if receipt is None:
            raise Unverified("missing receipt")
        try:
            got, _ts = S.verify_receipt(receipt, self._receipt_key())
        except S.CryptoError as exc:
            raise Unverified(f"receipt: {exc}") from exc
        if got != entry:
            raise Unverified("the receipt is for another entry")

    def upload(self, att: LocalAttachment) -> int:
        """Declare, then PUT parts from the server's offset until complete. Returns bytes sent."""
        ref = att.ref
        aid = b64u_encode(ref.aid)
        state = self._api("POST", "/api/uploads", json_body={
            "aid": aid, "ct_len": ref.ct_len, "hash": b64u_encode(ref.hash)},
            expect=(200, 201)).json()
        part_size = int(self.server_info.get("part_size", 16 * CT_CHUNK))
        if self.part_size is not None:
            part_size = min(part_size, self.part_size)
        sent, attempt, start = 0, 0, time.monotonic()
        while not state["complete"]:
            offset = int(state["offset"])
            data = att.blob.read(offset, min(part_size, ref.ct_len - offset))
            self.stats.parts_sent += 1
            self.stats.part_bytes_sent += len(data)
            sent += len(data)
            try:
                state = self._api("PUT", f"/api/uploads/{aid}?offset={offset}", data=data,
                                  retry=False, expect=(200,)).json()
                attempt, start = 0, time.monotonic()  # the deadline is per stall, not per file
                continue
            except TRANSIENT:
                self.http.retry_or_give_up(start, attempt, f"PUT upload {aid}")
                attempt += 1
            except ApiError as exc:
                if exc.code != "upload-offset":
                    raise
            # Resume point: whatever the server committed, never our guess.
            state = self._api("GET", f"/api/uploads/{aid}", expect=(200,)).json()
        self._check_receipt(state.get("receipt"), ref.hash)
        att.receipt = dict(state["receipt"])
        return sent

    def pull(self, result: SyncResult | None = None) -> list[bytes]:
        """Pull everything after the cursor; returns the rids of the records received."""
        result = result or SyncResult()
        received: list[bytes] = []
        limit = int(self.server_info.get("max_pull", 200))
        while True:
            page = self._api("GET", "/api/records", params={"after": self.cursor, "limit": limit},
                             expect=(200,)).json()
            new = [rec for item in page["records"] if (rec := self._store_pulled(item))]
            result.received_records += len(new)
            received.extend(rec.rid for rec in new)
            self._check_profile_pin()
            for rec in new:
                for ref in rec.header.att:
                    if ref.aid not in self.attachments:
                        self.download(rec, ref)
                        result.received_attachments += 1
            self.cursor = int(page["next"])
            if not page["more"]:
                return received

    def _store_pulled(self, item: Mapping[str, Any]) -> LocalRecord | None:
        """Check and store one pulled record; None if this device already holds it."""
        assert self.bundle is not None and self.ak is not None
        try:
            env = S.Envelope.from_json(item["envelope"])
            header = S.verify_record(env, self.bundle)
        except S.CryptoError as exc:
            raise Unverified(f"record: {exc}") from exc
        self._check_receipt(item.get("receipt"), env.entry_hash)
        known = self.records.get(header.rid)
        if known is not None:
            if known.entry_hash != env.entry_hash:
                raise Unverified("the server holds another record under a known rid")
            if known.receipt is None:
                known.receipt = dict(item["receipt"])
                self._unsent.discard(known.rid)
            return None
        try:
            self.heads[header.dev] = S.check_chain_link(self.heads.get(header.dev), env)
            opened = S.open_record(env, self.bundle, item["wrap"], ak=self.ak)
        except S.CryptoError as exc:
            raise Unverified(f"record: {exc}") from exc
        rec = LocalRecord(env, header, dict(item["wrap"]), opened.body, opened.cek,
                          dict(item["receipt"]))
        self._add(rec)
        return rec

    def _check_profile_pin(self) -> None:
        """A new device pins the server key its own account signed into the profile record."""
        if self.server_key is not None:
            return
        profiles = [r for r in self.records.values() if r.body.get("kind") == "sp.profile"]
        for rec in profiles:
            signed_pin = b64u_decode(rec.body.get("serverKey"), 32, what="serverKey")
            if signed_pin != self._provisional_key:
                raise ServerChanged("the server's key differs from the account's signed pin")
        if profiles:
            self.server_key = self._provisional_key

    def download(self, rec: LocalRecord, ref: S.AttachmentRef) -> None:
        """Fetch, check length and chunk hash (and decrypt, to be sure), fetch the receipt."""
        aid = b64u_encode(ref.aid)
        size = next(a["size"] for a in rec.body.get("att", []) if a["aid"] == aid)
        start, attempt = time.monotonic(), 0
        while True:
            try:
                resp = self._api("GET", f"/api/attachments/{aid}", stream=True, expect=(200,))
                blob = self._receive(resp, ref)
                break
            except TRANSIENT:
                self.http.retry_or_give_up(start, attempt, f"GET attachment {aid}")
                attempt += 1
        if self.verify_downloads:
            with blob.open() as f:
                try:
                    S.decrypt_attachment(f, _Sink(), rec.cek, ref, size)
                except S.CryptoError as exc:
                    raise Unverified(f"attachment: {exc}") from exc
        state = self._api("GET", f"/api/uploads/{aid}", expect=(200,)).json()
        self._check_receipt(state.get("receipt"), ref.hash)
        self.attachments[ref.aid] = LocalAttachment(ref, blob, size, dict(state["receipt"]))

    def _receive(self, resp: requests.Response, ref: S.AttachmentRef) -> Blob:
        digests: list[bytes] = []
        total = 0
        buf = bytearray()
        out: BinaryIO = (open(self._blob_path(ref.aid), "wb")  # noqa: SIM115 - closed below
                         if self.store_dir is not None or ref.ct_len > (64 << 20) else io.BytesIO())
        try:
            with resp:
                for block in resp.iter_content(1 << 20):
                    buf += block
                    total += len(block)
                    while len(buf) >= CT_CHUNK:
                        digests.append(hashlib.sha256(buf[:CT_CHUNK]).digest())
                        out.write(buf[:CT_CHUNK])
                        del buf[:CT_CHUNK]
            if buf:
                digests.append(hashlib.sha256(buf).digest())
                out.write(buf)
            if total != ref.ct_len or S.chunk_hash(digests) != ref.hash:
                raise Unverified("attachment: length or chunk hash differs from the header")
            if isinstance(out, io.BytesIO):
                return MemoryBlob(out.getvalue())
            return FileBlob(self._blob_path(ref.aid))
        finally:
            out.close()

    # -- sharing (docs/sharing-contract.md) --------------------------------------------------------

    def _pin(self, bundle: S.Bundle) -> None:
        """Pin a contact's key on first sight (by account id); a later change is refused."""
        known = self.pinned.setdefault(bundle.uid, bundle.kid)
        if known != bundle.kid:
            raise KeyChanged(f"the key of account {bundle.uid} changed")

    def directory(self) -> list[Contact]:
        """``GET /api/directory``: every contact's bundle and card verified, keys pinned."""
        out = []
        for entry in self._api("GET", "/api/directory", expect=(200,)).json()["contacts"]:
            try:
                bundle = S.verify_bundle(entry["bundle"])
                card = None if entry["card"] is None else S.verify_card(entry["card"], bundle)
            except S.CryptoError as exc:
                raise Unverified(f"directory: {exc}") from exc
            if bundle.uid != entry["account"] or bundle.role != entry["role"]:
                raise Unverified("directory: an entry's bundle is for another account or role")
            self._pin(bundle)
            out.append(Contact(entry["account"], entry["role"], bundle, card))
        return out

    def put_card(self, name: str, org: str = "") -> None:
        """Publish this account's signed contact card (focal points and legal supporters)."""
        assert self.identity is not None, "locked"
        self._api("PUT", "/api/directory/card", json_body=S.make_card(self.identity, name, org),
                  expect=(204,))

    def message_body(self, kind: str, to: Iterable[S.Bundle], **members: Any) -> dict[str, Any]:
        """A contract §2 message body: ``kind``, ``to`` (kids), ``n`` (this device's next number
        per recipient), ``from`` (the display name) and ``members``."""
        to = list(to)
        n = {}
        for bundle in to:
            self._sent_n[bundle.kid] = self._sent_n.get(bundle.kid, 0) + 1
            n[b64u_encode(bundle.kid)] = self._sent_n[bundle.kid]
        return {"kind": kind, "to": [b64u_encode(b.kid) for b in to], "n": n,
                "from": self.creds.display_name, **members}

    def send_message(self, kind: str, to: Iterable[S.Bundle], **members: Any) -> bytes:
        """Seal an ``sp.share``/``sp.status``/``sp.note``/… message into this device's chain,
        wrapped to ``to``; the next push sends it with its wraps. Returns its rid."""
        to = list(to)
        return self.create_record(self.message_body(kind, to, **members), to=to)

    def _cek_and_hdr(self, rid: bytes) -> tuple[bytes, str]:
        if rid in self.records:
            return self.records[rid].cek, self.records[rid].envelope.hdr
        if rid in self.inbox:
            return self.inbox[rid].cek, self.inbox[rid].envelope.hdr
        raise KeyError("this device holds no such record")

    def share(self, rids: Iterable[bytes], to: Iterable[S.Bundle]) -> list[dict[str, Any]]:
        """``POST /api/shares``: wrap stored records (own, or received: re-sharing) to ``to``."""
        assert self.identity is not None, "locked"
        to = list(to)
        items = []
        for rid in rids:
            cek, hdr = self._cek_and_hdr(rid)
            items += [{"rid": b64u_encode(rid),
                       "wrap": S.wrap_for_recipient(hdr, cek, bundle, self.identity)}
                      for bundle in to]
        return list(self._api("POST", "/api/shares", json_body={"shares": items},
                              expect=(200,)).json()["results"])

    def list_shares(self) -> list[dict[str, Any]]:
        return list(self._api("GET", "/api/shares", expect=(200,)).json()["shares"])

    def revoke_share(self, rid: bytes, kid: bytes) -> None:
        self._api("DELETE", f"/api/shares/{b64u_encode(rid)}/{b64u_encode(kid)}", expect=(204,))

    def pull_inbox(self) -> list[InboxItem]:
        """Pull the inbox after the stored cursor; every item is verified before it is kept.
        Returns the items new to this device."""
        new: list[InboxItem] = []
        while True:
            page = self._api("GET", "/api/inbox", params={"after": self.inbox_cursor,
                                                          "limit": 200}, expect=(200,)).json()
            for item in page["items"]:
                got = self._open_inbox_item(item)
                if got.rid not in self.inbox:
                    new.append(got)
                self.inbox[got.rid] = got
            self.inbox_cursor = int(page["next"])
            if not page["more"]:
                return new

    def _open_inbox_item(self, item: Mapping[str, Any]) -> InboxItem:
        assert self.identity is not None, "locked"
        try:
            author = S.verify_bundle(item["author"])
            sharer = S.verify_bundle(item["sharer"])
            env = S.Envelope.from_json(item["envelope"])
            opened = S.open_record(env, author, item["wrap"], reader=self.identity,
                                   sharer=sharer)
        except S.CryptoError as exc:
            raise Unverified(f"inbox: {exc}") from exc
        self._check_receipt(item.get("receipt"), env.entry_hash)
        self._pin(author)
        self._pin(sharer)
        return InboxItem(int(item["cursor"]), env, opened.header, dict(item["wrap"]),
                         opened.body, opened.cek, author, sharer, dict(item["receipt"]))

    def read_shared_attachment(self, rid: bytes, aid: bytes) -> bytes:
        """Download an attachment of a record shared with this account; its length and chunk
        hash are checked against the signed header, then it is decrypted. Returns plaintext."""
        item = self.inbox[rid]
        ref = next(a for a in item.header.att if a.aid == aid)
        size = next(a["size"] for a in item.body.get("att", []) if a["aid"] == b64u_encode(aid))
        resp = self._api("GET", f"/api/attachments/{b64u_encode(aid)}", stream=True,
                         expect=(200,))
        blob = self._receive(resp, ref)
        out = io.BytesIO()
        with blob.open() as f:
            try:
                S.decrypt_attachment(f, out, item.cek, ref, size)
            except S.CryptoError as exc:
                raise Unverified(f"attachment: {exc}") from exc
        return out.getvalue()

    # -- held alerts ---------------------------------------------------------------------------------

    def seal_alert(self, to: Iterable[S.Bundle], *, alert: str, text: str,
                   deadline: int | None = None) -> dict[str, Any]:
        """An ``sp.alert`` record alone in a fresh device chain, with its owner wrap and a wrap
        per recipient: the ``envelope``, ``wrap`` and ``shares`` of ``POST /api/alerts``. It is
        not added to this device's records: once released, a pull brings it like any record."""
        assert self.identity is not None and self.ak is not None, "locked"
        to = list(to)
        cek = S.new_cek()
        body: dict[str, Any] = {"ts": int(time.time() * 1000), "kind": "sp.alert",
                                "alert": alert, "from": self.creds.display_name, "text": text}
        if deadline is not None:
            body["deadline"] = deadline
        env = S.seal_record(self.identity, cek, dev=os.urandom(16), seq=1, prev=bytes(32),
                            body=body, rcpt=sorted({b.kid for b in to}))
        return {"envelope": env.to_json(), "wrap": S.wrap_for_owner(env.hdr, cek, self.ak),
                "shares": [S.wrap_for_recipient(env.hdr, cek, b, self.identity) for b in to]}

    def set_checkin(self, to: Iterable[S.Bundle], *, deadline: int, text: str
                    ) -> dict[str, Any]:
        """Hold a check-in alert released at ``deadline`` (Unix ms) unless checked in."""
        body = {"kind": "checkin", "deadline": deadline,
                **self.seal_alert(to, alert="checkin", text=text, deadline=deadline)}
        return dict(self._api("POST", "/api/alerts", json_body=body, expect=(201,)).json())

    def set_duress(self, to: Iterable[S.Bundle], *, text: str) -> tuple[dict[str, Any], bytes]:
        """Hold a duress alert; returns the answer and the 32-byte release token (which the PWA
        keeps sealed under the duress passphrase's key)."""
        token = os.urandom(32)
        body = {"kind": "duress", "token": b64u_encode(token),
                **self.seal_alert(to, alert="duress", text=text)}
        answer = self._api("POST", "/api/alerts", json_body=body, expect=(201,)).json()
        return dict(answer), token

    def list_alerts(self) -> list[dict[str, Any]]:
        return list(self._api("GET", "/api/alerts", expect=(200,)).json()["alerts"])

    def checkin(self, alert_id: str) -> None:
        """Check in: the held alert is deleted (raises ApiError alert-released if too late)."""
        self._api("POST", f"/api/alerts/{alert_id}/checkin", expect=(204,))

    # -- checks ("Prepare for crossing") ---------------------------------------------------------

    def verify_receipts(self) -> None:
        """Every local record and attachment has a receipt under the pinned key for its hash."""
        for rec in self.records.values():
            self._check_receipt(rec.receipt, rec.entry_hash)
        for att in self.attachments.values():
            self._check_receipt(att.receipt, att.ref.hash)

    def server_heads(self) -> dict[bytes, tuple[int, bytes]]:
        heads = self._api("GET", "/api/records/heads", expect=(200,)).json()["heads"]
        return {b64u_decode(h["dev"], 16, what="dev"): (int(h["seq"]),
                b64u_decode(h["entry"], 32, what="entry")) for h in heads}

    def check_heads(self) -> None:
        """The server's chain heads equal this device's (after a full sync)."""
        server = self.server_heads()
        local = {dev: (h.seq, h.entry_hash) for dev, h in self.heads.items()}
        if server != local:
            raise Unverified("the server's chain heads differ from this device's")

    def server_listing(self) -> list[tuple[S.Envelope, int]]:
        """(envelope, cursor) of every record the server lists for this account, in order;
        ``last_listing_receipts`` keeps the receipts, by entry hash."""
        out, cursor = [], 0
        self.last_listing_receipts = {}
        while True:
            page = self._api("GET", "/api/records", params={"after": cursor, "limit": 200},
                             expect=(200,)).json()
            for item in page["records"]:
                env = S.Envelope.from_json(item["envelope"])
                out.append((env, int(item["cursor"])))
                self.last_listing_receipts[env.entry_hash] = item["receipt"]
            cursor = int(page["next"])
            if not page["more"]:
                return out

    def prepare_for_crossing(self) -> None:
        """Sync, check every receipt and the heads, then forget everything local."""
        self.sync()
        self.verify_receipts()
        self.check_heads()
        self.records.clear()
        self.attachments.clear()
        self.heads.clear()
        self._unsent.clear()
        self._children.clear()
        self.cursor = 0
        self.ak = self.identity = None
        self._keys = None

    # -- persistence -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the local store (ciphertext, wraps, receipts, pins; no keys) atomically."""
        state = {
            "v": 1,
            "dev": b64u_encode(self.dev),
            "account_id": b64u_encode(self.account_id) if self.account_id else None,
            "role": self.role,
            "vault_id": b64u_encode(self.vault_id) if self.vault_id else None,
            "wrapped_ak": b64u_encode(self.wrapped_ak) if self.wrapped_ak else None,
            "wrapped_identity": {k: b64u_encode(v) for k, v in self.wrapped_identity.items()},
            "bundle": self.bundle.to_json() if self.bundle else None,
            "pinned_kdf": self.pinned_kdf,
            "server_key": b64u_encode(self.server_key) if self.server_key else None,
            "server_info": self.server_info,
            "cursor": self.cursor,
            "records": [{"envelope": r.envelope.to_json(), "wrap": r.wrap, "receipt": r.receipt}
                        for r in self.records.values()],
            "attachments": [{"ref": a.ref.to_json(), "size": a.size, "receipt": a.receipt,
                             "data": b64u_encode(a.blob.data) if isinstance(a.blob, MemoryBlob)
                             else None,
                             "path": str(a.blob.path) if isinstance(a.blob, FileBlob) else None}
                            for a in self.attachments.values()],
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, base_url: str, creds: Credentials, **kwargs: Any) -> Device:
        """Read a saved store and unlock it with the credentials (no server needed)."""
        state = json.loads(path.read_text())
        dev = cls(base_url, creds, dev=b64u_decode(state["dev"], 16), **kwargs)
        dev.account_id = b64u_decode(state["account_id"], 16)
        dev.role = state["role"]
        dev.vault_id = b64u_decode(state["vault_id"], 16)
        dev.wrapped_ak = b64u_decode(state["wrapped_ak"])
        dev.wrapped_identity = {k: b64u_decode(v) for k, v in state["wrapped_identity"].items()}
        dev.bundle = S.verify_bundle(state["bundle"])
        dev.pinned_kdf = state["pinned_kdf"]
        dev.server_key = b64u_decode(state["server_key"], 32) if state["server_key"] else None
        dev.server_info = state["server_info"]
        dev.cursor = state["cursor"]
        keys = dev._derive(dev.pinned_kdf)
        dev.ak = S.unwrap_ak(keys.kek, dev.vault_id, dev.wrapped_ak)
        dev.identity = S.unwrap_identity(dev.ak, dev.bundle.kid, dev.wrapped_identity["sig"],
                                         dev.wrapped_identity["enc"])
        for item in state["attachments"]:
            ref = S.AttachmentRef.from_json(item["ref"])
            blob: Blob = (MemoryBlob(b64u_decode(item["data"])) if item["data"] is not None
                          else FileBlob(Path(item["path"])))
            dev.attachments[ref.aid] = LocalAttachment(ref, blob, item["size"], item["receipt"])
        envs = []
        for item in state["records"]:
            env = S.Envelope.from_json(item["envelope"])
            opened = S.open_record(env, dev.bundle, item["wrap"], ak=dev.ak)
            dev._add(LocalRecord(env, opened.header, item["wrap"], opened.body, opened.cek,
                                 item["receipt"]))
            envs.append(env)
        dev.heads = {dev_id: head for (_author, dev_id), head in S.verify_chain(envs).items()}
        return dev



def release_duress(base_url: str, token: bytes, *, deadline: float = 30.0) -> None:
    """``POST /api/alerts/release`` as the duress decoy sends it: no session, no CSRF token,
    same-origin headers; retried like any request. Raises ApiError not-found for an unknown
    token."""
    transport = Transport(base_url, stats=Stats(), rng=random.Random(), deadline=deadline)
    try:
        transport.call("POST", "/api/alerts/release", json_body={"token": b64u_encode(token)},
                       expect=(204,))
    finally:
        transport.close()


def new_account(base_url: str, invite: str, *, role: str = "delegate", devices: int = 1,
                seed: int | None = None, username: str | None = None,
                **device_kwargs: Any) -> list[Device]:
    """Enrol a fresh account with one device, sync it (so its signed profile record, which
    pins the server key, is on the server), then sign ``devices - 1`` new devices in.

    The other devices reuse the first one's Argon2id result (what the person would type is the
    same, so the derivation is too): it saves ~50 ms of CPU per device in tests that enrol
    hundreds of accounts, and each device still runs prelogin and the KDF policy checks."""
    rng = random.Random(seed)
    tag = f"{rng.getrandbits(48):012x}" if seed is not None else os.urandom(6).hex()
    creds = Credentials(username=username or f"d{tag}", passphrase=f"horse battery {tag}",
                        display_name=f"Delegate {tag}")
    first = Device(base_url, creds, seed=rng.getrandbits(32), **device_kwargs)
    first.enrol(invite, role)
    first.sync()
    out = [first]
    for _ in range(devices - 1):
        dev = Device(base_url, creds, seed=rng.getrandbits(32), **device_kwargs)
        dev._keys = first._keys  # noqa: SLF001 - see the docstring
        dev.sign_in()
        dev.sync()
        out.append(dev)
    return out

"""Accounts: enrolment from an invite, prelogin and sign-in — without ever learning a secret.

The server never sees a passphrase or the Secret Key. The client derives an *auth key*
(SP1 §3.1) and the server keeps an argon2-cffi hash of it; the account key and identity keys
arrive wrapped, the bundle arrives signed. Usernames are kept only as HMAC-SHA256 under the
server's username key, and nothing here tells an outsider whether a username exists: prelogin
answers unknown names with stable fake KDF parameters, sign-in runs a dummy hash verification.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

import spcrypto
from argon2.exceptions import InvalidHashError, VerificationError
from spcrypto import b64u_encode
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, settings
from ..db import db
from ..errors import ApiError
from ..models import Account
from . import devices, invites, sessions

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}", re.ASCII)
MAX_RAW_USERNAME = 128  # longer input is refused before Unicode normalisation works on it


def normalise_username(raw: str) -> str:
    """NFKC, then lowercase; raises 400 invalid-request unless it matches
    ``^[a-z0-9][a-z0-9._-]{2,31}$``. (The rule is public, so refusing a malformed name says
    nothing about who has an account.)"""
    name = unicodedata.normalize("NFKC", raw[:MAX_RAW_USERNAME + 1]).lower()
    if len(raw) > MAX_RAW_USERNAME or not USERNAME.fullmatch(name):
        raise ApiError.of("invalid-request", "username must be 3 to 32 characters: a-z, 0-9, "
                          "'.', '_' or '-', starting with a letter or digit.")
    return name


def username_mac(name: str) -> str:
    return b64u_encode(hmac.new(settings.current().keys.username, name.encode("ascii"),
                                hashlib.sha256).digest())


def _find(name: str) -> Account | None:
    return db.session().scalar(select(Account).where(Account.username_mac == username_mac(name)))


def prelogin(name: str) -> str:
    """The KDF block to derive the auth key with. For an unknown username: the default
    parameters with ``salt = HMAC-SHA256(prelogin key, "prelogin-salt" ‖ name)[0:16]``, stable
    across calls and indistinguishable in shape from a real block."""
    account = _find(name)
    if account is not None:
        return account.kdf
    salt = hmac.new(settings.current().keys.prelogin, b"prelogin-salt" + name.encode("ascii"),
                    hashlib.sha256).digest()[:16]
    return dataclasses.replace(spcrypto.new_kdf_params(), salt=salt).to_text()


@dataclass(frozen=True)
class Enrolment:
    """A parsed ``POST /api/auth/enrol`` body: shapes checked, nothing else yet."""

    invite: bytes
    username: str  # normalised
    account_id: str
    kdf: str
    auth_key: bytes
    vault_id: str
    wrapped_ak: str
    kid: str
    sig_pub: str
    enc_pub: str
    wrapped_sig: str
    wrapped_enc: str
    bundle: str
    bundle_sig: str
    device: str


@dataclass(frozen=True)
class SignedIn:
    account: Account
    device_id: str
    opened: sessions.Opened


def _check_enrolment(e: Enrolment) -> spcrypto.Bundle:
    """Everything the server can check without keys: the KDF block within SP1 §4's floor and
    ceiling, the self-signed bundle, and that the bundle names this account and its keys."""
    try:
        spcrypto.check_kdf_policy(e.kdf)
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-request",
                          "account.kdf is not an allowed SP1 KDF block.") from None
    try:
        bundle = spcrypto.verify_bundle({"bundle": e.bundle, "sig": e.bundle_sig})
    except spcrypto.CryptoError:
        raise ApiError.of("invalid-request", "account.bundle does not verify.") from None
    if bundle.uid != e.account_id:
        raise ApiError.of("invalid-request", "The bundle's uid is not the account id.")
    if (b64u_encode(bundle.kid), b64u_encode(bundle.sig_pub), b64u_encode(bundle.enc_pub)) != (
            e.kid, e.sig_pub, e.enc_pub):
        raise ApiError.of("invalid-request", "The bundle's keys are not the identity's keys.")
    return bundle


def _same_account(account: Account, e: Enrolment) -> bool:
    return (account.username_mac, account.kdf, account.vault_id, account.wrapped_ak, account.kid,
            account.sig_pub, account.enc_pub, account.wrapped_sig, account.wrapped_enc,
            account.bundle, account.bundle_sig) == (
        username_mac(e.username), e.kdf, e.vault_id, e.wrapped_ak, e.kid, e.sig_pub, e.enc_pub,
        e.wrapped_sig, e.wrapped_enc, e.bundle, e.bundle_sig)


def enrol(e: Enrolment, old_token: str | None) -> SignedIn:
    """Turn a vault into an account, using up the invite, and sign its device in.

    Raises 400 invalid-request (bad KDF block, bundle or identity; bundle role other than the
    invite's), 410 invite-invalid, 409 username-taken. The invite, account, device and session
    are written in one transaction, so a failure leaves the invite usable. Repeating a
    successful enrolment byte for byte (a retry after a lost answer) signs in again instead of
    failing on the used invite.
    """
    bundle = _check_enrolment(e)
    existing = db.session().get(Account, e.account_id)
    if existing is not None and _same_account(existing, e) and _verify(existing, e.auth_key):
        return _sign_in_device(existing, e.device, old_token)
    auth_hash = settings.current().hasher.hash(e.auth_key)  # slow; outside the transaction
    try:
        with db.transaction() as session:
            role = invites.redeem(session, e.invite)
            if bundle.role != role:
                raise ApiError.of("invalid-request", "The bundle's role is not the invite's role.")
            if _find(e.username) is not None:
                raise ApiError.of("username-taken")
            if session.get(Account, e.account_id) is not None or session.scalar(
                    select(Account.id).where(Account.kid == e.kid)) is not None:
                raise ApiError.of("invalid-request",
                                  "This account or identity is already enrolled.")
            account = Account(
                id=e.account_id, username_mac=username_mac(e.username), role=role, kdf=e.kdf,
                auth_hash=auth_hash, vault_id=e.vault_id, wrapped_ak=e.wrapped_ak, kid=e.kid,
                sig_pub=e.sig_pub, enc_pub=e.enc_pub, wrapped_sig=e.wrapped_sig,
                wrapped_enc=e.wrapped_enc, bundle=e.bundle, bundle_sig=e.bundle_sig,
                record_counter=0, created=clock.today())
            session.add(account)
            session.flush()
            devices.register(session, account.id, e.device)
            opened = sessions.open_session(session, account.id, e.device, replaces=old_token)
    except IntegrityError:
        # A concurrent enrolment took the username (or the ids) between the check and the
        # insert; the transaction rolled back, so the invite is still usable.
        raise ApiError.of("username-taken") from None
    return SignedIn(account, e.device, opened)


def _verify(account: Account, auth_key: bytes) -> bool:
    hasher = settings.current().hasher
    try:
        hasher.verify(account.auth_hash, auth_key)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(account.auth_hash):
        with db.transaction():
            account.auth_hash = hasher.hash(auth_key)
    return True


def signin(name: str, auth_key: bytes, device_id: str, old_token: str | None) -> SignedIn:
    """Check the auth key and open a session for ``device_id`` (registered if new).

    Raises 401 signin-failed for an unknown username or a wrong key — with the same Argon2id
    work either way —, and 403 device-revoked, only once the key has verified (so the answer
    cannot be used to learn which devices are revoked without the key).
    """
    account = _find(name)
    if account is None:
        try:
            settings.current().hasher.verify(settings.current().dummy_hash, auth_key)
        except (VerificationError, InvalidHashError):
            pass
        raise ApiError.of("signin-failed")
    if not _verify(account, auth_key):
        raise ApiError.of("signin-failed")
    return _sign_in_device(account, device_id, old_token)


def _sign_in_device(account: Account, device_id: str, old_token: str | None) -> SignedIn:
    with db.transaction() as session:
        devices.register(session, account.id, device_id)
        opened = sessions.open_session(session, account.id, device_id, replaces=old_token)
    return SignedIn(account, device_id, opened)

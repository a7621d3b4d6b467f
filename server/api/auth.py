"""``/api/auth/*`` and ``/api/session``: invites, enrolment, prelogin, sign-in, sign-out."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ..models import Account
from ..services import accounts, invites, receipts, sessions
from ..services.accounts import Enrolment, SignedIn
from . import guards
from .parsing import b64u, json_object, members, text

bp = Blueprint("auth", __name__)

WRAPPED_AK_LEN = 12 + 32 + 16  # nonce ‖ AES-GCM(AK) (SPEC.md §3.3)
WRAPPED_KEY_LEN = 12 + 48 + 16  # nonce ‖ AES-GCM(PKCS#8 of an Ed25519 or X25519 key) (§5.2)


def account_json(account: Account) -> dict[str, Any]:
    """What a device needs to open the vault after sign-in: all of it wrapped or public."""
    return {
        "id": account.id,
        "role": account.role,
        "kdf": account.kdf,
        "vault_id": account.vault_id,
        "wrapped_ak": account.wrapped_ak,
        "identity": {"kid": account.kid, "sig_pub": account.sig_pub, "enc_pub": account.enc_pub,
                     "wrapped_sig": account.wrapped_sig, "wrapped_enc": account.wrapped_enc},
        "bundle": {"bundle": account.bundle, "sig": account.bundle_sig},
    }


def _signed_in(result: SignedIn, status: int) -> tuple[Response, int]:
    response = jsonify({"csrf": result.opened.csrf, "account": account_json(result.account),
                        "device": result.device_id, "server": receipts.server_info()})
    return guards.set_session_cookie(response, result.opened.token), status


def _id(obj: Any, key: str, length: int = 16) -> str:
    b64u(obj, key, length)  # checks the spelling is canonical, so the text is the id
    return str(obj[key])


def _username(body: Any) -> str:
    return accounts.normalise_username(text(body, "username", max_len=accounts.MAX_RAW_USERNAME))


@bp.post("/auth/prelogin")
def prelogin() -> Response:
    body = members(json_object(), "body", {"username"})
    return jsonify({"kdf": accounts.prelogin(_username(body))})


@bp.post("/auth/invite")
def invite() -> Response:
    """Check an invite without using it up, so the client learns its role for the bundle."""
    body = members(json_object(), "body", {"invite"})
    found = invites.peek(b64u(body, "invite", invites.TOKEN_LEN))
    return jsonify({"role": found.role})


@bp.post("/auth/enrol")
def enrol() -> tuple[Response, int]:
    body = members(json_object(), "body", {"invite", "username", "account", "device"})
    account = members(body["account"], "account", {
        "id", "kdf", "auth_key", "vault_id", "wrapped_ak", "identity", "bundle"})
    identity = members(account["identity"], "identity", {
        "kid", "sig_pub", "enc_pub", "wrapped_sig", "wrapped_enc"})
    bundle = members(account["bundle"], "bundle", {"bundle", "sig"})
    b64u(account, "wrapped_ak", WRAPPED_AK_LEN)
    b64u(identity, "wrapped_sig", WRAPPED_KEY_LEN)
    b64u(identity, "wrapped_enc", WRAPPED_KEY_LEN)
    b64u(bundle, "sig", 64)
    enrolment = Enrolment(
        invite=b64u(body, "invite", invites.TOKEN_LEN),
        username=_username(body),
        account_id=_id(account, "id"),
        kdf=text(account, "kdf", max_len=256),
        auth_key=b64u(account, "auth_key", 32),
        vault_id=_id(account, "vault_id"),
        wrapped_ak=str(account["wrapped_ak"]),
        kid=_id(identity, "kid"),
        sig_pub=_id(identity, "sig_pub", 32),
        enc_pub=_id(identity, "enc_pub", 32),
        wrapped_sig=str(identity["wrapped_sig"]),
        wrapped_enc=str(identity["wrapped_enc"]),
        bundle=text(bundle, "bundle", max_len=1024),
        bundle_sig=str(bundle["sig"]),
        device=_id(body, "device"),
    )
    return _signed_in(accounts.enrol(enrolment, guards.cookie_token()), 201)


@bp.post("/auth/signin")
def signin() -> tuple[Response, int]:
    body = members(json_object(), "body", {"username", "auth_key", "device"})
    result = accounts.signin(_username(body), b64u(body, "auth_key", 32), _id(body, "device"),
                             guards.cookie_token())
    return _signed_in(result, 200)


@bp.post("/auth/signout")
def signout() -> Response:
    guards.signed_in(csrf=True)
    sessions.close(guards.cookie_token())
    return guards.clear_session_cookie(Response(status=204))


@bp.get("/session")
def session() -> Response:
    current = guards.signed_in(csrf=False)
    return jsonify({"csrf": current.csrf,
                    "account": {"id": current.account.id, "role": current.account.role},
                    "device": current.device_id})

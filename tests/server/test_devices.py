"""Devices: list them; revoke a lost or seized one — its sessions die, its sign-ins and records
are refused, and the answer to a wrong key still does not say it was revoked."""
from __future__ import annotations

import secrets

from tests.server.factories import Delegate, b64


def _second_device(app, delegate: Delegate) -> Delegate:  # type: ignore[no-untyped-def]
    other = Delegate(app.test_client(), delegate.username, delegate.role, delegate.keys,
                     delegate.account_id, secrets.token_bytes(16), "", delegate.answer)
    assert other.sign_in(other.device).status_code == 200
    return other


def test_devices_are_listed_with_coarse_dates(app, delegate, fake_clock) -> None:  # type: ignore[no-untyped-def]
    laptop = _second_device(app, delegate)
    listed = delegate.get("/api/devices").get_json()["devices"]
    assert {d["id"]: d["current"] for d in listed} == {b64(delegate.device): True,
                                                      b64(laptop.device): False}
    for device in listed:
        assert set(device) == {"id", "current", "revoked", "created", "last_sync"}
        assert len(device["created"]) == 10 and device["revoked"] is False  # YYYY-MM-DD


def test_revoking_a_device_kills_its_sessions_and_refuses_its_sign_ins(app, delegate) -> None:  # type: ignore[no-untyped-def]
    stolen = _second_device(app, delegate)
    assert stolen.get("/api/session").status_code == 200
    assert delegate.post(f"/api/devices/{b64(stolen.device)}/revoke").status_code == 204
    assert stolen.get("/api/session").status_code == 401
    # With the right key, the device learns it is revoked; with a wrong one, nothing.
    refused = stolen.sign_in(stolen.device)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "device-revoked"
    stolen.keys.auth_key, real = secrets.token_bytes(32), stolen.keys.auth_key
    assert stolen.sign_in(stolen.device).get_json()["error"]["code"] == "signin-failed"
    stolen.keys.auth_key = real
    # The same person on a new device id (passphrase and Secret Key again) is fine.
    assert stolen.sign_in(secrets.token_bytes(16)).status_code == 200
    listed = {d["id"]: d["revoked"] for d in delegate.get("/api/devices").get_json()["devices"]}
    assert listed[b64(stolen.device)] is False and True in listed.values()
    # Revoking twice is fine.
    revoked = next(i for i, r in listed.items() if r)
    assert delegate.post(f"/api/devices/{revoked}/revoke").status_code == 204


def test_revoking_this_device_signs_out(delegate) -> None:  # type: ignore[no-untyped-def]
    response = delegate.post(f"/api/devices/{b64(delegate.device)}/revoke")
    assert response.status_code == 204
    assert response.headers["Set-Cookie"].startswith("__Host-sp_session=;")
    assert delegate.get("/api/session").status_code == 401
    assert delegate.sign_in().status_code == 403


def test_unknown_and_malformed_device_ids(delegate) -> None:  # type: ignore[no-untyped-def]
    unknown = delegate.post(f"/api/devices/{b64(secrets.token_bytes(16))}/revoke")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not-found"
    for bad in ("short", "A" * 23, "AAAAAAAAAAAAAAAAAAAAAB"):  # the last one is non-canonical
        response = delegate.post(f"/api/devices/{bad}/revoke")
        assert response.status_code == 400, bad

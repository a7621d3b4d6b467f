"""The directory: delegates find the focal points and legal supporters by their signed names;
only those contacts publish a card, and only one their own key signed."""
from __future__ import annotations

import spcrypto

from tests.server.factories import Delegate, enrolled_account


def _directory(who: Delegate) -> list[dict]:  # type: ignore[type-arg]
    response = who.get("/api/directory")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["contacts"])


def test_a_delegate_finds_focal_points_and_legal_supporters_by_their_signed_names(app) -> None:  # type: ignore[no-untyped-def]
    # Given a focal point who published her card, a legal supporter who did not, and delegates
    maria = enrolled_account(app.test_client(), role="focal-point")
    assert maria.put_card("María José Ñúñez", "Red de Apoyo").status_code == 204
    lawyer = enrolled_account(app.test_client(), role="legal")
    delegate = enrolled_account(app.test_client())
    enrolled_account(app.test_client())  # another delegate
    # When a delegate opens the directory
    contacts = _directory(delegate)
    # Then it lists exactly the two contacts, by account id, with their signed bundles
    assert [c["account"] for c in contacts] == sorted([maria.account_id, lawyer.account_id])
    by_id = {c["account"]: c for c in contacts}
    assert by_id[maria.account_id]["role"] == "focal-point"
    assert by_id[lawyer.account_id]["role"] == "legal" and by_id[lawyer.account_id]["card"] is None
    # And the name verifies under the contact's own bundle, as the app checks it
    bundle = spcrypto.verify_bundle(by_id[maria.account_id]["bundle"])
    assert bundle.kid == maria.keys.identity.kid
    card = spcrypto.verify_card(by_id[maria.account_id]["card"], bundle)
    assert (card.name, card.org) == ("María José Ñúñez", "Red de Apoyo")
    # Every signed-in role sees the same directory; nobody else sees it
    assert _directory(maria) == _directory(lawyer) == contacts
    assert app.test_client().get("/api/directory").status_code == 401


def test_a_focal_point_replaces_her_card(app) -> None:  # type: ignore[no-untyped-def]
    maria = enrolled_account(app.test_client(), role="focal-point")
    assert maria.put_card("Maria").status_code == 204
    assert maria.put_card("Maria R.", "Legal aid").status_code == 204
    (contact,) = _directory(maria)
    card = spcrypto.verify_card(contact["card"], maria.bundle)
    assert (card.name, card.org) == ("Maria R.", "Legal aid")


def test_a_delegate_cannot_publish_a_card(delegate) -> None:  # type: ignore[no-untyped-def]
    response = delegate.put_card("Not a contact")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert _directory(delegate) == []


def test_a_card_signed_by_another_key_or_tampered_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    maria = enrolled_account(app.test_client(), role="focal-point")
    mallory = enrolled_account(app.test_client(), role="focal-point")
    assert maria.put_card("Maria").status_code == 204
    # Mallory presents Maria's card (Maria's kid, Maria's signature) as her own
    (maria_contact,) = [c for c in _directory(maria) if c["account"] == maria.account_id]
    stolen = mallory.put("/api/directory/card", maria_contact["card"])
    # ... or a card in her own name re-labelled, or with a broken signature
    own = spcrypto.make_card(mallory.keys.identity, "Mallory")
    relabelled = {**own, "card": own["card"].replace(own["card"].split('"name":"')[1].split('"')[0],
                                                     spcrypto.b64u_encode("Maria".encode()))}
    broken = {**own, "sig": spcrypto.b64u_encode(bytes(64))}
    for answer in (stolen, mallory.put("/api/directory/card", relabelled),
                   mallory.put("/api/directory/card", broken)):
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid-card"
    # Malformed bodies are malformed requests
    for body in ({"card": own["card"]}, {"card": 7, "sig": own["sig"]},
                 {"card": own["card"], "sig": "short"}):
        answer = mallory.put("/api/directory/card", body)
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid-request"
    # Nothing of Mallory's was published
    assert {c["account"]: c["card"] for c in _directory(maria)}[mallory.account_id] is None

"""The operator restores an old backup of the database (a real rollback of the SQLite file,
through SQLite's backup API, while the server runs): every record synced since is gone from the
server, and the server carries on as if it had never received it.

A phone that holds those records with receipts must notice before it trusts the server with its
evidence: its very next sync — even one with nothing to push — compares the server's chain heads
with the records it holds receipts for; Prepare for crossing (which syncs first) refuses to
delete anything; and a push is refused by the server's own chain rule, which the phone reports as
"the server's chain differs from this device's" without marking anything synced."""
from __future__ import annotations

import pytest

from tests.sync_client_js.steps import create_and_enrol, log_incidents, sync, titles

from .conftest import World

pytestmark = pytest.mark.browser


def test_a_server_rolled_back_to_an_old_backup_is_caught_before_the_phone_trusts_it(  # type: ignore[no-untyped-def]
        world: World, tmp_path, security_figure) -> None:
    # Given a delegate whose phone synced two incidents, then the operator's nightly backup
    a = world.phone()
    create_and_enrol(a, world.invite("delegate"))
    log_incidents(a, ["before the backup: one", "before the backup: two"])
    assert sync(a)["ok"]
    backup = str(tmp_path / "nightly.db")
    world.lying.backup(backup)
    # And two more incidents synced after it, each with a receipt
    log_incidents(a, ["after the backup: three", "after the backup: four"])
    assert sync(a)["ok"]
    held = titles(a)
    assert a.evaluate("async () => (await t.a.plan()).records") == 0

    # When the operator restores the backup
    world.lying.restore(backup)

    # Then the next sync, with nothing to push, says the server lost what it acknowledged
    plain = sync(a)
    assert plain.get("code") == "unverified", plain
    assert "no longer holds records it acknowledged" in plain["message"]
    # And Prepare for crossing refuses: the server cannot prove it holds the phone's records
    crossing = a.evaluate("async () => t.attempt(() => t.a.prepareForCrossing())")
    assert crossing.get("code") == "unverified", crossing
    # And nothing was deleted
    assert a.evaluate("async () => t.v.state()") == "unlocked"
    assert titles(a) == held

    # When the delegate logs one more and syncs, the push does not fit the server's older chain
    log_incidents(a, ["after the rollback: five"])
    pushed = sync(a)
    # Then the phone says the server's chain differs, and the incident is still waiting to be sent
    assert pushed.get("code") == "unverified", pushed
    assert "chain differs" in pushed["message"]
    assert a.evaluate("async () => (await t.a.plan()).records") == 1
    security_figure("malicious.rolled-back", "detected", "server rolled back to an old backup")

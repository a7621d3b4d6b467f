"""Alembic is the only owner of the schema: head matches the models, and every revision
upgrades and downgrades cleanly — on SQLite and on PostgreSQL (tools/run-tests.sh runs both)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import spcrypto
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from spcrypto import b64u_encode
from sqlalchemy import MetaData, insert, inspect, text

from server.db import alembic_config, downgrade, make_engine, upgrade
from server.models import Base


def test_head_matches_the_models(database_url) -> None:  # type: ignore[no-untyped-def]
    upgrade(database_url)
    engine = make_engine(database_url, pooled=False)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; add a revision: {diff}"


def test_every_revision_upgrades_and_downgrades(database_url) -> None:  # type: ignore[no-untyped-def]
    script = ScriptDirectory.from_config(alembic_config(database_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no migrations found"
    try:
        downgrade(database_url, "base")
        assert _tables(database_url) <= {"alembic_version"}
        for revision in revisions:  # step up one revision at a time, then all the way down
            upgrade(database_url, revision)
        assert set(Base.metadata.tables) <= _tables(database_url)
        downgrade(database_url, "base")
        assert _tables(database_url) <= {"alembic_version"}
    finally:
        upgrade(database_url)


def _tables(url: str) -> set[str]:
    engine = make_engine(url, pooled=False)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_0003_keeps_issue_5_data_and_links_records_to_their_attachments(database_url) -> None:  # type: ignore[no-untyped-def]
    # Given a database at 0002 holding an account with a synced incident that names a photo
    try:
        rid, aid = _issue_5_database(database_url)
        # When the sharing revision runs
        upgrade(database_url, "0003")
        # Then the record is linked to its attachment and the account's inbox starts at 0
        rows = _select(database_url, "SELECT rid, aid, account_id FROM record_attachments")
        assert rows == [(rid, aid, "acct")]
        assert _select(database_url, "SELECT inbox_counter FROM accounts") == [(0,)]
        # And going back keeps the issue 5 data (no cascade from rebuilding ``accounts``)
        downgrade(database_url, "0002")
        assert _select(database_url, "SELECT rid FROM records") == [(rid,)]
        assert _select(database_url, "SELECT id FROM devices") == [("dev",)]
    finally:
        downgrade(database_url, "base")
        upgrade(database_url)


def test_0004_counts_uploads_already_there_as_touched_on_the_day_of_the_upgrade(database_url) -> None:  # type: ignore[no-untyped-def]
    # Given a database at 0003 holding a synced record, its photo and an upload left half-way
    try:
        rid, aid = _issue_5_database(database_url)
        upgrade(database_url, "0003")
        _execute(database_url, "INSERT INTO attachments (account_id, aid, ct_len, hash, received) "
                               "VALUES ('acct', 'half', 196656, 'h', 65552)")
        # When the upload-activity revision runs
        days = {datetime.now(UTC).date()}
        upgrade(database_url, "0004")
        days.add(datetime.now(UTC).date())  # (a run across midnight may write either day)
        # Then both count as touched today (the purge's grace period starts now), the photo and
        # its record link are untouched
        touched = dict(_select(database_url, "SELECT aid, touched FROM attachments"))
        assert touched.keys() == {aid, "half"} and {_day(t) for t in touched.values()} <= days
        assert _select(database_url, "SELECT rid, aid FROM record_attachments") == [(rid, aid)]
        # And going back drops the column in place: no chunk or link is lost with it
        downgrade(database_url, "0003")
        assert _select(database_url, "SELECT rid, aid FROM record_attachments") == [(rid, aid)]
        assert len(_select(database_url, "SELECT aid FROM attachments")) == 2
    finally:
        downgrade(database_url, "base")
        upgrade(database_url)


def _day(value) -> date:  # type: ignore[no-untyped-def]
    """A DATE as the driver returns it: a date (psycopg) or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _issue_5_database(url: str) -> tuple[str, str]:
    """The database emptied and brought to 0002, holding an account with a synced incident
    that names a photo (stored whole): (rid, aid)."""
    identity, cek = spcrypto.generate_identity(), spcrypto.new_cek()
    ref = spcrypto.encrypt_attachment(io.BytesIO(b"photo"), io.BytesIO(), cek, 5)
    envelope = spcrypto.seal_record(
        identity, cek, dev=bytes(16), seq=1, prev=bytes(32), attachments=[ref],
        body={"ts": 1, "kind": "incident", "att": [{"aid": b64u_encode(ref.aid), "size": 5}]})
    rid = b64u_encode(spcrypto.parse_header(envelope.hdr).rid)
    aid = b64u_encode(ref.aid)
    downgrade(url, "base")
    upgrade(url, "0002")
    _insert_issue_5_rows(url, envelope, rid, aid, ref)
    return rid, aid


def _execute(url: str, sql: str) -> None:
    engine = make_engine(url, pooled=False)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _insert_issue_5_rows(url: str, envelope, rid: str, aid: str, ref) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url, pooled=False)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(insert(t["accounts"]), {
            "id": "acct", "username_mac": "mac", "role": "delegate", "kdf": "{}",
            "auth_hash": "h", "vault_id": "v", "wrapped_ak": "w", "kid": "kid",
            "sig_pub": "s", "enc_pub": "e", "wrapped_sig": "ws", "wrapped_enc": "we",
            "bundle": "{}", "bundle_sig": "sig", "record_counter": 1, "created": date(2026, 1, 1)})
        conn.execute(insert(t["devices"]), {"account_id": "acct", "id": "dev", "revoked": False,
                                            "created": date(2026, 1, 1), "last_sync": None})
        conn.execute(insert(t["attachments"]), {
            "account_id": "acct", "aid": aid, "ct_len": ref.ct_len,
            "hash": b64u_encode(ref.hash), "received": ref.ct_len, "complete_ms": 0})
        conn.execute(insert(t["records"]), {
            "rid": rid, "author": "kid", "dev": "dev", "seq": 1,
            "entry_hash": b64u_encode(envelope.entry_hash), "hdr": envelope.hdr.encode(),
            "body": envelope.body, "sig": envelope.sig, "received_ms": 0, "account_id": "acct",
            "account_seq": 1, "wrap": "{}"})
    engine.dispose()


def _select(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = make_engine(url, pooled=False)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows

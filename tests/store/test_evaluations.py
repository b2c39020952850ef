"""The evaluation store: durable changes, derived state, sign-off, amendments, conflicts, audit."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from inspector.errors import NotFoundError, ObservationError, StoreError, UsageError
from inspector.store.audit import audit_evaluation
from inspector.store.changes import OBSERVE, Change
from inspector.store.db import open_database, transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence, evidence_path
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.pg_support import tamper as tamper_database
from tests.pg_support import with_write_grants_again, without_write_grants

RUBRIC = "sichuan-2017-inspection"


@pytest.fixture
def store(tmp_path: Path) -> EvaluationStore:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    return EvaluationStore(db, "张三")


@pytest.fixture
def org(store: EvaluationStore) -> str:
    return add_org(store.db, "成都市第一技工学校鉴定站", "51A001")["id"]


def count(store: EvaluationStore, table: str = "changes") -> int:
    return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def answer_all(store: EvaluationStore, eval_id: str) -> None:
    for item in store.rubric(RUBRIC, 1).items():
        store.record(eval_id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})


def test_record_and_derive_state(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org, team=[{"name": "张三", "role": "组长"}])
    assert e.state == "draft" and e.items == 61 and e.answered == 0
    store.record(e.id, "4.1.1", {"problems": 2, "note": "两台设备故障"})
    store.record(e.id, "4.1.1", {"problems": 1})  # the second supersedes the first
    assert store.get(e.id).answered == 1
    assert store.report(e.id).total == 2
    history = store.changes(e.id, "4.1.1")
    assert [c.payload for c in history] == [{"problems": 2, "note": "两台设备故障"}, {"problems": 1}]
    assert history[1].parents == (history[0].id,)
    answer_all(store, e.id)
    assert store.get(e.id).state == "complete"
    store.record(e.id, "1.1.1", None)  # cleared again: back to draft
    assert store.get(e.id).state == "draft"


def test_refused_observation_writes_nothing(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    before = count(store)
    with pytest.raises(ObservationError, match=r"5\.1\.1"):
        store.record(e.id, "5.1.1", {"problems": 3})  # the gap the form leaves
    with pytest.raises(ObservationError, match=r"9\.9\.9"):
        store.record(e.id, "9.9.9", {"met": True})
    with pytest.raises(NotFoundError):
        store.record("nope", "1.1.1", {"met": True})
    assert count(store) == before


def test_sign_locks_and_amend_makes_a_new_revision(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    with pytest.raises(StoreError, match="尚未完成"):
        store.sign(e.id, [{"name": "张三"}])
    answer_all(store, e.id)
    store.record(e.id, "4.1.1", {"problems": 1})
    with pytest.raises(StoreError, match=r"未写明发现的情况.*4\.1\.1"):
        store.sign(e.id, [{"name": "张三"}])  # a deduction that does not say what was found
    store.record(e.id, "4.1.1", {"problems": 1, "note": "一台设备故障未报修"})
    with pytest.raises(UsageError):
        store.sign(e.id, [])
    signed = store.sign(e.id, [{"name": "张三", "role": "组长"}, {"name": "王五", "role": "机构代表"}])
    assert signed.state == "signed" and len(store.signatures(e.id)) == 2
    before = count(store)
    with pytest.raises(StoreError, match="只读"):
        store.record(e.id, "4.1.1", {"problems": 0})
    with pytest.raises(StoreError, match="只读"):
        store.set_veto(e.id, "V1", True)
    assert count(store) == before
    amended = store.amend(e.id, "复核发现4.1.1已整改")
    assert amended.revision == 2 and amended.previous_id == e.id and amended.state == "complete"
    store.record(amended.id, "4.1.1", {"problems": 0})
    assert store.report(amended.id).total == 100
    assert store.report(e.id).total == 99  # the signed one stays as it was
    assert store.get(e.id).state == "signed"


def test_veto_decides_the_outcome(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    answer_all(store, e.id)
    assert store.report(e.id).outcome.code == "pass"
    store.set_veto(e.id, "V2", True, "伪造证书信息2份")
    assert store.report(e.id).outcome.code == "fail"
    assert store.totals([store.get(e.id)])[e.id].vetoed is True
    store.set_veto(e.id, "V2", False)
    assert store.report(e.id).outcome.code == "pass"
    with pytest.raises(ObservationError):
        store.set_veto(e.id, "V9", True)


def foreign_change(store: EvaluationStore, eval_id: str, item: str, payload: dict, parents: tuple) -> Change:
    """A change made on another laptop (as a merged bundle would bring it)."""
    return Change(
        id=uuid.uuid4().hex,
        eval_id=eval_id,
        item_id=item,
        kind=OBSERVE,
        payload=payload,
        parents=parents,
        author="李四",
        device_id="laptop-b",
        device_seq=1,
        wall_time="2099-01-01T00:00:00.000+08:00",
        prev_hash="0" * 64,
    ).sealed()


def test_concurrent_changes_are_a_visible_conflict_until_resolved(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    base = store.record(e.id, "4.1.1", {"problems": 0})
    mine = store.record(e.id, "4.1.1", {"problems": 1})
    theirs = foreign_change(store, e.id, "4.1.1", {"problems": 2}, (base.id,))
    with transaction(store.db) as conn:
        apply_change(conn, theirs, store.rubric)
    current = store.current(e.id)["4.1.1"]
    assert {current.change.id, *(c.id for c in current.rivals)} == {mine.id, theirs.id}
    assert store.get(e.id).conflicts == 1
    # resolving: one change superseding both heads
    resolved = store.record(e.id, "4.1.1", {"problems": 1, "note": "合议后认定1个问题"})
    assert set(resolved.parents) == {mine.id, theirs.id}
    assert store.get(e.id).conflicts == 0 and store.current(e.id)["4.1.1"].rivals == ()
    assert audit_evaluation(store, Path(), e.id).ok


def test_a_change_arriving_after_its_successor_does_not_become_current(
    store: EvaluationStore, org: str
) -> None:
    e = store.create(RUBRIC, org)
    parent = foreign_change(store, e.id, "1.1.1", {"met": False}, ())
    child = store._change(store.conn, e.id, "1.1.1", OBSERVE, {"met": True}, (parent.id,))
    with transaction(store.db) as conn:
        apply_change(conn, child, store.rubric)
        apply_change(conn, parent, store.rubric)
    assert store.current(e.id)["1.1.1"].change.id == child.id
    assert store.get(e.id).conflicts == 0


def test_the_log_is_append_only(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    store.record(e.id, "1.1.1", {"met": True})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE changes SET payload = '{\"met\":false}'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM changes")


def tamper(store: EvaluationStore, sql: str, *args: object) -> None:
    """What someone holding the database could do behind the product's back: the sqlite3 shell on a
    laptop's file, the server's superuser on a centre's database (tests/pg_support.py)."""
    tamper_database(store.conn, sql, *args)


def test_audit_detects_an_edited_change(store: EvaluationStore, org: str, tmp_path: Path) -> None:
    e = store.create(RUBRIC, org)
    c = store.record(e.id, "4.1.1", {"problems": 2})
    store.record(e.id, "1.1.1", {"met": True})
    assert audit_evaluation(store, tmp_path, e.id).ok
    tamper(store, "UPDATE changes SET payload = '{\"problems\":0}' WHERE id = ?", c.id)
    report = audit_evaluation(store, tmp_path, e.id)
    assert not report.ok and any("哈希不符" in p for p in report.problems)


def test_audit_detects_a_deleted_change(store: EvaluationStore, org: str, tmp_path: Path) -> None:
    e = store.create(RUBRIC, org)
    store.record(e.id, "4.1.1", {"problems": 2})
    c = store.record(e.id, "1.1.1", {"met": False})
    store.record(e.id, "1.2.1", {"met": True})
    tamper(store, "DELETE FROM changes WHERE id = ?", c.id)
    report = audit_evaluation(store, tmp_path, e.id)
    assert any("链接断开" in p for p in report.problems)
    assert any("1.1.1" in p for p in report.problems)  # its current value is no longer explained


def test_audit_checks_evidence(store: EvaluationStore, org: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    digest = add_evidence(store.db, data, photo)
    assert add_evidence(store.db, data, photo) == digest  # stored once
    assert count(store, "evidence") == 1
    e = store.create(RUBRIC, org)
    store.record(e.id, "5.3.1", {"met": False, "evidence": [{"sha256": digest, "caption": "无引导标识"}]})
    assert audit_evaluation(store, data, e.id).ok
    evidence_path(data, digest).write_bytes(b"another photo")
    assert any("改动" in p for p in audit_evaluation(store, data, e.id).problems)
    evidence_path(data, digest).unlink()
    if not isinstance(store.conn, sqlite3.Connection):
        # on a server the folder holds a desk's copy: a deleted one is fetched again, intact
        assert audit_evaluation(store, data, e.id).ok
        # the server's own copy changed behind the program's back: never handed out, so missing
        tamper_database(store.conn, "UPDATE inspector_files SET content = ? WHERE sha256 = ?", b"x", digest)
        evidence_path(data, digest).unlink()
    assert any("缺失" in p for p in audit_evaluation(store, data, e.id).problems)


def test_full_disk_writes_nothing_and_says_so(store: EvaluationStore, org: str) -> None:
    e = store.create(RUBRIC, org)
    before = count(store)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = {"problems": 1, "note": "很长的说明" * 400}  # the longest note allowed: 6,000 bytes, over a page
    with pytest.raises(StoreError, match="磁盘已满"):
        store.record(e.id, "4.1.1", big)
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert count(store) == before
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_read_only_database_is_refused_cleanly(store: EvaluationStore, org: str) -> None:
    """A laptop's file that may not be written; on a server, a role granted reading only: the mark
    is refused with one message saying why, and nothing is written."""
    e = store.create(RUBRIC, org)
    before = count(store)
    on_file = isinstance(store.conn, sqlite3.Connection)
    if on_file:
        store.conn.execute("PRAGMA query_only = ON")
    else:
        without_write_grants(store.conn)
    with pytest.raises(StoreError, match="只读" if on_file else "无此权限"):
        store.record(e.id, "1.1.1", {"met": True})
    if on_file:
        store.conn.execute("PRAGMA query_only = OFF")
    else:
        with_write_grants_again(store.conn)
    assert count(store) == before
    store.record(e.id, "1.1.1", {"met": True})  # the connection is still usable
    assert count(store) == before + 1


def test_bad_arguments(store: EvaluationStore, org: str) -> None:
    with pytest.raises(UsageError):
        store.create(RUBRIC, org, "visit")
    with pytest.raises(NotFoundError):
        store.create(RUBRIC, "no-such-org")
    with pytest.raises(NotFoundError):
        store.create("no-such-rubric", org)
    with pytest.raises(UsageError):
        store.create(RUBRIC, org, visit_date="2026-13-01")


def test_the_cached_chain_tip_yields_to_every_other_writer(
    store: EvaluationStore, org: str, tmp_path: Path
) -> None:
    """The window and the command line (another connection, same device) and another store on the same
    connection write into the same chain. Each mark must follow the true tip: no sequence reused, the
    chain unbroken (issue 18, P2: the tip is read in each mark's one query, in its transaction; it
    was cached between marks while PRAGMA data_version and total_changes stood still)."""
    e = store.create(RUBRIC, org)
    store.record(e.id, "4.1.1", {"problems": 1})
    store.record(e.id, "1.1.1", {"met": True})
    other_connection = EvaluationStore(open_database(tmp_path / "data"), "李四")
    assert other_connection.device == store.device
    other_connection.record(e.id, "4.1.1", {"problems": 2})
    store.record(e.id, "1.1.1", {"met": False})  # after another connection's mark
    same_connection = EvaluationStore(store.db, "王五")
    same_connection.record(e.id, "4.1.1", {"problems": 0})
    store.record(e.id, "1.1.1", {"met": True})  # after another store's mark on this connection
    seqs = [c.device_seq for c in store.changes(e.id)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert audit_evaluation(store, tmp_path, e.id).ok

"""New change ids are time-ordered (UUIDv7 layout, RFC 9562 section 5.7), in the same 32-hex form,
and mix with the random ids of changes made before (issue 18, P2)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path

import pytest

from inspector.store import evaluations as evaluations_module
from inspector.store.audit import audit_evaluation
from inspector.store.changes import new_change_id
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

RUBRIC = "sichuan-2017-inspection"


@pytest.fixture
def store(tmp_path: Path) -> EvaluationStore:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    return EvaluationStore(db, "张三")


def millis(change_id: str) -> int:
    return int(change_id[:12], 16)


def test_a_new_change_id_is_a_uuid7_in_32_hex_digits() -> None:
    ids = [new_change_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for cid in ids:
        assert len(cid) == 32 and cid == cid.lower() and int(cid, 16) >= 0
        u = uuid.UUID(cid)
        assert u.version == 7 and u.variant == uuid.RFC_4122 and u.hex == cid
    # the random part is random: not the same bits after the time in every id of one millisecond
    assert len({cid[12:] for cid in ids}) == len(ids)
    # in the order made, never earlier than the one before (to the millisecond)
    assert [millis(c) for c in ids] == sorted(millis(c) for c in ids)


def test_a_marks_id_carries_its_own_time_and_sorts_after_the_marks_before(store: EvaluationStore) -> None:
    org = add_org(store.db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create(RUBRIC, org)
    made = [store.record(e.id, "4.1.1", {"problems": k % 3}) for k in range(20)]
    for c in made:
        wall = dt.datetime.fromisoformat(c.wall_time)
        assert 0 <= int(wall.timestamp() * 1000) - millis(c.id) <= 1000, (c.id, c.wall_time)
    assert [millis(c.id) for c in made] == sorted(millis(c.id) for c in made)
    # each new mark supersedes the one before (in time order, to the millisecond, in supersedes' key;
    # two ids of the same millisecond stand in random order)
    rows = store.conn.execute("SELECT parent_id, child_id FROM supersedes ORDER BY parent_id").fetchall()
    assert {(p, ch) for p, ch in rows} == {(a.id, b.id) for a, b in itertools.pairwise(made)}
    assert [millis(p) for p, _ch in rows] == sorted(millis(p) for p, _ch in rows)


def test_old_random_ids_and_new_time_ordered_ones_mix(
    store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose changes were made with random ids (before this version), marked on with the
    new ids: the new mark supersedes the old one by its id, the heads and the figures follow, the
    audit finds the log and its derived tables whole, and the order of the history is by time."""
    org = add_org(store.db, "成都市第一技工学校鉴定站", "51A001")["id"]
    with monkeypatch.context() as m:
        m.setattr(evaluations_module, "new_change_id", lambda: uuid.uuid4().hex)
        e = store.create(RUBRIC, org)
        old = [
            store.record(e.id, "4.1.1", {"problems": 2}),
            store.record(e.id, "1.2.1", {"met": False}),
            store.record(e.id, "1.1.1", {"met": True}),
        ]
        old.append(store.record(e.id, "4.1.1", {"problems": 1}))
    assert all(uuid.UUID(c.id).version == 4 for c in old)
    new = store.record(e.id, "4.1.1", {"problems": 0})
    assert uuid.UUID(new.id).version == 7
    assert new.parents == (old[3].id,)
    heads = store.conn.execute(
        "SELECT item_id, change_id, winner FROM heads WHERE eval_id = ? ORDER BY item_id", (e.id,)
    ).fetchall()
    assert [tuple(r) for r in heads] == [
        ("1.1.1", old[2].id, 1),
        ("1.2.1", old[1].id, 1),
        ("4.1.1", new.id, 1),
    ]
    link = store.conn.execute(
        "SELECT 1 FROM supersedes WHERE parent_id = ? AND child_id = ?", (old[3].id, new.id)
    ).fetchone()
    assert link is not None
    assert [c.id for c in store.changes(e.id, "4.1.1")] == [old[0].id, old[3].id, new.id]
    store.record(e.id, "1.2.1", None)  # cleared over an old id
    assert store.get(e.id).answered == 2
    assert audit_evaluation(store, Path(), e.id).ok

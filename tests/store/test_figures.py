"""The figures kept per evaluation (schema v9, inspector.store.figures) are exactly what the scoring
engine computes from the marks, whatever way the marks arrived: random sequences of marks, cleared
marks, vetoes, another laptop's concurrent changes (conflicts), their resolution, changes arriving
after their successors (a bundle's order), moves to another version of the form, signing and the lock,
amendments. After every step the kept row equals a recomputation from the log, and the totals the
desk reads equal the report."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.errors import InspectorError
from inspector.i18n import language, set_language
from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.scoring import disallowed, refusal_text
from inspector.rubric.toml_form import load_rubric_file, parse_rubric_text
from inspector.store import figures
from inspector.store.audit import audit_evaluation
from inspector.store.changes import GENESIS, OBSERVE, VETO, Change
from inspector.store.db import open_database, transaction
from inspector.store.evaluations import VETO_PREFIX, EvaluationStore
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics, store_rubric
from tests.rubric.test_scoring import observation_for

_DB: dict[str, Any] = {}

SCORED = sorted(
    (r.id, r.version) for r in (load_rubric_file(p) for p in rubrics_dir().glob("*.toml")) if r.scored
)
VERSIONS: dict[str, list[int]] = {}
for _id, _v in SCORED:
    VERSIONS.setdefault(_id, []).append(_v)
TIMES = ("2000-01-01T00:00:00.000+08:00", "2099-01-01T00:00:00.000+08:00", "2099-01-01T00:00:00.000Z")


def _store(tmp: Path) -> tuple[EvaluationStore, str]:
    if "store" not in _DB:  # one data folder for the module: each example is a new evaluation in it
        db = open_database(tmp / f"figures-{uuid.uuid4().hex}")
        install_builtin_rubrics(db)
        _DB["store"] = EvaluationStore(db, "性质测试")
        _DB["org"] = add_org(db, "性质测试机构")["id"]
    return _DB["store"], _DB["org"]


def assert_kept(store: EvaluationStore, eval_id: str) -> None:
    """The kept row equals the scoring engine's own report (total, base, bonus, outcome, vetoes,
    items below full points) and its recomputation, and the desk's totals the report; where the
    engine refuses the marks as a whole, the kept row and the desk show no total and no outcome."""
    conn = store.conn
    kept = figures.read(conn, eval_id)
    assert kept is not None
    e = store.get(eval_id)
    # the latest change's time, kept with the figures (schema v13), is the log's latest wall time
    latest = conn.execute("SELECT MAX(wall_time) FROM changes WHERE eval_id = ?", (eval_id,)).fetchone()[0]
    assert e.updated_at == kept.updated_at == latest
    assert_winners(store, eval_id)
    t = store.totals([e])[eval_id]
    fixed = store.fixed(eval_id)
    try:
        report = store.report(eval_id)
    except InspectorError as refusal:
        assert kept.refused is not None and refusal.message in (refusal_text(kept.refused) or "")
        assert (kept.total_c, kept.base_c, kept.bonus_c, kept.outcome) == (0, 0, 0, None)
        assert kept.vetoes == [] and kept.lost == {}
        assert t.refused == refusal_text(kept.refused)
        if fixed is None:
            assert (t.total, t.base, t.bonus, t.outcome) == (None, None, None, None)
        else:  # fixed at signing: never moves; the difference is flagged
            assert (t.total, t.base, t.bonus) == (fixed.total, fixed.base, fixed.bonus) and t.differs
        assert figures.differences(kept, figures.scored(conn, eval_id, store.rubric)) == []
        return
    why = disallowed(report)
    if why is not None:  # a mark the form disallows: no total, in signing's own words
        assert refusal_text(kept.refused) == why and t.refused == why
        assert (kept.total_c, kept.outcome, t.outcome) == (0, None, None) and kept.lost == {}
        if fixed is None:
            assert t.total is None
        assert figures.differences(kept, figures.scored(conn, eval_id, store.rubric)) == []
        return
    # the engine's own figures, not only a recomputation by the same module
    assert kept.refused is None and t.refused is None
    assert (kept.base_c, kept.bonus_c, kept.total_c) == (
        int(report.base * 100),
        int(report.bonus * 100),
        int(report.total * 100),
    )
    assert kept.outcome == (report.outcome.code if report.outcome else None)
    assert kept.vetoes == sorted(v.id for v in report.vetoed)
    assert kept.lost == {
        i.id: int(i.points * 100) for i in report.items if i.answered and i.points != i.max_points
    }
    for s in report.sections:  # kept before a bonus section's cap, as the docstring says
        kept_points = kept.sections[s.code]
        assert (min(kept_points, int(s.max_points * 100)) if s.bonus else kept_points) == int(s.points * 100)
    truth = figures.computed(conn, eval_id, store.rubric)
    assert kept.as_row() == truth.as_row()
    assert figures.differences(kept, truth) == []
    assert e.answered == sum(1 for i in report.items if i.answered)
    if fixed is None:
        assert (t.total, t.base, t.bonus) == (report.total, report.base, report.bonus)
        assert (t.outcome.code if t.outcome else None) == (report.outcome.code if report.outcome else None)
        assert (t.outcome.label if t.outcome else None) == (report.outcome.label if report.outcome else None)
    else:
        assert (t.total, t.base, t.bonus) == (fixed.total, fixed.base, fixed.bonus)
        assert t.differs == (fixed.differs(report) is not None)
    assert t.vetoed == bool(report.vetoed)
    assert t.provisional == (bool(fixed is None and report.unanswered) or (e.conflicts > 0 and fixed is None))


def assert_winners(store: EvaluationStore, eval_id: str) -> None:
    """Every item with heads has exactly one winner, the one the conflict rule picks (the write path
    counts an item's other heads from what it deleted, not by reading them again)."""
    conn = store.conn
    items = [r[0] for r in conn.execute("SELECT DISTINCT item_id FROM heads WHERE eval_id = ?", (eval_id,))]
    for item in items:
        winners = [
            r[0]
            for r in conn.execute(
                "SELECT change_id FROM heads WHERE eval_id = ? AND item_id = ? AND winner = 1",
                (eval_id, item),
            )
        ]
        rule = conn.execute(
            "SELECT h.change_id FROM heads h JOIN changes c ON c.eval_id = h.eval_id"
            " AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
            " WHERE h.eval_id = ? AND h.item_id = ?"
            " ORDER BY julianday(c.wall_time) DESC, c.wall_time DESC, c.device_id DESC LIMIT 1",
            (eval_id, item),
        ).fetchone()[0]
        assert winners == [rule], item


class Laptop:
    """Another device's chain of changes to one evaluation, as a bundle brings them."""

    def __init__(self, eval_id: str) -> None:
        self.eval_id = eval_id
        self.device = uuid.uuid4().hex
        self.seq = 0
        self.tip = GENESIS

    def change(self, item: str, payload: Any, parents: tuple[str, ...], wall_time: str) -> Change:
        self.seq += 1
        c = Change(
            id=uuid.uuid4().hex,
            eval_id=self.eval_id,
            item_id=item,
            kind=VETO if item.startswith(VETO_PREFIX) else OBSERVE,
            payload=payload,
            parents=parents,
            author="李四",
            device_id=self.device,
            device_seq=self.seq,
            wall_time=wall_time,
            prev_hash=self.tip,
        ).sealed()
        self.tip = c.hash
        return c


def heads_of(store: EvaluationStore, eval_id: str, item: str) -> list[str]:
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT change_id FROM heads WHERE eval_id = ? AND item_id = ?", (eval_id, item)
        )
    ]


def step(data: st.DataObject, store: EvaluationStore, rubric: Rubric, eval_id: str, laptop: Laptop) -> str:
    """One random act on the evaluation; returns the evaluation to go on with (an amendment's)."""
    items = list(rubric.items())
    keys = [i.id for i in items] + [VETO_PREFIX + v.id for v in rubric.vetoes]
    act = data.draw(
        st.sampled_from(
            ["mark", "mark", "clear", "veto", "foreign", "late", "resolve", "repin", "sign", "amend", "alien"]
        )
    )
    try:
        if act in ("mark", "clear"):
            item = data.draw(st.sampled_from(items))
            payload = data.draw(observation_for(item)) if act == "mark" else None
            store.record(eval_id, item.id, None if payload is None else {**payload, "note": "所见"})
        elif act == "veto" and rubric.vetoes:
            veto = data.draw(st.sampled_from(rubric.vetoes))
            store.set_veto(eval_id, veto.id, data.draw(st.booleans()), "所见")
        elif act in ("foreign", "late"):
            key = data.draw(st.sampled_from(keys))
            if key.startswith(VETO_PREFIX):
                payload: Any = {"veto": data.draw(st.booleans()), "note": "所见"}
            else:
                item = rubric.item(key)
                payload = data.draw(st.none() | observation_for(item).map(lambda p: {**p, "note": "所见"}))
            # the other laptop saw none, some or all of the item's heads, or an older change already
            # replaced here: a conflict, or a supersession
            current = heads_of(store, eval_id, key)
            older = [
                r[0]
                for r in store.conn.execute(
                    "SELECT id FROM changes WHERE eval_id = ? AND item_id = ?", (eval_id, key)
                )
                if r[0] not in current
            ]
            seen = current + older[-2:]
            parents = tuple(data.draw(st.sets(st.sampled_from(seen)))) if seen else ()
            when = data.draw(st.sampled_from(TIMES))
            first = laptop.change(key, payload, parents, when)
            batch = [first]
            if act == "late":  # its successor arrives first (a bundle's order)
                batch = [laptop.change(key, payload, (first.id,), when), first]
            with transaction(store.db) as conn:
                for c in batch:
                    apply_change(conn, c, store.rubric)
        elif act == "alien":
            # a mark for an item or a veto the pinned version lacks, as a folder written by an older
            # program may hold (the engine then refuses the marks as a whole), or its clearing
            key = data.draw(st.sampled_from(["9.9.9", VETO_PREFIX + "V99"]))
            current = heads_of(store, eval_id, key)
            payload = data.draw(
                st.sampled_from([None, {"veto": True} if key.startswith(VETO_PREFIX) else {"met": True}])
            )
            c = laptop.change(key, payload, tuple(current), data.draw(st.sampled_from(TIMES)))
            with transaction(store.db) as conn:
                apply_change(conn, c, store.rubric, (None, None, int(payload is not None)))
        elif act == "resolve":
            rows = store.conn.execute(
                "SELECT item_id FROM heads WHERE eval_id = ? GROUP BY item_id HAVING COUNT(*) > 1", (eval_id,)
            ).fetchall()
            for (key,) in rows:
                if key.startswith(VETO_PREFIX):
                    store.set_veto(eval_id, key[len(VETO_PREFIX) :], False)
                else:
                    store.record(
                        eval_id, key, data.draw(observation_for(rubric.item(key))) | {"note": "合议"}
                    )
        elif act == "repin":
            e = store.get(eval_id)
            others = [v for v in VERSIONS[e.rubric_id] if v != e.rubric_version]
            if others:
                store.move_to_version(eval_id, data.draw(st.sampled_from(others)), "改用另一版")
        elif act == "sign":
            store.sign(eval_id, [{"name": "性质测试", "role": "组长"}])
        elif act == "amend":
            eval_id = store.amend(eval_id, "复核修订").id
    except InspectorError:
        pass  # refused (signed, incomplete, not on the new version…): nothing was written
    return eval_id


@pytest.mark.parametrize(("rubric_id", "version"), SCORED, ids=lambda x: str(x))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_kept_figures_equal_the_recomputation(
    rubric_id: str, version: int, data: st.DataObject, tmp_path: Path
) -> None:
    store, org = _store(tmp_path)
    rubric = store.rubric(rubric_id, version)
    e = store.create(rubric_id, org, rubric_version=version)
    assert_kept(store, e.id)
    # usually answered whole first (so that signing and amending are reached), then random acts
    if data.draw(st.booleans()):
        for item in rubric.items():
            store.record(e.id, item.id, data.draw(observation_for(item)) | {"note": "所见"})
    eval_id, laptop = e.id, Laptop(e.id)
    for _n in range(data.draw(st.integers(1, 12))):
        eval_id = step(data, store, store.rubric(*_pin(store, eval_id)), eval_id, laptop)
        if laptop.eval_id != eval_id:
            laptop = Laptop(eval_id)
        assert_kept(store, eval_id)
    kept = figures.read(store.conn, eval_id)
    assert kept is not None
    assert audit_evaluation(store, Path(), eval_id).ok == (kept.refused is None)


def _pin(store: EvaluationStore, eval_id: str) -> tuple[str, int]:
    e = store.get(eval_id)
    return e.rubric_id, e.rubric_version


def test_a_new_evaluation_has_its_row_and_a_lock_fixes_its_figures(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    kept = figures.read(store.conn, e.id)
    assert kept is not None and kept.total_c == 0 and kept.outcome == "fail" and kept.answered == 0
    for item in store.rubric("sichuan-2017-inspection", 1).items():
        store.record(e.id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})
    store.record(e.id, "4.1.1", {"problems": 1, "note": "一台设备故障"})
    kept = figures.read(store.conn, e.id)
    assert (
        kept is not None and kept.total_c == 9900 and kept.lost == {"4.1.1": 200} and kept.outcome == "pass"
    )
    store.sign(e.id, [{"name": "张三", "role": "组长"}])
    kept = figures.read(store.conn, e.id)
    assert kept is not None and kept.fixed is not None and kept.fixed["total"] == "99"
    assert (
        kept.fixed_at
        == store.conn.execute(
            "SELECT wall_time FROM changes WHERE eval_id = ? AND kind = 'lock'", (e.id,)
        ).fetchone()[0]
    )


def test_the_audit_reports_a_kept_figure_that_differs(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    store.record(e.id, "4.1.1", {"problems": 1, "note": "一台设备故障"})
    assert audit_evaluation(store, Path(), e.id).ok
    # an edit behind the program's back (the sqlite3 shell): a point more than the marks give
    with transaction(db) as conn:
        conn.execute(
            "UPDATE eval_figures SET total_c = total_c + 100, base_c = base_c + 100 WHERE eval_id = ?",
            (e.id,),
        )
    report = audit_evaluation(store, Path(), e.id)
    assert not report.ok
    assert any("total_c" in p for p in report.problems)
    # the total alone (what a SQL reader of the table would take)
    with transaction(db) as conn:
        conn.execute(
            "UPDATE eval_figures SET base_c = base_c - 100, total_c = total_c WHERE eval_id = ?", (e.id,)
        )
    report = audit_evaluation(store, Path(), e.id)
    assert [p for p in report.problems if "total_c" in p] and not [
        p for p in report.problems if "base_c" in p
    ]
    with transaction(db) as conn:
        conn.execute("DELETE FROM eval_figures WHERE eval_id = ?", (e.id,))
    assert not audit_evaluation(store, Path(), e.id).ok


def test_the_migration_backfills_by_recomputation(tmp_path: Path) -> None:
    """A folder of schema v8 (no kept figures) opened by this version: every evaluation's row is
    recomputed from its marks, signed ones with their lock's fixed figures."""
    from inspector.store.db import DB_NAME, MIGRATIONS, _connect, _m012_eval_figures, migrate

    folder = tmp_path / "data"
    folder.mkdir()
    conn = _connect(folder / DB_NAME)
    migrate(conn, "v8", 8)
    conn.close()
    # write evaluations with this version's code, then take the kept rows away and step back to v8
    db = open_database(folder)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    signed = store.create("sichuan-2017-inspection", org)
    for item in store.rubric("sichuan-2017-inspection", 1).items():
        store.record(signed.id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})
    store.record(signed.id, "4.1.1", {"problems": 2, "note": "两台设备故障"})
    store.sign(signed.id, [{"name": "张三", "role": "组长"}])
    draft = store.create("sichuan-2017-inspection", org)
    store.record(draft.id, "1.1.1", {"met": False, "note": "未见制度"})
    store.set_veto(draft.id, "V2", True, "伪造证书信息2份")
    expected = {r[0]: tuple(r[1:]) for r in db.conn.execute("SELECT * FROM eval_figures")}
    assert set(expected) == {signed.id, draft.id}
    db.conn.execute("DROP TABLE eval_figures")
    db.conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_m012_eval_figures)}")
    db.conn.close()
    again = open_database(folder)
    assert {r[0]: tuple(r[1:]) for r in again.conn.execute("SELECT * FROM eval_figures")} == expected


def _refused_by_the_engine(tmp_path: Path) -> tuple[EvaluationStore, str]:
    """A Sichuan inspection answered whole, then a mark for an item its pinned version lacks, as a
    folder written by an older program holds (a bundle's mark after a move to another version):
    the scoring engine refuses the marks as a whole."""
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    for item in store.rubric(e.rubric_id, e.rubric_version).items():
        store.record(e.id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})
    c = Laptop(e.id).change("9.9.9", {"met": True}, (), TIMES[0])
    with transaction(db) as conn:
        apply_change(conn, c, store.rubric, (None, None, 1))
    return store, e.id


def test_marks_the_engine_refuses_show_no_total_anywhere(tmp_path: Path) -> None:
    """The engine refuses the marks (the score sheet cannot be made): the kept figures, the desk's
    totals and the evaluation list show no total and no outcome, and say why; a mark on another item
    keeps it so; clearing the stray mark brings the engine's total back."""
    store, eval_id = _refused_by_the_engine(tmp_path)
    with pytest.raises(InspectorError) as refusal:
        store.report(eval_id)
    kept = figures.read(store.conn, eval_id)
    assert kept is not None and kept.refused is not None
    assert refusal.value.message in (refusal_text(kept.refused) or "")
    assert (kept.total_c, kept.outcome) == (0, None)
    e = store.get(eval_id)
    assert (e.answered, e.state) == (e.items, "complete")  # the form's items only: not 62 of 61
    t = store.totals([store.get(eval_id)])[eval_id]
    assert (t.total, t.outcome, t.refused) == (None, None, refusal_text(kept.refused))
    assert_kept(store, eval_id)
    store.record(eval_id, "4.1.1", {"problems": 1, "note": "一台设备故障"})  # still refused as a whole
    assert_kept(store, eval_id)
    assert not audit_evaluation(store, Path(), eval_id).ok  # the audit says so
    with pytest.raises(InspectorError):  # no new mark for an item the form lacks
        store.record(eval_id, "9.9.9", {"met": False})
    with pytest.raises(InspectorError):  # nor a clearing of one it never had
        store.record(eval_id, "8.8.8", None)
    store.record(eval_id, "9.9.9", None)  # the stray mark cleared: the one write it takes
    kept = figures.read(store.conn, eval_id)
    assert kept is not None and kept.refused is None and kept.total_c == 9900
    assert store.totals([store.get(eval_id)])[eval_id].total == store.report(eval_id).total
    assert_kept(store, eval_id)
    assert audit_evaluation(store, Path(), eval_id).ok


def test_the_v13_migration_recomputes_a_refused_evaluation(tmp_path: Path) -> None:
    """A v12 folder kept a sum of the heads for marks the engine refuses (figures.from_heads): the
    desk showed a total the score sheet refused. Opened by this version, the row shows none."""
    from inspector.store.db import MIGRATIONS, _m013_figures_refused_updated_at

    store, eval_id = _refused_by_the_engine(tmp_path)
    folder = tmp_path / "data"
    # as v12 kept it: the heads summed, an outcome from that sum, no refusal column
    with transaction(store.db) as conn:
        conn.execute(
            "UPDATE eval_figures SET total_c = 10000, base_c = 10000, outcome = 'pass' WHERE eval_id = ?",
            (eval_id,),
        )
    store.db.conn.execute("ALTER TABLE eval_figures DROP COLUMN refused")
    store.db.conn.execute("ALTER TABLE eval_figures DROP COLUMN updated_at")
    store.db.conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_m013_figures_refused_updated_at)}")
    store.db.conn.close()
    again = EvaluationStore(open_database(folder), "张三")
    t = again.totals([again.get(eval_id)])[eval_id]
    assert (t.total, t.outcome) == (None, None) and t.refused
    assert_kept(again, eval_id)


def _answered_whole(tmp_path: Path) -> tuple[EvaluationStore, str]:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    for item in store.rubric(e.rubric_id, e.rubric_version).items():
        store.record(e.id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})
    return store, e.id


NA = {"na": True, "reason": "无此情形"}  # 6.4.2: the Sichuan form gives it no such leave


def test_a_disallowed_mark_winning_a_conflict_shows_no_total(tmp_path: Path) -> None:
    """A team member's not-applicable on 6.4.2 (her program let it through) arrives beside this
    laptop's mark, later by the clock: it wins the conflict and its 2 points are the item's. The
    kept figures counted it; now they refuse the total as signing refuses it, and the refusal ends
    when the item is scored again, to the very same points."""
    store, eval_id = _answered_whole(tmp_path)
    assert figures.read(store.conn, eval_id).total_c == 10000  # type: ignore[union-attr]
    with transaction(store.db) as conn:
        apply_change(conn, Laptop(eval_id).change("6.4.2", NA, (), TIMES[1]), store.rubric)
    kept = figures.read(store.conn, eval_id)
    assert kept is not None and kept.refused is not None and "6.4.2" in kept.refused
    assert store.totals([store.get(eval_id)])[eval_id].total is None
    assert_kept(store, eval_id)
    store.record(eval_id, "6.4.2", {"met": True})  # resolves the conflict, same 2 points
    kept = figures.read(store.conn, eval_id)
    assert kept is not None and kept.refused is None and kept.total_c == 10000
    assert_kept(store, eval_id)


def test_a_disallowed_mark_brought_after_a_later_one_leaves_no_total_behind(tmp_path: Path) -> None:
    """The member's laptop replaced its own disallowed mark by a proper one; the bundle brings the
    proper one first (superseded path later): the figures follow whichever is current."""
    store, eval_id = _answered_whole(tmp_path)
    member = Laptop(eval_id)
    bad = member.change("6.4.2", NA, tuple(store._heads(store.conn, eval_id, "6.4.2")), TIMES[0])
    good = member.change("6.4.2", {"met": True}, (bad.id,), TIMES[1])
    with transaction(store.db) as conn:
        apply_change(conn, bad, store.rubric)
    assert figures.read(store.conn, eval_id).refused is not None  # type: ignore[union-attr]
    with transaction(store.db) as conn:
        apply_change(conn, good, store.rubric)
    assert figures.read(store.conn, eval_id).refused is None  # type: ignore[union-attr]
    assert_kept(store, eval_id)


def test_the_v14_migration_recomputes_a_disallowed_mark_kept_as_a_sum(tmp_path: Path) -> None:
    """A v13 folder kept the sum of a disallowed not-applicable (a total signing refused); opened by
    this version, the row shows no total, in signing's words, and no other row is rewritten."""
    from inspector.store.db import MIGRATIONS, _m014_figures_disallowed_marks

    store, eval_id = _answered_whole(tmp_path)
    other, _other_org = (
        store.create("sichuan-2017-inspection", add_org(store.db, "另一站", "51A002")["id"]),
        None,
    )
    with transaction(store.db) as conn:
        heads = store._heads(conn, eval_id, "6.4.2")
        apply_change(conn, store._change(conn, eval_id, "6.4.2", OBSERVE, NA, heads), store.rubric)
    refused = figures.read(store.conn, eval_id).refused  # type: ignore[union-attr]
    assert refused is not None
    with transaction(store.db) as conn:  # as v13 kept it: the heads' sum, an outcome from it
        conn.execute(
            "UPDATE eval_figures SET refused = NULL, total_c = 10000, base_c = 10000, outcome = 'pass',"
            " sections = ? WHERE eval_id = ?",
            (figures.computed(conn, eval_id, store.rubric).as_row()["sections"], eval_id),
        )
        conn.execute("UPDATE eval_figures SET updated_at = 'untouched' WHERE eval_id = ?", (other.id,))
    store.db.conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_m014_figures_disallowed_marks)}")
    store.db.conn.close()
    again = EvaluationStore(open_database(tmp_path / "data"), "张三")
    t = again.totals([again.get(eval_id)])[eval_id]
    assert (t.total, t.outcome, t.refused) == (None, None, refusal_text(refused))
    assert_kept(again, eval_id)
    assert figures.read(again.conn, other.id).updated_at == "untouched"  # type: ignore[union-attr]


def test_a_signed_result_stays_fixed_and_its_amendment_leaves_a_stray_mark_behind(tmp_path: Path) -> None:
    """A mark for an item the form lacks, found after signing (a folder written by an older program):
    the signed figures stay as fixed, flagged as differing; amending carried the stray mark and
    failed with a KeyError (a traceback); the revision now carries only what the form has."""
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    for item in store.rubric(e.rubric_id, e.rubric_version).items():
        store.record(e.id, item.id, {"met": True} if item.rule.kind != "tiers" else {"tier": 0})
    store.sign(e.id, [{"name": "张三", "role": "组长"}])
    with transaction(db) as conn:
        apply_change(
            conn, Laptop(e.id).change("9.9.9", {"met": True}, (), TIMES[1]), store.rubric, (None, None, 1)
        )
    t = store.totals([store.get(e.id)])[e.id]
    assert (t.total, t.outcome and t.outcome.code, t.signed, t.differs) == (100, "pass", True, True)
    assert_kept(store, e.id)
    new = store.amend(e.id, "复核修订")
    assert "9.9.9" not in store.current(new.id)
    assert store.report(new.id).total == 100
    assert_kept(store, new.id)


def test_figures_survive_a_refused_write(tmp_path: Path) -> None:
    """A write refused inside its transaction leaves the kept figures as they were (one transaction)."""
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    store.record(e.id, "4.1.1", {"problems": 1, "note": "一台设备故障"})
    before = figures.read(store.conn, e.id)
    c = store._change(
        store.conn,
        e.id,
        "4.1.1",
        OBSERVE,
        {"problems": 3, "note": "x"},
        tuple(heads_of(store, e.id, "4.1.1")),
    )
    with pytest.raises(sqlite3.IntegrityError), transaction(db) as conn:
        apply_change(conn, c, store.rubric)
        apply_change(conn, c, store.rubric)  # the same change twice: refused by the log's key
    assert figures.read(store.conn, e.id) == before


def _fresh(tmp_path: Path) -> tuple[EvaluationStore, str]:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    return store, add_org(db, "重庆市某评价机构", "50A001")["id"]


def _capped(store: EvaluationStore, cap: int, version: int) -> Rubric:
    """The Chongqing form under another id, its bonus section (two items of 2 points) capped at
    ``cap``: no shipped form caps a bonus below its items, nor has two versions that score apart."""
    text = (rubrics_dir() / "chongqing-2024-renewal.toml").read_text(encoding="utf-8")
    text = text.replace('id = "chongqing-2024-renewal"', 'id = "test-capped-bonus"', 1)
    text = re.sub(r"^version = \d+$", f"version = {version}", text, count=1, flags=re.M)
    rubric = parse_rubric_text(text.replace("points = 4\nbonus = true", f"points = {cap}\nbonus = true"), "t")
    store_rubric(store.db, rubric, "test")
    return rubric


def _bonus_met(store: EvaluationStore, eval_id: str, rubric: Rubric) -> None:
    for item in rubric.sections[-1].items():
        store.record(
            eval_id, item.id, {"met": True, "note": "所见"} if item.rule.kind == "met" else {"problems": 0}
        )


def test_a_bonus_section_is_capped_and_a_move_to_another_version_rescores(tmp_path: Path) -> None:
    """Bonus items worth more than their section: the kept bonus stops at the section's points, as
    the scoring engine's does; a move to a version with another cap recomputes the kept figures."""
    store, org = _fresh(tmp_path)
    one, two = _capped(store, 1, 2), _capped(store, 3, 3)
    e = store.create(one.id, org, rubric_version=one.version)
    _bonus_met(store, e.id, one)
    kept = figures.read(store.conn, e.id)
    assert kept is not None and kept.bonus_c == 100 and kept.sections["4"] == 400
    assert_kept(store, e.id)
    store.move_to_version(e.id, two.version, "改用新版")
    kept = figures.read(store.conn, e.id)
    assert kept is not None and kept.bonus_c == 300
    assert_kept(store, e.id)


def test_a_mark_rewrites_no_evaluations_row_and_runs_few_statements(tmp_path: Path) -> None:
    """Issue 18 P2: a durable mark keeps the latest change's time with the figures (schema v13), so
    the evaluations row is not rewritten, and reads the evaluation, its figures, the chain's tip and
    the item's heads in one query and moves the item's one head row in one UPDATE: seven statements
    from BEGIN to COMMIT for a mark that moves the figures, without a conflict (fifteen, then eleven
    before)."""
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create("sichuan-2017-inspection", org)
    row = tuple(db.conn.execute("SELECT * FROM evaluations WHERE id = ?", (e.id,)).fetchone())
    store.record(e.id, "4.1.1", {"problems": 1, "note": "一台设备故障"})
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        c = store.record(e.id, "4.1.1", {"problems": 2, "note": "两台设备故障"})
    finally:
        db.conn.set_trace_callback(None)
    assert len(seen) <= 7, seen
    assert not [s for s in seen if s.startswith("UPDATE evaluations")]
    assert tuple(db.conn.execute("SELECT * FROM evaluations WHERE id = ?", (e.id,)).fetchone()) == row
    assert store.get(e.id).updated_at == c.wall_time
    assert_kept(store, e.id)


def test_the_v13_migration_keeps_each_evaluations_latest_change_time(tmp_path: Path) -> None:
    """A schema v12 folder opened by this version: each figures row gets the latest wall time of its
    evaluation's changes (what evaluations.updated_at held), and the list's order is unchanged."""
    import shutil

    from inspector.store.db import DB_NAME

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "schema-v12.sqlite3", folder / DB_NAME)
    raw = sqlite3.connect(folder / DB_NAME)
    before = dict(raw.execute("SELECT id, updated_at FROM evaluations").fetchall())
    raw.close()
    assert before
    db = open_database(folder)
    latest = dict(db.conn.execute("SELECT eval_id, MAX(wall_time) FROM changes GROUP BY eval_id").fetchall())
    kept = dict(db.conn.execute("SELECT eval_id, updated_at FROM eval_figures").fetchall())
    assert kept == latest == before
    store = EvaluationStore(db, "张三")
    for eval_id in before:
        assert store.get(eval_id).updated_at == before[eval_id]
        assert audit_evaluation(store, Path(), eval_id).ok


def test_the_kept_refusal_is_in_parts_and_said_in_the_readers_language(tmp_path: Path) -> None:
    """The kept figures' refusal holds its parts (the items, the kind, the form's clause), never the
    words of the process that computed it: an English-run process writes it, a Chinese desk reads
    it in Chinese, and the other way round; signing's words and the kept ones agree in either."""
    import json

    store, eval_id = _answered_whole(tmp_path)
    was = language()
    try:
        set_language("en")
        with transaction(store.db) as conn:  # a team member's not-applicable, applied in English
            heads = store._heads(conn, eval_id, "6.4.2")
            apply_change(conn, store._change(conn, eval_id, "6.4.2", OBSERVE, NA, heads), store.rubric)
        kept = figures.read(store.conn, eval_id)
        assert kept is not None and kept.refused is not None
        parts = json.loads(kept.refused)
        assert parts["refusal"] == "disallowed" and [i["id"] for i in parts["items"]] == ["6.4.2"]
        assert parts["items"][0]["kind"] == "na" and "cannot" not in kept.refused  # no words of either
        english = store.totals([store.get(eval_id)])[eval_id].refused
        assert english == disallowed(store.report(eval_id)) and "6.4.2" in english
        assert "评估表不允许" not in english
        set_language("zh")
        chinese = store.totals([store.get(eval_id)])[eval_id].refused
        assert chinese == disallowed(store.report(eval_id))
        assert chinese is not None and chinese.startswith("以下小项的记录评估表不允许") and "6.4.2" in chinese
        # the parts are the same whichever language computes them: the audit finds no difference
        assert figures.differences(kept, figures.scored(store.conn, eval_id, store.rubric)) == []
    finally:
        set_language(was)


def test_the_v15_migration_puts_a_worded_refusal_into_parts(tmp_path: Path) -> None:
    """A v14 folder kept a refusal in the words of the process that computed it (here English, read
    by a Chinese desk): opened by this version, the row holds its parts and reads in Chinese; a row
    that was not refused is not rewritten."""
    from inspector.store.db import MIGRATIONS, _m015_figures_refusal_parts

    store, eval_id = _refused_by_the_engine(tmp_path)
    other = store.create("sichuan-2017-inspection", add_org(store.db, "另一站", "51A002")["id"])
    with transaction(store.db) as conn:  # as v14 kept it, written by an English-run process
        conn.execute(
            "UPDATE eval_figures SET refused = ? WHERE eval_id = ?",
            ("9.9.9: Rubric sichuan-2017-inspection has no such item", eval_id),
        )
        conn.execute("UPDATE eval_figures SET updated_at = 'untouched' WHERE eval_id = ?", (other.id,))
    assert refusal_text("9.9.9: Rubric x has no such item") == "9.9.9: Rubric x has no such item"  # readable
    store.db.conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_m015_figures_refusal_parts)}")
    store.db.conn.close()
    again = EvaluationStore(open_database(tmp_path / "data"), "张三")
    kept = figures.read(again.conn, eval_id)
    assert kept is not None and kept.refused is not None and kept.refused.startswith('{"items":["9.9.9"]')
    t = again.totals([again.get(eval_id)])[eval_id]
    assert t.total is None and t.refused == "9.9.9：评估表 sichuan-2017-inspection 没有这个小项"
    assert_kept(again, eval_id)
    assert figures.read(again.conn, other.id).updated_at == "untouched"  # type: ignore[union-attr]

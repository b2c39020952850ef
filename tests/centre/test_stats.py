"""Statistics on the demo data: failing requirements, score distributions, by region/category/year."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils

from inspector.centre.stats import counted_evaluations, statistics
from inspector.centre.workbooks import export_stats
from inspector.store.evaluations import EvaluationStore
from tests.centre_support import copy_folder, demo_folder

SICHUAN = "sichuan-2017-inspection"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def db(demo: Path, tmp_path: Path) -> sqlite_utils.Database:
    return copy_folder(demo, tmp_path / "data")


def test_which_evaluations_count(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db)
    signed = counted_evaluations(store)
    # the failed 自贡 inspection and the three new stations'; never a self-assessment
    assert len(signed) == 4 and all(e.kind != "self" and e.state == "signed" for e in signed)
    everything = counted_evaluations(store, signed_only=False)
    assert len(everything) > len(signed) and all(e.kind != "self" for e in everything)
    assert counted_evaluations(store, rubric_id="chongqing-2024-renewal") == []
    assert counted_evaluations(store, year=2025) == []


def test_an_amendment_replaces_its_revision_once_it_counts(db: sqlite_utils.Database) -> None:
    store = EvaluationStore(db, "中心")
    old = counted_evaluations(store)[0]
    new = store.amend(old.id, "更正笔误")
    assert old.id in {e.id for e in counted_evaluations(store)}  # the amendment is not signed yet
    store.sign(new.id, [{"name": "张建国", "role": "组长"}])
    ids = {e.id for e in counted_evaluations(store)}
    assert new.id in ids and old.id not in ids


def test_requirements_that_fail_most(db: sqlite_utils.Database) -> None:
    s = statistics(db, rubric_id=SICHUAN)
    assert s.evaluations == 4
    by_id = {i.item_id: i for i in s.items}
    # 4.1.1 lost a point at 乐山 and at 德阳 (one problem each), and wherever the demo found problems
    assert by_id["4.1.1"].failed >= 2 and by_id["4.1.1"].evaluated == 4
    assert by_id["4.1.1"].text.startswith("设备设施符合")
    ranked = [(i.failed, i.rate) for i in s.items]
    assert ranked == sorted(ranked, key=lambda x: (-x[0], -x[1]))
    top = s.items[0]
    assert top.rate == Decimal(top.failed) / top.evaluated
    assert all(i.points_lost > 0 for i in s.items if i.failed) and all(
        i.failed == 0 for i in s.items if not i.points_lost
    )
    assert s.vetoes == []
    with_unsigned = statistics(db, rubric_id=SICHUAN, signed_only=False)
    assert [(v.veto_id, v.text, v.count) for v in with_unsigned.vetoes] == [("V3", "超范围鉴定", 1)]


def test_score_distribution(db: sqlite_utils.Database) -> None:
    (d,) = statistics(db, rubric_id=SICHUAN).distributions
    assert d.count == 4 and sum(n for _label, n in d.bins) == 4
    assert [label for label, _n in d.bins][:2] == ["0–10", "10–20"] and d.bins[-1][0] == "90–100"
    assert dict(d.bins)["90–100"] == 2  # 乐山 99, 德阳 95
    assert d.maximum == 99 and d.minimum is not None and d.mean is not None and d.median is not None
    assert d.minimum <= d.median <= d.maximum


def test_by_region_category_and_year(db: sqlite_utils.Database) -> None:
    s = statistics(db, rubric_id=SICHUAN)
    regions = {g.value: g for g in s.by("region")}
    assert set(regions) == {"乐山市", "德阳市", "宜宾市", "自贡市"}
    assert (regions["乐山市"].evaluations, regions["乐山市"].mean, regions["乐山市"].passed) == (
        1,
        Decimal(99),
        1,
    )
    assert regions["自贡市"].passed == 0 and regions["自贡市"].pass_rate == 0
    categories = {g.value: g.evaluations for g in s.by("category")}
    assert categories == {"A": 1, "C": 1, "G": 2}
    (year,) = s.by("year")
    assert (year.value, year.evaluations, year.passed) == ("2026", 4, 3) and year.pass_rate == Decimal("0.75")
    j = s.as_json()
    assert set(j) == {
        "scope",
        "evaluations",
        "items",
        "vetoes",
        "distributions",
        "by_region",
        "by_category",
        "by_year",
        "reviews",  # 重庆 三（二）1: reviews without a score, counted apart
    }
    assert j["reviews"] == []


def test_statistics_workbook(db: sqlite_utils.Database, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    counts = export_stats(statistics(db), out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["失分项排行", "否决情况", "分数分布", "按地区", "按类别", "按年度"]
    assert counts["分数分布"] == 10 and counts["按年度"] == 1
    ws = wb["按地区"]
    assert (
        ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:G5" and ws.page_setup.orientation == "landscape"
    )


def test_an_evaluation_the_engine_refuses_has_no_figure_in_the_statistics_nor_on_the_desk(
    db: sqlite_utils.Database,
) -> None:
    """A complete unsigned inspection holding a mark for an item its form lacks (a folder written by
    an older program): its score sheet is refused, so the statistics leave it out (they counted it,
    every item at full points, and its summed total) and the desk shows no total and no outcome."""
    from inspector.centre.results import plan_results
    from inspector.errors import InspectorError
    from inspector.store.changes import GENESIS, OBSERVE, Change
    from inspector.store.db import transaction
    from inspector.store.log import apply_change

    store = EvaluationStore(db, "中心")
    before = statistics(db, rubric_id=SICHUAN, signed_only=False)
    complete = next(
        e for e in store.list_evaluations("complete") if e.rubric_id == SICHUAN and e.kind == "inspection"
    )
    stray = Change(
        id="f" * 32, eval_id=complete.id, item_id="9.9.9", kind=OBSERVE, payload={"met": True}, parents=(),
        author="李四", device_id="e" * 32, device_seq=1, wall_time="2026-11-19T10:00:00.000+08:00",
        prev_hash=GENESIS,
    ).sealed()  # fmt: skip
    with transaction(db) as conn:
        apply_change(conn, stray, store.rubric, (None, None, 1))
    with pytest.raises(InspectorError, match=r"9\.9\.9"):
        store.report(complete.id)
    after = statistics(db, rubric_id=SICHUAN, signed_only=False)
    assert after.evaluations == before.evaluations - 1
    assert after.distributions[0].count == before.distributions[0].count - 1
    evaluated = {i.item_id: i.evaluated for i in after.items}
    assert all(evaluated[i.item_id] == i.evaluated - 1 for i in before.items)
    plans = [
        r[0] for r in db.conn.execute("SELECT plan_id FROM plan_targets WHERE eval_id = ?", (complete.id,))
    ]
    assert plans, "the demo links its complete inspection to a plan"
    row = next(t for t in plan_results(db, plans[0]).targets if t.eval_id == complete.id)
    assert (row.total, row.outcome_code) == (None, None)


def test_a_mark_the_form_disallows_has_no_figure_in_the_statistics_nor_on_the_desk(
    db: sqlite_utils.Database,
) -> None:
    """A complete unsigned inspection with a team member's not-applicable on 6.4.2 (the Sichuan form
    gives that item no such leave; her bundle brought it): signing refuses it, so the statistics
    leave it out and the desk shows no total and no outcome but signing's reason (they showed its
    sum, 6.4.2 at full points)."""
    from inspector.centre.results import plan_results
    from inspector.rubric.scoring import disallowed
    from inspector.store.changes import OBSERVE
    from inspector.store.db import transaction
    from inspector.store.log import apply_change

    store = EvaluationStore(db, "中心")
    before = statistics(db, rubric_id=SICHUAN, signed_only=False)
    complete = next(
        e for e in store.list_evaluations("complete") if e.rubric_id == SICHUAN and e.kind == "inspection"
    )
    with transaction(db) as conn:
        heads = store._heads(conn, complete.id, "6.4.2")
        na = store._change(conn, complete.id, "6.4.2", OBSERVE, {"na": True, "reason": "无此情形"}, heads)
        apply_change(conn, na, store.rubric)
    why = disallowed(store.report(complete.id))
    assert why is not None and "6.4.2" in why
    after = statistics(db, rubric_id=SICHUAN, signed_only=False)
    assert after.evaluations == before.evaluations - 1
    assert after.distributions[0].count == before.distributions[0].count - 1
    plans = [
        r[0] for r in db.conn.execute("SELECT plan_id FROM plan_targets WHERE eval_id = ?", (complete.id,))
    ]
    row = next(t for t in plan_results(db, plans[0]).targets if t.eval_id == complete.id)
    assert (row.total, row.outcome_code) == (None, None)
    assert store.totals([store.get(complete.id)])[complete.id].refused == why

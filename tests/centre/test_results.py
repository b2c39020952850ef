"""The results desk on the demo data (fill_demo + fill_centre_demo), seen on 2026-11-22."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils

from inspector.centre.demo import fill_centre_demo
from inspector.centre.plans import add_target, list_plans, run_dispatch
from inspector.centre.rectifications import (
    add_months,
    close_rectification,
    list_rectifications,
    open_rectification,
)
from inspector.centre.results import PlanResults, plan_results
from inspector.centre.workbooks import export_results
from inspector.errors import StoreError, UsageError
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org, list_orgs
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import copy_folder, demo_folder, new_db

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


@pytest.fixture
def db(demo: Path, tmp_path: Path) -> sqlite_utils.Database:
    return copy_folder(demo, tmp_path / "data")


def _plan(db: sqlite_utils.Database, half: str) -> str:
    return next(p.id for p in list_plans(db) if half in p.title)


def _by_name(res: PlanResults) -> dict[str, object]:
    return {t.org_name[:4]: t for t in res.targets}


def test_every_targets_state_score_and_outcome(db: sqlite_utils.Database) -> None:
    res = plan_results(db, _plan(db, "下半年"), on=TODAY)
    assert res.as_json()["counts"] == {"signed": 3, "complete": 2, "draft": 1, "dispatched": 1}
    rows = {t.org_name: t for t in res.targets}
    leshan = rows["乐山市技师学院职业技能鉴定所"]
    assert (leshan.state, leshan.total, leshan.outcome_code, leshan.outcome_label) == (
        "signed",
        Decimal(99),
        "pass",
        "合格",
    )
    assert len(leshan.team) == 3 and len(leshan.team_names) == 3 and leshan.record_due is None
    changhong = rows["四川长虹电器股份有限公司职业技能鉴定站"]
    assert changhong.state == "complete" and changhong.vetoes == ("V3",) and changhong.outcome_code == "fail"
    mianyang = rows["绵阳职业技术学院职业技能鉴定站"]
    assert mianyang.state == "draft" and mianyang.outcome_code is None and mianyang.total is not None
    luzhou = rows["泸州市职业技能鉴定站"]  # a Sichuan station in the Sichuan plan (was Zhengzhou's)
    assert (luzhou.state, luzhou.eval_id, luzhou.total) == ("dispatched", None, None)
    # Sichuan's notice sets no record deadline (Fujian's 5 working days are not its rule)
    assert luzhou.visit_date == "2026-12-03" and luzhou.record_due is None


def test_an_evaluation_not_yet_begun_has_no_score(db: sqlite_utils.Database) -> None:
    """泸州 is dispatched; its evaluation opened with no answer yet is 待开始 with —, not 0（暂）."""
    from inspector.centre.plans import start_evaluation

    plan = _plan(db, "下半年")
    luzhou = next(o for o in list_orgs(db) if o["name"].startswith("泸州市职业技能鉴定站"))
    e = start_evaluation(db, plan, luzhou["id"])
    row = {t.org_name: t for t in plan_results(db, plan, on=TODAY).targets}["泸州市职业技能鉴定站"]
    assert (row.eval_id, row.state, row.total, row.outcome_code) == (e.id, "draft", None, None)


def test_self_assessment_differences(db: sqlite_utils.Database) -> None:
    res = plan_results(db, _plan(db, "下半年"), on=TODAY)
    rows = {t.org_name: t for t in res.targets}
    yibin = rows["宜宾职业技术学院职业技能鉴定站"]
    assert yibin.self_total is not None and yibin.total is not None and yibin.self_difference is not None
    # self minus inspection over the items both answered: here every item, so the totals' difference
    assert yibin.self_difference == yibin.self_total - yibin.total > 0
    mine = [d for d in res.differences if d.org_id == yibin.org_id]
    assert len(mine) == yibin.differing_items > 0
    assert sum((d.difference for d in mine), Decimal(0)) == yibin.self_difference
    assert all(d.item_text and d.difference == d.self_points - d.inspection_points for d in mine)
    assert rows["乐山市技师学院职业技能鉴定所"].self_eval_id is None


def test_spot_recheck_is_seeded(db: sqlite_utils.Database) -> None:
    plan = _plan(db, "下半年")
    signed = {t.org_id for t in plan_results(db, plan, on=TODAY).targets if t.state == "signed"}
    picks = {}
    for seed in ("a", "b", "c", "d", "e", "f"):
        one = plan_results(db, plan, on=TODAY, recheck_seed=seed, recheck_share=Decimal("0.5"))
        again = plan_results(db, plan, on=TODAY, recheck_seed=seed, recheck_share=Decimal("0.5"))
        assert one.recheck == again.recheck
        drawn = [r.org_id for r in one.recheck if r.reason == "random"]
        assert len(drawn) == 2 and set(drawn) <= signed
        picks[seed] = tuple(drawn)
        flagged = [r for r in one.recheck if r.reason == "difference"]
        assert all(r.org_id not in drawn for r in flagged)
    assert len(set(picks.values())) > 1
    default = plan_results(db, plan, on=TODAY)
    assert default.recheck_seed == plan
    assert [r.reason for r in default.recheck].count("random") == 1  # 10 % of 3, rounded up
    # 宜宾 rated itself 14 points above the inspection: always on the list
    assert any(r.org_name.startswith("宜宾") for r in default.recheck)
    with pytest.raises(UsageError):
        plan_results(db, plan, on=TODAY, recheck_share=Decimal("1.5"))


def test_demonstration_recommendations(db: sqlite_utils.Database) -> None:
    # 示范推荐 is Henan's (2011 二), not Sichuan's: no list on a Sichuan plan, and no invented 90 % bar
    plan = _plan(db, "下半年")
    assert plan_results(db, plan, on=TODAY).demonstration == []


def test_public_announcement(db: sqlite_utils.Database) -> None:
    res = plan_results(db, _plan(db, "下半年"), on=TODAY)
    assert {a.org_name[:2] for a in res.announcement} == {"乐山", "德阳", "宜宾"}
    assert all(a.outcome_label == "合格" and a.scope and "（" in a.scope for a in res.announcement)
    assert "total" not in res.announcement[0].as_json()  # scores are not published


def test_a_sichuan_plan_carries_no_fujian_record_deadline(db: sqlite_utils.Database) -> None:
    # 川人社函〔2017〕297号 sets no record deadline; 福建办法 第三章七's 5 working days belong to Fujian
    # 外督 after 日常督导. The demo's Sichuan plan was shown 32 working days late before rulebooks.
    plan = _plan(db, "下半年")
    assert plan_results(db, plan, on=date(2026, 12, 31)).overdue == []


def test_overdue_supervision_records_under_fujians_rule(db: sqlite_utils.Database) -> None:
    # 福建办法 第三章七 "外督应在日常督导工作结束后5个工作日向委派机构提交督导情况记录表"
    orgs = [r[0] for r in db.conn.execute("SELECT id FROM orgs ORDER BY id")][:2]
    plan = new_plan(
        db, "fujian-2021-supervision-record", "福建日常督导", "routine", rulebook="fujian-2021-supervision"
    )
    add_target(db, plan.id, orgs[0], "2026-11-20")  # a Friday: due Friday 11-27
    add_target(db, plan.id, orgs[1], "2026-11-19")
    run_dispatch(db, plan.id, team_size=1, seed="fj")
    assert {o.record_due for o in plan_results(db, plan.id, on=date(2026, 11, 28)).overdue} == {
        "2026-11-27",
        "2026-11-26",
    }
    assert [o.record_due for o in plan_results(db, plan.id, on=date(2026, 11, 27)).overdue] == ["2026-11-26"]
    (late,) = plan_results(db, plan.id, on=date(2026, 11, 27)).overdue
    assert late.working_days_late == 1


def test_rectification_tracking(db: sqlite_utils.Database) -> None:
    first = plan_results(db, _plan(db, "上半年"), on=TODAY)
    (row,) = first.rectifications
    assert (row.state, row.notice_sent, row.deadline, row.recheck_state) == (
        "rechecking",
        "2026-05-19",
        "2026-11-19",
        "draft",
    )
    assert row.days_left == -3 and row.recheck_total is not None
    assert first.targets[0].rectification == "rechecking"
    with pytest.raises(StoreError, match="已签署的复评"):
        close_rectification(db, row.id or "", result="passed", closed_on="2026-11-22")
    close_rectification(db, row.id or "", result="failed", closed_on="2026-11-22", note="逾期未完成整改")
    assert plan_results(db, _plan(db, "上半年"), on=TODAY).rectifications[0].state == "closed"


def test_a_failed_signed_evaluation_awaits_its_notice(db: sqlite_utils.Database) -> None:
    plan = _plan(db, "下半年")
    store = EvaluationStore(db, "中心")
    changhong = next(t for t in plan_results(db, plan, on=TODAY).targets if t.org_name.startswith("四川长虹"))
    assert changhong.eval_id is not None
    store.sign(changhong.eval_id, [{"name": "张建国", "role": "组长"}])
    res = plan_results(db, plan, on=TODAY)
    assert [(r.org_name[:4], r.state) for r in res.rectifications] == [("四川长虹", "notice_due")]
    assert not any(a.org_name.startswith("四川长虹") for a in res.demonstration)
    rect = open_rectification(db, changhong.eval_id, notice_sent="2026-11-23", working_days=20, plan_id=plan)
    assert rect.deadline == date(2026, 12, 21)
    res = plan_results(db, plan, on=TODAY)
    assert [r.state for r in res.rectifications] == ["open"]
    assert plan_results(db, plan, on=date(2026, 12, 22)).rectifications[0].state == "overdue"
    assert list_rectifications(db, {changhong.eval_id})[0].id == rect.id


def test_rectification_deadlines() -> None:
    assert add_months(date(2026, 5, 19), 6) == date(2026, 11, 19)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_opening_a_rectification_is_checked(db: sqlite_utils.Database) -> None:
    unsigned = next(e for e in EvaluationStore(db).list_evaluations("draft"))
    with pytest.raises(StoreError, match="已签署"):
        open_rectification(db, unsigned.id, notice_sent="2026-11-23", months=6)
    signed = EvaluationStore(db).list_evaluations("signed")[0]
    with pytest.raises(UsageError, match="三者选一"):
        open_rectification(db, signed.id, notice_sent="2026-11-23")
    with pytest.raises(UsageError, match="早于通知日期"):
        open_rectification(db, signed.id, notice_sent="2026-11-23", deadline="2026-11-01")


def test_results_as_json_and_workbook(db: sqlite_utils.Database, tmp_path: Path) -> None:
    res = plan_results(db, _plan(db, "下半年"), on=TODAY)
    j = res.as_json()
    assert set(j) == {
        "plan", "today", "counts", "targets", "differences", "recheck_seed", "recheck",
        "rectifications", "demonstration", "announcement", "overdue",
    }  # fmt: skip
    keys = {"org", "org_name", "date", "team", "record_due", "eval", "state", "total", "outcome", "vetoes"}
    assert keys | {"self_total", "self_difference", "rectification", "record_overdue"} <= set(j["targets"][0])
    out = tmp_path / "results.xlsx"
    counts = export_results(res, out)
    assert counts["结果汇总"] == 7 and counts["逾期督导记录"] == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["结果汇总"]
    # four applicant columns (重庆 三（二）), then whose self-assessment figures (issue 19)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:V8"
    # issue 19: whose self-assessment figures (宜宾's was typed in at the centre; 乐山 has none)
    sources = {ws[f"A{r}"].value: ws[f"V{r}"].value for r in range(2, 9)}
    assert ws["V1"].value == "自评来源" and sources["乐山市技师学院职业技能鉴定所"] is None
    assert sources["宜宾职业技术学院职业技能鉴定站"] == "中心录入"
    assert {c.value for c in wb["自评差异"]["G"][1:]} == {"中心录入"}
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$1:$1" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["A"].width == 34 and ws["A1"].font.b
    assert ws["A2"].value == "乐山市技师学院职业技能鉴定所" and ws["I2"].value == 99
    assert wb.sheetnames == [
        "结果汇总",
        "自评差异",
        "抽查复核",
        "整改跟踪",
        "示范推荐",
        "公告名单",
        "逾期督导记录",
    ]


def test_the_centre_demo_fills_once_and_only_its_own_folder(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    people = db.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    again = fill_centre_demo(db)
    assert not again.created and again.people == people == 12 and again.plans == 2
    assert db.conn.execute("SELECT COUNT(*) FROM dispatches").fetchone()[0] == 1
    mine = new_db(tmp_path / "mine")
    add_org(mine, "用户自己的鉴定站", "OWN-1")
    assert not fill_centre_demo(mine).created
    assert mine.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0
    assert [o["code"] for o in list_orgs(mine)] == ["OWN-1"]


def test_register_text_is_read_as_loads_reads_it() -> None:
    """The desk reads each station's register text with the decoder's scanner itself (issue 18 S3);
    whatever it does not take whole goes through loads: the same values, the same refusals."""
    from inspector.centre.results import _register_fields
    from inspector.store.changes import loads

    for text in ('{"region":"成都","staff":[{"n":1.50}]}', ' {"a": 2.5} ', '{"a":1}\n', "{}", "[]", '"x"'):
        assert _register_fields(text) == loads(text)
        assert repr(_register_fields(text)) == repr(loads(text))  # Decimal stays Decimal
    for bad in ("", "{", '{"a":1} x', "nope"):
        with pytest.raises(ValueError):
            loads(bad)
        with pytest.raises(ValueError):
            _register_fields(bad)


def test_the_desk_reads_a_plans_candidates_from_the_v16_index(db: sqlite_utils.Database) -> None:
    """Issue 18 S3: a target's candidates are found and read from evaluations_by_target alone (not
    every evaluation of the organisation looked up in the table), the revisions and the self-assessed
    organisations through their indexes, not a scan of the store; the page cache is given back."""
    import sqlite3

    from inspector.centre.plans import get_plan
    from inspector.centre.results import _candidates, page_cache

    conn = db.conn
    if not isinstance(conn, sqlite3.Connection):  # the server: the indexes made, no page cache to size
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'evaluations'")
        found = {r[0] for r in rows}
        assert {"evaluations_by_target", "evaluations_by_previous", "evaluations_by_kind"} <= found
        with page_cache(conn):
            assert plan_results(db, list_plans(db)[0].id).targets
        return
    plans = list_plans(db)
    for p in plans:
        sql, params = _candidates(get_plan(db, p.id))
        steps = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING COVERING INDEX evaluations_by_target" in steps, steps
    for sql, index in (
        ("SELECT previous_id, id FROM evaluations WHERE previous_id >= ''", "evaluations_by_previous"),
        ("SELECT DISTINCT org_id FROM evaluations WHERE kind = 'self'", "evaluations_by_kind"),
    ):
        steps = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert index in steps and "SCAN" not in steps, steps
    size = conn.execute("PRAGMA cache_size").fetchone()[0]
    with page_cache(conn):
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -8192
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == size

"""重庆 延续备案通知 三（二）: the split by applicant type, each test citing its clause.

1 "人力社保部门收到用人单位评价机构申报材料后，10个工作日内提出审核意见，向符合延续备案条件的，出具延续
  备案回执。" — reviewed, not scored.
2 "人力社保部门收到技工院校、社评组织申报材料后，按照……评估表（附件3）要求……在收到申报材料起20个工作日内
  分别作出处理" — scored.
Periods: the day of receipt not counted (民法典第二百零一条); "以内" includes the last day
(第一千二百五十九条).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils

from inspector.centre.plans import add_target, link_evaluation, new_plan, start_evaluation
from inspector.centre.register import get_register, import_register, set_register
from inspector.centre.results import plan_results
from inspector.centre.reviews import record_review
from inspector.centre.stats import statistics
from inspector.centre.workbooks import export_register, export_results, export_stats
from inspector.errors import UsageError
from inspector.store.demo import _fill
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.centre_support import new_db

CQ = "chongqing-2024-renewal"
RECEIVED = "2026-09-25"  # a Friday before the 2026 National Day holiday (10月1日–7日; 10月10日 上班)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return new_db(tmp_path / "data")


def applicant(db: sqlite_utils.Database, name: str, kind: str | None) -> str:
    org = add_org(db, name)["id"]
    fields = {"application_received": RECEIVED}
    if kind is not None:
        fields["applicant_type"] = kind
    set_register(db, org, fields)
    return org


def scored(db: sqlite_utils.Database, org: str) -> str:
    store = EvaluationStore(db, "张建国")
    e = store.create(CQ, org, "inspection", visit_date="2026-10-09")
    _fill(store, e.id, store.rubric(CQ, e.rubric_version), random.Random(3), 0.97)
    store.sign(e.id, [{"name": "张建国", "role": "组长"}])
    return e.id


def test_an_employer_is_reviewed_not_scored_and_its_outcome_is_the_review(db: sqlite_utils.Database) -> None:
    employer = applicant(db, "重庆某集团公司", "用人单位")
    school = applicant(db, "重庆某技师学院", "技工院校")
    plan = new_plan(db, CQ, "2026年延续备案", "routine")
    for org in (employer, school):
        add_target(db, plan.id, org, None)
    # no score for an employer, by either way in
    with pytest.raises(UsageError, match="只审核、不评分"):
        start_evaluation(db, plan.id, employer)
    with pytest.raises(UsageError, match="只审核、不评分"):
        link_evaluation(db, plan.id, employer, scored(db, employer))
    # and no review for a scored type
    with pytest.raises(UsageError, match="须评分"):
        record_review(db, plan.id, school, "eligible")
    with pytest.raises(UsageError, match="理由"):  # a refusal owes the applicant its reason
        record_review(db, plan.id, employer, "ineligible", "  ")
    rows = {t.org_id: t for t in plan_results(db, plan.id, on=dt.date(2026, 10, 15)).targets}
    assert rows[employer].review_only and rows[employer].outcome_code is None
    assert rows[employer].total is None  # the signed evaluation above is not its result
    review = record_review(db, plan.id, employer, "eligible", "申报材料齐全", "2026-10-12", "审核员")
    assert review.label == "符合延续备案条件"
    res = plan_results(db, plan.id, on=dt.date(2026, 10, 20))
    row = {t.org_id: t for t in res.targets}[employer]
    assert (row.state, row.total, row.max_points) == ("reviewed", None, None)
    assert (row.outcome_code, row.outcome_label) == ("eligible", "符合延续备案条件")
    assert row.as_json()["outcome"] == {"code": "eligible", "label": "符合延续备案条件"}
    assert row.review_opinion == "申报材料齐全" and not row.decision_overdue
    assert row.eval_id is None and all(r.org_id != employer for r in res.recheck)
    # a correction is a new row: the latest counts
    record_review(db, plan.id, employer, "ineligible", "法人资格证书已过期", "2026-10-13")
    row = {t.org_id: t for t in plan_results(db, plan.id).targets}[employer]
    assert (row.outcome_code, row.outcome_label) == ("ineligible", "不符合延续备案条件")


def test_the_deadline_follows_the_type_ten_or_twenty_working_days_from_receipt(
    db: sqlite_utils.Database,
) -> None:
    employer = applicant(db, "重庆某集团公司", "employer")
    school = applicant(db, "重庆某技师学院", "技工院校")
    social = applicant(db, "某社会培训评价组织", "社评组织")
    unknown = applicant(db, "类型未登记的机构", None)
    plan = new_plan(db, CQ, "2026年延续备案", "routine")
    for org in (employer, school, social, unknown):
        add_target(db, plan.id, org, None)
    # received Fri 25 Sep (not counted): 28, 29, 30 Sep, 8, 9, 10 (调休上班), 12, 13, 14, 15 Oct → 15 Oct
    on_time = {t.org_id: t for t in plan_results(db, plan.id, on=dt.date(2026, 10, 15)).targets}
    assert on_time[employer].decision_due == "2026-10-15" and not on_time[employer].decision_overdue
    assert on_time[school].decision_due == on_time[social].decision_due == "2026-10-29"
    assert on_time[unknown].decision_due is None  # no type: no period presumed
    late = {t.org_id: t for t in plan_results(db, plan.id, on=dt.date(2026, 10, 16)).targets}
    assert late[employer].decision_overdue and not late[school].decision_overdue
    late = {t.org_id: t for t in plan_results(db, plan.id, on=dt.date(2026, 10, 30)).targets}
    assert late[school].decision_overdue  # not yet signed on the day after the 20th
    link_evaluation(db, plan.id, school, scored(db, school))
    done = {t.org_id: t for t in plan_results(db, plan.id, on=dt.date(2026, 10, 30)).targets}
    assert not done[school].decision_overdue and done[school].total is not None
    assert done[school].outcome_code is not None  # scored: the form's own bands


def test_a_plan_whose_rulebook_has_no_split_scores_every_type(db: sqlite_utils.Database) -> None:
    employer = applicant(db, "四川某企业鉴定站", "用人单位")
    plan = new_plan(db, "sichuan-2017-inspection", "四川检查评估", "routine")
    add_target(db, plan.id, employer, None)
    with pytest.raises(UsageError, match="没有"):
        record_review(db, plan.id, employer, "eligible")
    (row,) = plan_results(db, plan.id).targets
    assert not row.review_only and row.decision_due is None


def test_reviews_in_stats_and_workbooks_apart_from_scores(db: sqlite_utils.Database, tmp_path: Path) -> None:
    employer = applicant(db, "重庆某集团公司", "用人单位")
    school = applicant(db, "重庆某技师学院", "技工院校")
    plan = new_plan(db, CQ, "2026年延续备案", "routine")
    for org in (employer, school):
        add_target(db, plan.id, org, None)
    link_evaluation(db, plan.id, school, scored(db, school))
    record_review(db, plan.id, employer, "eligible", "申报材料齐全", "2026-10-12")
    scored(db, employer)  # a figure made outside the plan is no score of an employer either
    s = statistics(db, rubric_id=CQ)
    assert s.evaluations == 1 and sum(n for _label, n in s.distributions[0].bins) == 1  # the school only
    assert [r.as_json() for r in s.reviews] == [
        {"rubric": CQ, "outcome": "eligible", "label": "符合延续备案条件", "count": 1}
    ]
    assert statistics(db, year=2025).reviews == []
    export_stats(s, tmp_path / "stats.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "stats.xlsx")["审核（不评分）"]
    assert [c.value for c in ws[2]] == [CQ, "符合延续备案条件", 1]
    export_results(plan_results(db, plan.id, on=dt.date(2026, 10, 20)), tmp_path / "results.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "results.xlsx")["结果汇总"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    row = rows["重庆某集团公司"]
    assert (row["状态"], row["得分"], row["结论"]) == ("已审核", None, "符合延续备案条件")
    assert (row["评价机构类型"], row["处理期限"], row["审核意见"]) == (
        "用人单位",
        "2026-10-15",
        "申报材料齐全",
    )
    assert rows["重庆某技师学院"]["评价机构类型"] == "技工院校" and rows["重庆某技师学院"]["得分"] is not None


def test_the_register_carries_the_type_in_the_notices_words(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    org = applicant(db, "重庆某集团公司", "社会培训评价组织")
    assert get_register(db, org)["applicant_type"] == "social_org"
    with pytest.raises(UsageError, match="评价机构类型应为"):
        set_register(db, org, {"applicant_type": "民办学校"})
    assert get_register(db, org)["applicant_type"] == "social_org"  # refused: nothing changed
    path = tmp_path / "register.xlsx"
    export_register(db, path)
    ws = openpyxl.load_workbook(path)["机构登记"]
    head = [c.value for c in ws[1]]
    assert ws.cell(2, head.index("评价机构类型") + 1).value == "社会培训评价组织"
    ws.cell(2, head.index("评价机构类型") + 1).value = "用人单位"
    ws.parent.save(path)
    import_register(db, path)
    assert get_register(db, org)["applicant_type"] == "employer"


def test_no_scored_evaluation_of_an_employer_outside_a_plan_either(db: sqlite_utils.Database) -> None:
    """三（二）1 (the rulebook's ``unscored_review``): outside a plan, the one function the command line
    and the window open an evaluation with refuses an employer's scored evaluation with the rule's
    clause, and so does an amendment of one made before its type was registered; a school, or an
    employer under a form whose document has no such rule, is scored."""
    from inspector.centre.unscored import amend_evaluation, new_evaluation

    store = EvaluationStore(db, "张建国")
    employer = applicant(db, "重庆某集团公司", None)
    old = scored(db, employer)  # made before the register knew its type
    set_register(db, employer, {"applicant_type": "用人单位"})
    school = applicant(db, "重庆某技师学院", "技工院校")
    before = db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    for kind in ("inspection", "self", "recheck"):
        with pytest.raises(UsageError) as refusal:
            new_evaluation(store, CQ, employer, kind)
        assert "只审核、不评分" in refusal.value.message and "三（二）1" in refusal.value.message
        assert "人力社保部门收到用人单位评价机构申报材料后" in refusal.value.message  # the rule's quote
        assert "附件6" not in refusal.value.message  # the notice's body, not the rectification template
        assert refusal.value.where == employer
    with pytest.raises(UsageError, match="只审核、不评分"):
        amend_evaluation(store, old, "复核修订")
    assert db.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == before  # nothing written
    assert new_evaluation(store, CQ, school).org_id == school
    assert new_evaluation(store, "sichuan-2017-inspection", employer).org_id == employer
    # inside a plan: the same message
    plan = new_plan(db, CQ, "2026年延续备案", "routine")
    add_target(db, plan.id, employer, None)
    with pytest.raises(UsageError) as in_plan:
        start_evaluation(db, plan.id, employer)
    assert in_plan.value.message == refusal.value.message

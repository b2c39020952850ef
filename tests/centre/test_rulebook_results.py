"""Results, rectifications, statistics, the leader, reviews and the timetable under the plan's
rulebook, each test citing the clause it holds to."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import sqlite_utils

from inspector.centre.milestones import mark_milestone, plan_milestones
from inspector.centre.people import add_person, add_review, reviews
from inspector.centre.plans import (
    add_target,
    designate_leader,
    leader_of,
    link_evaluation,
    run_dispatch,
    start_evaluation,
)
from inspector.centre.plans import new_plan as plain_new_plan
from inspector.centre.rectifications import close_rectification, link_recheck, open_rectification
from inspector.centre.results import plan_results
from inspector.centre.stats import statistics
from inspector.centre.verdicts import record_verdict
from inspector.errors import StoreError, UsageError
from inspector.store.demo import _fill
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.centre_support import new_db

SIGNERS = [{"name": "张建国", "role": "组长"}]


def evaluation(
    db: sqlite_utils.Database,
    rubric: str,
    org: str,
    quality: float,
    day: str = "2026-03-02",
    sign: bool = True,
) -> str:
    store = EvaluationStore(db, "张建国")
    e = store.create(rubric, org, "inspection", visit_date=day)
    _fill(store, e.id, store.rubric(rubric, e.rubric_version), random.Random(7), quality)
    if sign:
        store.sign(e.id, SIGNERS)
    return e.id


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return new_db(tmp_path / "data")


def test_henan_group_verdict_with_reason_is_the_outcome_and_feeds_demonstration_and_stats(
    db: sqlite_utils.Database,
) -> None:
    # 河南 2011 二 "评定出质量管理合格、不合格…并提出参加示范评估推荐意见"; 三 "评估工作小组"
    a, b = add_org(db, "甲所")["id"], add_org(db, "乙所")["id"]
    plan = plain_new_plan(db, "henan-2011-quality", "河南质量管理评估", "routine")
    for org in (a, b):
        add_target(db, plan.id, org, "2026-03-02")
    ea, eb = evaluation(db, "henan-2011-quality", a, 0.95), evaluation(db, "henan-2011-quality", b, 0.6)
    link_evaluation(db, plan.id, a, ea)
    link_evaluation(db, plan.id, b, eb)
    before = {t.org_id: t.outcome_code for t in plan_results(db, plan.id).targets}
    assert before == {a: None, b: None}  # no thresholds: unrated until the group rules
    with pytest.raises(UsageError, match="理由"):
        record_verdict(db, ea, "pass", " ")
    with pytest.raises(UsageError, match="合格"):
        record_verdict(db, eb, "fail", "档案缺失", recommend=True, opinion="x")
    record_verdict(db, ea, "pass", "各项制度健全", recommend=True, opinion="推荐参加示范评估")
    record_verdict(db, eb, "fail", "档案管理缺失严重")
    res = plan_results(db, plan.id)
    assert {t.org_id: t.outcome_label for t in res.targets} == {a: "合格", b: "不合格"}
    (rec,) = res.demonstration
    assert rec.org_id == a and rec.opinion == "推荐参加示范评估"
    # 二 "统一公布…质量管理评估结果": every result is announced
    assert {x.org_id: x.outcome_code for x in res.announcement} == {a: "pass", b: "fail"}
    (group,) = [g for g in statistics(db, rubric_id="henan-2011-quality").groups if g.key == "year"]
    assert group.passed == 1
    # a form with its own outcomes is not re-rated by the group
    sc = evaluation(db, "sichuan-2017-inspection", b, 0.9)
    with pytest.raises(StoreError, match="自有评估结论"):
        record_verdict(db, sc, "pass", "x")


def test_sichuan_announces_only_its_passing_stations(db: sqlite_utils.Database) -> None:
    # 川人社函〔2017〕297号 三（四） "全省合格鉴定站（所）名单及其鉴定职业（工种）范围、等级"
    a, b = add_org(db, "甲站")["id"], add_org(db, "乙站")["id"]
    plan = plain_new_plan(db, "sichuan-2017-inspection", "四川检查评估", "routine")
    for org in (a, b):
        add_target(db, plan.id, org, "2026-03-02")
    link_evaluation(db, plan.id, a, evaluation(db, "sichuan-2017-inspection", a, 0.97))
    eb = evaluation(db, "sichuan-2017-inspection", b, 0.97, sign=False)
    store = EvaluationStore(db, "张建国")
    store.set_veto(eb, "V3", True, "超范围鉴定")  # 二（二）2: listed as 不合格 outright
    store.sign(eb, SIGNERS)
    link_evaluation(db, plan.id, b, eb)
    res = plan_results(db, plan.id)
    outcomes = {t.org_id: t.outcome_code for t in res.targets}
    assert outcomes == {a: "pass", b: "fail"}
    assert [x.org_id for x in res.announcement] == [a]
    assert res.demonstration == []  # no 示范推荐 on a Sichuan plan


def test_chongqing_term_comes_from_the_rulebook_and_passed_needs_a_passing_recheck(
    db: sqlite_utils.Database,
) -> None:
    # 重庆 附件6 "整改期为6个月"; 三（二）2 "待整改完成后，经评估合格再进行延续备案"
    org = add_org(db, "丙机构")["id"]
    first = evaluation(db, "chongqing-2024-renewal", org, 0.7, "2026-01-10")
    r = open_rectification(db, first, notice_sent="2026-01-15")
    assert r.deadline == dt.date(2026, 7, 15)
    store = EvaluationStore(db, "张建国")
    weak = store.create("chongqing-2024-renewal", org, "recheck", visit_date="2026-07-01")
    _fill(store, weak.id, store.rubric("chongqing-2024-renewal", weak.rubric_version), random.Random(3), 0.3)
    store.sign(weak.id, SIGNERS)
    outcome = store.totals([store.get(weak.id)])[weak.id].outcome
    assert outcome is not None and outcome.code != "renew"
    link_recheck(db, r.id, weak.id)
    with pytest.raises(StoreError, match="复评结论不是合格"):
        close_rectification(db, r.id, result="passed", closed_on="2026-07-02")
    assert close_rectification(db, r.id, result="failed", closed_on="2026-07-02").result == "failed"
    # Sichuan's "限期整改" sets no term: one must be given
    sc = evaluation(db, "sichuan-2017-inspection", org, 0.5)
    with pytest.raises(UsageError, match="整改期限"):
        open_rectification(db, sc, notice_sent="2026-03-05")


def test_the_leader_is_drawn_and_marked_or_designated_by_the_centre(db: sqlite_utils.Database) -> None:
    org = add_org(db, "甲站")["id"]
    for i in range(3):
        add_person(db, name=f"督导{i}", kind="external", cert_no=str(i), cert_issued="2025-01-01")
    plan = plain_new_plan(db, "sichuan-2017-inspection", "计划", "routine")
    add_target(db, plan.id, org, "2026-03-02")
    rec = run_dispatch(db, plan.id, team_size=3, seed=1)
    team = rec.record["assignments"][0]["team"]
    assert rec.record["assignments"][0]["leader_chosen"] == "drawn"
    assert leader_of(db, plan.id, org) == (team[0], "drawn")
    with pytest.raises(UsageError, match="成员"):
        designate_leader(db, plan.id, org, "nobody")
    designate_leader(db, plan.id, org, team[2], "省中心")
    assert leader_of(db, plan.id, org) == (team[2], "designated")
    e = start_evaluation(db, plan.id, org)
    assert (e.team[0]["person_id"], e.team[0]["role"]) == (team[2], "组长")


def test_a_task_review_records_zhengzhous_four_points_apart(db: sqlite_utils.Database) -> None:
    # 郑州办法 第十一条 (一)任务完成情况 (二)工作态度与执行政策的水平 (三)督导报告的客观真实性
    # (四)有无违纪行为
    p = add_person(db, name="甲", kind="external", cert_no="1", cert_issued="2025-01-01")
    add_review(
        db, p.id, task_date="2026-03-02", rating="good", violation=False,
        completion="按时完成", attitude="认真", objectivity="报告属实",
    )  # fmt: skip
    (r,) = reviews(db, p.id)
    assert (r["completion"], r["attitude"], r["objectivity"], r["violation"]) == (
        "按时完成",
        "认真",
        "报告属实",
        False,
    )
    assert r["rating_name"] == "良好（本中心自定等次）"  # 第十一条 names no grades


def test_sichuan_timetable_in_the_plans_year_with_what_is_late(db: sqlite_utils.Database) -> None:
    # 川人社函〔2017〕297号 三: 自查自评 4月30日前 → 审查评估 6月30日前 → 抽查复核 8月31日前 → 公告 9月30日前
    plan = plain_new_plan(db, "sichuan-2017-inspection", "计划", "routine", year=2027)
    states = {m.name: (m.due, m.state) for m in plan_milestones(db, plan.id, dt.date(2027, 5, 1))}
    assert states["自查自评"] == (dt.date(2027, 4, 30), "late")
    assert states["审查评估"] == (dt.date(2027, 6, 30), "open")
    # "前" read as by the end of that day: done on the day is in time
    assert mark_milestone(db, plan.id, "自查自评", "2027-04-30").state == "done"
    assert mark_milestone(db, plan.id, "审查评估", "2027-07-01").state == "done_late"
    with pytest.raises(UsageError, match="没有这个阶段"):
        mark_milestone(db, plan.id, "示范评估", "2027-07-01")
    chongqing = plain_new_plan(db, "chongqing-2024-renewal", "重庆", "routine")
    assert plan_milestones(db, chongqing.id) == []


def test_a_stage_due_before_the_plan_begins_is_not_late_for_it(db: sqlite_utils.Database) -> None:
    """Issue 21: the demo's second-half Sichuan plan (1 October – 31 December) showed "4 项逾期":
    all four stages of the notice's timetable fell due before the plan began."""
    plan = plain_new_plan(
        db, "sichuan-2017-inspection", "下半年", "routine", year=2027, starts="2027-10-01", ends="2027-12-31"
    )
    states = {m.name: m.state for m in plan_milestones(db, plan.id, dt.date(2027, 12, 5))}
    assert set(states.values()) == {"before_plan"}
    # a plan from 1 May: its April stage came before it, its June one is its own (and late in December)
    may = plain_new_plan(db, "sichuan-2017-inspection", "五月起", "routine", year=2027, starts="2027-05-01")
    states = {m.name: m.state for m in plan_milestones(db, may.id, dt.date(2027, 12, 5))}
    assert states["自查自评"] == "before_plan" and states["审查评估"] == "late"
    assert mark_milestone(db, plan.id, "自查自评", "2027-04-29").state == "done"  # marked: done as any


def test_double_random_draws_organisations_by_the_published_seed_when_the_rulebook_has_it(
    db: sqlite_utils.Database,
) -> None:
    # 福建办法 第三章三 "日常督导可采取“双随机、一公开”等方式进行"
    from inspector.centre.org_draw import draw_organisations, org_draws, verify_org_draw
    from inspector.centre.plans import targets

    orgs = [add_org(db, f"机构{i}")["id"] for i in range(10)]
    plan = plain_new_plan(
        db, "fujian-2021-supervision-record", "福建双随机", "routine", rulebook="fujian-2021-supervision"
    )
    rec = draw_organisations(db, plan.id, seed="2026-H1", share="0.3", author="省中心")
    assert len(rec["drawn"]) == 3 and rec["pool"] == sorted(orgs)
    assert {t.org_id for t in targets(db, plan.id)} == set(rec["drawn"])
    (stored,) = org_draws(db, plan.id)
    assert stored["drawn"] == rec["drawn"] and verify_org_draw(db, stored["id"]) == []
    # the same seed over the same pool draws the same organisations anywhere
    again = plain_new_plan(
        db, "fujian-2021-supervision-record", "同种子", "routine", rulebook="fujian-2021-supervision"
    )
    assert draw_organisations(db, again.id, seed="2026-H1", share="0.3")["drawn"] == rec["drawn"]
    # a Sichuan plan's rulebook has no such rule
    sichuan = plain_new_plan(db, "sichuan-2017-inspection", "四川", "routine")
    with pytest.raises(UsageError, match="双随机"):
        draw_organisations(db, sichuan.id, seed="x", number=2)
    with pytest.raises(UsageError, match="不能抽取"):
        draw_organisations(db, plan.id, seed="y", number=8)  # 7 left in the register


def test_fujian_special_supervision_steps_recorded_in_order_with_their_days(
    db: sqlite_utils.Database,
) -> None:
    # 福建办法 第三章四 (一)–(四): 现场考察 → 初步督导意见 → 申辩意见 → 质量督导意见书 → 整改工作报告
    from inspector.centre.procedure import record_step, target_steps

    org = add_org(db, "甲机构")["id"]
    plan = plain_new_plan(
        db, "fujian-2021-supervision-record", "专项督导", "special", rulebook="fujian-2021-supervision"
    )
    add_target(db, plan.id, org, "2026-03-02")
    assert [s.name for s in target_steps(db, plan.id, org)] == [
        "现场考察", "初步督导意见", "申辩意见", "质量督导意见书", "整改工作报告",
    ]  # fmt: skip
    with pytest.raises(UsageError, match="请先记录上一步：现场考察"):
        record_step(db, plan.id, org, "初步督导意见", "2026-03-03")
    record_step(db, plan.id, org, "现场考察", "2026-03-02")
    with pytest.raises(UsageError, match="早于上一步"):
        record_step(db, plan.id, org, "初步督导意见", "2026-03-01")
    steps = record_step(db, plan.id, org, "初步督导意见", "2026-03-05", note="闽督〔2026〕1号")
    assert [(s.name, s.done_on) for s in steps][:2] == [
        ("现场考察", dt.date(2026, 3, 2)),
        ("初步督导意见", dt.date(2026, 3, 5)),
    ]
    with pytest.raises(UsageError, match="已于"):
        record_step(db, plan.id, org, "现场考察", "2026-03-02")
    # a routine plan, or a Sichuan one, has no such procedure
    routine = plain_new_plan(
        db, "fujian-2021-supervision-record", "日常督导", "routine", rulebook="fujian-2021-supervision"
    )
    add_target(db, routine.id, org, "2026-03-02")
    assert target_steps(db, routine.id, org) == []


def test_chongqing_renewal_application_is_due_thirty_days_before_the_filing_ends(
    db: sqlite_utils.Database,
) -> None:
    # 重庆 延续备案通知 一 "评价机构在备案有效期届满30日前，应提出延续备案申请"
    from inspector.centre.register import set_register

    org = add_org(db, "丙机构")["id"]
    set_register(db, org, {"filing_expires": "2026-12-31"})
    plan = plain_new_plan(db, "chongqing-2024-renewal", "延续备案评估", "routine")
    add_target(db, plan.id, org, "2026-11-10")
    (row,) = plan_results(db, plan.id, on=dt.date(2026, 12, 1)).targets
    assert row.renewal_apply_by == "2026-12-01" and not row.renewal_overdue
    (row,) = plan_results(db, plan.id, on=dt.date(2026, 12, 2)).targets
    assert row.renewal_overdue and row.as_json()["renewal_apply_by"] == "2026-12-01"
    # a Sichuan plan has no such window
    sichuan = plain_new_plan(db, "sichuan-2017-inspection", "四川", "routine")
    add_target(db, sichuan.id, org, "2026-11-10")
    (row,) = plan_results(db, sichuan.id, on=dt.date(2026, 12, 2)).targets
    assert row.renewal_apply_by is None

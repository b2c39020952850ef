"""The centre's side of ``inspector demo``: register details, a roster, two plans, a recorded draw,
signed results and a rectification in progress, on top of :func:`inspector.store.demo.fill_demo`.

* the register: every demo station with the 登记表 fields (sponsor, address, head, category…),
  plus three more Sichuan stations whose inspections are signed (two above the demonstration bar);
* the roster: twelve supervisors, internal and external; 孙丽华's card has expired (issued
  2022-03-01, valid through 2025-02-28), 周建华 works at 成都市技师学院 (recused there), 吴敏 is an
  assessor at 绵阳职业技术学院 (recused there), 郑伟 is suspended;
* plan 1 (first half of 2026): the failed, signed inspection of 自贡 and its rectification, with the
  re-check in progress; the rulebook's four stages marked done on their days;
* plan 2 (second half of 2026): seven stations, teams drawn with the published seed "2026-H2"
  (the record is stored and re-runs identically), the demo's unsigned inspections linked with
  their drawn teams, three new stations inspected and signed (by the whole team and the station's
  head), one Sichuan station (泸州) still waiting for its visit; the vetoed inspection's record is
  overdue.

Each station's register entry belongs to its province and city: its approval number (川/渝/豫/闽),
post code and telephone area code are those of its city. The Chongqing, Henan and Fujian
organisations are in the register (a centre's laptop holds other forms too) but in no Sichuan plan.

Seeded and dated: the same story every time (the teams drawn depend on the ids, which are new
in every folder, so who sits on which team differs). A folder whose roster is not empty is left
alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from inspector.centre.milestones import mark_milestone
from inspector.centre.people import add_person, add_review, set_active, set_annual
from inspector.centre.plans import (
    add_target,
    assigned,
    link_evaluation,
    new_plan,
    run_dispatch,
    start_evaluation,
)
from inspector.centre.rectifications import link_recheck, open_rectification
from inspector.centre.register import set_register
from inspector.store.demo import SICHUAN, STATIONS, _fill, fill_demo, signers
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org

CENTRE_SEED = "2026-H2"

# name, code, category, region, sponsor, head
MORE_STATIONS = [
    (
        "乐山市技师学院职业技能鉴定所",
        "12511100MB0H8901E8",
        "A",
        "乐山市",
        "乐山市人力资源和社会保障局",
        "杨明",
    ),
    ("德阳市就业训练中心职业技能鉴定站", "12510600MB0J9012F9", "G", "德阳市", "德阳市就业服务管理局", "何静"),
    ("宜宾职业技术学院职业技能鉴定站", "12511500MB0K0123G0", "C", "宜宾市", "宜宾市人民政府", "罗斌"),
    ("泸州市职业技能鉴定站", "12510500MB0M2345J2", "G", "泸州市", "泸州市人力资源和社会保障局", "曾凡"),
]

# city: (province's short name for the approval number, post code prefix, telephone area code)
CITIES = {
    "成都市": ("川", "6100", "028"),
    "绵阳市": ("川", "6210", "0816"),
    "自贡市": ("川", "6430", "0813"),
    "乐山市": ("川", "6140", "0833"),
    "德阳市": ("川", "6180", "0838"),
    "宜宾市": ("川", "6440", "0831"),
    "泸州市": ("川", "6460", "0830"),
    "重庆市": ("渝", "4000", "023"),
    "郑州市": ("豫", "4500", "0371"),
    "福州市": ("闽", "3500", "0591"),
}

REGIONS = ["成都市", "绵阳市", "绵阳市", "自贡市", "重庆市", "重庆市", "郑州市", "福州市"]
SPONSORS = [
    "成都市人力资源和社会保障局",
    "绵阳职业技术学院",
    "四川长虹电器股份有限公司",
    "自贡市就业服务管理局",
    "重庆市建筑行业协会",
    "重庆工商职业学院",
    "郑州市教育局",
    "福州职业技术学院",
]
HEADS = ["陈志刚", "刘芳", "黄伟", "赵丽", "蒋涛", "谭红", "郭亮", "林海峰"]

# name, kind, card number, issued, employer (index in STATIONS or None), assessor at (index or None)
PEOPLE = [
    ("张建国", "external", "510000201901", "2024-03-15", None, None),
    ("李秀英", "external", "510000201902", "2024-03-15", None, None),
    ("王志强", "external", "510000201903", "2024-06-20", None, None),
    ("刘洋", "external", "510000202101", "2025-01-10", None, None),
    ("陈静", "external", "510000202102", "2025-01-10", None, None),
    ("杨帆", "external", "510000202103", "2025-04-01", None, None),
    ("周建华", "internal", "510000202201", "2024-09-01", 0, None),
    ("吴敏", "internal", "510000202202", "2024-09-01", None, 1),
    ("徐磊", "external", "510000202301", "2025-06-18", None, None),
    ("孙丽华", "external", "510000201801", "2022-03-01", None, None),
    ("马超", "internal", "510000202302", "2025-06-18", None, None),
    ("郑伟", "external", "510000202303", "2025-06-18", None, None),
]


@dataclass(frozen=True)
class CentreDemoSummary:
    people: int
    plans: int
    created: bool


def _details(i: int, category: str, region: str, sponsor: str, head: str) -> dict[str, Any]:
    rng = random.Random(1000 + i)
    occupations = ["电工", "焊工", "车工", "钳工", "中式烹调师", "美容师", "育婴员", "计算机程序设计员"]
    chosen = rng.sample(occupations, 2)
    province, post, area = CITIES[region]
    local = rng.randint(60000000, 89999999) if len(area) == 3 else rng.randint(2000000, 8999999)
    return {
        "category": category,
        "region": region,
        "sponsor": sponsor,
        "address": f"{region}{rng.choice(['人民路', '建设路', '解放路', '学府路'])}{rng.randint(1, 300)}号",
        "post_code": f"{post}{rng.randint(0, 99):02d}",
        "phone": f"{area}-{local}",
        "contact": rng.choice(["王红", "李娜", "张敏", "刘伟"]),
        "head": head,
        "approval_no": f"{province}人社鉴字〔{rng.randint(2008, 2016)}〕{rng.randint(1, 99)}号",
        "site_area": rng.choice([800, 1200, 1500, 2600]),
        "fee_receipt": "非税收入票据",
        "fee_fiscal_account": True,
        "management": [
            {
                "name": head,
                "education": "本科",
                "qualification": "高级讲师",
                "post": "所长",
                "employer": sponsor,
            },
            {
                "name": "赵春梅",
                "education": "大专",
                "qualification": "助理会计师",
                "post": "考务管理",
                "employer": sponsor,
            },
        ],
        "assessors": [
            {"name": "钱进", "education": "本科", "qualification": "高级技师", "occupation": chosen[0]},
            {"name": "孔丽", "education": "大专", "qualification": "技师", "occupation": chosen[1]},
        ],
        "supervisors": [
            {"name": "冯刚", "education": "本科", "qualification": "质量督导员", "occupation": chosen[0]}
        ],
        "equipment": [
            {"name": "理论考试机房计算机", "model": "联想启天M428", "quantity": 60},
            {"name": "实操工位", "model": chosen[0], "quantity": 20},
        ],
        "appraisals": [
            {
                "year": y,
                "occupation": occ,
                "junior": rng.randint(20, 200),
                "intermediate": rng.randint(10, 120),
                "senior": rng.randint(0, 40),
            }
            for y in (2023, 2024, 2025)
            for occ in chosen
        ],
    }


def _demo_ready(db: sqlite_utils.Database, by_code: dict[str, str]) -> bool:
    """fill_demo's stations and evaluations are all there (it adds nothing to a folder in use)."""
    if not all(code in by_code for _name, code, _cat in STATIONS):
        return False
    if any(code in by_code for _name, code, *_rest in MORE_STATIONS):
        return False
    kinds = {
        (org, kind, state)
        for org, kind, state in db.conn.execute(
            "SELECT org_id, kind, CASE WHEN signed_at IS NULL THEN 'open' ELSE 'signed' END FROM evaluations"
        )
    }
    zigong, mianyang = by_code[STATIONS[3][1]], by_code[STATIONS[1][1]]
    return {
        (zigong, "inspection", "signed"),
        (zigong, "recheck", "open"),
        (mianyang, "self", "open"),
    } <= kinds


def fill_centre_demo(db: sqlite_utils.Database) -> CentreDemoSummary:
    fill_demo(db)
    if db.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]:
        people = db.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
        plans = db.conn.execute("SELECT COUNT(*) FROM plans").fetchone()[0]
        return CentreDemoSummary(people, plans, created=False)
    by_code = {r[1]: r[0] for r in db.conn.execute("SELECT id, code FROM orgs")}
    if not _demo_ready(db, by_code):  # a folder with the user's own data: add nothing
        return CentreDemoSummary(0, 0, created=False)
    rng = random.Random(20261001)
    orgs = [by_code[code] for _name, code, _cat in STATIONS]
    for i, (org_id, (_name, _code, category)) in enumerate(zip(orgs, STATIONS, strict=True)):
        set_register(db, org_id, _details(i, category, REGIONS[i], SPONSORS[i], HEADS[i]))
    more = []
    for j, (name, code, category, region, sponsor, head) in enumerate(MORE_STATIONS):
        org_id = add_org(db, name, code)["id"]
        set_register(db, org_id, _details(10 + j, category, region, sponsor, head))
        more.append(org_id)

    people = []
    for name, kind, cert_no, issued, employer, assessor_at in PEOPLE:
        p = add_person(
            db, name=name, kind=kind, cert_no=cert_no, cert_issued=issued,
            employer_org=orgs[employer] if employer is not None else None,
            roles=[(orgs[assessor_at], "assessor")] if assessor_at is not None else (),
            phone=f"139{rng.randint(10000000, 99999999)}",
        )  # fmt: skip
        people.append(p.id)
    set_active(db, people[-1], False, "2025年度考核不合格，暂停委派")
    set_annual(db, people[-1], 2025, "fail", "两次未按时提交督导记录", "省鉴定中心")
    for pid in people[:3]:
        set_annual(db, pid, 2025, "excellent" if pid == people[0] else "pass", None, "省鉴定中心")

    clerk = EvaluationStore(db, "省鉴定中心")
    evals = {
        e.org_id: e for e in clerk.list_evaluations() if e.rubric_id == SICHUAN and e.kind == "inspection"
    }

    # Plan 1: the failed 自贡 inspection, its rectification notice and the re-check under way.
    first_half = new_plan(
        db, SICHUAN, "2026年上半年职业技能鉴定站检查评估", "routine",
        region="四川省", starts="2026-04-01", ends="2026-06-30",
    )  # fmt: skip
    zigong = orgs[3]
    signed = next(e for e in clerk.list_evaluations("signed") if e.org_id == zigong)
    recheck = next(e for e in clerk.list_evaluations() if e.org_id == zigong and e.kind == "recheck")
    add_target(db, first_half.id, zigong, signed.visit_date)
    link_evaluation(db, first_half.id, zigong, signed.id)
    rect = open_rectification(
        db,
        signed.id,
        notice_sent="2026-05-19",
        months=6,
        plan_id=first_half.id,
        notice_no="川鉴整〔2026〕3号",
    )
    link_recheck(db, rect.id, recheck.id)
    # the year's campaign (川人社函〔2017〕297号 三) went by its timetable: each stage marked done
    for stage, day in (
        ("自查自评", "2026-04-28"),
        ("审查评估", "2026-06-26"),
        ("抽查复核", "2026-08-27"),
        ("向社会公告", "2026-09-25"),
    ):
        mark_milestone(db, first_half.id, stage, day, by="省鉴定中心")

    # Plan 2: seven targets, a recorded draw, results in every state.
    second_half = new_plan(
        db, SICHUAN, "2026年下半年职业技能鉴定站检查评估", "routine",
        region="四川省", starts="2026-10-01", ends="2026-12-31",
    )  # fmt: skip
    days = {
        orgs[2]: "2026-10-28",  # vetoed, complete, unsigned: its record is overdue
        more[0]: "2026-10-20",
        more[1]: "2026-10-22",
        more[2]: "2026-11-05",
        orgs[0]: "2026-11-19",  # complete, awaiting signatures
        orgs[1]: "2026-11-20",  # in progress, beside the station's self-assessment
        more[3]: "2026-12-03",  # 泸州: not visited yet
    }
    for org_id, day in days.items():
        add_target(db, second_half.id, org_id, day)
    run_dispatch(db, second_half.id, team_size=3, seed=CENTRE_SEED, author="省鉴定中心")
    teams = assigned(db, second_half.id)
    names = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM people")}
    for org_id in (orgs[2], orgs[0], orgs[1]):
        e = evals[org_id]
        team = [
            {"name": names[p], "role": "组长" if k == 0 else "组员", "person_id": p}
            for k, p in enumerate(teams[org_id].team)
        ]
        clerk.set_meta(e.id, team=team)
        link_evaluation(db, second_half.id, org_id, e.id)
    sichuan = clerk.rubric(SICHUAN, 1)
    # Two strong stations and one that passes; a self-assessment that flatters itself.
    found = {
        "4.1.1": {"problems": 1, "note": "一台设备故障未报修"},
        "6.1.1": {"tier": 1, "note": "公告发布不及时"},
        "9.1.2": {"tier": 1, "note": "有方案但落实不力"},
    }
    for org_id, lost in ((more[0], ["4.1.1"]), (more[1], list(found)), (more[2], None)):
        e = start_evaluation(db, second_half.id, org_id, "省鉴定中心")
        if lost is None:
            _fill(clerk, e.id, sichuan, rng, 0.78)
        else:
            _fill(clerk, e.id, sichuan, rng, 1.0)
            for item_id in lost:
                clerk.record(e.id, item_id, found[item_id])
        head = MORE_STATIONS[more.index(org_id)][5]
        drawn = teams[org_id].team
        clerk.sign(
            e.id,
            signers(
                [{"name": names[p], "role": "组长" if k == 0 else "组员"} for k, p in enumerate(drawn)],
                head,
                db,
            ),
        )
        for pid in teams[org_id].team:
            add_review(
                db, pid, task_date=days[org_id], rating="good" if lost else "pass", plan_id=second_half.id,
                org_id=org_id, eval_id=e.id, comment="按时提交督导记录，报告客观", reviewer="省鉴定中心",
            )  # fmt: skip
    station = EvaluationStore(db, "宜宾职业技术学院（自评）")
    self_eval = station.create(SICHUAN, more[2], "self", visit_date="2026-10-25")
    _fill(station, self_eval.id, sichuan, rng, 0.98)
    people_n = db.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    return CentreDemoSummary(people_n, 2, created=True)

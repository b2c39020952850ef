"""``inspector demo``: a realistic sample so that a newcomer sees a working product at once.

Stations of several categories, a signed inspection, its re-check, a station's self-assessment
beside an inspection in progress, a complete one awaiting signatures, a Chongqing renewal with
fractional deductions and bonus points. Seeded: the same demo every time. Filling an already
filled folder adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from inspector.rubric.model import Item, Rubric
from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Discretionary, Grouped, Tiers
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org, list_orgs

SICHUAN = "sichuan-2017-inspection"
CHONGQING = "chongqing-2024-renewal"
HENAN = "henan-2011-quality"
FUJIAN = "fujian-2021-supervision-record"

STATIONS = [
    ("成都市技师学院职业技能鉴定所", "12510100MB0A1234X1", "A"),
    ("绵阳职业技术学院职业技能鉴定站", "12510700MB0B2345Y2", "C"),
    ("四川长虹电器股份有限公司职业技能鉴定站", "91510700MA6C3456Z3", "E"),
    ("自贡市就业训练中心鉴定站", "12510300MB0D4567A4", "G"),
    ("重庆市建筑行业协会技能评价中心", "51500000MJ0E5678B5", "H"),
    ("重庆工商职业学院职业技能等级认定中心", "12500000MB0F6789C6", "C"),
    ("郑州市第一中等专业学校鉴定站", "12410100MB0G7890D7", "B"),
]

TEAM = [
    {"name": "张建国", "role": "组长", "sections": ["1", "2", "3"]},
    {"name": "李秀英", "role": "组员", "sections": ["4", "5", "6"]},
    {"name": "王志强", "role": "组员", "sections": ["7", "8", "9"]},
]

NOTES = [
    "抽查近一年档案，发现记录不全",
    "现场提问，负责人回答不完整",
    "台账有涂改，未签字确认",
    "相关制度未按规定公布",
    "设备一台故障未报修",
]


@dataclass(frozen=True)
class DemoSummary:
    orgs: int
    evaluations: int
    created: bool


def _observation(item: Item, rng: random.Random, quality: float) -> dict[str, Any]:
    """A plausible observation: mostly in order, sometimes not, as a station of this quality."""
    good = rng.random() < quality
    rule = item.rule
    note = {} if good else {"note": rng.choice(NOTES)}
    if isinstance(rule, Checklist):
        return {"met": good, **note}
    if isinstance(rule, Deduct):
        return {"problems": 0 if good else rng.randint(1, min(rule.of or 3, 3)), **note}
    if isinstance(rule, AllOrNothing):
        return {"problems": 0, **note} if good else {"problems": rng.randint(1, 2), **note}
    if isinstance(rule, Tiers):
        return {"tier": 0 if good else rng.randint(1, len(rule.tiers) - 1), **note}
    if isinstance(rule, Grouped):
        if good:
            return {"met": True}
        return {"unmet": sorted(rng.sample(range(1, len(rule.criteria) + 1), 1)), **note}
    assert isinstance(rule, Discretionary)
    if good:
        return {"met": True}
    return {"points": item.points - 1 if item.points >= 1 else 0, "reason": rng.choice(NOTES)}


def _fill(
    store: EvaluationStore,
    eval_id: str,
    rubric: Rubric,
    rng: random.Random,
    quality: float,
    upto: int | None = None,
) -> None:
    for n, item in enumerate(rubric.items()):
        if upto is not None and n >= upto:
            break
        store.record(eval_id, item.id, _observation(item, rng, quality))


def fill_demo(db: sqlite_utils.Database) -> DemoSummary:
    if list_orgs(db):
        existing = db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
        return DemoSummary(len(list_orgs(db)), existing, created=False)
    rng = random.Random(20261122)
    orgs = [add_org(db, name, code, {"category": category}) for name, code, category in STATIONS]
    clerk = EvaluationStore(db, "张建国")
    sichuan = clerk.rubric(SICHUAN, 1)
    # 1. a signed inspection that failed, and its re-check after rectification (in progress)
    first = clerk.create(SICHUAN, orgs[3]["id"], "inspection", visit_date="2026-05-12", team=TEAM)
    _fill(clerk, first.id, sichuan, rng, 0.55)
    clerk.sign(first.id, [{"name": "张建国", "role": "组长"}, {"name": "赵丽", "role": "机构代表"}])
    recheck = clerk.create(SICHUAN, orgs[3]["id"], "recheck", visit_date="2026-11-18", team=TEAM[:2])
    _fill(clerk, recheck.id, sichuan, rng, 0.9, upto=25)
    # 2. a station's self-assessment beside the inspection in progress
    station = EvaluationStore(db, "绵阳职业技术学院（自评）")
    self_eval = station.create(SICHUAN, orgs[1]["id"], "self", visit_date="2026-11-02")
    _fill(station, self_eval.id, sichuan, rng, 0.97)
    inspection = clerk.create(SICHUAN, orgs[1]["id"], "inspection", visit_date="2026-11-20", team=TEAM)
    _fill(clerk, inspection.id, sichuan, rng, 0.8, upto=38)
    # 3. complete, awaiting signatures
    complete = clerk.create(SICHUAN, orgs[0]["id"], "inspection", visit_date="2026-11-19", team=TEAM)
    _fill(clerk, complete.id, sichuan, rng, 0.92)
    # 4. a vetoed one
    vetoed = clerk.create(SICHUAN, orgs[2]["id"], "inspection", visit_date="2026-10-28", team=TEAM)
    _fill(clerk, vetoed.id, sichuan, rng, 0.85)
    clerk.set_veto(vetoed.id, "V3", True, "超出备案职业范围组织鉴定2批次")
    # 5. Chongqing renewal: fractions and bonus
    renewal = clerk.create(CHONGQING, orgs[4]["id"], "inspection", visit_date="2026-11-10", team=TEAM[:3])
    cq = clerk.rubric(CHONGQING, renewal.rubric_version)  # the form's latest version
    _fill(clerk, renewal.id, cq, rng, 0.85)
    clerk.record(renewal.id, "1.1.1", {"problems": 2, "note": "未设内部质量督导、证书管理员岗位"})
    todo = clerk.create(CHONGQING, orgs[5]["id"], "inspection", visit_date="2026-11-25", team=TEAM[:3])
    # 6. Henan form, not started; Fujian supervision record, half done
    clerk.create(HENAN, orgs[6]["id"], "inspection", visit_date="2026-12-01", team=TEAM[:2])
    record = clerk.create(FUJIAN, orgs[0]["id"], "inspection", visit_date="2026-11-21", team=TEAM[:1])
    _fill(clerk, record.id, clerk.rubric(FUJIAN, record.rubric_version), rng, 0.9, upto=12)
    del todo
    count = db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    return DemoSummary(len(orgs), count, created=True)

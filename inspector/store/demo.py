"""``inspector demo``: a realistic sample so that a newcomer sees a working product at once.

Stations of several categories, a signed inspection, its re-check, a station's self-assessment
beside an inspection in progress, a complete one awaiting signatures, a Chongqing renewal with
fractional deductions and bonus points. Seeded: the same demo every time. Filling an already
filled folder adds nothing.

A story per province, as a prospect would check it: Sichuan's stations are inspected on the
Sichuan form by the Sichuan team, the Chongqing organisations renewed on the Chongqing form by
Chongqing experts, the Zhengzhou station on the Henan form by a Henan team, and the Fujian
supervision record is kept at a Fujian organisation by a Fujian supervisor. The notes are what
an inspector writes on that kind of item (:func:`note_for`), and a signed sheet is signed by the
whole team and the station's head.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from inspector.rubric.model import Item, Rubric
from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Discretionary, Grouped, Tiers
from inspector.store.demo_pictures import store_site_photo, with_signatures
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
    ("福州职业技术学院职业技能等级认定中心", "12350100MB0L1234H1", "C"),
]

TEAM = [
    {"name": "张建国", "role": "组长", "sections": ["1", "2", "3"]},
    {"name": "李秀英", "role": "组员", "sections": ["4", "5", "6"]},
    {"name": "王志强", "role": "组员", "sections": ["7", "8", "9"]},
]

# Chongqing's renewal is assessed by experts of the bureau, Henan's by a city team, Fujian's record
# kept by one external supervisor (外督); the sections each covers are those of its own form.
CHONGQING_TEAM = [
    {"name": "谭晓东", "role": "组长", "sections": ["1", "2"]},
    {"name": "冉静", "role": "组员", "sections": ["3", "4"]},
]
HENAN_TEAM = [
    {"name": "郭卫东", "role": "组长", "sections": ["1", "2", "3", "4", "5"]},
    {"name": "牛丽娟", "role": "组员", "sections": ["6", "7", "8", "9"]},
]
FUJIAN_TEAM = [{"name": "林志明", "role": "外督"}]

NOTES_DRAWN = 5  # how many notes each draw picks among (kept: the demo's scores come from the same draws)

# What an inspector writes on an item of each kind, by words of the item's text (first match).
NOTE_TOPICS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("职责",), ("现场提问，负责人对本岗位职责表述不完整", "岗位职责仅口头分工，未见书面文件")),
    (("收费", "财务", "账", "票据", "审计"), ("收费未使用规定票据", "账目未按月结账，资产台账不全")),
    (
        ("回避", "考评小组", "考评员", "考评人员"),
        ("抽查2个批次，1名考评员证卡已过有效期", "考评小组组成未见轮换记录"),
    ),
    (("督导",), ("未见对质量督导员的反馈表单", "缺2个批次的督导记录")),
    (("试卷", "试题", "题库"), ("试卷交接记录缺接收人签字", "保密室未落实双人双锁")),
    (("证书",), ("证书核发表缺2个批次", "1个批次证书信息超过规定时限上报")),
    (("公告", "公示", "标识", "安全提示", "宣传"), ("公告发布晚于报名开始时间", "现场未见公示内容")),
    (("技术支持人员", "财务人员", "网络技术"), ("该岗位由他人兼任，未单独配备", "现有人员未持相应证书")),
    (
        ("档案", "保存", "记录", "存档", "表格", "登记表", "申报表"),
        ("抽查近一年档案，缺2个批次的记录", "记录有涂改，未签字确认"),
    ),
    (
        ("设备", "设施", "场地", "考场", "摄像", "监控", "工位", "办公"),
        ("一台实操设备故障未报修", "监控存在死角，未覆盖全部工位"),
    ),
    (("培训", "学习", "专家"), ("未见年度培训计划和签到记录", "专家队伍名单未更新")),
    (("投诉", "举报", "电话"), ("投诉电话未在场所内公布", "投诉处理无书面记录")),
    (("责任书", "方案", "计划"), ("未见落实方案及专人负责的文件", "计划未按时限制定")),
]
REGULATION_NOTES = ("制度未以正式文件印发，现场未见公布", "制度内容与现行规定不一致，未及时修订")
REGULATION_ENDINGS = ("制度", "规则", "规程", "规程(办法)", "守则", "预案", "办法", "规定")
OTHER_NOTES = ("查阅相关材料，发现1处不符合要求", "现场核实，与申报材料不一致")


def note_for(item: Item, pick: int) -> str:
    """A note an inspector would write on this item (``pick`` chooses among the topic's)."""
    text = item.text.rstrip("。")
    if text.endswith(REGULATION_ENDINGS) and "符合" not in text:  # "…管理制度": a rule must exist
        return REGULATION_NOTES[pick % len(REGULATION_NOTES)]
    for words, notes in NOTE_TOPICS:
        if any(w in text for w in words):
            return notes[pick % len(notes)]
    return OTHER_NOTES[pick % len(OTHER_NOTES)]


def signers(
    team: list[dict[str, Any]], head: str, db: sqlite_utils.Database | None = None
) -> list[dict[str, Any]]:
    """The whole team signs, then the station's head as 机构代表; with ``db``, each with a drawn
    signature stored in its folder, as the window's pad stores one."""
    people: list[dict[str, Any]] = [{"name": m["name"], "role": m["role"]} for m in team]
    people.append({"name": head, "role": "机构代表"})
    return with_signatures(db, people) if db is not None else people


@dataclass(frozen=True)
class DemoSummary:
    orgs: int
    evaluations: int
    created: bool


def _observation(item: Item, rng: random.Random, quality: float) -> dict[str, Any]:
    """A plausible observation: mostly in order, sometimes not, as a station of this quality."""
    good = rng.random() < quality
    rule = item.rule
    note = {} if good else {"note": note_for(item, rng.choice(range(NOTES_DRAWN)))}
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
    return {
        "points": item.points - 1 if item.points >= 1 else 0,
        "reason": note_for(item, rng.choice(range(NOTES_DRAWN))),
    }


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


def _photos(store: EvaluationStore, eval_id: str, day: str, count: int) -> None:
    """A site photo beside the first ``count`` deductions that say what was found, taken that day."""
    done = 0
    for item_id, cur in store.current(eval_id).items():
        payload = dict(cur.change.payload or {})
        note = str(payload.get("note") or "")
        if done >= count or not note or item_id.startswith("veto:"):
            continue
        taken = f"{day} {9 + done:02d}:{12 + 7 * done:02d}:05"
        digest = store_site_photo(store.db, note, taken)
        if digest is None:
            return
        payload["evidence"] = [
            {"sha256": digest, "caption": note[:30], "name": f"IMG_{day.replace('-', '')}_{done + 1}.jpg"}
        ]
        store.record(eval_id, item_id, payload)
        done += 1


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
    _photos(clerk, first.id, "2026-05-12", 3)
    clerk.sign(first.id, signers(TEAM, "赵丽", db))
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
    _photos(clerk, complete.id, "2026-11-19", 2)
    # 4. a vetoed one
    vetoed = clerk.create(SICHUAN, orgs[2]["id"], "inspection", visit_date="2026-10-28", team=TEAM)
    _fill(clerk, vetoed.id, sichuan, rng, 0.85)
    clerk.set_veto(vetoed.id, "V3", True, "超出备案职业范围组织鉴定2批次")
    # 5. Chongqing renewal: fractions and bonus
    experts = EvaluationStore(db, "谭晓东")
    renewal = experts.create(
        CHONGQING, orgs[4]["id"], "inspection", visit_date="2026-11-10", team=CHONGQING_TEAM
    )
    cq = experts.rubric(CHONGQING, renewal.rubric_version)  # the form's latest version
    _fill(experts, renewal.id, cq, rng, 0.85)
    experts.record(renewal.id, "1.1.1", {"problems": 2, "note": "未设内部质量督导、证书管理员岗位"})
    todo = experts.create(
        CHONGQING, orgs[5]["id"], "inspection", visit_date="2026-11-25", team=CHONGQING_TEAM
    )
    # 6. Henan form at the Zhengzhou station, not started; a Fujian supervision record, half done
    EvaluationStore(db, "郭卫东").create(
        HENAN, orgs[6]["id"], "inspection", visit_date="2026-12-01", team=HENAN_TEAM
    )
    supervisor = EvaluationStore(db, "林志明")
    record = supervisor.create(FUJIAN, orgs[7]["id"], "inspection", visit_date="2026-11-21", team=FUJIAN_TEAM)
    _fill(supervisor, record.id, supervisor.rubric(FUJIAN, record.rubric_version), rng, 0.9, upto=12)
    del todo
    count = db.conn.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    return DemoSummary(len(orgs), count, created=True)

"""A centre's composed rulebook for tests of the draw: Zhengzhou's people rules plus Fujian's special
team minimum (as the centre's must) and record deadline for any supervisor.

The engine tests before rulebooks ran every rule on every plan; these tests keep their rules by
naming a rulebook that has them, as a centre would compose it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from inspector.centre.plans import Plan
from inspector.centre.plans import new_plan as _new_plan
from inspector.centre.rulebooks import add_rulebook_text, find_rulebook
from inspector.errors import NotFoundError

COMPOSED_ID = "test-centre-composed"
COMPOSED = f'''
id = "{COMPOSED_ID}"
title = "测试中心组合规则册"
issuer = "测试中心"
document = "测试中心自定"
year = 2026
based_on = ["zhengzhou-2014-supervision"]

[[rules]]
key = "team_min"
strength = "centre"
article = "福建办法 第三章四"
quote = "督导小组原则上由3名及以上质量督导员组成"
note = "本中心从严：专项督导一律 3 人及以上"
params = {{ min = 3, plan_kind = "special" }}

[[rules]]
key = "record_due"
strength = "centre"
article = "福建办法 第三章七"
quote = "外督应在日常督导工作结束后5个工作日向委派机构提交督导情况记录表（附件4）。"
note = "本中心对所有督导员、所有督导类型要求 5 个工作日内提交记录"
params = {{ working_days = 5, supervisor_kind = "any", plan_kind = "any" }}
'''


def composed(db: sqlite_utils.Database) -> str:
    try:
        return find_rulebook(db, COMPOSED_ID).id
    except NotFoundError:
        return add_rulebook_text(db, COMPOSED, "composed.toml").id


def new_plan(db: sqlite_utils.Database, rubric: str, title: str, kind: str, **kw: Any) -> Plan:
    kw.setdefault("rulebook", composed(db))
    return _new_plan(db, rubric, title, kind, **kw)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)

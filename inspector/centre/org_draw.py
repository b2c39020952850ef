""" "双随机": the organisations of a plan drawn from the register by a published seed.

福建办法 第三章三、四: 日常督导 and 专项督导 "可采取“双随机、一公开”等方式进行" — the supervisors are
drawn (:mod:`inspector.centre.dispatch`) and, when the plan says so, the organisations too. Only on a
plan whose rulebook has ``double_random``. The pool is the register's organisations (optionally of
one region or category) not yet in the plan, sorted by id; the number is the centre's (a number or
a share of the pool, rounded up), stated in the record; the draw is the dispatch's published
algorithm with the key ``"{seed}:orgs"``. The record (pool, number, result) is published and never
changed; :func:`verify_org_draw` re-runs it from the record alone.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlite_utils

from inspector.centre.common import iso, new_id, optional_day
from inspector.centre.dispatch import _draw_team
from inspector.centre.plans import get_plan, insert_targets, plan_rulebook
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction
from inspector.store.evaluations import default_author

RECORD_FORMAT = "inspector-org-draw-1"


def org_draw_key(seed: str) -> str:
    return f"{seed}:orgs"


def draw_organisations(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    seed: str,
    number: int | None = None,
    share: str | Decimal | None = None,
    region: str | None = None,
    category: str | None = None,
    visit_date: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    """Draw organisations into the plan as targets; store and return the published record."""
    plan = get_plan(db, plan_id)
    book = plan_rulebook(db, plan)
    if not book.has("double_random"):
        raise UsageError(_("计划的规则册 {id} 没有“双随机”抽取被督导机构的规定").format(id=book.id), plan_id)
    seed = str(seed).strip()
    if not seed:
        raise UsageError(_("请给出随机种子：抽取结果须能用同一种子复现"))
    if (number is None) == (share is None):
        raise UsageError(_("请给出抽取的机构数或比例（二者选一）"))
    day = optional_day(visit_date, "date")
    if day is not None:
        plan.check_day(day, plan_id)
    with transaction(db) as conn:
        taken = {r[0] for r in conn.execute("SELECT org_id FROM plan_targets WHERE plan_id = ?", (plan_id,))}
        pool = []
        for org_id, details in conn.execute("SELECT id, details FROM orgs ORDER BY id"):
            d = loads(details) if details else {}
            if org_id in taken:
                continue
            if region and d.get("region") != region:
                continue
            if category and d.get("category") != category.upper():
                continue
            pool.append(org_id)
        if share is not None:
            try:
                fraction = Decimal(str(share))
            except InvalidOperation:
                raise UsageError(_("抽取比例应为 0 到 1 之间的数，收到 {v}").format(v=share)) from None
            if not Decimal(0) < fraction <= Decimal(1):
                raise UsageError(_("抽取比例应为 0 到 1 之间的数，收到 {v}").format(v=share))
            k = math.ceil(fraction * len(pool))
        else:
            assert number is not None
            k = number
        if k < 1 or k > len(pool):
            raise UsageError(
                _("登记册中可抽取的机构 {n} 个，不能抽取 {k} 个").format(n=len(pool), k=k), plan_id
            )
        drawn = list(_draw_team(pool, k, org_draw_key(seed)))
        draw_id, created_at, created_by = new_id(), now(), author or default_author()
        record = {
            "format": RECORD_FORMAT,
            "algorithm": "inspector.centre.dispatch._draw_team over the pool sorted by id, key '{seed}:orgs'",
            "rulebook": {"id": book.id, "hash": book.content_hash},
            "plan": plan.id,
            "seed": seed,
            "filter": {"region": region, "category": category},
            "number": number,
            "share": None if share is None else str(share),
            "pool": pool,
            "drawn": drawn,
            "visit_date": iso(day),
            "created_at": created_at,
            "created_by": created_by,
        }
        conn.execute(
            "INSERT INTO org_draws (id, plan_id, seed, created_at, created_by, record)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (draw_id, plan_id, seed, created_at, created_by, canonical(record)),
        )
        insert_targets(conn, plan_id, list(drawn), day, created_at)
    return {"id": draw_id, **record}


def org_draws(db: sqlite_utils.Database, plan_id: str) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        "SELECT id, record FROM org_draws WHERE plan_id = ? ORDER BY created_at, rowid", (plan_id,)
    )
    return [{"id": r[0], **loads(r[1])} for r in rows]


def verify_org_draw(db: sqlite_utils.Database, draw_id: str) -> list[str]:
    """Re-run an organisation draw from its record; the differences (none when it holds)."""
    row = db.conn.execute("SELECT record FROM org_draws WHERE id = ?", (draw_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这次抽取记录"), draw_id)
    r = loads(row[0])
    k = len(r["drawn"])
    if r["share"] is not None:
        k = math.ceil(Decimal(r["share"]) * len(r["pool"]))
    elif r["number"] is not None:
        k = r["number"]
    again = list(_draw_team(r["pool"], k, org_draw_key(r["seed"])))
    return [] if again == r["drawn"] else [_("机构抽取：重新抽取的结果与公布的不同")]

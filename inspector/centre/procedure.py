"""A target's procedure: the steps its plan's rulebook lists, each recorded with its day, in order.

福建办法 第三章四 (专项督导): 现场考察 → 初步督导意见 (反馈) → 申辩意见 → 质量督导意见书 → 整改工作报告.
A step is recorded only after the one before it, on a day not before that one's; a plan whose
rulebook has no procedure for its kind has none. The 意见书 itself is printed by
:mod:`inspector.documents.opinion` from these steps and the target's supervision record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.centre.common import iso, parse_day
from inspector.centre.plans import get_plan, plan_rulebook
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.store.db import transaction
from inspector.store.evaluations import default_author

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class StepState:
    name: str
    quote: str
    done_on: dt.date | None
    note: str | None
    recorded_by: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "quote": self.quote,
            "done_on": iso(self.done_on),
            "note": self.note,
            "recorded_by": self.recorded_by,
        }


def target_steps(db: sqlite_utils.Database, plan_id: str, org_id: str) -> list[StepState]:
    """The procedure's steps for one target, in order, with what is recorded; empty without one."""
    plan = get_plan(db, plan_id)
    rule = plan_rulebook(db, plan).get("procedure")
    if rule is None or rule.params.get("plan_kind") not in ("any", plan.kind):
        return []
    found = {
        r[0]: (dt.date.fromisoformat(r[1]), r[2], r[3])
        for r in db.conn.execute(
            "SELECT step, done_on, note, recorded_by FROM target_steps WHERE plan_id = ? AND org_id = ?",
            (plan_id, org_id),
        )
    }
    out = []
    for st in rule.steps:
        day, note, by = found.get(st.name, (None, None, None))
        out.append(StepState(st.name, st.quote, day, note, by))
    return out


def record_step(
    db: sqlite_utils.Database,
    plan_id: str,
    org_id: str,
    step: str,
    done_on: dt.date | str,
    note: str | None = None,
    by: str | None = None,
) -> list[StepState]:
    if (
        db.conn.execute(
            "SELECT 1 FROM plan_targets WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
        ).fetchone()
        is None
    ):
        raise NotFoundError(_("该机构不在本计划中"), org_id)
    steps = target_steps(db, plan_id, org_id)
    names = [s.name for s in steps]
    if step not in names:
        raise UsageError(
            _("本计划的规则册没有这个步骤：{step}（有：{all}）").format(
                step=step, all="、".join(names) or "—"
            ),
            step,
        )
    day = parse_day(done_on, "done_on")
    i = names.index(step)
    recorded = steps[i].done_on
    if recorded is not None:
        raise UsageError(_("该步骤已于 {d} 记录").format(d=recorded.isoformat()), step)
    if i > 0:
        before = steps[i - 1]
        if before.done_on is None:
            raise UsageError(_("请先记录上一步：{step}").format(step=before.name), step)
        if day < before.done_on:
            raise UsageError(
                _("{step} 的日期 {d} 早于上一步 {prev}（{p}）").format(
                    step=step, d=day.isoformat(), prev=before.name, p=before.done_on.isoformat()
                ),
                step,
            )
    with transaction(db) as conn:
        conn.execute(
            "INSERT INTO target_steps (plan_id, org_id, step, done_on, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                plan_id,
                org_id,
                step,
                day.isoformat(),
                (note or "").strip() or None,
                by or default_author(),
                now(),
            ),
        )
    return target_steps(db, plan_id, org_id)

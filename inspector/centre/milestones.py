"""A plan's timetable: the milestones its rulebook names (Sichuan 2017 三: 自查自评 4月30日前 →
审查评估 6月30日前 → 抽查复核 8月31日前 → 向社会公告 9月30日前), each due in the plan's year, marked
done with its day, and late when its day has passed undone.

"前" is read as "by the end of that day" (the day itself is in time), as the rulebook records.

A stage whose deadline falls before the plan's own period begins is not that plan's to miss: the
notice sets one campaign's timetable, and a plan that starts on 1 October (the demo's second half)
cannot be late for an April self-assessment. Such a stage, unmarked, is shown as 计划开始前已截止
and not counted late (the Sichuan demo's plans page said "4 项逾期" on a plan not yet begun when
those days passed). Marked done, it is done as any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.centre.common import iso, parse_day, today
from inspector.centre.plans import get_plan, plan_rulebook
from inspector.clock import now
from inspector.errors import UsageError
from inspector.i18n import _
from inspector.store.db import transaction
from inspector.store.evaluations import default_author

if TYPE_CHECKING:
    import sqlite_utils


def milestone_state_name(state: str) -> str:
    names = {
        "done": _("已完成"),
        "done_late": _("逾期完成"),
        "late": _("已逾期"),
        "open": _("未到期"),
        "before_plan": _("计划开始前已截止（不计逾期）"),
    }
    return names.get(state, state)


@dataclass(frozen=True)
class MilestoneState:
    name: str
    due: dt.date
    quote: str
    done_on: dt.date | None
    recorded_by: str | None
    state: str  # open | late | done | done_late | before_plan

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "due": self.due.isoformat(),
            "quote": self.quote,
            "done_on": iso(self.done_on),
            "recorded_by": self.recorded_by,
            "state": self.state,
            "state_name": milestone_state_name(self.state),
        }


def plan_milestones(
    db: sqlite_utils.Database, plan_id: str, on: dt.date | None = None
) -> list[MilestoneState]:
    """The plan's milestones as of ``on`` (today by default); empty when its rulebook has none."""
    day = on or today()
    plan = get_plan(db, plan_id)
    rule = plan_rulebook(db, plan).get("milestones")
    if rule is None:
        return []
    done = {
        r[0]: (dt.date.fromisoformat(r[1]), r[2])
        for r in db.conn.execute(
            "SELECT name, done_on, recorded_by FROM plan_milestones WHERE plan_id = ?", (plan_id,)
        )
    }
    out = []
    for m in sorted(rule.milestones, key=lambda m: m.due):
        month, mday = (int(x) for x in m.due.split("-"))
        due = dt.date(plan.year, month, mday)
        finished, by = done.get(m.name, (None, None))
        if finished is not None:
            state = "done" if finished <= due else "done_late"
        elif plan.starts is not None and due < plan.starts:
            state = "before_plan"
        else:
            state = "late" if day > due else "open"
        out.append(MilestoneState(m.name, due, m.quote, finished, by, state))
    return out


def mark_milestone(
    db: sqlite_utils.Database, plan_id: str, name: str, done_on: dt.date | str, by: str | None = None
) -> MilestoneState:
    """Record the day a milestone was reached (a correction replaces the day, keeping who made it)."""
    names = [m.name for m in plan_milestones(db, plan_id)]
    if name not in names:
        raise UsageError(
            _("本计划的规则册没有这个阶段：{name}（有：{all}）").format(
                name=name, all="、".join(names) or "—"
            ),
            name,
        )
    day = parse_day(done_on, "done_on")
    with transaction(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO plan_milestones (plan_id, name, done_on, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (plan_id, name, day.isoformat(), by or default_author(), now()),
        )
    return next(m for m in plan_milestones(db, plan_id) if m.name == name)

"""Rectification (整改) follow-up: the notice, its deadline, the re-evaluation, the close.

Sichuan: a failed station "责令其限期整改，整改期间不得开展鉴定工作。经整改仍不合格的 … 撤销其鉴定资质";
Chongqing: 60–79 points "下发整改通知书 … 整改期为6个月". The deadline is the notice's own (the centre
types it, or asks for N months or N working days after the notice). A rectification is *open*
until the centre closes it as passed or failed; past its deadline with no re-evaluation it is
*overdue*; with a re-evaluation linked but not closed it is *rechecking*.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.centre.common import iso, new_id, optional_day, parse_day
from inspector.centre.plans import get_plan, plan_rulebook
from inspector.centre.rulebooks import default_rulebook_id, find_rulebook
from inspector.centre.verdicts import latest_verdicts
from inspector.centre.workdays import add_working_days
from inspector.clock import now
from inspector.errors import NotFoundError, StoreError, UsageError
from inspector.i18n import _
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore

if TYPE_CHECKING:
    import sqlite_utils

RESULTS = ("passed", "failed")
STATES = ("open", "overdue", "rechecking", "closed")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when it has no such day (31 Aug + 6 → 28 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Rectification:
    id: str
    org_id: str
    eval_id: str
    plan_id: str | None
    notice_no: str | None
    notice_sent: dt.date
    deadline: dt.date
    recheck_eval_id: str | None
    closed_on: dt.date | None
    result: str | None
    note: str | None

    def state(self, on: dt.date) -> str:
        if self.closed_on is not None:
            return "closed"
        if self.recheck_eval_id is not None:
            return "rechecking"
        return "overdue" if on > self.deadline else "open"

    def as_json(self, on: dt.date) -> dict[str, Any]:
        return {
            "id": self.id,
            "org": self.org_id,
            "eval": self.eval_id,
            "plan": self.plan_id,
            "notice_no": self.notice_no,
            "notice_sent": self.notice_sent.isoformat(),
            "deadline": self.deadline.isoformat(),
            "recheck_eval": self.recheck_eval_id,
            "closed_on": iso(self.closed_on),
            "result": self.result,
            "note": self.note,
            "state": self.state(on),
            "days_left": (self.deadline - on).days,
        }


def _rect(row: sqlite3.Row) -> Rectification:
    return Rectification(
        id=row["id"],
        org_id=row["org_id"],
        eval_id=row["eval_id"],
        plan_id=row["plan_id"],
        notice_no=row["notice_no"],
        notice_sent=dt.date.fromisoformat(row["notice_sent"]),
        deadline=dt.date.fromisoformat(row["deadline"]),
        recheck_eval_id=row["recheck_eval_id"],
        closed_on=optional_day(row["closed_on"]),
        result=row["result"],
        note=row["note"],
    )


def open_rectification(
    db: sqlite_utils.Database,
    eval_id: str,
    *,
    notice_sent: dt.date | str,
    deadline: dt.date | str | None = None,
    months: int | None = None,
    working_days: int | None = None,
    plan_id: str | None = None,
    notice_no: str | None = None,
    note: str | None = None,
) -> Rectification:
    """Record a rectification notice sent after a signed evaluation.

    The term is the rulebook's (重庆 附件6 "整改期为6个月") when it has one and none is given;
    otherwise exactly one deadline form must be given (Sichuan's "限期整改" sets no term).
    """
    store = EvaluationStore(db)
    e = store.get(eval_id)
    if e.state != "signed":
        raise StoreError(_("只能对已签署的评估下发整改通知"), eval_id)
    sent = parse_day(notice_sent, "notice_sent")
    given = [x is not None for x in (deadline, months, working_days)]
    if not any(given):
        months = _rulebook_term(db, e.rubric_id, plan_id)
        given = [False, months is not None, False]
    if sum(given) != 1:
        raise UsageError(_("请给出整改期限：截止日期、月数或工作日数，三者选一"))
    if deadline is not None:
        due = parse_day(deadline, "deadline")
    elif months is not None:
        due = add_months(sent, months)
    else:
        assert working_days is not None
        due = add_working_days(sent, working_days)
    if due < sent:
        raise UsageError(_("整改期限 {d} 早于通知日期 {s}").format(d=due.isoformat(), s=sent.isoformat()))
    rect_id = new_id()
    with transaction(db) as conn:
        if (
            plan_id is not None
            and conn.execute("SELECT 1 FROM plans WHERE id = ?", (plan_id,)).fetchone() is None
        ):
            raise NotFoundError(_("没有这个计划"), plan_id)
        conn.execute(
            "INSERT INTO rectifications (id, org_id, eval_id, plan_id, notice_no, notice_sent, deadline,"
            " note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rect_id,
                e.org_id,
                eval_id,
                plan_id,
                (notice_no or "").strip() or None,
                sent.isoformat(),
                due.isoformat(),
                (note or "").strip() or None,
                now(),
            ),
        )
    return get_rectification(db, rect_id)


def _rulebook_term(db: sqlite_utils.Database, rubric_id: str, plan_id: str | None) -> int | None:
    """The rectification term (months) of the plan's rulebook, else of the rubric's own."""
    try:
        book = (
            plan_rulebook(db, get_plan(db, plan_id))
            if plan_id
            else find_rulebook(db, default_rulebook_id(rubric_id))
        )
    except (NotFoundError, UsageError):
        return None
    months = book.param("rectification_term", "months")
    return int(months) if months is not None else None


def passes(db: sqlite_utils.Database, eval_id: str) -> bool:
    """Whether an evaluation's outcome passes: the rubric's best outcome, or the group's 合格."""
    store = EvaluationStore(db)
    e = store.get(eval_id)
    outcome = store.totals([e])[e.id].outcome
    if outcome is None:
        v = latest_verdicts(db, [eval_id]).get(eval_id)
        return bool(v and v["verdict"] == "pass")
    rubric = store.rubric(e.rubric_id, e.rubric_version)
    return bool(rubric.outcomes) and outcome.code == rubric.outcomes[0].code


def get_rectification(db: sqlite_utils.Database, rect_id: str) -> Rectification:
    row = db.conn.execute("SELECT * FROM rectifications WHERE id = ?", (rect_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这条整改记录"), rect_id)
    return _rect(row)


def list_rectifications(db: sqlite_utils.Database, eval_ids: set[str] | None = None) -> list[Rectification]:
    rows = db.conn.execute("SELECT * FROM rectifications ORDER BY notice_sent, created_at")
    found = [_rect(r) for r in rows]
    return [r for r in found if eval_ids is None or r.eval_id in eval_ids]


def link_recheck(db: sqlite_utils.Database, rect_id: str, recheck_eval_id: str) -> Rectification:
    """The re-evaluation after rectification: same organisation, not a self-assessment."""
    r = get_rectification(db, rect_id)
    if r.closed_on is not None:
        raise StoreError(_("该整改已结案"), rect_id)
    e = EvaluationStore(db).get(recheck_eval_id)
    if e.org_id != r.org_id or e.kind == "self" or e.id == r.eval_id:
        raise StoreError(_("复评须是对同一机构的另一次检查"), recheck_eval_id)
    with transaction(db) as conn:
        conn.execute("UPDATE rectifications SET recheck_eval_id = ? WHERE id = ?", (recheck_eval_id, rect_id))
    return get_rectification(db, rect_id)


def close_rectification(
    db: sqlite_utils.Database, rect_id: str, *, result: str, closed_on: dt.date | str, note: str | None = None
) -> Rectification:
    """Close as passed (整改合格) or failed (仍不合格); passed needs a signed re-evaluation."""
    r = get_rectification(db, rect_id)
    if r.closed_on is not None:
        raise StoreError(_("该整改已结案"), rect_id)
    if result not in RESULTS:
        raise UsageError(_("结案结论应为 passed（整改合格）或 failed（仍不合格）"), result)
    if result == "passed" and (
        r.recheck_eval_id is None or EvaluationStore(db).get(r.recheck_eval_id).state != "signed"
    ):
        raise StoreError(_("整改合格须有已签署的复评"), rect_id)
    # 川人社函〔2017〕297号 二（二）3 "经整改仍不合格的…撤销"; 重庆 "经评估合格再进行续期备案"
    if result == "passed" and r.recheck_eval_id is not None and not passes(db, r.recheck_eval_id):
        raise StoreError(_("复评结论不是合格：不能以“整改合格”结案"), rect_id)
    day = parse_day(closed_on, "closed_on")
    if day < r.notice_sent:
        raise UsageError(_("结案日期早于通知日期"), rect_id)
    with transaction(db) as conn:
        conn.execute(
            "UPDATE rectifications SET closed_on = ?, result = ?, note = COALESCE(?, note) WHERE id = ?",
            (day.isoformat(), result, (note or "").strip() or None, rect_id),
        )
    return get_rectification(db, rect_id)

"""The review of an applicant that is not scored (重庆 延续备案通知 三（二）1, see
:mod:`inspector.centre.applicants`): "人力社保部门收到用人单位评价机构申报材料后，10个工作日内提出审核
意见，向符合延续备案条件的，出具延续备案回执。"

A review is recorded against the plan's target (there is no scored evaluation): its outcome in the
notice's words, the 审核意见 itself (required when the outcome is 不符合: the applicant is owed the
reason), the day. Only where the plan's rulebook has ``unscored_review`` and the register gives
the organisation that type. A correction is a new row; the latest counts, the earlier ones stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector.centre.applicants import (
    REVIEW_OUTCOMES,
    applicant_type_name,
    review_outcome_name,
    reviewed_without_scoring,
)
from inspector.centre.common import iso, new_id, parse_day
from inspector.centre.plans import get_plan, plan_rulebook
from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.store.changes import loads
from inspector.store.db import transaction
from inspector.store.evaluations import default_author

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class Review:
    plan_id: str
    org_id: str
    outcome: str  # eligible | ineligible
    opinion: str | None
    reviewed_on: dt.date
    recorded_by: str
    recorded_at: str

    @property
    def label(self) -> str:
        return review_outcome_name(self.outcome)

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan_id,
            "org": self.org_id,
            "outcome": {"code": self.outcome, "label": self.label},
            "opinion": self.opinion,
            "reviewed_on": iso(self.reviewed_on),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
        }


def org_details(db: sqlite_utils.Database, org_id: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT details FROM orgs WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    found: dict[str, Any] = loads(row[0]) if row[0] else {}
    return found


def record_review(
    db: sqlite_utils.Database,
    plan_id: str,
    org_id: str,
    outcome: str,
    opinion: str | None = None,
    reviewed_on: dt.date | str | None = None,
    by: str | None = None,
) -> Review:
    """Record the 审核意见 of a target reviewed without scoring; refused (nothing stored) when the
    plan's rulebook does not review this organisation's type."""
    plan = get_plan(db, plan_id)
    if (
        db.conn.execute(
            "SELECT 1 FROM plan_targets WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
        ).fetchone()
        is None
    ):
        raise NotFoundError(_("该机构不在本计划中"), org_id)
    if outcome not in REVIEW_OUTCOMES:
        raise UsageError(
            _("审核结论应为 eligible（符合延续备案条件）或 ineligible（不符合延续备案条件）"), outcome
        )
    book = plan_rulebook(db, plan)
    if not book.has("unscored_review"):
        raise UsageError(_("本计划的规则册没有“只审核、不评分”的规定：请按评估表评分"), plan_id)
    kind = org_details(db, org_id).get("applicant_type")
    if not reviewed_without_scoring(book, kind):
        raise UsageError(
            _("该机构在登记册中的评价机构类型为“{kind}”，按规则册须评分，不能只审核").format(
                kind=applicant_type_name(kind) or _("未登记")
            ),
            org_id,
        )
    words = (opinion or "").strip() or None
    if outcome == "ineligible" and words is None:
        raise UsageError(_("不符合延续备案条件的，须写明审核意见（理由）"), org_id)
    day = parse_day(reviewed_on, "reviewed_on") if reviewed_on is not None else dt.date.today()
    with transaction(db) as conn:
        conn.execute(
            "INSERT INTO target_reviews (id, plan_id, org_id, outcome, opinion, reviewed_on, recorded_by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id(), plan_id, org_id, outcome, words, day.isoformat(), by or default_author(), now()),
        )
    return latest_reviews(db, plan_id, [org_id])[org_id]


def latest_reviews(
    db: sqlite_utils.Database, plan_id: str, org_ids: Iterable[str] | None = None
) -> dict[str, Review]:
    """Each target's latest review in the plan (of the given organisations, else all)."""
    wanted = None if org_ids is None else set(org_ids)
    out: dict[str, Review] = {}
    for row in db.conn.execute(
        "SELECT org_id, outcome, opinion, reviewed_on, recorded_by, recorded_at FROM target_reviews"
        " WHERE plan_id = ? ORDER BY recorded_at, id",
        (plan_id,),
    ):
        if wanted is None or row[0] in wanted:
            out[row[0]] = Review(
                plan_id, row[0], row[1], row[2], dt.date.fromisoformat(row[3]), row[4], row[5]
            )
    return out


def all_latest_reviews(db: sqlite_utils.Database) -> list[tuple[str, Review]]:
    """Every target's latest review with its plan's rubric id (for the statistics)."""
    rubric = {r[0]: r[1] for r in db.conn.execute("SELECT id, rubric_id FROM plans")}
    latest: dict[tuple[str, str], Review] = {}
    for row in db.conn.execute(
        "SELECT plan_id, org_id, outcome, opinion, reviewed_on, recorded_by, recorded_at FROM target_reviews"
        " ORDER BY recorded_at, id"
    ):
        latest[(row[0], row[1])] = Review(
            row[0], row[1], row[2], row[3], dt.date.fromisoformat(row[4]), row[5], row[6]
        )
    return [(rubric.get(r.plan_id, ""), r) for r in latest.values()]

"""The results desk of one plan: plain, typed rows a Qt model or a workbook can show as they are.

For every target: its state, score, outcome and vetoes, beside the station's self-assessment;
then the lists the centre works from (Sichuan 2017: 自查自评 → 审查评估 → 抽查复核 → 向社会公告):

* **state**: ``cancelled``; ``planned`` (no team); ``dispatched`` (a team, no evaluation yet);
  then the evaluation's own state ``draft`` / ``complete`` / ``signed``. A target's evaluation is
  the one linked to it, else the plan's rubric's inspection of that organisation on the visit day
  (or, with no day, within the plan's period); always its latest revision.
* **outcome** only once the evaluation is complete (a draft's total is partial); vetoes as found.
* **self-assessment differences**: the items where the station's self-score differs from the
  inspection (self minus inspection, so a station that flatters itself shows a positive number).
* **spot re-check** (抽查复核): among the signed targets, ``ceil(share × n)`` drawn at random with
  the dispatch's published algorithm and the key ``"{seed}:recheck"`` (seed: the plan id unless
  given), so that the list can be re-drawn by anyone; plus every signed target whose self-score
  exceeds the inspection by ``DIFFERENCE_FLAG`` points or more (the gap is itself a finding).
* **rectifications**: every notice on the plan's evaluations with its state, and a ``notice_due``
  row for each signed evaluation whose outcome calls for one (fail, rectify) and has none.
* **demonstration recommendations** (示范推荐), only where the plan's rulebook has them (Henan 2011
  二): the signed targets the evaluation group rated 合格 and recommended, with its opinion. No
  score bar: the notice sets none (before rulebooks an invented 90 % bar ran on every plan).
* **public announcement** (向社会公告): the list the plan's rulebook publishes — Sichuan 三（四）
  the 合格 stations with their appraisal scope (occupations and levels of the last three years,
  from the register); Henan 二 every result; none without such a rule. Scores are not published.
* **outcome** of a form without a pass line (Henan 2011): the evaluation group's recorded verdict
  (:mod:`inspector.centre.verdicts`) where the rulebook has ``group_verdict``.
* **applicant types** (重庆 延续备案通知 三（二）): where the rulebook has ``unscored_review``, a
  target of that type (用人单位) is reviewed, not scored: state ``reviewed`` and the review's outcome
  (:mod:`inspector.centre.reviews`), no score; ``decision_due`` is the last of the 10 (reviewed) or 20
  (scored) working days from the day the application was received, overdue while undecided.
* **overdue supervision records**: a team whose ``record_due`` (only where the plan's rulebook sets
  one) is before today and whose evaluation is not signed, with the working days late.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from inspector.centre.applicants import decision_due
from inspector.centre.common import iso, optional_day, today
from inspector.centre.dispatch import _draw_team  # the published draw, reused for the re-check sample
from inspector.centre.plans import Plan, assigned, get_plan, plan_rulebook
from inspector.centre.rectifications import list_rectifications
from inspector.centre.register import scope, scope_levels
from inspector.centre.reviews import latest_reviews
from inspector.centre.verdicts import latest_verdicts
from inspector.centre.workdays import working_days_between
from inspector.errors import InspectorError, UsageError
from inspector.i18n import _
from inspector.rubric.comparison import compare_self
from inspector.rubric.points import json_number
from inspector.rubric.scoring import disallowed
from inspector.store.changes import canonical, loads
from inspector.store.evaluations import FIGURES_COLUMNS, EvaluationStore
from inspector.store.folder_role import station_signed
from inspector.store.rubrics import get_rubric

if TYPE_CHECKING:
    import sqlite_utils

RECHECK_SHARE = Decimal("0.1")
DIFFERENCE_FLAG = Decimal(10)
NEEDS_RECTIFICATION = frozenset({"fail", "rectify"})


_NUMBERS: dict[Decimal, int | float] = {}


def _num(d: Decimal | None) -> int | float | None:
    # A desk of 100,000 rows repeats a few hundred figures: each converted once (json_number depends
    # only on the value, and equal decimals hash alike). Bounded: cleared when it grows large.
    if d is None:
        return None
    n = _NUMBERS.get(d)
    if n is None:
        if len(_NUMBERS) > 100_000:
            _NUMBERS.clear()
        n = _NUMBERS[d] = json_number(d)
    return n


@dataclass(frozen=True)
class TargetResult:
    org_id: str
    org_name: str
    org_code: str | None
    category: str | None
    region: str | None
    visit_date: str | None
    team: tuple[str, ...]
    team_names: tuple[str, ...]
    record_due: str | None
    eval_id: str | None
    state: str
    total: Decimal | None
    max_points: Decimal | None
    outcome_code: str | None
    outcome_label: str | None
    vetoes: tuple[str, ...]
    self_eval_id: str | None = None
    self_total: Decimal | None = None
    self_difference: Decimal | None = None
    differing_items: int = 0
    rectification: str | None = None
    record_overdue: bool = False
    # 重庆 一 "备案有效期届满30日前…提出延续备案申请": the last day to apply, where the rulebook says so
    renewal_apply_by: str | None = None
    renewal_overdue: bool = False
    # 重庆 三（二）: the applicant's type (register); an employer is reviewed, not scored (review_only,
    # its outcome the review's); the 10 / 20 working days from the day the application was received
    applicant_type: str | None = None
    review_only: bool = False
    review_opinion: str | None = None
    decision_due: str | None = None
    decision_overdue: bool = False
    # issue 19: who signed the self-assessment at the station (None: typed in at the centre)
    self_signed_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return target_json(self)


class DeskRow(NamedTuple):
    """A target's row as the desk computes it: :class:`TargetResult`'s fields, in its order, as a plain
    tuple (issue 18 S3: the command line writes 100,000 of them as JSON without typed rows; the window
    and the workbook get :class:`TargetResult` rows made from these)."""

    org_id: str
    org_name: str
    org_code: str | None
    category: str | None
    region: str | None
    visit_date: str | None
    team: tuple[str, ...]
    team_names: tuple[str, ...]
    record_due: str | None
    eval_id: str | None
    state: str
    total: Decimal | None
    max_points: Decimal | None
    outcome_code: str | None
    outcome_label: str | None
    vetoes: tuple[str, ...]
    self_eval_id: str | None
    self_total: Decimal | None
    self_difference: Decimal | None
    differing_items: int
    rectification: str | None
    record_overdue: bool
    renewal_apply_by: str | None
    renewal_overdue: bool
    applicant_type: str | None
    review_only: bool
    review_opinion: str | None
    decision_due: str | None
    decision_overdue: bool
    self_signed_by: str | None


def target_json(t: TargetResult | DeskRow) -> dict[str, Any]:
    """A target's JSON object (``results --json``), the same for a typed row and a desk row."""
    return {
        "org": t.org_id,
        "org_name": t.org_name,
        "org_code": t.org_code,
        "category": t.category,
        "region": t.region,
        "date": t.visit_date,
        "team": list(t.team),
        "team_names": list(t.team_names),
        "record_due": t.record_due,
        "eval": t.eval_id,
        "state": t.state,
        "total": _num(t.total),
        "max_points": _num(t.max_points),
        "outcome": {"code": t.outcome_code, "label": t.outcome_label} if t.outcome_code else None,
        "vetoes": list(t.vetoes),
        "self_eval": t.self_eval_id,
        "self_total": _num(t.self_total),
        "self_difference": _num(t.self_difference),
        "differing_items": t.differing_items,
        "rectification": t.rectification,
        "record_overdue": t.record_overdue,
        "renewal_apply_by": t.renewal_apply_by,
        "renewal_overdue": t.renewal_overdue,
        "applicant_type": t.applicant_type,
        "review_only": t.review_only,
        "review_opinion": t.review_opinion,
        "decision_due": t.decision_due,
        "decision_overdue": t.decision_overdue,
        "self_station_signed": t.self_signed_by is not None,
        "self_signed_by": t.self_signed_by,
    }


def _typed(row: DeskRow) -> TargetResult:
    """The TargetResult of a desk row, made without the frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field: 10 µs a row, a second for a plan of 100,000): the same
    immutable object, its fields set at once (DeskRow has exactly TargetResult's fields)."""
    made = object.__new__(TargetResult)
    made.__dict__.update(zip(DeskRow._fields, row, strict=True))
    return made


assert DeskRow._fields == tuple(f.name for f in fields(TargetResult))  # one row, two shapes


@dataclass(frozen=True)
class Difference:
    org_id: str
    org_name: str
    item_id: str
    item_text: str
    self_points: Decimal
    inspection_points: Decimal
    station_signed: bool = False  # the self figure is the station's own signed one (issue 19)

    @property
    def difference(self) -> Decimal:
        return self.self_points - self.inspection_points

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org_id,
            "org_name": self.org_name,
            "item": self.item_id,
            "text": self.item_text,
            "self": _num(self.self_points),
            "inspection": _num(self.inspection_points),
            "difference": _num(self.difference),
            "station_signed": self.station_signed,
        }


@dataclass(frozen=True)
class RecheckPick:
    org_id: str
    org_name: str
    eval_id: str
    total: Decimal | None
    reason: str  # "random" or "difference"

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org_id,
            "org_name": self.org_name,
            "eval": self.eval_id,
            "total": _num(self.total),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RectificationRow:
    org_id: str
    org_name: str
    eval_id: str
    state: str  # open | overdue | rechecking | closed | notice_due
    id: str | None = None
    notice_no: str | None = None
    notice_sent: str | None = None
    deadline: str | None = None
    days_left: int | None = None
    recheck_eval_id: str | None = None
    recheck_state: str | None = None
    recheck_total: Decimal | None = None
    closed_on: str | None = None
    result: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "org": self.org_id,
            "org_name": self.org_name,
            "eval": self.eval_id,
            "state": self.state,
            "notice_no": self.notice_no,
            "notice_sent": self.notice_sent,
            "deadline": self.deadline,
            "days_left": self.days_left,
            "recheck_eval": self.recheck_eval_id,
            "recheck_state": self.recheck_state,
            "recheck_total": _num(self.recheck_total),
            "closed_on": self.closed_on,
            "result": self.result,
        }


@dataclass(frozen=True)
class Recommendation:
    rank: int
    org_id: str
    org_name: str
    eval_id: str
    total: Decimal
    max_points: Decimal
    self_difference: Decimal | None
    opinion: str | None = None  # the evaluation group's recommendation (河南 2011 二)

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "org": self.org_id,
            "org_name": self.org_name,
            "eval": self.eval_id,
            "total": _num(self.total),
            "max_points": _num(self.max_points),
            "self_difference": _num(self.self_difference),
            "opinion": self.opinion,
        }


@dataclass(frozen=True)
class Announcement:
    org_id: str
    org_name: str
    org_code: str | None
    category: str | None
    region: str | None
    outcome_code: str | None
    outcome_label: str | None
    scope: str

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org_id,
            "org_name": self.org_name,
            "org_code": self.org_code,
            "category": self.category,
            "region": self.region,
            "outcome": {"code": self.outcome_code, "label": self.outcome_label}
            if self.outcome_code
            else None,
            "scope": self.scope,
        }


@dataclass(frozen=True)
class OverdueRecord:
    org_id: str
    org_name: str
    visit_date: str
    record_due: str
    team_names: tuple[str, ...]
    eval_id: str | None
    eval_state: str | None
    working_days_late: int | None  # None when the holiday data does not reach today

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org_id,
            "org_name": self.org_name,
            "date": self.visit_date,
            "record_due": self.record_due,
            "team_names": list(self.team_names),
            "eval": self.eval_id,
            "eval_state": self.eval_state,
            "working_days_late": self.working_days_late,
        }


@dataclass(frozen=True)
class PlanResults:
    plan: Plan
    today: dt.date
    targets: list[TargetResult]
    differences: list[Difference] = field(default_factory=list)
    recheck: list[RecheckPick] = field(default_factory=list)
    recheck_seed: str = ""
    rectifications: list[RectificationRow] = field(default_factory=list)
    demonstration: list[Recommendation] = field(default_factory=list)
    announcement: list[Announcement] = field(default_factory=list)
    overdue: list[OverdueRecord] = field(default_factory=list)
    # the plan's rulebook's rectification term (重庆 附件6: 6 months), for the notice form; None: typed
    rectification_months: int | None = None

    def as_json(self) -> dict[str, Any]:
        states: dict[str, int] = {}
        for t in self.targets:
            states[t.state] = states.get(t.state, 0) + 1
        return {
            "plan": self.plan.as_json(),
            "today": self.today.isoformat(),
            "counts": states,
            "targets": [t.as_json() for t in self.targets],
            "differences": [d.as_json() for d in self.differences],
            "recheck_seed": self.recheck_seed,
            "recheck": [r.as_json() for r in self.recheck],
            "rectifications": [r.as_json() for r in self.rectifications],
            "demonstration": [r.as_json() for r in self.demonstration],
            "announcement": [a.as_json() for a in self.announcement],
            "overdue": [o.as_json() for o in self.overdue],
        }


@dataclass(frozen=True)
class Desk:
    """The desk of one plan as :func:`plan_desk` computes it: the targets as :class:`DeskRow` tuples
    (what ``results --json`` writes row by row), the lists the centre works from as in
    :class:`PlanResults` (which :meth:`typed` makes, for the window and the workbook)."""

    plan: Plan
    today: dt.date
    targets: list[DeskRow]
    differences: list[Difference]
    recheck: list[RecheckPick]
    recheck_seed: str
    rectifications: list[RectificationRow]
    demonstration: list[Recommendation]
    announcement: list[Announcement]
    overdue: list[OverdueRecord]
    rectification_months: int | None

    def counts(self) -> dict[str, int]:
        states: dict[str, int] = {}
        for t in self.targets:
            states[t.state] = states.get(t.state, 0) + 1
        return states

    def as_json(self) -> dict[str, Any]:
        """The same document as :meth:`PlanResults.as_json` of :meth:`typed`."""
        return {
            "plan": self.plan.as_json(),
            "today": self.today.isoformat(),
            "counts": self.counts(),
            "targets": [target_json(t) for t in self.targets],
            "differences": [d.as_json() for d in self.differences],
            "recheck_seed": self.recheck_seed,
            "recheck": [r.as_json() for r in self.recheck],
            "rectifications": [r.as_json() for r in self.rectifications],
            "demonstration": [r.as_json() for r in self.demonstration],
            "announcement": [a.as_json() for a in self.announcement],
            "overdue": [o.as_json() for o in self.overdue],
        }

    def typed(self) -> PlanResults:
        return PlanResults(
            plan=self.plan,
            today=self.today,
            targets=[_typed(r) for r in self.targets],
            differences=self.differences,
            recheck=self.recheck,
            recheck_seed=self.recheck_seed,
            rectifications=self.rectifications,
            demonstration=self.demonstration,
            announcement=self.announcement,
            overdue=self.overdue,
            rectification_months=self.rectification_months,
        )


# -- finding each target's evaluation ----------------------------------------------------------------


class _Eval(NamedTuple):
    """What the desk reads of a target's evaluation: one narrow row (a plan may hold 100,000)."""

    id: str
    org_id: str
    rubric_id: str
    rubric_version: int
    kind: str
    visit_date: str | None
    signed_at: str | None
    items: int
    answered: int
    conflicts: int
    figures: tuple[Any, ...] | None  # the kept figures (FIGURES_COLUMNS), None without a row

    @property
    def vetoes(self) -> str | None:  # the vetoes found (JSON)
        return None if self.figures is None else self.figures[2]

    @property
    def state(self) -> str:  # as Evaluation.state
        if self.signed_at:
            return "signed"
        if self.answered >= self.items and not self.conflicts:
            return "complete"
        return "draft"


def _latest_revision(eval_id: str, successors: dict[str, str]) -> str:
    while eval_id in successors:
        eval_id = successors[eval_id]
    return eval_id


# An evaluation's narrow row (_Eval's fields; f.eval_id says whether it has its kept figures)
_EVAL_COLUMNS = (
    "e.id, e.org_id, e.rubric_id, e.rubric_version, e.kind, e.visit_date, e.signed_at, e.items,"
    " COALESCE(f.answered, 0), COALESCE(f.conflicts, 0), f.eval_id, "
    + ", ".join(f"f.{c.strip()}" for c in FIGURES_COLUMNS.split(","))
)
# A candidate's row (see _candidates): only what its target and the query do not already say (its
# organisation is the target's, its form the plan's, its kind an inspection: 4 columns fewer of 24, a
# tenth of the desk's reading at 10,000, where converting each value to Python is most of the cost);
# f.answered (NOT NULL) is None exactly where the evaluation has no kept figures.
_CANDIDATE_COLUMNS = (
    "e.id, e.rubric_version, e.visit_date, e.signed_at, e.items, f.answered, f.conflicts, "
    + ", ".join(f"f.{c.strip()}" for c in FIGURES_COLUMNS.split(","))
    + ", e.created_at"
)


def _eval(row: Sequence[Any]) -> _Eval:
    """The _Eval of a row of :data:`_EVAL_COLUMNS`."""
    figures = None if row[10] is None else tuple(row[11:])
    return tuple.__new__(_Eval, (*row[:10], figures))  # _Eval's fields in order, without its __new__


def _candidate(row: Sequence[Any], rubric_id: str) -> _Eval:
    """The _Eval of a row of :func:`_candidates` (three target columns, :data:`_CANDIDATE_COLUMNS`)."""
    answered = row[8]
    figures = None if answered is None else tuple(row[10:19])
    head = (row[3], row[0], rubric_id, row[4], "inspection", row[5], row[6], row[7])
    return tuple.__new__(_Eval, (*head, answered or 0, row[9] or 0, figures))


def _evaluations_for(conn: Any, plan: Plan) -> tuple[dict[str, _Eval], set[str]]:
    """Each target organisation's evaluation in this plan (see the module docstring), and the
    organisations that have a self-assessment at all.

    Read so that the work scales with the plan, not with the store (issue 18 S3: a province over ten
    years holds ten evaluations a station): the candidates come with their narrow rows and kept
    figures in one query filtered in SQL by the visit day or the plan's period (:func:`_candidates`);
    only a linked evaluation or a later revision (a few) is read by id afterwards."""
    # previous_id >= '': every revision (any text is >= ''; NULL is not), as IS NOT NULL, in a form both
    # engines' planners answer from evaluations_by_previous (v16) rather than a scan of the store
    successors = dict(conn.execute("SELECT previous_id, id FROM evaluations WHERE previous_id >= ''"))
    assessed = {org for (org,) in conn.execute("SELECT DISTINCT org_id FROM evaluations WHERE kind = 'self'")}
    sql, params = _candidates(plan)
    found: dict[str, str] = {}
    created: dict[str, str] = {}  # the chosen candidate's creation time, per target
    rows: dict[str, Sequence[Any]] = {}  # candidate → its row
    starts, ends = plan.starts, plan.ends
    for row in conn.execute(sql, params).fetchall():
        org, linked, candidate = row[0], row[2], row[3]
        if candidate is not None:
            rows[candidate] = row
        if linked:
            found[org] = linked
            continue
        day = row[5]
        if candidate is None or day is None:
            continue
        if row[1] is None:  # a target without a day: the plan's period
            if not (starts or ends):
                continue
            d = dt.date.fromisoformat(day)
            if not (starts or d) <= d <= (ends or d):
                continue
        elif day != row[1]:  # the target's visit day
            continue
        # the latest created wins (as ORDER BY created_at did before: at a tie, the later row)
        if row[19] >= created.get(org, ""):
            found[org], created[org] = candidate, row[19]
    latest = {org: _latest_revision(e, successors) if e in successors else e for org, e in found.items()}
    rubric_id = plan.rubric_id
    read = {e: _candidate(rows[e], rubric_id) for e in set(latest.values()) if e in rows}
    # Linked evaluations and later revisions, the same narrow rows (as EvaluationStore.get_many reads
    # them: joined to their organisation); the ids ride in as one JSON parameter.
    others = sorted({e for e in latest.values() if e not in rows})
    if others:
        for row in conn.execute(
            f"SELECT {_EVAL_COLUMNS} FROM evaluations e JOIN orgs o ON o.id = e.org_id"
            " LEFT JOIN eval_figures f ON f.eval_id = e.id WHERE e.id IN (SELECT value FROM json_each(?))",
            (canonical(others),),
        ):
            read[row[0]] = _eval(tuple(row))
    return {org: read[e] for org, e in latest.items() if e in read}, assessed


# an evaluation's visit day as the write path stores it from a YYYY-MM-DD text (EvaluationStore's
# _check_date takes what date.fromisoformat takes): such a text compares as its date does
_ISO_DAY = "____-__-__"


def _candidates(plan: Plan) -> tuple[str, tuple[Any, ...]]:
    """The query of each target (its visit day, linked evaluation) beside each evaluation that could
    be its result: the plan's form, an inspection, a first revision, with a visit day, and that day
    the target's own or (a target without a day) within the plan's period. The period is compared
    as text only where the text is a YYYY-MM-DD day (whose text order is the date's); any other text
    the write path took (date.fromisoformat's other forms) is left to the caller's date comparison,
    which checks every candidate again: SQL only drops the rows the caller would drop. Unordered
    (the caller keeps the latest created): a sort of the wide rows spilled to a temporary file."""
    period, bounds = "", []
    if plan.starts or plan.ends:
        within = []
        if plan.starts:
            within.append("e.visit_date >= ?")
            bounds.append(plan.starts.isoformat())
        if plan.ends:
            within.append("e.visit_date <= ?")
            bounds.append(plan.ends.isoformat())
        period = (
            f" OR (t.visit_date IS NULL AND (e.visit_date NOT LIKE '{_ISO_DAY}' OR ({' AND '.join(within)})))"
        )
    sql = (
        f"SELECT t.org_id, t.visit_date, t.eval_id, {_CANDIDATE_COLUMNS} FROM plan_targets t"
        " LEFT JOIN evaluations e ON e.org_id = t.org_id AND e.rubric_id = ? AND e.kind = 'inspection'"
        f" AND e.previous_id IS NULL AND e.visit_date IS NOT NULL AND (e.visit_date = t.visit_date{period})"
        " LEFT JOIN eval_figures f ON f.eval_id = e.id WHERE t.plan_id = ?"
    )
    return sql, (plan.rubric_id, *bounds, plan.id)


class _Station(NamedTuple):
    """A target with the register fields the desk shows (one query for the plan, in its order)."""

    org_id: str
    state: str
    visit_date: str | None
    name: str
    code: str | None
    details: dict[str, Any]


def _stations(conn: Any, plan_id: str) -> list[_Station]:
    # the order of plans.targets; the register's fields as register_entries gives them (details.get)
    rows = conn.execute(
        "SELECT t.org_id, t.state, t.visit_date, o.name, o.code, o.details FROM plan_targets t"
        " JOIN orgs o ON o.id = t.org_id WHERE t.plan_id = ?"
        " ORDER BY t.visit_date IS NULL, t.visit_date, o.code, o.name",
        (plan_id,),
    )
    days: dict[str | None, str | None] = {}  # a plan has few visit days: each parsed once

    def visit(day: str | None) -> str | None:
        if day not in days:
            days[day] = iso(optional_day(day))
        return days[day]

    return [
        _Station(org, state, visit(day), name, code, _register_fields(details))
        for org, state, day, name, code, details in rows
    ]


# as loads decodes (exact decimals); scan_once is set on each decoder by its __init__ (not typed)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(parse_float=Decimal).scan_once  # type: ignore[attr-defined]


def _register_fields(text: str) -> Any:
    """:func:`loads` of a station's register text, by the decoder's C scanner itself (loads wraps it
    in two regular-expression matches for the whitespace around: 2 µs a station); any text the
    scanner does not take whole (whitespace around it, an error) goes through :func:`loads`."""
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return loads(text)
    return value if end == len(text) else loads(text)


# -- the desk ----------------------------------------------------------------------------------------


def plan_results(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    on: dt.date | None = None,
    recheck_seed: str | None = None,
    recheck_share: Decimal = RECHECK_SHARE,
) -> PlanResults:
    """The desk of one plan with typed rows, for the window and the workbook (:func:`plan_desk`)."""
    desk = plan_desk(db, plan_id, on=on, recheck_seed=recheck_seed, recheck_share=recheck_share)
    with no_cycle_collection():
        return desk.typed()


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for a block that makes hundreds of thousands of objects and
    no reference cycles (a desk of 100,000 rows: each pass of the collector walks every row made so
    far; about a fifth of the desk's time). Whatever cycles were made meanwhile are collected after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def plan_desk(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    on: dt.date | None = None,
    recheck_seed: str | None = None,
    recheck_share: Decimal = RECHECK_SHARE,
) -> Desk:
    """The desk of one plan, read set-based (issue 18 S1/S3): the targets with their register fields
    in one query, their evaluations' narrow rows in one, their kept figures in one; nothing per
    station but building its row (a plain tuple: :class:`DeskRow`), the lists after it made from
    those rows."""
    with no_cycle_collection(), page_cache(db.conn):
        return _plan_desk(db, plan_id, on, recheck_seed, recheck_share)


# A desk of 10,000 stations reads about 8 MB of pages (schema v16): all of them kept. Not more: at
# 100,000 stations (ten times the pages) a larger cache only trades the system's reads for SQLite's
# own page bookkeeping, and it adds to the peak memory the S3 goal bounds (500 MB).
PAGE_CACHE_KIB = 8192


@contextmanager
def page_cache(conn: Any) -> Iterator[None]:
    """SQLite's page cache of the connection made large for a block that reads a whole plan: at its
    default (2 MB) the desk's joins over the plan's evaluations, their figures and their indexes
    (8 MB at 10,000 stations) evicted and read again each page from the file: 8,300 reads of the
    file where 2,200 do (19,800 before schema v16's covering index). Memory is taken only as pages
    are read, and given back after: the size is restored.
    A server's connection (store/pg.py) has no such cache to size."""
    if not isinstance(conn, sqlite3.Connection):
        yield
        return
    size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{max(PAGE_CACHE_KIB, -size if size < 0 else 0)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(size)}")


def _plan_desk(
    db: sqlite_utils.Database,
    plan_id: str,
    on: dt.date | None,
    recheck_seed: str | None,
    recheck_share: Decimal,
) -> Desk:
    day = on or today()
    plan = get_plan(db, plan_id)
    store = EvaluationStore(db)
    conn = db.conn
    stations = _stations(conn, plan_id)
    people = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM people")}
    teams = assigned(db, plan_id)
    evals, assessed = _evaluations_for(conn, plan)
    eval_ids = [e.id for e in evals.values()]
    totals = store.totals_of(((e, e.figures) for e in evals.values() if e.figures is not None), eval_ids)
    # Only the stations that have a self-assessment at all are asked for theirs (a plan of 100,000 sent
    # as one JSON list cost more than the answer): the same answer, as self_assessments_for gives
    # nothing for the others. (Those stations are found in _evaluations_for's scan of the evaluations:
    # a probe per target of the plan cost more at 100,000.)
    selves = store.self_assessments_for(e for e in evals.values() if e.org_id in assessed)
    signed_at_station = station_signed(conn, [s.id for s in selves.values()])
    rects = list_rectifications(db, set(eval_ids))
    book = plan_rulebook(db, plan)
    verdicts = latest_verdicts(db, eval_ids) if book.has("group_verdict") else {}
    rect_state = {r.eval_id: r.state(day) for r in rects}  # the latest per evaluation wins
    reviews = latest_reviews(db, plan_id) if book.has("unscored_review") else {}
    window = book.param("renewal_window", "days")
    reviewed_type = book.param("unscored_review", "applicant_type")
    vetoes_of: dict[str, tuple[str, ...]] = {}  # the kept JSON text → its vetoes in id order

    rows: list[DeskRow] = []
    differences: list[Difference] = []
    team_of, eval_of, review_of = teams.get, evals.get, reviews.get  # (100,000 rows: bound once)
    for t in stations:
        org = t.details
        team = team_of(t.org_id)
        kind = org.get("applicant_type")
        # reviewed_without_scoring(book, kind), with the rulebook's parameter read once per plan
        review_only = kind is not None and reviewed_type == kind
        review = review_of(t.org_id) if review_only else None
        # an employer is never scored: an evaluation of it (made before its type was registered) is not
        # its result; the review is
        e = None if review_only else eval_of(t.org_id)
        total = outcome = None
        state = "cancelled" if t.state == "cancelled" else "dispatched" if team else "planned"
        if review is not None and t.state != "cancelled":
            state, outcome = "reviewed", {"code": review.outcome, "label": review.label}
        self_eval = self_total = self_diff = self_by = None
        differing = 0
        vetoes: tuple[str, ...] = ()
        if e is not None:
            state = e.state
            figures = totals[e.id]
            # no score before the first answer, not zero points (store/wording.py: 待开始 says —)
            total = figures.total if e.answered or e.conflicts or state != "draft" else None
            if state != "draft":
                outcome = figures.outcome_json()
                if outcome is None and e.id in verdicts:  # the group's verdict, with its reason
                    v = verdicts[e.id]
                    outcome = {"code": v["verdict"], "label": v["label"]}
            if e.vetoes is not None and e.vetoes != "[]":
                found = vetoes_of.get(e.vetoes)
                if found is None:
                    found = vetoes_of[e.vetoes] = tuple(sorted(loads(e.vetoes)))
                vetoes = found
            s = selves.get(e.id) if selves else None
            try:  # either's marks refused by the scoring engine as a whole: no totals to compare
                mine, theirs = (store.report(e.id), store.report(s.id)) if s is not None else (None, None)
            except InspectorError:
                mine = theirs = None
            if s is not None and mine is not None and theirs is not None:
                cmp = compare_self(mine, theirs)
                self_eval, self_total, self_diff = s.id, theirs.total, cmp.total_difference
                if disallowed(mine) is not None or disallowed(theirs) is not None:
                    self_total = self_diff = None  # a mark the form disallows: no total to compare
                self_by = signed_at_station.get(s.id)
                differing = len(cmp.differing)
                for c in cmp.differing:
                    differences.append(
                        Difference(
                            t.org_id,
                            t.name,
                            c.item_id,
                            mine.rubric.item(c.item_id).text,
                            c.theirs.points,
                            c.mine.points,
                            self_by is not None,
                        )
                    )
        due = team.record_due if team else None
        apply_by = None
        if window is not None and org.get("filing_expires"):
            apply_by = dt.date.fromisoformat(org["filing_expires"]) - dt.timedelta(days=int(window))
        decided = review is not None if review_only else (e is not None and state == "signed")
        decide_by = decision_due(book, org) if kind is not None else None  # no type: no term
        rect = rect_state.get(e.id) if e else None
        signed = e is not None and state == "signed"
        if rect is None and signed and outcome and outcome["code"] in NEEDS_RECTIFICATION:
            rect = "notice_due"
        rows.append(
            DeskRow(
                t.org_id,
                t.name,
                t.code,
                org.get("category"),
                org.get("region"),
                (team.visit_date.isoformat() if team else None)
                or t.visit_date
                or (e.visit_date if e else None),
                team.team if team else (),
                tuple(people.get(p, p) for p in team.team) if team else (),
                None if due is None else due.isoformat(),
                e.id if e else None,
                state,
                total,
                totals[e.id].max_points if e else None,
                outcome["code"] if outcome else None,
                outcome["label"] if outcome else None,
                vetoes,
                self_eval,
                self_total,
                self_diff,
                differing,
                rect,
                bool(due and due < day and state != "signed"),
                None if apply_by is None else apply_by.isoformat(),
                bool(apply_by and apply_by < day),
                kind,
                review_only,
                review.opinion if review else None,
                None if decide_by is None else decide_by.isoformat(),
                bool(decide_by and decide_by < day and not decided and t.state != "cancelled"),
                self_by,
            )
        )
    seed = recheck_seed or plan.id
    return Desk(
        plan=plan,
        today=day,
        targets=rows,
        differences=differences,
        recheck=_recheck(rows, seed, recheck_share),
        recheck_seed=seed,
        rectifications=_rectification_rows(store, rows, rects, day),
        demonstration=_demonstration(rows, verdicts) if book.has("demonstration") else [],
        announcement=_announcement(
            rows,
            {t.org_id: t.details for t in stations},
            [o.code for o in get_rubric(db, plan.rubric_id).outcomes] or ["pass", "fail"],
            book.param("announcement", "list"),
        ),
        overdue=_overdue(rows, day),
        rectification_months=book.param("rectification_term", "months"),
    )


def _recheck(rows: Sequence[DeskRow], seed: str, share: Decimal) -> list[RecheckPick]:
    if not Decimal(0) <= share <= Decimal(1):
        raise UsageError(_("抽查比例应在 0 到 1 之间，收到 {v}").format(v=share))
    signed = sorted((r for r in rows if r.state == "signed" and r.eval_id), key=lambda r: r.org_id)
    k = min(len(signed), math.ceil(share * len(signed)))
    by_org = {r.org_id: r for r in signed}
    drawn = _draw_team([r.org_id for r in signed], k, f"{seed}:recheck") if k else ()
    picks = [
        RecheckPick(o, by_org[o].org_name, by_org[o].eval_id or "", by_org[o].total, "random") for o in drawn
    ]
    chosen = set(drawn)  # not the sequence: 10,000 signed targets × 1,000 drawn was 0.17 s
    for r in signed:
        if r.org_id not in chosen and r.self_difference is not None and r.self_difference >= DIFFERENCE_FLAG:
            picks.append(RecheckPick(r.org_id, r.org_name, r.eval_id or "", r.total, "difference"))
    return picks


def _rectification_rows(
    store: EvaluationStore, rows: Sequence[DeskRow], rects: Sequence[Any], day: dt.date
) -> list[RectificationRow]:
    names = {r.org_id: r.org_name for r in rows}
    out = []
    for r in rects:
        recheck = store.get(r.recheck_eval_id) if r.recheck_eval_id else None
        out.append(
            RectificationRow(
                org_id=r.org_id,
                org_name=names.get(r.org_id, r.org_id),
                eval_id=r.eval_id,
                state=r.state(day),
                id=r.id,
                notice_no=r.notice_no,
                notice_sent=r.notice_sent.isoformat(),
                deadline=r.deadline.isoformat(),
                days_left=(r.deadline - day).days,
                recheck_eval_id=r.recheck_eval_id,
                recheck_state=recheck.state if recheck else None,
                recheck_total=store.totals([recheck])[recheck.id].total if recheck else None,
                closed_on=iso(r.closed_on),
                result=r.result,
            )
        )
    for t in rows:
        if t.rectification == "notice_due" and t.eval_id:
            out.append(RectificationRow(t.org_id, t.org_name, t.eval_id, "notice_due"))
    return out


def _demonstration(rows: Sequence[DeskRow], verdicts: dict[str, dict[str, Any]]) -> list[Recommendation]:
    """示范推荐 as Henan's notice says (二): from the stations rated 合格, with the evaluation group's
    opinion. The notice sets no score bar, so none is applied; listed by total, highest first."""
    picked = [
        r
        for r in rows
        if r.state == "signed"
        and r.eval_id in verdicts
        and verdicts[r.eval_id]["verdict"] == "pass"
        and verdicts[r.eval_id]["recommend"]
    ]
    picked.sort(key=lambda r: (-(r.total or 0), r.org_name))
    return [
        Recommendation(
            i + 1,
            r.org_id,
            r.org_name,
            r.eval_id or "",
            r.total or Decimal(0),
            r.max_points or Decimal(0),
            r.self_difference,
            verdicts[r.eval_id or ""]["opinion"],
        )
        for i, r in enumerate(picked)
    ]


def _announcement(
    rows: Sequence[DeskRow],
    register: Mapping[str, Mapping[str, Any]],  # each target's register fields (appraisals: its scope)
    outcomes: Sequence[str],
    listing: str | None,
) -> list[Announcement]:
    """The list the plan's document publishes: Sichuan 三（四） the 合格 stations with their scope;
    Henan 二 every result; a rulebook that publishes nothing, nothing."""
    if listing is None:
        return []
    signed = [r for r in rows if r.state == "signed" and r.outcome_code]
    if listing == "passed_with_scope":
        signed = [r for r in signed if r.outcome_code == outcomes[0]]
    # Best outcome first (a rubric lists its outcomes best first), then by region and name.
    ranks = {code: i for i, code in enumerate(outcomes)}
    rank, last = ranks.get, len(ranks)
    levels = scope_levels()
    signed.sort(key=lambda r: (rank(r.outcome_code or "", last), r.region or "", r.org_name))
    out = []
    for r in signed:
        entry = register[r.org_id]
        # a station without appraisals on record has an empty scope (scope() says so too, dearer)
        listed = scope(entry, levels) if entry.get("appraisals") else ""
        made = object.__new__(Announcement)  # as _typed: 100,000 rows, no frozen __init__
        made.__dict__.update(
            org_id=r.org_id,
            org_name=r.org_name,
            org_code=r.org_code,
            category=r.category,
            region=r.region,
            outcome_code=r.outcome_code,
            outcome_label=r.outcome_label,
            scope=listed,
        )
        out.append(made)
    return out


def _overdue(rows: Sequence[DeskRow], day: dt.date) -> list[OverdueRecord]:
    out = []
    for r in rows:
        if not r.record_overdue or r.record_due is None or r.visit_date is None:
            continue
        try:
            late: int | None = working_days_between(dt.date.fromisoformat(r.record_due), day)
        except UsageError:
            late = None
        out.append(
            OverdueRecord(
                r.org_id,
                r.org_name,
                r.visit_date,
                r.record_due,
                r.team_names,
                r.eval_id,
                r.state if r.eval_id else None,
                late,
            )
        )
    return out

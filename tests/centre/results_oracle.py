"""The results desk as it was computed before issue 18 S1/S3 (main at 753ee5b): one Evaluation object
per target, the whole register entry per station. Kept verbatim as the oracle that
tests/centre/test_desk_equivalence.py compares the set-based desk with, byte for byte."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlite_utils

from inspector.centre.applicants import decision_due, reviewed_without_scoring
from inspector.centre.common import iso, today
from inspector.centre.dispatch import _draw_team  # the published draw, reused for the re-check sample
from inspector.centre.plans import Plan, assigned, get_plan, plan_rulebook, targets
from inspector.centre.rectifications import list_rectifications
from inspector.centre.register import register_entries, scope
from inspector.centre.reviews import latest_reviews
from inspector.centre.verdicts import latest_verdicts
from inspector.centre.workdays import working_days_between
from inspector.errors import UsageError
from inspector.i18n import _
from inspector.rubric.comparison import compare_self
from inspector.rubric.points import json_number
from inspector.rubric.scoring import disallowed
from inspector.store.changes import canonical, loads
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.folder_role import station_signed
from inspector.store.rubrics import get_rubric

RECHECK_SHARE = Decimal("0.1")
DIFFERENCE_FLAG = Decimal(10)
NEEDS_RECTIFICATION = frozenset({"fail", "rectify"})


def _num(d: Decimal | None) -> int | float | None:
    return None if d is None else json_number(d)


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
        return {
            "org": self.org_id,
            "org_name": self.org_name,
            "org_code": self.org_code,
            "category": self.category,
            "region": self.region,
            "date": self.visit_date,
            "team": list(self.team),
            "team_names": list(self.team_names),
            "record_due": self.record_due,
            "eval": self.eval_id,
            "state": self.state,
            "total": _num(self.total),
            "max_points": _num(self.max_points),
            "outcome": {"code": self.outcome_code, "label": self.outcome_label}
            if self.outcome_code
            else None,
            "vetoes": list(self.vetoes),
            "self_eval": self.self_eval_id,
            "self_total": _num(self.self_total),
            "self_difference": _num(self.self_difference),
            "differing_items": self.differing_items,
            "rectification": self.rectification,
            "record_overdue": self.record_overdue,
            "renewal_apply_by": self.renewal_apply_by,
            "renewal_overdue": self.renewal_overdue,
            "applicant_type": self.applicant_type,
            "review_only": self.review_only,
            "review_opinion": self.review_opinion,
            "decision_due": self.decision_due,
            "decision_overdue": self.decision_overdue,
            "self_station_signed": self.self_signed_by is not None,
            "self_signed_by": self.self_signed_by,
        }


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


# -- finding each target's evaluation ----------------------------------------------------------------


def _latest_revision(eval_id: str, successors: dict[str, str]) -> str:
    while eval_id in successors:
        eval_id = successors[eval_id]
    return eval_id


def _evaluations_for(store: EvaluationStore, plan: Plan) -> dict[str, Evaluation]:
    """Each target organisation's evaluation in this plan (see the module docstring)."""
    conn = store.conn
    successors = {
        prev: e
        for e, prev in conn.execute("SELECT id, previous_id FROM evaluations WHERE previous_id IS NOT NULL")
    }
    rows = conn.execute(
        "SELECT t.org_id, t.visit_date, t.eval_id, e.id, e.visit_date FROM plan_targets t"
        " LEFT JOIN evaluations e ON e.org_id = t.org_id AND e.rubric_id = ? AND e.kind = 'inspection'"
        " AND e.previous_id IS NULL WHERE t.plan_id = ? ORDER BY e.created_at",
        (plan.rubric_id, plan.id),
    ).fetchall()
    found: dict[str, str] = {}
    for org, target_day, linked, candidate, day in rows:
        if linked:
            found[org] = linked
            continue
        if candidate is None or day is None:
            continue
        d = dt.date.fromisoformat(day)
        if target_day is not None:
            if day == target_day:
                found[org] = candidate
        elif (plan.starts or plan.ends) and (plan.starts or d) <= d <= (plan.ends or d):
            found[org] = candidate  # ordered by creation: the latest wins
    latest = {org: _latest_revision(e, successors) for org, e in found.items()}
    read = store.get_many(latest.values())  # one query, not one per target
    return {org: read[e] for org, e in latest.items() if e in read}


def _vetoes(store: EvaluationStore, eval_ids: Sequence[str]) -> dict[str, list[str]]:
    """The vetoes found, from the figures kept per evaluation (schema v9), in id order."""
    # The ids ride in as one JSON parameter: no limit on how many a plan has.
    rows = store.conn.execute(
        "SELECT eval_id, vetoes FROM eval_figures WHERE vetoes != '[]'"
        " AND eval_id IN (SELECT value FROM json_each(?))",
        (canonical(list(eval_ids)),),
    )
    return {eval_id: sorted(loads(found)) for eval_id, found in rows}


# -- the desk ----------------------------------------------------------------------------------------


def plan_results(
    db: sqlite_utils.Database,
    plan_id: str,
    *,
    on: dt.date | None = None,
    recheck_seed: str | None = None,
    recheck_share: Decimal = RECHECK_SHARE,
) -> PlanResults:
    day = on or today()
    plan = get_plan(db, plan_id)
    store = EvaluationStore(db)
    plan_targets = targets(db, plan_id)
    register = {r["id"]: r for r in register_entries(db, (t.org_id for t in plan_targets))}
    people = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM people")}
    teams = assigned(db, plan_id)
    evals = _evaluations_for(store, plan)
    totals = store.totals(list(evals.values()))
    vetoes = _vetoes(store, [e.id for e in evals.values()])
    selves = store.self_assessments_for(evals.values())
    signed_at_station = station_signed(db.conn, [s.id for s in selves.values()])
    rects = list_rectifications(db, {e.id for e in evals.values()})
    book = plan_rulebook(db, plan)
    verdicts = latest_verdicts(db, [e.id for e in evals.values()]) if book.has("group_verdict") else {}
    rect_state = {r.eval_id: r.state(day) for r in rects}  # the latest per evaluation wins
    reviews = latest_reviews(db, plan_id) if book.has("unscored_review") else {}

    rows: list[TargetResult] = []
    differences: list[Difference] = []
    for t in plan_targets:
        org = register[t.org_id]
        team = teams.get(t.org_id)
        kind = org.get("applicant_type")
        review_only = reviewed_without_scoring(book, kind)
        review = reviews.get(t.org_id) if review_only else None
        # an employer is never scored: an evaluation of it (made before its type was registered) is not
        # its result; the review is
        e = None if review_only else evals.get(t.org_id)
        total = outcome = None
        state = "cancelled" if t.state == "cancelled" else "dispatched" if team else "planned"
        if review is not None and t.state != "cancelled":
            state, outcome = "reviewed", {"code": review.outcome, "label": review.label}
        self_eval = self_total = self_diff = self_by = None
        differing = 0
        if e is not None:
            state = e.state
            figures = totals[e.id]
            # no score before the first answer, not zero points (was: 0（暂）, the sum of no heads)
            total = figures.total if e.answered or e.conflicts or state != "draft" else None
            if state != "draft":
                outcome = figures.outcome_json()
                if outcome is None and e.id in verdicts:  # the group's verdict, with its reason
                    v = verdicts[e.id]
                    outcome = {"code": v["verdict"], "label": v["label"]}
            s = selves.get(e.id)
            if s is not None:
                mine, theirs = store.report(e.id), store.report(s.id)
                cmp = compare_self(mine, theirs)
                self_eval, self_total, self_diff = s.id, theirs.total, cmp.total_difference
                if disallowed(mine) is not None or disallowed(theirs) is not None:
                    self_total = self_diff = None  # no total where signing refuses one (was: the sum)
                self_by = signed_at_station.get(s.id)
                differing = len(cmp.differing)
                for c in cmp.differing:
                    differences.append(
                        Difference(
                            t.org_id,
                            org["name"],
                            c.item_id,
                            mine.rubric.item(c.item_id).text,
                            c.theirs.points,
                            c.mine.points,
                            self_by is not None,
                        )
                    )
        due = team.record_due if team else None
        apply_by = None
        window = book.param("renewal_window", "days")
        if window is not None and org.get("filing_expires"):
            apply_by = dt.date.fromisoformat(org["filing_expires"]) - dt.timedelta(days=int(window))
        decided = review is not None if review_only else (e is not None and e.state == "signed")
        decide_by = decision_due(book, org)
        rect = rect_state.get(e.id) if e else None
        if (
            rect is None
            and e is not None
            and e.state == "signed"
            and outcome
            and outcome["code"] in NEEDS_RECTIFICATION
        ):
            rect = "notice_due"
        rows.append(
            TargetResult(
                org_id=t.org_id,
                org_name=org["name"],
                org_code=org["code"],
                category=org["category"],
                region=org["region"],
                visit_date=iso(team.visit_date if team else None)
                or iso(t.visit_date)
                or (e.visit_date if e else None),
                team=team.team if team else (),
                team_names=tuple(people.get(p, p) for p in team.team) if team else (),
                record_due=iso(due),
                eval_id=e.id if e else None,
                state=state,
                total=total,
                max_points=totals[e.id].max_points if e else None,
                outcome_code=outcome["code"] if outcome else None,
                outcome_label=outcome["label"] if outcome else None,
                vetoes=tuple(vetoes.get(e.id, ())) if e else (),
                self_eval_id=self_eval,
                self_total=self_total,
                self_difference=self_diff,
                differing_items=differing,
                rectification=rect,
                record_overdue=bool(due and due < day and state != "signed"),
                renewal_apply_by=iso(apply_by),
                renewal_overdue=bool(apply_by and apply_by < day),
                applicant_type=kind,
                review_only=review_only,
                review_opinion=review.opinion if review else None,
                decision_due=iso(decide_by),
                decision_overdue=bool(
                    decide_by and decide_by < day and not decided and t.state != "cancelled"
                ),
                self_signed_by=self_by,
            )
        )
    seed = recheck_seed or plan.id
    return PlanResults(
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
            register,
            [o.code for o in get_rubric(db, plan.rubric_id).outcomes] or ["pass", "fail"],
            book.param("announcement", "list"),
        ),
        overdue=_overdue(rows, day),
        rectification_months=book.param("rectification_term", "months"),
    )


def _recheck(rows: Sequence[TargetResult], seed: str, share: Decimal) -> list[RecheckPick]:
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
    store: EvaluationStore, rows: Sequence[TargetResult], rects: Sequence[Any], day: dt.date
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


def _demonstration(rows: Sequence[TargetResult], verdicts: dict[str, dict[str, Any]]) -> list[Recommendation]:
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
    rows: Sequence[TargetResult],
    register: dict[str, dict[str, Any]],
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
    rank = {code: i for i, code in enumerate(outcomes)}
    signed.sort(key=lambda r: (rank.get(r.outcome_code or "", len(rank)), r.region or "", r.org_name))
    return [
        Announcement(
            r.org_id,
            r.org_name,
            r.org_code,
            r.category,
            r.region,
            r.outcome_code,
            r.outcome_label,
            scope(register[r.org_id]),
        )
        for r in signed
    ]


def _overdue(rows: Sequence[TargetResult], day: dt.date) -> list[OverdueRecord]:
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

"""The statistics as they were computed before issue 18 S3 (main at 753ee5b): every counted evaluation
read into an object. Kept verbatim as the oracle that tests/centre/test_desk_equivalence.py compares
the SQL aggregates with, byte for byte."""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlite_utils

from inspector.centre.applicants import REVIEW_OUTCOMES, review_outcome_names
from inspector.centre.reviews import all_latest_reviews
from inspector.centre.verdicts import latest_verdicts
from inspector.rubric.model import Rubric
from inspector.rubric.points import ZERO, json_number
from inspector.store.changes import canonical, loads
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.log import CENT

BINS = 10
GROUP_KEYS = ("region", "category", "year")
TWO_PLACES = Decimal("0.01")


def _num(d: Decimal | None) -> int | float | None:
    return None if d is None else json_number(d)


@dataclass(frozen=True)
class ItemFailure:
    rubric_id: str
    item_id: str
    section: str
    group: str
    text: str
    max_points: Decimal
    evaluated: int
    failed: int
    points_lost: Decimal

    @property
    def rate(self) -> Decimal:
        return (
            (Decimal(self.failed) / self.evaluated).quantize(TWO_PLACES * TWO_PLACES)
            if self.evaluated
            else ZERO
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric_id,
            "item": self.item_id,
            "section": self.section,
            "group": self.group,
            "text": self.text,
            "max_points": _num(self.max_points),
            "evaluated": self.evaluated,
            "failed": self.failed,
            "rate": _num(self.rate),
            "points_lost": _num(self.points_lost),
        }


@dataclass(frozen=True)
class VetoCount:
    rubric_id: str
    veto_id: str
    text: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"rubric": self.rubric_id, "veto": self.veto_id, "text": self.text, "count": self.count}


@dataclass(frozen=True)
class Distribution:
    rubric_id: str
    title: str
    max_points: Decimal
    bins: tuple[tuple[str, int], ...]  # (label, count), lowest first
    count: int
    mean: Decimal | None
    median: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None

    def as_json(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric_id,
            "title": self.title,
            "max_points": _num(self.max_points),
            "bins": [{"label": label, "count": n} for label, n in self.bins],
            "count": self.count,
            "mean": _num(self.mean),
            "median": _num(self.median),
            "min": _num(self.minimum),
            "max": _num(self.maximum),
        }


@dataclass(frozen=True)
class GroupStats:
    rubric_id: str
    key: str  # region | category | year
    value: str  # "" when the register leaves it blank
    evaluations: int
    mean: Decimal | None
    passed: int | None  # None when the rubric defines no outcome
    vetoed: int

    @property
    def pass_rate(self) -> Decimal | None:
        if self.passed is None or not self.evaluations:
            return None
        return (Decimal(self.passed) / self.evaluations).quantize(TWO_PLACES * TWO_PLACES)

    def as_json(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric_id,
            "key": self.key,
            "value": self.value,
            "evaluations": self.evaluations,
            "mean": _num(self.mean),
            "passed": self.passed,
            "pass_rate": _num(self.pass_rate),
            "vetoed": self.vetoed,
        }


@dataclass(frozen=True)
class ReviewCount:
    """Reviews without scoring (重庆 三（二）1: 用人单位), by outcome: they have no score, so they
    are counted apart from the evaluations, never in a distribution or a mean."""

    rubric_id: str
    outcome: str
    label: str
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"rubric": self.rubric_id, "outcome": self.outcome, "label": self.label, "count": self.count}


@dataclass(frozen=True)
class Statistics:
    rubric_id: str | None
    year: int | None
    signed_only: bool
    evaluations: int
    items: list[ItemFailure]
    vetoes: list[VetoCount]
    distributions: list[Distribution]
    groups: list[GroupStats]
    reviews: list[ReviewCount] = field(default_factory=list)

    def by(self, key: str) -> list[GroupStats]:
        return [g for g in self.groups if g.key == key]

    def as_json(self) -> dict[str, Any]:
        return {
            "scope": {"rubric": self.rubric_id, "year": self.year, "signed_only": self.signed_only},
            "evaluations": self.evaluations,
            "items": [i.as_json() for i in self.items],
            "vetoes": [v.as_json() for v in self.vetoes],
            "distributions": [d.as_json() for d in self.distributions],
            **{f"by_{key}": [g.as_json() for g in self.by(key)] for key in GROUP_KEYS},
            "reviews": [r.as_json() for r in self.reviews],
        }


def _year(e: Evaluation) -> int:
    return int((e.visit_date or e.created_at)[:4])


def counted_evaluations(
    store: EvaluationStore, *, rubric_id: str | None = None, year: int | None = None, signed_only: bool = True
) -> list[Evaluation]:
    listed = store.list_evaluations("signed" if signed_only else None, rubric_id=rubric_id, inspections=True)
    found = [e for e in listed if year is None or _year(e) == year]
    # A revision replaces the one it amends only once it counts itself (an amendment still being
    # written leaves the signed revision in the figures).
    superseded = {e.previous_id for e in found if e.previous_id}
    return [e for e in found if e.id not in superseded]


def _item_failures(
    store: EvaluationStore, evals: Sequence[Evaluation], rubrics: dict[str, Rubric]
) -> tuple[list[ItemFailure], list[VetoCount]]:
    """Per requirement: the evaluations that answered it, those that lost points on it, the points
    lost; per veto, how often it was found. Read from the figures kept per evaluation (schema v9):
    a complete evaluation answered every item of its version, at full points except those in its
    ``lost`` figures; only an incomplete one (a draft, when unsigned ones count) is read head by head.
    Items are named by the latest version of their form among the evaluations, and points lost
    counted against that version's points, as a head-by-head count does."""
    rubric_of = {e.id: e.rubric_id for e in evals}
    kept: dict[str, str] = {}
    vetoes: dict[tuple[str, str], int] = {}
    for eval_id, lost_text, found in store.conn.execute(
        "SELECT eval_id, lost, vetoes FROM eval_figures WHERE eval_id IN (SELECT value FROM json_each(?))",
        (canonical(sorted(rubric_of)),),
    ):
        kept[eval_id] = lost_text
        if found != "[]":
            for veto_id in loads(found):
                key = (rubric_of[eval_id], veto_id)
                vetoes[key] = vetoes.get(key, 0) + 1
    # (rubric, item) → [evaluated, failed, points lost]
    counts: dict[tuple[str, str], list[Any]] = {}

    def add(rubric_id: str, item_id: str, points: Decimal, n: int) -> None:
        latest = rubrics[rubric_id]
        if not latest.has_item(item_id):
            return
        entry = counts.setdefault((rubric_id, item_id), [0, 0, ZERO])
        entry[0] += n
        lost = latest.item(item_id).points - points
        if lost > 0:
            entry[1] += n
            entry[2] += lost * n

    # complete evaluations: every item of their version at full points, counted once per version;
    # then each item not at full points moved from full to its points (a few per evaluation)
    versions: Counter[tuple[str, int]] = Counter()
    below: Counter[tuple[str, int, str, int]] = Counter()
    partial: dict[str, list[str]] = {}
    for e in evals:
        if e.answered < e.items:
            partial.setdefault(e.rubric_id, []).append(e.id)
            continue
        versions[(e.rubric_id, e.rubric_version)] += 1
        if kept[e.id] != "{}":
            for item_id, points_c in loads(kept[e.id]).items():
                below[(e.rubric_id, e.rubric_version, item_id, points_c)] += 1
    for (rubric_id, version), n in versions.items():
        for item in store.rubric(rubric_id, version).items():
            add(rubric_id, item.id, item.points, n)
    for (rubric_id, version, item_id, points_c), n in below.items():
        add(rubric_id, item_id, store.rubric(rubric_id, version).item(item_id).points, -n)
        add(rubric_id, item_id, Decimal(points_c) / CENT, n)
    # incomplete ones: their answered items, head by head (the narrow heads_figures index, schema v8)
    for rubric_id, ids in sorted(partial.items()):
        for item_id, points_c, n in store.conn.execute(
            "SELECT item_id, points_c, COUNT(*) FROM heads INDEXED BY heads_figures"
            " WHERE winner = 1 AND answered = 1 AND section IS NOT NULL"
            " AND eval_id IN (SELECT value FROM json_each(?)) GROUP BY item_id, points_c",
            (canonical(ids),),
        ):
            add(rubric_id, item_id, Decimal(points_c or 0) / CENT, n)
    items = []
    for (rubric_id, item_id), (evaluated, failed, lost_points) in counts.items():
        section, group, item = rubrics[rubric_id].locate(item_id)
        items.append(
            ItemFailure(
                rubric_id,
                item_id,
                f"{section.code} {section.title}",
                group.label,
                item.text,
                item.points,
                evaluated,
                failed,
                lost_points,
            )
        )
    items.sort(key=lambda i: (-i.failed, -i.rate, -i.points_lost, i.rubric_id, i.item_id))
    veto_rows = []
    for (rubric_id, veto_id), n in sorted(vetoes.items(), key=lambda kv: (-kv[1], kv[0])):
        v = rubrics[rubric_id].veto(veto_id)
        veto_rows.append(VetoCount(rubric_id, veto_id, v.text if v else veto_id, n))
    return items, veto_rows


def _bin_labels(max_points: Decimal) -> list[str]:
    step = max_points / BINS
    return [f"{json_number(step * i)}–{json_number(step * (i + 1))}" for i in range(BINS)]


def _distribution(rubric: Rubric, totals: Sequence[Decimal]) -> Distribution:
    counts = [0] * BINS
    for t in totals:
        share = t / rubric.max_points if rubric.max_points else ZERO
        counts[max(0, min(BINS - 1, int(share * BINS)))] += 1
    mean = median = None
    if totals:
        mean = (sum(totals, ZERO) / len(totals)).quantize(TWO_PLACES)
        median = Decimal(pystats.median(totals)).quantize(TWO_PLACES)
    return Distribution(
        rubric.id,
        rubric.title,
        rubric.max_points,
        tuple(zip(_bin_labels(rubric.max_points), counts, strict=True)),
        len(totals),
        mean,
        median,
        min(totals, default=None),
        max(totals, default=None),
    )


def statistics(
    db: sqlite_utils.Database,
    *,
    rubric_id: str | None = None,
    year: int | None = None,
    signed_only: bool = True,
) -> Statistics:
    store = EvaluationStore(db)
    evals = _scored_only(
        db, counted_evaluations(store, rubric_id=rubric_id, year=year, signed_only=signed_only)
    )
    rubrics: dict[str, Rubric] = {}
    for e in evals:  # the latest version of each rubric names the items (ids are stable across versions)
        if e.rubric_id not in rubrics or rubrics[e.rubric_id].version < e.rubric_version:
            rubrics[e.rubric_id] = store.rubric(e.rubric_id, e.rubric_version)
    items, vetoes = _item_failures(store, evals, rubrics)
    totals = store.totals(evals)
    # a form without a pass line (河南 2011): the evaluation group's recorded verdict decides
    verdicts = latest_verdicts(db, [e.id for e in evals])
    # the two register fields grouped by, read in the query (not every station's details parsed)
    details = {
        r[0]: {"region": r[1], "category": r[2]}
        for r in db.conn.execute(
            "SELECT id, json_extract(details, '$.region'), json_extract(details, '$.category') FROM orgs"
        )
    }
    per_rubric: dict[str, list[Decimal]] = {}
    groups: dict[tuple[str, str, str], list[Evaluation]] = {}
    for e in evals:
        per_rubric.setdefault(e.rubric_id, []).append(totals[e.id].total)
        d = details.get(e.org_id, {})
        for key, value in (
            ("region", d.get("region")),
            ("category", d.get("category")),
            ("year", str(_year(e))),
        ):
            groups.setdefault((e.rubric_id, key, value or ""), []).append(e)
    distributions = [_distribution(rubrics[r], per_rubric[r]) for r in sorted(per_rubric)]
    group_rows = []
    for (rid, key, value), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0], GROUP_KEYS.index(kv[0][1]), kv[0][2])
    ):
        figures = [totals[e.id] for e in members]
        outcomes = rubrics[rid].outcomes
        best = outcomes[0].code if outcomes else None
        passed: int | None = None
        if best:
            passed = sum(1 for f in figures if f.outcome and f.outcome.code == best)
        elif any(e.id in verdicts for e in members):
            passed = sum(1 for e in members if verdicts.get(e.id, {}).get("verdict") == "pass")
        group_rows.append(
            GroupStats(
                rid,
                key,
                value,
                len(members),
                (sum((f.total for f in figures), ZERO) / len(figures)).quantize(TWO_PLACES),
                passed,
                sum(1 for f in figures if f.vetoed),
            )
        )
    return Statistics(
        rubric_id, year, signed_only, len(evals), items, vetoes, distributions, group_rows,
        _review_counts(db, rubric_id, year),
    )  # fmt: skip


def _scored_only(db: sqlite_utils.Database, evals: list[Evaluation]) -> list[Evaluation]:
    """Without the evaluations of an applicant its form's document reviews and never scores (重庆
    三（二）1: 用人单位, by the register's type, under the shipped rulebook that lists the form): such a
    figure is no score of anything, whether it was made before the type was registered or outside a
    plan. Its review is counted apart (:func:`_review_counts`)."""
    from inspector.centre.rulebooks import shipped_rulebooks

    reviewed = {
        rid: kind
        for rb in shipped_rulebooks().values()
        if (kind := rb.param("unscored_review", "applicant_type"))
        for rid in rb.rubrics
    }
    if not reviewed or not any(e.rubric_id in reviewed for e in evals):
        return evals
    types = {r[0]: loads(r[1]).get("applicant_type") for r in db.conn.execute("SELECT id, details FROM orgs")}
    return [
        e for e in evals if reviewed.get(e.rubric_id) is None or types.get(e.org_id) != reviewed[e.rubric_id]
    ]


def _review_counts(db: sqlite_utils.Database, rubric_id: str | None, year: int | None) -> list[ReviewCount]:
    counts: dict[tuple[str, str], int] = {}
    labels = review_outcome_names()
    for rid, r in all_latest_reviews(db):
        if (rubric_id is None or rid == rubric_id) and (year is None or r.reviewed_on.year == year):
            counts[(rid, r.outcome)] = counts.get((rid, r.outcome), 0) + 1
    order = {code: i for i, code in enumerate(REVIEW_OUTCOMES)}
    return [
        ReviewCount(rid, code, labels[code], n)
        for (rid, code), n in sorted(counts.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))
    ]

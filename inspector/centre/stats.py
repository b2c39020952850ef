"""Statistics over evaluations: which requirements fail most, score distributions, by region,
category and year. Pure data (typed rows with ``as_json``) for the window's charts and the workbook.

Which evaluations count: inspections and re-checks (never self-assessments), signed only unless
asked otherwise (an unsigned total may still change), and of an amended evaluation only the latest
revision that itself counts. Optionally one rubric and one year (the visit's year, or the
year it was created when it has no visit date).

* An item *fails* in an evaluation when it was answered and scored below its maximum (any point
  lost); its failure rate is failures / evaluations that answered it. "Fails most" ranks by the
  number of failures, then the rate (a requirement failed once in one evaluation is not the top
  of the list), then the points lost. Items are compared within their rubric: the same id in two
  rubrics is two requirements.
* Score distributions are per rubric, in ten bins of a tenth of the maximum each, half-open
  ([0, 10), [10, 20) … and the last one closed, [90, 100]); a bonus can lift a total past the
  maximum, which then counts in the last bin.
* Groups (region, category, year) are per rubric too: totals of different forms do not average.
  "passed" is the rubric's best outcome (合格, 予以延续备案); for a rubric without outcomes (河南
  2011) the evaluation group's recorded 合格 verdicts (inspector.centre.verdicts), else none.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from inspector.centre.applicants import REVIEW_OUTCOMES, review_outcome_names
from inspector.centre.reviews import all_latest_reviews
from inspector.centre.verdicts import latest_verdicts
from inspector.errors import StoreError
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.points import ZERO, json_number
from inspector.store.changes import canonical, loads
from inspector.store.evaluations import FIGURES_COLUMNS, Evaluation, EvaluationStore
from inspector.store.log import CENT

if TYPE_CHECKING:
    import sqlite_utils

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


def _failure_rows(
    counts: dict[tuple[str, str], list[Any]],
    vetoes: dict[tuple[str, str], int],
    rubrics: dict[str, Rubric],
) -> tuple[list[ItemFailure], list[VetoCount]]:
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


class _Group(NamedTuple):
    """Counted evaluations alike in all the statistics read of them (one row of the aggregate)."""

    id: str  # the group's position, for EvaluationStore.totals_of
    kind: str
    org_id: str
    rubric_id: str
    rubric_version: int
    items: int
    answered: int
    conflicts: int
    has_figures: int
    figures: tuple[Any, ...]
    region: str | None
    category: str | None
    year: str
    n: int  # how many evaluations


# The year an evaluation counts in: its visit's, or the year it was created without one (as _year)
_YEAR_SQL = "substr(COALESCE(e.visit_date, e.created_at), 1, 4)"


def _counted_where(
    db: sqlite_utils.Database, rubric_id: str | None, year: int | None, signed_only: bool
) -> tuple[str, list[Any]]:
    """The WHERE of the counted evaluations (:func:`counted_evaluations`), for SQL aggregates over
    them; the evaluations table is ``e``. :func:`_without_reviewed` adds the reviewed applicants'."""
    where = ["e.kind != 'self'"]
    params: list[Any] = []
    if signed_only:
        where.append("e.signed_at IS NOT NULL")
    if rubric_id is not None:
        where.append("e.rubric_id = ?")
        params.append(rubric_id)
    if year is not None:
        where.append(f"{_YEAR_SQL} = ?")
        params.append(f"{year:04d}")
    # A revision replaces the one it amends once it counts itself: the amended ones (a few) by id.
    superseded = [
        r[0]
        for r in db.conn.execute(
            "SELECT e.previous_id FROM evaluations e WHERE e.previous_id IS NOT NULL AND "
            + " AND ".join(where),
            params,
        )
    ]
    if superseded:
        where.append("e.id NOT IN (SELECT value FROM json_each(?))")
        params.append(canonical(sorted(set(superseded))))
    return " AND ".join(where), params


def _without_reviewed(where: str, params: list[Any], reviewed: Mapping[str, str]) -> tuple[str, list[Any]]:
    """Not the evaluations of an applicant its form's document reviews and never scores (重庆
    三（二）1: 用人单位, by the register's type, under the shipped rulebook that lists the form): such a
    figure is no score of anything, whether it was made before the type was registered or outside a
    plan. Its review is counted apart (:func:`_review_counts`). The register is ``o``."""
    for rid, kind in sorted(reviewed.items()):
        where += (
            " AND NOT (e.rubric_id = ? AND COALESCE(json_extract(o.details, '$.applicant_type'), '') = ?)"
        )
        params = [*params, rid, kind]
    return where, params


# the kept figures' columns as the statistics' rows carry them, and where the engine's refusal sits
_FIGURES = [c.strip() for c in FIGURES_COLUMNS.split(",")]
_REFUSED = _FIGURES.index("refused")


def _reviewed_types() -> dict[str, str]:
    from inspector.centre.rulebooks import shipped_rulebooks

    return {
        rid: kind
        for rb in shipped_rulebooks().values()
        if (kind := rb.param("unscored_review", "applicant_type"))
        for rid in rb.rubrics
    }


def statistics(
    db: sqlite_utils.Database,
    *,
    rubric_id: str | None = None,
    year: int | None = None,
    signed_only: bool = True,
) -> Statistics:
    """The statistics by SQL aggregates (issue 18 S3): the counted evaluations grouped by what the
    figures depend on (form version, kept figures, state) and by region, category and year, each
    group once; the items below full points counted per distinct kept text. No evaluation is read
    into an object; the same figures as one evaluation at a time (tests/centre/test_desk_equivalence.py
    compares them with the earlier computation, byte for byte)."""
    store = EvaluationStore(db)
    conn = db.conn
    plain_where, plain_params = _counted_where(db, rubric_id, year, signed_only)
    reviewed = _reviewed_types()
    where, params = _without_reviewed(plain_where, plain_params, reviewed)
    # marks the scoring engine refuses as a whole (schema v13 ``refused``): an unsigned evaluation
    # has no result at all; a signed one only the total and outcome fixed at signing, no item's figure
    counted = " AND (f.refused IS NULL OR e.signed_at IS NOT NULL)"
    plain_where, where = plain_where + counted, where + counted
    base = " FROM evaluations e JOIN orgs o ON o.id = e.org_id LEFT JOIN eval_figures f ON f.eval_id = e.id"
    # One pass over the counted evaluations, grouped here rather than by a GROUP BY, the register's
    # fields read in one scan of the register rather than joined to each evaluation (measured at
    # 100,000: a GROUP BY and a second pass for the kept texts cost 2.2 s of CPU, this about 1 s).
    # The applicants reviewed, not scored (_without_reviewed), are left out here by their register type.
    register = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT id, json_extract(details, '$.region'), json_extract(details, '$.category'),"
            " json_extract(details, '$.applicant_type') FROM orgs"
        )
    }
    figures = ", ".join(f"f.{c}" for c in _FIGURES)
    nf = len(_FIGURES)  # the row: org, rubric, version, items, answered, conflicts, has figures, figures…
    alike: Counter[tuple[Any, ...]] = Counter()
    texts: Counter[tuple[str, int, str]] = Counter()  # complete evaluations' items below full points
    for r in conn.execute(
        "SELECT e.org_id, e.rubric_id, e.rubric_version, e.items, COALESCE(f.answered, 0),"
        f" COALESCE(f.conflicts, 0), CASE WHEN f.eval_id IS NULL THEN 0 ELSE 1 END, {figures},"
        f" {_YEAR_SQL}, f.lost FROM evaluations e LEFT JOIN eval_figures f ON f.eval_id = e.id"
        f" WHERE {plain_where}",
        plain_params,
    ):
        org = register.get(r[0])
        if org is None or (reviewed.get(r[1]) is not None and org[2] == reviewed[r[1]]):
            continue  # no register entry (as the join), or an employer's unscored form
        alike[(*r[1 : 7 + nf], org[0], org[1], r[7 + nf])] += 1
        lost = r[8 + nf]
        if lost is not None and lost != "{}" and r[4] >= r[3] and r[7 + _REFUSED] is None:
            texts[(r[1], r[2], lost)] += 1
    groups = [
        _Group(
            str(n),
            "inspection",
            "",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            tuple(r[6 : 6 + nf]),
            r[6 + nf],
            r[7 + nf],
            r[8 + nf],
            count,
        )
        for n, (r, count) in enumerate(alike.items())
    ]
    if any(not g.has_figures for g in groups):  # never expected: say which, as EvaluationStore.totals does
        missing = conn.execute(
            f"SELECT MIN(e.id){base} WHERE {where} AND f.eval_id IS NULL", params
        ).fetchone()[0]
        raise StoreError(_("评估的分数汇总缺失，请运行 eval audit"), missing)
    evaluations = sum(g.n for g in groups)
    rubrics: dict[str, Rubric] = {}
    for g in groups:  # the latest version of each rubric names the items (ids are stable across versions)
        if g.rubric_id not in rubrics or rubrics[g.rubric_id].version < g.rubric_version:
            rubrics[g.rubric_id] = store.rubric(g.rubric_id, g.rubric_version)
    items, vetoes = _item_failures_sql(store, groups, texts, where, params, base, rubrics)
    totals = store.totals_of(((g, g.figures) for g in groups), [g.id for g in groups])
    # a form without a pass line (河南 2011): the evaluation group's recorded verdict decides, per
    # evaluation (only those forms' evaluations are read one by one)
    unrated = sorted(r for r, rb in rubrics.items() if not rb.outcomes)
    verdict_rows: list[tuple[str, str | None, str | None, str, str]] = []
    if unrated:
        marks = ", ".join("?" for _r in unrated)
        verdict_rows = [
            (r[0], r[1], r[2], r[3], r[4])
            for r in conn.execute(
                "SELECT e.id, json_extract(o.details, '$.region'), json_extract(o.details, '$.category'),"
                f" {_YEAR_SQL}, e.rubric_id{base} WHERE {where} AND e.rubric_id IN ({marks})",
                [*params, *unrated],
            )
        ]
    verdicts = latest_verdicts(db, [r[0] for r in verdict_rows])
    per_rubric: dict[str, list[Decimal]] = {}
    # (rubric, key, value) → [evaluations, sum of totals, passed by outcome, vetoed, with a total]
    grouped: dict[tuple[str, str, str], list[Any]] = {}
    for g in groups:
        t = totals[g.id]
        if t.total is not None:  # None: the engine refuses its marks, no total to count
            per_rubric.setdefault(g.rubric_id, []).extend([t.total] * g.n)
        outcomes = rubrics[g.rubric_id].outcomes
        best = outcomes[0].code if outcomes else None
        won = g.n if best and t.outcome and t.outcome.code == best else 0
        for key, value in (("region", g.region), ("category", g.category), ("year", str(int(g.year)))):
            entry = grouped.setdefault((g.rubric_id, key, value or ""), [0, ZERO, 0, 0, 0])
            entry[0] += g.n
            if t.total is not None:
                entry[1] += t.total * g.n
                entry[4] += g.n
            entry[2] += won
            entry[3] += g.n if t.vetoed else 0
    # verdicts: (rubric, key, value) → whether any member has one, and how many passed
    by_verdict: dict[tuple[str, str, str], list[int]] = {}
    for eval_id, region, category, year_text, rid in verdict_rows:
        v = verdicts.get(eval_id)
        for key, value in (("region", region), ("category", category), ("year", str(int(year_text)))):
            entry = by_verdict.setdefault((rid, key, value or ""), [0, 0])
            entry[0] += v is not None
            entry[1] += v is not None and v.get("verdict") == "pass"
    distributions = [_distribution(rubrics[r], per_rubric[r]) for r in sorted(per_rubric)]
    group_rows = []
    for (rid, key, value), (n, total, won, vetoed, with_total) in sorted(
        grouped.items(), key=lambda kv: (kv[0][0], GROUP_KEYS.index(kv[0][1]), kv[0][2])
    ):
        passed: int | None = None
        if rubrics[rid].outcomes:
            passed = won
        elif by_verdict.get((rid, key, value), [0, 0])[0]:
            passed = by_verdict[(rid, key, value)][1]
        mean = (total / with_total).quantize(TWO_PLACES) if with_total else None
        group_rows.append(GroupStats(rid, key, value, n, mean, passed, vetoed))
    return Statistics(
        rubric_id, year, signed_only, evaluations, items, vetoes, distributions, group_rows,
        _review_counts(db, rubric_id, year),
    )  # fmt: skip


def _item_failures_sql(
    store: EvaluationStore,
    groups: Sequence[_Group],
    texts: Mapping[tuple[str, int, str], int],
    where: str,
    params: list[Any],
    base: str,
    rubrics: dict[str, Rubric],
) -> tuple[list[ItemFailure], list[VetoCount]]:
    """Per requirement: the evaluations that answered it, those that lost points on it, the points
    lost; per veto, how often it was found. Items are named by the latest version of their form
    among the evaluations, and points lost counted against that version's points, as a head-by-head
    count does. From the aggregate's groups: the vetoes per distinct kept list and each
    version's items counted once per group; then the items below full points of the complete
    evaluations per distinct kept text (``texts``, counted in the same pass); only an incomplete
    evaluation (a draft, when unsigned ones count) is read head by head."""
    conn = store.conn
    vetoes: dict[tuple[str, str], int] = {}
    versions: Counter[tuple[str, int]] = Counter()
    partial = False
    for g in groups:
        if g.figures[_REFUSED] is not None:
            continue  # the engine refuses its marks: no figure of any item (a signed one keeps its total)
        found = g.figures[2]
        if found != "[]":
            for veto_id in loads(found):
                vetoes[(g.rubric_id, veto_id)] = vetoes.get((g.rubric_id, veto_id), 0) + g.n
        if g.answered < g.items:
            partial = True
        else:
            versions[(g.rubric_id, g.rubric_version)] += g.n
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

    for (rid, version), n in versions.items():
        for item in store.rubric(rid, version).items():
            add(rid, item.id, item.points, n)
    complete = "COALESCE(f.answered, 0) >= e.items"
    # (rubric, version) → (item, points) → how many; a text met once (most of them) counted by
    # Counter.update in C
    below: dict[tuple[str, int], Counter[tuple[str, int]]] = {}
    for (rid, version, lost_text), n in texts.items():
        found = below.setdefault((rid, version), Counter())
        if n == 1:
            found.update(loads(lost_text).items())
        else:
            for pair in loads(lost_text).items():
                found[pair] += n
    for (rid, version), found in below.items():
        form = store.rubric(rid, version)
        for (item_id, points_c), n in found.items():
            add(rid, item_id, form.item(item_id).points, -n)
            add(rid, item_id, Decimal(points_c) / CENT, n)
    by_rubric: dict[str, list[str]] = {}
    if partial:
        for eval_id, rid in conn.execute(
            f"SELECT e.id, e.rubric_id{base} WHERE {where} AND NOT ({complete}) AND f.refused IS NULL", params
        ):
            by_rubric.setdefault(rid, []).append(eval_id)
    for rid, ids in sorted(by_rubric.items()):
        for item_id, points_c, n in conn.execute(
            "SELECT item_id, points_c, COUNT(*) FROM heads INDEXED BY heads_figures"
            " WHERE winner = 1 AND answered = 1 AND section IS NOT NULL"
            " AND eval_id IN (SELECT value FROM json_each(?)) GROUP BY item_id, points_c",
            (canonical(ids),),
        ):
            add(rid, item_id, Decimal(points_c or 0) / CENT, n)
    return _failure_rows(counts, vetoes, rubrics)


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

"""Figures kept per evaluation: what the desk, the lists and the statistics read, kept up to date by
the one write path in the same transaction as each change (schema v9, issue 18 S1–S3).

Deriving every total from the heads at read time cost 0.4 s at 10,000 evaluations and grows with
every evaluation a province adds; these rows make a read one row per evaluation. They are an index
like ``heads``: derived from the log, never the truth. :func:`inspector.store.log.apply_change`
calls :func:`item_heads` before an item's heads change and :func:`item_changed` after, so a mark
made here, a bundle's change (new evaluation or not, arrived in order or superseded already), a held
change accepted and a conflict resolved all keep them by the same code; a move to another version
of the form and the migration recompute them whole with the scoring engine (:func:`recompute`);
``eval audit`` recomputes them and reports any figure that differs (:func:`differences`).

What is kept, per evaluation (points in hundredths, as the heads keep them; the forms' points
have at most two places, :mod:`inspector.rubric.points`):

* ``answered``: items with a current answer; ``conflicts``: the losing heads of items in conflict;
* ``sections``: each section's points summed over its items' current answers, *before* a bonus
  section's cap (so that one item's change moves one sum); ``base``, ``bonus`` (capped per
  section), ``total`` and the ``outcome`` code then follow from the form exactly as
  :func:`inspector.rubric.scoring.score` computes them;
* ``vetoes``: the vetoes found; ``lost``: every answered item not at its full points, with its
  points (what the statistics of failed requirements count);
* ``fixed_*``: the figures fixed at signing, as the first lock (by its time) carries them;
* ``refused`` (schema v13): why the scoring engine refuses the evaluation's marks as a whole (an item
  or a veto the pinned version lacks: :func:`inspector.rubric.scoring.score` raises; a mark the form
  disallows), else None; in parts, as JSON (language-neutral: put into words on read by
  :func:`inspector.rubric.scoring.refusal_text`; a row of v13/v14 may hold the words themselves). Such
  a row shows no total and no outcome (zero sums, no vetoes, nothing lost), as the score sheet shows
  none: only ``answered`` and ``conflicts`` still say how far the marks go.
* ``updated_at``: the latest wall time of its changes (schema v13: kept here, in the row a mark
  rewrites anyway, rather than in ``evaluations``, whose page a mark then no longer writes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from inspector.errors import InspectorError, NotFoundError, StoreError
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.observations import Observation, parse_observation
from inspector.rubric.points import fmt
from inspector.rubric.scoring import REFUSAL_KEY, Report, VetoMark, score, score_as_recorded, score_item
from inspector.rubric.toml_form import parse_rubric_text
from inspector.store.changes import OBSERVE, canonical, loads

CENT = Decimal(100)
VETO_PREFIX = "veto:"

# The winning head's (section, points × 100, answered) of one item, or None, and how many heads it has.
ItemHeads = tuple[tuple[str | None, int | None, int] | None, int]


@dataclass
class Figures:
    """One evaluation's kept figures (see the module docstring)."""

    answered: int = 0
    conflicts: int = 0
    sections: dict[str, int] = field(default_factory=dict)
    base_c: int = 0
    bonus_c: int = 0
    total_c: int = 0  # base + bonus, kept too (for SQL readers) and so compared by the audit
    outcome: str | None = None
    vetoes: list[str] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)
    fixed_at: str | None = None
    fixed: Mapping[str, str | None] | None = None  # total, base, bonus, outcome, outcome_label
    refused: str | None = None  # the engine's refusal (schema v13): no total, no outcome
    updated_at: str | None = None  # the latest wall time among the evaluation's changes

    def settle(self, rubric: Rubric, vetoed: bool | None = None) -> None:
        """base, bonus and outcome from the section sums, as ``score`` computes them (``vetoed``:
        whether a veto was found, when the caller knows it without the list)."""
        base = bonus = 0
        for s in rubric.sections:
            points = self.sections.get(s.code, 0)
            if s.bonus:
                bonus += min(points, _hundredths(s.points))
            else:
                base += points
        self.base_c, self.bonus_c, self.total_c = base, bonus, base + bonus
        found = (
            rubric.outcome_for(Decimal(base + bonus) / CENT, bool(self.vetoes) if vetoed is None else vetoed)
            if rubric.outcomes
            else None
        )
        self.outcome = found.code if found else None

    def as_row(self) -> dict[str, Any]:
        fixed = self.fixed or {}
        return {
            "answered": self.answered,
            "conflicts": self.conflicts,
            "sections": canonical(dict(sorted(self.sections.items()))),
            "base_c": self.base_c,
            "bonus_c": self.bonus_c,
            "total_c": self.total_c,
            "outcome": self.outcome,
            "vetoes": canonical(sorted(self.vetoes)),
            "lost": canonical(dict(sorted(self.lost.items()))),
            "fixed_at": self.fixed_at,
            "fixed_total": fixed.get("total"),
            "fixed_base": fixed.get("base"),
            "fixed_bonus": fixed.get("bonus"),
            "fixed_outcome": fixed.get("outcome"),
            "fixed_label": fixed.get("outcome_label"),
            "refused": self.refused,
            "updated_at": self.updated_at,
        }


COLUMNS = tuple(Figures().as_row())


def _hundredths(points: Decimal) -> int:
    return int(points * CENT)


def _from_row(row: Sequence[Any]) -> Figures:
    """A Figures from the columns in :data:`COLUMNS` order."""
    r = dict(zip(COLUMNS, row, strict=True))
    fixed = None
    if r["fixed_total"] is not None:
        fixed = {
            "total": r["fixed_total"],
            "base": r["fixed_base"],
            "bonus": r["fixed_bonus"],
            "outcome": r["fixed_outcome"],
            "outcome_label": r["fixed_label"],
        }
    return Figures(
        answered=r["answered"],
        conflicts=r["conflicts"],
        sections=loads(r["sections"]),
        base_c=r["base_c"],
        bonus_c=r["bonus_c"],
        total_c=r["total_c"],
        outcome=r["outcome"],
        vetoes=loads(r["vetoes"]),
        lost=loads(r["lost"]),
        fixed_at=r["fixed_at"],
        fixed=fixed,
        refused=r["refused"],
        updated_at=r["updated_at"],
    )


def read(conn: sqlite3.Connection, eval_id: str) -> Figures | None:
    row = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM eval_figures WHERE eval_id = ?", (eval_id,)
    ).fetchone()
    return None if row is None else _from_row(tuple(row))


def write(conn: sqlite3.Connection, eval_id: str, f: Figures) -> None:
    """Update the evaluation's row in place (one table page: a mark's commit writes as few pages as
    it can), or insert it (portable: no upsert syntax)."""
    row = f.as_row()
    sets = ", ".join(f"{k} = ?" for k in row)
    if conn.execute(f"UPDATE eval_figures SET {sets} WHERE eval_id = ?", (*row.values(), eval_id)).rowcount:
        return
    conn.execute(
        f"INSERT INTO eval_figures (eval_id, {', '.join(row)}) VALUES (?{', ?' * len(row)})",
        (eval_id, *row.values()),
    )


# -- kept by the write path -------------------------------------------------------------------------


def created(conn: sqlite3.Connection, eval_id: str, rubric: Rubric, wall_time: str) -> None:
    """A new evaluation: nothing answered yet (its outcome is the form's for 0 points)."""
    f = Figures(sections={s.code: 0 for s in rubric.sections}, updated_at=wall_time)
    f.settle(rubric)
    write(conn, eval_id, f)


def item_heads(conn: sqlite3.Connection, eval_id: str, item_id: str) -> ItemHeads:
    return item_heads_and_ids(conn, eval_id, item_id)[1]


def item_heads_and_ids(conn: sqlite3.Connection, eval_id: str, item_id: str) -> tuple[list[str], ItemHeads]:
    """The item's head change ids (a new mark's parents) and its :data:`ItemHeads`, in one read."""
    winner = None
    ids = []
    for change_id, section, points, answered, win in conn.execute(
        "SELECT change_id, section, points_c, answered, winner FROM heads WHERE eval_id = ? AND item_id = ?",
        (eval_id, item_id),
    ):
        ids.append(change_id)
        if win:
            winner = (section, points, int(answered))
    return ids, (winner, len(ids))


def touched(conn: sqlite3.Connection, eval_id: str, wall_time: str) -> None:
    """A change that moves no figure (a visit date, a team, an item's heads as they were): only the
    latest change's time, if it is later (times compared as text, as they always were here)."""
    conn.execute(
        "UPDATE eval_figures SET updated_at = ? WHERE eval_id = ? AND (updated_at IS NULL OR updated_at < ?)",
        (wall_time, eval_id, wall_time),
    )


def knows(rubric: Rubric, item_id: str | None) -> bool:
    """Whether the form has the item or veto a head names (``veto:`` prefixed); a folder written by
    an older program may hold a mark its pinned version lacks, which the scoring engine refuses."""
    if item_id is None:
        return False
    if item_id.startswith(VETO_PREFIX):
        return rubric.veto(item_id[len(VETO_PREFIX) :]) is not None
    return rubric.has_item(item_id)


def accepts(rubric: Rubric, item_id: str | None, payload: Any) -> bool:
    """Whether the form takes a recorded mark into a total: it has the item or veto (:func:`knows`)
    and does not disallow the observation (a not-applicable without the form's leave, an override
    off the item's grid: ``ItemResult.irregular``, what :func:`inspector.rubric.scoring.disallowed`
    and so signing refuse). A team member's bundle may carry one its program let through."""
    if not knows(rubric, item_id):
        return False
    assert item_id is not None
    if item_id.startswith(VETO_PREFIX) or not isinstance(payload, Mapping):
        return True
    result = score_item(rubric.item(item_id), parse_observation(dict(payload), item_id), recorded=True)
    return result.irregular is None


def _winner_payload(conn: sqlite3.Connection, eval_id: str, item_id: str) -> Any:
    row = conn.execute(
        "SELECT c.payload FROM heads h JOIN changes c"
        " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
        " WHERE h.eval_id = ? AND h.item_id = ? AND h.winner = 1",
        (eval_id, item_id),
    ).fetchone()
    return None if row is None or row[0] is None else loads(row[0])


def item_changed(
    conn: sqlite3.Connection,
    eval_id: str,
    item_id: str,
    before: ItemHeads,
    rubric_for: Any,
    wall_time: str,
    after: ItemHeads | None = None,
    payload: Any = None,
    *,
    read_winner: bool = False,
    row: Sequence[Any] | None = None,
    accepted: bool = False,
) -> None:
    """One item's heads changed (a mark, a veto, a conflict or its resolution) by a change made at
    ``wall_time``: move its share of the figures from what its winning head was to what it is now
    (``after``: what the caller knows them to be, having just written them; else read). Lean, as
    every mark pays for it: one read, one update of the columns that can move, only the JSON of the
    part that changed. ``payload``: the winning head's observation, when the caller knows it (the
    change it just wrote, the one head); ``read_winner``: read it (a conflict's winner, picked in
    SQL). A mark the form disallows there leaves the engine to judge the whole (a refusal).
    ``row``: the columns read below, as the caller read them in this transaction; ``accepted``: the
    caller scored ``payload`` as a new mark (which refuses what the form disallows)."""
    if after is None:
        after = item_heads(conn, eval_id, item_id)
    if row is None:
        row = conn.execute(
            "SELECT e.rubric_id, e.rubric_version, e.rubric_hash, f.answered, f.conflicts, f.sections,"
            " f.vetoes, f.lost, f.updated_at, f.refused FROM evaluations e"
            " LEFT JOIN eval_figures f ON f.eval_id = e.id WHERE e.id = ?",
            (eval_id,),
        ).fetchone()
    if row[3] is None:  # never expected (made at creation, backfilled by the migration): rebuild whole
        recompute(conn, eval_id, rubric_for)
        return
    updated_at = wall_time if row[8] is None else max(row[8], wall_time)
    rubric: Rubric = rubric_for(row[0], row[1], row[2])
    # refused by the engine, or an item the form lacks (it may refuse now): ask the engine (rare)
    if row[9] is not None or not knows(rubric, item_id):
        recompute(conn, eval_id, rubric_for)
        return
    if read_winner:
        payload = _winner_payload(conn, eval_id, item_id)
    if payload is not None and not accepted and not accepts(rubric, item_id, payload):
        recompute(conn, eval_id, rubric_for)
        return
    # read first even when the heads' figures stay: a refusal may end (above) with the same points
    if after == before:
        touched(conn, eval_id, wall_time)
        return
    sections_text, vetoes_text, lost_text = row[5], row[6], row[7]
    f = Figures(answered=row[3], conflicts=row[4], sections=loads(sections_text))
    for sign, (_winner, count) in ((-1, before), (1, after)):
        f.conflicts += sign * max(0, count - 1)
    if item_id.startswith(VETO_PREFIX):
        vid, found = item_id[len(VETO_PREFIX) :], after[0] is not None and after[0][2] == 1
        vetoes = set(loads(vetoes_text))
        vetoes_text = canonical(sorted(vetoes | {vid} if found else vetoes - {vid}))
    else:
        for sign, (winner, _count) in ((-1, before), (1, after)):
            if winner is not None and winner[0] is not None:
                f.answered += sign * winner[2]
                f.sections[winner[0]] = f.sections.get(winner[0], 0) + sign * (winner[1] or 0)
        sections_text = canonical(f.sections)
        full = _hundredths(rubric.item(item_id).points) if rubric.has_item(item_id) else None
        was, now = _lost(before[0], full), _lost(after[0], full)
        if was != now:  # the item's entry among those below full points moved (else left as it is)
            lost = loads(lost_text)
            lost.pop(item_id, None)
            if now is not None:
                lost[item_id] = now
            lost_text = canonical(lost)
    f.settle(rubric, vetoed=vetoes_text != "[]")
    conn.execute(
        "UPDATE eval_figures SET answered = ?, conflicts = ?, sections = ?, base_c = ?, bonus_c = ?,"
        " total_c = ?, outcome = ?, vetoes = ?, lost = ?, updated_at = ? WHERE eval_id = ?",
        (f.answered, f.conflicts, sections_text, f.base_c, f.bonus_c, f.total_c, f.outcome, vetoes_text,
         lost_text, updated_at, eval_id),
    )  # fmt: skip


def write_moved(
    conn: sqlite3.Connection, eval_id: str, f: Figures, sections: str, vetoes: str, lost: str
) -> None:
    """What :func:`item_changed` writes, for a run of marks moved at once (inspector.store.log_batch)."""
    conn.execute(
        "UPDATE eval_figures SET answered = ?, conflicts = ?, sections = ?, base_c = ?, bonus_c = ?,"
        " total_c = ?, outcome = ?, vetoes = ?, lost = ? WHERE eval_id = ?",
        (f.answered, f.conflicts, sections, f.base_c, f.bonus_c, f.total_c, f.outcome, vetoes, lost, eval_id),
    )


def _lost(winner: tuple[str | None, int | None, int] | None, full: int | None) -> int | None:
    """The points of an item below its full points as ``lost`` keeps them, or None (not there)."""
    if winner is None or winner[0] is None or not winner[2] or full is None or winner[1] == full:
        return None
    return winner[1] or 0


def locked(conn: sqlite3.Connection, eval_id: str, wall_time: str, payload: Any) -> None:
    """A lock change: the figures it fixes, if it is the first lock by time (what ``fixed`` reads)."""
    f = read(conn, eval_id)
    if f is None:
        return
    if f.fixed_at is not None and f.fixed_at <= wall_time:
        touched(conn, eval_id, wall_time)
        return
    f.updated_at = wall_time if f.updated_at is None else max(f.updated_at, wall_time)
    f.fixed_at = wall_time
    f.fixed = fixed_strings(payload)
    write(conn, eval_id, f)


def fixed_strings(payload: Any) -> dict[str, str | None] | None:
    """A lock payload's fixed figures as exact decimal text (None: none kept, or unreadable: the
    reader then shows the recomputation, as for a lock made before the figures were kept)."""
    if not isinstance(payload, dict) or "total" not in payload:
        return None
    try:
        total = Decimal(str(payload["total"]))
        base = Decimal(str(payload.get("base", payload["total"])))
        bonus = Decimal(str(payload.get("bonus", 0)))
    except (ArithmeticError, ValueError):
        return None
    if not all(d.is_finite() for d in (total, base, bonus)):
        return None
    outcome, label = payload.get("outcome"), payload.get("outcome_label")
    return {
        "total": fmt(total),
        "base": fmt(base),
        "bonus": fmt(bonus),
        "outcome": outcome if isinstance(outcome, str) else None,
        "outcome_label": label if isinstance(label, str) else None,
    }


# -- recomputed from the marks --------------------------------------------------------------------


def computed(
    conn: sqlite3.Connection, eval_id: str, rubric_for: Any, report: Report | None = None
) -> Figures:
    """The figures recomputed from the evaluation's current marks by the scoring engine, with its
    conflicts counted from the heads and its fixed figures read from its first lock (``report``:
    that score, when the caller has it)."""
    if report is None:
        report = _report(conn, eval_id, rubric_for)
    f = Figures()
    f.answered = sum(1 for i in report.items if i.answered)
    f.conflicts = int(
        conn.execute("SELECT COUNT(*) FROM heads WHERE eval_id = ? AND winner = 0", (eval_id,)).fetchone()[0]
    )
    by_item = {i.id: i for i in report.items}
    for s in report.rubric.sections:
        f.sections[s.code] = sum(_hundredths(by_item[i.id].points) for i in s.items())
    f.base_c, f.bonus_c = _hundredths(report.base), _hundredths(report.bonus)
    f.total_c = _hundredths(report.total)
    f.outcome = report.outcome.code if report.outcome else None
    f.vetoes = sorted(v.id for v in report.vetoed)
    f.lost = {i.id: _hundredths(i.points) for i in report.items if i.answered and i.points != i.max_points}
    _first_lock(conn, eval_id, f)
    f.updated_at = _latest(conn, eval_id)
    return f


def _latest(conn: sqlite3.Connection, eval_id: str) -> str | None:
    """The latest wall time among the evaluation's changes (text order, as ``touched`` compares)."""
    row = conn.execute("SELECT MAX(wall_time) FROM changes WHERE eval_id = ?", (eval_id,)).fetchone()
    return None if row is None else row[0]


def _report(conn: sqlite3.Connection, eval_id: str, rubric_for: Any) -> Report:
    """The score of the evaluation's current marks, as ``EvaluationStore.report`` reads them (read
    here again: this module sits below the store's readers, which the migration cannot import)."""
    return score(*_marks(conn, eval_id, rubric_for), recorded=True)


def _marks(
    conn: sqlite3.Connection, eval_id: str, rubric_for: Any
) -> tuple[Rubric, dict[str, Observation], list[VetoMark]]:
    """The pinned form and the evaluation's current marks (answers, vetoes found)."""
    row = conn.execute(
        "SELECT rubric_id, rubric_version, rubric_hash FROM evaluations WHERE id = ?", (eval_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个评估"), eval_id)
    answers: dict[str, Observation] = {}
    vetoes: list[VetoMark] = []
    for item_id, kind, payload in conn.execute(
        "SELECT c.item_id, c.kind, c.payload FROM heads h JOIN changes c"
        " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
        " WHERE h.eval_id = ? AND h.winner = 1",
        (eval_id,),
    ):
        value = None if payload is None else loads(payload)
        if item_id.startswith(VETO_PREFIX):
            if value and value.get("veto"):
                vetoes.append(VetoMark(item_id[len(VETO_PREFIX) :], value.get("note")))
        elif value is not None and kind == OBSERVE:
            answers[item_id] = parse_observation(value, item_id)
    return rubric_for(row[0], row[1], row[2]), answers, vetoes


def _first_lock(conn: sqlite3.Connection, eval_id: str, f: Figures) -> None:
    """The fixed figures of the evaluation's first lock by time (as ``EvaluationStore.fixed``)."""
    lock = conn.execute(
        "SELECT wall_time, payload FROM changes WHERE eval_id = ? AND kind = 'lock'"
        " ORDER BY wall_time LIMIT 1",
        (eval_id,),
    ).fetchone()
    if lock is not None:
        f.fixed_at = lock[0]
        f.fixed = fixed_strings(loads(lock[1]) if lock[1] is not None else None)


def scored(conn: sqlite3.Connection, eval_id: str, rubric_for: Any) -> Figures:
    """:func:`computed`, or where the scoring engine refuses the marks as a whole, the figures of a
    refusal: no total, no outcome, and the engine's reason (what the score sheet refuses with); so
    too where the form disallows a recorded mark (:func:`inspector.rubric.scoring.disallowed`, the
    one check signing refuses with: a total it would not sign is not shown as one either).
    The refusal is kept in parts (language-neutral: :func:`inspector.rubric.scoring.refusal_parts`),
    put into words on read (:func:`inspector.rubric.scoring.refusal_text`) in the reader's language."""
    try:
        report, parts = score_as_recorded(*_marks(conn, eval_id, rubric_for))
    except InspectorError as e:  # unreadable as recorded: the engine's words are all there is
        text = e.message if not e.where else f"{e.where}：{e.message}"
        return refused_figures(conn, eval_id, canonical({REFUSAL_KEY: "text", "text": text}))
    if parts is not None:
        return refused_figures(conn, eval_id, canonical(parts))
    return computed(conn, eval_id, rubric_for, report)


def recompute(conn: sqlite3.Connection, eval_id: str, rubric_for: Any) -> Figures:
    """Rebuild one evaluation's row from its marks (a move to another version of the form)."""
    f = scored(conn, eval_id, rubric_for)
    write(conn, eval_id, f)
    return f


def differences(kept: Figures | None, truth: Figures) -> list[str]:
    """The names of the kept figures that differ from a recomputation (empty: they agree)."""
    if kept is None:
        return ["row"]
    a, b = kept.as_row(), truth.as_row()
    return [k for k in COLUMNS if a[k] != b[k]]


def refused_figures(conn: sqlite3.Connection, eval_id: str, why: str) -> Figures:
    """The figures of marks the scoring engine refuses as a whole (an item or a veto the pinned
    version lacks: ``report`` refuses such an evaluation until it is put right): how many items have
    a current answer and how many heads lose a conflict, read from the heads; no total, no outcome,
    no vetoes, nothing lost, as the engine gives none (the statistics count nothing of it)."""
    f = Figures(refused=why)
    for item_id, section, answered, winner in conn.execute(
        "SELECT item_id, section, answered, winner FROM heads WHERE eval_id = ?", (eval_id,)
    ):
        if not winner:
            f.conflicts += 1
        elif not item_id.startswith(VETO_PREFIX) and answered and section is not None:  # the form's items
            f.answered += 1
    _first_lock(conn, eval_id, f)
    f.updated_at = _latest(conn, eval_id)
    return f


class _StoredRubrics:
    """The stored rubric versions, parsed once each and checked against the evaluation's hash (what
    ``PinnedRubrics`` does, for the migration, which runs below the store's rubric module)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.memo: dict[tuple[str, int], Rubric] = {}

    def __call__(self, rubric_id: str, version: int, digest: str | None = None) -> Rubric:
        key = (rubric_id, int(version))
        if key not in self.memo:
            row = self.conn.execute(
                "SELECT toml FROM rubrics WHERE id = ? AND version = ?", (rubric_id, int(version))
            ).fetchone()
            if row is None:
                raise NotFoundError(
                    _("没有这个评估表；已有：{known}").format(known="—"), f"{rubric_id} v{version}"
                )
            self.memo[key] = parse_rubric_text(row[0], f"{rubric_id} v{version}")
        rubric = self.memo[key]
        if digest is not None and rubric.content_hash != digest:
            raise StoreError(
                _("评估表 {id} 第{v}版的内容与评估所用版本不一致").format(id=rubric_id, v=version), rubric_id
            )
        return rubric


def recompute_disallowed(conn: sqlite3.Connection) -> int:
    """Recompute the rows of the evaluations whose current marks include one the form disallows
    (a not-applicable without its leave, an override off the item's grid: :func:`accepts`), which a
    program before schema v14 kept as a sum; returns how many. Only marks that can be such (their
    text names "na" or "points", a portable LIKE) are parsed: the rest cannot be disallowed."""
    rubric_for = _StoredRubrics(conn)
    found: set[str] = set()
    for eval_id, item_id, payload, rubric_id, version in conn.execute(
        "SELECT h.eval_id, h.item_id, c.payload, e.rubric_id, e.rubric_version FROM heads h JOIN changes c"
        " ON c.eval_id = h.eval_id AND c.device_id = h.device_id AND c.device_seq = h.device_seq"
        " JOIN evaluations e ON e.id = h.eval_id"
        " WHERE h.winner = 1 AND c.kind = ? AND (c.payload LIKE ? OR c.payload LIKE ?)",
        (OBSERVE, '%"na"%', '%"points"%'),
    ).fetchall():
        if eval_id in found:
            continue
        try:
            ok = accepts(rubric_for(rubric_id, version), item_id, loads(payload))
        except InspectorError:  # unreadable under its form: the engine's to judge
            ok = False
        if not ok:
            found.add(eval_id)
    for eval_id in sorted(found):
        write(conn, eval_id, scored(conn, eval_id, rubric_for))
    return len(found)


def recompute_refusals(conn: sqlite3.Connection) -> int:
    """Recompute the rows whose refusal a program before schema v15 kept in words (the language of
    the process that computed it) rather than in parts; returns how many. Recompute only: the
    engine decides again, so a row whose marks it now takes gets its total back."""
    rubric_for = _StoredRubrics(conn)
    rows = conn.execute(
        "SELECT eval_id FROM eval_figures WHERE refused IS NOT NULL AND refused NOT LIKE ? ORDER BY eval_id",
        ("{%",),
    ).fetchall()
    for (eval_id,) in rows:
        write(conn, eval_id, scored(conn, eval_id, rubric_for))
    return len(rows)


def backfill(conn: sqlite3.Connection) -> int:
    """Every evaluation's row recomputed from its marks by the scoring engine (the schema v13
    migration, in its transaction, after it has added the last columns the rows need; v12 made the
    table): a row kept by an older program may hold a sum the engine refuses, and no latest change
    time; returns how many."""
    rubric_for = _StoredRubrics(conn)
    rows = conn.execute(
        "SELECT id, rubric_id, rubric_version, rubric_hash FROM evaluations ORDER BY id"
    ).fetchall()
    for eval_id, _rubric_id, _version, _digest in rows:
        write(conn, eval_id, scored(conn, eval_id, rubric_for))
    return len(rows)

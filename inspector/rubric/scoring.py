"""Scoring a set of observations against a rubric: items, sections, bonus, vetoes, outcome.

Pure: nothing is stored. The total is the exact sum of the items' points (bonus capped at its
section's points); an override or a not-applicable mark is flagged on its item; a veto decides the
outcome whatever the total.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from inspector.errors import ObservationError, UsageError
from inspector.i18n import _
from inspector.rubric.model import Item, Outcome, Rubric
from inspector.rubric.observations import Observation, check_text, parse_observation
from inspector.rubric.points import ZERO, fmt, json_number
from inspector.rubric.rules import Discretionary


@dataclass(frozen=True)
class VetoMark:
    id: str
    note: str | None = None


@dataclass(frozen=True)
class ItemResult:
    id: str
    points: Decimal
    max_points: Decimal
    reason: str | None
    answered: bool = True
    override: bool = False
    na: bool = False
    #: a mark recorded before the form refused it (na without the form's leave, an override off
    #: the item's point grid): scored as it was recorded, never moved, but it cannot be signed
    irregular: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **({"irregular": self.irregular} if self.irregular else {}),
            "id": self.id,
            "points": json_number(self.points),
            "max_points": json_number(self.max_points),
            "reason": self.reason,
            "override": self.override,
            "na": self.na,
            "answered": self.answered,
        }


@dataclass(frozen=True)
class SectionResult:
    code: str
    title: str
    points: Decimal
    max_points: Decimal
    bonus: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "points": json_number(self.points),
            "max_points": json_number(self.max_points),
            "bonus": self.bonus,
        }


@dataclass(frozen=True)
class Report:
    rubric: Rubric
    items: tuple[ItemResult, ...]
    sections: tuple[SectionResult, ...]
    base: Decimal
    bonus: Decimal
    vetoed: tuple[VetoMark, ...]
    outcome: Outcome | None

    @property
    def total(self) -> Decimal:
        return self.base + self.bonus

    @property
    def unanswered(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if not i.answered)

    @property
    def irregular(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.irregular)

    @property
    def lost(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.answered and i.points < i.max_points)

    def to_json(self, refused: str | None = None) -> dict[str, Any]:
        """The contract's score object; ``refused``: why the engine refuses the marks as a whole
        (this report then scores only the form's own marks: :func:`score_as_recorded`)."""
        outcome = (
            {"code": self.outcome.code, "label": self.outcome.label, "provisional": bool(self.unanswered)}
            if self.outcome
            else {"code": "unrated", "label": _("文件未规定评估结论"), "provisional": bool(self.unanswered)}
        )
        return {
            "rubric": self.rubric.id,
            "version": self.rubric.version,
            "hash": self.rubric.content_hash,
            "total": json_number(self.total),
            "max_points": json_number(self.rubric.max_points),
            "base": json_number(self.base),
            "bonus": json_number(self.bonus),
            "bonus_points": json_number(self.rubric.bonus_points),
            "sections": [s.to_json() for s in self.sections],
            "items": [i.to_json() for i in self.items],
            "vetoed": [v.id for v in self.vetoed],
            "veto_notes": {v.id: v.note for v in self.vetoed if v.note},
            "outcome": outcome,
            "unanswered": list(self.unanswered),
            "complete": not self.unanswered,
            "overrides": [i.id for i in self.items if i.override],
            **({"irregular": [i.id for i in self.irregular]} if self.irregular else {}),
            **self._refusal_json(refused),
        }

    def _refusal_json(self, refused: str | None) -> dict[str, Any]:
        """Marks the form disallows: no total, no outcome, no section sums, no points for an item
        whose mark it disallows, and why (what signing refuses with)."""
        why = refused or disallowed(self)
        if why is None:
            return {}
        irregular = {r.id for r in self.irregular}
        items = [{**i.to_json(), **({"points": None} if i.id in irregular else {})} for i in self.items]
        sections = [{**sec.to_json(), "points": None} for sec in self.sections]
        return {
            "total": None, "base": None, "bonus": None, "outcome": None, "refused": why,
            "sections": sections, "items": items, "complete": False,
        }  # fmt: skip


# -- why the form allows no total, in parts: stored language-neutral (eval_figures.refused), put
# into words on read in the reader's language (refusal_words)

REFUSAL_KEY = "refusal"


def refusal_parts(report: Report) -> dict[str, Any] | None:
    """:func:`disallowed` in parts (None: the form allows every mark): for each item its id, the
    kind of refusal ("na": a not-applicable without the form's leave; "grid": an override off the
    item's point grid, with its points and the grid; "text": the engine's own words, where a mark
    is not scorable under this version) and the form's method it is judged by (the clause, quoted)."""
    if not report.irregular:
        return None
    items: list[dict[str, Any]] = []
    for r in report.irregular:
        item = report.rubric.item(r.id)
        part: dict[str, Any] = {"id": r.id, "method": item.method}
        grid = item.rule.grid(item.points) if r.override else None
        if r.na and item.na is None:
            part["kind"] = "na"
        elif r.override and grid is not None and r.points not in grid and r.points <= item.points:
            part.update(kind="grid", points=fmt(r.points), values=[fmt(v) for v in sorted(grid)])
        else:
            part.update(kind="text", text=r.irregular)
        items.append(part)
    rubric = report.rubric
    return {REFUSAL_KEY: "disallowed", "rubric": rubric.id, "version": rubric.version, "items": items}


def refusal_words(parts: Mapping[str, Any]) -> str:
    """The parts of a refusal in the reader's language (what :func:`disallowed` says)."""
    kind = parts.get(REFUSAL_KEY)
    rubric_id, version = parts.get("rubric"), parts.get("version")
    if kind == "lacks":
        no_item = _("评估表 {r} 没有这个小项").format(r=rubric_id)
        no_veto = _("评估表 {r} 没有这个否决项").format(r=rubric_id)
        where = _("{where}：{message}")
        lines = [
            *(where.format(where=i, message=no_item) for i in parts.get("items", [])),
            *(where.format(where=v, message=no_veto) for v in parts.get("vetoes", [])),
        ]
        also = parts.get("disallowed")
        return "；".join([*lines, *([refusal_words(also)] if isinstance(also, Mapping) else [])])
    if kind == "disallowed":
        lines = []
        for part in parts.get("items", []):
            if part.get("kind") == "na":
                why = _na_words()
            elif part.get("kind") == "grid":
                why = _("人工调整的分数须是该项评分方法能得出的分值（{values}），{p}分不是").format(
                    values="、".join(part.get("values", [])), p=part.get("points")
                )
            else:
                why = str(part.get("text"))
            clause = _("评估表 {r} 第{v}版 {id}：“{method}”").format(
                r=rubric_id, v=version, id=part.get("id"), method=part.get("method")
            )
            lines.append(_("{id} {why}（{clause}）").format(id=part.get("id"), why=why, clause=clause))
        return _("以下小项的记录评估表不允许，请重新评分：{items}").format(items="；".join(lines))
    return str(parts.get("text", ""))


def refusal_text(stored: str | None) -> str | None:
    """A kept refusal (``eval_figures.refused``) in the reader's language: its parts put into words,
    or a row kept before it was stored in parts (schema v13/v14: the words of the process that
    computed it), as it is."""
    if not stored or not stored.startswith("{"):
        return stored
    try:
        parts = json.loads(stored)
    except ValueError:
        return stored
    return refusal_words(parts) if isinstance(parts, dict) and REFUSAL_KEY in parts else stored


def score_as_recorded(
    rubric: Rubric, answers: Mapping[str, Observation], vetoes: Sequence[VetoMark] = ()
) -> tuple[Report, dict[str, Any] | None]:
    """The recorded marks scored (as :func:`score` with ``recorded``), and why the form allows no
    total, in parts (None: it allows one). A mark on an item or a veto the form lacks, which
    :func:`score` refuses as a whole: the report then scores only the form's own marks (for the
    items' view, never a total), and the parts name every such mark (and any the form disallows)."""
    items = sorted(i for i in answers if not rubric.has_item(i))
    lacking = sorted(v.id for v in vetoes if rubric.veto(v.id) is None)
    if not items and not lacking:
        report = score(rubric, answers, vetoes, recorded=True)
        return report, refusal_parts(report)
    own = {k: v for k, v in answers.items() if rubric.has_item(k)}
    report = score(rubric, own, [v for v in vetoes if rubric.veto(v.id) is not None], recorded=True)
    also = refusal_parts(report)
    parts = {REFUSAL_KEY: "lacks", "rubric": rubric.id, "version": rubric.version, "items": items}
    return report, {**parts, "vetoes": lacking, **({"disallowed": also} if also else {})}


def disallowed(report: Report) -> str | None:
    """Why the form disallows the recorded marks as a result, each item named with the reason and
    the form's clause it is judged by (None: the form allows them all).

    The one check of "disallowed" for every reader: signing refuses with it (``EvaluationStore.sign``,
    a bundle's lock), and every unsigned total shows it instead of a figure (the kept figures'
    ``refused``, so the lists, the centre's desk, statistics and workbooks; the window's scoring
    page; ``eval show``). A mark the form lacks (an item or a veto) is refused earlier, by
    :func:`score` itself, with the same consequence.
    """
    parts = refusal_parts(report)
    return None if parts is None else refusal_words(parts)


def na_refusal(item: Item) -> str | None:
    """Why ``{"na": true}`` is refused on this item (None where the form allows it)."""
    if item.na is not None:
        return None
    return _na_words()


def _na_words() -> str:
    return _("该项不能标记为不适用：评估表未规定该项可不适用（只有评估表原文允许的小项才能标记不适用）")


def override_refusal(item: Item, points: Decimal) -> str | None:
    """Why an override of ``points`` is refused (None: a value the item's method can produce)."""
    if points > item.points:
        return _("分数 {p} 超过该项满分 {m}").format(p=fmt(points), m=fmt(item.points))
    grid = item.rule.grid(item.points)
    if grid is not None and points not in grid:
        values = "、".join(fmt(v) for v in sorted(grid))
        return _("人工调整的分数须是该项评分方法能得出的分值（{values}），{p}分不是").format(
            values=values, p=fmt(points)
        )
    return None


def score_item(item: Item, obs: Observation | None, *, recorded: bool = False) -> ItemResult:
    """One item's points and the reason for any lost.

    A new observation (``recorded`` False) is refused where the form refuses it. One already in the
    log (``recorded``) is scored as it was recorded, so that fixing the engine never moves a recorded
    score; if the form refuses it now, the result says why (``irregular``) and signing is refused.
    """
    if obs is None:
        return ItemResult(item.id, ZERO, item.points, _("尚未评分"), answered=False)
    if obs.na:
        refusal = na_refusal(item)
        if refusal and not recorded:
            raise ObservationError(refusal, item.id)
        if item.na is not None:
            points = item.na.points(item.points)
        else:  # the old reading, for marks recorded under it: a base item full, a bonus item nothing
            points = ZERO if item.in_bonus else item.points
        return ItemResult(
            item.id,
            points,
            item.points,
            _("不适用：{reason}").format(reason=obs.reason),
            na=True,
            irregular=refusal,
        )
    if obs.points is not None and not isinstance(item.rule, Discretionary):
        reason = (obs.reason or "").strip()
        if not reason:
            raise ObservationError(_("人工调整分数必须写明理由"), item.id)
        refusal = override_refusal(item, obs.points)
        if refusal and (not recorded or obs.points > item.points):
            raise ObservationError(refusal, item.id)
        return ItemResult(
            item.id,
            obs.points,
            item.points,
            _("人工调整为{p}分：{reason}").format(p=fmt(obs.points), reason=reason),
            override=True,
            irregular=refusal,
        )
    try:
        scored = item.rule.score(item.points, obs, item.id)
    except ObservationError as e:
        if not recorded:
            raise
        # In the log but not scorable under this version (a bundle's older mark after a move to a
        # new version): counted as not yet scored, never guessed; it must be scored again.
        why = _("记录不被本版评估表接受：{m}").format(m=e.message)
        return ItemResult(item.id, ZERO, item.points, why, answered=False, irregular=why)
    return ItemResult(item.id, scored.points, item.points, scored.reason)


def score(
    rubric: Rubric,
    answers: Mapping[str, Observation],
    vetoes: Sequence[VetoMark] = (),
    *,
    recorded: bool = False,
) -> Report:
    for item_id in answers:
        if not rubric.has_item(item_id):
            raise ObservationError(_("评估表 {r} 没有这个小项").format(r=rubric.id), item_id)
    for v in vetoes:
        if rubric.veto(v.id) is None:
            raise ObservationError(_("评估表 {r} 没有这个否决项").format(r=rubric.id), v.id)
    results: list[ItemResult] = []
    sections: list[SectionResult] = []
    base = bonus = ZERO
    for s in rubric.sections:
        mine = [score_item(i, answers.get(i.id), recorded=recorded) for i in s.items()]
        results += mine
        points = sum((r.points for r in mine), ZERO)
        if s.bonus:
            points = min(points, s.points)
            bonus += points
        else:
            base += points
        sections.append(SectionResult(s.code, s.title, points, s.points, s.bonus))
    vetoed = tuple(vetoes)
    outcome = rubric.outcome_for(base + bonus, bool(vetoed)) if rubric.outcomes else None
    return Report(rubric, tuple(results), tuple(sections), base, bonus, vetoed, outcome)


def parse_answers(data: Any, rubric: Rubric, name: str) -> tuple[dict[str, Observation], list[VetoMark]]:
    """The answers file of ``inspector score``: ``{"answers": {ITEM: OBS}, "vetoes": [...]}``.

    ``answers`` may also be a list of ``{"item": ID, …}`` and ``{"veto": ID, "note": …}``
    entries, as the contract lists vetoes among the answers.
    """
    if not isinstance(data, dict):
        raise UsageError(_('答案文件应为 JSON 对象 {"answers": {…}, "vetoes": […]}'), name)
    unknown = sorted(set(data) - {"answers", "vetoes"})
    if unknown:
        raise UsageError(_("未知的字段：{names}").format(names="、".join(unknown)), name)
    answers: dict[str, Observation] = {}
    vetoes: list[VetoMark] = []
    raw = data.get("answers", {})
    entries: list[tuple[str, Any]]
    if isinstance(raw, dict):
        entries = list(raw.items())
    elif isinstance(raw, list):
        entries = []
        for entry in raw:
            if isinstance(entry, dict) and "veto" in entry:
                vetoes.append(_veto(entry, name))
            elif isinstance(entry, dict) and isinstance(entry.get("item"), str):
                entries.append((entry["item"], {k: v for k, v in entry.items() if k != "item"}))
            else:
                raise UsageError(_("answers 列表中的每一项应有“item”或“veto”"), name)
    else:
        raise UsageError(_("“answers”应为对象或列表"), name)
    for item_id, obs in entries:
        if not rubric.has_item(item_id):
            raise ObservationError(_("评估表 {r} 没有这个小项").format(r=rubric.id), item_id)
        if item_id in answers:
            raise ObservationError(_("同一小项出现两次"), item_id)
        answers[item_id] = parse_observation(obs, item_id, new=True)
    raw_vetoes = data.get("vetoes", [])
    if not isinstance(raw_vetoes, list):
        raise UsageError(_("“vetoes”应为列表"), name)
    vetoes += [_veto(v, name) for v in raw_vetoes]
    return answers, vetoes


def _veto(entry: Any, name: str) -> VetoMark:
    if isinstance(entry, str):
        return VetoMark(entry)
    if isinstance(entry, dict):
        vid = entry.get("veto", entry.get("id"))
        note = entry.get("note")
        if isinstance(vid, str) and (note is None or isinstance(note, str)):
            return VetoMark(vid, check_text(note, "note", vid) if note else note)
    raise UsageError(_('否决项应写成 "V1" 或 {"veto": "V1", "note": "…"}'), name)

"""The rubric model: 大项 (section) → 中项 (group) → 小项 (item), vetoes and outcomes.

A rubric is an immutable value identified by id and version and fingerprinted by the SHA-256 of
its canonical content: an evaluation pins all three, and a rubric edited in any way is a new
version. :func:`rubric_from_dict` builds one from the plain structure that the TOML file and the
workbook both produce; :func:`check_rubric` says what is wrong with it, each problem with a
reference (``("item", "4.1.1")``) that the file's reader turns into a line or a cell.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any

from inspector.i18n import _
from inspector.rubric.points import ZERO, fmt, json_number, to_points
from inspector.rubric.rules import Rule, rule_from_dict

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

Ref = tuple[str, str]  # ("rubric" | "section" | "group" | "item" | "veto" | "outcome", key)


NA_SCORES = {"full": "按满分计", "zero": "不得分"}

#: what a deduction on an item must carry (``evidence = {requires = …, clause = …}``)
EVIDENCE_NEEDS = ("note", "photo", "either", "both")


@dataclass(frozen=True)
class NotApplicable:
    """Where the form itself allows an item to be marked not applicable, and how it then scores.

    No general escape hatch: an item without one refuses ``{"na": true}``. ``clause`` quotes the
    text that allows it; ``scores`` is what that text says the item then gets (``full``/``zero``).
    """

    clause: str
    scores: str = "full"

    def points(self, max_points: Decimal) -> Decimal:
        return max_points if self.scores == "full" else ZERO

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "scores": self.scores}


@dataclass(frozen=True)
class EvidenceRule:
    """A deduction on this item must carry a note, a photo (an evidence file), either or both.

    Only where a text requires it: ``clause`` quotes the form's words, or the centre's own
    decision when a centre sets it in a rubric version of its own. No shipped form sets one today.
    """

    requires: str
    clause: str

    def to_dict(self) -> dict[str, Any]:
        return {"requires": self.requires, "clause": self.clause}

    def missing(self, has_note: bool, has_photo: bool) -> tuple[str, ...]:
        """What a deduction still lacks: () when satisfied, else ("note",), ("photo",) or both."""
        if self.requires == "note":
            return () if has_note else ("note",)
        if self.requires == "photo":
            return () if has_photo else ("photo",)
        if self.requires == "either":
            return () if has_note or has_photo else ("note", "photo")
        return tuple(k for k, ok in (("note", has_note), ("photo", has_photo)) if not ok)


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    points: Decimal
    method: str
    rule: Rule
    #: on paper the method cell is merged with the previous item's
    shares_method: bool = False
    #: a sub-list header within the group (示范 5.3 "评审前资料准备")
    subgroup: str | None = None
    #: how many records to sample, where the document says (Chongqing)
    sampling: str | None = None
    #: the reading of the text the inspector needs (shown on screen)
    note: str | None = None
    #: the line is reconstructed from unreadable source text: what was reconstructed (printed)
    reconstructed: str | None = None
    #: the transcriber's notes ("原文OCR作…"): the file and ``rubric show --notes`` only
    editor_note: str | None = None
    #: the form allows marking this item not applicable (and says how it then scores)
    na: NotApplicable | None = None
    #: a deduction must carry a note and/or a photo (cited), where a text requires it
    evidence: EvidenceRule | None = None
    #: the item belongs to a bonus (加分项) section — derived from the structure, never stored
    in_bonus: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    items: tuple[Item, ...]
    points: Decimal | None = None
    #: the form's own table label starting at this 中项 ("表2-1"), printed above it
    table: str | None = None

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}".strip()


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    points: Decimal
    groups: tuple[Group, ...]
    bonus: bool = False

    def items(self) -> Iterator[Item]:
        for g in self.groups:
            yield from g.items


@dataclass(frozen=True)
class Veto:
    id: str
    text: str


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    #: the least total that reaches this outcome (inclusive); None for the last, catch-all one
    min: Decimal | None = None
    #: the document's words for this band, quoted
    clause: str = ""
    #: the band's top as the document prints it ("60分至79分": 79), where it leaves a gap below
    #: the next band's least total (79.5 exists once half points do)
    upto: Decimal | None = None
    #: how a total in that gap is read, quoting the clause that decides it
    reading: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "label": self.label}
        if self.min is not None:
            out["min"] = self.min
        for key in ("clause", "upto", "reading"):
            if getattr(self, key) not in ("", None):
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Rubric:
    id: str
    version: int
    title: str
    sections: tuple[Section, ...]
    max_points: Decimal
    issuer: str = ""
    document: str = ""
    year: int | None = None
    source: str = ""
    notes: str = ""
    derived: bool = False
    vetoes: tuple[Veto, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    veto_outcome: str | None = None
    _index: dict[str, tuple[Section, Group, Item]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for s in self.sections:
            for g in s.groups:
                for i in g.items:
                    self._index.setdefault(i.id, (s, g, i))

    # -- looking things up -------------------------------------------------------------------
    def items(self) -> Iterator[Item]:
        for s in self.sections:
            yield from s.items()

    def item(self, item_id: str) -> Item:
        return self._index[item_id][2]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._index

    def locate(self, item_id: str) -> tuple[Section, Group, Item]:
        return self._index[item_id]

    def base_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if not s.bonus)

    @property
    def bonus_points(self) -> Decimal:
        return sum((s.points for s in self.sections if s.bonus), ZERO)

    @property
    def scored(self) -> bool:
        return any(i.rule.scored for i in self.items())

    def veto(self, veto_id: str) -> Veto | None:
        return next((v for v in self.vetoes if v.id == veto_id), None)

    def outcome_for(self, total: Decimal, vetoed: bool) -> Outcome | None:
        if vetoed and self.veto_outcome:
            return next(o for o in self.outcomes if o.code == self.veto_outcome)
        for o in self.outcomes:
            if o.min is None or total >= o.min:
                if o.upto is not None and total > o.upto and o.reading:
                    # in the gap the text leaves: say so, with the reading and its clause
                    return replace(
                        o, label=_("{label}（{reading}）").format(label=o.label, reading=o.reading)
                    )
                return o
        return None

    # -- identity ----------------------------------------------------------------------------
    @cached_property
    def content_hash(self) -> str:
        canonical = json.dumps(_plain(self.to_dict()), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The plain structure the TOML file holds (points as Decimal)."""
        out: dict[str, Any] = {"id": self.id, "version": self.version, "title": self.title}
        for key in ("issuer", "document", "year", "source", "notes"):
            value = getattr(self, key)
            if value not in ("", None):
                out[key] = value
        if self.derived:
            out["derived"] = True
        out["max_points"] = self.max_points
        if self.veto_outcome:
            out["veto_outcome"] = self.veto_outcome
        out["outcomes"] = [o.to_dict() for o in self.outcomes]
        out["vetoes"] = [{"id": v.id, "text": v.text} for v in self.vetoes]
        out["sections"] = [_section_dict(s) for s in self.sections]
        return out


def _section_dict(s: Section) -> dict[str, Any]:
    out: dict[str, Any] = {"code": s.code, "title": s.title, "points": s.points}
    if s.bonus:
        out["bonus"] = True
    out["groups"] = [_group_dict(g) for g in s.groups]
    return out


def _group_dict(g: Group) -> dict[str, Any]:
    out: dict[str, Any] = {"code": g.code, "title": g.title}
    if g.points is not None:
        out["points"] = g.points
    if g.table:
        out["table"] = g.table
    out["items"] = [_item_dict(i) for i in g.items]
    return out


def _item_dict(i: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "text": i.text, "points": i.points, "method": i.method}
    if i.shares_method:
        out["shares_method"] = True
    for key in ("subgroup", "sampling", "note", "reconstructed", "editor_note"):
        value = getattr(i, key)
        if value:
            out[key] = value
    if i.na is not None:
        out["na"] = i.na.to_dict()
    if i.evidence is not None:
        out["evidence"] = i.evidence.to_dict()
    out["rule"] = i.rule.to_dict()
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# -- building from plain data ------------------------------------------------------------------


class Malformed(ValueError):
    """A problem found while building, with the reference it is about."""

    def __init__(self, ref: Ref, message: str) -> None:
        super().__init__(message)
        self.ref = ref
        self.message = message


_RUBRIC_KEYS = {
    "id", "version", "title", "issuer", "document", "year", "source", "notes", "derived",
    "max_points", "veto_outcome", "outcomes", "vetoes", "sections",
}  # fmt: skip
_SECTION_KEYS = {"code", "title", "points", "bonus", "groups"}
_GROUP_KEYS = {"code", "title", "points", "items", "table"}
_ITEM_KEYS = {
    "id", "text", "points", "method", "shares_method", "subgroup", "sampling", "note", "rule",
    "reconstructed", "editor_note", "na", "evidence",
}  # fmt: skip


def group_ref(section_code: str, group_code: str, title: str) -> Ref:
    """The reference of a 中项: codes may be empty (Chongqing) or repeated (Henan's two 6.2)."""
    return ("group", f"{section_code}/{group_code} {title}")


def _unknown(data: dict[str, Any], allowed: set[str], ref: Ref) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise Malformed(ref, _("未知的字段：{names}").format(names="、".join(extra)))


def _str(data: dict[str, Any], key: str, ref: Ref, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise Malformed(ref, _("“{key}”应为文字").format(key=key))
    if required and not value.strip():
        raise Malformed(ref, _("缺少“{key}”").format(key=key))
    return value


def _pts(data: dict[str, Any], key: str, ref: Ref, *, required: bool = True) -> Decimal | None:
    if key not in data or data[key] is None:
        if required:
            raise Malformed(ref, _("缺少分值“{key}”").format(key=key))
        return None
    try:
        value = to_points(data[key])
    except ValueError:
        raise Malformed(ref, _("分值“{key}”应为数字，收到 {v!r}").format(key=key, v=data[key])) from None
    if value < 0:
        raise Malformed(ref, _("分值“{key}”不能为负数：{v}").format(key=key, v=fmt(value)))
    return value


def _list(data: dict[str, Any], key: str, ref: Ref) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Malformed(ref, _("“{key}”应为表的列表").format(key=key))
    return value


def _item(data: dict[str, Any]) -> Item:
    raw_id = data.get("id")
    ref: Ref = ("item", str(raw_id))
    if not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
        raise Malformed(ref, _("小项编号“{id}”无效（字母、数字、点、横线、下划线）").format(id=raw_id))
    _unknown(data, _ITEM_KEYS, ref)
    points = _pts(data, "points", ref)
    assert points is not None
    raw_rule = data.get("rule")
    try:
        if isinstance(raw_rule, str):
            from inspector.rubric.ruletext import parse_rule

            rule = parse_rule(raw_rule)
        else:
            rule = rule_from_dict(raw_rule)
    except ValueError as e:
        raise Malformed(ref, _("计分规则：{e}").format(e=e)) from None
    for problem in rule.check(points):
        raise Malformed(ref, _("计分规则：{p}").format(p=problem))
    shares = data.get("shares_method", False)
    if not isinstance(shares, bool):
        raise Malformed(ref, _("“shares_method”应为 true 或 false"))
    na = None
    if "na" in data:
        raw_na = data["na"]
        if (
            not isinstance(raw_na, dict)
            or set(raw_na) - {"clause", "scores"}
            or not isinstance(raw_na.get("clause"), str)
            or not raw_na["clause"].strip()
            or raw_na.get("scores", "full") not in NA_SCORES
        ):
            raise Malformed(ref, _('“na”应写成 {clause = "允许不适用的原文", scores = "full" 或 "zero"}'))
        na = NotApplicable(raw_na["clause"].strip(), raw_na.get("scores", "full"))
    evidence = None
    if "evidence" in data:
        raw_ev = data["evidence"]
        if (
            not isinstance(raw_ev, dict)
            or set(raw_ev) - {"requires", "clause"}
            or raw_ev.get("requires") not in EVIDENCE_NEEDS
            or not isinstance(raw_ev.get("clause"), str)
            or not raw_ev["clause"].strip()
        ):
            raise Malformed(
                ref, _('“evidence”应写成 {requires = "note" 或 "photo"、"either"、"both", clause = "原文"}')
            )
        evidence = EvidenceRule(raw_ev["requires"], raw_ev["clause"].strip())
    return Item(
        id=raw_id,
        text=_str(data, "text", ref),
        points=points,
        method=_str(data, "method", ref, required=False),
        rule=rule,
        shares_method=shares,
        subgroup=_str(data, "subgroup", ref, required=False) or None,
        sampling=_str(data, "sampling", ref, required=False) or None,
        note=_str(data, "note", ref, required=False) or None,
        reconstructed=_str(data, "reconstructed", ref, required=False) or None,
        editor_note=_str(data, "editor_note", ref, required=False) or None,
        na=na,
        evidence=evidence,
    )


def rubric_from_dict(data: dict[str, Any]) -> Rubric:
    """Build a rubric from plain data; raises :class:`Malformed` on the first problem."""
    top: Ref = ("rubric", str(data.get("id", "")))
    _unknown(data, _RUBRIC_KEYS, top)
    rid = data.get("id")
    if not isinstance(rid, str) or not ID_PATTERN.match(rid):
        raise Malformed(top, _("评估表编号“{id}”无效（字母、数字、点、横线、下划线）").format(id=rid))
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Malformed(top, _("版本“version”应为正整数"))
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise Malformed(top, _("年份“year”应为整数"))
    derived = data.get("derived", False)
    if not isinstance(derived, bool):
        raise Malformed(top, _("“derived”应为 true 或 false"))
    sections = []
    for s in _list(data, "sections", top):
        sref: Ref = ("section", str(s.get("code", "")))
        _unknown(s, _SECTION_KEYS, sref)
        groups = []
        for g in _list(s, "groups", sref):
            gref = group_ref(str(s.get("code", "")), str(g.get("code", "")), str(g.get("title", "")))
            _unknown(g, _GROUP_KEYS, gref)
            items = tuple(_item(i) for i in _list(g, "items", gref))
            if s.get("bonus") is True:
                items = tuple(replace(i, in_bonus=True) for i in items)
            groups.append(
                Group(
                    code=_str(g, "code", gref, required=False),
                    title=_str(g, "title", gref),
                    items=items,
                    points=_pts(g, "points", gref, required=False),
                    table=_str(g, "table", gref, required=False).strip() or None,
                )
            )
        points = _pts(s, "points", sref)
        assert points is not None
        bonus = s.get("bonus", False)
        if not isinstance(bonus, bool):
            raise Malformed(sref, _("“bonus”应为 true 或 false"))
        sections.append(
            Section(
                code=_str(s, "code", sref),
                title=_str(s, "title", sref),
                points=points,
                groups=tuple(groups),
                bonus=bonus,
            )
        )
    outcomes = []
    for o in _list(data, "outcomes", top):
        oref: Ref = ("outcome", str(o.get("code", "")))
        _unknown(o, {"code", "label", "min", "clause", "upto", "reading"}, oref)
        outcomes.append(
            Outcome(
                _str(o, "code", oref),
                _str(o, "label", oref),
                _pts(o, "min", oref, required=False),
                clause=_str(o, "clause", oref, required=False),
                upto=_pts(o, "upto", oref, required=False),
                reading=_str(o, "reading", oref, required=False),
            )
        )
    vetoes = []
    for v in _list(data, "vetoes", top):
        vref: Ref = ("veto", str(v.get("id", "")))
        _unknown(v, {"id", "text"}, vref)
        vetoes.append(Veto(_str(v, "id", vref), _str(v, "text", vref)))
    max_points = _pts(data, "max_points", top)
    assert max_points is not None
    veto_outcome = data.get("veto_outcome")
    if veto_outcome is not None and not isinstance(veto_outcome, str):
        raise Malformed(top, _("“veto_outcome”应为文字"))
    rubric = Rubric(
        id=rid,
        version=version,
        title=_str(data, "title", top),
        sections=tuple(sections),
        max_points=max_points,
        issuer=_str(data, "issuer", top, required=False),
        document=_str(data, "document", top, required=False),
        year=year,
        source=_str(data, "source", top, required=False),
        notes=_str(data, "notes", top, required=False),
        derived=derived,
        vetoes=tuple(vetoes),
        outcomes=tuple(outcomes),
        veto_outcome=veto_outcome,
    )
    problems = check_rubric(rubric)
    if problems:
        ref, message = problems[0]
        raise Malformed(ref, message)
    return rubric


def check_rubric(r: Rubric) -> list[tuple[Ref, str]]:
    """Everything wrong with a rubric's structure and arithmetic."""
    out: list[tuple[Ref, str]] = []
    seen: set[str] = set()
    for item in r.items():
        if item.id in seen:
            out.append((("item", item.id), _("小项编号重复：{id}").format(id=item.id)))
        seen.add(item.id)
    if not r.sections:
        out.append((("rubric", r.id), _("评估表没有大项")))
    for s in r.sections:
        sref: Ref = ("section", s.code)
        if not any(True for _i in s.items()):
            out.append((sref, _("大项 {code} 没有小项").format(code=s.code)))
        total = sum((i.points for i in s.items()), ZERO)
        if s.bonus:
            if total < s.points:
                out.append(
                    (
                        sref,
                        _("加分项 {code} 的小项合计 {t} 分，少于其上限 {p} 分").format(
                            code=s.code, t=fmt(total), p=fmt(s.points)
                        ),
                    )
                )
        elif total != s.points:
            out.append(
                (
                    sref,
                    _("大项 {code} 标为 {p} 分，其小项合计 {t} 分").format(
                        code=s.code, p=fmt(s.points), t=fmt(total)
                    ),
                )
            )
        for g in s.groups:
            for prev, item in pairwise(g.items):
                if item.shares_method and item.method != prev.method:
                    out.append(
                        (("item", item.id), _("与上一小项合并的评估方法（shares_method）必须与其文字相同"))
                    )
            if g.items and g.items[0].shares_method:
                out.append((("item", g.items[0].id), _("中项的第一个小项不能与上一小项合并评估方法")))
            if not g.items:
                out.append((group_ref(s.code, g.code, g.title), _("中项 {g} 没有小项").format(g=g.label)))
            gtotal = sum((i.points for i in g.items), ZERO)
            if g.points is not None and gtotal != g.points:
                out.append(
                    (
                        group_ref(s.code, g.code, g.title),
                        _("中项 {g} 标为 {p} 分，其小项合计 {t} 分").format(
                            g=g.label, p=fmt(g.points), t=fmt(gtotal)
                        ),
                    )
                )
    base = sum((s.points for s in r.base_sections()), ZERO)
    if base != r.max_points:
        out.append(
            (
                ("rubric", r.id),
                _("评估表标为 {m} 分，其大项合计 {b} 分").format(m=fmt(r.max_points), b=fmt(base)),
            )
        )
    vids = [v.id for v in r.vetoes]
    if len(set(vids)) != len(vids):
        out.append((("veto", vids[0]), _("否决项编号重复")))
    codes = [o.code for o in r.outcomes]
    if len(set(codes)) != len(codes):
        out.append((("outcome", codes[0]), _("评估结论代码重复")))
    mins = [o.min for o in r.outcomes]
    if r.outcomes:
        if mins[-1] is not None:
            out.append((("outcome", codes[-1]), _("最后一个评估结论不应设最低分（它承接其余情况）")))
        given = [m for m in mins[:-1] if m is not None]
        if len(given) != len(mins) - 1 or any(a <= b for a, b in pairwise(given)):
            out.append((("outcome", codes[0]), _("评估结论应按最低分从高到低排列，仅最后一个不设最低分")))
    for above, band in pairwise(r.outcomes):
        if band.upto is not None and (
            not band.reading
            or above.min is None
            or band.upto >= above.min
            or (band.min is not None and band.upto < band.min)
        ):
            out.append(
                (
                    ("outcome", band.code),
                    _("“upto”应在本档最低分与上一档最低分之间，并以“reading”写明空档的读法"),
                )
            )
    if r.outcomes and r.outcomes[0].upto is not None:
        out.append((("outcome", r.outcomes[0].code), _("最高一档不设“upto”")))
    if r.veto_outcome is not None and r.veto_outcome not in codes:
        out.append((("rubric", r.id), _("否决时的结论“{c}”不在评估结论中").format(c=r.veto_outcome)))
    if r.vetoes and r.veto_outcome is None:
        out.append((("rubric", r.id), _("有否决项时须指明否决时的结论（veto_outcome）")))
    return out


def rubric_json(r: Rubric) -> dict[str, Any]:
    """``rubric show --json``: the contract's keys plus what the window and reports need."""
    return {
        "id": r.id,
        "version": r.version,
        "hash": r.content_hash,
        "title": r.title,
        "issuer": r.issuer,
        "document": r.document,
        "year": r.year,
        "source": r.source,
        "notes": r.notes,
        "derived": r.derived,
        "max_points": json_number(r.max_points),
        "bonus_points": json_number(r.bonus_points),
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "max_points": json_number(s.points),
                "bonus": s.bonus,
                "items": [
                    {
                        "id": i.id,
                        "group": {
                            "code": g.code,
                            "title": g.title,
                            **({"max_points": json_number(g.points)} if g.points is not None else {}),
                            **({"table": g.table} if g.table else {}),
                        },
                        "text": i.text,
                        "method": i.method,
                        "max_points": json_number(i.points),
                        "rule": i.rule.to_json(),
                        **({"subgroup": i.subgroup} if i.subgroup else {}),
                        **({"sampling": i.sampling} if i.sampling else {}),
                        **({"note": i.note} if i.note else {}),
                        **({"reconstructed": i.reconstructed} if i.reconstructed else {}),
                        **({"na": i.na.to_dict()} if i.na else {}),
                        **({"evidence": i.evidence.to_dict()} if i.evidence else {}),
                    }
                    for g in s.groups
                    for i in g.items
                ],
            }
            for s in r.sections
        ],
        "vetoes": [{"id": v.id, "text": v.text} for v in r.vetoes],
        "outcomes": [
            {
                "code": o.code,
                "label": o.label,
                "min": json_number(o.min) if o.min is not None else None,
                **({"clause": o.clause} if o.clause else {}),
                **({"upto": json_number(o.upto), "reading": o.reading} if o.upto is not None else {}),
            }
            for o in r.outcomes
        ],
        "veto_outcome": r.veto_outcome,
    }


def rubric_summary(r: Rubric) -> dict[str, Any]:
    """One line of ``rubric list --json``."""
    return {
        "id": r.id,
        "version": r.version,
        "title": r.title,
        "max_points": json_number(r.max_points),
        "bonus_points": json_number(r.bonus_points),
        "hash": r.content_hash,
        "issuer": r.issuer,
        "year": r.year,
        "items": sum(1 for _i in r.items()),
    }

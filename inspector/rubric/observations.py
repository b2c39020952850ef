"""What an inspector saw on one item, in the shapes of the command-line contract.

``{"problems": N}``, ``{"ratio": X}``, ``{"tier": K}``, ``{"met": bool}``,
``{"points": P, "reason": "…"}``, ``{"unmet": [1, 3]}`` (which criteria of a grouped item failed)
and ``{"na": true, "reason": "…"}`` (not applicable). ``note`` and ``evidence`` ride along with any
of them. Exactly one measurement per observation: an observation that says two things at once
is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from inspector.errors import ObservationError
from inspector.i18n import _
from inspector.rubric.points import json_number, to_points

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
#: The longest reason or note, in characters: the same limit on the laptop (recording) and at the
#: centre (a bundle's change is parsed by this module too), so that a note the centre would refuse
#: is never recorded, exported and marked as sent. Two thousand characters is two pages of
#: handwriting, more than any 扣分理由 box; the printed sheet shows every note in full.
MAX_TEXT = 2000
# C0 controls other than tab and newline, DEL and the C1 controls: invisible, and some (NUL, form
# feed) break the workbooks and PDFs a note ends up in.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The largest count recorded: no form bounds a count of problems in general (where one does, the
#: rule refuses more: Deduct ``of``, the criteria of a grouped item, the tiers of a tiered one), so
#: this is the encoding's bound, not a threshold of a form: RFC 8259 §6 — integers in
#: [-(2**53)+1, 2**53-1] are the ones every JSON reader holds exactly.
MAX_COUNT = 2**53 - 1
MEASURES = ("problems", "ratio", "tier", "met", "points", "unmet", "na")
_RIDERS = ("reason", "note", "evidence")


@dataclass(frozen=True)
class EvidenceRef:
    """A stored evidence file (by SHA-256) attached to an observation, with its caption."""

    sha256: str
    caption: str = ""
    name: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"sha256": self.sha256}
        if self.caption:
            out["caption"] = self.caption
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class Observation:
    problems: int | None = None
    ratio: Decimal | None = None
    tier: int | None = None
    met: bool | None = None
    points: Decimal | None = None
    unmet: tuple[int, ...] | None = None
    na: bool = False
    reason: str | None = None
    note: str | None = None
    evidence: tuple[EvidenceRef, ...] = ()

    @property
    def measure(self) -> str:
        for name in MEASURES:
            value = getattr(self, name)
            if (value is True) if name == "na" else (value is not None):
                return name
        raise AssertionError("an observation always has a measurement")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        m = self.measure
        value = getattr(self, m)
        if isinstance(value, Decimal):
            value = json_number(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[m] = value
        if self.reason is not None:
            out["reason"] = self.reason
        if self.note is not None:
            out["note"] = self.note
        if self.evidence:
            out["evidence"] = [e.to_dict() for e in self.evidence]
        return out


def _int(value: Any, name: str, where: str, new: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ObservationError(
            _("“{name}”应为非负整数，收到 {value!r}").format(name=name, value=value), where
        )
    if new and not isinstance(value, int):
        # a JSON number with a point or an exponent (2.0, 1e400) is parsed as a Decimal: a count is
        # written as a JSON integer, and 1e400 "problems" is a slip, not a count to score
        raise ObservationError(
            _("“{name}”应为整数（如 3，不带小数点或指数），收到 {value}").format(name=name, value=value),
            where,
        )
    if value != int(value) or value < 0:
        raise ObservationError(_("“{name}”应为非负整数，收到 {value}").format(name=name, value=value), where)
    if new and value > MAX_COUNT:
        raise ObservationError(
            _("“{name}”超出可记录的范围：{digits} 位数，最大为 {max}").format(
                name=name, digits=len(str(int(value))), max=MAX_COUNT
            ),
            where,
        )
    return int(value)


def _ratio(value: Any) -> Decimal | None:
    """A proportion, exact, to at most six places (0.333333 for a third)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not d.is_finite() or d != d.quantize(Decimal("0.000001")):
        return None
    return d


def _evidence(value: Any, where: str) -> tuple[EvidenceRef, ...]:
    shape = _('“evidence”应为列表，每项为文件的 SHA-256 或 {"sha256": …, "caption": …}')
    if not isinstance(value, list):
        raise ObservationError(shape, where)
    refs = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"sha256": entry}
        if not isinstance(entry, dict) or set(entry) - {"sha256", "caption", "name"}:
            raise ObservationError(shape, where)
        digest, caption, name = entry.get("sha256"), entry.get("caption", ""), entry.get("name", "")
        if not isinstance(digest, str) or not SHA256_HEX.match(digest):
            raise ObservationError(_("证据文件的 SHA-256 无效：{v}").format(v=digest), where)
        if not isinstance(caption, str) or not isinstance(name, str):
            raise ObservationError(shape, where)
        refs.append(EvidenceRef(digest, caption, name))
    return tuple(refs)


def _text(value: Any, name: str, where: str, new: bool) -> str:
    if not isinstance(value, str):
        raise ObservationError(_("“{name}”应为文字").format(name=name), where)
    return check_text(value, name, where) if new else value


def check_text(value: str, name: str, where: str) -> str:
    """A reason or note within the limits both ends enforce (:data:`MAX_TEXT`, no control characters)."""
    if len(value) > MAX_TEXT:
        raise ObservationError(
            _("“{name}”太长：{n} 个字符，最多 {max} 个").format(name=name, n=len(value), max=MAX_TEXT), where
        )
    if CONTROL.search(value):
        raise ObservationError(_("“{name}”中有控制字符").format(name=name), where)
    return value


def parse_observation(data: Any, where: str, *, new: bool = False) -> Observation:
    """Read one observation (a JSON object); ``where`` names the item for messages.

    ``new``: it is being recorded (typed, read from an answers file) or received in a bundle, so
    the limits both ends enforce apply (:func:`check_text`). What is already stored is read as it
    is: a note recorded before the limits must never make an evaluation unreadable.
    """
    if not isinstance(data, dict):
        raise ObservationError(_('观察结果应为 JSON 对象，例如 {"problems": 1}'), where)
    unknown = sorted(set(data) - set(MEASURES) - set(_RIDERS))
    if unknown:
        raise ObservationError(_("未知的字段：{names}").format(names="、".join(unknown)), where)
    given = [k for k in MEASURES if k in data and not (k == "na" and data[k] is False)]
    if not given:
        raise ObservationError(
            _("没有观察结果：需要 problems、ratio、tier、met、points、unmet 或 na 之一"), where
        )
    if len(given) > 1:
        raise ObservationError(
            _("一次只能记录一种观察结果，收到：{names}").format(names="、".join(given)), where
        )
    kwargs: dict[str, Any] = {}
    m = given[0]
    value = data[m]
    if m in ("problems", "tier"):
        kwargs[m] = _int(value, m, where, new)
    elif m == "ratio":
        ratio = _ratio(value)
        if ratio is None or not (0 <= ratio <= 1):
            raise ObservationError(_("“ratio”应为 0 到 1 之间的数，收到 {v}").format(v=value), where)
        kwargs["ratio"] = ratio
    elif m == "met":
        if not isinstance(value, bool):
            raise ObservationError(_("“met”应为 true 或 false"), where)
        kwargs["met"] = value
    elif m == "points":
        if (new and not isinstance(value, (int, float, Decimal))) or isinstance(value, bool):
            # to_points reads "1" from a form's cell; an observation's points are a JSON number
            raise ObservationError(_("“points”应为数字（如 1.5），收到 {v!r}").format(v=value), where)
        try:
            pts = to_points(value)
        except ValueError:
            raise ObservationError(
                _("“points”应为最多两位小数的分数，收到 {v}").format(v=value), where
            ) from None
        if pts < 0:
            raise ObservationError(_("“points”不能为负数"), where)
        kwargs["points"] = pts
    elif m == "unmet":
        if not isinstance(value, list):
            raise ObservationError(_("“unmet”应为不符合的条目序号列表，例如 [1, 3]"), where)
        numbers = [_int(v, "unmet", where, new) for v in value]
        if len(set(numbers)) != len(numbers):
            raise ObservationError(_("“unmet”中有重复的序号"), where)
        kwargs["unmet"] = tuple(sorted(numbers))
    elif m == "na":
        if value is not True:
            raise ObservationError(_("“na”应为 true"), where)
        kwargs["na"] = True
    if "reason" in data and data["reason"] is not None:
        kwargs["reason"] = _text(data["reason"], "reason", where, new)
    if "note" in data and data["note"] is not None:
        kwargs["note"] = _text(data["note"], "note", where, new)
    if "evidence" in data and data["evidence"] is not None:
        kwargs["evidence"] = _evidence(data["evidence"], where)
    # Points need a reason only when some are lost, which the rule decides; "not applicable" always.
    if m == "na" and not (kwargs.get("reason") or "").strip():
        raise ObservationError(_("标记为不适用时必须写明理由"), where)
    return Observation(**kwargs)

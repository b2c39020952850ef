"""Conditions on what was observed, as a tier of a rule states them.

Written the way a centre staffer reads them: ``问题<=2``, ``问题>3``, ``比例>=60%``,
``比例=30%..60%``, ``比例<3%``. The words of the documents map onto them by the Civil Code
(art. 1259): 以上/以下/以内 include the number (``>=``, ``<=``), 超过/不满/低于/高于 exclude it
(``>``, ``<``). A range ``a..b`` includes both ends; where two tiers share an end, the first tier
listed (the better one) takes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from inspector.i18n import _
from inspector.rubric.points import fmt

PROBLEMS = "problems"
RATIO = "ratio"
_MEASURES = {"问题": PROBLEMS, "problems": PROBLEMS, "比例": RATIO, "ratio": RATIO}
_MEASURE_WORD = {PROBLEMS: "问题", RATIO: "比例"}
_OPS = {"≤": "<=", "≥": ">=", "＜": "<", "＞": ">", "＝": "=", "==": "="}
_PATTERN = re.compile(
    r"^\s*(?P<measure>问题|比例|problems|ratio)\s*"
    r"(?P<op><=|>=|==|=|<|>)\s*"
    r"(?P<a>[0-9.]+%?)\s*(?:\.\.\s*(?P<b>[0-9.]+%?))?\s*$"
)


@dataclass(frozen=True)
class Condition:
    measure: str  # PROBLEMS or RATIO
    lo: Decimal | None
    lo_inclusive: bool
    hi: Decimal | None
    hi_inclusive: bool

    def holds(self, value: Decimal) -> bool:
        if self.lo is not None and (value < self.lo or (value == self.lo and not self.lo_inclusive)):
            return False
        return self.hi is None or value < self.hi or (value == self.hi and self.hi_inclusive)

    def text(self) -> str:
        word = _MEASURE_WORD[self.measure]
        show = _show_ratio if self.measure == RATIO else fmt
        lo, hi = self.lo, self.hi
        if lo is not None and hi is not None:
            if lo == hi:
                return f"{word}={show(lo)}"
            return f"{word}={show(lo)}..{show(hi)}"
        if lo is not None:
            return f"{word}{'>=' if self.lo_inclusive else '>'}{show(lo)}"
        assert hi is not None
        return f"{word}{'<=' if self.hi_inclusive else '<'}{show(hi)}"


def _show_ratio(d: Decimal) -> str:
    return f"{fmt(d * 100)}%"


def _number(text: str, measure: str) -> Decimal:
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise ValueError(_("不是数字：{text}").format(text=text)) from None
    if percent:
        value = value / 100
    if measure == RATIO and not (0 <= value <= 1):
        raise ValueError(_("比例应在 0 到 100% 之间：{text}").format(text=text))
    if measure == PROBLEMS and (value != value.to_integral_value() or value < 0):
        raise ValueError(_("问题数应为非负整数：{text}").format(text=text))
    return value


def parse_condition(text: str) -> Condition:
    """Parse ``问题<=2`` and its kin; raises ValueError with a message for the user."""
    for k, v in _OPS.items():
        text = text.replace(k, v)
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(
            _("无法理解的条件“{text}”（例：问题<=2、问题>3、比例>=60%、比例=30%..60%）").format(text=text)
        )
    measure = _MEASURES[m["measure"]]
    op, a = m["op"], _number(m["a"], measure)
    if m["b"] is not None:
        if op != "=":
            raise ValueError(_("范围只能写成“=a..b”：{text}").format(text=text))
        b = _number(m["b"], measure)
        if b < a:
            raise ValueError(_("范围的下限大于上限：{text}").format(text=text))
        return Condition(measure, a, True, b, True)
    if op == "=":
        return Condition(measure, a, True, a, True)
    if op in (">", ">="):
        return Condition(measure, a, op == ">=", None, False)
    return Condition(measure, None, False, a, op == "<=")

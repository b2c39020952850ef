"""The item filters of the rubric tree (ui/item_finder.py) by key, label and test.

Apart from the finder's widgets: the window's 视图 › 只看小项 menu lists them before its first paint,
and importing the finder's module there made PySide6 build the Python types of its combo box and
tree view too (issue 18, P1). Nothing here imports Qt or the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from inspector.i18n import _

if TYPE_CHECKING:  # the window's menu lists the filters before the first paint, without the store
    from ui.session import EvaluationSession


def _unanswered(s: EvaluationSession, item_id: str) -> bool:
    return not s.results[item_id].answered or bool(s.conflict(item_id))


def _deducted(s: EvaluationSession, item_id: str) -> bool:
    r = s.results[item_id]
    return r.answered and r.points < r.max_points


def _flagged(s: EvaluationSession, item_id: str) -> bool:
    return item_id in s.flags


def _differs(s: EvaluationSession, item_id: str) -> bool:
    c = s.self_result(item_id)
    return c is not None and c.differs


def _failed_before(s: EvaluationSession, item_id: str) -> bool:
    return item_id in s.failed_before()


Test = Callable[["EvaluationSession", str], bool]


def filters() -> list[tuple[str, str, Test | None]]:
    """(key, label, test) of each filter, in the box's order; "all" has no test."""
    return [
        ("all", _("全部小项"), None),
        ("unanswered", _("未评"), _unanswered),
        ("deducted", _("扣分"), _deducted),
        ("flagged", _("待核实"), _flagged),
        ("differs", _("与自评不同"), _differs),
        ("failed_before", _("上次失分"), _failed_before),
    ]

"""The words an evaluation list row shows, the same in the window's home list and ``eval list``.

The store knows three states (draft, complete, signed); the list splits a draft in two for the
inspector (待开始 before the first answer, 进行中 after it). The score and outcome of an unanswered
evaluation are "—" (no score yet, not zero points), and a draft's outcome is marked provisional
(不合格（暂）): it can still change. One catalogue, so the two faces never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inspector.i18n import _
from inspector.rubric.points import fmt

PHASES = ("todo", "progress", "complete", "signed")
NOTHING = "—"


def phase_of(state: str, answered: int, conflicts: int) -> str:
    if state != "draft":
        return state
    return "progress" if answered or conflicts else "todo"


def phase_label(phase: str) -> str:
    return {
        "todo": _("待开始"),
        "progress": _("进行中"),
        "complete": _("已完成"),
        "signed": _("已签署"),
    }.get(phase, phase)


def kind_label(kind: str) -> str:
    return {"inspection": _("检查评估"), "self": _("自查自评"), "recheck": _("复查")}.get(kind, kind)


@dataclass(frozen=True)
class RowWords:
    """What one list row says, column by column."""

    phase: str  # the code: todo, progress, complete, signed
    state: str  # 进行中, with " ⚠" when there are conflicts
    kind: str  # 检查评估（修订2）
    progress: str  # 38/61
    score: str  # 43 / 100, or — before the first answer
    outcome: str  # ⊗ 不合格（暂）, or —


def row_words(
    *,
    state: str,
    kind: str,
    revision: int,
    answered: int,
    items: int,
    conflicts: int,
    total: Decimal | None,
    max_points: Decimal,
    outcome: str | None,
    vetoed: bool,
) -> RowWords:
    """One evaluation's row; ``outcome`` is the rubric's label (合格, 不合格 …) or None."""
    phase = phase_of(state, answered, conflicts)
    draft = state == "draft"
    # a draft's figure (unanswered items or a team conflict) is provisional and says so; it has no
    # conclusion before the last item (issue 15), except that a veto decides whatever the points
    score = (
        f"{fmt(total)} / {fmt(max_points)}" + (_("（暂）") if draft else "")
        if answered and max_points and total is not None  # None: the scoring engine refuses the marks
        else NOTHING
    )
    if outcome is None or not answered:
        said = NOTHING
    elif vetoed:
        said = "⊗ " + outcome
    else:
        said = _("未完成") if draft else outcome
    kind_text = kind_label(kind) + (_("（修订{n}）").format(n=revision) if revision > 1 else "")
    return RowWords(
        phase=phase,
        state=phase_label(phase) + (" ⚠" if conflicts else ""),
        kind=kind_text,
        progress=f"{answered}/{items}",
        score=score,
        outcome=said,
    )

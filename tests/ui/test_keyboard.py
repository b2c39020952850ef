"""A whole evaluation by keyboard alone: open it from home, score every item, finish."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from inspector.rubric.model import Item
from inspector.rubric.observations import parse_observation
from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Discretionary, Grouped, Tiers, YesNo
from inspector.rubric.scoring import score
from inspector.store.evaluations import Evaluation, EvaluationStore
from tests.ui.conftest import Window


def plan(n: int, item: Item) -> tuple[str, dict[str, Any]]:
    """The keys an inspector types for the n-th item, and the observation they mean."""
    rule = item.rule
    lose = n % 5 == 3
    if isinstance(rule, Tiers):
        measures = rule.measures()
        if "ratio" in measures:
            return ("2", {"ratio": Decimal("0.02")})
        if "problems" in measures:
            return ("1", {"problems": 1})
        return ("2", {"tier": 1}) if lose else ("1", {"tier": 0})  # keys count from 1, as printed
    if isinstance(rule, (YesNo, Checklist)):
        return ("n", {"met": False}) if lose else ("y", {"met": True})
    if isinstance(rule, Grouped):
        return ("2", {"unmet": [2]}) if lose else ("0", {"met": True})
    if isinstance(rule, Discretionary):
        raise AssertionError("not in this form")
    assert isinstance(rule, (Deduct, AllOrNothing))
    return ("1", {"problems": 1}) if lose else ("0", {"problems": 0})


def test_complete_a_whole_evaluation_by_keyboard(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start()
    # home: find the station, open it
    window.key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    window.type("11-30")  # its visit date (QTest types ASCII only)
    window.key(Qt.Key.Key_Return)  # the one match opens at once
    assert window.w.view() == "scoring"
    session = window.w.session
    assert session is not None and session.eval_id == fresh.id

    expected = {}
    for n, item in enumerate(session.items):
        assert window.w.scoring.current_item == item.id, (n, item.id)
        keys, obs = plan(n, item)
        window.type(keys)
        window.key(Qt.Key.Key_Return)
        expected[item.id] = parse_observation(obs, item.id)

    e = store.get(fresh.id)
    assert e.state == "complete", (e.answered, e.items)
    stored, _vetoes = store.observations(fresh.id)
    assert {k: v.to_dict() for k, v in stored.items()} == {k: v.to_dict() for k, v in expected.items()}
    rubric = store.rubric(e.rubric_id, e.rubric_version)
    assert store.report(fresh.id).total == score(rubric, expected).total

    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # finish
    assert window.w.view() == "finish"
    assert window.w.finish.sign.isEnabled()
    window.key(Qt.Key.Key_Escape)
    assert window.w.view() == "scoring"
    window.key(Qt.Key.Key_Escape)
    assert window.w.view() == "home"

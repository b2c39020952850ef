"""A signed evaluation shows the figures fixed at signing, and a recomputation that differs (a later
program or form reading a mark otherwise) is flagged beside them, never shown in their place
(issue 15: "a later recomputation that differs is flagged, never shown silently")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from inspector.store import evaluations
from inspector.store.evaluations import EvaluationStore
from tests.ui.conftest import Window, evaluation


def summary(window: Window, eval_id: str) -> str:
    window.start(eval_id, "scoring")
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the summary
    assert window.w.view() == "finish"
    return window.w.finish.browser.toPlainText()


def test_a_signed_evaluation_shows_its_fixed_figures(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, state="signed", rubric="sichuan-2017-inspection", kind="inspection")
    fixed = store.fixed(e.id)
    assert fixed is not None
    text = summary(window, e.id)
    assert "签署时确定" in text and "以此为准" in text
    assert "重新计算与签署时不同" not in text


def test_a_recomputation_that_differs_is_flagged_beside_them(
    window: Window, store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = evaluation(store, state="signed", rubric="sichuan-2017-inspection", kind="inspection")
    said = "重新计算得 80 分，与签署时的 86 分不同，以签署时为准"
    monkeypatch.setattr(evaluations.Fixed, "differs", lambda self, report: said)
    text = summary(window, e.id)
    assert "签署时确定" in text and "重新计算与签署时不同" in text and said in text

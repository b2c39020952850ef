"""Self-assessment beside the inspection, and a re-check beside the previous inspection."""

from __future__ import annotations

from PySide6.QtCore import Qt

from inspector.rubric.comparison import compare_self
from inspector.rubric.points import fmt
from inspector.store.evaluations import EvaluationStore
from tests.ui.conftest import Window, evaluation

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_self_assessment_differences_are_marked_and_summed(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    own = store.self_assessment_for(e)
    assert own is not None
    expected = compare_self(store.report(e.id), store.report(own.id))
    assert expected.differing, "the demo's self-assessment should differ somewhere"

    window.start(e.id, "scoring")
    scoring = window.w.scoring
    side, model, view = scoring.side, scoring.model, scoring.item_view
    assert side is not None and model is not None and view is not None
    summary = side.self_summary.text()
    assert f"{len(expected.differing)} 项不同" in summary
    assert (
        f"相差 {fmt(expected.total_difference)}" in summary
        or f"相差 +{fmt(expected.total_difference)}" in summary
    )
    marked = {i.id for i in window.w.session.items if "≠" in (model.index_of(i.id, 2).data() or "")}  # type: ignore[union-attr]
    assert marked == {d.item_id for d in expected.differing}

    differing = expected.differing[0]
    scoring.go_to(differing.item_id)
    assert view.self_row.isVisible() and view.self_row.text().startswith("≠ ")  # a symbol, not colour alone
    assert "background" in view.self_row.styleSheet()
    same = next(c for c in expected.items.values() if c.comparable and not c.differs)
    scoring.go_to(same.item_id)
    assert view.self_row.text().startswith("= ")

    window.key(Qt.Key.Key_D, CTRL_SHIFT)  # hide the comparison
    assert not side.self_box.isVisible() and not view.self_row.isVisible()
    window.key(Qt.Key.Key_D, CTRL_SHIFT)
    assert side.self_box.isVisible()

    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the finish page says it too
    html = window.w.finish.browser.toPlainText()
    assert "与自评对照" in html and f"{len(expected.differing)} 项不同" in html


def test_recheck_shows_the_previous_result_and_rectification(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="recheck")
    previous = store.previous_for(e)
    assert previous is not None and previous.state == "signed"
    before = {r.id: r for r in store.report(previous.id).items}
    now = {r.id: r for r in store.report(e.id).items}
    lost = [i for i, r in before.items() if r.points < r.max_points and not now[i].answered]
    lost = [
        i for i in lost if store.rubric(e.rubric_id, e.rubric_version).item(i).rule.kind == "all_or_nothing"
    ]
    assert len(lost) >= 2

    window.start(e.id, "scoring")
    scoring = window.w.scoring
    view, model, side = scoring.item_view, scoring.model, scoring.side
    assert view is not None and model is not None and side is not None
    fixed, still = lost[:2]
    scoring.go_to(fixed)
    assert "上次评估" in view.previous_row.text()
    window.type("0")  # no problem found any more
    window.key(Qt.Key.Key_Return)
    scoring.go_to(still)
    window.type("1")
    window.key(Qt.Key.Key_Return)

    assert model.index_of(fixed, 2).data() == "✓"
    assert model.index_of(still, 2).data() == "✗"
    scoring.go_to(fixed)
    assert view.previous_row.text().startswith("✓ 已整改")
    scoring.go_to(still)
    assert view.previous_row.text().startswith("✗ 未整改")
    assert "未整改 1 项" in side.previous_summary.text() or "未整改 1" in side.previous_summary.text()

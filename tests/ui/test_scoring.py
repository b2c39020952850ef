"""The scoring view's promises, through its keys: undo as new changes, vetoes, reasons, overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from inspector.store.changes import OBSERVE
from inspector.store.db import transaction
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.orgs import add_org
from tests.ui.conftest import Window, evaluation
from ui import side_panel

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def observes(store: EvaluationStore, eval_id: str, item_id: str) -> list[object]:
    return [c.payload for c in store.changes(eval_id, item_id) if c.kind == OBSERVE]


def test_undo_and_redo_are_recorded_as_new_changes(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start(fresh.id, "scoring")
    first = window.w.scoring.current_item
    assert first == "1.1.1"
    window.type("1")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "1.2.1"
    assert observes(store, fresh.id, first) == [{"problems": 1}]
    assert window.w.save_label.text().startswith("已保存 ")

    window.key(Qt.Key.Key_Z, CTRL)  # undo: the previous value (none) recorded as a new change
    assert window.w.scoring.current_item == first, "undo shows the item it changed"
    assert observes(store, fresh.id, first) == [{"problems": 1}, None]
    assert first not in store.observations(fresh.id)[0]

    window.key(Qt.Key.Key_Z, CTRL | SHIFT)  # redo: the undone value, again a new change
    assert observes(store, fresh.id, first) == [{"problems": 1}, None, {"problems": 1}]
    assert store.observations(fresh.id)[0][first].problems == 1
    assert window.w.session is not None
    assert not window.w.session.results[first].points  # all or nothing: one problem, no points


def test_a_veto_changes_the_outcome(
    window: Window, store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the confirmation a veto asks for (ui.side_panel.VetoDialog), answered with what was found
    monkeypatch.setattr(side_panel, "confirm_veto", lambda *_a: "2 batches")
    e = next(
        e
        for e in store.list_evaluations("complete")
        if e.rubric_id == "sichuan-2017-inspection"
        and e.kind == "inspection"
        and not store.report(e.id).vetoed
    )
    before = store.report(e.id)
    assert before.outcome is not None and before.outcome.code == "pass" and not before.vetoed
    window.start(e.id, "scoring")
    side = window.w.scoring.side
    assert side is not None
    assert "合格" in side.outcome.text()

    window.key(Qt.Key.Key_V, CTRL | SHIFT)  # to the vetoes
    window.key(Qt.Key.Key_Space)  # the first one: found, confirmed with what was found
    after = store.report(e.id)
    assert [v.id for v in after.vetoed] == ["V1"]
    assert after.vetoed[0].note == "2 batches"
    assert after.outcome is not None and after.outcome.code == "fail"
    assert after.total == before.total, "a veto decides the outcome, not the points"
    assert "⊗" in side.outcome.text() and "不合格" in side.outcome.text()

    window.key(Qt.Key.Key_Z, CTRL)  # the veto and its note: one change
    again = store.report(e.id)
    assert not again.vetoed and again.outcome is not None and again.outcome.code == "pass"


def test_a_discretionary_item_refuses_to_move_on_without_a_reason(
    window: Window, store: EvaluationStore
) -> None:
    org = add_org(store.db, "示范候选鉴定所", "TEST-UI-0002")
    e = store.create("henan-2011-demonstration", org["id"], "inspection", visit_date="2026-12-02")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("2.1.4")  # 视缺失问题情况扣分 (0–7 points)
    window.type("5")
    window.key(Qt.Key.Key_Return)
    view = window.w.scoring.item_view
    assert view is not None
    assert window.w.scoring.current_item == "2.1.4", "moved on without a reason"
    assert "理由" in view.message.text()
    assert observes(store, e.id, "2.1.4") == []
    assert window.focus() is view.editor.reason  # type: ignore[union-attr]

    window.key(Qt.Key.Key_PageDown)  # any other way out is refused too
    assert window.w.scoring.current_item == "2.1.4"

    window.type("no rota for 2 posts")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item != "2.1.4"
    assert observes(store, e.id, "2.1.4") == [{"points": 5, "reason": "no rota for 2 posts"}]
    result = store.report(e.id).items
    assert next(r for r in result if r.id == "2.1.4").points == Decimal(5)

    window.w.scoring.go_to("2.1.4")  # full marks need no reason
    window.type("7")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item != "2.1.4"


def test_override_and_not_applicable_need_a_reason_and_are_flagged(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start(fresh.id, "scoring")
    window.key(Qt.Key.Key_F2)  # override 1.1.1 (发现问题不得分: 2 or 0)
    window.type("0")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "1.1.1", "an override without a reason was accepted"
    window.type("post held by the director")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "1.2.1"

    window.key(Qt.Key.Key_F3)  # 1.2.1: the Sichuan form has no not-applicable
    window.type("no such post here")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "1.2.1", "not applicable accepted where the form has none"
    assert "1.2.1" not in store.observations(fresh.id)[0]

    report = store.report(fresh.id)
    items = {r.id: r for r in report.items}
    assert items["1.1.1"].override and items["1.1.1"].points == 0
    model = window.w.scoring.model
    assert model is not None
    assert "⚑" in model.index_of("1.1.1", 2).data()


def test_an_override_off_the_point_grid_is_refused(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start(fresh.id, "scoring")
    window.key(Qt.Key.Key_F2)  # "1 of 2" on 发现问题不得分 is not the form's point
    window.type("1")
    window.key(Qt.Key.Key_Return)
    window.type("duties file not updated")
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item == "1.1.1"
    assert "1.1.1" not in store.observations(fresh.id)[0]


def test_next_unanswered_and_clearing(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "scoring")
    session = window.w.session
    assert session is not None
    assert not session.results[window.w.scoring.current_item or ""].answered, (
        "resumes at the first unanswered"
    )
    answered = next(i.id for i in session.items if session.results[i.id].answered)
    window.w.scoring.go_to(answered)
    window.key(Qt.Key.Key_Delete, CTRL | SHIFT)
    assert answered not in store.observations(e.id)[0]
    window.key(Qt.Key.Key_N, CTRL)
    target = window.w.scoring.current_item
    assert target is not None and target != answered and not session.results[target].answered


def test_a_conflict_is_shown_with_both_values_and_resolved_by_recording(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    first = store.record(fresh.id, "1.1.1", {"problems": 0})
    store.record(fresh.id, "1.1.1", {"problems": 2})
    # a team member's laptop changed the same first value: as a merged bundle brings it in
    other = EvaluationStore(store.db, "李秀英")
    other.device = "f" * 32
    with transaction(store.db) as conn:
        rival = other._change(conn, fresh.id, "1.1.1", OBSERVE, {"met": True}, [first.id])
        other._apply(conn, rival)
    assert store.current(fresh.id)["1.1.1"].rivals
    window.start(fresh.id, "scoring")
    window.w.scoring.go_to("1.1.1")
    view = window.w.scoring.item_view
    assert view is not None and view.conflict_box.isVisible()
    text = " ".join(w.text() for w in view.conflict_box.findChildren(type(view.where)))
    assert "李秀英" in text and "测试督导员" in text
    assert "⚠" in (window.w.scoring.model.index_of("1.1.1", 2).data() or "")  # type: ignore[union-attr]

    window.type("1")
    window.key(Qt.Key.Key_Return)
    assert not store.current(fresh.id)["1.1.1"].rivals
    assert store.observations(fresh.id)[0]["1.1.1"].problems == 1


def test_grouped_criteria_by_digits(window: Window, store: EvaluationStore) -> None:
    org = add_org(store.db, "延续备案测试中心", "TEST-UI-0003")
    e = store.create("chongqing-2024-renewal", org["id"], "inspection", visit_date="2026-12-03")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("2.2.1")  # version 2: the four named criteria, 0.5 each
    window.type("24")  # criteria 2 and 4 not met: each toggle is recorded at once
    assert store.observations(e.id)[0]["2.2.1"].unmet == (2, 4)
    assert next(r for r in store.report(e.id).items if r.id == "2.2.1").points == Decimal(2)
    window.type("2")  # toggled back
    assert store.observations(e.id)[0]["2.2.1"].unmet == (4,)
    window.type("0")  # all met
    assert store.observations(e.id)[0]["2.2.1"].met is True
    window.key(Qt.Key.Key_Return)
    assert window.w.scoring.current_item != "2.2.1"

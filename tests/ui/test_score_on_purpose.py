"""Issue 15, the window: a score nobody can get wrong by accident.

Each test is one thing seen on the landed window: a wheel notch or an arrow key that changed a
count and was saved without Enter, 0-based tier keys, a veto on one Space press, a sign page that
showed neither total nor conclusion, a signed evaluation's sign-off view saying it was not complete,
the RuntimeError after signing, a record form summarised as points, a blank form's conclusion, F3
showing "—" where full marks were then saved, and notes missing from the summary and re-check.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from inspector.store.changes import OBSERVE
from inspector.store.db import transaction
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.orgs import add_org
from tests.ui.conftest import Window, evaluation
from ui import side_panel
from ui.item_editor import CountInput, TierEditor
from ui.models.evaluations_model import ID_ROLE

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def observes(store: EvaluationStore, eval_id: str, item_id: str) -> list[Any]:
    return [c.payload for c in store.changes(eval_id, item_id) if c.kind == OBSERVE]


def wheel(widget: Any, notches: int) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_wheel_arrows_and_pauses_never_change_a_stored_count(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    store.record(fresh.id, "4.1.1", {"problems": 2, "note": "two machines broken"})
    window.start(fresh.id, "scoring")
    window.w.scoring.go_to("4.1.1")
    view = window.w.scoring.item_view
    assert view is not None and view.editor is not None
    count = view.editor.input  # type: ignore[attr-defined]
    assert isinstance(count, CountInput) and count.count() == 2
    count.setFocus()
    wheel(count, -1)  # one notch down, with the focus in the field
    window.key(Qt.Key.Key_Down)
    window.key(Qt.Key.Key_Down)
    assert count.count() == 2 and not view.dirty
    window.key(Qt.Key.Key_PageDown)  # leaving the item: nothing was typed, nothing is recorded
    assert window.w.scoring.current_item != "4.1.1"
    assert observes(store, fresh.id, "4.1.1") == [{"problems": 2, "note": "two machines broken"}]

    # typing without a commit is never saved because time passed
    window.w.scoring.go_to("4.1.1")
    window.type("0")
    assert view.dirty and "未保存" in view.result.text()
    window.qtbot.wait(1500)  # longer than the old 1.2 s autosave
    assert observes(store, fresh.id, "4.1.1") == [{"problems": 2, "note": "two machines broken"}]
    window.key(Qt.Key.Key_Escape)  # leaving refuses nothing here: it is the explicit act that records
    assert observes(store, fresh.id, "4.1.1")[-1]["problems"] == 0


def test_tier_keys_and_labels_count_from_one_as_printed(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start(fresh.id, "scoring")
    window.w.scoring.go_to("9.1.2")  # 5 落实情况好 | 2 有方案但落实不力 | 0 无方案
    view = window.w.scoring.item_view
    assert view is not None and isinstance(view.editor, TierEditor)
    labels = [b.text() for b in view.editor.group.buttons()]
    assert labels[0].startswith("第1档") and labels[1].startswith("第2档") and "有方案但落实不力" in labels[1]
    window.type("2")
    assert store.observations(fresh.id)[0]["9.1.2"].tier == 1  # the contract's tier stays 0-based
    assert store.report(fresh.id).items[-0] is not None
    points = next(r.points for r in store.report(fresh.id).items if r.id == "9.1.2")
    assert points == 2, "key 2 must be the second tier (2 points), as the screen calls it 第2档"
    assert "第2档" in view.reason.text() and "第1档" not in view.reason.text()


def test_a_veto_needs_a_confirmation_and_a_note(
    window: Window, store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = next(
        e
        for e in store.list_evaluations("complete")
        if e.rubric_id == "sichuan-2017-inspection" and not store.report(e.id).vetoed
    )
    answers: list[str | None] = [None]
    asked: list[str] = []

    def confirm(_parent: object, veto_id: str, _text: str, _note: str, _outcome: str = "") -> str | None:
        asked.append(veto_id)
        return answers[0]

    monkeypatch.setattr(side_panel, "confirm_veto", confirm)
    window.start(e.id, "scoring")
    side = window.w.scoring.side
    assert side is not None
    window.key(Qt.Key.Key_V, CTRL | SHIFT)
    window.key(Qt.Key.Key_Space)  # one press: asks, and the inspector cancels
    assert asked == ["V1"]
    assert not store.report(e.id).vetoed and not side.veto_rows["V1"].box.isChecked()
    answers[0] = "2 batches outside the filed trades"
    window.key(Qt.Key.Key_Space)
    vetoed = store.report(e.id).vetoed
    assert [(v.id, v.note) for v in vetoed] == [("V1", "2 batches outside the filed trades")]
    assert "不合格" in side.outcome.text()
    # a found veto's note cannot be emptied
    row = side.veto_rows["V1"]
    row.note.setFocus()
    row.note.clear()
    window.key(Qt.Key.Key_Tab)
    assert store.report(e.id).vetoed[0].note == "2 batches outside the filed trades"


def test_the_veto_dialog_refuses_an_empty_note(qtbot: Any) -> None:
    dialog = side_panel.VetoDialog(None, "V3", "超出备案职业范围组织鉴定")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.note.setText("  ")
    assert not ok.isEnabled()
    dialog.note.setText("2 batches")
    assert ok.isEnabled()


def _complete_with_a_bare_deduction(store: EvaluationStore) -> Evaluation:
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    store.record(e.id, "4.1.1", {"problems": 1})  # a deduction that does not say what was found
    return e


def test_the_sign_page_shows_total_conclusion_and_blockers_and_asks_to_confirm(
    window: Window, store: EvaluationStore
) -> None:
    e = _complete_with_a_bare_deduction(store)
    report = store.report(e.id)
    window.start(e.id, "scoring")
    window.key(Qt.Key.Key_Return, CTRL)  # summary
    summary = window.w.finish.browser.toPlainText()
    assert "4.1.1" in summary and "未写明发现的情况" in summary
    window.key(Qt.Key.Key_Return, CTRL)  # sign-off
    assert window.w.view() == "signoff"
    page = window.w.signoff
    text = page.summary.text()
    assert f"{report.total:g}" in text.replace(".0 ", " ") or str(report.total) in text
    assert "评估结论" in text and report.outcome is not None and report.outcome.label in text
    assert "4.1.1" in text and "未写明发现的情况" in text
    assert not page.sign_button.isEnabled()
    page.confirm.setChecked(True)
    assert not page.sign_button.isEnabled(), "signable while a deduction says nothing"
    page.sign()
    assert store.get(e.id).state == "complete" and "4.1.1" in page.message.text()

    store.record(e.id, "4.1.1", {"problems": 1, "note": "one machine broken"})
    window.key(Qt.Key.Key_Escape)
    window.key(Qt.Key.Key_Return, CTRL)
    assert window.w.view() == "signoff" and "4.1.1" not in page.summary.text()
    assert not page.sign_button.isEnabled(), "signable without confirming the total"
    page.confirm.setChecked(True)
    assert page.sign_button.isEnabled()


def test_a_signed_evaluations_sign_off_view_says_it_is_signed(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, state="signed")
    window.start(e.id, "signoff")
    assert window.w.view() == "signoff"
    page = window.w.signoff
    shown = " ".join(w.text() for w in page.findChildren(QLabel)) + window.w.statusBar().currentMessage()
    assert "尚未完成" not in shown and "不能签署" not in shown
    assert "已于" in page.intro.text() and not page.sign_button.isVisible()


def scribble(window: Window, pad: Any, offset: int) -> None:
    bot = window.qtbot
    y = pad.height() // 2
    bot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20 + offset, y))
    for k in range(1, 12):
        bot.mouseMove(pad, QPoint(20 + offset + 12 * k, y + (8 if k % 2 else -8)))
    bot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(20 + offset + 140, y))


def sign_here(window: Window) -> None:
    """On the sign page: the representative's name, every signature, the confirmation, sign."""
    page = window.w.signoff
    page.rows[-1].name.setFocus()
    window.type("Zhao Li")
    for n, row in enumerate(page.rows):
        scribble(window, row.pad, n * 5)
    page.confirm.setFocus()
    window.key(Qt.Key.Key_Space)
    assert page.confirm.isChecked()
    window.key(Qt.Key.Key_Return, CTRL)


def test_signing_then_escape_then_opening_another_evaluation(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    other = evaluation(store, state="draft", rubric="chongqing-2024-renewal")
    window.start(e.id, "scoring")
    window.key(Qt.Key.Key_Return, CTRL)
    window.key(Qt.Key.Key_Return, CTRL)
    sign_here(window)
    assert store.get(e.id).state == "signed"
    window.qtbot.wait(50)  # the event loop turns: objects handed to deleteLater are gone
    window.w.back()  # Esc: from the summary back to the (read-only) scoring view
    window.w.back()  # Esc: home
    assert window.w.view() == "home"
    assert window.w.open_evaluation(other.id)  # raised "EvaluationSession already deleted"
    assert window.w.view() == "scoring" and window.w.session is not None
    assert window.w.session.eval_id == other.id
    assert window.w.open_evaluation(e.id)  # and back again
    assert window.w.session.read_only


def test_a_record_form_is_summarised_by_its_unmet_lines(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, rubric="fujian-2021-supervision-record")
    items = [i.id for i in store.rubric(e.rubric_id, e.rubric_version).items()]
    store.record(e.id, items[0], {"met": False, "note": "assessor not on the register"})
    window.start(e.id, "scoring")
    model = window.w.scoring.model
    assert model is not None
    assert model.index_of(items[0], 1).data() == "不符合"
    side = window.w.scoring.side
    assert side is not None and "不符合" in side.outcome_note.text()
    window.key(Qt.Key.Key_Return, CTRL)
    summary = window.w.finish.browser.toPlainText()
    assert "没有失分" not in summary
    assert "不符合项" in summary and items[0] in summary and "assessor not on the register" in summary


def test_a_blank_form_is_not_concluded_and_its_figure_is_provisional(
    window: Window, store: EvaluationStore
) -> None:
    org = add_org(store.db, "空白延续备案机构", "TEST-UI-0015")
    e = store.create("chongqing-2024-renewal", org["id"], "inspection", visit_date="2026-12-04")
    half = evaluation(store, state="draft", rubric="sichuan-2017-inspection", kind="inspection")
    window.start()  # the home list: no conclusion for a form not yet scored through
    model = window.w.home.model
    rows = {model.index(r, 0).data(ID_ROLE): r for r in range(model.rowCount())}
    outcome, score = model.COLUMNS.index("outcome"), model.COLUMNS.index("score")
    assert model.index(rows[e.id], outcome).data() in ("—", "未完成")  # never 不予…
    assert model.index(rows[half.id], outcome).data() == "未完成"
    assert "（暂）" in model.index(rows[half.id], score).data()
    window.w.open_evaluation(e.id)
    side = window.w.scoring.side
    assert side is not None
    assert "未完成" in side.outcome.text() and "不予" not in side.outcome.text()
    assert "暂计" in side.total.text()
    window.key(Qt.Key.Key_Return, CTRL)
    summary = window.w.finish.browser.toPlainText()
    assert "暂计" in summary and "评估结论：未完成" in summary


def test_a_team_conflict_marks_the_total_provisional(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    for item in store.rubric(fresh.rubric_id, fresh.rubric_version).items():
        store.record(fresh.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    first = store.current(fresh.id)["1.1.1"].change
    other = EvaluationStore(store.db, "李秀英")
    other.device = "f" * 32
    with transaction(store.db) as conn:
        rival = other._change(conn, fresh.id, "1.1.1", OBSERVE, {"met": False}, list(first.parents))
        other._apply(conn, rival)
    window.start(fresh.id, "scoring")
    side = window.w.scoring.side
    assert side is not None
    assert "暂计" in side.total.text() and "冲突" in side.outcome_note.text()


def test_f3_shows_what_a_commit_stores(window: Window, store: EvaluationStore, fresh: Evaluation) -> None:
    window.start(fresh.id, "scoring")
    window.w.scoring.go_to("1.2.1")
    view = window.w.scoring.item_view
    assert view is not None
    window.key(Qt.Key.Key_F3)
    shown = view.result.text()
    window.type("no such post here")
    window.key(Qt.Key.Key_Return)
    stored = next(r for r in store.report(fresh.id).items if r.id == "1.2.1")
    if "—" in shown:  # refused (where the form allows no "not applicable"): nothing is stored
        assert not stored.answered
    else:
        assert stored.answered and f"{stored.points:g} / " in shown.replace(".0 ", " "), shown


def test_notes_beside_deductions_and_the_previous_note_on_a_recheck(
    window: Window, store: EvaluationStore
) -> None:
    recheck = evaluation(store, kind="recheck")
    previous = store.previous_for(store.get(recheck.id))
    assert previous is not None
    noted = {
        i: o.note for i, o in store.observations(previous.id)[0].items() if o.note and (o.problems or o.tier)
    }
    item_id, note = next(iter(noted.items()))
    window.start(recheck.id, "scoring")
    window.w.scoring.go_to(item_id)
    view = window.w.scoring.item_view
    assert view is not None and note in view.previous_row.text()
    store.record(recheck.id, item_id, {"problems": 1, "note": "still one fault"})
    window.w.session.reload()  # type: ignore[union-attr]
    window.key(Qt.Key.Key_Return, CTRL)
    summary = window.w.finish.browser.toPlainText()
    assert "still one fault" in summary and note in summary


def english(text: str) -> bool:
    """Latin letters left once the accelerator ("(&L)") is taken out."""
    return bool(re.search("[A-Za-z]", re.sub(r"\(&\w\)", "", text)))


def test_qt_dialogs_speak_chinese(qtbot: Any) -> None:
    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert labels and not any(english(t) for t in labels), labels
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "t",
        "x",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Ok,
    )
    qtbot.addWidget(box)
    texts = [b.text() for b in box.buttons()]
    assert texts and not any(english(t) for t in texts), texts


def test_decimal_points_typed_are_what_is_stored(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    window.start(fresh.id, "scoring")
    window.w.scoring.go_to("1.1.1")
    window.key(Qt.Key.Key_F2)
    window.type("0")  # on the item's own point grid (0 or 2): an override elsewhere is refused
    wheel(window.focus(), 3)
    window.key(Qt.Key.Key_Up)
    window.key(Qt.Key.Key_Tab)
    window.type("post held by the director")
    window.key(Qt.Key.Key_Return)
    assert store.observations(fresh.id)[0]["1.1.1"].points == Decimal(0)


def keys_for(n: int, item: Any) -> tuple[str, dict[str, Any], bool]:
    """The keys an inspector types for the n-th item, the observation they mean, and whether the
    key alone records it (a choice) or it waits for Enter (a typed number)."""
    from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Grouped, Tiers, YesNo

    rule = item.rule
    lose = n % 7 == 3
    if isinstance(rule, Tiers):
        if "ratio" in rule.measures():
            return "2", {"ratio": Decimal("0.02")}, False
        if "problems" in rule.measures():
            return "1", {"problems": 1}, False
        return ("2", {"tier": 1}, True) if lose else ("1", {"tier": 0}, True)
    if isinstance(rule, (YesNo, Checklist)):
        return ("n", {"met": False}, True) if lose else ("y", {"met": True}, True)
    if isinstance(rule, Grouped):
        return ("2", {"unmet": [2]}, True) if lose else ("0", {"met": True}, True)
    assert isinstance(rule, (Deduct, AllOrNothing))
    return ("1", {"problems": 1}, False) if lose else ("0", {"problems": 0}, False)


def test_keyboard_only_form_signed_then_another_opened_and_the_audit_shows_exactly_what_was_committed(
    window: Window, store: EvaluationStore, fresh: Evaluation, demo_folder: Any
) -> None:
    from inspector.rubric.observations import parse_observation
    from inspector.rubric.scoring import score_item
    from tests.helpers import run

    window.start()
    window.key(Qt.Key.Key_F, CTRL)  # home: find the station by its visit date, open it
    window.type("11-30")
    window.key(Qt.Key.Key_Return)  # a single match opens at once
    session = window.w.session
    assert session is not None and session.eval_id == fresh.id
    committed: dict[str, list[dict[str, Any]]] = {}
    for n, item in enumerate(session.items):
        assert window.w.scoring.current_item == item.id, (n, item.id)
        keys, obs, at_once = keys_for(n, item)
        window.type(keys)
        if at_once:
            committed.setdefault(item.id, []).append(obs)
        result = score_item(item, parse_observation(obs, item.id))
        if result.points < result.max_points:  # a deduction says what was found
            window.key(Qt.Key.Key_E, CTRL)
            window.type(f"found at {item.id}")
            obs = {**obs, "note": f"found at {item.id}"}
        window.key(Qt.Key.Key_Return)  # records (a note or a typed number) and moves on
        if not at_once or "note" in obs:
            committed.setdefault(item.id, []).append(obs)

    window.key(Qt.Key.Key_Return, CTRL)  # summary
    assert window.w.view() == "finish"
    assert "found at" in window.w.finish.browser.toPlainText()  # the notes beside the deductions
    window.key(Qt.Key.Key_Return, CTRL)  # sign page
    assert window.w.view() == "signoff"
    page = window.w.signoff
    assert page.check is not None and page.check.ok, page.check and page.check.blockers()
    assert "总分" in page.summary.text() and "评估结论" in page.summary.text()
    sign_here(window)  # a signature is drawn with a pointing device; the rest is keys
    assert store.get(fresh.id).state == "signed"
    window.qtbot.wait(50)

    window.w.back()  # Esc, Esc: home
    window.w.back()
    assert window.w.view() == "home"
    # offscreen, deleting the replaced editors (hidden top-levels) deactivates the window
    window.w.activateWindow()
    window.qtbot.waitUntil(window.w.isActiveWindow, timeout=5000)
    window.w.home.focus_list()
    window.key(Qt.Key.Key_F, CTRL)
    window.type("11-20")  # the inspection in progress beside its self-assessment
    window.key(Qt.Key.Key_Return)  # a single match opens at once
    assert window.w.view() == "scoring" and window.w.session is not None
    assert window.w.session.eval_id != fresh.id

    audit = run("eval", "audit", fresh.id, "--json", data=demo_folder)
    assert audit.code == 0, audit.err
    doc = audit.json()
    assert doc["ok"] and not doc["problems"]
    history: dict[str, list[dict[str, Any]]] = {}
    for change in doc["history"]:
        if change["kind"] == OBSERVE:
            history.setdefault(change["item_id"], []).append(change["payload"])
    expected = {
        item_id: [parse_observation(o, item_id).to_dict() for o in values]
        for item_id, values in committed.items()
    }
    assert history == expected  # exactly the committed values, nothing a stray key or timer made
    assert [c["kind"] for c in doc["history"]].count("sign") == len(page.rows)

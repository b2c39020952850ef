"""A screenshot of each main screen, saved under artifacts/screenshots/ to be looked at.

Each also checks what a screenshot cannot show by itself: the shipped CJK font is registered
and is the application font's fallback, and the window fits the 1366×768 laptop it is made for.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from inspector.store.evaluations import EvaluationStore
from tests.ui.conftest import SIZE, Window, evaluation


def test_font_is_registered(window: Window) -> None:
    from ui.app import register_font

    family = register_font()
    assert family == "WenQuanYi Micro Hei"
    assert family in QFontDatabase.families()
    assert QApplication.font().families()[-1] == family


def test_home(window: Window) -> None:
    window.start()
    assert window.w.home.proxy.rowCount() == 10
    assert window.w.size().width() <= SIZE[0] and window.w.size().height() <= SIZE[1]
    window.shot("home")


def test_scoring_with_self_assessment(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("1.2.1")
    window.shot("scoring")


def test_scoring_recheck_and_tiers(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="recheck")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("5.1.1")
    window.shot("scoring-recheck-tiers")


def test_scoring_grouped_criteria(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, rubric="chongqing-2024-renewal", state="complete")
    window.start(e.id, "scoring")
    window.w.scoring.go_to("2.2.1")
    window.shot("scoring-grouped")


def test_finish(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "finish")
    assert window.w.view() == "finish"
    window.shot("finish")


def test_finish_complete_with_veto(window: Window, store: EvaluationStore) -> None:
    vetoed = next(x for x in store.list_evaluations("complete") if store.report(x.id).vetoed)
    window.start(vetoed.id, "finish")
    window.shot("finish-vetoed")


def test_signoff(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    window.start(e.id, "signoff")
    assert window.w.view() == "signoff"
    pad = window.w.signoff.rows[0].pad
    y = pad.height() // 2
    window.qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, y))
    for k in range(1, 20):
        window.qtbot.mouseMove(pad, QPoint(30 + 9 * k, y + (k % 4) * 6 - 9))
    window.qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(210, y))
    window.shot("signoff")


def test_help(window: Window) -> None:
    from ui.help import HelpDialog

    window.start()
    dialog = HelpDialog(window.w)
    window.qtbot.addWidget(dialog)
    dialog.show()
    window.qtbot.waitExposed(dialog)
    from tests.ui.conftest import SCREENSHOTS

    assert dialog.grab().save(str(SCREENSHOTS / "help.png"), "PNG")
    dialog.close()

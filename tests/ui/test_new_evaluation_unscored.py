"""The window's new-evaluation dialog refuses a scored evaluation of an applicant its form's document
reviews without scoring (重庆 延续备案通知 三（二）1: 用人单位), as ``eval new`` does: one function."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from inspector.centre.register import set_register
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.centre_support import new_db
from ui.new_evaluation import NewEvaluationDialog


def test_the_dialog_refuses_an_employer_with_the_rules_clause(qtbot: QtBot, tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    employer = add_org(db, "重庆某集团公司")["id"]
    set_register(db, employer, {"applicant_type": "用人单位"})
    store = EvaluationStore(db, "张建国")
    dialog = NewEvaluationDialog(store)
    qtbot.addWidget(dialog)
    dialog.rubric.setCurrentIndex(dialog.rubric.findData("chongqing-2024-renewal"))
    dialog.org.setCurrentIndex(dialog.org.findData(employer))
    dialog._accept()
    assert dialog.created is None
    assert "只审核、不评分" in dialog.error.text() and "三（二）1" in dialog.error.text()
    assert store.list_evaluations() == []

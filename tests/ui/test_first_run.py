"""A fresh folder asks what the computer is for; the centre choice creates the CA."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from inspector.crypto.identity import load_identity
from inspector.store.ui_state import get_state
from ui.first_run import CentreSetup, FirstRunDialog
from ui.main_window import MainWindow


def start(qtbot: QtBot, folder: Path) -> MainWindow:
    w = MainWindow(folder)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    return w


def test_a_fresh_folder_offers_the_choices_and_sets_up_a_centre(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "fresh"
    w = start(qtbot, folder)
    dialog = w.first_run
    assert isinstance(dialog, FirstRunDialog)
    assert set(dialog.choices) == {"field", "centre", "server", "station", "demo", "later"}

    def fill(self: CentreSetup) -> QDialog.DialogCode:
        self.name.setText("四川省职业技能鉴定指导中心")
        self.secret.setText("short")
        self.again.setText("short")
        self._check()
        assert "至少" in self.error.text()  # refused, dialog stays
        self.secret.setText("centre-pass-2026")
        self.again.setText("centre-pass-2026")
        self._check()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CentreSetup, "exec", fill)
    monkeypatch.setattr("ui.first_run.QMessageBox.information", lambda *a, **k: None)
    dialog.choices["centre"].click()
    qtbot.waitUntil(lambda: load_identity(folder) is not None, timeout=60000)
    assert get_state(w.db, "first_run_done") == "centre"
    again = start(qtbot, folder)
    assert again.first_run is None  # asked once


def test_the_demo_choice_fills_the_folder(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    w = start(qtbot, folder)
    assert isinstance(w.first_run, FirstRunDialog)
    w.first_run.choices["demo"].click()
    qtbot.waitUntil(lambda: len(w.home.model.rows) > 0, timeout=60000)
    # the same demo as `inspector demo` (issue 17's leftover): the demo centre's CA and keys too
    from inspector.bundles.demo import DEMO_PASSPHRASE

    qtbot.waitUntil(lambda: w.worker.running() == 0, timeout=60000)
    assert load_identity(folder) is not None
    assert DEMO_PASSPHRASE in w.statusBar().currentMessage()  # told, as `inspector demo` prints it

"""Who the window signs changes with: the installed credential's person, not the OS user."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from inspector.crypto.identity import init_centre, load_identity


def test_the_window_signs_with_the_installed_credentials_person(
    qtbot: QtBot, demo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.main_window import MainWindow

    monkeypatch.delenv("INSPECTOR_USER")  # no --user
    init_centre(demo_folder, demo_folder / "ca", "四川省职业技能鉴定指导中心", "川督-2026-中心口令")
    identity = load_identity(demo_folder)
    assert identity is not None and identity.name == "四川省职业技能鉴定指导中心"
    w = MainWindow(demo_folder)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=20000):
        w.show()
        w.start(view="home")
    assert w.store is not None and w.store.author == identity.name == w.user
    qtbot.waitUntil(lambda: w.worker.running() == 0, timeout=20000)
    w.close()

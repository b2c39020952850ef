"""The window on real data: a demo-filled data folder, its store, and the main window on it.

The demo is built once per test session and copied for each test (filling it takes a second);
every test gets a folder of its own. Qt runs offscreen (tests/conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import ui  # noqa: F401  (first: the PySide6 reference-count guard, see ui/pyside_fix.py)
from inspector.folder import open_folder
from inspector.store.demo import fill_demo
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SIZE = (1366, 768)  # the laptop the window is designed for


@pytest.fixture(scope="session", autouse=True)
def configured_app(qapp: object) -> object:
    """The application set up as ``inspector gui`` sets it up (font, Qt's Chinese dialogs)."""
    from ui.app import configure

    configure(qapp)  # type: ignore[arg-type]
    return qapp


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template") / "data"
    db = open_folder(folder)
    install_builtin_rubrics(db)
    fill_demo(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return folder


@pytest.fixture
def demo_folder(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    monkeypatch.setenv("INSPECTOR_DATA", str(folder))
    monkeypatch.setenv("INSPECTOR_USER", "测试督导员")
    return folder


@pytest.fixture
def store(demo_folder: Path) -> Iterator[EvaluationStore]:
    db = open_folder(demo_folder)
    yield EvaluationStore(db, "测试督导员")
    db.conn.close()


def evaluation(store: EvaluationStore, *, kind: str | None = None, state: str | None = None,
               rubric: str | None = None, answered: int | None = None) -> Evaluation:  # fmt: skip
    """The first demo evaluation that fits."""
    for e in store.list_evaluations():
        if (
            (kind is None or e.kind == kind)
            and (state is None or e.state == state)
            and (rubric is None or e.rubric_id == rubric)
            and (answered is None or e.answered == answered)
        ):
            return e
    raise LookupError((kind, state, rubric))


@pytest.fixture
def fresh(store: EvaluationStore) -> Evaluation:
    """A new, empty Sichuan inspection of a station of its own (nothing else matches its name)."""
    org = add_org(store.db, "测试用职业技能鉴定站", "TEST-UI-0001")
    team = [
        {"name": "张建国", "role": "组长", "sections": ["1", "2", "3", "4", "5"]},
        {"name": "李秀英", "role": "组员", "sections": ["6", "7", "8", "9"]},
    ]
    return store.create(
        "sichuan-2017-inspection", org["id"], "inspection", visit_date="2026-11-30", team=team
    )


class Window:
    """The main window under test, with the helpers the tests share."""

    def __init__(self, qtbot: QtBot, folder: Path) -> None:
        from ui.main_window import MainWindow

        self.qtbot = qtbot
        self.w = MainWindow(folder, "测试督导员")
        qtbot.addWidget(self.w)
        self.w.resize(*SIZE)

    def start(self, eval_id: str | None = None, view: str = "home") -> None:
        with self.qtbot.waitSignal(self.w.ready, timeout=20000):
            self.w.show()
            self.w.start(eval_id=eval_id, view=view if eval_id else "home")
        self.qtbot.waitExposed(self.w)
        self.w.activateWindow()
        self.qtbot.waitUntil(lambda: self.w.isActiveWindow(), timeout=5000)

    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def key(self, key: object, modifier: object = None) -> None:
        from PySide6.QtCore import Qt

        self.qtbot.keyClick(self.focus(), key, modifier or Qt.KeyboardModifier.NoModifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus(), text)

    def settle(self) -> None:
        self.qtbot.waitUntil(lambda: self.w.worker.running() == 0, timeout=20000)

    def shot(self, name: str) -> Path:
        self.settle()
        self.qtbot.wait(50)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        assert self.w.grab().save(str(path), "PNG")
        return path


@pytest.fixture
def window(qtbot: QtBot, demo_folder: Path) -> Iterator[Window]:
    win = Window(qtbot, demo_folder)
    yield win
    win.settle()
    win.w.close()

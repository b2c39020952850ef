"""The window as a desk of a centre on a PostgreSQL server (issue 20): the first run connects to the
server (a refusal said in the dialog, nothing kept), the centre pages show what another desk
commits, and what the desk's role may not change is greyed out while a refusal by the server is
still one message. Real connections to the test server (tests/pg_support.py), real widgets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from inspector.crypto.identity import load_identity
from inspector.folder import open_folder
from inspector.store.db import SERVER_FILE
from inspector.store.orgs import add_org
from inspector.store.pg_roles import install
from inspector.store.ui_state import set_state
from tests.centre.test_desk_roles import as_user, desk
from tests.ui.conftest import SIZE
from ui.centre.common import CentrePage, DeskButton
from ui.centre_server import ServerSetup
from ui.first_run import DONE_KEY, CentreSetup, FirstRunDialog
from ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("folders_as_they_say")


def window(qtbot: QtBot, folder: Path) -> MainWindow:
    w = MainWindow(folder, "测试")
    qtbot.addWidget(w)
    w.resize(*SIZE)
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    return w


def settled(folder: Path) -> Path:
    """A desk folder whose centre needs no first-run question (already answered)."""
    db = open_folder(folder, rubrics=True)
    set_state(db, DONE_KEY, "centre")
    db.conn.close()
    return folder


def shown(qtbot: QtBot, w: MainWindow, view: str) -> CentrePage:
    with qtbot.waitSignal(w.centre.page(view).loaded, timeout=30000):
        page = w.centre.show(view)
    assert page is not None
    qtbot.waitUntil(lambda: w.centre.grants is not None, timeout=30000)
    return page


def test_the_first_run_connects_a_desk_to_the_server_and_makes_the_new_centres_ca(
    qtbot: QtBot, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "head"
    w = window(qtbot, folder)
    dialog = w.first_run
    assert isinstance(dialog, FirstRunDialog)
    answers: list[str] = []

    def fill(self: ServerSetup) -> QDialog.DialogCode:
        self.show()
        self.url.setText(pg_url.rpartition("/")[0] + "/no_such_centre")
        self.test()
        qtbot.waitUntil(lambda: self.test_button.isEnabled() and "⚠" in self.answer.text(), timeout=30000)
        answers.append(self.answer.text())
        self.grab().save(str(tmp_path / "refused.png"))
        self.url.setText(pg_url)
        self.test()
        qtbot.waitUntil(lambda: self.test_button.isEnabled() and "✓" in self.answer.text(), timeout=30000)
        answers.append(self.answer.text())
        self.connect_()
        qtbot.waitUntil(lambda: self.result_ is not None, timeout=60000)
        return QDialog.DialogCode.Accepted

    def make_ca(self: CentreSetup) -> QDialog.DialogCode:
        self.name.setText("四川省职业技能鉴定指导中心")
        self.secret.setText("centre-pass-2026")
        self.again.setText("centre-pass-2026")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ServerSetup, "exec", fill)
    monkeypatch.setattr(CentreSetup, "exec", make_ca)
    monkeypatch.setattr("ui.first_run.QMessageBox.information", lambda *a, **k: None)
    dialog.choices["server"].click()
    assert "没有这个数据库" in answers[0]  # said in the dialog, in words; nothing kept
    assert "✓" in answers[1] and "中心的数据库" in answers[1]
    assert (folder / SERVER_FILE).read_text(encoding="utf-8").strip() == pg_url
    assert getattr(w.db.conn, "server_user", None) is not None  # the window is on the server now
    qtbot.waitUntil(lambda: load_identity(folder) is not None, timeout=60000)  # a new centre: its CA


@pytest.mark.parametrize("engine_", ["sqlite", "postgresql"])
def test_the_register_page_shows_what_another_desk_commits(
    qtbot: QtBot, engine_: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two connections: a commit on one (another desk of the server, or the command line on a
    folder's file) makes the other window's register page show the new row."""
    if engine_ == "postgresql":
        url = request.getfixturevalue("pg_url")
        folder = settled(desk(tmp_path, "desk1", url))
        second = desk(tmp_path, "desk2", url)
    else:
        folder = second = settled(tmp_path / "centre")
    w = window(qtbot, folder)
    page = shown(qtbot, w, "register")
    names: Callable[[], list[str]] = lambda: [e["name"] for e in page.table.rows_model.rows]  # type: ignore[attr-defined]  # noqa: E731
    assert "另一工作台登记的机构" not in names()
    other = open_folder(second)  # another desk (or process): a connection of its own
    add_org(other, "另一工作台登记的机构")
    other.conn.close()
    with qtbot.waitSignal(page.loaded, timeout=30000):
        if engine_ == "sqlite":
            assert w.external.check()  # what the window's timer does each second
        # on the server the window's poll thread reads the counter (tests/ui/test_server_poll.py)
    assert "另一工作台登记的机构" in names()
    assert not w.external.check()  # nothing new since


@pytest.fixture
def desks(pg_url: str, tmp_path: Path) -> str:
    db = open_folder(desk(tmp_path, "owner", pg_url), rubrics=True)
    set_state(db, DONE_KEY, "centre")
    db.conn.close()
    install(pg_url, {"desk_clerk9": "clerk", "desk_disp9": "dispatcher"})
    return pg_url


def test_a_clerks_window_greys_out_the_plans_and_a_refusal_is_still_one_message(
    qtbot: QtBot, desks: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = window(qtbot, desk(tmp_path, "clerk", as_user(desks, "desk_clerk9")))
    plans = shown(qtbot, w, "plans")
    assert not plans.dispatch_button.allowed and not plans.dispatch_button.isEnabled()  # type: ignore[attr-defined]
    assert not plans.add_button.isEnabled()  # type: ignore[attr-defined]
    assert "desk_clerk9" in plans.dispatch_button.toolTip()  # type: ignore[attr-defined]
    register = shown(qtbot, w, "register")
    assert register.add_button.isEnabled()  # type: ignore[attr-defined]  # the register is the clerk's
    w.grab().save(str(tmp_path / "clerk-plans.png"))

    # the grants are the enforcement: a write that reaches the server anyway is one message
    said: list[str] = []
    monkeypatch.setattr("ui.centre.common.show_user_error", lambda _parent, e, *a: said.append(str(e)))

    def opened_plan(_progress: Any, data: Path) -> None:
        from inspector.folder import opened_folder
        from tests.centre.rulebook_helpers import new_plan as make

        with opened_folder(data) as db:
            make(db, "sichuan-2017-inspection", "岗位", "routine")

    plans.run("计划", opened_plan, done=lambda _r: None)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=30000)
    assert "desk_clerk9" in said[0] and "无此权限" in said[0] and "Traceback" not in said[0]


def test_a_dispatchers_window_greys_out_the_register_not_the_draw(
    qtbot: QtBot, desks: str, tmp_path: Path
) -> None:
    w = window(qtbot, desk(tmp_path, "disp", as_user(desks, "desk_disp9")))
    register = shown(qtbot, w, "register")
    assert not register.add_button.isEnabled()  # type: ignore[attr-defined]
    assert not register.corrections.accept_button.allowed  # type: ignore[attr-defined]
    plans = shown(qtbot, w, "plans")
    assert plans.dispatch_button.allowed  # type: ignore[attr-defined]
    results = shown(qtbot, w, "results")
    assert not results.review_button.allowed  # type: ignore[attr-defined]  # the head's decision


def test_on_a_laptops_file_nothing_is_greyed(qtbot: QtBot, tmp_path: Path) -> None:
    w = window(qtbot, settled(tmp_path / "centre"))
    register = shown(qtbot, w, "register")
    for view in ("register", "roster", "plans", "results"):
        page = shown(qtbot, w, view)
        assert all(b.allowed for b in page.findChildren(DeskButton) if b.area is not None), view
    assert register.add_button.isEnabled()  # type: ignore[attr-defined]


def test_a_clerk_joining_a_fresh_centre_is_not_asked_to_make_its_ca(
    qtbot: QtBot, desks: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "clerk-first-run"
    w = MainWindow(folder, "王登记")
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ready, timeout=30000):
        w.start()
    dialog = w.first_run
    assert isinstance(dialog, FirstRunDialog)

    def fill(self: ServerSetup) -> QDialog.DialogCode:
        self.url.setText(as_user(desks, "desk_clerk9"))
        self.connect_()
        qtbot.waitUntil(lambda: self.result_ is not None, timeout=60000)
        return QDialog.DialogCode.Accepted

    def asked(self: CentreSetup) -> QDialog.DialogCode:
        raise AssertionError("a clerk's desk was asked to make the centre's CA")

    monkeypatch.setattr(ServerSetup, "exec", fill)
    monkeypatch.setattr(CentreSetup, "exec", asked)
    dialog.choices["server"].click()
    assert getattr(w.db.conn, "server_user", None) == "desk_clerk9"
    assert load_identity(folder) is None
    qtbot.waitUntil(
        lambda: w.centre.grants is not None and w.centre.grants.user == "desk_clerk9", timeout=30000
    )
    assert "desk_clerk9" in w.centre.desk_label.text()

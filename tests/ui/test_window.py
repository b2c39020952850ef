"""The window's frame: errors (a refused input is a message, a bug is logged and shown), the
worker's hand-back, the team dialog, the finish page's links, the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from inspector.errors import StoreError
from inspector.store.evaluations import Evaluation, EvaluationStore
from tests.ui.conftest import ROOT, Window, evaluation
from ui import errors


def test_a_bug_is_logged_and_shown_a_user_error_is_only_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text: shown.append(("bug", text)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: shown.append(("user", text)))
    monkeypatch.setattr(errors.sys, "__excepthook__", lambda *_a: None)
    hook = errors._Hook(lambda: tmp_path, lambda: False)
    try:
        raise StoreError("该评估已签署", "abc123")
    except StoreError as e:
        hook(type(e), e, e.__traceback__)
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as e:
        hook(type(e), e, e.__traceback__)
    assert shown[0] == ("user", "abc123: 该评估已签署")
    assert shown[1][0] == "bug" and "ZeroDivisionError: boom" in shown[1][1]
    log = (tmp_path / "logs" / errors.LOG_NAME).read_text(encoding="utf-8")
    assert "ZeroDivisionError: boom" in log and "Traceback" in log and "StoreError" not in log


def test_worker_hands_back_results_user_errors_and_bugs(
    window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = window.w.worker
    got: list[object] = []

    def refuse(_progress: object) -> None:
        raise StoreError("磁盘已满")

    def crash(_progress: object) -> None:
        raise KeyError("bug")

    bugs: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda etype, _v, _tb: bugs.append(etype))
    worker.run("ok", lambda progress, x: (progress(1, 1), x * 2)[1], 21, on_done=got.append)
    worker.run("refused", refuse, on_done=got.append, on_error=lambda e: got.append(str(e)))
    worker.run("bug", crash, on_done=got.append)
    window.settle()
    assert sorted(map(str, got)) == ["42", "磁盘已满"]
    assert bugs == [KeyError]


def test_team_dialog_divides_sections(
    window: Window, store: EvaluationStore, fresh: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.team import TeamDialog

    window.start(fresh.id, "scoring")
    session = window.w.session
    assert session is not None
    dialog = TeamDialog(session.rubric, session.evaluation.team)
    window.qtbot.addWidget(dialog)
    assert [m["sections"] for m in dialog.team()] == [["1", "2", "3", "4", "5"], ["6", "7", "8", "9"]]
    dialog.grid.item(0, 1).setCheckState(Qt.CheckState.Checked)  # 李秀英 also takes section 1
    dialog.grid.item(8, 1).setCheckState(Qt.CheckState.Unchecked)  # and gives up 9
    team = dialog.team()
    assert team[1]["sections"] == ["1", "6", "7", "8"]

    monkeypatch.setattr(TeamDialog, "exec", lambda self: TeamDialog.DialogCode.Accepted)
    monkeypatch.setattr(TeamDialog, "team", lambda self: team)
    window.key(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert store.get(fresh.id).team == team
    model = window.w.scoring.model
    assert model is not None
    assert model.sections["1"][1].cells[0].text().endswith("张建国、李秀英")
    assert "李秀英" not in model.sections["9"][1].cells[0].text()


def test_finish_page_links_lead_to_the_unanswered_items(window: Window, store: EvaluationStore) -> None:
    e = evaluation(store, kind="inspection", state="draft", rubric="sichuan-2017-inspection")
    window.start(e.id, "finish")
    assert window.w.view() == "finish"
    assert not window.w.finish.sign.isEnabled(), "an incomplete evaluation offered for signing"
    first = next(i.id for i in window.w.session.items if not window.w.session.results[i.id].answered)  # type: ignore[union-attr]
    window.key(Qt.Key.Key_Tab)  # the first link: the first unanswered item
    window.key(Qt.Key.Key_Return)
    assert window.w.view() == "scoring"
    assert window.w.scoring.current_item == first


def test_cli_screenshot_of_each_view(store: EvaluationStore, demo_folder: Path, tmp_path: Path) -> None:
    e = evaluation(store, kind="recheck")
    for view in ("home", "scoring", "finish"):
        out = tmp_path / f"{view}.png"
        args = ["gui", "--screenshot", str(out)] + (
            ["--eval", e.id, "--view", view] if view != "home" else []
        )
        done = subprocess.run(
            [sys.executable, "-m", "inspector", "--data", str(demo_folder), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = subprocess.run(
        [sys.executable, "-m", "inspector", "--data", str(demo_folder), "gui", "--eval", "nope",
         "--screenshot", str(tmp_path / "x.png")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert bad.returncode == 1 and "nope" in bad.stderr and "Traceback" not in bad.stderr

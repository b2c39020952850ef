"""``inspector gui`` starts the window without click (issue 18, P1), and says what click says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli.fast import GuiStart, parse_gui
from tests.ui.conftest import ROOT


def run(*args: str, flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-m", "inspector", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip


def imported(stderr: str) -> list[str]:
    """The modules ``python -X importtime`` reports, in the order their imports finished."""
    return [line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")]


def test_a_plain_start_is_parsed_without_click(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("INSPECTOR_DATA", raising=False)
    monkeypatch.delenv("INSPECTOR_USER", raising=False)
    shot = tmp_path / "w.png"
    assert parse_gui(["gui"]) == GuiStart(None, None, None, "home", None)
    argv = [
        "--data",
        str(tmp_path),
        "--lang=en",
        "--user",
        "王",
        "gui",
        "--view",
        "stats",
        f"--screenshot={shot}",
    ]
    assert parse_gui(argv) == GuiStart(str(tmp_path), "王", "en", "stats", shot)
    monkeypatch.setenv("INSPECTOR_DATA", str(tmp_path))  # as click reads its envvar
    monkeypatch.setenv("INSPECTOR_USER", "李")
    assert parse_gui(["gui"]) == GuiStart(str(tmp_path), "李", None, "home", None)
    # everything else is click's to parse (and to refuse, with its own message)
    for argv in (
        [],
        ["eval", "list"],
        ["--help"],
        ["--version"],
        ["gui", "--help"],
        ["gui", "--eval", "abc"],  # an id prefix, resolved against the store by click's parameter
        ["gui", "--view", "nowhere"],
        ["--lang", "fr", "gui"],
        ["gui", "--screenshot"],
        ["gui", "--screenshot", str(tmp_path)],  # a folder
        ["--data", str(ROOT / "README.md"), "gui"],  # a file
        ["gui", "--view", "home", "--view", "stats"],
        ["--data", "--lang", "gui"],
        ["gui", "gui"],
        ["--data", str(tmp_path), "gui", "--data", str(tmp_path)],  # a global option after the command
    ):
        assert parse_gui(argv) is None, argv


def test_the_window_starts_without_click(
    demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as a user starts it: no INSPECTOR_USER, so the window asks the folder who signs its changes
    monkeypatch.delenv("INSPECTOR_USER", raising=False)
    out = tmp_path / "w.png"
    argv = ["--data", str(demo_folder), "--lang", "en", "gui", "--screenshot", str(out)]
    done = run(*argv, flags=("-X", "importtime"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    modules = imported(done.stderr)
    assert "inspector.cli.fast" in modules and "inspector.cli.root" not in modules
    # the window is made before the store's modules are loaded (the data folder is opened on the
    # worker thread after the first paint); sqlite-utils, and click, dateutil and pluggy with it, are
    # not loaded at all to show the home list (inspector.store.lazy_db)
    window = modules.index("ui.main_window")
    assert window < modules.index("inspector.store.db")
    assert "click" not in modules and "sqlite_utils" not in modules
    assert "dateutil" not in modules and "pluggy" not in modules
    # the sheet's documents (reportlab) are not loaded to show the home list; nor is openpyxl (the
    # register's workbooks), nor cryptography in a folder without a credential that is no station's
    assert "reportlab" not in modules
    assert "openpyxl" not in modules
    assert "cryptography" not in modules


def test_other_starts_keep_the_command_lines_messages(demo_folder: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    bad = run("--data", str(a_file), "gui", "--screenshot", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "是文件，不是文件夹" in bad.stderr and "Traceback" not in bad.stderr
    unknown = run("gui", "--nope")
    assert unknown.returncode == 2 and "--nope" in unknown.stderr
    assert run("gui", "--help").stdout.count("--screenshot") == 1

"""The Windows build's names and its installer: the window is what a user finds (issue 22).

The installer script is compiled with makensis (Debian's nsis package; dev.sh installs it) against
a stand-in for the Windows build; skipped where makensis is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from inspector import __version__

ROOT = Path(__file__).resolve().parent.parent
NSI = ROOT / "installer" / "inspector.nsi"
SPEC = (ROOT / "build.spec").read_text(encoding="utf-8")
WINDOW = "质量督导评估"
needs_makensis = pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis (nsis) not installed")


def test_the_windows_build_names_the_window_for_users() -> None:
    assert f'gui_name = "{WINDOW}" if windows else "inspector-gui"' in SPEC
    # the console executable: its own icon and description, UTF-8 output
    assert "icon=cli_icon, version=cli_version_file" in SPEC
    assert (ROOT / "resources" / "icons" / "inspector-cli.ico").read_bytes()[:4] == b"\0\0\1\0"
    assert '[("X utf8", None, "OPTION")]' in SPEC
    nsi = NSI.read_text(encoding="utf-8")
    assert f'!define GUI_EXE "{WINDOW}.exe"' in nsi and '!define CLI_EXE "inspector.exe"' in nsi


def fake_build(folder: Path, *, window: bool = True) -> Path:
    dist = folder / "dist"
    (dist / "_internal").mkdir(parents=True)
    (dist / "_internal" / "python311.dll").write_bytes(b"MZ")
    (dist / "inspector.exe").write_bytes(b"MZ")
    if window:
        (dist / f"{WINDOW}.exe").write_bytes(b"MZ")
    return dist


def makensis(dist: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["makensis", "-V4", f"-DVERSION={__version__}", f"-DDIST={dist}", f"-DOUTFILE={out}", str(NSI)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@needs_makensis
def test_the_installer_compiles_with_the_start_menu_shortcut(tmp_path: Path) -> None:
    out = tmp_path / f"{WINDOW}-{__version__}-安装.exe"
    p = makensis(fake_build(tmp_path), out)
    assert p.returncode == 0, p.stdout + p.stderr
    assert out.read_bytes()[:2] == b"MZ"
    shortcuts = re.findall(r'CreateShortcut: "([^"]+)"->"([^"]+)"', p.stdout)
    assert (f"$SMPROGRAMS\\{WINDOW}.lnk", f"$INSTDIR\\{WINDOW}.exe") in shortcuts
    assert 'File: "inspector.exe"' in p.stdout


@needs_makensis
def test_a_build_without_the_window_is_refused(tmp_path: Path) -> None:
    p = makensis(fake_build(tmp_path, window=False), tmp_path / "x.exe")
    assert p.returncode != 0 and f"{WINDOW}.exe is missing" in p.stdout + p.stderr
    assert not (tmp_path / "x.exe").exists()


def test_the_double_clicked_command_line_opens_the_window() -> None:
    from inspector.cli.main import arguments

    assert arguments([], alone=True) == ["gui"]
    assert arguments([], alone=False) == []  # typed at a prompt: the help, as ever
    assert arguments(["eval", "list"], alone=True) == ["eval", "list"]


def test_the_command_line_starts_without_qt_and_still_opens_the_window() -> None:
    """Issue 18 P7: the console executable is built without PyInstaller's PySide6 hook (it imported
    QtCore at every start); what that hook sets for Qt is set by ``ui`` when the window opens."""
    import os

    from ui import frozen_qt_environment

    assert "NOT_IN_CONSOLE" in SPEC and '"pyi_rth_pyside6"' in SPEC
    console = SPEC[SPEC.index("console = EXE(") : SPEC.index("windowed = EXE(")]
    assert "NOT_IN_CONSOLE" in console
    assert "NOT_IN_CONSOLE" not in SPEC[SPEC.index("windowed = EXE(") :]  # the window keeps every hook
    linux = frozen_qt_environment("/opt/inspector/_internal", "linux")
    assert linux == {"QT_PLUGIN_PATH": os.path.join("/opt/inspector/_internal", "PySide6", "Qt", "plugins")}
    windows = frozen_qt_environment("C:/inspector/_internal", "win32")
    assert windows["QT_PLUGIN_PATH"] == os.path.join("C:/inspector/_internal", "PySide6", "plugins")
    assert windows["PATH"].startswith("C:/inspector/_internal" + os.pathsep)

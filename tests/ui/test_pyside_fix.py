"""PySide6 6.12.0 on Python 3.11 drops references to None and True: the window must survive a day."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import ROOT

SCRIPT = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
{prelude}
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Busy(QObject):
    changed = Signal(object)

app = QApplication([])
busy = Busy()
busy.changed.connect(lambda _ids: None)
label = QLabel()
for _n in range(20000):  # a long day of marks: each emits signals and sets texts
    busy.changed.emit(("1.1.1",))
    for _k in range(10):
        label.setText("1.1.1")
print("alive")
"""


def run(prelude: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(prelude=prelude)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_many_signals_do_not_kill_the_window() -> None:
    done = run("import ui")
    assert done.returncode == 0 and "alive" in done.stdout, done.stderr


def test_the_workaround_is_still_needed() -> None:
    """When this fails, PySide6 is fixed: ui/pyside_fix.py can go (it already does nothing then)."""
    from ui.pyside_fix import calls_drop_references

    bare = run("")
    if calls_drop_references():
        assert bare.returncode != 0 and "_dealloc" in bare.stderr
    else:
        assert bare.returncode == 0


def test_modules_imported_after_pyside6_leave_no_source_in_memory(tmp_path: Path) -> None:
    """PySide6's feature hook read every later module's source into linecache (kept for the life of
    the process); the lean hook gives the same answer and keeps nothing (issue 18, P1)."""
    (tmp_path / "uses_qt.py").write_text("import PySide6.QtCore\n", encoding="utf-8")
    (tmp_path / "plain_module.py").write_text("X = 1\n", encoding="utf-8")
    script = f"""
import linecache, sys
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(tmp_path)!r})
import ui
import uses_qt, plain_module
feature = sys.modules["shibokensupport.feature"]
known = feature.pyside_feature_dict
print(known["uses_qt"], known["plain_module"])
print(any(name.endswith(("uses_qt.py", "plain_module.py")) for name in linecache.cache))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "-1", "False"]


def test_the_standard_library_is_answered_without_reading_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """No source of the standard library names PySide6: its modules are answered "no" unread;
    a module of site-packages (which may lie below it) and the program's own are read."""
    import json
    import typing

    import ui.home
    from ui import pyside_fix

    stdlib = Path(os.__file__).parent
    assert not any(b"PySide6" in p.read_bytes() for p in stdlib.glob("*.py"))
    opened: list[str] = []
    real_open = open

    def spying_open(path: str, *args: object, **kwargs: object) -> object:
        opened.append(str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", spying_open)
    assert not pyside_fix.uses_pyside(typing) and not pyside_fix.uses_pyside(json)
    assert opened == []
    assert pyside_fix.uses_pyside(ui.home)
    assert opened == [ui.home.__file__]
    site = str(stdlib / "site-packages" / "x.py")
    assert pyside_fix.in_standard_library(str(stdlib / "json" / "decoder.py"))
    assert not pyside_fix.in_standard_library(site)

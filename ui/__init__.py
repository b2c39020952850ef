"""The inspector's window (PySide6). Widgets and Qt models only: the store in ``inspector`` is the truth."""

import os
import sys


def frozen_qt_environment(base: str, platform: str) -> dict[str, str]:
    """What PyInstaller's PySide6 runtime hook sets for Qt in a frozen build at ``base``
    (``sys._MEIPASS``): where the build keeps Qt's plugins (and, on Windows, its DLLs on PATH).

    The console executable is built without that hook (build.spec: it imported QtCore at every
    start, even for ``inspector --version``); when it opens the window (``inspector gui``, or a
    double-click), these are set here instead, before Qt is first imported.
    """
    windows = platform == "win32"
    qt = os.path.join(base, "PySide6") if windows else os.path.join(base, "PySide6", "Qt")
    env = {"QT_PLUGIN_PATH": os.path.join(qt, "plugins")}
    if windows:
        env["PATH"] = base + os.pathsep + os.environ.get("PATH", "")
    return env


_base = getattr(sys, "_MEIPASS", None)
if getattr(sys, "frozen", False) and _base and "PySide6.QtCore" not in sys.modules:  # no hook ran
    os.environ.update(frozen_qt_environment(_base, sys.platform))

from ui.pyside_fix import lean_feature_hook, protect_singletons  # noqa: E402

# Before any window exists: PySide6 6.12.0 on Python 3.11 would otherwise crash the process
# after some thousands of ordinary calls (see ui/pyside_fix.py).
protect_singletons()
lean_feature_hook()  # and every later import would keep its module's source in memory

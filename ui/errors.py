"""Errors in the window: a refused input is the user's to fix, anything else is a bug.

An :class:`~inspector.errors.InspectorError` says what is wrong and where (``str(error)``): it is
shown once, plainly. Every other exception is a bug: :func:`install_excepthook` shows that
something went wrong, writes the traceback to ``logs/window-errors.log`` in the data folder and
still prints it, so it is never swallowed.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QWidget

from inspector.errors import InspectorError
from inspector.i18n import _

LOG_NAME = "window-errors.log"
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def show_user_error(parent: QWidget | None, error: InspectorError, title: str | None = None) -> None:
    # imported here, as in _Hook: the window's module imports this one before its first paint,
    # and PySide6 builds the message box's type when a module first names it (issue 18, P1)
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(parent, title or _("无法完成"), str(error))


def log_bug(data_dir: Path | None, info: ExcInfo) -> Path | None:
    """Append the traceback to the data folder's log; None when the folder cannot be written."""
    if data_dir is None:
        return None
    path = data_dir / "logs" / LOG_NAME
    text = "".join(traceback.format_exception(*info))
    import datetime as dt  # here: 2 ms of the window's start otherwise (issue 18, P1)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')}\n{text}\n")
    except OSError:
        return None
    return path


class _Hook:
    def __init__(self, data_dir: Callable[[], Path | None], quiet: Callable[[], bool]) -> None:
        self.data_dir = data_dir
        self.quiet = quiet
        self.showing = False  # an error raised while the box is up (a paint loop) must not stack boxes

    def __call__(self, etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        parent = QApplication.activeWindow()
        if self.quiet():  # --screenshot: nobody to read a dialog; say it on stderr and stop
            sys.__excepthook__(etype, value, tb)
            log_bug(self.data_dir(), (etype, value, tb))
            QApplication.exit(1)
            return
        if isinstance(value, InspectorError):
            if not self.showing:
                self.showing = True
                try:
                    show_user_error(parent, value)
                finally:
                    self.showing = False
            return
        sys.__excepthook__(etype, value, tb)
        where = log_bug(self.data_dir(), (etype, value, tb))
        if self.showing or QApplication.instance() is None:
            return
        self.showing = True
        try:
            message = _("程序出现错误（这不是您的操作问题）。您的评分已逐项保存，不受影响。") + "\n\n"
            message += f"{etype.__name__}: {value}"
            if where is not None:
                message += "\n\n" + _("详细信息已记录在：{path}").format(path=where)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(parent, _("程序错误"), message)
        finally:
            self.showing = False


def install_excepthook(
    data_dir: Callable[[], Path | None], quiet: Callable[[], bool] = lambda: False
) -> None:
    """Every uncaught exception on the GUI thread (and those the worker hands back) comes here."""
    sys.excepthook = _Hook(data_dir, quiet)

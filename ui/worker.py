"""The one helper for long work: off the GUI thread, with progress and errors reported back.

``worker.run(label, fn, *args, on_done=…)`` runs ``fn(progress, *args)`` on a thread pool;
``progress(done, total)`` may be called from it. The result arrives in ``on_done`` on the GUI
thread (the signals are received by the :class:`Worker`, which lives there, so Qt queues
them), and not at all if the ``owner`` widget was deleted meanwhile.
A refused input (:class:`~inspector.errors.InspectorError`) goes to ``on_error`` or a message box;
anything else is handed to ``sys.excepthook`` on the GUI thread, like any other bug.

Tasks must not share the window's SQLite connection: each opens its own (WAL allows readers
beside the writer), see :func:`ui.worker.open_folder`.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from inspector.errors import InspectorError
from ui.errors import show_user_error

Progress = Callable[[int, int], None]


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, int, int)


class _Task(QRunnable):
    def __init__(
        self, task_id: int, signals: _Signals, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        super().__init__()
        self.task_id = task_id
        self.signals = signals
        self.fn = fn
        self.args = args
        self.setAutoDelete(True)

    def run(self) -> None:
        def progress(done: int, total: int) -> None:
            self.signals.progress.emit(self.task_id, done, total)

        try:
            result = self.fn(progress, *self.args)
        except BaseException:  # handed to the GUI thread, which decides: user error or bug
            self.signals.failed.emit(self.task_id, sys.exc_info())
        else:
            self.signals.done.emit(self.task_id, result)


@dataclass
class _Pending:
    label: str
    on_done: Callable[[Any], None]
    on_error: Callable[[InspectorError], None] | None
    owner: QObject | None

    def wanted(self) -> bool:
        """False once the widget that asked is gone (an item left, a page rebuilt)."""
        return self.owner is None or shiboken6.isValid(self.owner)


class Worker(QObject):
    #: (label, done, total) of the most recent progress report; total 0 means "busy, no measure"
    progress = Signal(str, int, int)
    #: how many tasks are running
    busy = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widget = parent
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._signals = _Signals()
        self._signals.done.connect(self._done)
        self._signals.failed.connect(self._failed)
        self._signals.progress.connect(self._progress)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}

    def run(
        self,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[InspectorError], None] | None = None,
        owner: QObject | None = None,
    ) -> int:
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(label, on_done, on_error, owner)
        self.busy.emit(len(self._pending))
        self.progress.emit(label, 0, 0)
        self.pool.start(_Task(task_id, self._signals, fn, args))
        return task_id

    def running(self) -> int:
        return len(self._pending)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

    def _finish(self, task_id: int) -> _Pending | None:
        pending = self._pending.pop(task_id, None)
        self.busy.emit(len(self._pending))
        return pending

    def _done(self, task_id: int, result: Any) -> None:
        pending = self._finish(task_id)
        if pending is not None and pending.wanted():
            pending.on_done(result)

    def _failed(self, task_id: int, info: Any) -> None:
        pending = self._finish(task_id)
        etype, value, tb = info
        if isinstance(value, InspectorError):
            if pending is not None and pending.on_error is not None:
                if pending.wanted():
                    pending.on_error(value)
            else:
                show_user_error(self._widget, value)
            return
        sys.excepthook(etype, value, tb)

    def _progress(self, task_id: int, done: int, total: int) -> None:
        pending = self._pending.get(task_id)
        if pending is not None:
            self.progress.emit(pending.label, done, total)


def open_folder(data: Path) -> Any:
    """A connection of the task's own to the data folder's database (closed by the caller)."""
    from inspector.db import open_database

    return open_database(data)

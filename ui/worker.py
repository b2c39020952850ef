"""The one helper for long work: off the GUI thread, with progress and errors reported back.

``worker.run(label, fn, *args, on_done=…)`` runs ``fn(progress, *args)`` on a thread pool;
``progress(done, total)`` may be called from it. The result arrives in ``on_done`` on the GUI
thread (the signals are received by the :class:`Worker`, which lives there, so Qt queues
them), and not at all if the ``owner`` widget was deleted meanwhile.
A refused input (:class:`~inspector.errors.InspectorError`) goes to ``on_error`` or a message box;
anything else is handed to ``sys.excepthook`` on the GUI thread, like any other bug.

Tasks must not share the window's SQLite connection: each opens its own (WAL allows readers
beside the writer), see :func:`inspector.folder.opened_folder`.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from inspector.errors import InspectorError
from ui.errors import show_user_error

Progress = Callable[[int, int], None]


class _Signals(QObject):
    # Only numbers cross threads: results wait in the Worker's outbox (a lock-guarded dict) and
    # the GUI thread takes them when the queued signal arrives. Passing Python objects through
    # a queued signal made PySide touch their reference counts off the GUI thread, which
    # crashed the process now and then under the GUI thread's garbage collector.
    done = Signal(int)
    progress = Signal(int, int, int)


class _Outbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, tuple[bool, Any]] = {}

    def put(self, task_id: int, ok: bool, value: Any) -> None:
        with self._lock:
            self._items[task_id] = (ok, value)

    def take(self, task_id: int) -> tuple[bool, Any]:
        with self._lock:
            return self._items.pop(task_id)


def _run_task(
    task_id: int, signals: _Signals, outbox: _Outbox, fn: Callable[..., Any], args: tuple[Any, ...]
) -> None:
    """On a pool thread: run, then hand the result (or the exception) to the GUI thread."""

    def progress(done: int, total: int) -> None:
        signals.progress.emit(task_id, done, total)

    try:
        result = fn(progress, *args)
    except BaseException:  # handed to the GUI thread, which decides: user error or bug
        outbox.put(task_id, False, sys.exc_info())
    else:
        outbox.put(task_id, True, result)
    signals.done.emit(task_id)


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
        # Plain Python threads, not QRunnable: a Python-subclassed QRunnable's C++ half was freed on
        # the pool thread while the GUI thread's garbage collector still held its wrapper, which
        # crashed the process now and then (seen in the UI tests). Signals emitted from these
        # threads reach the Worker's slots queued, on the GUI thread.
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="inspector-worker")
        self._futures: set[Future[None]] = set()
        self._signals = _Signals()
        self._outbox = _Outbox()
        self._signals.done.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self._signals.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
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
        future = self.pool.submit(_run_task, task_id, self._signals, self._outbox, fn, args)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return task_id

    def running(self) -> int:
        return len(self._pending)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the running tasks (all of them, or up to ``msecs``); True when none is left."""
        _done, pending = futures_wait(list(self._futures), timeout=None if msecs < 0 else msecs / 1000)
        return not pending

    def _finish(self, task_id: int) -> _Pending | None:
        pending = self._pending.pop(task_id, None)
        self.busy.emit(len(self._pending))
        return pending

    @Slot(int)  # a declared slot: delivered through the meta-object, tied to this QObject's life
    def _arrived(self, task_id: int) -> None:
        ok, value = self._outbox.take(task_id)
        if ok:
            self._done(task_id, value)
        else:
            self._failed(task_id, value)

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

    @Slot(int, int, int)
    def _progress(self, task_id: int, done: int, total: int) -> None:
        pending = self._pending.get(task_id)
        if pending is not None:
            self.progress.emit(pending.label, done, total)

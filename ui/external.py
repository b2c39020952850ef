"""Noticing what other writers commit: the command line, a bundle import, another window, another desk.

With the window and ``inspector eval record`` writing one evaluation, the window went on showing
what it had loaded (48 of 61 items differed from the store). SQLite's ``PRAGMA data_version``
(https://sqlite.org/pragma.html#pragma_data_version) changes on a connection whenever *another*
connection commits to the file, and not for its own commits, so polling it once a second is a
cheap and exact test: no file timestamps, no reloading after the window's own writes.

A centre on a PostgreSQL server (issue 20) has the same counter as a row on the server
(inspector/store/pg.py): reading it is a round trip, and a server that stops answering mid-session
held the window (the GUI thread) until libpq gave up. There the counter is read by a thread of its
own, on a connection of its own to the same address (the window's connection is never shared
between threads), every wait of it bounded (inspector/store/pg_watch.py); what it reads reaches the
GUI thread by a queued signal. A server that does not answer is said once in the status bar; the
thread tries again quietly, less and less often, and says when the server answers again.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from inspector.i18n import _

if TYPE_CHECKING:  # sqlite3 (and datetime under it) is imported once the folder opens, not before the
    import sqlite3  # window's first paint (issue 18, P1)

INTERVAL_MS = 1000
BACKOFF_MAX_S = 30.0  # a lost server is tried again after 2, 4, 8, 16, then every 30 seconds
STOP_WAIT_S = 1.0  # closing waits this long at most for the poll thread (its waits are 0.1 s slices)


class _Bridge(QObject):
    """What the poll thread says, delivered on the GUI thread (queued connections)."""

    read = Signal(int)  # the server's write counter
    silent = Signal(str)  # why it could not be read (once per loss)
    back = Signal()


class ServerPoll:
    """A daemon thread reading a server's write counter once a second on its own connection."""

    def __init__(self, url: str, bridge: _Bridge, interval_s: float, answer_s: float | None) -> None:
        self.url = url
        self.bridge = bridge
        self.interval_s = interval_s
        self.answer_s = answer_s
        self.failures = 0  # reads failed in a row (the server lost), read by the tests
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="inspector-server-poll", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Ends the thread: at once when it is waiting, within a 0.1 s slice when it is reading."""
        self.stopping.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            # its every wait looks at ``stopping`` each 0.1 s; only a name lookup of the server's
            # host (getaddrinfo) cannot be interrupted: then it ends on its own, saying nothing
            self.thread.join(STOP_WAIT_S)

    def _run(self) -> None:
        from inspector.errors import InspectorError
        from inspector.store.pg_watch import Stopped, WriteCounter

        counter = WriteCounter(
            self.url, self.stopping.is_set, *(() if self.answer_s is None else (self.answer_s,))
        )
        try:
            while not self.stopping.is_set():
                try:
                    n = counter.read()
                except Stopped:
                    return
                except InspectorError as e:  # the server lost (every failure of a read): no traceback
                    self.failures += 1
                    if self.failures == 1 and not self._say(self.bridge.silent, str(e)):
                        return
                    pause = min(self.interval_s * 2**self.failures, BACKOFF_MAX_S)
                else:
                    if self.failures and not self._say(self.bridge.back):
                        return
                    self.failures = 0
                    if not self._say(self.bridge.read, n):
                        return
                    pause = self.interval_s
                self.stopping.wait(pause)
        finally:
            counter.close()

    def _say(self, signal: Any, *args: Any) -> bool:
        """Emit unless stopping; False when the window is gone (the thread then ends)."""
        if self.stopping.is_set():
            return False
        try:
            signal.emit(*args)
        except RuntimeError:  # the bridge's C++ side deleted with the window
            return False
        return True


class ExternalWrites(QObject):
    """Emits ``committed`` when another connection has committed since the last look."""

    committed = Signal()
    server_silent = Signal(str)  # a centre's server stopped answering (said once per loss)
    server_back = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn: sqlite3.Connection | None = None
        self._version = 0
        self._latest: int | None = None  # on a server: the counter as the poll thread last read it
        self._poll: ServerPoll | None = None
        self._bridge: _Bridge | None = None
        self.interval_s = INTERVAL_MS / 1000
        self.answer_s: float | None = None  # how long a read may go unanswered (None: pg_watch's)
        self.notice: QLabel | None = None
        self._bar: QStatusBar | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.server_silent.connect(self._say_silent)
        self.server_back.connect(self._say_back)

    def watch(self, conn: sqlite3.Connection) -> None:
        # imported here: the window is made (and painted) before the store's modules are loaded
        from inspector.store.db import data_version

        self.stop()
        self._conn = conn
        self._version = data_version(conn)  # read once as the folder opens, as everything else is
        url = getattr(conn, "url", None)
        if url is None:  # a folder's own SQLite file: microseconds, never blocks (WAL)
            self.timer.start()
            return
        bridge = _Bridge()  # lives on the GUI thread: its signals are queued to the slots below
        bridge.read.connect(self._counter_read, Qt.ConnectionType.QueuedConnection)
        bridge.silent.connect(self._silent, Qt.ConnectionType.QueuedConnection)
        bridge.back.connect(self._back, Qt.ConnectionType.QueuedConnection)
        self._bridge = bridge
        self._poll = ServerPoll(str(url), bridge, self.interval_s, self.answer_s)
        self._poll.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self._bridge = None  # what it queued before stopping is not its own any more: dropped
        self._latest = None
        self._conn = None
        if self.notice is not None:
            self.notice.setVisible(False)

    @property
    def polling(self) -> bool:
        """Whether a poll thread is running (a server's centre being watched)."""
        return self._poll is not None and self._poll.thread.is_alive()

    def check(self) -> bool:
        """Look now; returns whether another writer committed (and says so). On a server, "now" is
        what the poll thread last read: nothing is asked of the server here."""
        if self._conn is None:
            return False
        if self._poll is not None:
            if self._latest is None:
                return False
            version = self._latest - int(getattr(self._conn, "own_writes", 0))
        else:
            import sqlite3

            from inspector.store.db import data_version

            try:
                version = data_version(self._conn)
            except sqlite3.Error:  # closed underneath (a restore, the window closing): look no more
                self.stop()
                return False
        if version == self._version:
            return False
        self._version = version
        self.committed.emit()
        return True

    def _current(self) -> bool:
        """Whether the signal being delivered comes from the poll of the connection watched now."""
        return self._bridge is not None and self.sender() is self._bridge

    def _counter_read(self, n: int) -> None:
        # the window's own commits raise the counter too: check() takes them off, as the PRAGMA
        # does (a commit of its own between the thread's read and this: seen at the next read)
        if self._current():
            self._latest = n
            self.check()

    def _silent(self, why: str) -> None:
        if self._current():
            self.server_silent.emit(why)

    def _back(self) -> None:
        if self._current():
            self.server_back.emit()

    # -- the status bar ---------------------------------------------------------------------------
    def show_in(self, status_bar: QStatusBar) -> None:
        """Where a server that stops answering is said: one lasting line, gone when it answers."""
        self.notice = QLabel()
        self.notice.setObjectName("serverNotice")
        self.notice.setStyleSheet("color: #b00020;")
        self.notice.setVisible(False)
        status_bar.addPermanentWidget(self.notice)
        self._bar = status_bar

    def _say_silent(self, why: str) -> None:
        if self.notice is None:
            return
        # short: the status bar also holds the folder, the last save and the desk's user
        self.notice.setText("⚠ " + _("服务器没有应答，正在后台重试"))
        self.notice.setToolTip(_("其他工作台的更改暂不显示，程序在后台重试（{why}）").format(why=why))
        self.notice.setVisible(True)

    def _say_back(self) -> None:
        if self.notice is None:
            return
        self.notice.setVisible(False)
        if self._bar is not None:
            self._bar.showMessage(_("服务器又有应答了：其他工作台的更改照常显示"), 6000)

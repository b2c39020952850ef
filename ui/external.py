"""Noticing what other writers commit: the command line, a bundle import, another window.

With the window and ``inspector eval record`` writing one evaluation, the window went on showing
what it had loaded (48 of 61 items differed from the store). SQLite's ``PRAGMA data_version``
(https://sqlite.org/pragma.html#pragma_data_version) changes on a connection whenever *another*
connection commits to the file, and not for its own commits, so polling it once a second is a
cheap and exact test: no file timestamps, no reloading after the window's own writes.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject, QTimer, Signal

INTERVAL_MS = 1000


class ExternalWrites(QObject):
    """Emits ``committed`` when another connection has committed since the last look."""

    committed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn: sqlite3.Connection | None = None
        self._version = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    def watch(self, conn: sqlite3.Connection) -> None:
        # imported here: the window is made (and painted) before the store's modules are loaded
        from inspector.store.db import data_version

        self._conn = conn
        self._version = data_version(conn)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._conn = None

    def check(self) -> bool:
        """Look now; returns whether another writer committed (and says so)."""
        if self._conn is None:
            return False
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

"""Garbage collection on the GUI thread only (the pattern qutebrowser uses).

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. When that is a worker thread and the garbage holds Qt widgets (a closed dialog, a page
that was rebuilt), Qt objects are destroyed off the GUI thread and the process aborts — seen in
the UI tests. So automatic collection is switched off while the window runs, and a timer on the
GUI thread collects instead: the young generation often, everything now and then.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_EVERY = 20  # a full collection every ten seconds


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._ticks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        self._ticks += 1
        if self._ticks % FULL_EVERY == 0:
            gc.collect()
            return
        # only as often as the thresholds would have asked for it
        threshold = gc.get_threshold()[0]
        if gc.get_count()[0] > threshold:
            gc.collect(0)

"""The window's text size: Ctrl + / Ctrl − / Ctrl 0, remembered in the data folder's ui_state.

A 1366-pixel laptop at arm's length on a desk that is not the inspector's own, a clerk's 24-inch
screen: one size does not fit. Each step makes the application font a tenth larger (or smaller)
than the system's; the step is stored (ui_state ``text_size``) and applied when the folder opens.
Widgets that set their own font (page titles) are sized again from the new one.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

MIN_STEP, MAX_STEP = -3, 8
_base: float | None = None


def base_size() -> float:
    """The system's (application) point size before any step was applied."""
    global _base
    if _base is None:
        _base = QApplication.font().pointSizeF()
        if _base <= 0:
            _base = 10.0
    return _base


def clamp(step: int) -> int:
    return max(MIN_STEP, min(MAX_STEP, step))


def point_size(step: int) -> float:
    return round(base_size() * (1 + 0.1 * clamp(step)), 1)


def apply_step(step: int) -> float:
    """Set the application font for ``step``; returns the point size now used."""
    size = point_size(step)
    font = QFont(QApplication.font())
    font.setPointSizeF(size)
    QApplication.setFont(font)
    return size

"""The few Qt calls that differ between the PySide6 versions the product supports.

The Linux build for UOS 20 (glibc 2.28) and Kylin V10 (2.31) must use PySide6 6.8 or 6.9, the last
whose wheels are manylinux_2_28 (6.10 and later need glibc 2.34): pip on such a build machine picks
them by itself within pyproject's range, so the window must work with them (docs/platforms.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSortFilterProxyModel


@contextmanager
def rows_filter_change(proxy: QSortFilterProxyModel) -> Iterator[None]:
    """Change what a proxy's ``filterAcceptsRow`` accepts inside the block; the view follows."""
    if hasattr(proxy, "endFilterChange"):  # Qt 6.10+: the change announced before it is made
        proxy.beginFilterChange()
        yield
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:  # Qt 6.8, 6.9
        yield
        proxy.invalidateRowsFilter()

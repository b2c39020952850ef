"""A workaround for reference-counting bugs of PySide6 6.12.0 on CPython 3.11, applied when
``ui`` is imported.

PySide6 6.12.0 returns ``None`` (from every method that returns nothing: ``setText``, ``update``,
``setFocus``, ``QModelIndex.data()`` of an empty index…) and ``True`` (from
``SignalInstance.emit()``) without taking the reference it hands back. CPython 3.12 made these
singletons immortal, which hides the bug there; on 3.11 every such call drops one reference that
was never taken, and once a count reaches zero CPython aborts ("none_dealloc: deallocating None",
"bool_dealloc"). Measured here: 100,000 ``QLabel.setText`` calls kill a bare PySide6 program;
``True`` starts with about 600 references, so about 600 emits do. The window makes hundreds of
such calls per item: without this, an inspector's afternoon would end in a crash.

The singletons are never freed, so a reference count far too high costs nothing. If the bug is
present (probed with a throwaway object), the counts of ``None``, ``True`` and ``False`` are
raised by 2**40: enough for a million such calls a second for twelve days. Nothing is done on
Python 3.12+ or once PySide6 is fixed. (Better still: run the product on Python 3.12+.)
"""

from __future__ import annotations

import ctypes
import os
import sys

MARGIN = 1 << 40


def calls_drop_references() -> bool:
    """Whether emit() or a method returning nothing drops a reference (4 calls each)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _n in range(4):
        probe.ping.emit()
        probe.setObjectName("probe")
    return sys.getrefcount(True) < true_before or sys.getrefcount(None) < none_before


def protect_singletons() -> bool:
    """Raise the reference counts of None, True and False if PySide6 drops them; True if it did."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    if not calls_drop_references():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in a release build of CPython
        ctypes.c_ssize_t.from_address(id(singleton)).value += MARGIN
    return True


def lean_feature_hook() -> bool:
    """PySide6 asks, after every import that follows its own, whether the new module uses PySide6
    (for ``from __feature__ import …``, which this program never uses), by ``inspect.getsource``:
    the whole source of each module read and kept in ``linecache`` for the life of the process
    (some 240 files and 4 MB of text by the time the window shows its data: issue 18, P1). The
    same question is answered here by reading the file once and keeping nothing. A frozen build
    has no sources, and PySide6 answers "no" for every module there anyway. Returns whether the
    hook was replaced (False: this PySide6 has none where expected; nothing is changed)."""
    # the C side calls shibokensupport.signature.loader's feature_imported, which calls this
    # module's function of that name, looked up at every call
    feature = sys.modules.get("shibokensupport.feature")
    found = getattr(feature, "pyside_feature_dict", None)
    if feature is None or not callable(getattr(feature, "feature_imported", None)) or found is None:
        return False
    known: dict[str, int] = found

    def feature_imported(module: object) -> None:
        name = getattr(module, "__name__", None)
        if isinstance(name, str) and name not in known:
            known[name] = 0 if uses_pyside(module) else -1

    feature.feature_imported = feature_imported  # type: ignore[attr-defined]
    return True


# The standard library's own folder (where os.py is). None of its sources names PySide6, so its
# modules are answered without reading them: the hook is asked once for every module an import
# statement names, already imported or not (typing, inspect, logging …: 74 modules and some 1.5 MB
# of source before the window's first paint, 2–5 ms; issue 18, P1). site-packages may lie below
# it (a system Python): those are read as before.
_STDLIB = os.path.dirname(os.__file__) + os.sep


def in_standard_library(path: str) -> bool:
    return path.startswith(_STDLIB) and not any(
        part in ("site-packages", "dist-packages") for part in path[len(_STDLIB) :].split(os.sep)
    )


def uses_pyside(module: object) -> bool:
    """Whether the module's source names PySide6 (PySide6's own test), without caching the source."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False  # built in, an extension, or no source: what inspect.getsource fails on
    if in_standard_library(path):
        return False  # what reading it would say (see _STDLIB)
    try:
        with open(path, "rb") as f:
            return b"PySide6" in f.read()
    except OSError:
        return False

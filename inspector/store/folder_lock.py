"""Who is using a data folder: an open window holds it; a restore needs it to itself.

A restore replaces the database file. With a window open on the folder that went wrong both ways:
on Windows the window's open database cannot be replaced (a raw PermissionError half-way through);
on Linux the replacement succeeded and the window went on writing marks into the old, unlinked file,
lost at its next start. So each window holds a lock file of its own in ``.locks/`` for as long as
it has the folder open, and a restore first takes ``.locks/restore.lock`` and then checks that no
window's lock is held; it refuses ("请先关闭窗口") otherwise. A window starting while a restore
runs is refused the same way round. A lock file left by a window that crashed is not held by
anyone (the system drops a dead process's locks) and is cleared by the next restore.

One lock file per holder because Windows' ``msvcrt.locking`` knows only exclusive locks; on Linux
``flock``. Both are released by the system when the process ends, whatever the way.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from inspector.errors import StoreError
from inspector.i18n import _, os_reason

LOCK_DIR = ".locks"
RESTORE_LOCK = "restore.lock"
WINDOW_PREFIX = "window-"


def _try_lock(f: IO[bytes]) -> bool:
    """An exclusive lock on an open file, without waiting; False if someone holds it."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(f: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _held_elsewhere(path: Path) -> bool:
    """True if another holder (a process, or another open in this one) has the lock file locked."""
    try:
        f = open(path, "rb+")  # noqa: SIM115 (closed below on every path)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # Windows: a file open elsewhere without delete sharing: held
    try:
        if not _try_lock(f):
            return True
        _unlock(f)
        return False
    finally:
        f.close()


class Hold:
    """An open, locked lock file; released (and removed) by :meth:`release`."""

    def __init__(self, path: Path, f: IO[bytes]) -> None:
        self.path = path
        self._file: IO[bytes] | None = f

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        _unlock(f)
        f.close()
        with contextlib.suppress(OSError):  # another holder may have it open this instant: harmless
            self.path.unlink()

    @property
    def held(self) -> bool:
        return self._file is not None


def _take(path: Path) -> Hold | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "ab+")  # noqa: SIM115 (kept open while held)
    except OSError as e:
        raise StoreError(
            _("无法使用数据文件夹：{e}").format(e=os_reason(e)), str(path.parent.parent)
        ) from None
    if not _try_lock(f):
        f.close()
        return None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n".encode())
    f.flush()
    return Hold(path, f)


def hold_for_window(data: Path) -> Hold:
    """Mark the folder as open in a window (release it when the window lets the folder go);
    refused while a restore is replacing the folder's database."""
    path = data / LOCK_DIR / f"{WINDOW_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}.lock"
    held = _take(path)
    assert held is not None  # a fresh name nobody else has
    if _held_elsewhere(data / LOCK_DIR / RESTORE_LOCK):
        held.release()
        raise StoreError(_("正在恢复备份：请等恢复完成后再打开"), str(data))
    return held


def windows_open(data: Path) -> list[Path]:
    """The lock files of windows that have the folder open now (stale ones are not counted)."""
    folder = data / LOCK_DIR
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.glob(f"{WINDOW_PREFIX}*.lock")) if _held_elsewhere(p)]


@contextlib.contextmanager
def folder_to_itself(data: Path) -> Iterator[None]:
    """For the length of the block, no window has the folder open and none can open it.

    Refused with "请先关闭窗口" while a window has it open; stale marks of crashed windows are cleared.
    """
    held = _take(data / LOCK_DIR / RESTORE_LOCK)
    if held is None:
        raise StoreError(_("另一个恢复正在进行：请等它完成"), str(data))
    try:
        for mark in sorted((data / LOCK_DIR).glob(f"{WINDOW_PREFIX}*.lock")):
            if _held_elsewhere(mark):
                raise StoreError(_("数据文件夹正在窗口中打开：请先关闭窗口，再恢复备份"), str(data))
            with contextlib.suppress(OSError):
                mark.unlink()  # a crashed window's
        yield
    finally:
        held.release()

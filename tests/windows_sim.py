"""Windows' file conditions simulated on Linux.

:class:`HeldFiles` makes renames onto, and deletes of, chosen files fail as Windows fails them while
another program holds the file open (WPS or Adobe showing the last print, Excel, an antivirus
scanning a file just written): ``PermissionError`` with ``winerror`` 32 (ERROR_SHARING_VIOLATION),
a given number of times, or until released.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector import fileio

FOREVER = -1


def sharing_violation(path: Path | str) -> PermissionError:
    e = PermissionError(13, "The file is being used by another process", str(path))
    e.winerror = 32  # type: ignore[attr-defined]
    return e


class HeldFiles:
    """Paths held open by "another program": ``hold(path, times)``; ``times`` FOREVER until release."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.held: dict[Path, int] = {}
        self.matchers: list[tuple[Callable[[Path], bool], list[int]]] = []
        self.refused: list[tuple[str, Path]] = []
        real_replace = os.replace
        real_unlink = Path.unlink
        real_rmtree = shutil.rmtree

        def replace(src: Any, dst: Any, *a: Any, **k: Any) -> None:
            self._check("replace", Path(dst))
            self._check("replace", Path(src))
            real_replace(src, dst, *a, **k)

        def unlink(path: Path, missing_ok: bool = False) -> None:
            self._check("unlink", path)
            real_unlink(path, missing_ok=missing_ok)

        def rmtree(path: Any, *a: Any, **k: Any) -> None:
            for p in [Path(path), *Path(path).rglob("*")]:
                self._check("rmtree", p)
            real_rmtree(path, *a, **k)

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(Path, "unlink", unlink)
        monkeypatch.setattr(shutil, "rmtree", rmtree)
        monkeypatch.setattr(fileio.time, "sleep", lambda _s: None)  # the retries' waits: no time in tests

    def hold(self, path: Path, times: int = FOREVER) -> None:
        self.held[Path(path).resolve()] = times

    def hold_matching(self, match: Callable[[Path], bool], times: int = FOREVER) -> None:
        self.matchers.append((match, [times]))

    def release(self, path: Path) -> None:
        self.held.pop(Path(path).resolve(), None)

    def _check(self, op: str, path: Path) -> None:
        key = path.resolve()
        left = self.held.get(key)
        if left is None:
            for match, box in self.matchers:
                if match(path) and box[0] != 0:
                    if box[0] > 0:
                        box[0] -= 1
                    self.refused.append((op, path))
                    raise sharing_violation(path)
            return
        if left == 0:
            return
        if left > 0:
            self.held[key] = left - 1
        self.refused.append((op, path))
        raise sharing_violation(path)

"""The one way to open a data folder: its database, migrated, with what the folder brings along.

A data folder is more than its SQLite file: the years of holidays a centre typed in from the State
Council's notice live in it and must be known to the working-day counter before any deadline is
counted, and a laptop's first open installs the shipped rubrics. The store below knows nothing of
calendars (it must not: the calendar belongs to the centre), so this module, above both, puts them
together. The command line, the window's worker tasks and the tests all open folders here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from inspector.store.db import open_database

__all__ = ["folder_warnings", "open_folder", "opened_folder"]


def open_folder(data: Path, *, rubrics: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the folder's database, migrated, with its holiday notices in force.
    ``rubrics``: also install the shipped rubric files not yet in it (first open, new build)."""
    db = open_database(data)
    if db.conn.execute("SELECT 1 FROM meta WHERE key LIKE 'calendar:%' LIMIT 1").fetchone() is not None:
        # imported only here: it needs the calendar package, which most opens never do
        from inspector.centre.holidays import use_stored_notices

        use_stored_notices(db)
    if rubrics:
        from inspector.store.rubrics import install_builtin_rubrics

        install_builtin_rubrics(db)
    return db


@contextmanager
def opened_folder(data: Path, *, rubrics: bool = False) -> Iterator[sqlite_utils.Database]:
    """:func:`open_folder` for the length of a block: a worker task's own connection, always closed."""
    db = open_folder(data, rubrics=rubrics)
    try:
        yield db
    finally:
        db.conn.close()


def folder_warnings(data: Path) -> list[str]:
    """What the user should know about where the data folder is (said by the window and the CLI)."""
    from inspector.drives import on_network_share
    from inspector.i18n import _

    if on_network_share(data):
        return [
            _(
                "数据文件夹在网络共享上（{path}）：网络中断或多台电脑同时使用可能损坏数据。"
                "请把数据文件夹放在本机磁盘上，用“备份”带走数据。"
            ).format(path=data)
        ]
    return []

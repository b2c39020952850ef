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
from typing import TYPE_CHECKING, Any

from inspector.store.db import open_database

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["connect_centre", "folder_author", "folder_warnings", "open_folder", "opened_folder"]


def folder_author(data: Path) -> str:
    """Who a change made in this folder is signed by when ``--user`` / ``INSPECTOR_USER`` says
    nothing: the person whose credential is installed here (a supervisor's laptop, a station's
    folder, the centre), the operating-system user only where none is. Three laptops all run as
    "root" or "Administrator": the OS user names no one. Stored history keeps the author each
    change was written with: only new changes take this default."""
    import os

    given = os.environ.get("INSPECTOR_USER")
    if given:
        return given
    from inspector.paths import KEYS_DIR

    identity = None
    # No keys folder, no credential: the window's start then imports neither cryptography nor the
    # identity module's sqlite-utils (issue 18, P1: 14 MB of the window's peak memory).
    if (Path(data) / KEYS_DIR).is_dir():
        from inspector.crypto.identity import load_identity

        try:
            identity = load_identity(data)
        except (OSError, ValueError):  # an unreadable or damaged certificate: said where it is used
            identity = None
    if identity is not None and identity.name.strip():
        return identity.name
    from inspector.store.evaluations import default_author

    return default_author()


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


def connect_centre(data: Path, url: str | None = None) -> sqlite_utils.Database:
    """Open the centre on either engine, the one way the window's first run and ``inspector centre
    connect`` do it: ``url`` None, the folder's own SQLite file (the default); a ``postgresql://``
    URL, the centre's database on that server, tried first (the connection, its collation, its
    schema: one clear message when refused, and the folder unchanged) and only then remembered in
    the folder's ``server.url``, so that every later open of this desk's folder goes to the server.
    The folder keeps this desk's keys and settings either way."""
    from inspector.errors import UsageError
    from inspector.fileio import write_text_atomic
    from inspector.i18n import _
    from inspector.store.db import DB_NAME, SERVER_FILE, open_server_database, server_url

    if url is None:  # the folder as it is: its own file (or the server it was connected to before)
        return open_folder(data, rubrics=True)
    url = url.strip()
    if server_url(data) is None and (data / DB_NAME).exists():
        with opened_folder(data) as own:  # this folder's records would be left behind, unseen
            if any(
                own.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
                for table in ("orgs", "people", "plans", "evaluations")
            ):
                raise UsageError(
                    _("这个数据文件夹里已有中心的数据：请用 centre move --to 地址 把它迁到服务器"), str(data)
                )
    probe_server(url)
    open_server_database(url).conn.close()  # tried (and on a fresh database made) before it is kept
    data.mkdir(parents=True, exist_ok=True)
    write_text_atomic(data / SERVER_FILE, url + "\n")
    return open_folder(data, rubrics=True)


def probe_server(url: str) -> Any:
    """Try a centre's server without changing anything (the window's 测试连接, and the first step of
    :func:`connect_centre`): an :class:`inspector.store.pg.Probe`, or one clear message."""
    from inspector.errors import StoreError, UsageError
    from inspector.i18n import _
    from inspector.store.db import SCHEMA_VERSION

    url = url.strip()
    if not url.startswith(("postgresql://", "postgres://")):
        raise UsageError(_("应为 postgresql://… 形式的地址"), url if "@" not in url else "postgresql://…")
    from inspector.store.pg import probe  # psycopg is loaded only for a server

    found = probe(url)
    if found.version > SCHEMA_VERSION:
        raise StoreError(
            _("数据库由更新版本的程序创建（结构版本 {v}，本程序支持到 {s}）：请升级程序后再打开").format(
                v=found.version, s=SCHEMA_VERSION
            ),
            found.where,
        )
    return found


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

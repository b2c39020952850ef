"""The data folder's one SQLite database: opening it safely and migrating its schema.

The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order, each
in its own transaction, so a database made by any earlier version of the product upgrades in place.
A database from a *newer* version is refused rather than damaged. Every connection runs WAL with
``synchronous=FULL`` (a commit is on disk before it returns) and foreign keys on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from inspector.errors import StoreError
from inspector.i18n import _

DB_NAME = "inspector.sqlite3"

Migration = Callable[[sqlite3.Connection], None]


def _m001_rubrics(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE rubrics (
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            hash TEXT NOT NULL,
            title TEXT NOT NULL,
            max_points TEXT NOT NULL,
            bonus_points TEXT NOT NULL,
            items INTEGER NOT NULL,
            toml TEXT NOT NULL,
            origin TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (id, version)
        )
        """
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


MIGRATIONS: list[Migration] = [_m001_rubrics]
SCHEMA_VERSION = len(MIGRATIONS)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE … COMMIT), never implicit.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, where: str) -> int:
    """Bring the schema up to date; returns the version it started from."""
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        raise StoreError(
            _("数据库由更新版本的程序创建（结构版本 {v}，本程序支持到 {s}）：请升级程序后再打开").format(
                v=start, s=SCHEMA_VERSION
            ),
            where,
        )
    for version in range(start, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


def open_database(folder: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database in a data folder, migrated to the current schema."""
    path = folder / DB_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        migrate(conn, str(path))
    except sqlite3.DatabaseError as e:
        raise StoreError(_("无法打开数据库：{e}").format(e=e), str(path)) from None
    except OSError as e:
        raise StoreError(_("无法使用数据文件夹：{e}").format(e=e.strerror or e), str(folder)) from None
    return sqlite_utils.Database(conn)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """One durable transaction: all of it is on disk when the block ends, or none of it is."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as e:
            conn.execute("ROLLBACK")
            raise StoreError(_("无法写入数据库：{e}").format(e=e)) from None

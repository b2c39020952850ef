"""A folder's database whose sqlite-utils wrapper is made on its first use, not at the open.

Importing sqlite-utils brings click, dateutil and pluggy with it (about 12 MB resident and 40 ms):
more than the rest of the store. Opening the window on a folder and filling its home list reads
through the plain ``sqlite3`` connection only (``db.conn``), so the window's start does not need the
wrapper at all; everything else (``db["table"]``, ``db.execute``, ``db.query`` …) makes it on first
touch and is then the real :class:`sqlite_utils.Database` over the same connection.

The connection is set up as sqlite-utils sets it up (``PRAGMA recursive_triggers=on``) at the open,
so a statement run on ``db.conn`` before the wrapper exists behaves as it would after.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["LazyDatabase"]


class LazyDatabase:
    """Stands for ``sqlite_utils.Database(conn, execute_plugins=False)``; see the module's text."""

    conn: sqlite3.Connection

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA recursive_triggers=on;")  # what sqlite_utils.Database does at its making
        object.__setattr__(self, "conn", conn)
        object.__setattr__(self, "_db", None)

    def wrapped(self) -> sqlite_utils.Database:
        """The real wrapper, made (and sqlite-utils imported) the first time it is needed."""
        db: sqlite_utils.Database | None = object.__getattribute__(self, "_db")
        if db is None:
            import sqlite_utils

            # the pragma is already on; no plugins (see inspector.store.db.open_database)
            db = sqlite_utils.Database(self.conn, recursive_triggers=False, execute_plugins=False)
            object.__setattr__(self, "_db", db)
        return db

    def __getattr__(self, name: str) -> Any:  # only for names not on this object: the wrapper's
        return getattr(self.wrapped(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "conn":
            raise AttributeError("conn")  # the wrapper and this object share one connection
        setattr(self.wrapped(), name, value)

    def __getitem__(self, table_name: str) -> Any:
        return self.wrapped()[table_name]

    def __enter__(self) -> LazyDatabase:  # sqlite_utils.Database's returns itself
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.wrapped().close()  # what sqlite_utils.Database.__exit__ does

    def __repr__(self) -> str:
        return repr(self.wrapped())

"""The folder's small facts (``meta``): its device id, the shipped rubrics' version, holiday notices.

The one writer of the ``meta`` table; each caller owns its keys (``device_id``, ``builtin_rubrics``,
``calendar:…``) and calls these inside its own transaction.
"""

from __future__ import annotations

import sqlite3


def read_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def write_meta(conn: sqlite3.Connection, key: str, value: str, *, keep_existing: bool = False) -> str:
    """Set ``key``; with ``keep_existing`` a value already there wins (first writer wins). Returns
    the value now stored."""
    verb = "INSERT OR IGNORE" if keep_existing else "INSERT OR REPLACE"
    conn.execute(f"{verb} INTO meta (key, value) VALUES (?, ?)", (key, value))
    stored = read_meta(conn, key)
    assert stored is not None
    return stored


def add_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    """A new key; an existing one is an error (sqlite3.IntegrityError): history is never replaced."""
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

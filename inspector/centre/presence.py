"""Whether a data folder holds the centre's work: what the window asks on opening a folder, before
it shows the centre's pages (issue 18, P1: this module imports nothing of the centre's, so that
asking costs no plans, draw rules or holiday calendar in memory)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


def holds_centre_data(db: sqlite_utils.Database) -> bool:
    """Whether the folder keeps a roster or plans: the centre's work (the demo's too)."""
    return any(
        db.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
        for table in ("people", "plans")
    )

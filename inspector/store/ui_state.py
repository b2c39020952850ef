"""What the window remembers between sessions: where each evaluation's work stopped.

A small key/value table (``ui_state``) beside the audited log, not part of it: the current item
of an evaluation is a convenience, not a finding, so it is neither hash-chained nor carried in
bundles. Each write is its own transaction, committed before the function returns: when the
window moves to an item and the process is killed a moment later, the next start opens at that
item. The window moves often (every PgDn), so these commits skip the fsync (``synchronous =
NORMAL`` for the one transaction): in WAL mode a committed transaction survives the death of
the process; only a power cut before the next mark's fsync (which carries it to the disk too)
can lose the position — never a mark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.store.db import transaction

if TYPE_CHECKING:
    import sqlite_utils

_CURRENT_ITEM = "current_item:"


def get_state(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.conn.execute("SELECT value FROM ui_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_state(db: sqlite_utils.Database, key: str, value: str | None, *, durable: bool = True) -> None:
    """Store (or, with None, forget) one value, committed when this returns; with ``durable``
    also flushed to the disk (else it survives a killed process but not a power cut)."""
    conn = db.conn
    if not durable:
        conn.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction(db) as c:
            if value is None:
                c.execute("DELETE FROM ui_state WHERE key = ?", (key,))
            else:
                c.execute("INSERT OR REPLACE INTO ui_state (key, value) VALUES (?, ?)", (key, value))
    finally:
        if not durable:
            conn.execute("PRAGMA synchronous = FULL")  # what every other write relies on


def current_item(db: sqlite_utils.Database, eval_id: str) -> str | None:
    """The item the window showed last for this evaluation (None if never opened)."""
    return get_state(db, _CURRENT_ITEM + eval_id)


def set_current_item(db: sqlite_utils.Database, eval_id: str, item_id: str) -> None:
    set_state(db, _CURRENT_ITEM + eval_id, item_id, durable=False)


def current_items(db: sqlite_utils.Database) -> dict[str, str]:
    """Every evaluation's last item, in one query (the home list shows where each one stopped)."""
    rows = db.conn.execute(
        "SELECT key, value FROM ui_state WHERE substr(key, 1, ?) = ?", (len(_CURRENT_ITEM), _CURRENT_ITEM)
    )
    return {str(k)[len(_CURRENT_ITEM) :]: str(v) for k, v in rows}


# -- 待核实: the inspector's own bookmarks ---------------------------------------------------------
# Kept here, not in the audited log: a flag says "come back to this before signing", a working
# note of the person at this laptop. It changes no point, must not appear on the signed sheet,
# travel in a bundle to the centre, or need an undo entry in the evaluation's history; it may be
# set and cleared freely, also on a signed evaluation that is being read. Each set is still
# durable (fsync'd) before it is acknowledged, like a mark.
_FLAGS = "flags:"


def flagged_items(db: sqlite_utils.Database, eval_id: str) -> set[str]:
    """The items flagged 待核实 in this evaluation."""
    value = get_state(db, _FLAGS + eval_id)
    return {x for x in (value or "").split("\n") if x}


def set_flagged(db: sqlite_utils.Database, eval_id: str, item_id: str, flagged: bool) -> set[str]:
    """Flag or unflag one item; returns the flags now stored (durable when this returns)."""
    flags = flagged_items(db, eval_id)
    flags = flags | {item_id} if flagged else flags - {item_id}
    set_state(db, _FLAGS + eval_id, "\n".join(sorted(flags)) or None)
    return flags


def text_size(db: sqlite_utils.Database) -> int:
    """The window's text-size step (0 the system's size; each step is a tenth larger or smaller)."""
    try:
        return int(get_state(db, "text_size") or 0)
    except ValueError:
        return 0


def set_text_size(db: sqlite_utils.Database, step: int) -> None:
    set_state(db, "text_size", str(step) if step else None, durable=False)

"""Ids as people type them: any unique prefix of an id names it (like git's abbreviated hashes).

Ids are 32 hex digits, which nobody types twice; the lists print them whole, and the first few
digits are enough. An exact id always wins; a prefix that fits several is refused with the matches
named, so the user can type one more digit; a prefix that fits none is left as typed, and the
command's own lookup says it does not exist (its message names the kind of thing).
"""

from __future__ import annotations

import sqlite3

from inspector.errors import UsageError
from inspector.i18n import _

# table → (the id column, a column that tells the rows apart for a person)
TABLES: dict[str, tuple[str, str]] = {
    "evaluations": ("id", "(SELECT name FROM orgs WHERE orgs.id = evaluations.org_id)"),
    "orgs": ("id", "name"),
    "people": ("id", "name"),
    "plans": ("id", "title"),
    "rectifications": ("id", "notice_no"),
    "dispatches": ("id", "seed"),
    "credentials": ("serial", "name"),
    "register_corrections": ("id", "field"),
}
SHOWN = 8  # matches listed in the refusal


def _table_exists(conn: sqlite3.Connection, table: str) -> bool:
    if not isinstance(conn, sqlite3.Connection):  # a centre on its server (store/pg.py)
        row = conn.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()
        return bool(row and row[0])
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return row is not None


def resolve_id(conn: sqlite3.Connection, table: str, text: str) -> str:
    """The full id that ``text`` names in ``table``: itself when exact, else its unique completion."""
    column, label = TABLES[table]
    typed = text.strip()
    if not typed or not _table_exists(conn, table):
        return text
    # certificate serials are typed as shown, in either case, maybe with colons; ids are lower case
    typed = typed.upper().replace(":", "") if column == "serial" else typed.lower()
    if conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (typed,)).fetchone():
        return typed
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        f"SELECT {column}, {label} FROM {table} WHERE {column} LIKE ? ESCAPE '\\' ORDER BY {column}"
        f" LIMIT {SHOWN + 1}",
        (escaped + "%",),
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    if not rows:
        return text
    shown = "；".join(f"{r[0]}（{r[1] or '—'}）" for r in rows[:SHOWN])
    more = _("等") if len(rows) > SHOWN else ""
    raise UsageError(
        _("编号前缀“{prefix}”不唯一，符合的有：{ids}{more}；请多输入几位").format(
            prefix=text, ids=shown, more=more
        ),
        text,
    )

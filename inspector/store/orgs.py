"""Organisations (stations, assessment organisations): the minimal register the store needs.

The centre's full register (the Sichuan registration form's fields) extends ``details``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.rubric.observations import CONTROL
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction

if TYPE_CHECKING:
    import sqlite_utils


def _row(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "code": row["code"], **loads(row["details"])}


def plain_text(value: str, what: str, *, limit: int = 200) -> str:
    """A name, code or number as typed, trimmed: no control characters (a NUL or form feed typed
    or pasted into a name broke ``org export`` and ``people export``: openpyxl refuses them) and
    not longer than ``limit``. Refused with the field named."""
    value = value.strip()
    if CONTROL.search(value):
        raise UsageError(
            _("{what}中有控制字符（不可见字符），请删去后重新输入").format(what=what), repr(value)[:60]
        )
    if len(value) > limit:
        raise UsageError(_("{what}太长：最多 {n} 个字符").format(what=what, n=limit), value[:30])
    return value


def add_org(
    db: sqlite_utils.Database, name: str, code: str | None = None, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A new organisation; ``details`` (register fields, already checked) go in the same row."""
    name = plain_text(name, _("机构名称"))
    if not name:
        raise UsageError(_("机构名称不能为空"))
    code = plain_text(code or "", _("机构代码"), limit=64) or None
    org_id = uuid.uuid4().hex
    with transaction(db) as conn:
        if code is not None:
            dup = conn.execute("SELECT id, name FROM orgs WHERE code = ?", (code,)).fetchone()
            if dup is not None:
                raise UsageError(
                    _("机构代码 {code} 已登记为“{name}”（{id}）").format(code=code, name=dup[1], id=dup[0]),
                    code,
                )
        insert_org(conn, org_id, name, code, details or {})
    return get_org(db, org_id)


# -- the one writer of ``orgs``: the register, bundles and the change log call these inside their
# own transactions (they check what they must before; these only write) -------------------------


def insert_org(
    conn: sqlite3.Connection,
    org_id: str,
    name: str,
    code: str | None,
    details: Mapping[str, Any],
    created_at: str | None = None,
    *,
    if_new: bool = False,
) -> bool:
    """A row for an organisation; ``if_new``: keep an existing row of that id as it is. True when
    a row was added."""
    if if_new and conn.execute("SELECT 1 FROM orgs WHERE id = ?", (org_id,)).fetchone() is not None:
        # looked at first: on a server an INSERT needs the register's grant even when it would be
        # ignored (a dispatcher opening an inspection names a registered organisation)
        return False
    verb = "INSERT OR IGNORE" if if_new else "INSERT"
    return (
        conn.execute(
            f"{verb} INTO orgs (id, name, code, details, created_at) VALUES (?, ?, ?, ?, ?)",
            (org_id, name, code, canonical(dict(details)), created_at or now()),
        ).rowcount
        > 0
    )


def update_org(
    conn: sqlite3.Connection,
    org_id: str,
    *,
    name: str | None = None,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
    set_code: bool = False,
) -> None:
    """Change an organisation's name, code (with ``set_code``: a None clears it) or details."""
    sets: list[str] = []
    args: list[Any] = []
    if name is not None:
        sets.append("name = ?")
        args.append(name)
    if set_code:
        sets.append("code = ?")
        args.append(code)
    if details is not None:
        sets.append("details = ?")
        args.append(canonical(dict(details)))
    if sets:
        conn.execute(f"UPDATE orgs SET {', '.join(sets)} WHERE id = ?", (*args, org_id))


def get_org(db: sqlite_utils.Database, org_id: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT * FROM orgs WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    return _row(row)


def list_orgs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [_row(r) for r in db.conn.execute("SELECT * FROM orgs ORDER BY name, id")]


def org_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Organisation id → name, for lists that show names where the rows hold ids."""
    return {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM orgs")}


def count_orgs(db: sqlite_utils.Database) -> int:
    return int(db.conn.execute("SELECT COUNT(*) FROM orgs").fetchone()[0])

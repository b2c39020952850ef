"""Organisations (stations, assessment organisations): the minimal register the store needs.

The centre's full register (the Sichuan registration form's fields) extends ``details``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from inspector.clock import now
from inspector.errors import NotFoundError, UsageError
from inspector.i18n import _
from inspector.rubric.observations import CONTROL
from inspector.store.changes import canonical, loads
from inspector.store.db import transaction


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
        conn.execute(
            "INSERT INTO orgs (id, name, code, details, created_at) VALUES (?, ?, ?, ?, ?)",
            (org_id, name, code, canonical(dict(details or {})), now()),
        )
    return get_org(db, org_id)


def get_org(db: sqlite_utils.Database, org_id: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT * FROM orgs WHERE id = ?", (org_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("没有这个机构"), org_id)
    return _row(row)


def list_orgs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [_row(r) for r in db.conn.execute("SELECT * FROM orgs ORDER BY name, id")]

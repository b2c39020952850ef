"""What a data folder is for: the centre, a supervisor's laptop, or a station's self-assessment.

The centre and a supervisor's laptop are told apart by their credential (the centre's carries the
centre purpose); a station's folder is a third role (issue 19): it fills only its own
self-assessment. The role is stored in ``meta`` (``folder_role``; a station's folder also keeps
``station_org``, the register id of the station it speaks for), set by the first run's choice or by
the first self-assessment request imported. Once a station, always a station: a folder never
changes side (its history would then hold another party's writes).

The station's rule is enforced here, at the one place evaluations are opened
(:meth:`inspector.store.evaluations.EvaluationStore.create`): a station opens only a self-assessment
of its own organisation, never an inspection. The centre enforces the same on every bundle a
station sends (:mod:`inspector.bundles.authority`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from inspector.errors import UsageError
from inspector.i18n import _
from inspector.store.meta import read_meta, write_meta

CENTRE, FIELD, STATION = "centre", "field", "station"
# The person a station's representative is in certificates, ``peers`` and ``device_owners``
ORG_PREFIX = "org:"
# SQL: whether self-assessment ``e`` was opened on its station's own folder (the device is bound to
# the organisation's representative: only a station's signed bundle binds a device so) and signed.
STATION_SIGNED_SQL = (
    "(e.signed_at IS NOT NULL AND EXISTS (SELECT 1 FROM changes c JOIN device_owners d"
    " ON d.device_id = c.device_id WHERE c.eval_id = e.id AND c.kind = 'create'"
    " AND d.person = '" + ORG_PREFIX + "' || e.org_id))"
)
ROLES = (CENTRE, FIELD, STATION)
ROLE_KEY, ORG_KEY = "folder_role", "station_org"


def role_name(role: str | None) -> str:
    return {
        CENTRE: _("指导中心"),
        FIELD: _("督导员笔记本"),
        STATION: _("鉴定站（所）自评"),
    }.get(role or "", _("未设定"))


def folder_role(conn: sqlite3.Connection) -> str | None:
    """The stored role, or None for a folder that has not said (an old folder, a fresh one)."""
    return read_meta(conn, ROLE_KEY)


def station_org(conn: sqlite3.Connection) -> str | None:
    """The organisation a station's folder speaks for (None until its first request arrives)."""
    return read_meta(conn, ORG_KEY) if folder_role(conn) == STATION else None


def set_folder_role(conn: sqlite3.Connection, role: str, org_id: str | None = None) -> None:
    """Record the role (inside the caller's transaction). A station's organisation is set once."""
    if role not in ROLES:
        raise UsageError(_("数据文件夹的用途应为 {roles} 之一").format(roles="、".join(ROLES)), role)
    current = folder_role(conn)
    if current is not None and current != role:
        raise UsageError(
            _("此数据文件夹已用作“{now}”，不能改作“{new}”：请另建数据文件夹").format(
                now=role_name(current), new=role_name(role)
            )
        )
    write_meta(conn, ROLE_KEY, role)
    if role == STATION and org_id is not None:
        held = read_meta(conn, ORG_KEY)
        if held is not None and held != org_id:
            raise UsageError(
                _("此数据文件夹属于另一个鉴定站（{org}），不能再接收发给其他机构的自评通知").format(org=held),
                org_id,
            )
        write_meta(conn, ORG_KEY, org_id)


def check_station_write(conn: sqlite3.Connection, kind: str, org_id: str) -> None:
    """A station's folder opens only its own self-assessment (never an inspection, never another's)."""
    if folder_role(conn) != STATION:
        return
    own = read_meta(conn, ORG_KEY)
    if kind != "self":
        raise UsageError(_("鉴定站（所）只能填写本站的自查自评，不能新建检查评估"), kind)
    if own is None or org_id != own:
        raise UsageError(_("鉴定站（所）只能填写本站的自查自评，不能填写其他机构的评估"), org_id)


def station_signed(conn: sqlite3.Connection, eval_ids: Iterable[str]) -> dict[str, str]:
    """Which of these self-assessments the station itself signed and sent: eval id → who signed
    (as the centre recorded it when the station's bundle arrived; else the signers' names).
    A self-assessment typed in at the centre is not station-signed."""
    ids = sorted(set(eval_ids))
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT e.id, (SELECT r.signed_by FROM self_assessment_requests r WHERE r.eval_id = e.id"
        " ORDER BY r.sent_at DESC LIMIT 1),"
        " (SELECT group_concat(json_extract(s.payload, '$.name'), '、') FROM changes s"
        " WHERE s.eval_id = e.id AND s.kind = 'sign')"
        " FROM evaluations e WHERE e.kind = 'self' AND e.id IN (SELECT value FROM json_each(?))"
        " AND " + STATION_SIGNED_SQL,
        (json.dumps(ids),),
    )
    return {str(r[0]): str(r[1] or r[2] or "") for r in rows}

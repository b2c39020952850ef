"""What this desk's database user may change, as the server's grants say (store/pg_roles.py).

The grants are the enforcement: the server refuses what a desk's role may not do, whatever a window
shows. This module only asks the server beforehand (``has_table_privilege``), so that the window can
grey out what would be refused and a use case that writes in several steps can refuse before its
first step rather than be refused half-way (``require_writes``). On a laptop's SQLite file every
table may be changed: there is one user.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from inspector.errors import StoreError
from inspector.i18n import _

# The tables whose write grant stands for an area of the centre's work (store/pg_roles.py's desks):
# the register (clerk), the roster (clerk), plans and draws (dispatcher), results' decisions (head).
AREAS: dict[str, tuple[str, ...]] = {
    "register": ("orgs",),
    "roster": ("people",),
    "plans": ("plans", "plan_targets"),
    "draws": ("dispatches", "assignments"),
    "start": ("evaluations", "changes", "plan_targets"),
    "decisions": ("group_verdicts", "target_reviews"),
    "reviews": ("person_reviews", "person_annual"),
    "credentials": ("credentials",),
}


def area_titles() -> dict[str, str]:
    return {
        "register": _("机构登记"),
        "roster": _("督导员名册"),
        "plans": _("督导计划"),
        "draws": _("抽取"),
        "start": _("新建检查评估"),
        "decisions": _("结果决定"),
        "reviews": _("督导员评价"),
        "credentials": _("证书"),
    }


@dataclass(frozen=True)
class DeskGrants:
    """The areas this desk may change; ``user`` is the server's user (None on a laptop's file)."""

    user: str | None
    areas: frozenset[str]

    def may(self, area: str) -> bool:
        return area in self.areas

    def why_not(self, area: str) -> str:
        """The tooltip of what is greyed out: whose grants, and where they are changed."""
        return _("数据库用户 {user} 所在的岗位无此权限（由中心负责人用 centre roles 调整岗位）").format(
            user=self.user or "?"
        )


def may_write(conn: sqlite3.Connection, table: str) -> bool:
    """Whether this connection's user may insert into and update ``table`` (always, on SQLite)."""
    ask = getattr(conn, "may_write", None)  # store/pg.py's PgConnection: the server's grants
    return True if ask is None else bool(ask(table))


def desk_grants(conn: sqlite3.Connection) -> DeskGrants:
    """The areas of :data:`AREAS` this desk may change (every one on a laptop's file)."""
    user = getattr(conn, "server_user", None)
    ask = getattr(conn, "writable", None)  # store/pg.py: one question to the server for every table
    everything = {t for tables in AREAS.values() for t in tables}
    writable = everything if ask is None else ask(everything)
    areas = frozenset(area for area, tables in AREAS.items() if all(t in writable for t in tables))
    return DeskGrants(user if isinstance(user, str) else None, areas)


def require_writes(conn: sqlite3.Connection, tables: Iterable[str], what: str) -> None:
    """Refuse ``what`` before it writes anything when the desk may not change one of ``tables``."""
    for table in tables:
        if not may_write(conn, table):
            user = getattr(conn, "server_user", None) or "?"
            raise StoreError(
                _(
                    "服务器拒绝了这项操作：数据库用户 {user} 所在的岗位无此权限（{detail}）。"
                    "请由中心负责人调整岗位"
                ).format(user=user, detail=_("需要修改 {table}").format(table=table)),
                what,
            )

"""Small things the centre's modules share: dates as the user types them, ids, JSON columns."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from inspector.clock import not_a_real_date
from inspector.errors import UsageError
from inspector.i18n import _
from inspector.store.changes import canonical, loads


def parse_day(value: Any, where: str | None = None) -> dt.date:
    """A calendar day from ``YYYY-MM-DD`` text or a date (a datetime loses its time)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        if not_a_real_date(value):
            raise UsageError(_("“{v}”不是真实存在的日期").format(v=value), where) from None
        raise UsageError(_("日期应写成 YYYY-MM-DD，收到“{v}”").format(v=value), where) from None


def optional_day(value: Any, where: str | None = None) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_day(value, where)


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def today() -> dt.date:
    """The local calendar day: deadlines are kept in the users' time zone, not in UTC."""
    return dt.date.today()


def new_id() -> str:
    return uuid.uuid4().hex


def to_json_text(value: Any) -> str:
    return canonical(value)


def from_json_text(text: str | None) -> Any:
    return loads(text) if text else None

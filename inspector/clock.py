"""The one clock: every recorded time is local wall time with its UTC offset, to the millisecond.

One module so that nothing needs the store to know the time (the crypto identity, the register and
the bundles all stamp rows), and so that tests can pin the clock in one place."""

from __future__ import annotations

import datetime as dt


def now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="milliseconds")


def not_a_real_date(text: object) -> bool:
    """``2026-02-30``: written as YYYY-MM-DD, but no such day (so the message can say which)."""
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()))

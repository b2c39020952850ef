"""The one clock: every recorded time is local wall time with its UTC offset, to the millisecond.

One module so that nothing needs the store to know the time (the crypto identity, the register and
the bundles all stamp rows), and so that tests can pin the clock in one place."""

from __future__ import annotations

import datetime as dt


def now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="milliseconds")

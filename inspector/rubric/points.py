"""Exact points.

Points are :class:`decimal.Decimal` from the file to the total: 0.4 + 0.4 + 0.2 is 1, not
0.9999999999999999. Files and JSON are parsed with ``parse_float=Decimal`` so that no binary float
ever holds a score.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)
# Documents use halves, tenths and (Chongqing) quarters; two places is the finest a form prints.
QUANTUM = Decimal("0.01")


def to_points(value: Any) -> Decimal:
    """A number of points from a file or a caller; raises ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not d.is_finite():
        raise ValueError("not a finite number")
    try:
        exact = d == d.quantize(QUANTUM)
    except InvalidOperation:  # too many digits to hold at two places: no form prints such points
        raise ValueError(f"out of range: {value}") from None
    if not exact:
        raise ValueError(f"more than two decimal places: {value}")
    return d


def normal(d: Decimal) -> Decimal:
    """Drop trailing zeros without going to exponent form (``2.50`` → ``2.5``, ``10`` stays)."""
    n = d.normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


def fmt(d: Decimal) -> str:
    """Points as a person writes them: ``2``, ``0.4``, ``2.5``."""
    return format(normal(d), "f")


def json_number(d: Decimal) -> int | float:
    """A JSON number that prints exactly as the decimal does."""
    n = normal(d)
    return int(n) if n == n.to_integral_value() else float(format(n, "f"))

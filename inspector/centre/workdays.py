"""Chinese working days, for deadlines such as "within 5 working days after the visit".

A working day is what the State Council's yearly holiday arrangement makes it: Monday to Friday
except public holidays, plus the weekend days swapped into working days (调休). The arrangement
is published each November for the next year only, so it comes from data, not from a formula:
the ``chinesecalendar`` package, which knows the years it ships data for (2004–2026 in 1.11.0).
A year the package does not know yet can be added from the State Council's notice
(:mod:`inspector.centre.holidays`, ``inspector calendar add``): a centre should not have to wait for
a new build to count January's deadlines. For any other year we refuse with a
:class:`UsageError` naming the date instead of guessing — a wrong deadline printed on a notice is
worse than asking for the year's arrangement.

Counting follows the Civil Code's rules on periods (民法典 第二百零一条: a period counted in days
starts the day after the event, "开始的当日不计入，自下一日开始计算"; 第一千二百五十九条:
"以内"/"届满" include the number itself). So "提交督导情况记录 5 个工作日以内" after a visit on day
D is due by the end of the 5th working day after D; D itself never counts, whether or not it is a
working day. Counting only working days also meets 第二百零三条 (a period never ends on a holiday).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar  # type: ignore[import-untyped]
from chinese_calendar import constants as calendar_data

from inspector.errors import UsageError
from inspector.i18n import _

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement as the State Council publishes it.

    ``days_off``: every day of the holiday periods, weekends inside them included (as the notice
    lists them: "1月1日至3日放假调休，共3天"); ``swapped_workdays``: the weekend days worked instead.
    The New Year (元旦) period may start in late December of the year before (the notices for 2017,
    2019 and 2023 did, 2019's with a swapped working day on 2018-12-29): those days belong to this
    notice, not to the year whose own notice came out a year earlier.
    """

    year: int
    days_off: frozenset[date]
    swapped_workdays: frozenset[date]
    source: str

    def is_working_day(self, d: date) -> bool:
        if d in self.swapped_workdays:
            return True
        return d not in self.days_off and d.weekday() < 5

    def spill_over(self) -> dict[date, bool]:
        """Its days that fall in the year before, and whether each is worked."""
        return {
            d: self.is_working_day(d) for d in self.days_off | self.swapped_workdays if d.year != self.year
        }


# Years added from a notice, beyond the package's data, and their days in the year before. A fact
# about the world, not about one data folder: every folder opened in this process agrees on it.
_added: dict[int, YearArrangement] = {}
_spill: dict[date, bool] = {}
# Bumped on every change: answers are cached per generation, so an answer computed from the old
# table by another thread while the table changed is never served afterwards.
_generation = 0
_lock = threading.Lock()


def add_arrangements(arrangements: list[YearArrangement]) -> None:
    """Use these years' arrangements where the package has no data (the package wins where it has;
    a notice's days in the year before win over the package, which was published before them)."""
    global _generation
    first, last = supported_years()
    with _lock:
        changed = False
        for a in arrangements:
            if first <= a.year <= last or _added.get(a.year) == a:
                continue
            _added[a.year] = a
            changed = True
        if changed:
            _spill.clear()
            for a in _added.values():
                _spill.update(a.spill_over())
            _generation += 1


def forget_added_arrangements() -> None:
    """Back to the package's data alone (for tests)."""
    global _generation
    with _lock:
        _added.clear()
        _spill.clear()
        _generation += 1


def added_years() -> list[int]:
    return sorted(_added)


@cache
def supported_years() -> tuple[int, int]:
    """The first and last year the installed package's calendar data covers (both included).

    Years added from a notice (:func:`added_years`) come on top of these.
    """
    # Same bounds the package itself checks, read once: its own check rescans the table per call.
    years = [d.year for d in calendar_data.holidays]
    return min(years), max(years)


def _refuse(d: date) -> UsageError:
    first, last = supported_years()
    known = f"{first}–{last}" + "".join(f"、{y}" for y in added_years())
    return UsageError(
        _(
            "无法判断 {date} 是否为工作日：本程序只有 {known} 年的法定节假日和调休安排，"
            "没有 {year} 年的数据；请在“督导计划”页用“节假日安排”按钮（或 inspector calendar add）"
            "录入国务院办公厅公布的 {year} 年安排，或更新程序"
        ).format(date=d.isoformat(), known=known, year=d.year)
    )


def is_working_day(d: date) -> bool:
    """True on a Chinese working day: weekdays that are not public holidays, and swapped weekend days.

    Raises :class:`UsageError` for a date outside the years the calendar data covers.
    """
    return _is_working_day(d, _generation)


@cache
def _is_working_day(d: date, generation: int) -> bool:
    with _lock:
        spilled = _spill.get(d)
        added = _added.get(d.year)
    if spilled is not None:
        return spilled
    first, last = supported_years()
    if not first <= d.year <= last:
        if added is None:
            raise _refuse(d)
        return added.is_working_day(d)
    try:
        result: bool = chinese_calendar.is_workday(d)
    except NotImplementedError:
        # The package's own range check; kept in case a future version narrows it.
        raise _refuse(d) from None
    return result


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``; ``start`` itself never counts (n = 0 gives ``start``).

    ``add_working_days(visit, 5)`` is the due date of "5 个工作日以内" after a visit: the last day on
    which the record is on time.
    """
    if n < 0:
        raise ValueError(f"n must not be negative: {n}")
    d = start
    while n > 0:
        d += ONE_DAY
        if is_working_day(d):
            n -= 1
    return d


def due_date(start: date, n: int) -> date | None:
    """:func:`add_working_days`, or None when the calendar data does not reach that far.

    For work that must go on regardless (drawing teams for late December before next year's
    holiday arrangement is published): the deadline is shown as unknown, never guessed.
    """
    try:
        return add_working_days(start, n)
    except UsageError:
        return None


def working_days_between(a: date, b: date) -> int:
    """Working days ``d`` with ``a < d <= b`` (negative when ``b`` is before ``a``).

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n)) == n``.
    With ``a`` a due date and ``b`` today it counts the working days a record is late.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    d = a
    while d < b:
        d += ONE_DAY
        if is_working_day(d):
            count += 1
    return count

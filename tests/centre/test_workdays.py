"""Working-day deadlines on the Chinese calendar: holidays, swapped working days (调休), year range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.centre.workdays import add_working_days, is_working_day, supported_years, working_days_between
from inspector.errors import UsageError

D = date.fromisoformat


def test_plain_week() -> None:
    assert [is_working_day(D("2026-03-02") + timedelta(days=i)) for i in range(7)] == [True] * 5 + [False] * 2


def test_national_day_2025_arrangement() -> None:
    # 2025: 10-01..10-08 off (National Day with Mid-Autumn), Sunday 09-28 and Saturday 10-11 worked.
    assert is_working_day(D("2025-09-28"))
    assert not any(is_working_day(D("2025-10-01") + timedelta(days=i)) for i in range(8))
    assert is_working_day(D("2025-10-09"))
    assert is_working_day(D("2025-10-11"))
    assert not is_working_day(D("2025-10-12"))


def test_visit_on_the_eve_of_national_day() -> None:
    # Visit Tue 09-30: 10-09 (1), 10-10 (2), Sat 10-11 swapped (3), 10-13 (4), 10-14 (5).
    assert add_working_days(D("2025-09-30"), 5) == D("2025-10-14")


def test_visit_before_the_swapped_sunday() -> None:
    # Visit Fri 09-26: Sun 09-28 swapped (1), 09-29 (2), 09-30 (3), 10-09 (4), 10-10 (5).
    assert add_working_days(D("2025-09-26"), 5) == D("2025-10-10")


def test_visit_on_a_swapped_saturday() -> None:
    # The visit day never counts, even when it is itself a working day.
    assert add_working_days(D("2025-10-11"), 5) == D("2025-10-17")


def test_spring_festival_2026() -> None:
    # 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked.
    assert is_working_day(D("2026-02-14")) and is_working_day(D("2026-02-28"))
    assert not any(is_working_day(D("2026-02-15") + timedelta(days=i)) for i in range(9))
    # Fri 02-13: Sat 02-14 (1), then 02-24 (2) .. 02-27 (5).
    assert add_working_days(D("2026-02-13"), 5) == D("2026-02-27")
    # Tue 02-24: 02-25, 02-26, 02-27, Sat 02-28, Mon 03-02.
    assert add_working_days(D("2026-02-24"), 5) == D("2026-03-02")


def test_friday_and_saturday_visits_share_a_due_date() -> None:
    assert add_working_days(D("2026-03-06"), 5) == D("2026-03-13")  # Friday: Mon..Fri of next week
    assert add_working_days(D("2026-03-07"), 5) == D("2026-03-13")  # plain Saturday
    assert add_working_days(D("2026-03-08"), 5) == D("2026-03-13")  # Sunday


def test_zero_and_negative() -> None:
    assert add_working_days(D("2026-03-07"), 0) == D("2026-03-07")
    with pytest.raises(ValueError):
        add_working_days(D("2026-03-07"), -1)


def test_between() -> None:
    assert working_days_between(D("2025-09-30"), D("2025-10-14")) == 5
    assert working_days_between(D("2025-10-14"), D("2025-09-30")) == -5
    assert working_days_between(D("2025-10-01"), D("2025-10-08")) == 0
    assert working_days_between(D("2026-03-06"), D("2026-03-06")) == 0


@given(st.dates(date(2004, 1, 1), date(2026, 11, 30)), st.integers(0, 20))
def test_between_inverts_add(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    assert n == 0 or is_working_day(due)


def test_coverage_is_what_the_package_ships() -> None:
    first, last = supported_years()
    assert first <= 2025 and last >= 2026


def test_year_without_data_is_refused_naming_the_date() -> None:
    last = supported_years()[1]
    beyond = date(last + 1, 1, 4)
    with pytest.raises(UsageError) as e:
        is_working_day(beyond)
    assert beyond.isoformat() in str(e.value) and str(last + 1) in str(e.value)
    with pytest.raises(UsageError, match=r"\d{4}-\d\d-\d\d"):
        is_working_day(date(supported_years()[0] - 1, 6, 1))


def test_deadline_running_into_a_year_without_data() -> None:
    # Mon 2026-12-28 → 12-29, 12-30, 12-31, then 2027-01-01 is unknown: refuse, naming that date.
    if supported_years()[1] != 2026:
        pytest.skip("calendar data extends beyond 2026")
    with pytest.raises(UsageError, match="2027-01-01"):
        add_working_days(D("2026-12-28"), 5)

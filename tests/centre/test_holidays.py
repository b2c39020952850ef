"""A year's holiday arrangement entered from the State Council's notice: checked, stored, counted.

The year used is always the first one the installed ``chinesecalendar`` does not know, so these
tests keep meaning the same thing when a newer package brings next year's data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inspector.centre.holidays import add_notice, calendar_summary, parse_notice, read_notice_file, template
from inspector.centre.people import add_person
from inspector.centre.plans import add_target, assigned, run_dispatch
from inspector.centre.workdays import (
    add_working_days,
    added_years,
    forget_added_arrangements,
    is_working_day,
    supported_years,
)
from inspector.errors import UsageError
from inspector.folder import open_folder
from inspector.store.backup import backup, restore
from inspector.store.orgs import add_org
from tests.centre.rulebook_helpers import new_plan
from tests.centre_support import new_db
from tests.helpers import refused, run

YEAR = supported_years()[1] + 1


def first(weekday: int, after: dt.date) -> dt.date:
    """The first day on or after ``after`` falling on ``weekday`` (Monday = 0)."""
    return after + dt.timedelta(days=(weekday - after.weekday()) % 7)


# A three-day holiday Monday–Wednesday in March, with the Saturday before it worked instead.
MONDAY = first(0, dt.date(YEAR, 3, 2))
SWAPPED = MONDAY - dt.timedelta(days=2)
NEW_YEAR = dt.date(YEAR, 1, 1)

# The other festivals every notice has (a file with fewer than six periods is unfinished).
REST = "".join(
    f'\n[[holidays]]\nname = "{name}"\nfrom = {YEAR}-{start}\nto = {YEAR}-{end}\n'
    for name, start, end in (
        ("清明节", "04-05", "04-05"),
        ("劳动节", "05-01", "05-03"),
        ("端午节", "06-10", "06-10"),
        ("中秋节、国庆节", "10-01", "10-07"),
    )
)

NOTICE = f"""
year = {YEAR}
source = "国务院办公厅关于{YEAR}年部分节假日安排的通知（测试用）"
workdays = [{SWAPPED.isoformat()}]

[[holidays]]
name = "元旦"
from = {NEW_YEAR.isoformat()}
to = {NEW_YEAR.isoformat()}

[[holidays]]
name = "测试节"
from = {MONDAY.isoformat()}
to = {(MONDAY + dt.timedelta(days=2)).isoformat()}
{REST}"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def meta(db: Any) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.conn.execute("SELECT key, value FROM meta ORDER BY key")]


def test_a_notice_makes_its_year_countable(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=str(YEAR)):
        is_working_day(MONDAY)
    db = open_folder(tmp_path / "data")
    notice, raw = read_notice_file(write(tmp_path / "n.toml", NOTICE))
    record = add_notice(db, notice, raw, user="王五")
    assert record["added_by"] == "王五" and record["year"] == YEAR
    assert added_years() == [YEAR]
    days = {
        MONDAY + dt.timedelta(days=i): is_working_day(MONDAY + dt.timedelta(days=i)) for i in range(-2, 5)
    }
    assert [days[d] for d in sorted(days)] == [True, False, False, False, False, True, True]
    #                                          Sat(swapped) Sun Mon Tue Wed Thu Fri
    assert not is_working_day(NEW_YEAR)
    # Friday before → Saturday (swapped, 1st), then Thursday (2nd): the holiday never counts
    assert add_working_days(SWAPPED - dt.timedelta(days=1), 2) == MONDAY + dt.timedelta(days=3)


def test_the_last_known_year_runs_into_the_added_one(tmp_path: Path) -> None:
    start = dt.date(YEAR - 1, 12, 31)
    with pytest.raises(UsageError, match=f"{YEAR}-01-"):
        add_working_days(start, 5)
    db = open_folder(tmp_path / "data")
    add_notice(db, *read_notice_file(write(tmp_path / "n.toml", NOTICE)))
    due = add_working_days(start, 5)
    counted = [start + dt.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert NEW_YEAR in counted and not is_working_day(NEW_YEAR)
    assert sum(d.weekday() < 5 and d != NEW_YEAR for d in counted) == 5


def test_stored_in_the_folder_used_on_every_open_and_carried_by_a_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = open_folder(data)
    add_notice(db, *read_notice_file(write(tmp_path / "n.toml", NOTICE)))
    forget_added_arrangements()  # as a new process would start
    open_folder(data)
    assert added_years() == [YEAR] and not is_working_day(MONDAY)
    out = tmp_path / "backup.zip"
    backup(db, data, out, "川督-2026-备份")
    forget_added_arrangements()
    restore(out, tmp_path / "elsewhere", "川督-2026-备份")
    open_folder(tmp_path / "elsewhere")
    assert not is_working_day(MONDAY)


def test_an_empty_deadline_of_an_earlier_draw_is_filled_in_once_the_year_is_known(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "甲站")["id"]
    add_person(db, name="张三", kind="external", cert_no="1", cert_issued=f"{YEAR - 2}-01-01")
    plan = new_plan(db, "sichuan-2017-inspection", "计划", "routine")
    add_target(db, plan.id, org, f"{YEAR - 1}-12-30")
    rec = run_dispatch(db, plan.id, team_size=1, seed=1)
    assert rec.record["assignments"][0]["record_due"] is None
    assert assigned(db, plan.id)[org].record_due is None
    add_notice(db, *read_notice_file(write(tmp_path / "n.toml", NOTICE)))
    due = assigned(db, plan.id)[org].record_due
    assert due == add_working_days(dt.date(YEAR - 1, 12, 30), 5) and due.year == YEAR


def test_a_year_entered_again_is_refused_and_a_correction_keeps_the_first(tmp_path: Path) -> None:
    db = open_folder(tmp_path / "data")
    path = write(tmp_path / "n.toml", NOTICE)
    add_notice(db, *read_notice_file(path))
    before = meta(db)
    with pytest.raises(UsageError, match="--replace"):
        add_notice(db, *read_notice_file(path))
    assert meta(db) == before
    corrected = NOTICE.replace(f"workdays = [{SWAPPED.isoformat()}]", "workdays = []")
    add_notice(db, *read_notice_file(write(path, corrected)), replace=True)
    assert is_working_day(SWAPPED) is False  # the correction is used at once
    keys = [k for k, _ in meta(db) if "calendar" in k]
    first_added = json.loads(dict(before)[f"calendar:{YEAR}"])["added_at"]
    assert keys[0].startswith(f"calendar-replaced:{YEAR}:{first_added}:")
    assert keys[1] == f"calendar:{YEAR}" and len(keys) == 2
    # corrected again at once, twice (same second, same file): every earlier entry is kept
    add_notice(db, *read_notice_file(path), replace=True)
    add_notice(db, *read_notice_file(path), replace=True)
    assert len([k for k, _ in meta(db) if k.startswith("calendar-replaced:")]) == 3
    summary = calendar_summary(db)
    assert summary["years"][-1] == YEAR and summary["added"][0]["workdays"] == 0


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda t: t.replace("source =", "sourse ="), "", "sourse"),
        (lambda t: t.replace(f"year = {YEAR}", f"year = {YEAR - 1}"), "year", "只需录入"),
        (lambda t: t.replace(f"year = {YEAR}", "year = 2003"), "year", "只需录入"),
        (lambda t: t.replace(REST, ""), "holidays", "只有 2 个"),
        (
            lambda t: t.replace(f"from = {NEW_YEAR.isoformat()}", f"from = {YEAR - 1}-11-30"),
            "holidays[1].from",
            "元旦",
        ),
        (lambda t: t.replace(f"year = {YEAR}", 'year = "明年"'), "year", "年份"),
        (
            lambda t: (
                t.replace('source = "', 'source = " ').replace("（测试用）", "").split("source")[0]
                + t[t.index("workdays") :]
            ),
            "source",
            "source",
        ),
        (
            lambda t: t.replace(f"to = {NEW_YEAR.isoformat()}", f"to = {YEAR + 1}-01-01"),
            "holidays[1].to",
            "不在",
        ),
        (lambda t: t.replace(f"from = {NEW_YEAR.isoformat()}", 'from = "待填"'), "holidays[1].from", "日期"),
        (
            lambda t: t.replace(f"from = {NEW_YEAR.isoformat()}", f"from = {NEW_YEAR.isoformat()}T08:00:00"),
            "holidays[1].from",
            "日期",
        ),
        (
            lambda t: t.replace(
                f"from = {MONDAY.isoformat()}", f"from = {(MONDAY + dt.timedelta(days=3)).isoformat()}"
            ),
            "holidays[2].to",
            "早于",
        ),
        (lambda t: t.replace(f"to = {NEW_YEAR.isoformat()}", f"to = {YEAR}-01-20"), "holidays[1].to", "两周"),
        (
            lambda t: t.replace(f"from = {MONDAY.isoformat()}", f"from = {NEW_YEAR.isoformat()}").replace(
                f"to = {(MONDAY + dt.timedelta(days=2)).isoformat()}", f"to = {YEAR}-01-02"
            ),
            "holidays[2]",
            "重叠",
        ),
        (
            lambda t: t.replace(f"workdays = [{SWAPPED.isoformat()}]", f"workdays = [{MONDAY.isoformat()}]"),
            "workdays[1]",
            "本来就是工作日",
        ),
        (
            lambda t: t.replace(
                f"workdays = [{SWAPPED.isoformat()}]",
                f"workdays = [{SWAPPED.isoformat()}, {SWAPPED.isoformat()}]",
            ),
            "workdays[2]",
            "重复",
        ),
        (lambda t: t.replace('name = "测试节"', 'name = ""'), "holidays[2].name", "名称"),
        (lambda t: t.replace('name = "测试节"', 'name = "测试节"\nday = 1'), "holidays[2]", "day"),
        (lambda t: t.split("[[holidays]]")[0], "holidays", "[[holidays]]"),
    ],
)
def test_a_wrong_notice_is_refused_naming_the_key(tmp_path: Path, edit: Any, where: str, words: str) -> None:
    import tomllib

    text = edit(NOTICE)
    with pytest.raises(UsageError) as e:
        parse_notice(tomllib.loads(text), "n.toml")
    assert str(e.value).startswith(f"n.toml: {where}".rstrip(": ")), str(e.value)
    assert words in str(e.value)


def test_a_new_year_holiday_beginning_in_december_wins_over_the_package(tmp_path: Path) -> None:
    """As in the notices for 2017, 2019 and 2023: 元旦 from 30 or 31 December, and in 2019 a swapped
    working day on 29 December. The package's December was published a year before those days."""
    eve = dt.date(YEAR - 1, 12, 31)
    saturday = first(5, dt.date(YEAR - 1, 12, 24))
    assert is_working_day(eve) == (eve.weekday() < 5)  # the package's reading, before the notice
    text = NOTICE.replace(f"from = {NEW_YEAR.isoformat()}", f"from = {eve.isoformat()}").replace(
        f"workdays = [{SWAPPED.isoformat()}]", f"workdays = [{saturday.isoformat()}, {SWAPPED.isoformat()}]"
    )
    db = open_folder(tmp_path / "data")
    add_notice(db, *read_notice_file(write(tmp_path / "n.toml", text)))
    assert not is_working_day(eve) and not is_working_day(NEW_YEAR) and is_working_day(saturday)
    expected = NEW_YEAR + dt.timedelta(days=1)
    while expected.weekday() >= 5:
        expected += dt.timedelta(days=1)
    assert add_working_days(eve - dt.timedelta(days=1), 1) == expected  # 31 Dec and 1 Jan off


def test_a_notice_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_bytes(b"\xef\xbb\xbf" + NOTICE.encode("utf-8"))
    assert read_notice_file(path)[0].year == YEAR


def test_a_workday_inside_a_holiday_is_refused() -> None:
    import tomllib

    saturday_inside = first(5, dt.date(YEAR, 10, 1))  # the 7-day National Day period holds one
    text = NOTICE.replace(
        f"workdays = [{SWAPPED.isoformat()}]", f"workdays = [{saturday_inside.isoformat()}]"
    )
    with pytest.raises(UsageError, match="放假时段内"):
        parse_notice(tomllib.loads(text), "n.toml")


def test_files_that_are_not_notices(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="TOML"):
        read_notice_file(write(tmp_path / "a.toml", "year = = 1"))
    (tmp_path / "b.toml").write_bytes("year = 2027 # 年".encode("gbk"))
    with pytest.raises(UsageError, match="UTF-8"):
        read_notice_file(tmp_path / "b.toml")
    with pytest.raises(UsageError, match="无法读取"):
        read_notice_file(tmp_path / "missing.toml")
    (tmp_path / "c.toml").write_bytes(b"#" * 100_000)
    with pytest.raises(UsageError, match="过大"):
        read_notice_file(tmp_path / "c.toml")


def test_the_template_is_refused_until_filled_in(tmp_path: Path) -> None:
    import tomllib

    data = tomllib.loads(template(YEAR))
    assert data["year"] == YEAR and len(data["holidays"]) == 7
    with pytest.raises(UsageError, match=r"holidays\[1\]\.from"):
        parse_notice(data, "t.toml")


def test_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "t.toml"
    assert run("calendar", "template", str(YEAR), "--out", out, data=data).code == 0
    refused(run("calendar", "add", out, data=data), "holidays[1].from", str(out))
    write(out, NOTICE)
    added = run("calendar", "add", out, "--json", data=data)
    assert added.code == 0, added.err
    assert added.json()["year"] == YEAR and len(added.json()["file_sha256"]) == 64
    refused(run("calendar", "add", out, data=data), "--replace")
    shown = run("calendar", "show", "--json", data=data).json()
    assert shown["package"]["last"] == YEAR - 1 and shown["added"][0]["year"] == YEAR
    assert YEAR in shown["years"]
    text = run("calendar", "show", data=data)
    assert text.code == 0 and f"{YEAR}" in text.out

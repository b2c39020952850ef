"""A year's holiday arrangement, entered from the State Council's notice, kept in the data folder.

Each November the General Office of the State Council publishes the next year's public holidays
and swapped working days (《国务院办公厅关于 XXXX 年部分节假日安排的通知》). Deadlines counted in
working days need it, and the ``chinesecalendar`` package (hence a new build of this program) only
learns it weeks later: between the notice and the update, a centre types the notice into a small
TOML file and adds it (``inspector calendar add FILE``). It is stored in the database's ``meta``
table, so a backup carries it, and :func:`inspector.folder.open_folder` hands it to
:mod:`inspector.centre.workdays` whenever the folder is opened. Where the package already has the year, the
package wins.

The file says what the notice says, one holiday period per ``[[holidays]]`` table::

    year = 2027
    source = "国办发明电〔2026〕…号"
    workdays = [2027-02-07, 2027-02-20]   # the weekend days worked (调休上班)

    [[holidays]]
    name = "元旦"
    from = 2027-01-01
    to = 2027-01-03
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from inspector.centre.workdays import YearArrangement, add_arrangements, supported_years
from inspector.errors import UsageError
from inspector.fileio import decode_text
from inspector.i18n import _, os_reason, toml_reason
from inspector.store.db import transaction
from inspector.store.meta import add_meta, write_meta

KEY_PREFIX = "calendar:"
REPLACED_PREFIX = "calendar-replaced:"
MAX_FILE = 64 * 1024
MIN_PERIODS = 6
_TOP_KEYS = {"year", "source", "workdays", "holidays"}
_HOLIDAY_KEYS = {"name", "from", "to"}


@dataclass(frozen=True)
class Holiday:
    name: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class HolidayNotice:
    year: int
    source: str
    holidays: tuple[Holiday, ...]
    workdays: tuple[dt.date, ...]

    def arrangement(self) -> YearArrangement:
        off: set[dt.date] = set()
        for h in self.holidays:
            off.update(h.first + dt.timedelta(days=i) for i in range((h.last - h.first).days + 1))
        return YearArrangement(self.year, frozenset(off), frozenset(self.workdays), self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [
                {"name": h.name, "from": h.first.isoformat(), "to": h.last.isoformat()} for h in self.holidays
            ],
            "workdays": [d.isoformat() for d in self.workdays],
        }


def _date(value: Any, year: int, where: str) -> dt.date:
    # tomllib reads 2027-01-01 as a date and 2027-01-01T08:00 as a datetime (a subclass): only the first
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise UsageError(_("应为日期（例如 {year}-01-01，不加引号）").format(year=year), where)
    # the New Year (元旦) period may begin in late December of the year before (2017, 2019, 2023)
    if not dt.date(year - 1, 12, 1) <= value <= dt.date(year, 12, 31):
        raise UsageError(
            _("{d} 不在 {year} 年内（只有元旦假期可从上一年 12 月开始）").format(
                d=value.isoformat(), year=year
            ),
            where,
        )
    return value


def _refuse_unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise UsageError(
            _("未知的键：{keys}（可用：{known}）").format(
                keys="、".join(unknown), known="、".join(sorted(known))
            ),
            where,
        )


def parse_notice(data: dict[str, Any], where: str) -> HolidayNotice:
    """Check a notice read from TOML; every refusal names the file and the key (``holidays[2].to``)."""
    _refuse_unknown(data, _TOP_KEYS, where)
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2200:
        raise UsageError(_("year 应为年份（例如 2027）"), f"{where}: year")
    first, last = supported_years()
    if year <= last:
        raise UsageError(
            _("程序已有 {first}–{last} 年的节假日安排，只需录入 {next} 年及以后的安排").format(
                first=first, last=last, next=last + 1
            ),
            f"{where}: year",
        )
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise UsageError(_("source 应写明通知的名称或文号"), f"{where}: source")
    raw_holidays = data.get("holidays")
    # Every notice since 2008 has the seven festivals, 中秋 and 国庆 sometimes as one period: a
    # file with fewer is unfinished, and a missing festival would silently count as working days.
    if not isinstance(raw_holidays, list) or len(raw_holidays) < MIN_PERIODS:
        n = len(raw_holidays) if isinstance(raw_holidays, list) else 0
        raise UsageError(
            _(
                "通知列有元旦、春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排"
                "（中秋节与国庆节可合为一个时段），应至少有 {min} 个 [[holidays]] 时段，这里只有 {n} 个"
            ).format(min=MIN_PERIODS, n=n),
            f"{where}: holidays",
        )
    holidays: list[Holiday] = []
    for i, h in enumerate(raw_holidays, 1):
        at = f"{where}: holidays[{i}]"
        if not isinstance(h, dict):
            raise UsageError(_("应为 [[holidays]] 表（name、from、to）"), at)
        _refuse_unknown(h, _HOLIDAY_KEYS, at)
        name = h.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UsageError(_("应写明节日名称"), f"{at}.name")
        if "from" not in h or "to" not in h:
            raise UsageError(_("应有 from 和 to 两个日期"), at)
        start, end = _date(h["from"], year, f"{at}.from"), _date(h["to"], year, f"{at}.to")
        if end < start:
            raise UsageError(
                _("结束日期 {to} 早于开始日期 {start}").format(to=end.isoformat(), start=start.isoformat()),
                f"{at}.to",
            )
        if (end - start).days >= 14:
            raise UsageError(_("一个放假时段不应超过两周，请检查日期"), f"{at}.to")
        for other in holidays:
            if start <= other.last and other.first <= end:
                raise UsageError(_("与“{name}”的放假时段重叠").format(name=other.name), at)
        holidays.append(Holiday(name.strip(), start, end))
    raw_workdays = data.get("workdays", [])
    if not isinstance(raw_workdays, list):
        raise UsageError(_("workdays 应为日期列表（调休上班的周末）"), f"{where}: workdays")
    workdays: list[dt.date] = []
    for i, value in enumerate(raw_workdays, 1):
        at = f"{where}: workdays[{i}]"
        d = _date(value, year, at)
        if d.weekday() < 5:
            raise UsageError(
                _("{d} 本来就是工作日：workdays 只列调休上班的周六、周日").format(d=d.isoformat()), at
            )
        if d in workdays:
            raise UsageError(_("{d} 重复").format(d=d.isoformat()), at)
        if any(h.first <= d <= h.last for h in holidays):
            raise UsageError(_("{d} 同时在放假时段内").format(d=d.isoformat()), at)
        workdays.append(d)
    return HolidayNotice(year, source.strip(), tuple(holidays), tuple(sorted(workdays)))


def read_notice_file(path: Path) -> tuple[HolidayNotice, bytes]:
    """A notice file, checked; with its bytes (their hash is kept with the stored year)."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise UsageError(_("文件过大，不像节假日安排"), str(path))
        raw = path.read_bytes()
    except OSError as e:
        raise UsageError(_("无法读取文件：{e}").format(e=os_reason(e)), str(path)) from None
    try:
        data = tomllib.loads(decode_text(raw))  # Notepad writes a BOM, PowerShell 5 UTF-16
    except UnicodeDecodeError:
        raise UsageError(_("文件不是 UTF-8 编码"), str(path)) from None
    except tomllib.TOMLDecodeError as e:
        reason, line = toml_reason(e)
        raise UsageError(
            _("TOML 格式错误：{msg}").format(msg=reason), f"{path}:{line}" if line else str(path)
        ) from None
    return parse_notice(data, str(path)), raw


def _from_json(value: dict[str, Any]) -> HolidayNotice:
    return HolidayNotice(
        int(value["year"]),
        str(value["source"]),
        tuple(
            Holiday(h["name"], dt.date.fromisoformat(h["from"]), dt.date.fromisoformat(h["to"]))
            for h in value["holidays"]
        ),
        tuple(dt.date.fromisoformat(d) for d in value["workdays"]),
    )


def stored_notices(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The years added to this data folder, oldest year first, each as stored (with who and when)."""
    rows = db.conn.execute(
        "SELECT value FROM meta WHERE key LIKE ? ORDER BY key", (KEY_PREFIX + "%",)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def use_stored_notices(db: sqlite_utils.Database) -> None:
    """Hand the folder's added years to the working-day counter (called when the folder is opened)."""
    add_arrangements([_from_json(v).arrangement() for v in stored_notices(db)])


def add_notice(
    db: sqlite_utils.Database,
    notice: HolidayNotice,
    raw: bytes,
    *,
    replace: bool = False,
    user: str | None = None,
) -> dict[str, Any]:
    """Store a year's arrangement. A year already entered is refused unless ``replace``; the replaced
    entry is kept under its own key, never overwritten."""
    key = f"{KEY_PREFIX}{notice.year}"
    record = notice.to_json() | {
        "added_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "added_by": user or getpass.getuser(),
        "file_sha256": hashlib.sha256(raw).hexdigest(),
    }
    with transaction(db) as conn:
        old = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if old is not None:
            previous = json.loads(old[0])
            if not replace:
                raise UsageError(
                    _("{year} 年的节假日安排已于 {at} 录入；如需更正，请加 --replace").format(
                        year=notice.year, at=previous["added_at"]
                    )
                )
            # unique whatever the clock says: two corrections within a second are both kept
            add_meta(
                conn, f"{REPLACED_PREFIX}{notice.year}:{previous['added_at']}:{uuid.uuid4().hex}", old[0]
            )
        write_meta(conn, key, json.dumps(record, ensure_ascii=False, sort_keys=True))
    add_arrangements([notice.arrangement()])
    return record


def calendar_summary(db: sqlite_utils.Database) -> dict[str, Any]:
    """What ``inspector calendar show --json`` prints: which years deadlines can be counted for."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package_version: str | None = version("chinesecalendar")
    except PackageNotFoundError:  # a frozen build without the distribution's metadata
        package_version = None
    first, last = supported_years()
    added = stored_notices(db)
    return {
        "package": {"first": first, "last": last, "version": package_version},
        "added": [
            {
                "year": a["year"],
                "source": a["source"],
                "holidays": len(a["holidays"]),
                "days_off": len(_from_json(a).arrangement().days_off),
                "workdays": len(a["workdays"]),
                "added_at": a["added_at"],
                "added_by": a["added_by"],
                "used": not first <= a["year"] <= last,
            }
            for a in added
        ],
        "years": sorted(set(range(first, last + 1)) | {a["year"] for a in added}),
    }


def template(year: int) -> str:
    """A file to fill in from the notice: the holiday periods that every year's notice has."""
    festivals = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
    lines = [
        _("# {year} 年节假日安排：按国务院办公厅的通知逐项填写，再用 inspector calendar add 导入。").format(
            year=year
        ),
        _("# 日期不加引号；from、to 为放假的第一天和最后一天（含其中的周末）。"),
        _("# 元旦假期和它的调休上班日可以在上一年 12 月（通知怎么写就怎么填）。"),
        _("# 把每个“待填”换成通知里的日期（不加引号）；中秋节与国庆节连休时合为一个时段，删去多余的一个。"),
        f"year = {year}",
        'source = "{}"'.format(
            _("国务院办公厅关于{year}年部分节假日安排的通知（国办发明电〔{prev}〕号）").format(
                year=year, prev=year - 1
            )
        ),
        _("# 调休上班的周六、周日"),
        "workdays = []",
    ]
    blank = '"{}"'.format(_("待填"))
    for name in festivals:
        lines += ["", "[[holidays]]", f'name = "{name}"', f"from = {blank}", f"to = {blank}"]
    return "\n".join(lines) + "\n"

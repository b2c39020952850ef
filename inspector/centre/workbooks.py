"""The centre's workbooks: register, roster, results, statistics — to filter on screen and print.

Every sheet gets the same treatment: a bold shaded header row frozen in place, an autofilter over
the whole table, column widths for the content, and a print setup a staffer does not have to
touch (A4 landscape, fit to one page wide, the header row repeated on every page, the sheet's
name and "page n of m" in the margins). Workbooks are written in openpyxl's write-only mode,
row by row, whatever their size: the body cells carry no style of their own (a styled cell costs
a style lookup each, which is most of the difference from a bare write), dates are ISO text
(``2026-11-20`` sorts and filters as it reads). Files are written atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from inspector.centre.applicants import applicant_type_name
from inspector.centre.common import today
from inspector.centre.dispatch import kind_name
from inspector.centre.people import annual_name, list_people, past_tasks, rating_name, reviews, role_name
from inspector.centre.register import (
    CODE_HEADER,
    ID_HEADER,
    LISTS,
    MAIN_SHEET,
    NAME_HEADER,
    SCALARS,
    register_entries,
)
from inspector.centre.results import Difference, PlanResults, TargetResult
from inspector.centre.stats import Statistics
from inspector.fileio import atomic_document
from inspector.i18n import _
from inspector.rubric.points import fmt

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _prepare(ws: Any, sheet: Sheet) -> None:
    # Write-only sheets write their views and column widths with the first row: set them first.
    ws.freeze_panes = "A2"
    for i, c in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = "&A"
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _header(ws: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
    return cell


class Written(dict[str, int]):
    """Rows per sheet, and the file they went to: "name (2).xlsx" when the workbook was open in
    Excel (which holds it against replacing) and so was saved beside it; tell the user then."""

    def __init__(self, counts: dict[str, int], path: Path) -> None:
        super().__init__(counts)
        self.path = path


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write the sheets (rows streamed) to ``path``; the number of body rows per sheet."""
    counts: dict[str, int] = {}
    # The file is claimed first: a folder that cannot be written is said before any work, and a
    # write-only workbook is never left half-streamed (its unfinished sheets would print a
    # traceback when the interpreter collects them, after the clean message). A file held open
    # (the last export still open in Excel) gets the new one saved beside it.
    with atomic_document(path) as saving:
        wb = Workbook(write_only=True)
        try:
            for sheet in sheets:
                ws = wb.create_sheet(sheet.title)
                _prepare(ws, sheet)
                ws.append([_header(ws, c.header) for c in sheet.columns])
                append = ws.append
                n = 0
                for row in sheet.rows:
                    # a control character stored before names were checked at input (org add, people
                    # add) made openpyxl refuse the whole export: shown as U+FFFD instead
                    append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in row])
                    n += 1
                ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{n + 1}"
                counts[sheet.title] = n
            wb.save(saving.tmp)
        except BaseException:
            for ws in wb.worksheets:
                with contextlib.suppress(Exception):
                    ws.close()
            raise
    return Written(counts, saving.path)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else _("是") if value else _("否")


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- the register -------------------------------------------------------------------------------------


def _scalar(f: Any, value: Any) -> Any:
    """A register field as the workbook shows it: an applicant type in the notice's words, which
    the import reads back."""
    if f.kind == "applicant" and value is not None:
        return applicant_type_name(value)
    return _cell(value)


def register_sheets(entries: Sequence[dict[str, Any]]) -> list[Sheet]:
    """The layout inspector.centre.register.import_register reads back."""
    main = Sheet(
        MAIN_SHEET,
        [Column(ID_HEADER, 34), Column(NAME_HEADER, 34), Column(CODE_HEADER, 22)]
        + [Column(f.header, f.width) for f in SCALARS],
        [[e["id"], e["name"], e["code"], *(_scalar(f, e[f.key]) for f in SCALARS)] for e in entries],
    )
    sheets = [main]
    for spec in LISTS:
        rows = [
            [e["code"] or e["id"], *(_cell(entry.get(f.key)) for f in spec.columns)]
            for e in entries
            for entry in e[spec.key]
        ]
        sheets.append(
            Sheet(
                spec.sheet,
                [Column(CODE_HEADER, 22)] + [Column(f.header, f.width) for f in spec.columns],
                rows,
            )
        )
    return sheets


def export_register(db: sqlite_utils.Database, path: Path) -> dict[str, int]:
    return write_workbook(path, register_sheets(register_entries(db)))


# -- the roster ---------------------------------------------------------------------------------------


def export_roster(db: sqlite_utils.Database, path: Path, on: dt.date | None = None) -> dict[str, int]:
    day = on or today()
    people = list_people(db)
    orgs = {r[0]: r[1] for r in db.conn.execute("SELECT id, name FROM orgs")}
    tasks = past_tasks(db)
    count: dict[str, int] = {}
    for t in tasks:
        count[t.person_id] = count.get(t.person_id, 0) + 1
    names = {p.id: p.name for p in people}
    roster = Sheet(
        _("督导员名册"),
        [
            Column(_("姓名"), 10),
            Column(_("类别"), 6),
            Column(_("证卡编号"), 20),
            Column(_("颁发日期"), 11),
            Column(_("有效期至"), 11),
            Column(_("证卡有效"), 8),
            Column(_("工作单位"), 30),
            Column(_("任职机构（回避）"), 40),
            Column(_("电话"), 14),
            Column(_("在册"), 6),
            Column(_("督导次数"), 8),
            Column(_("系统编号"), 34),
        ],
        [
            [
                p.name,
                kind_name(p.kind),
                p.cert_no,
                p.cert_issued.isoformat(),
                p.cert_last_day.isoformat(),
                yes_no(p.cert_valid_on(day)),
                orgs.get(p.employer_org or "", p.employer_org),
                "；".join(f"{orgs.get(o, o)}（{role_name(r)}）" for o, r in p.roles),
                p.phone,
                yes_no(p.active) if p.active else _("否：{why}").format(why=p.inactive_reason or ""),
                count.get(p.id, 0),
                p.id,
            ]
            for p in people
        ],
    )
    history = Sheet(
        _("督导任务"),
        [Column(_("姓名"), 10), Column(_("督导日期"), 11), Column(_("机构"), 34), Column(_("来源"), 10)],
        [
            [
                names.get(t.person_id, t.person_id),
                t.date.isoformat(),
                orgs.get(t.org_id, t.org_id),
                _("抽取派组") if t.source == "dispatch" else _("评估记录"),
            ]
            for t in tasks
        ],
    )
    review_rows = []
    annual_rows = []
    for p in people:
        for r in reviews(db, p.id):
            review_rows.append(
                [
                    p.name,
                    r["task_date"],
                    orgs.get(r["org"] or "", r["org"]),
                    rating_name(r["rating"]),
                    yes_no(r["violation"]),
                    r["comment"],
                    r["reviewer"],
                ]
            )
        for year, result, comment in db.conn.execute(
            "SELECT year, result, comment FROM person_annual WHERE person_id = ? ORDER BY year", (p.id,)
        ):
            annual_rows.append([p.name, year, annual_name(result), comment])
    return write_workbook(
        path,
        [
            roster,
            history,
            Sheet(
                _("任务评价"),
                [
                    Column(_("姓名"), 10),
                    Column(_("督导日期"), 11),
                    Column(_("机构"), 34),
                    Column(_("评价"), 8),
                    Column(_("违纪"), 6),
                    Column(_("说明"), 40),
                    Column(_("评价人"), 10),
                ],
                review_rows,
            ),
            Sheet(
                _("年度考核"),
                [Column(_("姓名"), 10), Column(_("年度"), 8), Column(_("结果"), 10), Column(_("说明"), 40)],
                annual_rows,
            ),
        ],
    )


# -- results ------------------------------------------------------------------------------------------


def state_names() -> dict[str | None, str | None]:
    """Every state, reason and result code the desk's rows carry, as the workbook prints it."""
    return {
        None: None, "cancelled": _("已取消"), "planned": _("待派组"), "dispatched": _("已派组"),
        "draft": _("进行中"), "complete": _("已完成"), "signed": _("已签署"), "open": _("整改中"),
        "overdue": _("整改逾期"), "rechecking": _("复评中"), "closed": _("已结案"),
        "notice_due": _("待下发整改通知"), "random": _("随机抽取"), "difference": _("自评差异大"),
        "passed": _("整改合格"), "failed": _("仍不合格"), "reviewed": _("已审核"),
    }  # fmt: skip


def result_columns() -> list[Column]:
    return [
        Column(_("机构名称"), 34),
        Column(_("机构代码"), 20),
        Column(_("类别"), 6),
        Column(_("地区"), 10),
        Column(_("督导日期"), 11),
        Column(_("督导组"), 20),
        Column(_("记录截止"), 11),
        Column(_("状态"), 9),
        Column(_("得分"), 7),
        Column(_("满分"), 7),
        Column(_("结论"), 10),
        Column(_("否决项"), 10),
        Column(_("自评得分"), 8),
        Column(_("自评−检查"), 9),
        Column(_("差异项数"), 8),
        Column(_("整改"), 12),
        Column(_("记录逾期"), 8),
        Column(_("评价机构类型"), 12),
        Column(_("处理期限"), 11),
        Column(_("处理逾期"), 8),
        Column(_("审核意见"), 30),
        Column(_("自评来源"), 12),
    ]


def self_source(self_eval: str | None, station_signed: bool) -> str | None:
    """Whose self-assessment figures: the station's own signed ones, or typed in at the centre."""
    if self_eval is None:
        return None
    return _("鉴定站签署") if station_signed else _("中心录入")


def _difference_row(d: Difference) -> list[Any]:
    source = self_source(d.org_id, d.station_signed)
    return [d.org_name, d.item_id, d.item_text, d.self_points, d.inspection_points, d.difference, source]


def draft_words(t: TargetResult) -> tuple[Decimal | str | None, str | None]:
    """A target's score and conclusion as the window and ``eval list`` say them (inspector.store.
    wording): a draft's figure is provisional, 43（暂）, and has no conclusion yet (未完成) unless a
    veto decides; a complete or signed one is the plain number."""
    if t.state != "draft" or t.total is None:
        return t.total, t.outcome_label
    outcome = t.outcome_label or (None if t.vetoes else _("未完成"))
    return fmt(t.total) + _("（暂）"), outcome


def result_rows(results: PlanResults, names: dict[str | None, str | None]) -> Iterator[list[Any]]:
    yes, no = _("是"), _("否")
    for t in results.targets:
        score, outcome = draft_words(t)
        yield [
            t.org_name, t.org_code, t.category, t.region, t.visit_date, "、".join(t.team_names), t.record_due,
            names.get(t.state, t.state), score, t.max_points, outcome, "、".join(t.vetoes),
            t.self_total, t.self_difference, t.differing_items or None,
            names.get(t.rectification, t.rectification), yes if t.record_overdue else no,
            applicant_type_name(t.applicant_type), t.decision_due, yes if t.decision_overdue else no,
            t.review_opinion,
            self_source(t.self_eval_id, t.self_signed_by is not None),
        ]  # fmt: skip


def results_sheets(results: PlanResults) -> list[Sheet]:
    names = state_names()
    return [
        Sheet(_("结果汇总"), result_columns(), result_rows(results, names)),
        Sheet(
            _("自评差异"),
            [
                Column(_("机构名称"), 34),
                Column(_("小项"), 8),
                Column(_("内容"), 50),
                Column(_("自评"), 7),
                Column(_("检查"), 7),
                Column(_("自评−检查"), 9),
                Column(_("自评来源"), 12),
            ],
            (_difference_row(d) for d in results.differences),
        ),
        Sheet(
            _("抽查复核"),
            [
                Column(_("机构名称"), 34),
                Column(_("得分"), 7),
                Column(_("抽取方式"), 12),
                Column(_("评估编号"), 34),
            ],
            ([r.org_name, r.total, names.get(r.reason), r.eval_id] for r in results.recheck),
        ),
        Sheet(
            _("整改跟踪"),
            [
                Column(_("机构名称"), 34),
                Column(_("状态"), 12),
                Column(_("通知书编号"), 16),
                Column(_("通知日期"), 11),
                Column(_("整改期限"), 11),
                Column(_("剩余天数"), 8),
                Column(_("复评状态"), 9),
                Column(_("复评得分"), 8),
                Column(_("结案日期"), 11),
                Column(_("结论"), 10),
            ],
            (
                [
                    r.org_name,
                    names.get(r.state),
                    r.notice_no,
                    r.notice_sent,
                    r.deadline,
                    r.days_left,
                    names.get(r.recheck_state),
                    r.recheck_total,
                    r.closed_on,
                    names.get(r.result),
                ]
                for r in results.rectifications
            ),
        ),
        Sheet(
            _("示范推荐"),
            [
                Column(_("名次"), 6),
                Column(_("机构名称"), 34),
                Column(_("得分"), 7),
                Column(_("满分"), 7),
                Column(_("自评−检查"), 9),
            ],
            ([r.rank, r.org_name, r.total, r.max_points, r.self_difference] for r in results.demonstration),
        ),
        Sheet(
            _("公告名单"),
            [
                Column(_("机构名称"), 34),
                Column(_("机构代码"), 20),
                Column(_("类别"), 6),
                Column(_("地区"), 10),
                Column(_("评估结论"), 12),
                Column(_("鉴定职业（工种）范围、等级"), 50),
            ],
            (
                [a.org_name, a.org_code, a.category, a.region, a.outcome_label, a.scope]
                for a in results.announcement
            ),
        ),
        Sheet(
            _("逾期督导记录"),
            [
                Column(_("机构名称"), 34),
                Column(_("督导日期"), 11),
                Column(_("记录截止"), 11),
                Column(_("督导组"), 20),
                Column(_("评估状态"), 9),
                Column(_("逾期工作日"), 9),
            ],
            (
                [
                    o.org_name,
                    o.visit_date,
                    o.record_due,
                    "、".join(o.team_names),
                    names.get(o.eval_state),
                    o.working_days_late,
                ]
                for o in results.overdue
            ),
        ),
    ]


def export_results(results: PlanResults, path: Path) -> dict[str, int]:
    return write_workbook(path, results_sheets(results))


# -- statistics ---------------------------------------------------------------------------------------


def _rate(d: Decimal | None) -> Decimal | None:
    return None if d is None else d * 100


def stats_sheets(stats: Statistics) -> list[Sheet]:
    group_titles = {"region": _("按地区"), "category": _("按类别"), "year": _("按年度")}
    group_columns = {"region": _("地区"), "category": _("类别"), "year": _("年度")}
    sheets = [
        Sheet(
            _("失分项排行"),
            [
                Column(_("评估表"), 24),
                Column(_("小项"), 8),
                Column(_("大项"), 18),
                Column(_("中项"), 18),
                Column(_("内容"), 50),
                Column(_("分值"), 6),
                Column(_("评估次数"), 8),
                Column(_("失分次数"), 8),
                Column(_("失分率（%）"), 9),
                Column(_("共失分"), 8),
            ],
            (
                [
                    i.rubric_id,
                    i.item_id,
                    i.section,
                    i.group,
                    i.text,
                    i.max_points,
                    i.evaluated,
                    i.failed,
                    _rate(i.rate),
                    i.points_lost,
                ]
                for i in stats.items
            ),
        ),
        Sheet(
            _("否决情况"),
            [Column(_("评估表"), 24), Column(_("否决项"), 8), Column(_("内容"), 50), Column(_("次数"), 8)],
            ([v.rubric_id, v.veto_id, v.text, v.count] for v in stats.vetoes),
        ),
        Sheet(
            _("分数分布"),
            [Column(_("评估表"), 24), Column(_("分数段"), 12), Column(_("机构数"), 8)],
            ([d.rubric_id, label, n] for d in stats.distributions for label, n in d.bins),
        ),
    ]
    if stats.reviews:  # 重庆 三（二）1: reviewed, not scored — counted apart
        sheets.append(
            Sheet(
                _("审核（不评分）"),
                [Column(_("评估表"), 24), Column(_("审核结论"), 20), Column(_("机构数"), 8)],
                ([r.rubric_id, r.label, r.count] for r in stats.reviews),
            )
        )
    for key in ("region", "category", "year"):
        sheets.append(
            Sheet(
                group_titles[key],
                [
                    Column(_("评估表"), 24),
                    Column(group_columns[key], 12),
                    Column(_("评估次数"), 8),
                    Column(_("平均分"), 8),
                    Column(_("合格数"), 8),
                    Column(_("合格率（%）"), 9),
                    Column(_("否决数"), 8),
                ],
                (
                    [g.rubric_id, g.value, g.evaluations, g.mean, g.passed, _rate(g.pass_rate), g.vetoed]
                    for g in stats.by(key)
                ),
            )
        )
    return sheets


def export_stats(stats: Statistics, path: Path) -> dict[str, int]:
    return write_workbook(path, stats_sheets(stats))

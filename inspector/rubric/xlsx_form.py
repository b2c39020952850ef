"""Rubric workbooks: the official table layout of the paper form, for Excel and WPS.

A centre staffer exports a rubric, prints the 评估表 sheet as the paper form (columns A–F), edits
it and imports it back. The layout is the document's: 大项 and 中项 cells merged down over their
items, a 评估方法和标准 cell merged over the items that share it. Columns G–J carry what the paper
leaves implicit (id, scoring rule, sampling, note); they stay on screen but are not printed.

Import rebuilds the plain structure and hands it to :func:`rubric_from_dict`, so a workbook is
checked exactly as a TOML file is; every refusal names the sheet and cell (``F.xlsx 评估表!D12``).
Export followed by import gives a rubric with the same content hash.
"""

from __future__ import annotations

import math
import re
import warnings
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from inspector.errors import InspectorError, RubricError
from inspector.i18n import _, os_reason
from inspector.rubric.model import (
    ID_PATTERN,
    Group,
    Malformed,
    Ref,
    Rubric,
    Section,
    group_ref,
    rubric_from_dict,
)
from inspector.rubric.points import fmt, json_number, to_points
from inspector.rubric.ruletext import format_rule, parse_rule
from inspector.rubric.workbook_guard import workbook_problem

# Sheet names and table headings are the paper form's own words, part of the file format like
# TOML keys: they are not translated, or a workbook exported in one language would not import
# in the other.
TABLE, INFO, VETOES, OUTCOMES = "评估表", "说明", "否决项", "评估结论"
FIRST_ROW = 5  # rows 1–2 title, 3–4 the two-row header
_HEADINGS = ("大项", "中项", "小项", "评估分值", "评估方法和标准", "评估结果",
             "编号", "计分规则", "抽样", "备注",
             "复原说明", "转录注", "可不适用依据", "不适用计分",
             "扣分须附", "扣分须附依据", "表号")  # fmt: skip
_WIDTHS = (14, 16, 34, 7, 48, 12, 10, 40, 20, 30, 30, 30, 30, 10, 10, 30, 8)
_PRINTED = 6  # A–F; G–Q are for the program
_A, _B, _C, _D, _E, _F, _G, _H, _I, _J, _K, _L, _M, _N, _O, _P, _Q = range(1, 18)
_LAST = _Q
_INFO_KEYS = ("id", "version", "title", "issuer", "document", "year", "source", "notes", "derived",
              "max_points", "veto_outcome")  # fmt: skip
_YES, _NO = "是", "否"
_MAX_POINTS = Decimal(10**6)  # beyond any form; keeps Decimal.quantize from overflowing

_FONT = "宋体"
_SIDE = Side(style="thin")
_BORDER = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
_MACHINE_FILL = PatternFill("solid", fgColor="EDEDED")
_LINE_HEIGHT = 14.0  # points per wrapped line at 10.5 pt

# "（11分）" / "（加分项，4分）" closing a 大项 cell, "（6分）" closing a 中项 cell.
_POINTS_TAIL = re.compile(r"[（(]\s*(?P<bonus>加分项\s*[，,、]?\s*)?(?P<points>[-+]?[\d.]+)\s*分\s*[）)]\s*$")
# A 中项 code is numbering ("1.1", "6.2"); a space or the first Chinese character ends it.
_GROUP_CODE = re.compile(r"^(?P<code>\d+(?:\.\d+)*)(?:[ \u3000]+|(?=[^\x00-\x7f]))(?P<title>.+)$", re.S)


def _explanation() -> list[str]:
    return [
        _("本工作簿可在 Excel 或 WPS 中修改后重新导入。"),
        _("导入时逐项检查，有错误时指出工作表和单元格，不作任何更改。"),
        _("“评估表”按纸质表格式排列：A–F 列打印；G–J 列（编号、计分规则、抽样、备注）供软件读取，不打印。"),
        _("大项单元格写作“1. 标题”，下一行写“（11分）”，加分项写“（加分项，4分）”。"),
        _("中项写作“1.1 标题”，设分值时在后面加“（6分）”。大项、中项单元格向下合并，覆盖其全部小项。"),
        _("几个小项共用一段评估方法和标准时，把这几行的该单元格合并。"),
        _("只写小项文字、不写编号和分值的行是小标题，适用于其后各小项，直到中项结束或下一个小标题。"),
        _("计分规则第一行写种类：全有全无、是否、记录、分档、分组、酌情 步长=0.5、扣分 每个=1 单位=问题。"),
        _("分档、分组在第一行之后逐行写“分值 | 条件 | 说明”（条件可省）或“扣分 | 内容”。"),
        _("各小项分值之和须等于大项分值，各大项之和须等于满分（加分项除外）。"),
        _("评估表第1、2行的标题和发文信息取自本表；C 列“字段”供软件识别，请勿修改。"),
    ]


# -- writing ---------------------------------------------------------------------------------


def export_rubric_xlsx(rubric: Rubric, path: Path) -> None:
    """Write the rubric as a workbook (``rubric_files.write_rubric`` makes the write atomic).

    Refuses (RubricError) a rubric the table cannot give back exactly, rather than write one
    that imports as a different rubric.
    """
    problem = _unrepresentable(rubric)
    if problem:
        raise RubricError(_("无法导出为工作簿：{p}").format(p=problem[0]), f"{rubric.id} {problem[1]}")
    wb = Workbook()
    table = wb.active
    assert table is not None
    table.title = TABLE
    _write_table(table, rubric)
    _write_info(wb.create_sheet(INFO), rubric)
    _write_list(wb.create_sheet(VETOES), ("编号", "内容"), [(v.id, v.text) for v in rubric.vetoes], (10, 60))
    outcomes = [
        (
            o.code,
            o.label,
            json_number(o.min) if o.min is not None else None,
            o.clause or None,
            json_number(o.upto) if o.upto is not None else None,
            o.reading or None,
        )
        for o in rubric.outcomes
    ]
    _write_list(
        wb.create_sheet(OUTCOMES),
        ("代码", "结论", "最低分", "依据", "原文上限", "空档读法"),
        outcomes,
        (12, 20, 10, 40, 10, 40),
    )
    wb.save(path)


def _put(ws: Worksheet, row: int, col: int, value: Any, *, align: str = "left", bold: bool = False) -> Cell:
    cell: Cell = ws.cell(row, col)
    try:
        cell.value = value
    except IllegalCharacterError:
        raise RubricError(_("文字含有 Excel 不能保存的控制字符"), f"{ws.title}!{cell.coordinate}") from None
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, not a formula
    cell.font = Font(name=_FONT, size=10.5, bold=bold)
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    cell.border = _BORDER
    return cell


def _section_text(s: Section) -> str:
    return f"{s.code}. {s.title}\n（{'加分项，' if s.bonus else ''}{fmt(s.points)}分）"


def _group_text(g: Group) -> str:
    label = f"{g.code} {g.title}" if g.code else g.title
    return label if g.points is None else f"{label}（{fmt(g.points)}分）"


def _parse_section(text: str) -> tuple[str, str, str, bool] | None:
    """Code, title, points as written and bonus from a 大项 cell; None when it does not read."""
    m = _POINTS_TAIL.search(text)
    head = text[: m.start()].strip() if m else ""
    code, dot, title = head.partition(". ")
    if not dot:
        code, dot, title = head.partition(".")
    if not (m and dot and code.strip() and title.strip()):
        return None
    return code.strip(), title.strip(), m["points"], bool(m["bonus"])


def _parse_group(text: str) -> tuple[str, str, str | None]:
    """Code (maybe empty), title and points as written (None when absent) from a 中项 cell."""
    m = _POINTS_TAIL.search(text)
    points = None
    if m and not m["bonus"]:
        points, text = m["points"], text[: m.start()]
    cm = _GROUP_CODE.match(text.strip())
    return (cm["code"], cm["title"].strip(), points) if cm else ("", text.strip(), points)


def _unrepresentable(r: Rubric) -> tuple[str, str] | None:
    """What the table cannot hold so that it reads back the same, and where in the rubric."""
    for s in r.sections:
        if _parse_section(_section_text(s)) != (s.code, s.title, fmt(s.points), s.bonus):
            return _("大项编号或名称无法写成“1. 标题”"), s.code
        for g in s.groups:
            if _parse_group(_group_text(g)) != (g.code, g.title, None if g.points is None else fmt(g.points)):
                return _("中项编号或名称无法写成“1.1 标题”"), g.label
            subgroup = None
            for i in g.items:
                if subgroup and not i.subgroup:
                    return _("同一中项内，小标题之后的小项没有小标题"), i.id
                subgroup = i.subgroup
    return None


def _write_table(ws: Worksheet, r: Rubric) -> None:
    _write_heading(ws, r)
    row = FIRST_ROW
    method_runs: list[tuple[int, int]] = []
    for s in r.sections:
        s_start = row
        for g in s.groups:
            g_start, subgroup = row, None
            for item in g.items:
                if item.subgroup and item.subgroup != subgroup:
                    for col in range(_A, _LAST + 1):
                        _put(ws, row, col, item.subgroup if col == _C else None, bold=True)
                    row += 1
                subgroup = item.subgroup
                if item.shares_method:
                    method_runs[-1] = (method_runs[-1][0], row)
                else:
                    method_runs.append((row, row))
                values = (None, None, item.text, json_number(item.points), item.method, None, item.id,
                          format_rule(item.rule), item.sampling, item.note, item.reconstructed,
                          item.editor_note, item.na.clause if item.na else None,
                          item.na.scores if item.na else None,
                          item.evidence.requires if item.evidence else None,
                          item.evidence.clause if item.evidence else None,
                          g.table if g.table and item is g.items[0] else None)  # fmt: skip
                for col, value in enumerate(values, 1):
                    _put(ws, row, col, value, align="center" if col in (_D, _G) else "left")
                row += 1
            _put(ws, g_start, _B, _group_text(g), align="center")
            _merge(ws, g_start, row - 1, _B)
        _put(ws, s_start, _A, _section_text(s), align="center")
        _merge(ws, s_start, row - 1, _A)
    for first, last in method_runs:
        _merge(ws, first, last, _E)
    _fit_rows(ws, row - 1, method_runs)
    _page_setup(ws, row - 1)


def _merge(ws: Worksheet, first: int, last: int, col: int) -> None:
    if last > first:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)


def _write_heading(ws: Worksheet, r: Rubric) -> None:
    meta = "  ".join(x for x in (r.issuer, r.document, f"{r.year}年" if r.year else "") if x)
    for row, text, size in ((1, r.title, 16.0), (2, meta, 10.5)):
        _put(ws, row, _A, text, align="center", bold=row == 1).font = Font(
            name=_FONT, size=size, bold=row == 1
        )
        ws.merge_cells(start_row=row, start_column=_A, end_row=row, end_column=_PRINTED)
        for col in range(_A, _PRINTED + 1):
            ws.cell(row, col).border = Border()
    ws.row_dimensions[1].height = 30
    for col, heading in enumerate(_HEADINGS, 1):
        top = col > _C
        _put(ws, 3 if top else 4, col, heading, align="center", bold=True)
        if top:
            _put(ws, 4, col, None, bold=True)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        if col > _PRINTED:
            ws.cell(3, col).fill = _MACHINE_FILL
        ws.column_dimensions[chr(64 + col)].width = _WIDTHS[col - 1]
    _put(ws, 3, _A, "评估内容", align="center", bold=True)
    for col in (_B, _C):
        _put(ws, 3, col, None, bold=True)
    ws.merge_cells(start_row=3, start_column=_A, end_row=3, end_column=_C)
    ws.freeze_panes = ws.cell(FIRST_ROW, _A)


def _lines(value: Any, width: int) -> int:
    """How many lines a wrapped cell needs: Chinese characters take two widths of a digit."""
    if value is None:
        return 1
    widths = (sum(2 if ord(ch) > 0x2E7F else 1.1 for ch in line) for line in str(value).split("\n"))
    return sum(max(1, math.ceil(w / (width - 1))) for w in widths)


def _fit_rows(ws: Worksheet, last: int, method_runs: list[tuple[int, int]]) -> None:
    # Excel sizes rows only for unmerged cells, so a long shared method would be cut off: set
    # every height here, giving a merged cell's extra lines to the rows it covers.
    need = {row: 1 for row in range(FIRST_ROW, last + 1)}
    runs = [(a, b, _E) for a, b in method_runs if b > a]
    merged_e = {row for a, b, _col in runs for row in range(a, b + 1)}
    for row in need:
        # Sampling and notes are not printed: they may be cut off on screen rather than
        # stretch the paper form.
        cols = [_C, _G, _H] + ([] if row in merged_e else [_E])
        need[row] = max(_lines(ws.cell(row, c).value, _WIDTHS[c - 1]) for c in cols)
    for rng in ws.merged_cells.ranges:
        if rng.min_row >= FIRST_ROW and rng.min_col in (_A, _B):
            runs.append((rng.min_row, rng.max_row, rng.min_col))
    for first, last_row, col in runs:
        wanted = _lines(ws.cell(first, col).value, _WIDTHS[col - 1])
        rows = range(first, last_row + 1)
        short = wanted - sum(need[r] for r in rows)
        for r in rows if short > 0 else ():
            need[r] += math.ceil(short / len(rows))
    for row, lines in need.items():
        ws.row_dimensions[row].height = lines * _LINE_HEIGHT + 4


def _fit_width(ws: Worksheet, orientation: str) -> None:
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _page_setup(ws: Worksheet, last: int) -> None:
    _fit_width(ws, "landscape")
    ws.print_title_rows = "3:4"
    ws.print_area = f"A1:F{max(last, FIRST_ROW)}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.font = _FONT


def _write_info(ws: Worksheet, r: Rubric) -> None:
    data = r.to_dict()
    for col, heading in enumerate((_("项目"), _("内容"), _("字段")), 1):
        _put(ws, 1, col, heading, align="center", bold=True)
    labels = (_("编号"), _("版本"), _("标题"), _("发文单位"), _("文件"), _("年份"), _("来源"), _("说明"),
              _("派生"), _("满分"), _("否决时结论"))  # fmt: skip
    for row, (key, label) in enumerate(zip(_INFO_KEYS, labels, strict=True), 2):
        value = data.get(key)
        if key == "derived":
            value = _YES if r.derived else _NO
        elif key == "max_points":
            value = json_number(r.max_points)
        _put(ws, row, _A, label, bold=True)
        _put(ws, row, _B, value)
        _put(ws, row, _C, key)
        ws.row_dimensions[row].height = _lines(value, 70) * _LINE_HEIGHT + 4
    for row, text in enumerate(_explanation(), len(_INFO_KEYS) + 3):
        # Unwrapped, the line runs on over the empty cells to its right: no merge needed, and
        # every merged range costs openpyxl time on each import.
        ws.cell(row, _A, text).font = Font(name=_FONT, size=10.5)
    for letter, width in zip("ABC", (14, 70, 16), strict=True):
        ws.column_dimensions[letter].width = width
    _fit_width(ws, "portrait")


def _write_list(
    ws: Worksheet, headings: tuple[str, ...], rows: list[tuple[Any, ...]], widths: tuple[int, ...]
) -> None:
    for col, heading in enumerate(headings, 1):
        _put(ws, 1, col, heading, align="center", bold=True)
        ws.column_dimensions[chr(64 + col)].width = widths[col - 1]
    for row, values in enumerate(rows, 2):
        for col, value in enumerate(values, 1):
            _put(ws, row, col, value)
    _fit_width(ws, "portrait")


# -- reading ---------------------------------------------------------------------------------


def import_rubric_xlsx(path: Path) -> Rubric:
    """Read a workbook in the layout :func:`export_rubric_xlsx` writes, perhaps edited since."""
    reader = _Reader(_load(path), path.name)
    try:
        data = reader.rubric()
    except InspectorError:
        raise
    except Exception:  # a cell openpyxl loaded but cannot hand out ("Row numbers must be…"): damaged
        raise RubricError(_("不是 Excel 工作簿（.xlsx），或文件已损坏"), path.name) from None
    try:
        return rubric_from_dict(data)
    except Malformed as e:
        raise RubricError(e.message, reader.where(e.ref)) from None


def _load(path: Path) -> Workbook:
    problem = workbook_problem(path)
    if problem is not None:
        raise RubricError(problem, path.name)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it drops (WPS extensions, data validation); the rubric
            # never lives there, and the command line prints nothing but its result.
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
    except OSError as e:
        raise RubricError(_("无法读取文件：{e}").format(e=os_reason(e)), str(path)) from None
    except Exception:
        # A damaged or foreign file fails inside openpyxl in many ways (zip, XML, KeyError,
        # ValueError…); all of them mean the same to the user.
        raise RubricError(_("不是 Excel 工作簿（.xlsx），或文件已损坏"), path.name) from None
    for name in (TABLE, INFO, VETOES, OUTCOMES):
        if name not in wb.sheetnames:
            raise RubricError(_("缺少工作表“{name}”").format(name=name), path.name)
    return wb


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        return fmt(Decimal(repr(value))) if abs(value) < 1e15 else repr(value)
    return str(value)


def _blank(value: Any) -> bool:
    return not _text(value).strip()


def _points(value: Any, where: str) -> Decimal | None:
    """Points from a cell, exactly: a float goes through its shortest repr, never binary."""
    if _blank(value):
        return None
    raw = repr(value) if isinstance(value, float) else _text(value).strip()
    try:
        d = Decimal(raw) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise RubricError(_("分值应为数字，收到“{v}”").format(v=_text(value)), where)
    if d < 0:
        raise RubricError(_("分值不能为负数：{v}").format(v=raw), where)
    if d >= _MAX_POINTS:
        raise RubricError(_("分值过大：{v}").format(v=raw), where)
    try:
        return to_points(d)
    except ValueError:
        raise RubricError(_("分值最多两位小数：{v}").format(v=raw), where) from None


def _integer(value: Any, where: str) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip(), re.ASCII):
        return int(value)
    raise RubricError(_("应为整数，收到“{v}”").format(v=_text(value)), where)


def _anchors(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Merged cells of columns A, B, E: each covered cell → the top-left cell of its range."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for col in (_A, _B, _E):
            if rng.min_col <= col <= rng.max_col:
                for row in range(rng.min_row, min(rng.max_row, ws.max_row) + 1):
                    out[(row, col)] = (rng.min_row, rng.min_col)
    return out


class _Reader:
    """Reads one workbook into plain data, remembering which cell each part came from."""

    def __init__(self, wb: Workbook, name: str) -> None:
        self.wb = wb
        self.name = name
        self.refs: dict[Ref, str] = {}
        self.rubric_cell = f"{name} {INFO}"

    def at(self, sheet: str, col: int, row: int) -> str:
        return f"{self.name} {sheet}!{chr(64 + col)}{row}"

    def where(self, ref: Ref) -> str:
        if ref[0] == "rubric":
            return self.rubric_cell
        return self.refs.get(ref, self.name)

    def rubric(self) -> dict[str, Any]:
        data, cells = self.info()
        data["vetoes"] = self.vetoes()
        data["outcomes"] = self.outcomes()
        data["sections"] = self.table()
        veto_outcome = data.get("veto_outcome")
        if veto_outcome and veto_outcome not in {o["code"] for o in data["outcomes"]}:
            raise RubricError(
                _("否决时的结论“{c}”不在评估结论中").format(c=veto_outcome), cells["veto_outcome"]
            )
        if data["vetoes"] and not veto_outcome:
            raise RubricError(_("有否决项时须指明否决时的结论"), cells["veto_outcome"])
        return data

    def info(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        cells = dict.fromkeys(_INFO_KEYS, f"{self.name} {INFO}")
        for row, line in enumerate(self.wb[INFO].iter_rows(max_col=3, values_only=True), 1):
            key = _text(line[2]).strip() if len(line) == 3 else ""
            if key in cells:
                values[key], cells[key] = line[1], self.at(INFO, _B, row)
        data: dict[str, Any] = {
            k: _text(values.get(k)) for k in ("title", "issuer", "document", "source", "notes")
        }
        for key in ("id", "veto_outcome"):
            data[key] = _text(values.get(key)).strip() or None
        for key in ("id", "title"):
            if not (data[key] or "").strip():
                raise RubricError(_("缺少“{key}”").format(key=key), cells[key])
        if not ID_PATTERN.match(data["id"]):
            raise RubricError(
                _("评估表编号“{id}”无效（字母、数字、点、横线、下划线）").format(id=data["id"]), cells["id"]
            )
        data["version"] = _integer(values.get("version"), cells["version"])
        if data["version"] is None or data["version"] < 1:
            raise RubricError(_("版本应为正整数"), cells["version"])
        data["year"] = _integer(values.get("year"), cells["year"])
        derived = _text(values.get("derived")).strip().lower()
        if derived not in (_YES, _NO, "", "true", "false", "1", "0"):
            raise RubricError(_("“派生”应填“是”或“否”"), cells["derived"])
        data["derived"] = derived in (_YES, "true", "1")
        data["max_points"] = _points(values.get("max_points"), cells["max_points"])
        if data["max_points"] is None:
            raise RubricError(_("缺少满分"), cells["max_points"])
        self.rubric_cell = cells["max_points"]
        return data, cells

    def _rows(self, sheet: str, width: int) -> list[tuple[int, list[Any]]]:
        """The non-empty rows below a sheet's heading row, each padded to ``width``."""
        out = []
        for row, line in enumerate(self.wb[sheet].iter_rows(min_row=2, max_col=width, values_only=True), 2):
            cells = [*line, *[None] * (width - len(line))]
            if not all(_blank(v) for v in cells):
                out.append((row, cells))
        return out

    def _key(self, sheet: str, kind: str, row: int, value: Any, seen: set[str]) -> str:
        key = _text(value).strip()
        where = self.at(sheet, _A, row)
        if not key:
            raise RubricError(_("缺少编号"), where)
        if key in seen:
            raise RubricError(_("编号重复：{id}").format(id=key), where)
        seen.add(key)
        self.refs[(kind, key)] = where
        return key

    def vetoes(self) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out = []
        for row, (vid, text) in self._rows(VETOES, 2):
            out.append({"id": self._key(VETOES, "veto", row, vid, seen), "text": _text(text)})
            if _blank(text):
                raise RubricError(_("缺少否决项内容"), self.at(VETOES, _B, row))
        return out

    def outcomes(self) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out = []
        for row, (code, label, least, clause, upto, reading) in self._rows(OUTCOMES, 6):
            outcome: dict[str, Any] = {
                "code": self._key(OUTCOMES, "outcome", row, code, seen),
                "label": _text(label),
            }
            if _blank(label):
                raise RubricError(_("缺少结论"), self.at(OUTCOMES, _B, row))
            least_points = _points(least, self.at(OUTCOMES, _C, row))
            if least_points is not None:
                outcome["min"] = least_points
            if not _blank(clause):
                outcome["clause"] = _text(clause)
            upto_points = _points(upto, self.at(OUTCOMES, _E, row))
            if upto_points is not None:
                outcome["upto"] = upto_points
            if not _blank(reading):
                outcome["reading"] = _text(reading)
            out.append(outcome)
        return out

    def table(self) -> list[dict[str, Any]]:
        ws = self.wb[TABLE]
        anchors = _anchors(ws)
        used_methods: set[tuple[int, int]] = set()
        sections: list[dict[str, Any]] = []
        group: dict[str, Any] | None = None
        subgroup: str | None = None
        rows = ws.iter_rows(min_row=FIRST_ROW, max_col=_LAST, values_only=True)
        for row, line in enumerate(rows, FIRST_ROW):
            cells = [*line, *[None] * (_LAST - len(line))]
            starts, value = _block(anchors, row, _A, cells[_A - 1])
            if starts:
                sections.append(self._section(value, row))
                group = None
            starts, value = _block(anchors, row, _B, cells[_B - 1])
            if starts:
                if not sections:
                    raise RubricError(_("缺少大项"), self.at(TABLE, _A, row))
                group, subgroup = self._group(value, sections[-1]["code"], row), None
                sections[-1]["groups"].append(group)
            if all(_blank(cells[c - 1]) for c in (_C, _D, _G, _H)):
                continue
            if group is None:
                raise RubricError(_("该行不在任何中项之内"), self.at(TABLE, _B, row))
            if all(_blank(cells[c - 1]) for c in (_D, _G, _H)):
                subgroup = _text(cells[_C - 1])  # a sub-heading row, as on paper
                continue
            method = _method(ws, anchors, used_methods, row, cells[_E - 1])
            if not group["items"] and not _blank(cells[_Q - 1]):  # the form's table label (表2-1)
                group["table"] = _text(cells[_Q - 1]).strip()
            group["items"].append(self._item(row, cells, method, subgroup))
        if not any(g["items"] for s in sections for g in s["groups"]):
            raise RubricError(_("评估表没有小项"), self.at(TABLE, _A, FIRST_ROW))
        return sections

    def _section(self, value: Any, row: int) -> dict[str, Any]:
        where = self.at(TABLE, _A, row)
        parsed = _parse_section(_text(value))
        if parsed is None:
            raise RubricError(
                _("无法识别大项“{text}”：应写成“1. 标题”，下一行写“（11分）”或“（加分项，4分）”").format(
                    text=_text(value).strip()
                ),
                where,
            )
        code, title, points, bonus = parsed
        self.refs[("section", code)] = where
        return {"code": code, "title": title, "points": _points(points, where), "bonus": bonus, "groups": []}

    def _group(self, value: Any, section_code: str, row: int) -> dict[str, Any]:
        where = self.at(TABLE, _B, row)
        code, title, points = _parse_group(_text(value))
        if not title:
            raise RubricError(_("缺少中项名称"), where)
        self.refs[group_ref(section_code, code, title)] = where
        return {"code": code, "title": title, "points": _points(points, where), "items": []}

    def _item(
        self, row: int, cells: list[Any], method: tuple[str, bool], subgroup: str | None
    ) -> dict[str, Any]:
        def at(col: int) -> str:
            return self.at(TABLE, col, row)

        item_id = _text(cells[_G - 1]).strip()
        if not item_id:
            raise RubricError(_("缺少小项编号"), at(_G))
        if not ID_PATTERN.match(item_id):
            raise RubricError(
                _("小项编号“{id}”无效（字母、数字、点、横线、下划线）").format(id=item_id), at(_G)
            )
        self.refs[("item", item_id)] = at(_G)
        if _blank(cells[_C - 1]):
            raise RubricError(_("缺少小项内容"), at(_C))
        points = _points(cells[_D - 1], at(_D))
        if points is None:
            raise RubricError(_("缺少分值"), at(_D))
        try:
            rule = parse_rule(_text(cells[_H - 1]))
        except (ValueError, ArithmeticError) as e:
            raise RubricError(_("计分规则：{e}").format(e=e), at(_H)) from None
        for problem in rule.check(points):
            raise RubricError(_("计分规则：{p}").format(p=problem), at(_H))
        out: dict[str, Any] = {
            "id": item_id,
            "text": _text(cells[_C - 1]),
            "points": points,
            "method": method[0],
        }
        if method[1]:
            out["shares_method"] = True
        for key, value in (
            ("subgroup", subgroup),
            ("sampling", cells[_I - 1]),
            ("note", cells[_J - 1]),
            ("reconstructed", cells[_K - 1]),
            ("editor_note", cells[_L - 1]),
        ):
            if not _blank(value):
                out[key] = _text(value)
        if not _blank(cells[_M - 1]):
            out["na"] = {"clause": _text(cells[_M - 1])}
            if not _blank(cells[_N - 1]):
                out["na"]["scores"] = _text(cells[_N - 1]).strip()
        if not _blank(cells[_O - 1]) or not _blank(cells[_P - 1]):
            out["evidence"] = {"requires": _text(cells[_O - 1]).strip(), "clause": _text(cells[_P - 1])}
        out["rule"] = rule.to_dict()
        return out


def _block(anchors: dict[tuple[int, int], tuple[int, int]], row: int, col: int, own: Any) -> tuple[bool, Any]:
    """Whether a 大项/中项 starts on this row: the top of a merged range, or an unmerged value.

    An empty unmerged cell continues the block above, as after "unmerge" in Excel.
    """
    anchor = anchors.get((row, col))
    if anchor is None:
        return not _blank(own), own
    return anchor == (row, col), own


def _method(
    ws: Worksheet,
    anchors: dict[tuple[int, int], tuple[int, int]],
    used: set[tuple[int, int]],
    row: int,
    own: Any,
) -> tuple[str, bool]:
    """The item's method text, and whether it shares a merged cell with an item above."""
    anchor = anchors.get((row, _E))
    if anchor is None:
        return _text(own), False
    shares = anchor in used
    used.add(anchor)
    return _text(ws.cell(*anchor).value), shares

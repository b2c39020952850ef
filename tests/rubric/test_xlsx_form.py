"""Rubric workbooks: exact round trips, the paper layout, print setup, and refusals by cell."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from inspector.errors import RubricError
from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.toml_form import load_rubric_file, parse_rubric_text
from inspector.rubric.xlsx_form import export_rubric_xlsx, import_rubric_xlsx

SHIPPED = sorted(rubrics_dir().glob("*.toml"))

# Everything the shipped forms use, small enough to fuzz quickly: a bonus section, group
# points, empty group codes, fractional points, sub-headings inside a shared method cell,
# sampling, notes, text that looks like a formula, leading and trailing whitespace.
SMALL = '''
id = "small"
version = 3
title = "小表"
issuer = "某厅"
year = 2024
notes = """
 第一行
第二行 """
derived = true
max_points = 3
veto_outcome = "no"

[[outcomes]]
code = "yes"
label = "通过"
min = 2.5

[[outcomes]]
code = "no"
label = "不通过"

[[vetoes]]
id = "V1"
text = "伪造"

[[sections]]
code = "1"
title = "管理"
points = 3

[[sections.groups]]
code = ""
title = "岗位和履职"
points = 1.75

[[sections.groups.items]]
id = "a"
text = "岗位齐全"
points = 1.25
method = "=查阅文件"
sampling = "每年1个批次"
rule = "扣分 每个=0.25 单位=缺少的岗位 最多=5"

[[sections.groups.items]]
id = "b"
text = "证书制作"
points = 0.5
method = "=查阅文件"
shares_method = true
subgroup = "证书制作"
note = "原文无分值"
rule = "全有全无"

[[sections.groups]]
code = "1.2"
title = "2个制度"

[[sections.groups.items]]
id = "c"
text = "制度"
points = 1.25
method = ""
subgroup = "小标题"
rule = """
分档
1.25 | 问题=0 | 没有问题
0 | 问题>0 | 有问题"""

[[sections]]
code = "2"
title = "加分项"
points = 1
bonus = true

[[sections.groups]]
code = ""
title = "加分项"

[[sections.groups.items]]
id = "d"
text = "参与标准开发"
points = 1
method = "查阅证明材料"
rule = "是否"
'''


def small() -> Rubric:
    return parse_rubric_text(SMALL, "small.toml")


def exported(rubric: Rubric, folder: Path) -> Path:
    path = folder / f"{rubric.id}.xlsx"
    export_rubric_xlsx(rubric, path)
    return path


@pytest.fixture(scope="module")
def sichuan_bytes(sichuan: Rubric, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return exported(sichuan, tmp_path_factory.mktemp("xlsx")).read_bytes()


@pytest.fixture
def sichuan_xlsx(sichuan_bytes: bytes, tmp_path: Path) -> Path:
    """A fresh copy of the exported Sichuan form (exporting takes longer than copying)."""
    path = tmp_path / "sichuan-2017-inspection.xlsx"
    path.write_bytes(sichuan_bytes)
    return path


def row_of(ws: Worksheet, item_id: str) -> int:
    return next(row for row in range(5, ws.max_row + 1) if ws.cell(row, 7).value == item_id)


def edit(path: Path, change: Callable[[Workbook, Worksheet], Any]) -> None:
    wb = load_workbook(path)
    change(wb, wb["评估表"])
    wb.save(path)


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("toml_path", SHIPPED, ids=lambda p: p.stem)
def test_round_trip_is_exact(toml_path: Path, tmp_path: Path) -> None:
    rubric = load_rubric_file(toml_path)
    back = import_rubric_xlsx(exported(rubric, tmp_path))
    assert back.to_dict() == rubric.to_dict()
    assert back.content_hash == rubric.content_hash


def test_round_trip_of_every_feature(tmp_path: Path) -> None:
    rubric = small()
    assert import_rubric_xlsx(exported(rubric, tmp_path)).content_hash == rubric.content_hash


def test_a_staffers_looser_spelling_reads_the_same(tmp_path: Path) -> None:
    rubric = small()
    path = exported(rubric, tmp_path)
    wb = load_workbook(path)
    ws = wb["评估表"]
    ws.unmerge_cells("A5:A9")  # unmerged, the 大项 continues down over the empty cells
    ws["A5"] = "1.管理（3分）"
    ws[f"B{row_of(ws, 'c') - 1}"] = "1.2  2个制度"
    ws[f"D{row_of(ws, 'd')}"] = " 1 "  # typed as text
    wb.save(path)
    assert import_rubric_xlsx(path).content_hash == rubric.content_hash


def test_the_papers_own_spelling_reads_the_same(sichuan: Rubric, sichuan_xlsx: Path) -> None:
    edit(sichuan_xlsx, lambda wb, ws: ws.__setitem__("B5", "1.1领导岗位情况"))  # no space, as printed
    assert import_rubric_xlsx(sichuan_xlsx).content_hash == sichuan.content_hash


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('code = "1.2"', 'code = "二"', "中项编号"),
        ('title = "管理"', 'title = " 管理"', "大项编号"),
        ('subgroup = "证书制作"\n', "", "小标题"),
    ],
)
def test_export_refuses_what_would_not_come_back(tmp_path: Path, old: str, new: str, words: str) -> None:
    source = SMALL.replace(old, new, 1)
    if "小标题" in words:  # a sub-heading on the first item of the group, none on the second
        source = source.replace('sampling = "每年1个批次"', 'sampling = "每年1个批次"\nsubgroup = "岗位"')
    assert source != SMALL
    with pytest.raises(RubricError, match=words):
        export_rubric_xlsx(parse_rubric_text(source, "x.toml"), tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


# -- the paper layout ---------------------------------------------------------------------------


def test_merged_cells_are_as_on_paper(sichuan: Rubric, sichuan_xlsx: Path) -> None:
    ws = load_workbook(sichuan_xlsx)["评估表"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    section_1 = [i.id for i in sichuan.sections[0].items()]
    assert len(section_1) == 7
    assert f"A5:A{row_of(ws, section_1[-1])}" in merged and row_of(ws, section_1[0]) == 5
    assert ws["A5"].value == "1. 岗位设置情况\n（11分）"
    assert f"E{row_of(ws, '1.5.1')}:E{row_of(ws, '1.5.2')}" in merged
    assert {"A1:F1", "A2:F2", "A3:C3", "D3:D4", "E3:E4", "F3:F4"} <= merged
    assert [ws.cell(4, c).value for c in (1, 2, 3)] == ["大项", "中项", "小项"]


def test_subgroups_are_heading_rows(tmp_path: Path) -> None:
    ws = load_workbook(exported(small(), tmp_path))["评估表"]
    row = row_of(ws, "b")
    assert ws.cell(row - 1, 3).value == "证书制作" and ws.cell(row - 1, 7).value is None
    assert f"E{row_of(ws, 'a')}:E{row}" in {str(r) for r in ws.merged_cells.ranges}
    assert (
        ws["A5"].value == "1. 管理\n（3分）"
        and ws.cell(row_of(ws, "d"), 1).value == "2. 加分项\n（加分项，1分）"
    )
    assert ws["B5"].value == "岗位和履职（1.75分）"


def test_print_setup(sichuan_xlsx: Path) -> None:
    ws = load_workbook(sichuan_xlsx)["评估表"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$3:$4"
    assert str(ws.print_area).replace("$", "").endswith(f"A1:F{ws.max_row}")
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_points_are_numbers(tmp_path: Path) -> None:
    wb = load_workbook(exported(small(), tmp_path))
    ws = wb["评估表"]
    assert ws.cell(row_of(ws, "a"), 4).value == 1.25 and ws.cell(row_of(ws, "d"), 4).value == 1
    assert isinstance(ws.cell(row_of(ws, "d"), 4).value, int)
    assert [wb["评估结论"].cell(r, 3).value for r in (2, 3)] == [2.5, None]


# -- refusals -------------------------------------------------------------------------------------


def refused(path: Path) -> str:
    with pytest.raises(RubricError) as caught:
        import_rubric_xlsx(path)
    return str(caught.value)


def at_item(item_id: str, col: str, value: Any) -> Callable[[Workbook, Worksheet], None]:
    def change(wb: Workbook, ws: Worksheet) -> None:
        ws[f"{col}{row_of(ws, item_id)}"] = value

    return change


@pytest.mark.parametrize(
    ("col", "value", "words"),
    [
        ("D", "两分", "应为数字"),
        ("D", -2, "负数"),
        ("D", 1e300, "过大"),
        ("D", 0.333, "两位小数"),
        ("D", None, "缺少分值"),
        ("H", "分档\n2 | 问题 | 好", "计分规则"),
        ("H", "扣分 每个=5", "计分规则"),  # more than the item is worth
        ("G", None, "缺少小项编号"),
        ("G", "1 1", "无效"),
    ],
)
def test_bad_item_cell_is_named(sichuan_xlsx: Path, col: str, value: Any, words: str) -> None:
    edit(sichuan_xlsx, at_item("1.1.1", col, value))
    message = refused(sichuan_xlsx)
    assert f"sichuan-2017-inspection.xlsx 评估表!{col}5:" in message and words in message


def test_duplicate_id_names_the_second(sichuan_xlsx: Path) -> None:
    wb = load_workbook(sichuan_xlsx)
    second = row_of(wb["评估表"], "1.2.1")
    edit(sichuan_xlsx, at_item("1.2.1", "G", "1.1.1"))
    message = refused(sichuan_xlsx)
    assert f"评估表!G{second}: 小项编号重复：1.1.1" in message


def test_section_sum_names_the_section_cell(sichuan_xlsx: Path) -> None:
    edit(sichuan_xlsx, at_item("1.1.1", "D", 3))
    assert "评估表!A5: 大项 1 标为 11 分，其小项合计 12 分" in refused(sichuan_xlsx)


def test_group_points_name_the_group_cell(tmp_path: Path) -> None:
    path = exported(small(), tmp_path)
    edit(path, lambda wb, ws: ws.__setitem__("B5", "岗位和履职（2分）"))
    assert "评估表!B5: 中项 岗位和履职 标为 2 分，其小项合计 1.75 分" in refused(path)


@pytest.mark.parametrize("text", ["岗位设置情况", "1. 岗位设置情况\n（十一分）", "1. 岗位设置情况（-11分）"])
def test_unreadable_section_cell(sichuan_xlsx: Path, text: str) -> None:
    edit(sichuan_xlsx, lambda wb, ws: ws.__setitem__("A5", text))
    assert "评估表!A5:" in refused(sichuan_xlsx)


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "words"),
    [
        ("说明", "B3", "一", "整数"),
        ("说明", "B11", "满分", "应为数字"),
        ("说明", "B12", "none", "不在评估结论中"),
        ("评估结论", "C2", "六十", "应为数字"),
        ("评估结论", "A3", "pass", "重复"),
        ("否决项", "B2", None, "缺少否决项内容"),
    ],
)
def test_bad_sheet_cell_is_named(sichuan_xlsx: Path, sheet: str, cell: str, value: Any, words: str) -> None:
    edit(sichuan_xlsx, lambda wb, ws: wb[sheet].__setitem__(cell, value))
    message = refused(sichuan_xlsx)
    assert f"{sheet}!{cell}:" in message and words in message


def test_max_points_mismatch_names_the_cell(sichuan_xlsx: Path) -> None:
    edit(sichuan_xlsx, lambda wb, ws: wb["说明"].__setitem__("B11", 90))
    assert "说明!B11: 评估表标为 90 分" in refused(sichuan_xlsx)


def test_missing_sheet(sichuan_xlsx: Path) -> None:
    edit(sichuan_xlsx, lambda wb, ws: wb.remove(wb["否决项"]))
    assert refused(sichuan_xlsx) == "sichuan-2017-inspection.xlsx: 缺少工作表“否决项”"


@pytest.mark.parametrize("content", [b"id = 'x'\n", b"PK\x03\x04 broken", b""])
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "rubric.xlsx"
    path.write_bytes(content)
    assert refused(path).startswith("rubric.xlsx: ")


def test_missing_file(tmp_path: Path) -> None:
    assert "无法读取文件" in refused(tmp_path / "none.xlsx")


# -- fuzz ---------------------------------------------------------------------------------------

_VALUES: list[Any] = [
    None, "", "乱写", "1. 新大项\n（2分）", "1.1 新中项（1分）", "全有全无", "分档\n1 | x", "扣分 每个=1e300",
    "=SUM(A1:A3)", "x" * 300, -1, -0.5, 0, 1, 2.5, 0.001, 10**30, 1e300, True, "V1", "pass", "a",
]  # fmt: skip


def _mutate(wb: Workbook, rng: random.Random) -> None:
    ws = rng.choice(wb.worksheets)
    action = rng.randrange(10)
    if action == 0:
        ws.delete_rows(rng.randint(1, ws.max_row))
    elif action == 1:
        ws.insert_rows(rng.randint(1, ws.max_row))
    elif action == 2 and ws.merged_cells.ranges:
        # What unmerging does to the file; ws.unmerge_cells trips over rows deleted before.
        ws.merged_cells.remove(rng.choice(sorted(ws.merged_cells.ranges, key=str)))
    elif action == 3:
        row, col = rng.randint(5, max(5, ws.max_row)), rng.choice((1, 2, 5))
        if not any(isinstance(ws.cell(r, col), MergedCell) for r in (row, row + 1)):
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
    else:
        cell = ws.cell(rng.randint(1, ws.max_row + 1), rng.randint(1, 11))
        if not isinstance(cell, MergedCell):
            cell.value = rng.choice(_VALUES)


@pytest.mark.slow
def test_mutated_workbooks_import_or_are_refused(tmp_path: Path) -> None:
    # 200 mutations, two between imports: an import costs openpyxl tens of milliseconds.
    rng = random.Random(20240611)
    template = exported(small(), tmp_path)
    path = tmp_path / "mutated.xlsx"
    outcomes = {"imported": 0, "refused": 0}
    for _chain in range(25):
        wb = load_workbook(template)
        for _step in range(4):
            _mutate(wb, rng)
            _mutate(wb, rng)
            wb.save(path)
            try:
                assert isinstance(import_rubric_xlsx(path), Rubric)
                outcomes["imported"] += 1
            except RubricError as e:
                assert e.where and e.where.startswith("mutated.xlsx"), e
                outcomes["refused"] += 1
    assert outcomes["imported"] > 10 and outcomes["refused"] > 10

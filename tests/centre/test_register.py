"""The register: the 登记表 fields checked, and the workbook round trip and refusals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from inspector.centre.register import (
    CATEGORIES,
    add_registered,
    clean_register,
    get_register,
    import_register,
    register_entries,
    scope,
    set_register,
)
from inspector.centre.workbooks import export_register
from inspector.errors import UsageError
from inspector.store.orgs import add_org, list_orgs
from tests.centre_support import copy_folder, demo_folder, new_db, workbook

MAIN = ["系统编号", "机构名称", "机构代码", "类别", "地区", "场地面积（m²）", "收费进入财政专户", "邮编"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("demo") / "data")


def test_categories_are_the_forms_ten() -> None:
    assert list(CATEGORIES) == list("ABCDEFGHIJ")
    assert CATEGORIES["G"] == "就业训练中心"


def test_fields_are_checked_and_normalised() -> None:
    got = clean_register(
        {
            "category": "c",
            "post_code": 610041,
            "site_area": "1,200.5",
            "fee_fiscal_account": "是",
            "filled_on": "2026-03-01",
            "equipment": [{"name": "车床", "quantity": 3.0}],
            "appraisals": [{"year": 2025, "occupation": "电工", "junior": 12}],
        }
    )
    assert got["category"] == "C"
    assert got["post_code"] == "610041"
    assert got["site_area"] == Decimal("1200.5")
    assert got["fee_fiscal_account"] is True
    assert got["equipment"] == [{"name": "车床", "quantity": 3}]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"category": "K"}, "A–J"),
        ({"post_code": "61004"}, "6 位数字"),
        ({"site_area": "约300"}, "数字"),
        ({"site_area": -1}, "不小于 0"),
        ({"equipment": [{"name": "车床", "quantity": 2.5}]}, "整数"),
        ({"equipment": [{"model": "X"}]}, "名称不能为空"),
        ({"appraisals": [{"year": 25, "occupation": "电工"}]}, "四位年份"),
        ({"fee_fiscal_account": "也许"}, "是"),
        ({"colour": "red"}, "没有这一项"),
    ],
)
def test_bad_fields_are_refused(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        clean_register(fields)


def test_set_register_merges_and_clears(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "测试鉴定站", "T-1")
    set_register(db, org["id"], {"category": "E", "head": "张三", "equipment": [{"name": "车床"}]})
    set_register(db, org["id"], {"head": None, "region": "成都市"})
    r = get_register(db, org["id"])
    assert (r["category"], r["head"], r["region"], r["equipment"]) == (
        "E",
        None,
        "成都市",
        [{"name": "车床"}],
    )
    assert r["category_name"] == "企业"
    # org list shows the register beside the name
    (listed,) = list_orgs(db)
    assert listed["region"] == "成都市"


def test_add_registered_checks_everything_before_storing(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    entry = add_registered(
        db, " 新建鉴定站 ", "T-9", {"category": "g", "region": "绵阳市", "post_code": "621000"}
    )
    assert (entry["name"], entry["code"], entry["category"], entry["post_code"]) == (
        "新建鉴定站",
        "T-9",
        "G",
        "621000",
    )
    assert get_register(db, entry["id"])["region"] == "绵阳市"
    # A bad field, a taken code, no name: refused, and nothing stored for any of them.
    with pytest.raises(UsageError, match="邮编") as e:
        add_registered(db, "乙站", "T-10", {"post_code": "62100"})
    assert "乙站.post_code" in str(e.value)
    with pytest.raises(UsageError, match="T-9"):
        add_registered(db, "丙站", "T-9", {"region": "成都市"})
    with pytest.raises(UsageError, match="名称"):
        add_registered(db, "  ", None, {})
    assert [o["name"] for o in list_orgs(db)] == ["新建鉴定站"]


def test_scope_lists_occupations_and_levels() -> None:
    entry = {
        "appraisals": [
            {"year": 2024, "occupation": "电工", "junior": 10, "senior": 0},
            {"year": 2025, "occupation": "电工", "intermediate": 3},
            {"year": 2025, "occupation": "焊工", "junior": 1},
        ]
    }
    assert scope(entry) == "焊工（初级）；电工（初级、中级）"


def test_round_trip_through_xlsx(demo: Path, tmp_path: Path) -> None:
    db = copy_folder(demo, tmp_path / "a")
    before = register_entries(db)
    assert len(before) == 12 and all(e["sponsor"] for e in before)
    out = tmp_path / "register.xlsx"
    counts = export_register(db, out)
    assert counts["机构登记"] == 12 and counts["近3年鉴定情况"] == 72
    empty = new_db(tmp_path / "b")
    summary = import_register(empty, out)
    assert (summary.created, summary.updated, summary.unchanged) == (12, 0, 0)
    assert register_entries(empty) == before  # same ids, codes, fields and lists
    again = import_register(empty, out)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    # and the second folder exports the same cells
    out2 = tmp_path / "register2.xlsx"
    export_register(empty, out2)
    assert _cells(out) == _cells(out2)


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def test_import_updates_by_code_and_leaves_absent_columns(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "旧名称", "C-1")
    set_register(db, org["id"], {"head": "李四", "category": "A", "equipment": [{"name": "车床"}]})
    path = workbook(
        tmp_path / "r.xlsx",
        {"机构登记": [["机构名称", "机构代码", "类别"], ["新名称", "C-1", "b"], ["新机构", "C-2", "J"]]},
    )
    s = import_register(db, path)
    assert (s.created, s.updated) == (1, 1)
    r = get_register(db, org["id"])
    assert (r["name"], r["category"], r["head"], r["equipment"]) == (
        "新名称",
        "B",
        "李四",
        [{"name": "车床"}],
    )


def test_import_changes_a_code_found_by_its_id(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "某站", "OLD-CODE")
    path = workbook(
        tmp_path / "r.xlsx",
        {"机构登记": [["系统编号", "机构名称", "机构代码"], [org["id"], "某站", "NEW-CODE"]]},
    )
    import_register(db, path)
    assert get_register(db, org["id"])["code"] == "NEW-CODE"


def test_list_sheet_replaces_lists(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "某站", "C-1")
    set_register(db, org["id"], {"equipment": [{"name": "旧设备"}]})
    path = workbook(
        tmp_path / "r.xlsx",
        {
            "机构登记": [["机构名称", "机构代码"], ["某站", "C-1"]],
            "设备设施": [["机构代码", "名称", "规格（型号）", "数量"], ["C-1", "数控车床", "CK6140", 4]],
        },
    )
    import_register(db, path)
    assert get_register(db, org["id"])["equipment"] == [
        {"name": "数控车床", "model": "CK6140", "quantity": 4}
    ]


@pytest.mark.parametrize(
    ("sheets", "where", "words"),
    [
        (
            {"机构登记": [MAIN, ["", "甲站", "C-1", "A"], ["", "乙站", "C-1", "B"]]},
            "机构登记!C3",
            "C-1 重复：已见于 机构登记!C2",
        ),
        ({"机构登记": [MAIN, ["", "甲站", "C-1", "K"]]}, "机构登记!D2", "A–J"),
        ({"机构登记": [MAIN, ["", "甲站", "C-1", "A", "成都", "约300"]]}, "机构登记!F2", "数字"),
        ({"机构登记": [MAIN, ["", "甲站", "C-1", "A", "成都", 300, "大概"]]}, "机构登记!G2", "是"),
        ({"机构登记": [MAIN, ["", "甲站", "C-1", "A", "成都", 300, "是", "6100"]]}, "机构登记!H2", "邮编"),
        ({"机构登记": [MAIN, ["", "", "C-1"]]}, "机构登记!B2", "机构名称不能为空"),
        ({"机构登记": [MAIN, ["", "甲站", ""]]}, "机构登记!C2", "机构代码不能为空"),
        ({"机构登记": [["机构名称"], ["甲站"]]}, "机构登记!1", "机构代码"),
        ({"Sheet": [["x"]]}, "r.xlsx", "机构登记"),
        (
            {
                "机构登记": [MAIN, ["", "甲站", "C-1"]],
                "设备设施": [["机构代码", "名称", "数量"], ["C-1", "车床", "十台"]],
            },
            "设备设施!C2",
            "数量应为数字",
        ),
        (
            {
                "机构登记": [MAIN, ["", "甲站", "C-1"]],
                "近3年鉴定情况": [["机构代码", "年度", "职业（工种）"], ["C-9", 2025, "电工"]],
            },
            "近3年鉴定情况!A2",
            "C-9 不在",
        ),
    ],
)
def test_bad_workbooks_are_refused_with_sheet_and_cell(
    tmp_path: Path, sheets: dict[str, list[list[Any]]], where: str, words: str
) -> None:
    db = new_db(tmp_path / "data")
    add_org(db, "原有机构", "KEEP")
    path = workbook(tmp_path / "r.xlsx", sheets)
    with pytest.raises(UsageError) as e:
        import_register(db, path)
    assert e.value.where is not None and e.value.where.endswith(where), e.value.where
    assert words in e.value.message
    assert [o["code"] for o in list_orgs(db)] == ["KEEP"]


def test_a_duplicate_of_the_same_org_by_code_and_id_is_refused(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    org = add_org(db, "某站", "C-1")
    path = workbook(
        tmp_path / "r.xlsx",
        {
            "机构登记": [
                ["系统编号", "机构名称", "机构代码"],
                ["", "某站", "C-1"],
                [org["id"], "某站二", "C-2"],
            ]
        },
    )
    with pytest.raises(UsageError, match="同一机构"):
        import_register(db, path)
    assert get_register(db, org["id"])["name"] == "某站"


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    db = new_db(tmp_path / "data")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UsageError, match="无法读取工作簿"):
        import_register(db, bad)
    with pytest.raises(UsageError, match="文件不存在"):
        import_register(db, tmp_path / "missing.xlsx")

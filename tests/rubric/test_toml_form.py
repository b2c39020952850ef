"""Rubric files: round trip, and every kind of bad file refused with its file and line."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from inspector.errors import RubricError
from inspector.paths import rubrics_dir
from inspector.rubric.toml_form import dump_rubric_toml, load_rubric_file, parse_rubric_text

FILES = sorted(rubrics_dir().glob("*.toml"))
SICHUAN = (rubrics_dir() / "sichuan-2017-inspection.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_dump_reads_back_equal(path: Path) -> None:
    rubric = load_rubric_file(path)
    again = parse_rubric_text(dump_rubric_toml(rubric), "dumped")
    assert again == rubric and again.content_hash == rubric.content_hash


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def refused(text: str) -> str:
    with pytest.raises(RubricError) as e:
        parse_rubric_text(text, "form.toml")
    message = str(e.value)
    assert "\n" not in message and message.startswith("form.toml:")
    return message


def test_malformed_toml_names_the_line() -> None:
    text = SICHUAN.replace('title = "领导岗位情况"', 'title = "领导岗位情况', 1)
    line = line_of(SICHUAN, 'title = "领导岗位情况"')
    assert refused(text).startswith(f"form.toml:{line}:")


def test_items_that_do_not_sum_to_their_section() -> None:
    text = SICHUAN.replace(
        'id = "4.1.1"\ntext = "设备设施符合所鉴定职业的标准要求且数量充足、运行状况良好"\npoints = 3',
        'id = "4.1.1"\ntext = "设备设施符合所鉴定职业的标准要求且数量充足、运行状况良好"\npoints = 2',
        1,
    )
    assert text != SICHUAN
    message = refused(text)
    section_line = line_of(SICHUAN, '[[sections]]\ncode = "4"')
    assert message.startswith(f"form.toml:{section_line}:") and "大项 4" in message


def test_duplicate_item_ids_name_the_item() -> None:
    text = SICHUAN.replace('id = "1.2.1"', 'id = "1.1.1"', 1)
    message = refused(text)
    assert "1.1.1" in message


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('rule = "扣分 每个=1 单位=问题 不得分=3"', 'rule = "加分 每个=1"', "未知的计分规则"),
        ('rule = "扣分 每个=1 单位=问题 不得分=3"', 'rule = { kind = "magic" }', "未知的计分规则类型"),
        ('points = 3\nmethod = "现场查看。发现1个', 'points = -3\nmethod = "现场查看。发现1个', "负数"),
        ('points = 3\nmethod = "现场查看。发现1个', 'points = "三"\nmethod = "现场查看。发现1个', "数字"),
        ('points = 3\nmethod = "现场查看。发现1个', 'points = 3.125\nmethod = "现场查看。发现1个', "数字"),
        ('id = "4.1.1"', 'id = "4.1 1"', "编号"),
        ('id = "4.1.1"', 'id = "4.1.1"\ncolour = "red"', "未知的字段"),
    ],
)
def test_bad_item_names_its_line(old: str, new: str, words: str) -> None:
    assert old in SICHUAN
    text = SICHUAN.replace(old, new, 1)
    message = refused(text)
    assert words in message
    item_line = line_of(SICHUAN, '[[sections.groups.items]]\nid = "4.1.1"')
    assert message.startswith(f"form.toml:{item_line}:")


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("max_points = 100", "max_points = 90", "大项合计"),
        ('veto_outcome = "fail"', 'veto_outcome = "nope"', "否决时的结论"),
        ("min = 60", "", "最低分"),
        ('id = "sichuan-2017-inspection"', 'id = "四川"', "编号"),
        ("version = 3", "version = 0", "版本"),
    ],
)
def test_bad_rubric_header(old: str, new: str, words: str) -> None:
    assert words in refused(SICHUAN.replace(old, new, 1))


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "gbk.toml"
    bad.write_bytes(SICHUAN.encode("gb18030"))
    with pytest.raises(RubricError, match="UTF-8"):
        load_rubric_file(bad)
    with pytest.raises(RubricError, match="无法读取"):
        load_rubric_file(tmp_path / "missing.toml")


def test_fuzzed_files_are_either_rubrics_or_one_clear_refusal() -> None:
    """Seeded random edits of a real file: never a traceback, always one line with a place."""
    rng = random.Random(20261122)
    lines = SICHUAN.splitlines()
    outcomes = {"ok": 0, "refused": 0}
    for _round in range(300):
        mutated = list(lines)
        for _edit in range(rng.randint(1, 3)):
            k = rng.randrange(len(mutated))
            action = rng.choice(["delete", "duplicate", "digit", "truncate", "swap", "garbage"])
            if action == "delete":
                del mutated[k]
            elif action == "duplicate":
                mutated.insert(k, mutated[k])
            elif action == "digit":
                mutated[k] = "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in mutated[k])
            elif action == "truncate":
                mutated[k] = mutated[k][: rng.randint(0, len(mutated[k]))]
            elif action == "swap":
                j = rng.randrange(len(mutated))
                mutated[k], mutated[j] = mutated[j], mutated[k]
            else:
                mutated[k] = rng.choice(["points = -1", 'rule = "分档"', "[[sections]]", "id = 3", "= ="])
        try:
            parse_rubric_text("\n".join(mutated), "fuzz.toml")
            outcomes["ok"] += 1
        except RubricError as e:
            assert str(e).startswith("fuzz.toml") and "\n" not in str(e)
            outcomes["refused"] += 1
    assert outcomes["refused"] > 100

"""Chongqing 2024, version 2, re-read against seed 003: each rule deducts for what its 评分标准 names,
quoting it; the outcome bands quote their clauses and read the 79–80 gap; reconstructed lines say so,
editor notes stay in the file."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from inspector.errors import ObservationError
from inspector.paths import rubrics_dir
from inspector.rubric.model import Rubric
from inspector.rubric.observations import Observation, parse_observation
from inspector.rubric.rules import Grouped
from inspector.rubric.scoring import score, score_item
from inspector.rubric.toml_form import load_rubric_file
from tests.helpers import run

CQ = "chongqing-2024-renewal"


@pytest.fixture(scope="module")
def cq() -> Rubric:
    r = load_rubric_file(rubrics_dir() / f"{CQ}.toml")
    assert r.version == 3  # version 3 changed only the 整改 band's quote: what is read here is version 2's
    return r


def full(r: Rubric) -> dict[str, Observation]:
    return {i.id: Observation(met=True) for i in r.items()}


def test_221_deducts_for_the_four_named_items_only(cq: Rubric) -> None:
    item = cq.item("2.2.1")
    assert isinstance(item.rule, Grouped) and len(item.rule.criteria) == 4
    assert "前四项，每缺一项扣0.5分" in (item.note or "")
    all_four = score_item(item, parse_observation({"unmet": [1, 2, 3, 4]}, item.id))
    assert all_four.points == 1  # 3 − 4 × 0.5: the places of publication are not deducted
    with pytest.raises(ObservationError):
        score_item(item, parse_observation({"unmet": [5]}, item.id))


@pytest.mark.parametrize("item_id", ["2.6.1", "2.6.2"])
def test_certificates_lose_points_only_out_of_validity(cq: Rubric, item_id: str) -> None:
    item = cq.item(item_id)
    assert isinstance(item.rule, Grouped) and len(item.rule.criteria) == 1
    assert "不在有效期范围内" in item.rule.criteria[0].text
    assert "重庆" not in item.rule.describe()
    assert "不在有效期范围内扣3分" in (item.note or "") and "非重庆市证书" in (item.note or "")
    r = score_item(item, parse_observation({"met": False}, item.id))
    assert r.points == 0 and "不在有效期范围内" in (r.reason or "")


def test_135_deducts_only_for_not_applying_the_fee_standard(cq: Rubric) -> None:
    item = cq.item("1.3.5")
    assert isinstance(item.rule, Grouped)
    assert [c.text for c in item.rule.criteria] == ["未执行收费标准"]
    assert "未执行收费标准扣1分" in (item.note or "")


def test_241_follows_its_text_like_242(cq: Rubric) -> None:
    a, b = cq.item("2.4.1"), cq.item("2.4.2")
    assert isinstance(a.rule, Grouped) and isinstance(b.rule, Grouped)
    # 扣完为止 on both: every criterion failed takes the item to zero, as the text says
    for item in (a, b):
        n = len(item.rule.criteria)
        everything = score_item(item, parse_observation({"unmet": list(range(1, n + 1))}, item.id))
        assert everything.points == 0, item.id
    assert [c.text for c in a.rule.criteria][2:] == ["不满足消防安全需求", "不满足功能需求"]
    assert "扣完为止" in (a.note or "") and a.reconstructed


@pytest.mark.parametrize(
    ("total", "code", "words"),
    [
        (D(80), "renew", "予以延续备案"),
        (D("79.5"), "rectify", "79分与80分之间"),
        (D(79), "rectify", "整改"),
        (D(60), "rectify", "整改"),
        (D("59.5"), "refuse", "不予续期备案"),
    ],
)
def test_outcomes_by_the_text(cq: Rubric, total: D, code: str, words: str) -> None:
    o = cq.outcome_for(total, vetoed=False)
    assert o is not None and o.code == code and words in o.label
    assert o.clause.startswith("通知三（二）2")
    if total == D("79.5"):
        assert "对60分至79分的评价机构，下发整改通知书" in o.label  # the reading quotes its clause
    else:
        assert "79分与80分之间" not in o.label


def test_the_refusal_is_the_notices_own_word(cq: Rubric) -> None:
    assert [o.label for o in cq.outcomes][-1] == "不予续期备案"


def test_reconstructed_lines_are_marked_and_editor_notes_kept_apart(cq: Rubric) -> None:
    marked = {i.id for i in cq.items() if i.reconstructed}
    assert {"1.3.5", "2.4.5", "2.7.1", "3.1.1", "2.10.4"} <= marked
    for i in cq.items():
        assert "OCR" not in (i.note or "") and "OCR" not in (i.reconstructed or ""), i.id
    assert any("原文OCR作" in (i.editor_note or "") for i in cq.items())


def test_the_old_version_is_unchanged(cq: Rubric) -> None:
    old = load_rubric_file(rubrics_dir() / f"{CQ}.v1.toml")
    assert old.version == 1 and old.id == cq.id
    assert len(old.item("2.2.1").rule.criteria) == 6  # type: ignore[attr-defined]
    # the same answers score by their own version: a recorded score never moves
    answers = full(old)
    answers["2.2.1"] = Observation(unmet=(5, 6))
    assert score(old, answers).total == 99


def test_cli_score_and_rubric_show(tmp_path: Path, data_dir: Path) -> None:
    answers = {i.id: {"met": True} for i in load_rubric_file(rubrics_dir() / f"{CQ}.toml").items()}
    answers["2.4.2"] = {"unmet": [1, 2, 3, 4, 5]}  # −10
    answers["2.5.1"] = {"unmet": [3, 4]}  # −6
    answers["2.8.4"] = {"unmet": [1, 2]}  # −0.5
    answers["4.1.1"] = {"met": False}  # −2 of the bonus
    answers["4.1.2"] = {"met": False}  # −2 of the bonus: 79.5
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"answers": answers}, ensure_ascii=False), encoding="utf-8")
    r = run("score", CQ, "--answers", path, data=data_dir)
    assert r.code == 0, r.err
    assert "79.5" in r.out and "整改" in r.out and "79分与80分之间" in r.out
    r = run("score", CQ, "--answers", path, "--json", data=data_dir)
    out = json.loads(r.out)
    assert out["total"] == 79.5 and out["outcome"]["code"] == "rectify" and out["version"] == 3
    shown = run("rubric", "show", CQ, data=data_dir)
    assert "◇" in shown.out and "OCR" not in shown.out
    notes = run("rubric", "show", CQ, "--notes", data=data_dir)
    assert "原文OCR作" in notes.out
    js = json.loads(run("rubric", "show", CQ, "--json", data=data_dir).out)
    items = [i for s in js["sections"] for i in s["items"]]
    assert any("reconstructed" in i for i in items) and not any("editor_note" in i for i in items)
    old = run("rubric", "show", CQ, "--version", "1", data=data_dir)
    assert "v1" in old.out


@pytest.mark.parametrize(
    "item_id",
    [
        "1.3.5",
        "2.2.1",
        "2.4.1",
        "2.4.2",
        "2.6.1",
        "2.6.2",
        "2.8.2",
        "2.10.1",
        "2.10.3",
        "3.2.3",
        "3.3.1",
        "3.4.1",
    ],
)
def test_each_rule_quotes_the_clause_it_follows(cq: Rubric, item_id: str) -> None:
    item = cq.item(item_id)
    quoted = re.search(r"评分标准原文：“(.+?)”", item.note or "")
    assert quoted, item_id
    # the quote is the form's own 评分标准, as transcribed in the method column
    assert quoted[1].split("。")[-2 if quoted[1].endswith("。") else -1] in item.method, item_id
    assert isinstance(item.rule, Grouped)
    # the deductions the clause allows, no more: never below zero, never an invented one
    assert sum(c.deduct for c in item.rule.criteria) <= item.points or item_id == "2.5.1"

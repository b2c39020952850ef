"""The command line of the contract: ``rubric …`` and ``score``."""

from __future__ import annotations

import json
from pathlib import Path

from inspector import __version__
from tests.helpers import refused, run


def test_version(data_dir: Path) -> None:
    r = run("--version")
    assert r.code == 0 and __version__ in r.out


def test_list_is_pure_json_with_the_contract_keys(data_dir: Path) -> None:
    r = run("rubric", "list", "--json")
    assert r.code == 0, r.err
    rubrics = r.json()
    ids = {x["id"] for x in rubrics}
    assert "sichuan-2017-inspection" in ids
    for x in rubrics:
        assert {"id", "version", "title", "max_points", "bonus_points"} <= set(x)
    assert "四川" in r.out  # UTF-8, not \\u escapes


def test_show_has_the_contract_shape(data_dir: Path) -> None:
    r = run("rubric", "show", "sichuan-2017-inspection", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert {"id", "version", "title", "max_points", "bonus_points", "sections", "vetoes", "outcomes"} <= set(
        doc
    )
    assert [s["code"] for s in doc["sections"]] == [str(n) for n in range(1, 10)]
    item = doc["sections"][3]["items"][0]
    assert {"id", "group", "text", "method", "max_points", "rule"} <= set(item)
    assert item["group"] == {"code": "4.1", "title": "基本要求"}
    assert item["rule"]["kind"] == "deduct" and item["rule"]["zero_at"] == 3
    assert len(doc["vetoes"]) == 6


def test_unknown_rubric_is_refused(data_dir: Path) -> None:
    refused(run("rubric", "show", "nope", "--json"), "nope")


def test_wrong_usage_exits_2(data_dir: Path) -> None:
    assert run("rubric", "show").code == 2
    assert run("score", "sichuan-2017-inspection").code == 2
    assert run("frobnicate").code == 2


def test_score_json(data_dir: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"answers": {"4.1.1": {"problems": 2}, "6.6.1": {"ratio": 0.02}}, "vetoes": []}),
        encoding="utf-8",
    )
    r = run("score", "sichuan-2017-inspection", "--answers", answers, "--json")
    assert r.code == 0, r.err
    doc = r.json()
    keys = {
        "rubric",
        "version",
        "total",
        "max_points",
        "bonus",
        "sections",
        "items",
        "vetoed",
        "outcome",
        "unanswered",
    }
    assert keys <= set(doc)
    assert doc["total"] == 2 and doc["max_points"] == 100
    item = next(i for i in doc["items"] if i["id"] == "4.1.1")
    assert item["points"] == 1 and "扣2分" in item["reason"]
    assert doc["outcome"] == {"code": "fail", "label": "不合格", "provisional": True}
    assert len(doc["unanswered"]) == 59


def test_score_refuses_an_observation_that_does_not_fit(data_dir: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"answers": {"5.1.1": {"ratio": 0.5}}}', encoding="utf-8")
    refused(run("score", "sichuan-2017-inspection", "--answers", answers), "5.1.1")
    answers.write_text('{"answers": {"9.9.9": {"met": true}}}', encoding="utf-8")
    refused(run("score", "sichuan-2017-inspection", "--answers", answers), "9.9.9")
    answers.write_text('{"answers": {', encoding="utf-8")
    refused(run("score", "sichuan-2017-inspection", "--answers", answers), f"{answers}:1")


def test_validate_names_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'id = "x"\nversion = 1\ntitle = "t"\nmax_points = 1\n[[sections]]\ncode = "1"\n', encoding="utf-8"
    )
    refused(run("rubric", "validate", bad), "bad.toml")
    wrong = tmp_path / "form.docx"
    wrong.write_text("x", encoding="utf-8")
    refused(run("rubric", "validate", wrong), "form.docx", ".toml")


def test_export_import_round_trip_and_versions(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.toml"
    assert run("rubric", "export", "sichuan-2017-inspection", "--out", out).code == 0
    again = run("rubric", "import", out, "--json")
    assert again.code == 0 and again.json()["added"] is False  # same content: nothing changes
    edited = out.read_text(encoding="utf-8").replace(
        "站（所）长岗位职责明确", "站（所）长岗位职责明确清晰", 1
    )
    out.write_text(edited, encoding="utf-8")
    refused(run("rubric", "import", out), "version")
    out.write_text(edited.replace("version = 3", "version = 4", 1), encoding="utf-8")
    added = run("rubric", "import", out, "--json")
    assert added.code == 0 and added.json()["added"] is True
    listed = [x for x in run("rubric", "list", "--json").json() if x["id"] == "sichuan-2017-inspection"]
    assert [x["version"] for x in listed] == [1, 2, 3, 4]
    assert run("rubric", "show", "sichuan-2017-inspection", "--json").json()["version"] == 4
    assert run("rubric", "show", "sichuan-2017-inspection", "--version", "1", "--json").json()["version"] == 1

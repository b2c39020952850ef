"""The forms' own table labels (issue 21): 表2-1 … 表2-6 on a Sichuan sheet of version 2, above the
中项 each table starts with, as in seeds/002 附件2; an evaluation pinned to version 1 prints none (its
form has no labels: what was printed under it is printed the same). And the header's 32-character
评估编号 stands on one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspector.documents.others import render_document
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.documents.test_printed_findings import text_of

SICHUAN = "sichuan-2017-inspection"
HENAN = "henan-2011-quality"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EvaluationStore]:
    data = tmp_path_factory.mktemp("labels") / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    return data, EvaluationStore(db, "张三")


def sheet(folder: tuple[Path, EvaluationStore], rubric: str, version: int, name: str) -> tuple[str, str, str]:
    data, store = folder
    org = add_org(store.db, f"某鉴定站{name}")["id"]
    e = store.create(rubric, org, visit_date="2026-11-19", rubric_version=version)
    for item in store.rubric(rubric, version).items():
        store.record(e.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    layout, raw = text_of(render_document(store, data, e.id, "sheet"), name)
    return e.id, layout, raw


def labels(layout: str) -> list[str]:
    return re.findall(r"^\s*(表\d-\d)\s*$", layout, flags=re.MULTILINE)


def test_version_2_prints_the_forms_table_labels_in_order(folder: tuple[Path, EvaluationStore]) -> None:
    eval_id, layout, raw = sheet(folder, SICHUAN, 2, "labels-sichuan-v2")
    assert labels(layout) == [f"表2-{n}" for n in range(1, 7)]
    # 表2-5 starts at 6.3 (考生资格的复核), inside 大项 6, as the form's table does
    assert re.search(r"表2-5.{0,80}6\.3\.1", raw)
    # the id on one line, the form's version beside it
    assert eval_id in layout and "（评估表第2版）" in raw


def test_henan_labels(folder: tuple[Path, EvaluationStore]) -> None:
    _id, layout, _raw = sheet(folder, HENAN, 2, "labels-henan-v2")
    assert labels(layout) == [f"表1-{n}" for n in range(1, 7)]


def test_a_version_1_evaluation_prints_no_labels(folder: tuple[Path, EvaluationStore]) -> None:
    _id, layout, raw = sheet(folder, SICHUAN, 1, "labels-sichuan-v1")
    assert labels(layout) == [] and "表2-" not in raw


def test_a_label_never_ends_a_page(folder: tuple[Path, EvaluationStore]) -> None:
    _id, layout, _raw = sheet(folder, SICHUAN, 2, "labels-sichuan-pages")
    for page in layout.split("\f"):
        body = [line for line in page.splitlines() if line.strip()]
        footer_free = [line for line in body if "第" not in line or "页" not in line]
        assert not footer_free or not re.fullmatch(r"\s*表\d-\d\s*", footer_free[-1]), page[-300:]

"""质量督导意见书 (福建办法 第三章四（三）): made from the plan, its target's recorded procedure and the
supervision record, checked in the PDF as poppler reads it, through the core and the command line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from inspector.centre.plans import add_target, link_evaluation, new_plan
from inspector.centre.procedure import record_step
from inspector.documents.others import render_document
from inspector.errors import UsageError
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.helpers import refused, run

RECORD = "fujian-2021-supervision-record"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"
TEAM = [
    {"name": "陈督导", "role": "组长"},
    {"name": "林督导", "role": "组员"},
    {"name": "黄督导", "role": "组员"},
]


def pdf_text(data: bytes, name: str) -> tuple[str, str, str]:
    """(text with whitespace removed, pdffonts output, the file) of a rendered PDF, kept as an artifact
    with its pages as PNGs at 60 dpi."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    raw = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True)
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", path, path.with_suffix("")], check=True)
    return re.sub(r"\s+", "", raw.stdout), fonts.stdout, str(path)


@pytest.fixture()
def special(tmp_path: Path) -> tuple[Path, EvaluationStore, str, str, str]:
    """A Fujian 专项督导 plan with one target whose supervision record found two lines 不符合."""
    data = tmp_path / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    org = add_org(db, "福州市某职业技能等级认定中心")["id"]
    plan = new_plan(db, RECORD, "2026年专项督导（考务与证书）", "special", rulebook="fujian-2021-supervision")
    add_target(db, plan.id, org, "2026-03-02")
    store = EvaluationStore(db, "陈督导")
    e = store.create(RECORD, org, visit_date="2026-03-02", team=TEAM)
    link_evaluation(db, plan.id, org, e.id)
    rubric = store.rubric(RECORD, e.rubric_version)
    for item in rubric.items():
        store.record(e.id, item.id, {"met": True})
    unmet = [i.id for i in rubric.items()][3:5]
    store.record(e.id, unmet[0], {"met": False, "note": "抽查3名考生报名材料，1人工作年限证明缺失"})
    store.record(e.id, unmet[1], {"met": False})
    return data, store, plan.id, org, e.id


def test_opinion_needs_the_steps_before_it_then_prints_what_the_text_names(
    special: tuple[Path, EvaluationStore, str, str, str],
) -> None:
    data, store, plan_id, org, eval_id = special
    db = store.db
    # 第三章四: the 意见书 comes after the visit, the preliminary opinion and the institution's reply
    with pytest.raises(UsageError, match="现场考察"):
        render_document(store, data, eval_id, "opinion")
    record_step(db, plan_id, org, "现场考察", "2026-03-02")
    record_step(db, plan_id, org, "初步督导意见", "2026-03-05", note="闽督初〔2026〕3号")
    with pytest.raises(UsageError, match="申辩意见"):
        render_document(store, data, eval_id, "opinion")
    record_step(db, plan_id, org, "申辩意见", "2026-03-10", note="机构称证明已于督导后补交")
    import datetime as dt

    with pytest.raises(UsageError, match="早于上一步"):
        render_document(store, data, eval_id, "opinion", issued=dt.date(2026, 3, 9))
    pdf = render_document(
        store,
        data,
        eval_id,
        "opinion",
        issued=dt.date(2026, 3, 12),
        opinion="补交的证明予以认可，第一项问题仍应整改。",
    )
    text, fonts, path = pdf_text(pdf, "opinion-fujian")
    rubric = store.rubric(RECORD, store.get(eval_id).rubric_version)
    items = list(rubric.items())
    for expected in (
        "质量督导意见书",
        "福州市某职业技能等级认定中心：",
        "第三章四",  # the clause it rests on
        "组长陈督导，成员林督导、黄督导",  # 成立督导小组
        "2026年3月2日",  # 现场考察
        "督导事项：",
        "2026年3月5日形成初步督导意见并向你单位反馈（闽督初〔2026〕3号）",
        "2026年3月10日提出申辩意见：机构称证明已于督导后补交",
        "综合分析你单位的申辩意见",
        "抽查3名考生报名材料，1人工作年限证明缺失",  # what the record found, in its words
        items[4].text.rstrip("。"),  # an unmet line without a note: the line itself
        "补交的证明予以认可",  # the centre's own words
        "完善或整改相关工作，并提交整改工作报告",  # 第三章四（四）
        "2026年3月12日",
        "内容摘要",
    ):
        assert expected in text, expected
    assert items[0].text.rstrip("。") not in text  # a line found 符合 is not a problem
    assert "整改期" not in text and "个月" not in text  # the text sets no term: none invented
    # every font embedded (the CJK one is what reads on a machine without it)
    lines = [x for x in fonts.splitlines()[2:] if x.strip()]
    assert lines and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", x) for x in lines), fonts
    assert Path(path).with_suffix("").with_name(Path(path).stem + "-1.png").exists()
    # once the step is recorded, its own day stands (a later print says the same date)
    record_step(db, plan_id, org, "质量督导意见书", "2026-03-13", note="闽督意〔2026〕7号")
    text, _fonts, _path = pdf_text(render_document(store, data, eval_id, "opinion"), "opinion-fujian-issued")
    assert "2026年3月13日" in text and "闽督意〔2026〕7号" in text
    # a signed record amended: the new revision still belongs to the target (named by the first)
    store.sign(eval_id, [{"name": "陈督导", "role": "组长"}])
    revised = store.amend(eval_id, "补记情况说明")
    text, _fonts, _path = pdf_text(
        render_document(store, data, revised.id, "opinion"), "opinion-fujian-amended"
    )
    assert "质量督导意见书" in text and "福州市某职业技能等级认定中心" in text


def test_opinion_only_where_the_rulebook_has_the_procedure(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    org = add_org(db, "甲机构")["id"]
    store = EvaluationStore(db, "陈督导")
    loose = store.create(RECORD, org, visit_date="2026-03-02", team=TEAM)
    with pytest.raises(UsageError, match="不属于任何督导计划"):
        render_document(store, data, loose.id, "opinion")
    routine = new_plan(db, RECORD, "日常督导", "routine", rulebook="fujian-2021-supervision")
    add_target(db, routine.id, org, "2026-03-02")
    link_evaluation(db, routine.id, org, loose.id)
    with pytest.raises(UsageError, match="没有“质量督导意见书”"):  # 日常督导 has no such procedure
        render_document(store, data, loose.id, "opinion")


def test_opinion_on_the_command_line(
    special: tuple[Path, EvaluationStore, str, str, str], tmp_path: Path
) -> None:
    data, _store, plan_id, org, eval_id = special
    out = tmp_path / "意见书.pdf"
    refused(run("report", "pdf", eval_id[:10], "--kind", "opinion", "--out", out, data=data), "现场考察")
    assert not out.exists()
    for step, day in (("现场考察", "2026-03-02"), ("初步督导意见", "2026-03-04"), ("申辩意见", "2026-03-09")):
        r = run("plan", "step", plan_id, "--org", org, "--step", step, "--on", day, data=data)
        assert r.code == 0, r.err
    r = run("report", "pdf", eval_id[:10], "--kind", "opinion", "--date", "2026-03-11", "--out", out,
            "--opinion", "请于整改后报告。", data=data)  # fmt: skip
    assert r.code == 0, r.err
    text, _fonts, _path = pdf_text(out.read_bytes(), "opinion-cli")
    assert "质量督导意见书" in text and "2026年3月11日" in text and "请于整改后报告。" in text

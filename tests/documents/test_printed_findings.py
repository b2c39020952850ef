"""What the sheet and the notice print, checked in the PDF as poppler reads it: the station's findings,
the notice's number and deadline, the Chongqing reading of its outcome bands, the points of each 中项,
reconstructed lines, figures fixed at signing, provisional totals, and no internal words."""

from __future__ import annotations

import re
import subprocess
import uuid
from decimal import Decimal as D
from pathlib import Path

import pytest

from inspector.centre.rectifications import open_rectification
from inspector.clock import now
from inspector.documents.others import render_document
from inspector.folder import open_folder
from inspector.rubric import rules
from inspector.rubric.rules import Scored
from inspector.store.changes import GENESIS, OBSERVE, Change
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.log import apply_change
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

CQ = "chongqing-2024-renewal"
SICHUAN = "sichuan-2017-inspection"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"
SIGNERS = [{"name": "张三", "role": "组长"}, {"name": "李四", "role": "机构代表"}]


def text_of(data: bytes, name: str) -> tuple[str, str]:
    """(layout text, the text with all whitespace removed) of a rendered PDF, kept as an artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    layout = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True)
    raw = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", path, path.with_suffix("")], check=True)
    return layout.stdout, re.sub(r"\s+", "", raw.stdout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EvaluationStore]:
    data = tmp_path_factory.mktemp("printed") / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    return data, EvaluationStore(db, "张三")


def renewal(store: EvaluationStore, sign: bool = True) -> str:
    """A Chongqing renewal at 79.5: in neither printed band, so 整改 by the text."""
    org = add_org(store.db, f"重庆市某技能评价中心{uuid.uuid4().hex[:4]}")["id"]
    e = store.create(CQ, org, visit_date="2026-11-10", team=SIGNERS[:1])
    for item in store.rubric(CQ, e.rubric_version).items():
        store.record(e.id, item.id, {"met": True})
    store.record(e.id, "2.4.2", {"unmet": [1, 2, 3, 4, 5], "note": "实操考场设备与备案不一致，未设候考区"})
    store.record(e.id, "2.5.1", {"points": 4, "reason": "缺专家评审意见表和备案记录，按两项扣6分"})
    store.record(e.id, "2.8.4", {"unmet": [1, 2]})
    store.record(e.id, "4.1.1", {"met": False})
    store.record(e.id, "4.1.2", {"met": False})
    assert store.report(e.id).total == D("79.5")
    if sign:
        store.sign(e.id, SIGNERS)
    return e.id


def test_the_notice_prints_its_number_deadline_and_what_the_station_must_fix(
    folder: tuple[Path, EvaluationStore],
) -> None:
    data, store = folder
    eval_id = renewal(store)
    open_rectification(
        store.db, eval_id, notice_sent="2026-12-01", months=6, notice_no="渝人社评整〔2026〕12号"
    )
    _layout, raw = text_of(render_document(store, data, eval_id, "notice"), "notice-numbered")
    assert "渝人社评整〔2026〕12号" in raw
    assert "整改期限至2027年6月1日" in raw and "2026年12月1日" in raw  # the deadline and the date sent
    assert "实操考场设备与备案不一致，未设候考区" in raw  # the inspector's note: the finding
    assert "缺专家评审意见表和备案记录" in raw  # an override: the reason the inspector wrote
    assert "人工调整" not in raw  # never internal wording
    assert "无档案材料销毁计划" in raw  # no note: the rule's own reason
    assert "申报机构曾参加过" not in raw and "自主创新" not in raw  # unmet bonus: 不得分、不扣分
    assert "扣10分" in raw and "扣0.5分（扣0.5分）" not in raw


def test_the_chongqing_sheet_reads_its_bands_and_shows_points_per_group(
    folder: tuple[Path, EvaluationStore],
) -> None:
    data, store = folder
    eval_id = renewal(store)
    layout, raw = text_of(render_document(store, data, eval_id, "sheet"), "sheet-chongqing-79.5")
    assert "基本分79.5+加分0=总分79.5分" in raw
    assert "总分在79分与80分之间，未达“80分及以上”" in raw and "依据：通知三（二）2" in raw
    assert "不予续期备案" in raw  # the notice's own word, in the thresholds
    # the 中项 column: the form's maximum and the points scored
    assert "评价场地及设施设备（26分）得16分" in raw and "岗位和履职（6分）得6分" in raw
    # reconstructed lines marked, and said; the transcriber's notes are not printed
    assert "3.1.1◇" in raw and "原文无法辨认、由评估表复原的内容" in raw
    assert "OCR" not in raw and "原文OCR作" not in layout
    # no internal ids or English
    version = store.get(eval_id).rubric_version  # the form's version as printed, not its id
    assert CQ not in raw and f"第{version}版" in raw and "DRAFT" not in raw and "草稿" not in raw
    assert "reason" not in raw and "tier" not in raw
    assert "加分项小计" in raw and "失4分" not in raw  # a bonus not earned is not a loss


def test_a_signed_sheet_keeps_its_figures_and_says_when_a_recomputation_differs(
    folder: tuple[Path, EvaluationStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, store = folder
    eval_id = renewal(store)
    monkeypatch.setattr(rules.Grouped, "score", lambda self, m, obs, where: Scored(m, None))
    assert store.report(eval_id).total == D("90")  # what a later program would say
    _layout, raw = text_of(render_document(store, data, eval_id, "sheet"), "sheet-signed-differs")
    assert "基本分79.5+加分0=总分79.5分" in raw and "总分与结论在签署时确定" in raw
    assert "按现行程序重新计算为90分" in raw and "以签署时为准" in raw


def test_a_total_with_an_unresolved_conflict_is_provisional_in_print(
    folder: tuple[Path, EvaluationStore],
) -> None:
    data, store = folder
    eval_id = renewal(store, sign=False)
    # a team member's laptop recorded 1.1.1 otherwise, not knowing this one's record: a conflict
    rival = Change(
        id=uuid.uuid4().hex, eval_id=eval_id, item_id="1.1.1", kind=OBSERVE, payload={"problems": 2},
        parents=(), author="李四", device_id="e" * 32, device_seq=1, wall_time=now(), prev_hash=GENESIS,
    ).sealed()  # fmt: skip
    with transaction(store.db) as conn:
        apply_change(conn, rival, store.rubric)
    e = store.get(eval_id)
    assert e.conflicts == 1 and e.state == "draft"
    assert store.totals([e])[eval_id].provisional
    _layout, raw = text_of(render_document(store, data, eval_id, "sheet"), "sheet-conflict")
    assert "暂定" in raw and "1个小项的记录不一致，尚未解决" in raw
    assert "暂定：" in raw  # the header's outcome too


def test_an_unsigned_chongqing_sheet_has_no_line_for_a_representative_the_form_lacks(
    folder: tuple[Path, EvaluationStore],
) -> None:
    # 重庆 附件3 closes with 评估组意见 and the group's signatures (组长, 成员): no 机构代表
    data, store = folder
    eval_id = renewal(store, sign=False)
    _layout, raw = text_of(render_document(store, data, eval_id, "sheet"), "sheet-chongqing-unsigned")
    assert "评估组意见" in raw and "机构代表" not in raw


def test_no_rubric_id_or_english_on_a_sichuan_sheet(folder: tuple[Path, EvaluationStore]) -> None:
    data, store = folder
    org = add_org(store.db, "成都市某鉴定站")["id"]
    e = store.create(SICHUAN, org, visit_date="2026-11-19")
    store.record(e.id, "9.1.2", {"tier": 1})  # the second tier, printed as such
    _layout, raw = text_of(render_document(store, data, e.id, "sheet"), "sheet-sichuan-words")
    assert "sichuan-2017-inspection" not in raw and f"第{e.rubric_version}版" in raw
    assert "DRAFT" not in raw and "草稿" in raw
    assert "选择第2档" in raw and "tier" not in raw

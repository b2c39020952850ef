"""After sign-off the window makes the score sheet, signed with the laptop's credential."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.crypto.keys import init_ca, install_credential, issue_certificate
from inspector.crypto.pdfsign import verify_pdf
from inspector.store.evaluations import EvaluationStore
from tests.ui.conftest import Window, evaluation
from tests.ui.test_signoff import sign_name


def test_sign_off_makes_a_signed_sheet(
    window: Window, store: EvaluationStore, demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = init_ca(tmp_path / "ca", "四川省职业技能鉴定指导中心", "centre-pass-2026")
    cred = issue_certificate(tmp_path / "ca", "centre-pass-2026", "张建国", "P001", "组长", "zhang-pin-2026")
    install_credential(demo_folder, cred.p12, "zhang-pin-2026")
    answers = iter([("zhang-pin-2026", True), ("组长", True)])
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", lambda *_a, **_k: next(answers))
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    window.start(e.id, "scoring")
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # summary
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # sign-off
    page = window.w.signoff
    page.rows[3].name.setText("赵丽")  # QTest types ASCII only; an input method types Chinese
    for n, row in enumerate(page.rows):
        sign_name(window, row.pad, n * 5)
    page.confirm.setChecked(True)  # the total and conclusion were read
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # sign
    sheets = window.w.sheets
    window.qtbot.waitUntil(lambda: sheets.last is not None, timeout=60000)
    assert sheets.last is not None and sheets.last.parent == demo_folder / "reports"
    data = sheets.last.read_bytes()
    result = verify_pdf(data, [ca.certificate_pem])
    assert result["valid"] and result["signers"][0]["name"] == "张建国"
    text = subprocess.run(
        ["pdftotext", "-layout", str(sheets.last), "-"], capture_output=True, text=True
    ).stdout
    assert e.org_name in text and "赵丽" in text


def test_ctrl_p_makes_a_draft_sheet_without_a_credential(
    window: Window, store: EvaluationStore, demo_folder: Path
) -> None:
    e = evaluation(store, state="draft", rubric="sichuan-2017-inspection", kind="inspection")
    window.start(e.id, "scoring")
    window.w.sheets.action.trigger()
    window.qtbot.waitUntil(lambda: window.w.sheets.last is not None, timeout=60000)
    assert "草稿" in window.w.sheets.last.name


def test_the_evaluation_menu_prints_the_supervision_opinion(window: Window, store: EvaluationStore) -> None:
    """福建办法 第三章四（三）: the 质量督导意见书 of a 专项督导 target, from the window's evaluation menu
    through the same core call as ``report pdf --kind opinion``."""
    from inspector.centre.plans import add_target, link_evaluation, new_plan
    from inspector.centre.procedure import record_step
    from inspector.store.orgs import add_org

    rubric = "fujian-2021-supervision-record"
    db = store.db
    org = add_org(db, "福州市窗口测试认定中心")["id"]
    plan = new_plan(db, rubric, "2026年专项督导", "special", rulebook="fujian-2021-supervision")
    add_target(db, plan.id, org, "2026-03-02")
    e = store.create(rubric, org, visit_date="2026-03-02", team=[{"name": "陈督导", "role": "组长"}])
    link_evaluation(db, plan.id, org, e.id)
    items = list(store.rubric(rubric, e.rubric_version).items())
    for item in items:
        store.record(
            e.id,
            item.id,
            {"met": item is not items[0], "note": "" if item is not items[0] else "未见制度文件"},
        )
    for step, day in (("现场考察", "2026-03-02"), ("初步督导意见", "2026-03-04"), ("申辩意见", "2026-03-09")):
        record_step(db, plan.id, org, step, day)
    window.start(e.id, "scoring")
    assert window.w.opinion_action.isEnabled()
    window.w.opinion_action.trigger()
    sheets = window.w.sheets
    window.qtbot.waitUntil(lambda: sheets.last is not None, timeout=60000)
    assert sheets.last is not None and "质量督导意见书" in sheets.last.name
    text = subprocess.run(["pdftotext", "-raw", str(sheets.last), "-"], capture_output=True, text=True).stdout
    assert "质量督导意见书" in text and "福州市窗口测试认定中心" in text and "未见制度文件" in text

"""Marks the form disallows, as a team member's bundle brings them: no total on the scoring page,
listed beside it, and cleared one at a time by a confirmed act (a change appended to the log)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from inspector.store.changes import OBSERVE
from inspector.store.db import transaction
from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.log import apply_change
from tests.ui.conftest import SCREENSHOTS, Window
from ui import disallowed


def bring(store: EvaluationStore, eval_id: str, item_id: str, payload: dict[str, object]) -> None:
    """A mark straight into the log, as a bundle import applies it: without today's checks."""
    with transaction(store.db) as conn:
        heads = store._heads(conn, eval_id, item_id)
        c = store._change(conn, eval_id, item_id, OBSERVE, payload, heads)
        known = store.rubric(*conn.execute(
            "SELECT rubric_id, rubric_version FROM evaluations WHERE id = ?", (eval_id,)
        ).fetchone()).has_item(item_id)  # fmt: skip
        apply_change(conn, c, store.rubric, None if known else (None, None, 1))


def test_disallowed_marks_show_no_total_and_are_cleared_on_purpose(
    window: Window, store: EvaluationStore, fresh: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.record(fresh.id, "1.1.1", {"problems": 0})
    bring(store, fresh.id, "6.4.2", {"na": True, "reason": "无此情形"})  # the form gives no such leave
    bring(store, fresh.id, "9.9.9", {"met": True})  # an item the form lacks
    window.start(fresh.id, "scoring")
    session = window.w.session
    assert session is not None
    panel = window.w.scoring.side
    assert panel is not None
    # no total, and why, in the engine's words (what the kept figures and signing say)
    assert panel.total.text() == "无总分"
    assert session.refused is not None and "9.9.9" in session.refused
    assert session.refused in panel.outcome_note.text()
    assert store.totals([store.get(fresh.id)])[fresh.id].refused == session.refused
    box = panel.disallowed_box
    assert not box.isHidden() and set(box.buttons) == {"6.4.2", "9.9.9"}
    window.shot("disallowed-marks")

    asked: list[tuple[str, str, str]] = []

    def no(_parent: object, item_id: str, what: str, why: str) -> bool:
        asked.append((item_id, what, why))
        return False

    monkeypatch.setattr(disallowed, "confirm_clear", no)
    before = len(store.changes(fresh.id))
    box.buttons["9.9.9"].click()
    assert asked == [("9.9.9", "符合", "评估表 sichuan-2017-inspection 没有这个小项")]
    assert len(store.changes(fresh.id)) == before  # not confirmed: nothing written

    monkeypatch.setattr(disallowed, "confirm_clear", lambda *_a: True)
    box.buttons["9.9.9"].click()
    window.settle()
    cleared = store.changes(fresh.id, "9.9.9")
    assert [c.payload for c in cleared] == [{"met": True}, None]  # history appended, the mark kept in it
    assert len(store.changes(fresh.id)) == before + 1
    # the engine now scores the form's marks; 6.4.2's not-applicable is still disallowed: no total
    assert set(panel.disallowed_box.buttons) == {"6.4.2"}
    assert panel.total.text() == "无总分" and session.refused is not None and "6.4.2" in session.refused
    t = store.totals([store.get(fresh.id)])[fresh.id]
    assert t.total is None and t.refused == session.refused

    panel.disallowed_box.buttons["6.4.2"].click()
    window.settle()
    assert session.refused is None and panel.disallowed_box.isHidden()
    assert panel.total.text().startswith("暂计")
    assert store.totals([store.get(fresh.id)])[fresh.id].total == store.report(fresh.id).total


def test_the_clear_dialog_names_the_item_and_the_mark(qtbot: QtBot) -> None:
    dialog = disallowed.ClearMarkDialog(None, "6.4.2", "不适用：无此情形", "该项不能标记为不适用")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(Path(SCREENSHOTS / "disallowed-clear-dialog.png")), "PNG")
    texts = " ".join(w.text() for w in dialog.findChildren(disallowed.QLabel))
    assert "6.4.2" in texts and "不适用：无此情形" in texts and "该项不能标记为不适用" in texts
    assert dialog.clear_button.text() == "清除该记录"
    dialog.reject()


def test_the_summary_and_the_sign_page_show_no_total_for_a_disallowed_mark(
    window: Window, store: EvaluationStore, fresh: Evaluation
) -> None:
    """Answered whole, with a team member's not-applicable on 6.4.2 (the form gives no such leave):
    the tree's section, the 汇总 and the sign page showed 100 points; now none, with the reason."""
    for item in store.rubric(fresh.rubric_id, fresh.rubric_version).items():
        store.record(fresh.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    bring(store, fresh.id, "6.4.2", {"na": True, "reason": "无此情形"})
    window.start(fresh.id, "scoring")
    session = window.w.session
    assert session is not None and session.refused is not None
    page = window.w.scoring
    assert page.model.sections["6"][1].cells[1].text() == "—/32"  # no sum of the section holding it
    assert page.model.sections["5"][1].cells[1].text() == "5/5"
    # nor points for the item itself (its recorded 3 showed beside ⊘): the ⊘, and why on hover
    row = page.model.rows["6.4.2"].cells
    assert row[1].text() == "—/3" and "⊘" in row[2].text()
    assert "评估表不允许的记录：" in row[1].toolTip() and "6.4.2" not in row[1].text()
    assert "评估表不允许的记录：" in row[0].toolTip()
    assert page.model.rows["6.4.1"].cells[1].text() == "1/1"  # the form's own marks keep theirs
    from ui.item_view import result_text

    said = result_text(session.item("6.4.2"), session.results["6.4.2"])
    assert said.startswith("⊘ 不计分") and "3 / 3" not in said and "得分" not in said

    from inspector.store.signing_checks import sign_check
    from ui.finish import summary_html
    from ui.signoff import summary_html as sign_summary

    html = summary_html(session)
    assert "无总分" in html and "6.4.2" in html and "总分：100" not in html and "100 / 100" not in html
    assert "— / 3" in html and "3 / 3" not in html  # the item's row: no points
    check = sign_check(store, fresh.id)
    assert not check.ok and check.disallowed == session.refused
    signing = sign_summary(session, check)
    assert "无总分" in signing and "100 / 100" not in signing and "评估结论" not in signing
    window.start(fresh.id, "finish")
    window.settle()
    window.shot("disallowed-marks-finish")


def test_the_draft_sheet_prints_no_points_for_a_disallowed_mark(
    store: EvaluationStore, fresh: Evaluation, tmp_path: Path
) -> None:
    """The draft score sheet of the same evaluation printed 总分 100, 合格, the section's 32 and the
    item's 3: now — for the item (with why), its section's sum and the total, and no outcome."""
    import subprocess

    from inspector.documents.score_sheet import render_sheet

    for item in store.rubric(fresh.rubric_id, fresh.rubric_version).items():
        store.record(fresh.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    bring(store, fresh.id, "6.4.2", {"na": True, "reason": "无此情形"})
    path = tmp_path / "draft.pdf"
    path.write_bytes(render_sheet(store, tmp_path, fresh.id))
    text = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    (path.parent / "draft.txt").write_text(text)
    assert flat.count("评估结论无总分，暂无结论") == 2  # the header and the result block: no outcome
    assert "总分无总分" in flat and "100分" not in flat.split("评估结论")[0]  # the header's total
    assert "鉴定实施要求小计32—" in flat and "总分100—无总分" in flat  # no section sum, no total
    assert "鉴定实施要求小计3232" not in flat
    assert "—△" in flat and "评估表不允许的记录：该项不能标记为不适用" in flat  # the item: no points, why

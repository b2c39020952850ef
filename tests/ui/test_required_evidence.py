"""Issue 21 in the window: a deduction the rubric requires a photo for shows what it lacks (the
tree's ！, the item's red line, the summary's blocker); the tree counts each item's evidence (证n);
the summary's 负责 names the whole team when no 大项 was assigned, and its tables fill the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from tests.store.test_evidence_required import CLAUSE, centre_version
from tests.ui.conftest import Window

SICHUAN = "sichuan-2017-inspection"


def test_a_required_photo_is_shown_missing_then_counted(
    window: Window, store: EvaluationStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    centre_version(store, {"1.1.1": "photo"})
    org = add_org(store.db, "证据测试鉴定站", "TEST-EV-0001")["id"]
    team = [{"name": "张建国", "role": "组长"}, {"name": "李秀英", "role": "组员"}]  # no 大项 assigned
    e = store.create(SICHUAN, org, visit_date="2026-11-30", team=team, rubric_version=90)
    for item in store.rubric(SICHUAN, 90).items():
        store.record(e.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    store.record(e.id, "1.1.1", {"met": False, "note": "未设站长岗位"})

    window.start(e.id, "scoring")
    page = window.w.scoring
    view = page.item_view
    assert view is not None and page.model is not None
    view.show_item("1.1.1")
    marks = page.model.index_of("1.1.1", 2)
    assert "！" in marks.data() and "缺照片" in page.model.itemFromIndex(marks).toolTip()
    assert "证" not in marks.data()
    assert "本项扣分须附照片" in view.evidence_rule.text() and CLAUSE in view.evidence_rule.text()
    assert "缺照片" in view.evidence_rule.text()
    window.shot("required-evidence-missing")

    from ui.finish import summary_html

    html = summary_html(page.session)  # type: ignore[arg-type]
    assert "1.1.1（缺照片）" in html and "缺评估表要求的证据" in html
    assert "全组（组长 张建国）" in html  # 负责, where nobody was given a 大项
    assert "width='100%'" in html  # the 失分明细 table wraps in the page instead of running off it

    photo = tmp_path / "站长岗位.jpg"
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7bd5"))
    assert image.save(str(photo))
    monkeypatch.setattr("ui.item_view.ask_caption", lambda *_a, **_k: "岗位设置文件")
    view.attach([photo])
    window.settle()
    marks = page.model.index_of("1.1.1", 2)
    assert "证1" in marks.data() and "！" not in marks.data()
    assert "缺照片" not in view.evidence_rule.text() and "本项扣分须附照片" in view.evidence_rule.text()
    assert "缺评估表要求的证据" not in summary_html(page.session)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_summary_fits_its_page_with_long_reasons(
    window: Window, store: EvaluationStore, width: int
) -> None:
    """The 汇总's 失分明细 table ran past the page's right edge (the reason and note columns
    clipped) at 1366 and 1024 px: it now fills the page and wraps inside its cells."""
    org = add_org(store.db, "汇总测试鉴定站", f"TEST-SUM-{width}")["id"]
    e = store.create(SICHUAN, org, visit_date="2026-11-30", team=[{"name": "张建国", "role": "组长"}])
    long_note = "抽查近一年考务档案，" * 12 + "未见考评员签到表。"
    for item in store.rubric(SICHUAN, e.rubric_version).items():
        store.record(e.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    for item_id in ("1.1.1", "2.1.3", "3.1.1"):
        store.record(e.id, item_id, {"problems": 1, "note": long_note})
    window.w.resize(width, 768)
    window.start(e.id, "finish")
    window.settle()
    browser = window.w.finish.browser
    window.qtbot.waitUntil(lambda: "失分明细" in browser.toPlainText(), timeout=10000)
    assert browser.horizontalScrollBar().maximum() == 0, "the summary runs past the page's right edge"
    window.shot(f"summary-{width}")

"""The register page at the centre lists the corrections stations proposed (old → new, who, when)
and accepts or rejects each one; rejecting asks the reason, accepting a Sichuan change of 负责人
marks the entry 需重新登记. The decision dialog is answered by the test (it is modal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from inspector.centre import corrections as c
from inspector.centre.register import get_register
from inspector.folder import open_folder
from tests.ui.conftest import Window
from tests.ui.test_centre_views import centre_template, folder, modal, show, texts  # noqa: F401

SICHUAN_PLAN = "2026年下半年职业技能鉴定站检查评估"


def proposal(n: int, field: str, old: Any, new: Any, reason: str) -> dict[str, Any]:
    return {
        "id": f"{n:032x}",
        "field": field,
        "old": old,
        "new": new,
        "reason": reason,
        "proposed_at": f"2026-04-2{n}T09:00:00+08:00",
        "by": "站长 王强",
    }


@pytest.fixture
def received(folder: Path) -> dict[str, Any]:  # noqa: F811
    """Three proposals of one Sichuan station received at the centre, before the window opens."""
    db = open_folder(folder)
    org = db.conn.execute(
        "SELECT t.org_id FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.title = ?"
        " ORDER BY t.org_id LIMIT 1",
        (SICHUAN_PLAN,),
    ).fetchone()[0]
    entry = get_register(db, org)
    batch = [
        proposal(1, "head", entry["head"], "张新", "原负责人退休"),
        proposal(2, "site_area", entry["site_area"], 1620.5, "新建实训楼"),
        proposal(3, "contact", "某人", "钱七", "人员调整"),  # the station's old is not the centre's
    ]
    assert c.receive(db, org, batch, "王强", "bundle-1") == 3
    db.conn.close()
    return {"org": org, "name": entry["name"], "head": entry["head"], "ids": [p["id"] for p in batch]}


@pytest.fixture
def cwin(qtbot: QtBot, folder: Path, received: dict[str, Any]) -> Iterator[Window]:  # noqa: F811
    w = Window(qtbot, folder)
    w.start()
    yield w
    w.settle()
    w.w.close()


def answer(reason: str, check: Callable[[Any], None] | None = None, ok: bool = True) -> Callable[[Any], int]:
    def then(d: Any) -> int:
        if check is not None:
            check(d)
        d.reason.setPlainText(reason)
        return int(QDialog.DialogCode.Accepted if ok else QDialog.DialogCode.Rejected)

    return then


def test_corrections_are_listed_and_decided_one_by_one(
    cwin: Window,
    folder: Path,  # noqa: F811
    received: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.centre.corrections_view import DecisionDialog
    from ui.centre.register_view import RegisterPage

    page = show(cwin, "register")
    assert isinstance(page, RegisterPage)
    pane = page.corrections
    assert pane.isVisible() and pane.table.proxy.rowCount() == 3
    assert "（3）" in pane.title.text()
    headers = [pane.table.rows_model.columns[i].header for i in range(len(pane.table.rows_model.columns))]
    rows = {
        r[headers.index("项目")]: r
        for r in zip(*(texts(pane.table, i) for i in range(len(headers))), strict=True)
    }
    head = rows["负责人"]
    assert head[headers.index("原值 → 新值")] == f"{received['head']} → 张新"
    assert (
        head[headers.index("提出人")] == "站长 王强" and head[headers.index("提出时间")] == "2026-04-21 09:00"
    )
    assert head[headers.index("签名人")] == "王强" and head[headers.index("接受后")] == "需重新登记"
    assert rows["场地面积（m²）"][headers.index("接受后")] == "—"
    cwin.shot("centre-register-corrections")

    # Reject: the dialog will not go on without a reason; cancelling changes nothing.
    pane.table.select(lambda p: p["field"] == "site_area")
    modal(monkeypatch, DecisionDialog, answer("不必", ok=False))
    pane.reject_button.click()
    cwin.settle()
    assert len(c.pending(open_folder(folder))) == 3

    def reason_required(d: Any) -> None:
        assert not d.ok.isEnabled()

    modal(monkeypatch, DecisionDialog, answer("未附产权证明", reason_required))
    with cwin.qtbot.waitSignal(page.loaded, timeout=20000):
        pane.reject_button.click()
    assert "已拒绝更正" in cwin.w.statusBar().currentMessage()
    got = c.get_correction(open_folder(folder), received["ids"][1])
    assert (got["decision"], got["decision_reason"]) == ("rejected", "未附产权证明")
    assert got["decided_by"] == cwin.w.user  # the window's user decided
    assert pane.table.proxy.rowCount() == 2

    # Accept the change of 负责人: the dialog says beforehand that it calls for re-registration.
    pane.table.select(lambda p: p["field"] == "head")
    assert page.table.current()["id"] == received["org"]  # its organisation's entry is shown above

    def warned(d: Any) -> None:
        assert d.ok.isEnabled()  # a reason is not needed to accept
        assert d.note is not None and "三（一）" in d.note.text() and "需重新登记" in d.note.text()

    modal(monkeypatch, DecisionDialog, answer("", warned))
    with cwin.qtbot.waitSignal(page.loaded, timeout=20000):
        pane.accept_button.click()
    message = cwin.w.statusBar().currentMessage()
    assert "已接受更正" in message and "张新" in message and "需重新登记" in message
    entry = get_register(open_folder(folder), received["org"])
    assert entry["head"] == "张新" and [m["field"] for m in entry["reregistration"]] == ["head"]

    # The register shows it: the column and the entry's fields, with the clause.
    page.table.select(lambda e: e["id"] == received["org"])
    columns = [page.table.rows_model.columns[i].header for i in range(len(page.table.rows_model.columns))]
    row = page.table.proxy.index(page.table.currentIndex().row(), columns.index("重新登记"))
    assert row.data() == "需重新登记" and "297号" in row.data(Qt.ItemDataRole.ToolTipRole)
    fields = dict(zip(texts(page.fields, 0), texts(page.fields, 1), strict=True))
    assert fields["负责人"] == "张新" and "负责人已变更" in fields["需重新登记"]

    # The last one accepted too: the pane goes away when nothing waits.
    modal(monkeypatch, DecisionDialog, answer("核实无误"))
    with cwin.qtbot.waitSignal(page.loaded, timeout=20000):
        pane.accept_button.click()
    assert not pane.isVisible()
    assert c.pending(open_folder(folder)) == []

"""The centre's views in the window, on a data folder filled by fill_centre_demo: each shows the
demo data, a dispatch from the dialog is stored and shown, a blocked draw is explained, the
results desk lists the overdue record and the rectification (and sends a notice with its PDF),
the statistics charts render. A screenshot of each goes to artifacts/screenshots/centre-*.png.

Dialogs that would wait for a person (``exec()``, the file dialogs) are replaced by ones that
answer at once; everything else goes through the same buttons and the same worker as a user's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from inspector.centre.plans import add_target, dispatches
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import list_orgs
from tests.centre.rulebook_helpers import new_plan  # a centre's composed rulebook (Zhengzhou + its own)
from tests.centre_support import TODAY, demo_folder
from tests.ui.conftest import ROOT, SCREENSHOTS, SIZE, Window
from ui.centre.common import CentrePage, Table

SICHUAN = "sichuan-2017-inspection"


@pytest.fixture(scope="session")
def centre_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_folder(tmp_path_factory.mktemp("centre-template") / "data")


@pytest.fixture
def folder(centre_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "data"
    shutil.copytree(centre_template, target)
    monkeypatch.setenv("INSPECTOR_DATA", str(target))
    monkeypatch.setenv("INSPECTOR_USER", "省鉴定中心")
    return target


@pytest.fixture
def win(qtbot: QtBot, folder: Path) -> Iterator[Window]:
    w = Window(qtbot, folder)
    w.start()
    yield w
    w.settle()
    w.w.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The file dialogs answered at once: a save goes to tmp_path/<suggested name>."""
    chosen: dict[str, Any] = {"saved": [], "open": None}

    def save(parent: QWidget, title: str, suggested: str, kind: str, suffix: str) -> Path:
        path = tmp_path / "out" / suggested
        path.parent.mkdir(exist_ok=True)
        chosen["saved"].append(path)
        return path

    for module in ("common", "stats_view", "rectify_dialogs", "dispatch_dialog"):
        monkeypatch.setattr(f"ui.centre.{module}.ask_save_path", save)
    monkeypatch.setattr("ui.centre.register_view.ask_open_path", lambda *a: chosen["open"])
    return chosen


def user_errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages a page would show the user, collected instead of shown in a box."""
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.centre.common.show_user_error", lambda parent, e, title=None: shown.append(str(e))
    )
    return shown


def show(win: Window, name: str) -> CentrePage:
    """Open a section through the window's keyboard shortcut and wait until its data is shown."""
    from ui.centre import VIEWS

    page = win.w.centre.page(name)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        win.qtbot.keyClick(
            win.w, Qt.Key(Qt.Key.Key_1 + VIEWS.index(name) + 1), Qt.KeyboardModifier.AltModifier
        )
    assert win.w.view() == name
    assert win.w.nav.currentRow() == VIEWS.index(name) + 1
    win.settle()
    return page


def texts(table: Table, column: int) -> list[str]:
    return [str(table.proxy.index(r, column).data()) for r in range(table.proxy.rowCount())]


def grab(widget: QWidget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path), "PNG")
    return path


def modal(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], then: Callable[[Any], int]) -> list[Any]:
    """``cls.exec()`` shows the dialog and lets ``then(dialog)`` answer for the person."""
    made: list[Any] = []

    def exec_(self: Any) -> int:
        made.append(self)
        self.show()
        return then(self)

    monkeypatch.setattr(cls, "exec", exec_)
    return made


# -- register and roster --------------------------------------------------------------------------------


def test_register_shows_every_organisation_with_its_form(win: Window, answers: dict[str, Any]) -> None:
    from ui.centre.register_view import RegisterPage

    page = show(win, "register")
    assert isinstance(page, RegisterPage)
    assert page.table.proxy.rowCount() == 12
    assert "乐山市技师学院职业技能鉴定所" in texts(page.table, 0)
    page.table.select(lambda e: e["name"] == "乐山市技师学院职业技能鉴定所")
    fields = dict(zip(texts(page.fields, 0), texts(page.fields, 1), strict=True))
    assert (
        fields["类别"].startswith("A 技工学校") and fields["负责人"] == "杨明" and fields["地区"] == "乐山市"
    )
    assert page.lists["appraisals"].proxy.rowCount() == 6
    assert page.details.tabText(5) == "近3年鉴定情况 6"
    win.shot("centre-register")
    with win.qtbot.waitSignal(page.loaded, timeout=20000):  # F5 reads the page again
        win.qtbot.keyClick(page.table, Qt.Key.Key_F5)
    assert page.table.current()["name"] == "乐山市技师学院职业技能鉴定所"  # the selection kept

    # Export, then import the same workbook: nothing changes, and the status bar says so.
    page.export_workbook()
    win.settle()
    saved = answers["saved"][-1]
    assert openpyxl.load_workbook(saved, read_only=True).sheetnames[:2] == ["机构登记", "管理人员"]
    answers["open"] = saved
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.import_workbook()
    assert "未变 12" in win.w.statusBar().currentMessage()


def test_a_refused_import_is_one_message(
    win: Window, answers: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = show(win, "register")
    bad = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "机构登记"
    ws.append(["机构名称", "机构代码", "类别"])
    ws.append(["甲站", "X1", "Z"])
    wb.save(bad)
    answers["open"] = bad
    shown = user_errors(monkeypatch)
    page.import_workbook()
    win.settle()
    assert len(shown) == 1 and "机构登记!C2" in shown[0]


def test_an_organisation_is_registered_from_the_window(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.centre.register_dialogs import AddOrgDialog
    from ui.centre.register_view import RegisterPage

    page = show(win, "register")
    assert isinstance(page, RegisterPage)
    shown = user_errors(monkeypatch)

    def fill(post_code: str) -> Callable[[Any], int]:
        def then(d: Any) -> int:
            d.name.setText("广元市职业技能鉴定站")
            d.code.setText("12510800MB0000001X")
            d.category.setCurrentIndex(d.category.findData("G"))
            d.fields_["region"].setText("广元市")
            d.fields_["post_code"].setText(post_code)
            return int(QDialog.DialogCode.Accepted)

        return then

    modal(monkeypatch, AddOrgDialog, fill("6280"))
    page.add_button.click()
    win.settle()
    assert len(shown) == 1 and "邮编" in shown[0]  # refused: one message, nothing stored
    assert len(list_orgs(open_folder(folder))) == 12
    modal(monkeypatch, AddOrgDialog, fill("628000"))
    page.add_button.click()
    win.qtbot.waitUntil(lambda: "已登记机构" in win.w.statusBar().currentMessage(), timeout=20000)
    win.qtbot.waitUntil(
        lambda: (page.table.current() or {}).get("name") == "广元市职业技能鉴定站", timeout=20000
    )
    fields = dict(zip(texts(page.fields, 0), texts(page.fields, 1), strict=True))
    assert fields["地区"] == "广元市" and fields["邮编"] == "628000" and fields["类别"].startswith("G")


def test_an_organisations_register_fields_are_corrected_from_the_window(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.centre.register import get_register
    from ui.centre.register_dialogs import EditOrgDialog
    from ui.centre.register_view import RegisterPage

    page = show(win, "register")
    assert isinstance(page, RegisterPage)
    shown = user_errors(monkeypatch)
    entry = page.table.current()
    assert entry is not None and entry["phone"] and entry["address"]
    before = get_register(open_folder(folder), entry["id"])

    def fill(post_code: str) -> Callable[[Any], int]:
        def then(d: Any) -> int:
            assert d.edits["address"].text() == entry["address"]  # the current values, ready to correct
            d.edits["post_code"].setText(post_code)
            d.edits["phone"].setText("")
            fiscal = d.edits["fee_fiscal_account"]
            assert fiscal.currentData() is True
            fiscal.setCurrentIndex(fiscal.findData(False))
            return int(QDialog.DialogCode.Accepted)

        return then

    modal(monkeypatch, EditOrgDialog, fill("62800"))
    page.edit_button.click()
    win.settle()
    assert len(shown) == 1 and "邮编" in shown[0] and entry["name"] in shown[0]
    assert get_register(open_folder(folder), entry["id"]) == before  # refused: nothing changed

    modal(monkeypatch, EditOrgDialog, fill("628000"))
    page.edit_button.click()
    win.qtbot.waitUntil(lambda: "已保存登记信息" in win.w.statusBar().currentMessage(), timeout=20000)
    win.qtbot.waitUntil(lambda: (page.table.current() or {}).get("post_code") == "628000", timeout=20000)
    after = get_register(open_folder(folder), entry["id"])
    assert after["phone"] is None and after["fee_fiscal_account"] is False
    untouched = {k: v for k, v in before.items() if k not in ("post_code", "phone", "fee_fiscal_account")}
    assert {k: after[k] for k in untouched} == untouched
    fields = dict(zip(texts(page.fields, 0), texts(page.fields, 1), strict=True))
    assert fields["邮编"] == "628000" and fields["收费进入财政专户"] == "否"


def pick(win: Window, page: Any, row: Any) -> None:
    """Select a person and wait for their records (at once if they are on screen already)."""
    if page.shown == row.person.id:
        return
    with win.qtbot.waitSignal(page.person_shown, timeout=20000, check_params_cb=lambda i: i == row.person.id):
        page.table.select(lambda r: r is row)


def test_roster_shows_cards_recusal_and_history(win: Window, answers: dict[str, Any]) -> None:
    from ui.centre.roster_view import RosterPage

    page = show(win, "roster")
    assert isinstance(page, RosterPage)
    rows = {r.person.name: r for r in page.table.rows_model.rows}
    assert len(rows) == 12
    assert rows["孙丽华"].card == "expired" and rows["孙丽华"].card_text == "已过期"
    assert not rows["郑伟"].person.active and "暂停" in rows["郑伟"].status_text
    assert rows["周建华"].employer == "成都市技师学院职业技能鉴定所"
    assert "绵阳职业技术学院职业技能鉴定站（考评员）" in rows["吴敏"].roles
    busiest = max(rows.values(), key=lambda r: r.tasks)
    pick(win, page, busiest)
    assert page.history.proxy.rowCount() == busiest.tasks > 0
    assert page.details.tabText(0) == f"督导任务 {busiest.tasks}"
    zhang = rows["张建国"]
    pick(win, page, zhang)
    assert [a["result_name"] for a in page.annual.rows_model.rows if a["year"] == 2025] == [
        "优秀（本中心自定等次）"  # not a grade the documents name: labelled as the centre's own
    ]
    page.details.setCurrentIndex(0)
    win.shot("centre-roster")
    page.export_workbook()
    win.settle()
    assert "督导员名册" in openpyxl.load_workbook(answers["saved"][-1], read_only=True).sheetnames


def test_roster_forms_add_review_assess_and_suspend(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.centre.people import annual_summary, get_person, list_people, reviews
    from ui.centre.roster_dialogs import (
        AddPersonDialog,
        AnnualDialog,
        ReviewDialog,
        RolesDialog,
        SuspendDialog,
    )
    from ui.centre.roster_view import RosterPage

    page = show(win, "roster")
    assert isinstance(page, RosterPage)
    shown = user_errors(monkeypatch)

    def written(button: QPushButton, message: str) -> None:
        """Click, and wait until the write is done (the status bar says so) and read back."""
        button.click()
        win.qtbot.waitUntil(lambda: message in win.w.statusBar().currentMessage(), timeout=20000)
        win.qtbot.waitUntil(lambda: page.details_shown is not None, timeout=20000)
        win.settle()

    def answer(cls: type[QDialog], fill: Callable[[Any], None]) -> None:
        def then(d: Any) -> int:
            fill(d)
            return int(QDialog.DialogCode.Accepted)

        modal(monkeypatch, cls, then)

    def fill_person(d: Any, cert_no: str) -> None:
        d.name.setText("林晓")
        d.kind.setCurrentIndex(d.kind.findData("external"))
        d.cert_no.setText(cert_no)
        d.employer.setCurrentIndex(
            d.employer.findText("乐山市技师学院职业技能鉴定所", Qt.MatchFlag.MatchStartsWith)
        )

    # A new supervisor, through the button; the page reads itself again.
    taken = list_people(open_folder(folder))[0].cert_no
    answer(AddPersonDialog, lambda d: fill_person(d, taken))
    add = page.add_button
    add.click()
    win.settle()
    assert len(shown) == 1 and taken in shown[0]  # a taken card number: one message, nothing stored
    assert len(list_people(open_folder(folder))) == 12
    answer(AddPersonDialog, lambda d: fill_person(d, "ZD-2026-0999"))
    written(add, "已登记督导员：林晓")
    lin = next(r for r in page.table.rows_model.rows if r.person.name == "林晓")
    assert lin.person.kind == "external" and lin.employer == "乐山市技师学院职业技能鉴定所"

    # The review of a task just done: the busiest supervisor's latest task, rated 不合格 with a breach.
    busiest = max(page.table.rows_model.rows, key=lambda r: r.tasks)
    pick(win, page, busiest)
    latest = page.history.rows_model.rows[-1]

    def fill_review(d: Any) -> None:
        assert d.task.currentData() == latest and not d.day.isEnabled()
        d.rating.setCurrentIndex(d.rating.findData("fail"))
        d.violation.setChecked(True)
        d.objectivity.setText("报告与现场不符")  # 郑州办法 第十一条 (三), recorded apart
        d.comment.setPlainText("未按规定回避")

    answer(ReviewDialog, fill_review)
    before = len(reviews(open_folder(folder), busiest.person.id))
    written(page.review_button, "任务评价")
    stored = reviews(open_folder(folder), busiest.person.id)
    assert len(stored) == before + 1
    new = next(r for r in stored if r["comment"] == "未按规定回避")
    assert new["rating"] == "fail" and new["violation"] and new["task_date"] == latest["date"]
    assert new["objectivity"] == "报告与现场不符" and new["completion"] is None
    assert new["org"] == latest["org"] and new["reviewer"] == page.ctx.user
    win.qtbot.waitUntil(
        lambda: any(r["comment"] == "未按规定回避" for r in page.reviews.rows_model.rows), timeout=20000
    )

    # The year's assessment, then a suspension with its reason, then reinstated.
    def fill_annual(d: Any) -> None:
        d.year.setValue(2026)
        d.outcome.setCurrentIndex(d.outcome.findData("fail"))

    answer(AnnualDialog, fill_annual)
    written(page.annual_button, "年度考核")
    assert annual_summary(open_folder(folder), busiest.person.id, 2026)["result"] == "fail"

    answer(SuspendDialog, lambda d: d.reason.setPlainText(""))
    page.suspend_button.click()
    win.settle()
    assert len(shown) == 2 and "理由" in shown[1]  # no reason: refused, still active
    assert get_person(open_folder(folder), busiest.person.id).active
    answer(SuspendDialog, lambda d: d.reason.setPlainText("2026 年度考核不合格"))
    written(page.suspend_button, "已暂停")
    win.qtbot.waitUntil(lambda: not page.table.current().person.active, timeout=20000)
    row = page.table.current()
    assert row.person.id == busiest.person.id and "暂停：2026 年度考核不合格" in row.status_text
    answer(SuspendDialog, lambda d: None)
    written(page.suspend_button, "已恢复")
    assert get_person(open_folder(folder), busiest.person.id).active
    # 暂停 with its term, then 取消资格 (福建办法 第四章一): final, no reinstatement
    answer(SuspendDialog, lambda d: (d.reason.setPlainText("本人申请"), d.has_until.setChecked(True)))
    written(page.suspend_button, "已暂停")
    assert get_person(open_folder(folder), busiest.person.id).suspended_until is not None
    answer(SuspendDialog, lambda d: None)
    written(page.suspend_button, "已恢复")

    def cancel(d: Any) -> None:
        d.reason.setPlainText("弄虚作假")
        d.cancel.setChecked(True)

    answer(SuspendDialog, cancel)
    written(page.suspend_button, "已取消")
    assert get_person(open_folder(folder), busiest.person.id).cancelled_at
    answer(SuspendDialog, lambda d: None)
    page.suspend_button.click()
    win.settle()
    assert "取消资格" in shown[-1]  # no reinstatement
    assert not get_person(open_folder(folder), busiest.person.id).active

    # Recusal grounds: 吴敏 is an assessor at 绵阳; add 乐山 as exam staff, drop 绵阳.
    wu = next(r for r in page.table.rows_model.rows if r.person.name == "吴敏")
    pick(win, page, wu)

    def fill_roles(d: Any) -> None:
        assert d.list.count() == len(wu.person.roles) >= 1
        d.org.setCurrentIndex(d.org.findText("乐山市技师学院职业技能鉴定所", Qt.MatchFlag.MatchStartsWith))
        d.role.setCurrentIndex(d.role.findData("exam_staff"))
        [add] = [b for b in d.findChildren(QPushButton) if b.text().startswith("添加")]
        add.click()
        add.click()  # twice: still one entry
        for i in range(d.list.count()):
            d.list.item(i).setSelected("绵阳" in d.list.item(i).text())
        [remove] = [b for b in d.findChildren(QPushButton) if b.text().startswith("删除所选")]
        remove.click()

    answer(RolesDialog, fill_roles)
    written(page.roles_button, "回避机构")
    win.qtbot.waitUntil(lambda: "乐山" in page.table.current().roles, timeout=20000)
    row = page.table.current()
    assert row.person.name == "吴敏" and "绵阳" not in row.roles and "（考务人员）" in row.roles
    assert [r for _o, r in get_person(open_folder(folder), wu.person.id).roles] == ["exam_staff"]

    # another ground, with its dates (福建办法 第三章六 "可能影响其客观公正"): a relative at 德阳 until June
    from ui.centre.roster_dialogs import GroundDialog

    def fill_ground(d: Any) -> None:
        d.org.setCurrentIndex(
            d.org.findText("德阳市就业训练中心职业技能鉴定站", Qt.MatchFlag.MatchStartsWith)
        )
        d.ground.setCurrentIndex(d.ground.findData("relative"))
        d.has_until.setChecked(True)
        d.until.setDate(QDate(2027, 6, 30))

    answer(GroundDialog, fill_ground)
    written(page.ground_button, "回避事由")
    win.qtbot.waitUntil(lambda: "亲属" in page.table.current().roles, timeout=20000)
    assert "德阳市就业训练中心职业技能鉴定站（亲属在该机构任职，…–2027-06-30）" in page.table.current().roles


def test_a_card_renewed_from_the_roster_keeps_the_one_before(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.centre.people import earlier_cards, get_person
    from ui.centre.roster_dialogs import RenewCardDialog
    from ui.centre.roster_view import RosterPage

    page = show(win, "roster")
    assert isinstance(page, RosterPage)
    shown = user_errors(monkeypatch)
    first, second = page.table.rows_model.rows[:2]
    pick(win, page, first)

    def renew(cert_no: str) -> Callable[[Any], int]:
        def then(d: Any) -> int:
            assert d.cert_no.text() == first.person.cert_no  # the current card, ready to edit
            d.cert_no.setText(cert_no)
            d.has_until.setChecked(True)
            d.until.setDate(QDate(2029, 12, 31))
            return int(QDialog.DialogCode.Accepted)

        return then

    modal(monkeypatch, RenewCardDialog, renew(second.person.cert_no))
    page.renew_button.click()
    win.settle()
    assert len(shown) == 1 and second.person.name in shown[0]  # someone else's card: refused
    assert earlier_cards(open_folder(folder), first.person.id) == []
    modal(monkeypatch, RenewCardDialog, renew("ZD-2026-RENEWED"))
    page.renew_button.click()
    win.qtbot.waitUntil(lambda: "换发证卡" in win.w.statusBar().currentMessage(), timeout=20000)
    win.qtbot.waitUntil(lambda: page.table.current().person.cert_no == "ZD-2026-RENEWED", timeout=20000)
    person = get_person(open_folder(folder), first.person.id)
    assert person.cert_last_day == dt.date(2029, 12, 31) and person.roles == first.person.roles
    (card,) = earlier_cards(open_folder(folder), first.person.id)
    assert card["cert_no"] == first.person.cert_no and card["replaced_by"] == page.ctx.user
    assert card["reason"] == "换发证卡"


def test_the_centre_prints_an_assignment_slip_from_the_roster(
    qtbot: QtBot, folder: Path, answers: dict[str, Any], tmp_path: Path
) -> None:
    """The slip with the CA fingerprint, for the first import's comparison, printed from the window."""
    import subprocess

    from inspector.bundles.credentials import issue_for_person
    from inspector.centre.people import list_people
    from inspector.crypto.identity import init_centre
    from inspector.crypto.keys import fingerprint
    from ui.centre.roster_view import RosterPage

    db = open_folder(folder)
    _info, identity = init_centre(folder, folder / "ca", "四川省职业技能鉴定指导中心", "centre-secret")
    person = next(p for p in list_people(db) if p.cert_last_day > dt.date.today())
    issue_for_person(db, folder / "ca", "centre-secret", person.id, "135790")
    db.conn.close()
    win = Window(qtbot, folder)
    win.start()
    page = show(win, "roster")
    assert isinstance(page, RosterPage)
    row = next(r for r in page.table.rows_model.rows if r.person.id == person.id)
    pick(win, page, row)
    page.slip_button.click()
    win.qtbot.waitUntil(lambda: "派发单" in win.w.statusBar().currentMessage(), timeout=20000)
    (pdf,) = answers["saved"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert fingerprint(identity.ca) in "".join(text.split()) and person.name in text
    win.settle()
    win.w.close()


# -- plans and the dispatch ------------------------------------------------------------------------------


def new_campaign(folder: Path, *names: str, kind: str = "routine") -> str:
    db = open_folder(folder)
    try:
        plan = new_plan(db, SICHUAN, "2026年12月专项检查", kind, starts="2026-12-01", ends="2026-12-20")
        orgs = {o["name"]: o["id"] for o in list_orgs(db)}
        for name in names:
            add_target(db, plan.id, orgs[name], "2026-12-10")
        return plan.id
    finally:
        db.conn.close()


def open_dispatch(win: Window, monkeypatch: pytest.MonkeyPatch, plan_id: str) -> Any:
    from ui.centre.dispatch_dialog import DispatchDialog
    from ui.centre.plans_view import PlansPage

    page = show(win, "plans")
    assert isinstance(page, PlansPage)
    assert page.select_plan(plan_id)
    made = modal(monkeypatch, DispatchDialog, lambda d: 0)
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)  # the draw asks first: a public record cannot be withdrawn
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("ui.centre.dispatch_dialog.QMessageBox.question", yes)
    page.dispatch_button.click()
    dialog = made[0]
    dialog.asked = asked
    win.qtbot.waitExposed(dialog)
    return page, dialog


def test_plans_show_the_demo_campaigns(win: Window) -> None:
    from ui.centre.plans_view import PlansPage

    page = show(win, "plans")
    assert isinstance(page, PlansPage)
    titles = texts(page.plans, 0)
    assert titles == ["2026年下半年职业技能鉴定站检查评估", "2026年上半年职业技能鉴定站检查评估"]
    assert page.targets.proxy.rowCount() == 7
    teams = texts(page.targets, 4)
    assert all(len(t.split("、")) == 3 for t in teams)
    # the leader first, marked: no document says how a 组长 is chosen, so "drawn" is said aloud
    assert all(t.split("、")[0].endswith("（组长·抽取）") for t in teams)
    assert "已派组 7 / 7，抽取 1 次" in page.targets_title.text()
    win.shot("centre-plans")


def test_a_new_plan_and_its_target_from_the_forms(win: Window, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.centre.plan_dialogs import AddTargetDialog, NewPlanDialog
    from ui.centre.plans_view import PlansPage

    page = show(win, "plans")
    assert isinstance(page, PlansPage)

    def new(d: Any) -> int:
        d.title.setText("2027年上半年检查评估")
        d.kind.setCurrentIndex(d.kind.findData("special"))
        return 1

    modal(monkeypatch, NewPlanDialog, new)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        next(b for b in page.findChildren(QPushButton) if b.text().startswith("新建计划")).click()
    win.settle()
    row = page.plans.current()
    assert row.plan.title == "2027年上半年检查评估" and row.plan.kind == "special" and not row.targets

    def add(d: Any) -> int:
        d.org.setCurrentIndex(d.org.findText("宜宾职业技术学院职业技能鉴定站", Qt.MatchFlag.MatchStartsWith))
        return 1

    modal(monkeypatch, AddTargetDialog, add)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.add_button.click()
    assert texts(page.targets, 0) == ["宜宾职业技术学院职业技能鉴定站"]
    assert texts(page.targets, 3) == ["待派组"]


def test_next_years_holidays_entered_fill_in_the_unknown_record_deadlines(
    win: Window, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.centre.holidays import template
    from inspector.centre.plans import run_dispatch
    from inspector.centre.workdays import supported_years
    from tests.centre.test_holidays import NOTICE, YEAR
    from ui.centre.plans_view import PlansPage

    assert supported_years()[1] + 1 == YEAR
    shown = user_errors(monkeypatch)
    db = open_folder(folder)
    try:
        plan = new_plan(db, SICHUAN, "跨年检查", "routine")
        org = next(o for o in list_orgs(db) if o["name"].startswith("宜宾"))
        add_target(db, plan.id, org["id"], f"{YEAR - 1}-12-30")
        run_dispatch(db, plan.id, team_size=3, seed=1)
    finally:
        db.conn.close()
    page = show(win, "plans")
    assert isinstance(page, PlansPage) and page.select_plan(plan.id)
    assert texts(page.targets, 5) == ["—"]  # the 5th working day falls in a year not known yet

    notice, blank = tmp_path / "notice.toml", tmp_path / "blank.toml"
    notice.write_text(NOTICE, encoding="utf-8")
    blank.write_text(template(YEAR), encoding="utf-8")
    chosen = {"path": blank}
    monkeypatch.setattr("ui.centre.plans_view.ask_open_path", lambda *a: chosen["path"])
    asked: list[str] = []
    answer = {"value": QMessageBox.StandardButton.No}

    def question(parent: Any, title: str, text: str, *a: Any) -> Any:
        asked.append(text)
        return answer["value"]

    monkeypatch.setattr("ui.centre.plans_view.QMessageBox.question", question)
    button = next(b for b in page.findChildren(QPushButton) if b.text().startswith("节假日安排"))
    button.click()  # the template not filled in: refused, naming the key
    win.qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert len(shown) == 1 and "holidays[1].from" in shown[0]

    chosen["path"] = notice
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        button.click()
    page.select_plan(plan.id)
    due = texts(page.targets, 5)[0]
    assert due.startswith(f"{YEAR}-01-"), due
    assert not asked

    button.click()  # the same year again: asked first; "No" changes nothing
    win.qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    assert str(YEAR) in asked[0]
    win.settle()
    answer["value"] = QMessageBox.StandardButton.Yes
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        button.click()
    db = open_folder(folder)
    try:
        keys = [r[0] for r in db.conn.execute("SELECT key FROM meta WHERE key LIKE 'calendar%' ORDER BY key")]
    finally:
        db.conn.close()
    assert len(keys) == 2 and keys[1] == f"calendar:{YEAR}" and len(shown) == 1


def test_suggested_file_names_lose_what_windows_refuses(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from ui.centre.common import ask_save_path

    asked: list[str] = []

    def dialog(parent: Any, title: str, suggested: str, kind: str) -> tuple[str, str]:
        asked.append(suggested)
        return suggested.removesuffix(".xlsx"), kind

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    got = ask_save_path(QWidget(), "t", "2026/H2: 结果?.xlsx", "x", ".xlsx")
    assert Path(asked[0]).name == "2026_H2_ 结果_.xlsx"
    assert got is not None and got.name == "2026_H2_ 结果_.xlsx"  # the suffix put back


def test_a_dispatch_asks_first_and_warns_of_a_visit_day_already_past(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One click made an immutable public record, and a day months past passed without a word."""
    import datetime as dt

    from PySide6.QtCore import QDate

    plan_id = new_campaign(folder, "乐山市技师学院职业技能鉴定所", "宜宾职业技术学院职业技能鉴定站")
    _page, dialog = open_dispatch(win, monkeypatch, plan_id)
    win.qtbot.keyClicks(dialog.seed, "2026-12")
    dialog.has_day.setChecked(True)
    past = dt.date.today() - dt.timedelta(days=90)
    dialog.day.setMinimumDate(QDate(2000, 1, 1))
    dialog.day.setDate(QDate(past.year, past.month, past.day))
    monkeypatch.setattr(
        "ui.centre.dispatch_dialog.QMessageBox.question",
        lambda _p, _t, text, *_a: dialog.asked.append(text) or QMessageBox.StandardButton.No,
    )
    dialog.draw_button.click()
    assert "已经过去" in dialog.asked[-1] and past.isoformat() in dialog.asked[-1]
    assert dialog.outcome is None and dialog.draw_button.isEnabled()  # "No": nothing drawn
    db = open_folder(folder)
    try:
        assert dispatches(db, plan_id) == []
    finally:
        db.conn.close()


def test_a_dispatch_from_the_dialog_is_stored_and_its_teams_shown(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = new_campaign(folder, "乐山市技师学院职业技能鉴定所", "宜宾职业技术学院职业技能鉴定站")
    page, dialog = open_dispatch(win, monkeypatch, plan_id)
    assert not dialog.draw_button.isEnabled()  # no seed, no draw
    win.qtbot.keyClicks(dialog.seed, "2026-12")
    dialog.team_size.setValue(3)
    # the plans view reloads after the draw
    with (
        win.qtbot.waitSignal(page.loaded, timeout=20000),
        win.qtbot.waitSignal(dialog.finished_work, timeout=20000),
    ):
        dialog.draw_button.click()
    assert len(dialog.asked) == 1 and "不能修改或撤回" in dialog.asked[0]  # asked before the record
    assert dialog.outcome.record is not None
    assert dialog.results.currentWidget() is dialog.teams
    assert dialog.teams.proxy.rowCount() == 2
    assert all(len(t.split("、")) == 3 for t in texts(dialog.teams, 2))
    assert "种子“2026-12”" in dialog.result_label.text()
    grab(dialog, "centre-dispatch")
    db = open_folder(folder)
    try:
        stored = dispatches(db, plan_id)
    finally:
        db.conn.close()
    assert len(stored) == 1 and stored[0].seed == "2026-12" and stored[0].id == dialog.outcome.record.id
    assert set(texts(page.targets, 3)) == {"已派组"}
    dialog.close()

    # The published record: the same teams, and a re-run from the record alone agrees.
    from ui.centre.dispatch_dialog import RecordDialog

    made = modal(monkeypatch, RecordDialog, lambda d: 0)
    page.record_button.click()
    record = made[0]
    win.qtbot.waitUntil(lambda: record.data is not None, timeout=20000)
    assert texts(record.teams, 2) == texts(dialog.teams, 2)
    with win.qtbot.waitSignal(record.verified, timeout=20000) as verified:
        record.verify_button.click()
    assert verified.args == [[]] and record.verdict.text().startswith("复核一致")
    grab(record, "centre-dispatch-record")
    record.close()


def test_a_blocked_draw_shows_the_reason_and_each_exclusion(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = new_campaign(folder, "成都市技师学院职业技能鉴定所", kind="special")
    _page, dialog = open_dispatch(win, monkeypatch, plan_id)
    assert dialog.team_size.minimum() == 3  # a special supervision: three or more
    dialog.seed.setText("seed")
    dialog.team_size.setValue(11)  # 11 active, of whom one card expired and one works there
    with win.qtbot.waitSignal(dialog.finished_work, timeout=20000):
        dialog.draw_button.click()
    assert dialog.outcome.record is None
    line = dialog.result_label.text()
    assert "未抽取也未保存" in line
    assert "成都市技师学院职业技能鉴定所 于 2026-12-10：合格督导员仅 9 人（需要 11 人）" in line
    assert "证卡无效 1 人（孙丽华）" in line and "回避：本单位职工 1 人（周建华）" in line
    tree = dialog.exclusions
    assert dialog.results.currentWidget() is tree
    top = tree.topLevelItem(0)
    rules = {top.child(i).text(0): [top.child(i).child(k).text(0) for k in range(top.child(i).childCount())]
             for i in range(top.childCount())}  # fmt: skip
    assert rules["证卡无效：1 人"] == ["孙丽华 — 证卡已过期（有效期至 2025-03-01）"]  # 民法典 201-202
    assert rules["回避：本单位职工：1 人"] == ["周建华 — 回避：本单位职工"]
    grab(dialog, "centre-dispatch-blocked")
    db = open_folder(folder)
    try:
        assert dispatches(db, plan_id) == []
    finally:
        db.conn.close()
    dialog.close()


# -- results ------------------------------------------------------------------------------------------------


def results_page(win: Window) -> Any:
    from ui.centre.results_view import ResultsPage

    page = show(win, "results")
    assert isinstance(page, ResultsPage)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.set_as_of(dt.date.fromisoformat(TODAY))  # the day the demo's story is told on
    return page


def choose_plan(win: Window, page: Any, title: str) -> None:
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.plan.setCurrentIndex(page.plan.findText(title))
        page.plan.activated.emit(page.plan.currentIndex())


def test_a_deadline_the_plans_rulebook_does_not_set_is_not_a_column_of_dashes(win: Window) -> None:
    # the demo's plans are Sichuan's: its notice sets neither a record deadline nor a renewal window
    page = results_page(win)
    headers = [c.header for c in page.targets.rows_model.columns]
    for header in ("记录截止", "延续申请截止"):
        column = headers.index(header)
        rows = page.targets.rows_model.rows
        wanted = (
            any(t.record_due for t in rows) if header == "记录截止" else any(t.renewal_apply_by for t in rows)
        )
        assert page.targets.isColumnHidden(column) == (not wanted), header
    assert page.targets.isColumnHidden(headers.index("延续申请截止"))


def test_results_list_states_the_overdue_record_and_the_rectification(win: Window) -> None:
    page = results_page(win)
    assert page.plan.currentText() == "2026年下半年职业技能鉴定站检查评估"
    targets = {t.org_name: t for t in page.targets.rows_model.rows}
    assert len(targets) == 7
    changhong = targets["四川长虹电器股份有限公司职业技能鉴定站"]
    # a Sichuan plan: 川人社函〔2017〕297号 sets no record deadline (福建办法 第三章七 is Fujian's)
    assert changhong.vetoes == ("V3",) and not changhong.record_overdue
    row = texts(page.targets, 0).index(changhong.org_name)
    assert page.targets.proxy.index(row, 6).data() == "不合格（否决）"
    assert page.targets.proxy.index(row, 12).data() == "—"
    assert texts(page.targets, 9)[texts(page.targets, 0).index("宜宾职业技术学院职业技能鉴定站")] == "+14"
    assert "已签署 3" in page.summary.text()
    # one vocabulary with the home list: a draft is 进行中 with a provisional score and 未完成,
    # a complete evaluation 已完成 (the desk said 评估中 / 待签署 and "—" before)
    draft = texts(page.targets, 0).index("绵阳职业技术学院职业技能鉴定站")
    said = [page.targets.proxy.index(draft, c).data() for c in (4, 5, 6)]
    assert said == ["进行中", "43 / 100（暂）", "未完成"]
    assert page.targets.proxy.index(row, 4).data() == "已完成"
    assert "已完成 2" in page.summary.text() and "进行中 1" in page.summary.text()
    win.shot("centre-results")

    overdue = page.tab("逾期督导记录")
    assert texts(overdue, 0) == []
    assert texts(page.tab("示范推荐"), 1) == []  # 示范推荐 is Henan's, not Sichuan's
    assert len(texts(page.tab("公告名单"), 0)) == 3  # 三（四）: the 合格 stations
    assert texts(page.tab("抽查复核"), 0)
    # no rectification in this plan: the tab says why its buttons are disabled (it was blank)
    assert page.tab("整改跟踪").rows_model.rowCount() == 0
    assert page.rect_panel.explain.isVisible() and "还没有需要整改" in page.rect_panel.explain.text()

    choose_plan(win, page, "2026年上半年职业技能鉴定站检查评估")
    rects = page.tab("整改跟踪")
    assert texts(rects, 0) == ["自贡市就业训练中心鉴定站"]
    assert texts(rects, 1) == ["复评中"] and texts(rects, 2) == ["川鉴整〔2026〕3号"]
    assert texts(rects, 4) == ["2026-11-19"]
    panel = page.rect_panel
    assert panel.close_button.isEnabled() and not panel.notice_button.isEnabled()
    win.shot("centre-results-rectification")


def test_a_rectification_is_closed_and_a_refused_close_is_one_message(
    win: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.centre.rectify_dialogs import CloseDialog

    page = results_page(win)
    choose_plan(win, page, "2026年上半年职业技能鉴定站检查评估")
    rects = page.tab("整改跟踪")
    rects.selectRow(0)
    shown = user_errors(monkeypatch)
    # 整改合格 needs a signed re-evaluation; the demo's is a draft: refused, in one message.
    modal(monkeypatch, CloseDialog, lambda d: 1)
    page.rect_panel.close_button.click()
    win.settle()
    assert len(shown) == 1 and "整改合格须有已签署的复评" in shown[0]
    assert texts(page.tab("整改跟踪"), 1) == ["复评中"]

    def failed(d: Any) -> int:
        d.verdict_choice.setCurrentIndex(d.verdict_choice.findData("failed"))
        d.note.setText("复评仍不合格，报审批机关")
        return 1

    modal(monkeypatch, CloseDialog, failed)
    page.tab("整改跟踪").selectRow(0)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.rect_panel.close_button.click()
    rects = page.tab("整改跟踪")
    assert texts(rects, 1) == ["已结案"] and texts(rects, 9) == ["仍不合格"]
    assert texts(rects, 8) == [dt.date.today().isoformat()]
    rects.selectRow(0)
    assert not page.rect_panel.close_button.isEnabled() and page.rect_panel.pdf_button.isEnabled()


def test_a_rectification_notice_is_sent_with_its_pdf(
    win: Window, folder: Path, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.centre.rectify_dialogs import NoticeDialog

    # The vetoed inspection gets signed: its outcome (fail) now calls for a notice.
    db = open_folder(folder)
    try:
        store = EvaluationStore(db, "省鉴定中心")
        e = next(x for x in store.list_evaluations("complete") if x.org_name.startswith("四川长虹"))
        store.sign(e.id, [{"name": "刘洋", "role": "组长"}])
    finally:
        db.conn.close()
    page = results_page(win)
    rects = page.tab("整改跟踪")
    assert texts(rects, 1) == ["待下发整改通知"]
    rects.selectRow(0)
    panel = page.rect_panel
    assert panel.notice_button.isEnabled()

    def fill(d: Any) -> int:
        # 川人社函〔2017〕297号 "限期整改" sets no term: nothing is preset, the centre gives the deadline
        assert d.by_date.isChecked() and not d.by_rulebook.isChecked()
        d.number.setText("川鉴整〔2026〕9号")
        return int(QDialog.DialogCode.Accepted.value)

    modal(monkeypatch, NoticeDialog, fill)
    with win.qtbot.waitSignal(page.loaded, timeout=30000):
        panel.notice_button.click()
    rects = page.tab("整改跟踪")
    assert texts(rects, 1) == ["整改中"] and texts(rects, 2) == ["川鉴整〔2026〕9号"]
    pdf = answers["saved"][-1]
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    assert "已下发整改通知" in win.w.statusBar().currentMessage()


# -- statistics ---------------------------------------------------------------------------------------------


def test_statistics_charts_render(win: Window, answers: dict[str, Any]) -> None:
    from tests.ui.test_charts import ink
    from ui.centre.stats_view import StatsPage

    page = show(win, "stats")
    assert isinstance(page, StatsPage)
    assert page.rubric.currentData() == SICHUAN
    assert "4 次" in page.summary.text()
    assert texts(page.items, 0)[:1] == ["1.2.1"]
    names = ["centre-stats-failures", "centre-stats-distribution", "centre-stats-groups"]
    for i, (view, name) in enumerate(zip(page.charts, names, strict=True)):
        page.tabs.setCurrentIndex(i)
        win.qtbot.waitExposed(view)
        assert view.chart is not None and not view.chart.empty
        assert view.width() >= 600 and view.height() >= 250, (name, view.size())
        image = view.render_image()
        assert image.width() == view.width() * 2 and image.height() == view.height() * 2
        assert ink(image) > 3000
        win.shot(name)
    hist = page.histogram.chart
    assert hist is not None and hist.marker is not None and hist.marker.label == "合格线 60 分"
    assert sum(hist.series[0].values) == 4
    assert [g.value for g in page.groups.rows_model.rows] == ["乐山市", "宜宾市", "德阳市", "自贡市"]

    page.save_image()
    png = answers["saved"][-1]
    assert png.suffix == ".png" and png.read_bytes()[:4] == b"\x89PNG"
    page.export_workbook()
    win.settle()
    assert openpyxl.load_workbook(answers["saved"][-1], read_only=True).sheetnames[0] == "失分项排行"

    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.unsigned.setChecked(True)
    assert "全部（含未签署）" in page.summary.text()


def test_the_window_opens_on_a_centre_view(qtbot: QtBot, folder: Path) -> None:
    """``inspector gui --view results``: ready once the view's data is in."""
    w = Window(qtbot, folder)
    with qtbot.waitSignal(w.w.ready, timeout=20000):
        w.w.show()
        w.w.start(view="results")
    assert w.w.view() == "results" and w.w.nav.currentRow() == 4
    assert w.w.size().width() <= SIZE[0] and w.w.size().height() <= SIZE[1]
    w.settle()
    w.w.go_home()
    assert w.w.view() == "home" and w.w.nav.currentRow() == 0
    w.settle()
    w.w.close()


def test_cli_screenshot_of_a_centre_view(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "stats.png"
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "--data", str(folder), "gui", "--view", "stats",
         "--screenshot", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- rulebooks ------------------------------------------------------------------------------------------


def test_the_plans_page_shows_the_plans_rulebook_with_its_clauses_and_timetable(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.centre.plan_dialogs import MilestoneDialog
    from ui.centre.plans_view import PlansPage

    page = show(win, "plans")
    assert isinstance(page, PlansPage)
    sichuan = next(r for r in page.plans.rows_model.rows if "下半年" in r.plan.title)
    assert page.select_plan(sichuan.plan.id)
    assert sichuan.rulebook.id == "sichuan-2017-inspection"
    page.tabs.setCurrentIndex(1)
    text = page.rulebook.toPlainText()
    # 川人社函〔2017〕297号 三（四）, quoted, with how it is read; no Fujian or Zhengzhou rule on it
    assert "合格鉴定站（所）名单及其鉴定职业（工种）范围、等级" in text and "理解：" in text
    assert "轮换：" not in text and "5个工作日" not in text and "未由程序执行" in text
    win.shot("centre-plans-rulebook")
    page.tabs.setCurrentIndex(2)
    # the timetable in the plan's year: on the machine's today every stage before it is late
    assert [m.name for m in page.milestones.rows_model.rows] == [
        "自查自评",
        "审查评估",
        "抽查复核",
        "向社会公告",
    ]
    made = modal(monkeypatch, MilestoneDialog, lambda d: d.day.setDate(QDate(2026, 4, 28)) or 1)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.done_button.click()
    assert made
    page.select_plan(sichuan.plan.id)
    done = next(m for m in page.milestones.rows_model.rows if m.name == "自查自评")
    assert done.state == "done" and done.done_on == dt.date(2026, 4, 28)
    page.tabs.setCurrentIndex(2)
    win.shot("centre-plans-timetable")


def test_a_fujian_special_plan_asks_a_reason_to_go_below_three_and_publishes_it(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 福建办法 第三章四 "督导小组原则上由3名及以上质量督导员组成": a warning and a recorded reason, not a wall
    from ui.centre.plan_dialogs import NewPlanDialog
    from ui.centre.plans_view import PlansPage

    page = show(win, "plans")
    assert isinstance(page, PlansPage)

    def new(d: Any) -> int:
        d.title.setText("2026年12月福建专项督导")
        d.rubric.setCurrentIndex(d.rubric.findData("fujian-2021-supervision-record"))
        d.kind.setCurrentIndex(d.kind.findData("special"))
        d.rulebook.setCurrentIndex(d.rulebook.findData("fujian-2021-supervision"))
        d.has_starts.setChecked(False)
        d.has_ends.setChecked(False)
        return 1

    modal(monkeypatch, NewPlanDialog, new)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        next(b for b in page.findChildren(QPushButton) if b.text().startswith("新建计划")).click()
    win.settle()
    row = page.plans.current()
    assert row.rulebook.id == "fujian-2021-supervision" and row.rules.team_min_principle
    db = open_folder(folder)
    try:
        org = next(o for o in list_orgs(db) if o["name"].startswith("宜宾"))
        add_target(db, row.plan.id, org["id"], "2026-12-10")
    finally:
        db.conn.close()
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.reload()
    assert page.select_plan(row.plan.id)
    from ui.centre.dispatch_dialog import DispatchDialog

    made = modal(monkeypatch, DispatchDialog, lambda d: 0)
    # the draw asks before publishing (daily use); unanswered, the question blocked this test forever
    monkeypatch.setattr(
        "ui.centre.dispatch_dialog.QMessageBox.question", lambda *_a: QMessageBox.StandardButton.Yes
    )
    page.dispatch_button.click()
    dialog = made[0]
    win.qtbot.waitExposed(dialog)
    assert dialog.team_size.minimum() == 1 and dialog.team_size.value() == 3
    assert dialog.kind.itemText(0) == "按规则册：外督"
    dialog.seed.setText("2026-12")
    dialog.team_size.setValue(2)
    assert dialog.override.isEnabled() and not dialog.draw_button.isEnabled()  # a reason first
    dialog.override.setText("外督不足，经中心负责人同意")
    assert dialog.draw_button.isEnabled()
    asked: list[Any] = []  # the public record is confirmed before the one click that makes it

    def yes(*args: Any, **kwargs: Any) -> QMessageBox.StandardButton:
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    with win.qtbot.waitSignal(dialog.finished_work, timeout=20000):
        dialog.draw_button.click()
    assert len(asked) == 1
    assert dialog.outcome.record is not None
    (o,) = dialog.outcome.record.record["overrides"]
    assert o["reason"] == "外督不足，经中心负责人同意" and o["clause"]["article"] == "第三章四"
    grab(dialog, "centre-dispatch-override")
    dialog.close()


def test_the_notice_form_offers_the_rulebooks_term(qtbot: QtBot) -> None:
    # 重庆 附件6 "整改期为6个月": preset from the plan's rulebook, and the core applies it
    from inspector.centre.results import RectificationRow
    from ui.centre.rectify_dialogs import NoticeDialog

    dialog = NoticeDialog(RectificationRow("O", "丙机构", "E", "notice_due"), None, 6)
    qtbot.addWidget(dialog)
    assert dialog.by_rulebook.isChecked() and "6 个月" in dialog.by_rulebook.text()
    assert set(dialog.fields()) == {"notice_no", "notice_sent"}
    dialog.by_date.setChecked(True)
    assert "deadline" in dialog.fields()


def test_an_employer_is_reviewed_on_the_desk_not_scored(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 重庆 延续备案通知 三（二）1 "收到用人单位评价机构申报材料后，10个工作日内提出审核意见，向符合延续备案
    # 条件的，出具延续备案回执": a review outcome, no score; 2: 技工院校 scored, 20 working days
    from inspector.centre.plans import new_plan as plain_new_plan
    from inspector.centre.register import add_registered
    from ui.centre.review_dialog import ReviewDialog

    db = open_folder(folder)
    try:
        received = {"application_received": "2026-09-25"}
        employer = add_registered(db, "重庆某集团公司", None, {"applicant_type": "用人单位", **received})[
            "id"
        ]
        school = add_registered(db, "重庆某技师学院", None, {"applicant_type": "技工院校", **received})["id"]
        plan = plain_new_plan(db, "chongqing-2024-renewal", "2026年延续备案评估", "routine")
        for org in (employer, school):
            add_target(db, plan.id, org, None)
    finally:
        db.conn.close()
    page = results_page(win)
    choose_plan(win, page, "2026年延续备案评估")
    headers = [c.header for c in page.targets.rows_model.columns]
    names = texts(page.targets, 0)
    row = names.index("重庆某集团公司")
    assert texts(page.targets, headers.index("评价机构类型"))[row] == "用人单位"
    assert texts(page.targets, headers.index("处理期限"))[row] == "2026-10-15（逾期）"  # as of the demo's day
    assert texts(page.targets, headers.index("处理期限"))[names.index("重庆某技师学院")].startswith(
        "2026-10-29"
    )
    page.targets.selectRow(names.index("重庆某技师学院"))
    assert not page.review_button.isEnabled()  # a school is scored, not reviewed
    page.targets.selectRow(row)
    assert page.review_button.isEnabled()

    def answer(d: Any) -> int:
        d.outcome.setCurrentIndex(d.outcome.findData("eligible"))
        d.opinion.setText("申报材料齐全")
        return 1

    modal(monkeypatch, ReviewDialog, answer)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.review_button.click()
    row = texts(page.targets, 0).index("重庆某集团公司")
    said = {h: texts(page.targets, headers.index(h))[row] for h in ("状态", "得分", "结论")}
    assert said == {"状态": "已审核", "得分": "—", "结论": "符合延续备案条件"}
    assert not texts(page.targets, headers.index("处理期限"))[row].endswith("（逾期）")
    win.shot("centre-results-chongqing-review")


def test_the_plans_page_records_a_targets_procedure_step(
    win: Window, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 福建办法 第三章四 (一)–(四): the steps in order with their days, from the window as from plan step
    from inspector.centre.plans import new_plan as plain_new_plan
    from inspector.centre.procedure import target_steps
    from inspector.store.orgs import add_org
    from ui.centre.plans_view import PlansPage
    from ui.centre.step_dialog import StepDialog

    db = open_folder(folder)
    try:
        org = add_org(db, "福州市窗口专项督导对象")["id"]
        plan = plain_new_plan(
            db,
            "fujian-2021-supervision-record",
            "2026年专项督导",
            "special",
            rulebook="fujian-2021-supervision",
        )
        add_target(db, plan.id, org, "2026-03-02")
    finally:
        db.conn.close()
    page = show(win, "plans")
    assert isinstance(page, PlansPage) and page.select_plan(plan.id)
    page.targets.selectRow(0)

    def answer(d: Any) -> int:
        assert d.next is not None and d.next.name == "现场考察"
        d.day.setDate(QDate(2026, 3, 2))
        d.note.setText("现场核查考务档案")
        return QDialog.DialogCode.Accepted.value

    made = modal(monkeypatch, StepDialog, answer)
    with win.qtbot.waitSignal(page.loaded, timeout=20000):
        page.step_button.click()
    assert made
    db = open_folder(folder)
    try:
        first = target_steps(db, plan.id, org)[0]
    finally:
        db.conn.close()
    assert (first.name, first.done_on, first.note) == ("现场考察", dt.date(2026, 3, 2), "现场核查考务档案")
    page.select_plan(plan.id)
    assert "现场考察" in str(page.targets.proxy.index(0, 6).data())
    win.shot("centre-plans-procedure-step")

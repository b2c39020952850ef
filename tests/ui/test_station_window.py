"""The station's side from the window (issue 19): the centre sends a self-assessment request from
the results desk (issuing the representative's credential when the station has none), and the
station proposes register corrections from its home page. Real folders, a real CA, real bundles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector.centre.plans import add_target, new_plan
from inspector.crypto import keys
from inspector.crypto.identity import init_centre, load_identity
from inspector.folder import open_folder
from inspector.store.folder_role import folder_role
from inspector.store.orgs import add_org
from tests.ui.conftest import Window
from tests.ui.test_centre_views import show
from tests.ui.test_station_ui import STATION_PASS, station_folder, station_window  # noqa: F401

CA_PASS = "centre-secret-win"
REP_PASS = "station-secret-win"


@pytest.fixture
def centre(tmp_path: Path) -> Path:
    folder = tmp_path / "centre"
    db = open_folder(folder, rubrics=True)
    init_centre(folder, folder / "ca", "四川省职业技能鉴定指导中心", CA_PASS)
    org = add_org(db, "成都市第一鉴定站", "5101A")
    p = new_plan(db, "sichuan-2017-inspection", "2026年度检查评估", "routine", year=2026)
    add_target(db, p.id, org["id"])
    db.conn.close()
    return folder


@pytest.fixture
def cwin(qtbot: QtBot, centre: Path) -> Iterator[Window]:
    w = Window(qtbot, centre)
    w.start()
    yield w
    w.settle()
    if w.w.centre.page("results").request_dialog is not None:
        w.w.centre.page("results").request_dialog.close()
    w.w.close()


def open_request_dialog(win: Window) -> object:
    page = show(win, "results")
    page.tab("自评通知")
    assert page.tab("自评通知").rows_model.rowCount() == 0
    win.qtbot.keyClick(win.w, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    win.qtbot.waitUntil(lambda: page.request_dialog is not None and page.request_dialog.isVisible())
    return page


def test_the_centre_issues_and_sends_a_request_from_the_desk(
    cwin: Window, tmp_path: Path, qtbot: QtBot
) -> None:
    page = open_request_dialog(cwin)
    d = page.request_dialog  # type: ignore[attr-defined]
    assert d.org.currentText() == "成都市第一鉴定站（未发出）"
    assert d.needs_issue() and d.representative.isEnabled() and "尚未签发" in d.credential.text()
    stick = tmp_path / "stick"
    stick.mkdir()
    d.drive.set_folder(stick)
    d.representative.setText("李站长")
    d.rep_secret.setText(REP_PASS)
    d.rep_again.setText(REP_PASS + "x")
    d.ca_secret.setText(CA_PASS)
    d.passphrase.setText(CA_PASS)
    d.go.click()  # mistyped twice: said, nothing issued
    assert "不一致" in d.message.text() and not list(stick.iterdir())
    d.rep_again.setText(REP_PASS)
    d.ca_secret.setText("wrong-ca-passphrase")
    d.go.click()
    qtbot.waitUntil(lambda: d.go.isEnabled() and "未完成" in d.message.text(), timeout=30000)
    db = open_folder(cwin.w.data_dir)
    assert db.conn.execute("SELECT count(*) FROM credentials WHERE person_id LIKE 'org:%'").fetchone()[0] == 0
    db.conn.close()
    d.ca_secret.setText(CA_PASS)
    with qtbot.waitSignal(d.sent, timeout=60000):
        d.go.click()
    (bundle,) = stick.iterdir()
    assert "已写入并校验" in d.message.text() and "另行" in d.message.text()
    assert not d.needs_issue() and d.go.text() == "导出"  # issued once: a second send issues nothing
    cwin.settle()
    qtbot.waitUntil(lambda: page.tab("自评通知").rows_model.rowCount() == 1, timeout=20000)
    # the station opens it with the representative's passphrase: its folder becomes the station's
    from inspector.bundles.importer import import_bundle

    ident = load_identity(cwin.w.data_dir)
    assert ident is not None
    station = tmp_path / "station"
    sdb = open_folder(station, rubrics=True)
    import_bundle(sdb, station, bundle, passphrase=REP_PASS, ca_fingerprint=keys.fingerprint(ident.ca))
    assert folder_role(sdb.conn) == "station"
    sdb.conn.close()
    d.close()


def test_the_station_proposes_a_register_correction_by_keyboard(station_window: Window) -> None:  # noqa: F811
    from inspector.centre import corrections as c
    from inspector.centre.register import STATION_FIELDS, get_register, scalar_field
    from inspector.store.folder_role import station_org

    window = station_window
    window.start()
    window.settle()
    panel = window.w.home.register
    assert panel.isVisible()
    db = window.w.db
    assert db is not None
    org = station_org(db.conn)
    assert org is not None
    entry = get_register(db, org)
    # the entry as the centre sent it: every field a station may correct, nothing else
    assert panel.entry.rowCount() == len(STATION_FIELDS)
    shown_fields = [panel.entry.item(r, 0).text() for r in range(panel.entry.rowCount())]
    assert shown_fields == [scalar_field(k).header for k in STATION_FIELDS]
    assert "成都市第一鉴定站（5101A）" in panel.title.text()
    assert panel.proposals.rowCount() == 0
    window.key(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible())
    d = panel.dialog
    assert d is not None
    window.qtbot.waitUntil(lambda: QApplication.focusWidget() is d.field)  # the picker has the keys
    assert [d.field.itemData(i) for i in range(d.field.count())] == list(STATION_FIELDS)
    d.field.setCurrentIndex(d.field.findData("head"))
    assert d.current.text() == (entry["head"] or "（空）")
    d.value.setText("张新")  # QTest types no Chinese: the input method's text, set
    d.by.setText("李站长")
    window.qtbot.keyClick(d.value, Qt.Key.Key_Return)  # no reason: said, nothing stored
    assert d.isVisible() and "理由" in d.message.text()
    assert c.outgoing(db, org) == []
    d.reason.setText("原负责人退休")
    window.qtbot.keyClick(d.reason, Qt.Key.Key_Return)
    window.qtbot.waitUntil(lambda: not d.isVisible())
    (waiting,) = c.outgoing(db, org)
    assert (waiting["field"], waiting["new"], waiting["reason"], waiting["by"]) == (
        "head",
        "张新",
        "原负责人退休",
        "李站长",
    )
    assert get_register(db, org)["head"] == entry["head"]  # proposed, never applied
    assert panel.proposals.rowCount() == 1
    assert panel.proposals.item(0, 2).text() == "张新"
    assert "尚未发出" in panel.proposals.item(0, 4).text()
    # the same proposal again is refused in the dialog, which stays open to be changed
    panel.ask("head")
    d2 = panel.dialog
    assert d2 is not None and d2 is not d and d2.field.currentData() == "head"
    d2.value.setText("张新")
    d2.reason.setText("再提一次")
    d2.by.setText("李站长")
    d2._check()
    assert d2.isVisible() and "尚未发出" in d2.message.text()
    d2.reject()
    # the self-assessment bundle carries it: the export marks it sent, the list says in which bundle
    c.mark_sent(db, [waiting["id"]], "abcdef0123456789")
    window.w.activateWindow()
    window.qtbot.waitUntil(lambda: window.w.isActiveWindow(), timeout=5000)
    window.qtbot.keyClick(window.w, Qt.Key.Key_F5)  # 刷新
    window.settle()
    window.qtbot.waitUntil(lambda: "abcdef01" in panel.proposals.item(0, 4).text(), timeout=20000)
    assert "已随数据包" in panel.proposals.item(0, 4).text()


def test_an_expired_or_revoked_credential_is_issued_anew(centre: Path) -> None:
    """The dialog asks for an issue when the station's credential lapsed or was revoked, not only
    when it never had one."""
    import datetime as dt

    from inspector.bundles.credentials import issue_for_station
    from ui.centre.request_dialog import station_credential, station_targets

    db = open_folder(centre)
    plan = db.conn.execute("SELECT id FROM plans").fetchone()[0]
    (target,) = station_targets(db, plan)
    assert target.representative is None and not target.sent
    issue_for_station(db, centre / "ca", CA_PASS, target.org_id, "李站长", REP_PASS)
    name, until = station_credential(db, target.org_id) or ("", "")
    assert name == "李站长" and until > dt.date.today().isoformat()
    later = dt.datetime.fromisoformat(until + "T00:00:00+00:00") + dt.timedelta(days=2)
    assert station_credential(db, target.org_id, on=later) is None  # lapsed: issue again
    from inspector.crypto.identity import revoke_pair

    serial = db.conn.execute("SELECT serial FROM credentials WHERE person_id LIKE 'org:%'").fetchone()[0]
    revoke_pair(db, centre, centre / "ca", CA_PASS, serial, "keyCompromise")
    assert station_credential(db, target.org_id) is None
    db.conn.close()


def test_enter_on_a_register_field_proposes_a_change_to_it(station_window: Window) -> None:  # noqa: F811
    from inspector.centre.register import STATION_FIELDS

    window = station_window
    window.start()
    window.settle()
    panel = window.w.home.register
    row = STATION_FIELDS.index("phone")
    panel.entry.setFocus()
    panel.entry.setCurrentCell(row, 0)
    window.qtbot.keyClick(panel.entry, Qt.Key.Key_Return)
    window.qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible())
    d = panel.dialog
    assert d is not None and d.key() == "phone" and d.value.isVisible()
    d.field.setCurrentIndex(d.field.findData("fee_fiscal_account"))  # a yes/no field: 是 / 否, no free text
    assert d.flag.isVisible() and not d.value.isVisible()
    d.reject()

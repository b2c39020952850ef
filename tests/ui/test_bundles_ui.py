"""The bundle dialogs: export to a stick, import a stick's bundles, the report, conflicts to the item."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu
from pytestqt.qtbot import QtBot

from inspector import drives
from tests.bundle_support import CA_PASS, PINS, World, world, world_template
from tests.test_drives import FakeWindows
from tests.ui.conftest import Window
from ui.bundles import DrivePicker, ExportDialog, ImportDialog, default_name, open_dialog
from ui.worker import Worker

__all__ = ["world", "world_template"]  # fixtures


class Laptop:
    """The drives Windows reports (GetDriveTypeW semantics, :class:`tests.test_drives.FakeWindows`),
    changeable while a dialog is open (a stick put in)."""

    def __init__(self) -> None:
        self.api = FakeWindows()
        for root in ("E:\\", "F:\\"):
            del self.api.drives[root]  # no stick yet

    def list_drives(self) -> list[drives.Drive]:
        return drives.windows_drives(self.api)


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> Laptop:
    fake = Laptop()
    monkeypatch.setattr(drives, "list_drives", fake.list_drives)
    return fake


@pytest.mark.qt_log_ignore("This plugin does not support")  # the offscreen platform's popup
def test_the_drive_list_offers_sticks_only_and_finds_one_put_in_later(qtbot: QtBot, laptop: Laptop) -> None:
    worker = Worker()
    picker = DrivePicker(worker)
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: not picker.listing, timeout=10000)
    # no stick: the laptop's own C: and D:, the DVD and the network drive Z: are not offered
    assert [picker.combo.itemText(i) for i in range(picker.combo.count())] == [
        "未发现 U 盘：请插入，或选择其他文件夹"
    ]
    assert picker.folder() is None
    assert laptop.api.threads and threading.main_thread().name not in laptop.api.threads  # off the GUI thread
    # a stick put in after the dialog opened appears when the list is opened; the only one is chosen
    laptop.api.drives["E:\\"] = (drives.DRIVE_REMOVABLE, drives.BUS_USB, "KINGSTON")
    with qtbot.waitSignal(picker.listed, timeout=10000):
        picker.combo.showPopup()
    picker.combo.hidePopup()
    assert picker.folder() == Path("E:\\")
    assert picker.combo.currentText().startswith("KINGSTON (E:)")
    # two: the user chooses; nothing is chosen for them
    laptop.api.drives["F:\\"] = (drives.DRIVE_FIXED, drives.BUS_USB, "移动硬盘")
    picker.combo.setCurrentIndex(0)
    with qtbot.waitSignal(picker.listed, timeout=10000):
        picker.refresh()
    assert picker.folder() is None and picker.combo.currentText() == "请选择 U 盘"
    assert picker.combo.count() == 3
    # a folder the user picked stays chosen across a refresh
    picker.set_folder(Path("/tmp/inbox"))
    with qtbot.waitSignal(picker.listed, timeout=10000):
        picker.refresh()
    assert picker.folder() == Path("/tmp/inbox")
    worker.wait()


def test_default_name() -> None:
    name = default_name("results", "中心/总部")
    assert name.endswith("_results_中心_总部.inspbundle") and "/" not in name


def _click(dialog: ExportDialog | ImportDialog) -> None:
    dialog.go.click()


def test_export_dialog_writes_and_verifies(qtbot: QtBot, world: World) -> None:
    lead = world.laptops[0]
    world.store(lead).record(world.eval_id, "1.1.1", {"met": True})
    worker = Worker()
    dialog = ExportDialog(lead, world.db(lead), worker)
    qtbot.addWidget(dialog)
    assert dialog.kind == "results" and dialog.recipient.count() == 3  # the centre, two team members
    stick = world.root / "stick"
    dialog.drive.set_folder(stick)
    dialog.passphrase.setText("000000")
    _click(dialog)
    qtbot.waitUntil(lambda: "未完成" in dialog.message.text(), timeout=20000)
    assert "口令错误" in dialog.message.text() and not list(stick.glob("*_results_*"))
    dialog.passphrase.setText(PINS[0])
    with qtbot.waitSignal(dialog.exported, timeout=20000) as done:
        _click(dialog)
    report = done.args[0]
    assert report.file.exists() and report.counts["changes"] == 1
    assert "已写入并校验" in dialog.message.text()
    assert dialog.progress.value() == dialog.progress.maximum()


def test_import_dialog_reports_and_opens_a_conflict(qtbot: QtBot, world: World) -> None:
    second, third = world.laptops[1], world.laptops[2]
    world.store(second, "李秀英").record(world.eval_id, "4.1.1", {"problems": 1})
    world.store(third, "王志强").record(world.eval_id, "4.1.1", {"problems": 2})
    inbox = world.root / "inbox"
    inbox.mkdir()
    for n, laptop in enumerate((second, third)):
        world.results(laptop).rename(inbox / f"{n}.inspbundle")
    (inbox / "2-broken.inspbundle").write_bytes(b"PK\x03\x04 broken")
    world.close()  # the dialog's task opens its own connection

    window = Window(qtbot, world.centre)
    window.start()
    dialog = open_dialog(window.w, "import")
    assert isinstance(dialog, ImportDialog)
    dialog.drive.set_folder(inbox)
    assert [p.name for p in dialog.paths()] == ["0.inspbundle", "1.inspbundle", "2-broken.inspbundle"]
    dialog.passphrase.setText(CA_PASS)
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        _click(dialog)
    text = dialog.report.text()
    assert text.count("✓") == 2 and "✗ 2-broken.inspbundle" in text and "未做任何更改" in text
    assert dialog.conflicts.count() == 1
    assert window.w.store.get(world.eval_id).conflicts == 1  # type: ignore[union-attr]
    # the conflict, activated: the scoring view at the item, where recording resolves it
    dialog.conflicts.itemActivated.emit(dialog.conflicts.item(0))
    qtbot.waitUntil(lambda: window.w.view() == "scoring", timeout=20000)
    assert window.w.scoring.current_item == "4.1.1"
    window.settle()
    # the same stick again: already there, nothing changes
    again = open_dialog(window.w, "import")
    assert isinstance(again, ImportDialog)
    again.drive.set_folder(inbox)
    again.passphrase.setText(CA_PASS)
    with qtbot.waitSignal(again.imported, timeout=30000):
        _click(again)
    assert again.report.text().count("已导入过") == 2 and again.conflicts.count() == 0
    window.settle()
    window.w.close()


def test_file_menu_has_the_bundle_actions(qtbot: QtBot, world: World) -> None:
    world.close()
    window = Window(qtbot, world.laptops[0])
    window.start()
    # the menu bar's children, not QAction.menu(): PySide6 6.9 deletes that wrapper on return
    file_menu = next(m for m in window.w.menuBar().findChildren(QMenu) if m.title() == "文件(&F)")
    texts = [a.text() for a in file_menu.actions()]
    assert "导出数据包（U 盘）…" in texts and "导入数据包（U 盘）…" in texts
    window.w.bundle_dialog("export")
    dialogs = window.w.findChildren(ExportDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    close = dialogs[0].buttons.button(QDialogButtonBox.StandardButton.Close)
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    window.settle()
    window.w.close()


def test_export_dialog_at_the_centre_sends_assignments(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    centre = world.centre
    dialog = ExportDialog(centre, world.db(centre), Worker())
    qtbot.addWidget(dialog)
    assert dialog.kind == "assignment" and dialog.recipient.count() == 3
    dialog.drive.set_folder(tmp_path)
    dialog.passphrase.setText(CA_PASS)
    _click(dialog)
    assert "请勾选" in dialog.message.text()
    for i in range(dialog.evals.count()):
        item = dialog.evals.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == world.eval_id:
            item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(dialog.exported, timeout=20000) as done:
        _click(dialog)
    assert done.args[0].counts["credentials"] == 2


def test_first_assignment_in_the_window_trusted_without_asking(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window set a fresh laptop up with whatever CA the stick carried. Now it shows the CA
    fingerprint and asks the user to compare it with the slip; "no" imports nothing."""
    from inspector.bundles.export import export_bundle
    from inspector.crypto.identity import load_identity
    from inspector.folder import open_folder

    centre = world.centre
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out = inbox / "assignment.inspbundle"
    export_bundle(
        world.db(centre),
        centre,
        world.keyring(centre),
        "assignment",
        out,
        eval_ids=[world.eval_id],
        to=world.people[1],
    )
    world.close()
    fresh = tmp_path / "fresh"
    open_folder(fresh).conn.close()
    worker = Worker()
    dialog = ImportDialog(fresh, worker)
    qtbot.addWidget(dialog)
    dialog.drive.set_folder(inbox)
    dialog.passphrase.setText(PINS[1])
    shown: list[str] = []

    def answer(yes: bool) -> None:
        monkeypatch.setattr(dialog, "confirm_anchor", lambda fp: shown.append(fp) or yes)

    answer(False)
    _click(dialog)
    assert shown == [world.ca_fingerprint] and "未经确认" in dialog.message.text()
    assert load_identity(fresh) is None and dialog.go.isEnabled()
    answer(True)
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        _click(dialog)
    assert "已安装 李秀英 的证书" in dialog.report.text()
    identity = load_identity(fresh)
    assert identity is not None and identity.ca == load_identity(centre).ca  # type: ignore[union-attr]
    worker.wait()

"""The bundle dialogs: export to a stick, import a stick's bundles, the report, conflicts to the item."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.bundle_support import CA_PASS, PINS, World, world, world_template
from tests.ui.conftest import Window
from ui.bundles import ExportDialog, ImportDialog, default_name, open_dialog, removable_looking
from ui.worker import Worker

__all__ = ["world", "world_template"]  # fixtures


@pytest.mark.parametrize(
    ("root", "removable"),
    [
        ("/media/zhang/KINGSTON", True),
        ("/run/media/li/U盘", True),
        ("/mnt/usb", True),
        ("/Volumes/NO NAME", True),
        ("E:/", True),
        ("D:\\", True),
        ("C:/", False),
        ("/", False),
        ("/home", False),
        ("/boot/efi", False),
    ],
)
def test_removable_looking_mounts(root: str, removable: bool) -> None:
    assert removable_looking(root) is removable


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
    texts = [a.text() for a in window.w.menuBar().actions()[0].menu().actions()]  # type: ignore[union-attr]
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

"""The window under the inspectors' systems' conditions, simulated on Linux: a restore racing the
open window, an antivirus holding the sign-off's temporary files, a data folder on a network share."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector import drives
from inspector.store.evaluations import EvaluationStore
from tests.helpers import refused, run
from tests.ui.conftest import Window, evaluation
from tests.ui.test_signoff import sign_name
from tests.windows_sim import HeldFiles
from ui import signoff


def test_a_restore_waits_for_the_window_to_close(
    window: Window, demo_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_BACKUP_PASSPHRASE", "恢复测试-备份口令-2026")  # a backup is encrypted
    window.start()
    out = tmp_path / "backup.zip"
    assert run("backup", "--out", out, data=demo_folder).code == 0
    refused(run("restore", out, data=demo_folder), "请先关闭窗口")
    window.settle()
    window.w.close()
    r = run("restore", out, data=demo_folder)
    assert r.code == 0, r.err


def test_a_window_does_not_open_a_folder_being_restored(qtbot: object, demo_folder: Path) -> None:
    from inspector.store.folder_lock import folder_to_itself

    with folder_to_itself(demo_folder):
        window = Window(qtbot, demo_folder)  # type: ignore[arg-type]
        window.w.quiet = True
        failures: list[str] = []
        window.w.failed.connect(failures.append)
        window.w.start()
        assert failures and "正在恢复备份" in failures[0]
        assert window.w.db is None
    window.w.start()
    window.qtbot.waitUntil(lambda: window.w.db is not None, timeout=20000)
    window.settle()
    window.w.close()


def test_a_scanner_holding_a_signature_picture_does_not_stop_the_sign_off(
    window: Window, store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = evaluation(store, state="complete", rubric="sichuan-2017-inspection", kind="inspection")
    monkeypatch.setattr(signoff, "FINISH_HOOKS", [])
    held = HeldFiles(monkeypatch)
    held.hold_matching(lambda p: p.suffix == ".png" and "inspector-signoff-" in str(p))  # for good
    window.start(e.id, "scoring")
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # summary
    window.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # sign-off
    page = window.w.signoff
    page.rows[3].name.setText("Zhao Li")
    for n, row in enumerate(page.rows):
        sign_name(window, row.pad, n * 5)
    page.confirm.setChecked(True)  # the total and conclusion were read
    page.sign()
    assert store.get(e.id).state == "signed", page.message.text()
    assert any(op == "rmtree" for op, _p in held.refused)  # the clean-up was refused, and shrugged off


def test_a_data_folder_on_a_network_share_is_warned_about(
    window: Window, demo_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = drives.Mount("//fileserver/督导", str(demo_folder.resolve()), "cifs", ("rw",))
    monkeypatch.setattr(
        drives, "_proc_mounts", lambda: [*drives.read_mounts("/dev/sda1 / ext4 rw 0 0"), share]
    )
    window.start()
    window.settle()
    label = window.w.folder_warning
    assert label is not None and label.isVisible() and "网络共享" in label.text()
    assert window.w.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_notice_whose_pdf_cannot_be_written_is_not_recorded(
    store: EvaluationStore, demo_folder: Path, tmp_path: Path
) -> None:
    from inspector.centre.rectifications import list_rectifications
    from inspector.errors import StoreError
    from ui.centre.rectify_dialogs import send_notice_task

    e = evaluation(store, state="signed")
    before = len(list_rectifications(store.db))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")  # the PDF cannot be written below it
    fields = {"notice_sent": "2026-12-01", "months": 3}
    with pytest.raises(StoreError):
        send_notice_task(lambda _d, _t: None, demo_folder, e.id, fields, blocker / "整改通知书.pdf", None)
    assert len(list_rectifications(store.db)) == before  # no notice recorded without its document
    pdf = tmp_path / "整改通知书.pdf"
    rect, written = send_notice_task(lambda _d, _t: None, demo_folder, e.id, fields, pdf, None)
    assert written == pdf and pdf.read_bytes()[:5] == b"%PDF-"
    assert len(list_rectifications(store.db)) == before + 1 and rect.eval_id == e.id


def test_printing_again_while_the_last_print_is_open_saves_beside_it(
    window: Window, store: EvaluationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = evaluation(store, state="draft", rubric="sichuan-2017-inspection", kind="inspection")
    window.start(e.id, "scoring")
    sheets = window.w.sheets
    sheets.action.trigger()  # Ctrl+P
    window.qtbot.waitUntil(lambda: sheets.last is not None, timeout=60000)
    first = sheets.last
    assert first is not None
    held = HeldFiles(monkeypatch)
    held.hold(first)  # still open in WPS
    sheets.last = None
    sheets.action.trigger()
    window.qtbot.waitUntil(lambda: sheets.last is not None, timeout=60000)
    assert sheets.last == first.with_name(f"{first.stem} (2).pdf")
    assert sheets.last.read_bytes()[:5] == b"%PDF-"
    assert "已另存" in window.w.statusBar().currentMessage()

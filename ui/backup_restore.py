"""备份 and 从备份恢复 from the window: the core's own functions (inspector/store/backup.py), on the
worker thread, with the file chosen in a dialog.

A backup is taken while the folder is open (SQLite's online backup). A restore replaces the
database: the window first leaves the evaluation it shows (recording its draft) and closes its
connection, the core checks the whole backup before it touches anything, and the folder is
opened again afterwards, whatever the outcome. The core refuses a restore while another program
has the folder open; the message says so and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from inspector.errors import InspectorError
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.errors import show_user_error
from ui.worker import Progress

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def default_backup_name(data: Path) -> str:
    return f"inspector-backup-{dt.datetime.now().strftime('%Y%m%d-%H%M')}.zip"


def _backup(progress: Progress, data: Path, out: Path, passphrase: str) -> Any:
    from inspector.store.backup import backup

    with opened_folder(data) as db:
        return backup(db, data, out, passphrase)


def _restore(progress: Progress, data: Path, file: Path, passphrase: str | None) -> Any:
    from inspector.store.backup import restore

    return restore(file, data, passphrase)


def ask_backup_passphrase(window: MainWindow, *, new: bool) -> str | None:
    """The backup passphrase, typed (twice for a new backup, and checked by the core's rule before
    any work); None when the user gave up."""
    from inspector.store.passphrases import passphrase_problem

    while True:
        first, ok = QInputDialog.getText(
            window,
            _("备份口令"),
            _("备份以口令加密（将来恢复时需要）。请输入备份口令：")
            if new
            else _("这份备份已加密。请输入备份口令："),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return None
        if not new:
            return first
        problem = passphrase_problem(first)
        if problem is not None:
            QMessageBox.warning(window, _("备份口令"), _("备份口令不可用：{p}").format(p=problem))
            continue
        again, ok = QInputDialog.getText(
            window, _("备份口令"), _("请再输入一次备份口令："), QLineEdit.EchoMode.Password
        )
        if not ok:
            return None
        if again == first:
            return first
        QMessageBox.warning(window, _("备份口令"), _("两次输入的口令不一致"))


def _on_server(window: MainWindow, title: str) -> bool:
    """A desk of a centre on a server: the server's backup is the DBA's, said once, nothing asked."""
    from inspector.store.backup import refuse_on_server

    try:
        refuse_on_server(window.data_dir)
    except InspectorError as e:
        show_user_error(window, e, title)
        return True
    return False


def backup_now(window: MainWindow, out: Path | None = None, passphrase: str | None = None) -> None:
    """Ask where (unless ``out``) and for the backup passphrase (unless given), then back the
    folder up there on the worker."""
    if _on_server(window, _("备份数据文件夹")):
        return
    if out is None:
        chosen, _filter = QFileDialog.getSaveFileName(
            window,
            _("备份数据文件夹"),
            str(Path.home() / default_backup_name(window.data_dir)),
            _("备份文件 (*.zip)"),
        )
        if not chosen:
            return
        out = Path(chosen)
    if passphrase is None:
        passphrase = ask_backup_passphrase(window, new=True)
        if passphrase is None:
            return
    if window.view() == "scoring" and window.scoring.item_view is not None:
        window.scoring.item_view.commit(strict=False)  # the draft too
    window.worker.run(
        _("备份数据文件夹"),
        _backup,
        window.data_dir,
        out,
        passphrase,
        on_done=lambda info: _backed_up(window, info),
        on_error=lambda e: show_user_error(window, e, _("备份未完成")),
        owner=window,
    )


def _backed_up(window: MainWindow, info: Any) -> None:
    text = _("已备份 {n} 个文件（{mb:.1f} MB）到 {path}").format(
        n=info.files, mb=info.bytes / 2**20, path=info.path
    )
    window.statusBar().showMessage(text, 15000)
    window.last_backup = Path(info.path)
    if not window.quiet:
        QMessageBox.information(window, _("备份完成"), text)


def restore_from(
    window: MainWindow, file: Path | None = None, *, confirmed: bool = False, passphrase: str | None = None
) -> None:
    """Ask for the backup file and a confirmation, then restore and reopen the folder."""
    if _on_server(window, _("从备份恢复")):
        return
    if file is None:
        chosen, _filter = QFileDialog.getOpenFileName(
            window, _("从备份恢复"), str(Path.home()), _("备份文件 (*.zip)")
        )
        if not chosen:
            return
        file = Path(chosen)
    if not confirmed:
        answer = QMessageBox.question(
            window,
            _("从备份恢复"),
            _(
                "用备份“{file}”替换数据文件夹中的数据库？\n\n"
                "当前数据库会另存一份在数据文件夹中；证据和 PDF 文件只增不删。"
            ).format(file=file.name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    if passphrase is None and _encrypted(file):
        passphrase = ask_backup_passphrase(window, new=False)
        if passphrase is None:
            return
    window.close_folder()
    window.worker.run(
        _("从备份恢复"),
        _restore,
        window.data_dir,
        file,
        passphrase,
        on_done=lambda manifest: _restored(window, manifest),
        on_error=lambda e: _restore_failed(window, e),
        owner=window,
    )


def _encrypted(file: Path) -> bool:
    from inspector.store.backup_seal import is_encrypted

    try:
        with open(file, "rb") as f:
            return is_encrypted(f.read(16))
    except OSError:
        return False  # the core says what is wrong with the file


def _restored(window: MainWindow, manifest: dict[str, Any]) -> None:
    text = _("已从备份恢复。")
    if "kept" in manifest:
        text += _("原数据库已另存为：{path}").format(path=manifest["kept"])
    window.statusBar().showMessage(text, 15000)
    window.start()
    if not window.quiet:
        QMessageBox.information(window, _("恢复完成"), text)


def _restore_failed(window: MainWindow, error: InspectorError) -> None:
    window.start()  # the folder as it was: the core changed nothing it could not finish
    if not window.quiet:
        show_user_error(window, error, _("无法从备份恢复"))
    else:
        window.statusBar().showMessage(str(error), 15000)

"""The score sheet from the window: produced (and signed) after sign-off, or on demand.

After the lock, the sheet is made on the worker thread, signed with this laptop's installed
credential when there is one (the PIN is asked on the GUI thread first), written to the data
folder's ``reports/`` and opened in the system's PDF reader. Without a credential the sheet is
still made, with the drawn signatures, and says so; ``inspector pdf sign`` can sign it later.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QLineEdit, QMenu

from inspector.i18n import _
from ui.shortcuts import sequences
from ui.worker import Progress

if TYPE_CHECKING:
    from ui.main_window import MainWindow


# "name (2)": where inspector.fileio.atomic_document put a sheet whose usual name was held open
# (sheet_path's own names have no spaces, so this never matches an ordinary sheet)
BESIDE = re.compile(r" \(\d+\)$")


def make_sheet(
    progress: Progress,
    data: Path,
    eval_id: str,
    user: str | None,
    pin: str | None,
    role: str,
    kind: str = "sheet",
) -> Path:
    """Worker task: the core's one way to make (and sign) the sheet, or another of the evaluation's
    documents (``kind``); returns the file."""
    from inspector.documents.signing import make_score_sheet, unlock_signer
    from inspector.folder import opened_folder
    from inspector.store.evaluations import EvaluationStore

    with opened_folder(data) as db:
        store = EvaluationStore(db, user)
        signed = store.get(eval_id).state == "signed"
        signer = unlock_signer(data, pin) if pin is not None and signed else None
        return make_score_sheet(store, data, eval_id, signer, role, progress, kind)


class SheetActions(QObject):
    """Adds 生成评分表 to the 评估 menu and makes the sheet after every sign-off."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction(_("生成评分表 PDF"), window)
        self.action.setShortcuts(sequences("print"))
        self.action.triggered.connect(lambda: self.produce(self.current()))
        menu = self._evaluation_menu()
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.action)
        window.addAction(self.action)
        window.evaluation_signed.connect(lambda eval_id: self.produce(eval_id, after_sign_off=True))
        self.last: Path | None = None

    def _evaluation_menu(self) -> QMenu | None:
        # The menu bar's own children, not QAction.menu(): PySide6 6.9's wrapper for the latter
        # was deleted on return (the window did not open with the manylinux_2_28 wheels)
        for menu in self.window.menuBar().findChildren(QMenu):
            if menu.title() == _("评估(&E)"):
                return menu
        return None

    def current(self) -> str | None:
        session = self.window.session
        return session.eval_id if session is not None else None

    def _ask_pin(self) -> tuple[str | None, str]:
        """The credential's PIN and the role to sign as, when this laptop has a credential."""
        from inspector.crypto.keys import installed_certificate

        if installed_certificate(self.window.data_dir) is None or self.window.quiet:
            return None, ""
        # imported here: PySide6 builds a class's Python type (and its enums) when a module first
        # names it, and the window's start need not pay for a dialog it does not show (issue 18, P1)
        from PySide6.QtWidgets import QInputDialog

        pin, ok = QInputDialog.getText(
            self.window,
            _("数字签名"),
            _("输入签名证书口令，为评分表加数字签名（取消则只生成不签名）："),
            QLineEdit.EchoMode.Password,
        )
        if not ok or not pin:
            return None, ""
        role, ok = QInputDialog.getText(self.window, _("数字签名"), _("签署角色："), text=_("组长"))
        if not ok or not role.strip():
            role = _("组长")
        return pin, role.strip()

    def produce(self, eval_id: str | None, after_sign_off: bool = False) -> None:
        if eval_id is None:
            return
        # Only a signed evaluation's sheet carries a digital signature (the core refuses a draft's):
        # the PIN is asked after the sign-off, or for a signed evaluation's sheet made again.
        session = self.window.session
        signed = after_sign_off or (session is not None and session.eval_id == eval_id and session.read_only)
        pin, role = self._ask_pin() if signed else (None, "")
        self.window.worker.run(
            _("生成评分表"),
            make_sheet,
            self.window.data_dir,
            eval_id,
            self.window.user,
            pin,
            role,
            on_done=self._done,
            owner=self.window,
        )

    def produce_document(self, kind: str) -> None:
        """Another document of the open evaluation (自查自评报告, 整改通知书), unsigned."""
        eval_id = self.current()
        if eval_id is None:
            return
        # imported here, not with this module: the documents pull in reportlab (about 0.1 s),
        # which the window's first paint does not need
        from inspector.documents.signing import document_names

        self.window.worker.run(
            _("生成{name}").format(name=document_names().get(kind, kind)),
            make_sheet,
            self.window.data_dir,
            eval_id,
            self.window.user,
            None,
            "",
            kind,
            on_done=self._done,
            owner=self.window,
        )

    def _done(self, path: Any) -> None:
        self.last = Path(path)
        message = _("已生成：{path}").format(path=path)
        if BESIDE.search(self.last.stem):
            # the usual name was held open (a reader showing the last print): say where this one went
            message += _("（同名文件正被其他程序打开，已另存）")
        self.window.statusBar().showMessage(message, 10000)
        # Opening a reader needs a desktop; tests and screenshots run without one.
        if QGuiApplication.platformName() not in ("offscreen", "minimal") and not os.environ.get(
            "INSPECTOR_NO_OPEN"
        ):
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

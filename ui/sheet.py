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

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from inspector.folder import opened_folder
from inspector.i18n import _
from ui.shortcuts import sequences
from ui.worker import Progress

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def reports_dir(data: Path) -> Path:
    return data / "reports"


def document_names() -> dict[str, str]:
    return {
        "sheet": _("评分表"),
        "self": _("自查自评报告"),
        "notice": _("整改通知书"),
        "record": _("督导情况记录表"),
    }


def sheet_path(
    data: Path, org_name: str, visit_date: str | None, eval_id: str, signed: bool, kind: str = "sheet"
) -> Path:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", org_name)[:40]
    name = document_names().get(kind, kind)
    tag = name if signed else _("{name}草稿").format(name=name)
    return reports_dir(data) / f"{safe}_{visit_date or 'undated'}_{eval_id[:8]}_{tag}.pdf"


def make_sheet(
    progress: Progress,
    data: Path,
    eval_id: str,
    user: str | None,
    pin: str | None,
    role: str,
    kind: str = "sheet",
) -> Path:
    """Worker task: render the document (the score sheet, or ``kind``), optionally sign, write."""
    from inspector.documents.others import render_document
    from inspector.documents.style import write_pdf
    from inspector.store.evaluations import EvaluationStore

    with opened_folder(data) as db:
        store = EvaluationStore(db, user)
        e = store.get(eval_id)
        progress(0, 3)
        pdf = render_document(store, data, eval_id, kind)
        progress(1, 3)
        if pin is not None:
            from inspector.crypto.keys import common_name, load_signer
            from inspector.crypto.pdfsign import sign_pdf

            signer = load_signer(data, pin)
            pdf = sign_pdf(
                pdf,
                signer,
                name=common_name(signer.certificate.subject),
                role=role,
                reason=_("{role}签署评估结果").format(role=role),
                location=e.org_name,
                field_name=f"sig_1_{format(signer.certificate.serial_number, 'x')[:16]}",
            )
        progress(2, 3)
        out = sheet_path(data, e.org_name, e.visit_date, eval_id, e.state == "signed", kind)
        write_pdf(out, pdf)
        progress(3, 3)
        return out


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
        window.evaluation_signed.connect(self.produce)
        self.last: Path | None = None

    def _evaluation_menu(self) -> QMenu | None:
        for action in self.window.menuBar().actions():
            if action.text() == _("评估(&E)"):
                return action.menu()  # type: ignore[return-value]
        return None

    def current(self) -> str | None:
        session = self.window.session
        return session.eval_id if session is not None else None

    def _ask_pin(self) -> tuple[str | None, str]:
        """The credential's PIN and the role to sign as, when this laptop has a credential."""
        from inspector.crypto.keys import installed_certificate

        if installed_certificate(self.window.data_dir) is None or self.window.quiet:
            return None, ""
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

    def produce(self, eval_id: str | None) -> None:
        if eval_id is None:
            return
        pin, role = self._ask_pin()
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
        self.window.statusBar().showMessage(_("已生成：{path}").format(path=path), 10000)
        # Opening a reader needs a desktop; tests and screenshots run without one.
        if QGuiApplication.platformName() not in ("offscreen", "minimal") and not os.environ.get(
            "INSPECTOR_NO_OPEN"
        ):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

"""First run: what this computer is for, where its data lives, and the first step to take.

Shown once, when a data folder has no credential and no evaluation yet: a fresh install. The
choices are what a new user actually needs: make this the centre (create the CA), set up a field
laptop (import the first assignment bundle from the stick — it carries the supervisor's
credential), set up a station's self-assessment (import the centre's self-assessment request: it
carries the station representative's credential), or look around with the demo. The answer is
remembered in ``ui_state``; the folder's role in ``meta`` (:mod:`inspector.store.folder_role`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UsageError
from inspector.folder import opened_folder
from inspector.i18n import _
from inspector.store.folder_role import ROLES, set_folder_role
from inspector.store.ui_state import get_state, set_state
from ui.worker import Progress

if TYPE_CHECKING:
    from inspector.bundles.demo import Demo
    from ui.main_window import MainWindow

DONE_KEY = "first_run_done"
MIN_PASSPHRASE = 8


def needs_first_run(db: Any, data: Path) -> bool:
    from inspector.crypto.identity import load_identity

    if get_state(db, DONE_KEY) is not None or load_identity(data) is not None:
        return False
    from inspector.store.evaluations import count_evaluations

    return count_evaluations(db) == 0


def _make_centre(progress: Progress, data: Path, name: str, passphrase: str) -> str:
    from inspector.crypto.identity import CA_FOLDER, init_centre

    info, _identity = init_centre(data, data / CA_FOLDER, name, passphrase)
    return info.fingerprint


def _fill_demo(progress: Progress, data: Path) -> Demo:
    """The one demo `inspector demo` makes too: the sample data and, in a folder without
    credentials, the demo centre's CA and this folder's keys (issue 17 found the window's lacking)."""
    from inspector.bundles.demo import fill_demo_folder

    with opened_folder(data) as db:
        return fill_demo_folder(db, data)


class CentreSetup(QDialog):
    """The centre's name and the CA's passphrase (twice)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("设为指导中心"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("如：四川省职业技能鉴定指导中心"))
        self.secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow(_("中心名称"), self.name)
        form.addRow(_("证书口令"), self.secret)
        form.addRow(_("再次输入口令"), self.again)
        hint = QLabel(
            _("口令保护中心的证书机构私钥，至少 {n} 个字符。请另行妥善保存：遗失后无法找回。").format(
                n=MIN_PASSPHRASE
            )
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        self.error = QLabel()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if not self.name.text().strip():
            self.error.setText("⚠ " + _("请填写中心名称"))
        elif len(self.secret.text()) < MIN_PASSPHRASE:
            self.error.setText("⚠ " + _("口令至少 {n} 个字符").format(n=MIN_PASSPHRASE))
        elif self.secret.text() != self.again.text():
            self.error.setText("⚠ " + _("两次输入的口令不一致"))
        else:
            self.accept()


class FirstRunDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(_("欢迎使用质量督导评估"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "这台电脑用来做什么？\n\n数据文件夹：{path}\n所有评估、证据和证书都保存在这里；"
                "请定期用“文件 → 备份数据文件夹…”备份。"
            ).format(path=window.data_dir)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.choices: dict[str, QPushButton] = {}
        for key, label, tip in (
            ("field", _("督导员笔记本：导入第一个任务包…"), _("从中心发来的 U 盘导入任务包；它带有您的证书")),
            ("centre", _("指导中心：建立证书机构…"), _("登记机构和督导员、制订计划、抽取、汇总结果")),
            (
                "server",
                _("指导中心的工作台：连接数据库服务器…"),
                _("中心的数据库在 PostgreSQL 服务器上，多个工作台同时使用（登记员、调度员、负责人）"),
            ),
            (
                "station",
                _("鉴定站（所）自评：导入中心的自评通知…"),
                _("从中心发来的 U 盘导入自评通知；它带有本站代表的证书、评估表和截止日期"),
            ),
            ("demo", _("先看看：填入示例数据"), _("示例机构、督导员、计划和各种状态的评估")),
            ("later", _("以后再说"), _("随时可从“文件”菜单导入数据包")),
        ):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, k=key: self.choose(k))
            layout.addWidget(button)
            self.choices[key] = button
        self.chosen: str | None = None

    def choose(self, key: str) -> None:
        self.chosen = key
        w = self.window_
        if key == "server":
            if not self._connect_server():
                return
        elif key == "centre":
            setup = CentreSetup(self)
            if setup.exec() != QDialog.DialogCode.Accepted:
                return
            w.worker.run(
                _("建立证书机构"),
                _make_centre,
                w.data_dir,
                setup.name.text().strip(),
                setup.secret.text(),
                on_done=self._centre_made,
                owner=w,
            )
        elif key == "demo":
            w.worker.run(_("填入示例数据"), _fill_demo, w.data_dir, on_done=w._demo_filled, owner=w)
        elif key in ("field", "station"):  # both begin with the bundle the centre sent
            from ui.bundles import open_dialog

            open_dialog(w, "import")
        self._remember()
        self.accept()

    def _connect_server(self) -> bool:
        """This folder becomes a desk of the centre on a server (ui/centre_server.py); a fresh
        centre's first desk goes on to make the CA, as a centre on this PC does."""
        from inspector.crypto.identity import load_identity
        from ui.centre_server import ServerSetup

        w = self.window_
        setup = ServerSetup(self, w.worker, w.data_dir)
        if setup.exec() != QDialog.DialogCode.Accepted or setup.result_ is None:
            return False
        db, make_ca = setup.result_
        w._opened(db)  # the window on the server's database from now on
        self.chosen = "centre"
        if make_ca and load_identity(w.data_dir) is None:
            self.choose("centre")  # a new centre: its CA, in this (the head's) desk folder
        else:
            w.statusBar().showMessage(_("已连接到服务器上的中心数据库"), 10000)
        return True

    def _centre_made(self, fingerprint: Any) -> None:
        QMessageBox.information(
            self.window_,
            _("指导中心已建立"),
            _("证书机构已建立。请把 CA 证书指纹告知各督导员，供其核对：\n{fp}").format(fp=fingerprint),
        )

    def _remember(self) -> None:
        db = self.window_.db
        if db is not None and self.chosen is not None:
            set_state(db, DONE_KEY, self.chosen)
            if self.chosen in ROLES:  # the folder's role is stored (a station's org comes with its request)
                from inspector.store.db import transaction

                with transaction(db) as conn:
                    set_folder_role(conn, self.chosen)


def maybe_first_run(window: MainWindow) -> FirstRunDialog | None:
    """Offer the first-run choices on a fresh folder (never for --screenshot runs)."""
    if window.quiet or window.db is None:
        return None
    try:
        if not needs_first_run(window.db, window.data_dir):
            return None
    except UsageError:
        return None
    dialog = FirstRunDialog(window)
    dialog.open()
    return dialog

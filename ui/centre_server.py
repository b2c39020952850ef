"""The first run's other way to be the centre: a desk of a centre whose database is on a PostgreSQL
server (docs/centre-on-postgresql.md), instead of this computer's data folder.

The address is tried (测试连接) on the worker without changing anything, and said back: who this
desk is on the server and whether the database is already a centre's or a fresh one. Connecting
calls :func:`inspector.folder.connect_centre`, the one function `inspector centre connect` calls
too: the folder remembers the server only once it works, and a refusal is one clear message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.i18n import _
from ui.worker import Worker


def probe_task(progress: Callable[[int, int], None], url: str) -> Any:
    from inspector.folder import probe_server

    return probe_server(url)


def connect_task(progress: Callable[[int, int], None], data: Path, url: str) -> tuple[Any, bool]:
    """The centre on the server, this folder connected to it; and whether this desk goes on to make
    the centre's CA: a centre with no roster or plans yet, at a desk that may issue credentials
    (the head's; a clerk connecting early is not asked)."""
    from inspector.centre.overview import holds_centre_data
    from inspector.folder import connect_centre
    from inspector.store.desk_grants import desk_grants

    db = connect_centre(data, url)
    return db, not holds_centre_data(db) and desk_grants(db.conn).may("credentials")


def said(found: Any) -> str:
    """What a successful try found, in the user's words."""
    text = _("✓ 连接成功：{where}，数据库用户 {user}").format(where=found.where, user=found.user)
    if found.version == 0:
        return text + "\n" + _("这是一个空数据库：连接时将建立中心的数据表")
    return text + "\n" + _("这是中心的数据库（结构版本 {v}）").format(v=found.version)


class ServerSetup(QDialog):
    """The server's address, a connection test, and the connection itself (on the worker)."""

    def __init__(self, parent: QWidget, worker: Worker, data: Path) -> None:
        super().__init__(parent)
        self.worker = worker
        self.data = data
        self.result_: tuple[Any, bool] | None = None  # (db, whether to make the CA) once connected
        self.setWindowTitle(_("连接中心的数据库服务器"))
        form = QFormLayout(self)
        intro = QLabel(
            _(
                "中心在省里的 PostgreSQL 服务器上有一个数据库，各工作台同时使用它。"
                "请填写管理员给您的地址（用户名是您的数据库用户）。本机的数据文件夹 {path} "
                "仍保存这个工作台的密钥和设置。"
            ).format(path=data)
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://用户@服务器:5432/库名")
        self.url.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        form.addRow(_("服务器地址"), self.url)
        hint = QLabel(_("密码可写在地址里（postgresql://用户:密码@…），或由管理员写入本机的 .pgpass 文件"))
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.test_button = QPushButton(_("测试连接(&T)"))
        self.test_button.clicked.connect(self.test)
        form.addRow(self.test_button)
        self.answer = QLabel()
        self.answer.setObjectName("serverAnswer")
        self.answer.setWordWrap(True)
        # room for a refusal's three lines: a dialog on screen does not grow for a label's new text
        self.answer.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        form.addRow(self.answer)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("连接(&C)"))
        self.buttons.accepted.connect(self.connect_)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _busy(self, busy: bool, text: str = "") -> None:
        self.test_button.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        if text:
            self.answer.setStyleSheet("")
            self.answer.setText(text)

    def _refused(self, error: InspectorError) -> None:
        self._busy(False)
        self.answer.setStyleSheet("color: #b00020;")
        self.answer.setText("⚠ " + str(error))

    def test(self) -> None:
        self._busy(True, _("正在连接…"))
        self.worker.run(
            _("测试连接"),
            probe_task,
            self.url.text(),
            on_done=self._tried,
            on_error=self._refused,
            owner=self,
        )

    def _tried(self, found: Any) -> None:
        self._busy(False)
        self.answer.setText(said(found))

    def connect_(self) -> None:
        self._busy(True, _("正在连接…"))
        self.worker.run(
            _("连接服务器"),
            connect_task,
            self.data,
            self.url.text(),
            on_done=self._connected,
            on_error=self._refused,
            owner=self,
        )

    def _connected(self, result: tuple[Any, bool]) -> None:
        self._busy(False)
        self.result_ = result
        self.accept()

"""The changes held apart on import (who may change what): see each one, accept or reject it.

The same core functions as ``inspector bundle held|accept|reject`` (inspector.bundles.held); each
decision needs a reason, recorded with who and when.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.bundles.held import Held, accept_held, held_changes, kind_label, reject_held
from inspector.errors import InspectorError
from inspector.i18n import _


def describe(h: Held) -> str:
    c = h.change
    return _("#{id} {org} 评估 {e} {what}（{kind}）来自 {who}\n{rule}：{reason}").format(
        id=h.id,
        org=h.org_name or "—",
        e=c.eval_id[:8],
        what=c.item_id or "",
        kind=kind_label(c.kind),
        who=h.sender.get("name", "?"),
        rule=h.as_json()["rule_label"],
        reason=h.reason,
    )


class HeldDialog(QDialog):
    """The list of held changes awaiting a decision, a reason field, 接受 and 拒绝."""

    def __init__(self, db: sqlite_utils.Database, user: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.setWindowTitle(_("被搁置的更改"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(_("这些更改导入时不合“谁可以改什么”的规则，未并入评估。请逐条决定，并写明理由。"))
        )
        self.list = QListWidget()
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("理由（必填）"))
        self.accept_button = QPushButton(_("接受"))
        self.reject_button = QPushButton(_("拒绝"))
        row.addWidget(self.reason, 1)
        row.addWidget(self.accept_button)
        row.addWidget(self.reject_button)
        layout.addLayout(row)
        self.message = QLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accept_button.clicked.connect(lambda: self._decide(True))
        self.reject_button.clicked.connect(lambda: self._decide(False))
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.reason.textChanged.connect(lambda _text: self._enable())
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for h in held_changes(self.db):
            item = QListWidgetItem(describe(h))
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.message.setText(_("没有被搁置的更改"))
        self._enable()

    def _enable(self) -> None:
        ok = self.list.currentItem() is not None and bool(self.reason.text().strip())
        self.accept_button.setEnabled(ok)
        self.reject_button.setEnabled(ok)

    def _decide(self, accept: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        hold_id: Any = item.data(Qt.ItemDataRole.UserRole)
        try:
            ids = (accept_held if accept else reject_held)(
                self.db, int(hold_id), self.reason.text(), self.user
            )
        except InspectorError as e:  # e.g. a signed evaluation: said here, beside the list
            self.message.setText(str(e))
            return
        done = _("已接受") if accept else _("已拒绝")
        self.reason.clear()
        self.refresh()
        self.message.setText(_("{done}：{ids}").format(done=done, ids="、".join(f"#{i}" for i in ids)))

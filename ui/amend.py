"""Amending a signed evaluation: the reason, asked for in a dialog that says what will happen.

It was a bare one-line input 202 pixels wide. An amendment is a serious act (the signed revision
stays as it was, a new revision opens with its answers and must be signed again), and its reason
is printed on the new sheet: the dialog says so, takes several lines, and will not accept an
empty reason.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _


class AmendDialog(QDialog):
    def __init__(self, parent: QWidget | None, station: str, signed_at: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("修订已签署的评估"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "{station} 的评估已于 {date} 签署。修订不会改动已签署的版本：将以它的全部评分新建一个修订版，"
                "修改后须重新签署；修订理由会印在新的评分表上。"
            ).format(station=station, date=signed_at[:10])
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel(_("修订理由（必填）：")))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("如：复核时发现 2.1.3 计分有误，据现场记录更正"))
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("建立修订版"))
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda: ok.setEnabled(bool(self.text())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 46, fm.height() * 14)

    def text(self) -> str:
        return self.reason.toPlainText().strip()


def ask_reason(parent: QWidget | None, station: str, signed_at: str) -> str | None:
    """The reason typed, or None when cancelled."""
    dialog = AmendDialog(parent, station, signed_at)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.text():
        return None
    return dialog.text()

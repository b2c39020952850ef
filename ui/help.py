"""F1: the keyboard map, from the same table as the menus (:func:`ui.shortcuts.keymap`)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from inspector.i18n import _
from ui.shortcuts import keymap


def keymap_html() -> str:
    parts = []
    for heading, rows in keymap():
        parts.append(f"<h3>{escape(heading)}</h3><table cellpadding='3'>")
        for keys, what in rows:
            parts.append(
                f"<tr><td style='white-space:nowrap'><b>{escape(keys)}</b></td><td>{escape(what)}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("快捷键"))
        layout = QVBoxLayout(self)
        text = QTextBrowser()
        text.setHtml(keymap_html())
        layout.addWidget(text)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 55, fm.height() * 36)

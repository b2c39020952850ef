"""Marks the form disallows, shown beside the total, and cleared one at a time by a confirmed act.

A team member's bundle (or a folder an older program wrote) may carry a mark the pinned form does
not take: on an item or a veto it lacks, a not-applicable without its leave, an override off the
item's point grid. No total is shown while one is current, and signing is refused
(:func:`inspector.rubric.scoring.disallowed`). The window lists them here; the inspector scores the
item again, or clears the mark: a dialog names the item and the mark, and only its button writes,
through :func:`inspector.store.disallowed_marks.clear_mark` (what ``inspector eval clear`` calls),
as one change appended to the log.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.i18n import _
from inspector.store.disallowed_marks import DisallowedMark
from inspector.store.evaluations import VETO_PREFIX
from ui.errors import show_user_error
from ui.item_editor import describe_payload
from ui.session import EvaluationSession


def describe_mark(session: EvaluationSession, mark: DisallowedMark) -> str:
    """The mark in the inspector's words (a veto: found, and its note)."""
    if mark.item_id.startswith(VETO_PREFIX):
        note = mark.payload.get("note")
        return _("否决项已勾选") + (f" · {note}" if note else "")
    item = session.rubric.item(mark.item_id) if session.rubric.has_item(mark.item_id) else None
    return describe_payload(item, dict(mark.payload))


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class ClearMarkDialog(QDialog):
    """Names the item, the mark and why the form disallows it; only 清除该记录 writes."""

    def __init__(self, parent: QWidget | None, item_id: str, what: str, why: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("清除评估表不允许的记录"))
        layout = QVBoxLayout(self)
        head = _label(_("清除小项 {id} 的记录“{what}”？").format(id=item_id, what=what))
        head.setStyleSheet("font-weight: bold;")
        layout.addWidget(head)
        layout.addWidget(_label(_("评估表不允许该记录：{why}").format(why=why)))
        layout.addWidget(
            _label(
                _("清除作为一条新的更改记入历史，原记录仍保留在历史中。该项如在评估表中，清除后须重新评分。")
            )
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.clear_button = self.buttons.addButton(_("清除该记录"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setDefault(True)  # Enter alone does not clear
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)


def confirm_clear(parent: QWidget | None, item_id: str, what: str, why: str) -> bool:
    """Ask; True only when the inspector pressed 清除该记录."""
    return ClearMarkDialog(parent, item_id, what, why).exec() == QDialog.DialogCode.Accepted


class DisallowedBox(QGroupBox):
    """The current marks the form disallows, each with its 清除… button (hidden when none)."""

    def __init__(self, session: EvaluationSession) -> None:
        super().__init__(_("评估表不允许的记录"))
        self.session = session
        self.setStyleSheet("QGroupBox { color: #b3261e; }")
        self._layout = QVBoxLayout(self)
        self.buttons: dict[str, QPushButton] = {}

    def refresh(self) -> None:
        while self._layout.count():
            taken = self._layout.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()
        self.buttons = {}
        marks = self.session.disallowed
        self.setVisible(bool(marks))
        if not marks:
            return
        self._layout.addWidget(_label(_("有这些记录时不显示总分，也不能签署：请重新评分，或清除该记录。")))
        for mark in marks:
            row = QWidget()
            h = QHBoxLayout(row)
            h.setContentsMargins(0, 0, 0, 0)
            text = _label(f"{mark.item_id}  {describe_mark(self.session, mark)}")
            text.setToolTip(mark.why)
            h.addWidget(text, 1)
            button = QPushButton(_("清除…"))
            button.setToolTip(_("清除 {id} 的这条记录（需确认）").format(id=mark.item_id))
            button.setEnabled(not self.session.read_only)
            button.clicked.connect(lambda _checked=False, m=mark: self.clear(m))
            h.addWidget(button)
            self.buttons[mark.item_id] = button
            self._layout.addWidget(row)
            why = _label(mark.why)
            why.setObjectName("hint")
            self._layout.addWidget(why)

    def clear(self, mark: DisallowedMark) -> None:
        if not confirm_clear(self, mark.item_id, describe_mark(self.session, mark), mark.why):
            return  # not confirmed: nothing written
        try:
            self.session.clear_disallowed(mark.item_id)
        except InspectorError as e:
            show_user_error(self, e)

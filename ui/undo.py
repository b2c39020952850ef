"""Undo and redo of recorded changes: the log keeps everything, undo is one more change.

Undoing a mark records the item's previous value (or None, which clears it) as a new change;
redo records the undone value again. Nothing is ever taken out of the log. Each command is
pushed *after* its first write succeeded (a refused input never reaches the stack), so the first
``redo`` that ``QUndoStack.push`` calls does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from inspector.i18n import _
from ui.session import EvaluationSession

Applied = Callable[[str], None]  # told which item (or "veto:ID") changed, to show it


class RecordCommand(QUndoCommand):
    def __init__(
        self,
        session: EvaluationSession,
        item_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        applied: Applied,
    ) -> None:
        super().__init__(_("记录 {item}").format(item=item_id))
        self.session = session
        self.item_id = item_id
        self.before = before
        self.after = after
        self.applied = applied
        self.pending_first_redo = True

    def redo(self) -> None:
        if self.pending_first_redo:
            self.pending_first_redo = False
            return
        self.session.record(self.item_id, self.after)
        self.applied(self.item_id)

    def undo(self) -> None:
        self.session.record(self.item_id, self.before)
        self.applied(self.item_id)


class VetoCommand(QUndoCommand):
    def __init__(
        self,
        session: EvaluationSession,
        veto_id: str,
        before: tuple[bool, str],
        after: tuple[bool, str],
        applied: Applied,
    ) -> None:
        super().__init__(_("否决项 {id}").format(id=veto_id))
        self.session = session
        self.veto_id = veto_id
        self.before = before
        self.after = after
        self.applied = applied
        self.pending_first_redo = True

    def redo(self) -> None:
        if self.pending_first_redo:
            self.pending_first_redo = False
            return
        self.session.set_veto(self.veto_id, *self.after)
        self.applied("veto:" + self.veto_id)

    def undo(self) -> None:
        self.session.set_veto(self.veto_id, *self.before)
        self.applied("veto:" + self.veto_id)


def record(
    stack: QUndoStack,
    session: EvaluationSession,
    item_id: str,
    payload: dict[str, Any] | None,
    applied: Applied,
) -> None:
    """Record one item's value now (durable when this returns) and make it undoable."""
    before = session.payload(item_id)
    session.record(item_id, payload)
    stack.push(RecordCommand(session, item_id, before, payload, applied))


def set_veto(
    stack: QUndoStack,
    session: EvaluationSession,
    veto_id: str,
    found: bool,
    note: str,
    applied: Applied,
) -> None:
    before = session.veto(veto_id)
    session.set_veto(veto_id, found, note)
    stack.push(VetoCommand(session, veto_id, before, (found, note), applied))

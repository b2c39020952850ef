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


class _WriteCommand(QUndoCommand):
    """Writes ``before`` on undo and ``after`` on redo through ``write``, then says what changed."""

    def __init__(
        self, text: str, key: str, write: Callable[[Any], None], before: Any, after: Any, applied: Applied
    ) -> None:
        super().__init__(text)
        self.key = key
        self.write = write
        self.before = before
        self.after = after
        self.applied = applied
        self.pending_first_redo = True

    def redo(self) -> None:
        if self.pending_first_redo:
            self.pending_first_redo = False
            return
        self.write(self.after)
        self.applied(self.key)

    def undo(self) -> None:
        self.write(self.before)
        self.applied(self.key)


class RecordCommand(_WriteCommand):
    def __init__(
        self,
        session: EvaluationSession,
        item_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        applied: Applied,
    ) -> None:
        def write(payload: dict[str, Any] | None) -> None:
            session.record(item_id, payload)

        super().__init__(_("记录 {item}").format(item=item_id), item_id, write, before, after, applied)
        self.item_id = item_id


class VetoCommand(_WriteCommand):
    def __init__(
        self,
        session: EvaluationSession,
        veto_id: str,
        before: tuple[bool, str],
        after: tuple[bool, str],
        applied: Applied,
    ) -> None:
        def write(state: tuple[bool, str]) -> None:
            session.set_veto(veto_id, *state)

        text = _("否决项 {id}").format(id=veto_id)
        super().__init__(text, "veto:" + veto_id, write, before, after, applied)
        self.veto_id = veto_id


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

"""The scoring view: the rubric tree on the left, the current item in the centre, the totals,
vetoes and comparisons on the right. Keyboard first: see :mod:`ui.shortcuts`.

Moving between items records the draft first (:meth:`ItemView.commit`), then remembers the new
item durably (``ui_state``), so a killed laptop reopens at the same item with every mark.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from inspector.rubric.points import fmt
from ui import undo
from ui.item_finder import ItemFinder
from ui.item_view import ItemView
from ui.models.evaluations_model import kind_label
from ui.session import EvaluationSession
from ui.shortcuts import shown
from ui.side_panel import SidePanel
from ui.tree_model import ITEM_ID_ROLE, RubricTreeModel, legend_entries
from ui.tree_titles import Legend, TitleDelegate
from ui.worker import Worker


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class ScoringPage(QWidget):
    finish_requested = Signal()
    home_requested = Signal()
    amend_requested = Signal()
    team_requested = Signal()
    status = Signal(str)
    draft_changed = Signal(bool)
    item_changed = Signal(str)

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker
        self.session: EvaluationSession | None = None
        self.current_item: str | None = None
        self.undo_stack = QUndoStack(self)
        self._leave_armed = False
        self._selecting = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        bar = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setObjectName("pageTitle")
        bar.addWidget(self.heading, 1)
        self.next_button = QPushButton(_("下一未评") + f"  {shown('next_unanswered')}")
        self.next_button.clicked.connect(self.next_unanswered)
        bar.addWidget(self.next_button)
        self.team_button = QPushButton(_("评估组分工") + f"  {shown('team')}")
        self.team_button.clicked.connect(self.team_requested.emit)
        bar.addWidget(self.team_button)
        self.finish_button = QPushButton(_("完成") + f"  {shown('finish').split(' / ')[0]}")
        self.finish_button.clicked.connect(self.finish_requested.emit)
        bar.addWidget(self.finish_button)
        layout.addLayout(bar)

        self.locked = QFrame()
        self.locked.setStyleSheet("background: #e8eef7; border-radius: 4px;")
        locked_layout = QHBoxLayout(self.locked)
        self.locked_text = QLabel()
        self.locked_text.setWordWrap(True)
        locked_layout.addWidget(self.locked_text, 1)
        amend = QPushButton(_("修订…") + f"  {shown('amend')}")
        amend.clicked.connect(self.amend_requested.emit)
        locked_layout.addWidget(amend)
        self.locked.hide()
        layout.addWidget(self.locked)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeView()
        self.tree.setUniformRowHeights(False)  # item titles take two lines where they need them
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setItemDelegateForColumn(0, TitleDelegate(self.tree))
        self.tree.setIndentation(max(12, self.fontMetrics().height() * 3 // 4))  # room for the titles
        self.finder = ItemFinder(self.tree)
        self.finder.go_to = self.go_to
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.finder)
        left_layout.addWidget(self.tree, 1)
        key = Legend(legend_entries())
        key.setObjectName("hint")
        left_layout.addWidget(key)
        self.splitter.addWidget(left)
        self.centre_slot = QWidget()
        self.centre_layout = QVBoxLayout(self.centre_slot)
        self.centre_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(self.centre_slot)
        self.side_slot = QWidget()
        self.side_layout = QVBoxLayout(self.side_slot)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(self.side_slot)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self.item_view: ItemView | None = None
        self.side: SidePanel | None = None
        self.model: RubricTreeModel | None = None
        self._sized = False

    # -- opening an evaluation -------------------------------------------------------------------
    def open(self, session: EvaluationSession, item_id: str | None = None) -> None:
        # Reopening the same session (after signing: now read-only) must not delete it: the window
        # still holds it, and the next open would touch a deleted object (issue 15).
        self.close_session(keep=session)
        self.session = session
        self.undo_stack.clear()
        e = session.evaluation
        self.heading.setText(
            f"<b>{e.org_name}</b>　{session.rubric.title}　·　{kind_label(e.kind)}"
            + (f"　·　{e.visit_date}" if e.visit_date else "")
        )
        self.model = RubricTreeModel(session)
        self.tree.setModel(self.model)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fm = self.fontMetrics()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, fm.horizontalAdvance("100/100") + fm.height())
        header.resizeSection(2, fm.horizontalAdvance("100/100") + fm.height())
        self.tree.expandAll()
        self.tree.selectionModel().currentChanged.connect(self._tree_moved)
        self.finder.set_session(session, self.model)

        self.item_view = ItemView(session, self.worker, self._record)
        self.item_view.submitted.connect(self.record_and_next)
        self.item_view.draft_changed.connect(self.draft_changed.emit)
        self.centre_layout.addWidget(_scroll(self.item_view))
        self.side = SidePanel(session)
        self.side.jump.connect(self.jump)
        self.side.veto.connect(self._veto)
        self.side_layout.addWidget(_scroll(self.side))
        self._update_locked()
        session.changed.connect(lambda _ids: self._update_locked())
        self.current_item = None
        self.go_to(item_id or session.resume_item(), commit=False)

    def close_session(self, keep: EvaluationSession | None = None) -> None:
        if self.item_view is not None:
            self.item_view.commit(strict=False)
        for slot in (self.centre_layout, self.side_layout):
            while (entry := slot.takeAt(0)) is not None:
                widget = entry.widget()
                if widget is not None:
                    widget.deleteLater()
        self.item_view = None
        self.side = None
        if self.session is not None and self.session is not keep:
            self.session.deleteLater()
        self.session = None
        self.current_item = None
        self.undo_stack.clear()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._sized:  # proportions once, from the width the window really has
            self._sized = True
            w = max(self.width(), 1)
            self.splitter.setSizes([w * 33 // 100, w * 45 // 100, w * 22 // 100])

    def _update_locked(self) -> None:
        s = self.session
        if s is None:
            return
        e = s.evaluation
        self.locked.setVisible(s.read_only)
        if s.read_only:
            self.locked_text.setText(
                "✍ "
                + _("已签署（{date}），只读。如需更改，请建立修订版。").format(date=(e.signed_at or "")[:10])
            )
        elif e.amend_reason:
            self.locked.setVisible(True)
            self.locked_text.setText(_("修订版 {n}：{reason}").format(n=e.revision, reason=e.amend_reason))
        # signed: nothing left to score or complete; the summary is still there to read
        self.next_button.setVisible(not s.read_only)
        self.team_button.setVisible(not s.read_only)
        self.finish_button.setText(
            (_("查看汇总") if s.read_only else _("完成")) + f"  {shown('finish').split(' / ')[0]}"
        )
        self.finish_button.setEnabled(True)
        self.team_button.setEnabled(not s.read_only)

    # -- moving ----------------------------------------------------------------------------------
    def go_to(self, item_id: str, *, commit: bool = True) -> bool:
        """Show an item; with ``commit``, record the current draft first (refused: stay)."""
        if self.session is None or self.item_view is None or self.model is None:
            return False
        if item_id == self.current_item:
            self.item_view.focus_input()
            return True
        if commit and not self.item_view.commit(strict=True):
            self._select(self.current_item)
            return False
        self._leave_armed = False
        self.current_item = item_id
        self.item_view.show_item(item_id)
        self._select(item_id)
        self.item_view.focus_input()
        if not self.session.read_only:
            self.session.remember(item_id)
        self.item_changed.emit(item_id)
        return True

    def _select(self, item_id: str | None) -> None:
        if item_id is None or self.model is None:
            return
        index = self.model.index_of(item_id)
        self._selecting = True  # the view repaints just the two rows; _tree_moved ignores it
        try:
            self.tree.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._selecting = False
        if not self.tree.viewport().rect().contains(self.tree.visualRect(index)):
            # a jump from afar: show the item with its neighbours, not stuck to an edge
            self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _tree_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        item_id = current.data(ITEM_ID_ROLE)
        if item_id:
            focus_tree = self.tree.hasFocus()
            self.go_to(item_id)
            if focus_tree:
                self.tree.setFocus()

    def jump(self, item_id: str) -> None:
        self.go_to(item_id)

    def _neighbour(self, step: int) -> str | None:
        """The next item in the form, or among the items the filter or search shows."""
        assert self.session is not None and self.current_item is not None
        if self.finder.active():
            return self.finder.neighbour(self.current_item, step)
        return self.session.neighbour(self.current_item, step)

    def next_item(self) -> None:
        if self.session and self.current_item:
            target = self._neighbour(1)
            if target:
                self.go_to(target)
            else:
                self.status.emit(_("已是最后一项"))

    def previous_item(self) -> None:
        if self.session and self.current_item:
            target = self._neighbour(-1)
            if target:
                self.go_to(target)
            else:
                self.status.emit(_("已是第一项"))

    def next_unanswered(self) -> None:
        if self.session is None or self.item_view is None:
            return
        if not self.item_view.commit(strict=True):
            return
        target = self.session.next_unanswered(self.current_item)
        if target is None:
            self.status.emit(_("全部小项已评分。按 {key} 完成。").format(key=shown("finish")))
        elif target != self.current_item:
            self.go_to(target)

    def record_and_next(self) -> None:
        """Enter: record this item and move on to the next (after the last: the next unanswered)."""
        if self.session is None or self.item_view is None or self.current_item is None:
            return
        if not self.item_view.commit(strict=True):
            return
        target = self.session.neighbour(self.current_item, 1) or self.session.next_unanswered(
            self.current_item
        )
        if target is None:
            self.status.emit(_("全部小项已评分。按 {key} 完成。").format(key=shown("finish")))
        else:
            self.go_to(target)

    def leave(self) -> bool:
        """Before going home or to the finish page: record the draft. A draft the rule refuses
        stops the first attempt (with the reason); a second attempt drops it."""
        if self.item_view is None:
            return True
        if self.item_view.commit(strict=True):
            return True
        if self._leave_armed:
            self._leave_armed = False
            self.item_view.discard()
            return True
        self._leave_armed = True
        self.status.emit(_("本项的输入未保存：补全后再离开，或再按一次放弃本项的修改"))
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            if self.tree.hasFocus() and self.item_view is not None:
                self.item_view.focus_input()
            else:
                self.record_and_next()
            return
        super().keyPressEvent(event)

    # -- changes ---------------------------------------------------------------------------------
    def _record(self, item_id: str, payload: dict[str, Any] | None) -> None:
        assert self.session is not None
        undo.record(self.undo_stack, self.session, item_id, payload, self._applied)

    def _veto(self, veto_id: str, found: bool, note: str) -> None:
        if self.session is None or self.session.read_only:
            return
        if (found, note) == self.session.veto(veto_id):
            return
        undo.set_veto(self.undo_stack, self.session, veto_id, found, note, self._applied)

    def _applied(self, item_id: str) -> None:
        """After an undo or redo: show what changed."""
        if not item_id.startswith("veto:") and item_id != self.current_item:
            self.go_to(item_id, commit=False)

    def undo(self) -> None:
        if self.item_view is not None and self.item_view.dirty:
            self.item_view.discard()  # the last thing done was typing: drop it, the log is untouched
            self.status.emit(_("已放弃未保存的输入"))
            return
        if self.undo_stack.canUndo():
            index = self.undo_stack.index() - 1
            self.undo_stack.undo()
            self.status.emit(_("已撤销：{what}").format(what=self._undone(index)))
        else:
            self.status.emit(_("没有可撤销的更改"))

    def redo(self) -> None:
        if self.undo_stack.canRedo():
            index = self.undo_stack.index()
            self.undo_stack.redo()
            self.status.emit(_("已重做：{what}").format(what=self._undone(index)))

    def _undone(self, index: int) -> str:
        """What an undo or redo changed, and what the item now stands at (a new change in the log)."""
        command = self.undo_stack.command(index)
        text = command.text() if command is not None else ""
        item_id = getattr(command, "item_id", None)
        if self.session is not None and item_id is not None:
            r = self.session.results[item_id]
            now = _("{p}/{m} 分").format(p=fmt(r.points), m=fmt(r.max_points)) if r.answered else _("未评")
            text += _("，本项现为 {now}").format(now=now)
        return text

    def clear_item(self) -> None:
        if self.session is None or self.item_view is None or self.current_item is None:
            return
        if self.session.read_only:
            return
        if self.session.payload(self.current_item) is None and not self.session.conflict(self.current_item):
            self.item_view.discard()
            return
        self._record(self.current_item, None)

    def toggle_focus(self) -> None:
        if self.tree.hasFocus() and self.item_view is not None:
            self.item_view.focus_input()
        else:
            self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_show_self(self, show: bool) -> None:
        if self.item_view is not None:
            self.item_view.set_show_self(show)
        if self.side is not None:
            self.side.set_show_self(show)

    def toggle_flag(self) -> None:
        """待核实 on the current item, or off (the inspector's bookmark: ui_state, not the log)."""
        if self.session is None or self.current_item is None:
            return
        on = self.current_item not in self.session.flags
        self.session.set_flag(self.current_item, on)
        self.status.emit(
            (_("已标记“待核实”：{id}") if on else _("已取消“待核实”：{id}")).format(id=self.current_item)
        )

    def find_item(self) -> None:
        self.finder.focus_search()

    def focus_vetoes(self) -> None:
        if self.side is not None:
            self.side.focus_vetoes()

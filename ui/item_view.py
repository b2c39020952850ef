"""The current item: its requirement and 评估方法和标准 in full, the input, the result, the note,
the evidence, and what other evaluations say about it (self-assessment, previous inspection,
a team member's conflicting value).

It holds only the inspector's *draft* (what is typed but not yet recorded): every value shown
as recorded comes from the session, every score from :func:`inspector.rubric.scoring.score_item`.
A draft is recorded only by an explicit act: Enter, moving away from the item, or a click (key)
on a discrete choice; nothing is saved because time passed or a wheel turned (issue 15: a count
stepped by a stray key was saved 1.2 s later). ``commit(strict=True)`` refuses to move on from a
draft the rule refuses (a deduction without a reason). What the result line shows is always the
score of exactly the draft that a commit would store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.i18n import _
from inspector.rubric.comparison import NOT_RECTIFIED, RECTIFIED
from inspector.rubric.model import Item
from inspector.rubric.observations import parse_observation
from inspector.rubric.points import fmt
from inspector.rubric.rules import Discretionary
from inspector.rubric.scoring import ItemResult, score_item
from inspector.store.changes import Change, canonical
from ui.evidence import EvidenceStrip, ask_caption, store_files
from ui.item_editor import (
    NotApplicableEditor,
    OverrideEditor,
    RuleEditor,
    _PointsAndReason,
    describe_payload,
    editor_for,
)
from ui.session import EvaluationSession, normal_payload
from ui.shortcuts import guard_text_fields
from ui.worker import Worker

Recorder = Callable[[str, dict[str, Any] | None], None]

WARN_STYLE = "background: #fff4d6; border: 1px solid #c98a00; border-radius: 4px; padding: 6px;"
ERROR_STYLE = "color: #b3261e;"


class _Line(QLabel):
    """A label that takes no room while it has nothing to say (messages, reasons)."""

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
        if self.isHidden() == bool(text):  # showing and hiding relayouts: only when it changes
            self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


def _label(text: str = "", *, wrap: bool = True, selectable: bool = False, name: str = "") -> QLabel:
    label = _Line(text)
    label.setVisible(bool(text))
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def _editor_key(item: Item, mode: str) -> tuple[str, str, str]:
    """Items with equal keys get identical inputs (labels, ranges, buttons): one editor serves both."""
    rule = canonical(item.rule.to_dict()) if mode == "normal" else ""
    return mode, rule, fmt(item.points)


class NoteEdit(QPlainTextEdit):
    """A note: Enter records and moves on like everywhere else, Shift+Enter starts a new line."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


def result_text(item: Item, r: ItemResult) -> str:
    if not r.answered:
        return _("尚未评分（满分 {m} 分）").format(m=fmt(item.points))
    if r.irregular:  # a mark the form disallows gives no points: none shown (scoring.disallowed)
        marks = ("⚑ " if r.override else "") + ("⊘ " if r.na else "")
        return marks + _("不计分（满分 {m} 分）：评估表不允许这条记录：{why}").format(
            m=fmt(r.max_points), why=r.irregular
        )
    text = _("得分 {p} / {m} 分").format(p=fmt(r.points), m=fmt(r.max_points))
    if r.override:
        text = "⚑ " + text + _("（人工调整）")
    if r.na:
        text = "⊘ " + text + _("（不适用）")
    return text


class ItemView(QWidget):
    submitted = Signal()  # Enter in the note field
    draft_changed = Signal(bool)  # True while something typed is not yet recorded

    def __init__(self, session: EvaluationSession, worker: Worker, recorder: Recorder) -> None:
        super().__init__()
        self.session = session
        self.worker = worker
        self.recorder = recorder
        self.item: Item | None = None
        self.mode = "normal"
        self.dirty = False
        self.editor: RuleEditor | None = None
        self.editors: dict[str, RuleEditor] = {}
        self.show_self = True
        self._build()
        session.changed.connect(self._session_changed)

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        spacing = self.fontMetrics().height() // 2
        layout.setSpacing(spacing)
        self.where = _label(name="muted")
        layout.addWidget(self.where)
        self.title = _label(selectable=True)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.points_line = _label(name="muted")
        layout.addWidget(self.points_line)

        self.method_head = _label(_("评估方法和标准"), name="heading")
        layout.addWidget(self.method_head)
        self.method = _label(selectable=True)
        layout.addWidget(self.method)
        self.rule_text = _label(selectable=True, name="muted")
        layout.addWidget(self.rule_text)
        self.sampling = _label(selectable=True)
        layout.addWidget(self.sampling)
        self.note_text = _label(selectable=True, name="muted")
        layout.addWidget(self.note_text)

        self.conflict_box = QFrame()
        self.conflict_box.setStyleSheet(WARN_STYLE)
        self.conflict_layout = QVBoxLayout(self.conflict_box)
        layout.addWidget(self.conflict_box)

        self.self_row = _label(selectable=True)
        layout.addWidget(self.self_row)
        self.previous_row = _label(selectable=True)
        layout.addWidget(self.previous_row)

        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(rule)
        self.mode_label = _label(name="heading")
        layout.addWidget(self.mode_label)
        self.editor_slot = QVBoxLayout()
        layout.addLayout(self.editor_slot)
        self.result = _label(selectable=True)
        bold = QFont(self.font())
        bold.setBold(True)
        self.result.setFont(bold)
        layout.addWidget(self.result)
        self.reason = _label(selectable=True)
        layout.addWidget(self.reason)
        self.message = _label()
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)

        note_head = QHBoxLayout()
        note_head.addWidget(_label(_("备注") + "  (Ctrl+E)", wrap=False, name="heading"))
        self.note_hint = _label(name="hint")
        note_head.addWidget(self.note_hint, 1)
        layout.addLayout(note_head)
        self.note = NoteEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(int(self.fontMetrics().lineSpacing() * 3.6))
        self.note.setPlaceholderText(_("现场发现的情况（Enter 保存并进入下一项，Shift+Enter 换行）"))
        self.note.textChanged.connect(self._note_edited)
        self.note.submitted.connect(self.submitted.emit)
        layout.addWidget(self.note)

        self.evidence = EvidenceStrip(self.worker)
        self.evidence.attach.connect(self.attach)
        self.evidence.edit_caption.connect(self.edit_caption)
        self.evidence.remove.connect(self.remove_evidence)
        layout.addWidget(self.evidence)
        # where the rubric requires a note or a photo for a deduction: the rule, its clause, what lacks
        self.evidence_rule = _label(name="hint")
        layout.addWidget(self.evidence_rule)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        guard_text_fields(self)

    # -- showing an item ------------------------------------------------------------------------
    def show_item(self, item_id: str) -> None:
        s = self.session
        item = s.item(item_id)
        self.item = item
        section, group, _item = s.locate(item_id)
        where = f"{section.code} {section.title}  ›  {group.label}"
        if item.subgroup:
            where += f"  ›  {item.subgroup}"
        owners = s.owners(section.code)
        if owners:
            where += "    " + _("负责：{names}").format(names="、".join(owners))
        self.where.setText(where)
        self.title.setText(f"{item.id}  {item.text}")
        position = _("第 {n} / {total} 项").format(n=s.position(item_id) + 1, total=len(s.items))
        self.points_line.setText(_("满分 {m} 分").format(m=fmt(item.points)) + "    " + position)
        self.method.setText(item.method or "—")
        self.rule_text.setText(_("计分规则：{rule}").format(rule=item.rule.describe()))
        self.sampling.setText(_("抽样：{text}").format(text=item.sampling) if item.sampling else "")
        self.note_text.setText(_("注：{text}").format(text=item.note) if item.note else "")
        # Most items of a form share a rule (all-or-nothing, 2 points): keep an editor whose
        # inputs would be the same, so moving on does not build and lay out new widgets.
        for mode, editor in list(self.editors.items()):
            if _editor_key(editor.item, mode) == _editor_key(item, mode):
                editor.item = item
                continue
            # out of the layout now: deleteLater alone leaves it showing until the loop turns
            editor.hide()
            self.editor_slot.removeWidget(editor)
            editor.setParent(None)
            editor.deleteLater()
            del self.editors[mode]
        self._load_stored()

    def _make_editor(self, mode: str) -> RuleEditor:
        assert self.item is not None
        if mode not in self.editors:
            editor: RuleEditor
            if mode == "override":
                editor = OverrideEditor(self.item)
            elif mode == "na":
                editor = NotApplicableEditor(self.item)
            else:
                editor = editor_for(self.item)
            editor.edited.connect(self._edited)
            editor.setEnabled(not self.session.read_only)
            guard_text_fields(editor)
            self.editor_slot.addWidget(editor)
            self.editors[mode] = editor
        return self.editors[mode]

    def _stored_mode(self, payload: dict[str, Any] | None) -> str:
        assert self.item is not None
        if payload and payload.get("na"):
            return "na"
        if payload and "points" in payload and not isinstance(self.item.rule, Discretionary):
            return "override"
        return "normal"

    def _load_stored(self) -> None:
        """Show the recorded value, dropping any draft."""
        assert self.item is not None
        payload = self.session.payload(self.item.id)
        self.dirty = False
        self.draft_changed.emit(False)
        self.message.clear()
        self._set_mode(self._stored_mode(payload), payload)
        self.note.blockSignals(True)
        self.note.setPlainText(str((payload or {}).get("note", "")))
        self.note.blockSignals(False)
        read_only = self.session.read_only
        self.note.setReadOnly(read_only)
        self.evidence.show_refs(
            self.session.data_dir,
            list((payload or {}).get("evidence", [])),
            not read_only,
            self.session.evaluation.visit_date,
        )
        self._show_conflict()
        self._show_comparisons()
        self._show_result()

    def _set_mode(self, mode: str, payload: dict[str, Any] | None) -> None:
        self.mode = mode
        for name, editor in self.editors.items():
            editor.setVisible(name == mode)
        editor = self._make_editor(mode)
        editor.load(payload)
        editor.setVisible(True)
        self.editor = editor
        self.mode_label.setText(
            {
                "normal": _("评分"),
                "override": "⚑ " + _("人工调整分数（F2 返回按规则评分）"),
                "na": "⊘ " + _("不适用（F3 返回按规则评分）"),
            }[mode]
        )

    def toggle_mode(self, mode: str) -> None:
        """F2 (override) and F3 (not applicable) switch the input; pressing again switches back."""
        if self.item is None or self.session.read_only:
            return
        target = "normal" if self.mode == mode else mode
        payload = self.session.payload(self.item.id)
        self._set_mode(target, payload if self._stored_mode(payload) == target else None)
        self.dirty = True
        self.draft_changed.emit(True)
        self._show_result()
        self.focus_input()

    def focus_input(self) -> None:
        if self.editor is not None and not self.session.read_only:
            self.editor.focus_input()

    def focus_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.note.moveCursor(self.note.textCursor().MoveOperation.End)

    # -- the draft -----------------------------------------------------------------------------
    def _edited(self, discrete: bool) -> None:
        self.dirty = True
        self.draft_changed.emit(True)
        self.message.clear()
        self._show_result()
        if discrete:
            self.commit(strict=False)

    def _note_edited(self) -> None:
        self._edited(False)

    def draft(self) -> dict[str, Any] | None:
        """What the inputs say now, as an observation with its note and evidence; None if empty."""
        if self.item is None or self.editor is None:
            return None
        obs = self.editor.observation()
        if obs is None:
            return None
        note = self.note.toPlainText().strip()
        if note:
            obs["note"] = note
        stored = self.session.payload(self.item.id) or {}
        if stored.get("evidence"):
            obs["evidence"] = stored["evidence"]
        return obs

    def problem(self, payload: dict[str, Any]) -> str | None:
        """Why the rule refuses this observation (None when it is fine)."""
        assert self.item is not None
        try:
            score_item(self.item, parse_observation(payload, self.item.id, new=True))
        except InspectorError as e:
            return e.message
        return None

    def commit(self, *, strict: bool) -> bool:
        """Record the draft if it changed anything. With ``strict``, refuse (False) a draft the
        rule refuses, and put the cursor where the missing part goes."""
        if self.item is None or not self.dirty or self.session.read_only:
            return True
        payload = self.draft()
        if payload is None:
            self._load_stored()
            return True
        problem = self.problem(payload)
        if problem is not None:
            self.message.setText("⚠ " + problem + ("" if not strict else "  " + _("（未保存）")))
            if strict:
                self._focus_problem()
            return not strict
        if normal_payload(payload, self.item.id) == normal_payload(
            self.session.payload(self.item.id), self.item.id
        ):
            self.dirty = False
            self.draft_changed.emit(False)
            return True
        try:
            self.recorder(self.item.id, payload)
        except InspectorError as e:
            self.message.setText("⚠ " + str(e))
            return False
        self.dirty = False
        self.draft_changed.emit(False)
        self._show_result()
        return True

    def _focus_problem(self) -> None:
        if isinstance(self.editor, _PointsAndReason) and self.editor.points.amount() is not None:
            self.editor.focus_reason()
        elif self.editor is not None:
            self.editor.focus_input()

    def discard(self) -> None:
        if self.item is not None:
            self._load_stored()

    # -- what is shown beside the input --------------------------------------------------------
    def _show_result(self) -> None:
        if self.item is None:
            return
        item = self.item
        self._show_evidence_rule()
        payload = self.draft() if self.dirty else self.session.payload(item.id)
        if self.dirty and payload is None:
            payload = self.session.payload(item.id)
        self.note_hint.setText("" if payload is not None or self.session.read_only else _("评分后随本项保存"))
        if payload is None:
            r = ItemResult(item.id, item.points, item.points, None, answered=False)
        else:
            try:
                r = score_item(item, parse_observation(payload, item.id), recorded=True)
            except InspectorError as e:
                would = self._once_explained(payload)
                if would is None:
                    self.result.setText(_("得分：—"))
                    self.reason.setText("")
                else:  # F2/F3 before the reason: what the mark will store once it is written
                    self.result.setText(result_text(item, would) + "  ·  " + _("未保存：须写明理由"))
                    self.reason.setText("")
                self.message.setText("⚠ " + e.message)
                return
        self.result.setText(result_text(item, r) + ("" if not self.dirty else "  ·  " + _("未保存")))
        self.reason.setText(r.reason or "" if r.answered else "")

    def _show_evidence_rule(self) -> None:
        """The rubric's evidence requirement for a deduction, in red while the recorded one lacks it."""
        item = self.item
        if item is None or item.evidence is None:
            self.evidence_rule.setText("")
            return
        need = {
            "note": _("备注"),
            "photo": _("照片"),
            "either": _("备注或照片"),
            "both": _("备注和照片"),
        }[item.evidence.requires]
        text = _("本项扣分须附{need}（依据：{clause}）").format(need=need, clause=item.evidence.clause)
        lacks = self.session.missing_evidence(item.id)
        if lacks:
            text = "⚠ " + _("{lacks}：签署前须补上").format(lacks=lacks) + "\n" + text
        self.evidence_rule.setStyleSheet(ERROR_STYLE if lacks else "")
        self.evidence_rule.setText(text)

    def _once_explained(self, payload: dict[str, Any]) -> ItemResult | None:
        """The score an override or not-applicable draft gets once its reason is written (None
        when something else than the reason is refused): never "—" where a number will be stored."""
        assert self.item is not None
        if not (payload.get("na") or "points" in payload) or str(payload.get("reason", "")).strip():
            return None
        try:
            return score_item(self.item, parse_observation({**payload, "reason": "…"}, self.item.id))
        except InspectorError:
            return None

    def _show_conflict(self) -> None:
        assert self.item is not None
        while (entry := self.conflict_layout.takeAt(0)) is not None:
            child = entry.widget()
            if child is not None:
                child.deleteLater()
        heads = self.session.conflict(self.item.id)
        self.conflict_box.setVisible(bool(heads))
        if not heads:
            return
        self.conflict_layout.addWidget(
            _label(
                "⚠ "
                + _("冲突：合并评估组记录后，本项有 {n} 个不同的当前值。选择其一或重新评分即可解决。").format(
                    n=len(heads)
                )
            )
        )
        for change in heads:
            self.conflict_layout.addWidget(self._conflict_row(change))

    def _conflict_row(self, change: Change) -> QWidget:
        assert self.item is not None
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        try:
            points = score_item(
                self.item, parse_observation(change.payload, self.item.id), recorded=True
            ).points
            value = _("{p} 分").format(p=fmt(points))
        except (InspectorError, TypeError):
            value = "—"
        text = _("{who} · {when}：{what}").format(
            who=change.author,
            when=change.wall_time[:16].replace("T", " "),
            what=describe_payload(self.item, change.payload),
        )
        layout.addWidget(_label(f"{text}  →  {value}"), 1)
        button = QPushButton(_("采用此值"))
        button.setEnabled(not self.session.read_only)
        payload = change.payload
        button.clicked.connect(lambda: self._adopt(payload))
        layout.addWidget(button)
        return row

    def _adopt(self, payload: dict[str, Any] | None) -> None:
        assert self.item is not None
        try:
            self.recorder(self.item.id, payload)
        except InspectorError as e:
            self.message.setText("⚠ " + str(e))

    def _show_comparisons(self) -> None:
        assert self.item is not None
        s = self.session
        mine = s.self_result(self.item.id)
        self.self_row.setText("")
        if mine is not None and self.show_self:
            theirs = mine.theirs
            text = _("本站自评：{v}").format(
                v=f"{fmt(theirs.points)} / {fmt(theirs.max_points)} " + _("分")
                if theirs.answered
                else _("未评")
            )
            if mine.differs:
                diff = mine.difference
                assert diff is not None
                text = (
                    "≠ "
                    + text
                    + "    "
                    + _("与督导评分相差 {d} 分").format(d=f"{'+' if diff > 0 else ''}{fmt(diff)}")
                )
                self.self_row.setStyleSheet(WARN_STYLE)
            else:
                text = "= " + text if mine.comparable else text
                self.self_row.setStyleSheet("")
            self.self_row.setText(text)
        previous = s.previous_result(self.item.id)
        self.previous_row.setText("")
        if previous is not None and s.previous is not None:
            before = previous.theirs
            text = _("上次评估（{date}）：{v}").format(
                date=s.previous.visit_date or s.previous.created_at[:10],
                v=f"{fmt(before.points)} / {fmt(before.max_points)} " + _("分")
                if before.answered
                else _("未评"),
            )
            if before.reason and before.answered and before.points < before.max_points:
                text += "  —  " + before.reason
            if s.previous_notes.get(self.item.id):
                text += "\n" + _("上次发现：{note}").format(note=s.previous_notes[self.item.id])
            rect = s.rectified(self.item.id)
            if rect == RECTIFIED:
                text = "✓ " + _("已整改") + "    " + text
                self.previous_row.setStyleSheet("color: #1b6e20;")
            elif rect == NOT_RECTIFIED:
                text = "✗ " + _("未整改") + "    " + text
                self.previous_row.setStyleSheet(ERROR_STYLE)
            else:
                self.previous_row.setStyleSheet("")
            self.previous_row.setText(text)

    def set_show_self(self, show: bool) -> None:
        self.show_self = show
        if self.item is not None:
            self._show_comparisons()

    def _session_changed(self, ids: tuple[str, ...]) -> None:
        if self.item is None:
            return
        if not ids or self.item.id in ids:
            if not self.dirty:
                self._load_stored()
            else:
                self._show_conflict()
                self._show_comparisons()
                self._show_result()

    # -- evidence -------------------------------------------------------------------------------
    def _with_evidence(self, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        """Record the item's stored value again with its evidence list changed."""
        assert self.item is not None
        if not self.commit(strict=True):
            return
        stored = self.session.payload(self.item.id)
        if stored is None:
            self.message.setText("⚠ " + _("请先为本项评分，再附加证据"))
            return
        payload = dict(stored)
        payload["evidence"] = change(list(stored.get("evidence", [])))
        if not payload["evidence"]:
            del payload["evidence"]
        self.recorder(self.item.id, payload)

    def attach(self, files: list[Path] | None = None) -> None:
        if self.item is None or self.session.read_only:
            return
        if not self.commit(strict=True):
            return
        if self.session.payload(self.item.id) is None:
            self.message.setText("⚠ " + _("请先为本项评分，再附加证据"))
            return
        if files is None:
            names, _filter = QFileDialog.getOpenFileNames(
                self,
                _("附加证据"),
                "",
                _(
                    "照片和文件 (*.jpg *.jpeg *.png *.heic *.pdf *.doc *.docx *.xls *.xlsx *.mp4)"
                    ";;所有文件 (*)"
                ),
            )
            files = [Path(n) for n in names]
        if not files:
            return
        item_id = self.item.id

        def stored(refs: list[dict[str, str]]) -> None:
            if self.item is None or self.item.id != item_id:
                return  # moved on meanwhile: the files are kept, the inspector attaches again
            self._with_evidence(lambda old: old + refs)
            if len(refs) == 1:
                self.edit_caption(len(self.session.payload(item_id).get("evidence", [])) - 1)  # type: ignore[union-attr]

        self.worker.run(
            _("保存证据文件"), store_files, self.session.data_dir, files, on_done=stored, owner=self
        )

    def edit_caption(self, row: int) -> None:
        if self.item is None or self.session.read_only:
            return
        refs = list((self.session.payload(self.item.id) or {}).get("evidence", []))
        if not 0 <= row < len(refs):
            return
        label = _("说明（{name}）").format(name=refs[row].get("name", refs[row]["sha256"][:8]))
        text = ask_caption(self, self.evidence, label, refs[row].get("caption", ""))
        if text is not None:
            self.set_caption(row, text.strip())

    def set_caption(self, row: int, caption: str) -> None:
        def change(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            ref = {k: v for k, v in refs[row].items() if k != "caption"}
            if caption:
                ref["caption"] = caption
            return [*refs[:row], ref, *refs[row + 1 :]]

        self._with_evidence(change)

    def remove_evidence(self, row: int) -> None:
        if self.item is None or self.session.read_only:
            return
        self._with_evidence(lambda refs: [r for k, r in enumerate(refs) if k != row])

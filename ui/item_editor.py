"""Inputs that fit the rule: what the inspector saw, as the rule wants it, by keyboard first.

Each editor shows one item's observation and produces the observation dict the store takes
(``{"problems": 2}``, ``{"tier": 1}``, ``{"met": false}``, ``{"unmet": [1, 3]}``,
``{"points": 5, "reason": "…"}``, ``{"na": true, "reason": "…"}``), or None when nothing has been
entered. It never computes points: the item view asks :func:`inspector.rubric.scoring.score_item`.

``edited(True)`` is a discrete choice (a tier, yes/no, a criterion): the view records it at
once. ``edited(False)`` is typing: the view records it only when the inspector commits it (Enter,
or leaving the item). Number fields never step: no wheel notch or arrow key changes a count
(issue 15: one notch over "发现的问题个数" once turned a deduction into full marks).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from inspector.rubric.model import Item
from inspector.rubric.points import fmt
from inspector.rubric.rules import AllOrNothing, Checklist, Deduct, Discretionary, Grouped, Tiers, YesNo

NOT_ENTERED = "—"
DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(10)}


def _select_all_on_focus(widget: QSpinBox | QDoubleSpinBox) -> None:
    """A digit typed into a number field replaces what is there, as on a calculator."""

    class _Selector(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.FocusIn:
                QTimer.singleShot(0, widget, widget.selectAll)  # not after the widget is gone
            return False

    selector = _Selector(widget)
    widget.installEventFilter(selector)


def _replace_blank(widget: QSpinBox | QDoubleSpinBox, event: QKeyEvent) -> None:
    """The first digit typed into a blank ("—") field replaces the dash, whatever the cursor."""
    if widget.value() == widget.minimum() and event.text()[:1].isdigit():
        widget.selectAll()


#: keys a spin box would use to step its value: they go to the window instead (PgDown: next item)
STEP_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


def _typed_only(widget: QSpinBox | QDoubleSpinBox) -> None:
    """A number is typed, never stepped: no arrows to click, no focus from the wheel."""
    widget.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class _Typed:
    """What the number fields share: the wheel scrolls the page, arrow keys do not count."""

    def stepBy(self, steps: int) -> None:  # the wheel, arrow keys, PgUp/PgDown: never a value
        return

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # up to the scroll area: the page scrolls, the value stays

    def _step_key(self, event: QKeyEvent) -> bool:
        if event.key() in STEP_KEYS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()
            return True
        return False


class CountInput(_Typed, QSpinBox):
    """A count of problems; "—" until something is entered."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._step_key(event):
            return
        _replace_blank(self, event)
        super().keyPressEvent(event)

    def __init__(self, maximum: int = 999) -> None:
        super().__init__()
        self.setRange(-1, maximum)
        self.setSpecialValueText(NOT_ENTERED)
        self.setValue(-1)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 10)
        _typed_only(self)
        _select_all_on_focus(self)

    def count(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def set_count(self, n: int | None) -> None:
        self.setValue(-1 if n is None else n)


class DecimalInput(_Typed, QDoubleSpinBox):
    """Points or a percentage, exact to two places; "—" until something is entered."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._step_key(event):
            return
        _replace_blank(self, event)
        super().keyPressEvent(event)

    def __init__(self, maximum: Decimal, step: Decimal, suffix: str = "") -> None:
        super().__init__()
        self.setDecimals(2)
        self.setRange(-1, float(maximum))
        self.setSingleStep(float(step))
        self.setSpecialValueText(NOT_ENTERED)
        self.setValue(-1)
        if suffix:
            self.setSuffix(suffix)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        _typed_only(self)
        _select_all_on_focus(self)

    def amount(self) -> Decimal | None:
        if self.value() < 0:
            return None
        return Decimal(self.cleanText().replace(",", ".")).quantize(Decimal("0.01")).normalize()

    def set_amount(self, value: Decimal | None) -> None:
        self.setValue(-1 if value is None else float(value))


class RuleEditor(QWidget):
    edited = Signal(bool)

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item
        # The editor itself never holds focus: its inputs do, and keys they ignore (digits on a
        # button, Y/N) come up to the editor's keyPressEvent.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def load(self, payload: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def observation(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def focus_input(self) -> None:
        raise NotImplementedError


class CountEditor(RuleEditor):
    """Problems found: all-or-nothing items and per-problem deductions."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        rule = item.rule
        of = rule.of if isinstance(rule, Deduct) else None
        self.input = CountInput(of if of is not None else 999)
        unit = rule.unit if isinstance(rule, Deduct) else _("问题")
        label = _("发现的{unit}个数").format(unit=unit)
        if of is not None:
            label += _("（最多 {n} 个）").format(n=of)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(label, self.input)
        hint = QLabel(_("输入数字；0 表示未发现问题"))
        hint.setObjectName("hint")
        layout.addRow("", hint)
        self.input.valueChanged.connect(lambda _v: self.edited.emit(False))
        self.setFocusProxy(self.input)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        if "problems" in p:
            n: int | None = int(p["problems"])
        elif "met" in p:
            n = 0 if p["met"] else 1
        else:
            n = None
        self.input.blockSignals(True)
        self.input.set_count(n)
        self.input.blockSignals(False)

    def observation(self) -> dict[str, Any] | None:
        n = self.input.count()
        return None if n is None else {"problems": n}

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.input.selectAll()


class _ChoiceEditor(RuleEditor):
    """Exclusive buttons chosen by a key each."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.group.idClicked.connect(self._clicked)

    def add_button(self, ident: int, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setStyleSheet("text-align: left; padding: 0.3em 0.8em;")
        self.group.addButton(button, ident)
        return button

    def choose(self, ident: int) -> None:
        button = self.group.button(ident)
        if button is not None and self.isEnabled():
            button.setChecked(True)
            button.setFocus(Qt.FocusReason.OtherFocusReason)
            self._clicked(ident)

    def _clicked(self, _ident: int) -> None:
        self.edited.emit(True)

    def set_checked(self, ident: int | None) -> None:
        self.group.setExclusive(False)  # an exclusive group cannot otherwise go back to none
        for b in self.group.buttons():
            b.setChecked(self.group.id(b) == ident)
        self.group.setExclusive(True)

    def checked(self) -> int | None:
        return self.group.checkedId() if self.group.checkedButton() is not None else None

    def focus_input(self) -> None:
        button: QAbstractButton | None = self.group.checkedButton() or next(iter(self.group.buttons()), None)
        if button is not None:
            button.setFocus(Qt.FocusReason.OtherFocusReason)


class YesNoEditor(_ChoiceEditor):
    """符合 / 不符合: yes/no requirements and unscored checklist lines (Y/N or 1/0)."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add_button(1, _("符合") + "  (Y / 1)"))
        layout.addWidget(self.add_button(0, _("不符合") + "  (N / 0)"))
        layout.addStretch(1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Y, Qt.Key.Key_1):
            self.choose(1)
        elif key in (Qt.Key.Key_N, Qt.Key.Key_0):
            self.choose(0)
        else:
            super().keyPressEvent(event)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        if "met" in p:
            self.set_checked(1 if p["met"] else 0)
        elif "problems" in p:
            self.set_checked(1 if int(p["problems"]) == 0 else 0)
        else:
            self.set_checked(None)

    def observation(self) -> dict[str, Any] | None:
        k = self.checked()
        return None if k is None else {"met": bool(k)}


class TierEditor(_ChoiceEditor):
    """Graded tiers, best first, numbered from 1 as on the printed sheet (key 1 = the best tier;
    the stored ``tier`` stays 0-based as the contract has it); a count or a percentage when
    the rule's tiers are defined by one, with the tiers as the fallback for what the document
    leaves open."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        rule = item.rule
        assert isinstance(rule, Tiers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.measure: CountInput | DecimalInput | None = None
        self.source: str | None = None  # "measure" or "tier": what the inspector entered last
        measures = rule.measures()
        if measures:
            form = QFormLayout()
            if "ratio" in measures:
                self.measure = DecimalInput(Decimal(100), Decimal(1), " %")
                form.addRow(_("比例"), self.measure)
            else:
                self.measure = CountInput()
                form.addRow(_("发现的问题个数"), self.measure)
            layout.addLayout(form)
            hint = QLabel(_("输入数值自动定档；或按 Tab 到下列档次，用数字键直接选择"))
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            layout.addWidget(hint)
            self.measure.valueChanged.connect(self._measured)
        for k, tier in enumerate(rule.tiers):
            text = _("第{n}档").format(n=k + 1) + f" · {tier.label}  —  {fmt(tier.points)}{_('分')}"
            layout.addWidget(self.add_button(k, f"{text}  ({k + 1})"))

    def _measured(self, _value: object) -> None:
        self.source = "measure"
        self.set_checked(None)
        self.edited.emit(False)

    def _clicked(self, ident: int) -> None:
        self.source = "tier"
        if self.measure is not None:
            self.measure.blockSignals(True)
            self.measure.setValue(-1)
            self.measure.blockSignals(False)
        super()._clicked(ident)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        k = DIGITS.get(Qt.Key(event.key()))
        if k is not None and k >= 1 and self.group.button(k - 1) is not None:
            self.choose(k - 1)  # key 1 is the first (best) tier, as printed
        else:
            super().keyPressEvent(event)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        self.source = None
        tier: int | None = None
        if "tier" in p:
            tier = int(p["tier"])
            self.source = "tier"
        elif "met" in p:
            tier = 0 if p["met"] else 1
            self.source = "tier"
        if self.measure is not None:
            self.measure.blockSignals(True)
            self.measure.setValue(-1)
            if isinstance(self.measure, CountInput) and "problems" in p:
                self.measure.set_count(int(p["problems"]))
                self.source = "measure"
            elif isinstance(self.measure, DecimalInput) and "ratio" in p:
                self.measure.set_amount(Decimal(str(p["ratio"])) * 100)
                self.source = "measure"
            self.measure.blockSignals(False)
        self.set_checked(tier)

    def observation(self) -> dict[str, Any] | None:
        if self.source == "tier":
            k = self.checked()
            return None if k is None else {"tier": k}
        if self.source == "measure" and self.measure is not None:
            if isinstance(self.measure, CountInput):
                n = self.measure.count()
                return None if n is None else {"problems": n}
            pct = self.measure.amount()
            return None if pct is None else {"ratio": (pct / 100).normalize()}
        return None

    def focus_input(self) -> None:
        if self.measure is not None and self.source != "tier":
            self.measure.setFocus(Qt.FocusReason.OtherFocusReason)
            self.measure.selectAll()
        else:
            super().focus_input()


class GroupedEditor(RuleEditor):
    """Criteria sharing the item's points: tick what is NOT met (digit k toggles the k-th, 0 = all met)."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        rule = item.rule
        assert isinstance(rule, Grouped)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QLabel(_("勾选不符合的条目（数字键切换，0 = 全部符合）"))
        head.setObjectName("hint")
        layout.addWidget(head)
        self.boxes: list[QCheckBox] = []
        for k, c in enumerate(rule.criteria, 1):
            box = QCheckBox(f"{k}. " + _("{text}（扣{p}分）").format(text=c.text, p=fmt(c.deduct)))
            box.toggled.connect(self._toggled)
            self.boxes.append(box)
            layout.addWidget(box)
        self.touched = False

    def _toggled(self, _on: bool) -> None:
        self.touched = True
        self.edited.emit(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        k = DIGITS.get(Qt.Key(event.key()))
        if k is None or not self.isEnabled():
            super().keyPressEvent(event)
        elif k == 0:
            self._set([])
            self.touched = True
            self.edited.emit(True)
        elif k <= len(self.boxes):
            self.boxes[k - 1].toggle()
            self.boxes[k - 1].setFocus(Qt.FocusReason.OtherFocusReason)

    def _set(self, unmet: list[int]) -> None:
        for k, box in enumerate(self.boxes, 1):
            box.blockSignals(True)
            box.setChecked(k in unmet)
            box.blockSignals(False)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        if "unmet" in p:
            self._set([int(k) for k in p["unmet"]])
        elif "problems" in p:
            self._set(list(range(1, int(p["problems"]) + 1)))
        else:
            self._set([])
        self.touched = payload is not None

    def observation(self) -> dict[str, Any] | None:
        if not self.touched:
            return None
        unmet = [k for k, box in enumerate(self.boxes, 1) if box.isChecked()]
        return {"unmet": unmet} if unmet else {"met": True}

    def focus_input(self) -> None:
        if self.boxes:
            self.boxes[0].setFocus(Qt.FocusReason.OtherFocusReason)


class _PointsAndReason(RuleEditor):
    """Points set by the inspector, with the reason the rule or the override requires."""

    def __init__(self, item: Item, points_label: str, reason_label: str) -> None:
        super().__init__(item)
        rule = item.rule
        step = rule.step if isinstance(rule, Discretionary) and rule.step else Decimal("0.5")
        self.points = DecimalInput(item.points, step)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("扣分理由（扣分时必填）"))
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(points_label, self.points)
        layout.addRow(reason_label, self.reason)
        self.points.valueChanged.connect(lambda _v: self.edited.emit(False))
        self.reason.textEdited.connect(lambda _t: self.edited.emit(False))
        self.setFocusProxy(self.points)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        self.points.blockSignals(True)
        if "points" in p:
            self.points.set_amount(Decimal(str(p["points"])))
        elif p.get("met") or p.get("problems") == 0:
            self.points.set_amount(self.item.points)
        else:
            self.points.set_amount(None)
        self.points.blockSignals(False)
        self.reason.setText(str(p.get("reason", "")) if "points" in p else "")

    def observation(self) -> dict[str, Any] | None:
        p = self.points.amount()
        if p is None:
            return None
        out: dict[str, Any] = {"points": p}
        if self.reason.text().strip():
            out["reason"] = self.reason.text().strip()
        return out

    def focus_input(self) -> None:
        self.points.setFocus(Qt.FocusReason.OtherFocusReason)
        self.points.selectAll()

    def focus_reason(self) -> None:
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)


class DiscretionaryEditor(_PointsAndReason):
    def __init__(self, item: Item) -> None:
        super().__init__(
            item,
            _("给分（0–{m}）").format(m=fmt(item.points)),
            _("理由"),
        )


class OverrideEditor(_PointsAndReason):
    """F2: points set by hand on any item, always with a reason; flagged wherever shown."""

    def __init__(self, item: Item) -> None:
        super().__init__(item, _("调整为（0–{m}）").format(m=fmt(item.points)), _("调整理由"))
        self.reason.setPlaceholderText(_("人工调整的理由（必填）"))

    def load(self, payload: dict[str, Any] | None) -> None:
        super().load(payload if payload and "points" in payload else None)


class NotApplicableEditor(RuleEditor):
    """F3: the item does not apply here (full marks, flagged), always with a reason."""

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("不适用的理由（必填）"))
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(_("不适用，理由"), self.reason)
        self.reason.textEdited.connect(lambda _t: self.edited.emit(False))
        self.setFocusProxy(self.reason)

    def load(self, payload: dict[str, Any] | None) -> None:
        p = payload or {}
        self.reason.setText(str(p.get("reason", "")) if p.get("na") else "")

    def observation(self) -> dict[str, Any] | None:
        # the mode itself is the inspector's statement; an empty reason is refused by the store's rule
        return {"na": True, "reason": self.reason.text().strip()}

    def focus_input(self) -> None:
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)


def editor_for(item: Item) -> RuleEditor:
    rule = item.rule
    if isinstance(rule, Tiers):
        return TierEditor(item)
    if isinstance(rule, Grouped):
        return GroupedEditor(item)
    if isinstance(rule, Discretionary):
        return DiscretionaryEditor(item)
    if isinstance(rule, (YesNo, Checklist)):
        return YesNoEditor(item)
    if isinstance(rule, (Deduct, AllOrNothing)):
        return CountEditor(item)
    raise AssertionError(f"no editor for rule {rule.kind}")


def describe_payload(item: Item | None, payload: dict[str, Any] | None) -> str:
    """An observation in words, as the inspector would say it (conflicts, history); ``item`` None:
    one the form lacks (a stray mark), said without the form's tier labels."""
    if payload is None:
        return _("（清除）")
    p = payload
    if p.get("na"):
        text = _("不适用：{reason}").format(reason=p.get("reason", ""))
    elif "points" in p:
        text = _("给分 {p}").format(p=p["points"]) + (f"：{p['reason']}" if p.get("reason") else "")
    elif (
        "tier" in p
        and item is not None
        and isinstance(item.rule, Tiers)
        and int(p["tier"]) < len(item.rule.tiers)
    ):
        k = int(p["tier"])
        text = _("第{k}档：{label}").format(k=k + 1, label=item.rule.tiers[k].label)  # printed numbering
    elif "problems" in p:
        text = _("问题 {n} 个").format(n=p["problems"])
    elif "ratio" in p:
        text = _("比例 {r}%").format(r=fmt(Decimal(str(p["ratio"])) * 100))
    elif "unmet" in p:
        text = _("不符合第 {list} 条").format(list="、".join(str(k) for k in p["unmet"]))
    elif "met" in p:
        text = _("符合") if p["met"] else _("不符合")
    else:
        text = "?"
    if p.get("note"):
        text += " · " + _("备注：{note}").format(note=p["note"])
    return text

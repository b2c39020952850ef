"""The register from the window: a new organisation with its name, code and the register fields a
centre has at hand, and the single-valued fields of one already registered corrected in place. The
lists on the form (staff, equipment, yearly figures) come with the workbook import. The core checks
every value (``inspector.centre.register.add_registered``, ``set_register``) before anything is stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QWidget

from inspector.centre.applicants import applicant_type_names
from inspector.centre.register import CATEGORIES, SCALARS, Field
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.plan_dialogs import buttons

# The register fields asked for here, in the form's order (the category has its own list).
ASKED = ("region", "sponsor", "address", "post_code", "head", "contact", "phone", "approval_no")


def add_org_task(
    progress: Callable[[int, int], None], data: Path, name: str, code: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    from inspector.centre.register import add_registered

    with opened_folder(data) as db:
        return add_registered(db, name, code, fields)


def edit_org_task(
    progress: Callable[[int, int], None], data: Path, org_id: str, name: str, changed: dict[str, Any]
) -> dict[str, Any]:
    from inspector.centre.register import set_register

    with opened_folder(data) as db:
        return set_register(db, org_id, changed, name)


def _shown(f: Field, value: Any) -> str:
    """A stored value as the person types it (a bool is a choice, not text)."""
    return "" if value is None else str(value)


class EditOrgDialog(QDialog):
    """Every single-valued register field of one organisation; :meth:`changed` gives only what the
    person changed (a field emptied is cleared), so that an untouched field is never rewritten."""

    def __init__(self, entry: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("修改登记信息：{name}").format(name=entry["name"]))
        form = QFormLayout(self)
        self._before: dict[str, Any] = {}
        self.edits: dict[str, QLineEdit | QComboBox] = {}
        for f in SCALARS:
            value = entry.get(f.key)
            widget: QLineEdit | QComboBox
            if f.kind in ("category", "bool", "applicant"):
                widget = QComboBox()
                widget.addItem(_("（未填）"), None)
                if f.kind == "category":
                    for letter, label in CATEGORIES.items():
                        widget.addItem(f"{letter} {label}", letter)
                elif f.kind == "applicant":
                    for code, label in applicant_type_names().items():
                        widget.addItem(label, code)
                else:
                    widget.addItem(_("是"), True)
                    widget.addItem(_("否"), False)
                widget.setCurrentIndex(max(0, widget.findData(value)))
                self._before[f.key] = widget.currentData()
            else:
                widget = QLineEdit(_shown(f, value))
                widget.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
                if f.kind == "date":
                    widget.setPlaceholderText("YYYY-MM-DD")
                self._before[f.key] = widget.text()
            self.edits[f.key] = widget
            form.addRow(_("{field}：").format(field=f.header), widget)
        form.addRow(buttons(self, _("保存")))

    def changed(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self.edits.items():
            now = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
            if now != self._before[key]:
                out[key] = None if now == "" else now
        return out


class AddOrgDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("登记机构"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("统一社会信用代码或组织机构代码（用于查重）"))
        self.category = QComboBox()
        self.category.addItem(_("（未填）"), None)
        for letter, label in CATEGORIES.items():
            self.category.addItem(f"{letter} {label}", letter)
        form.addRow(_("机构名称(&N)："), self.name)
        form.addRow(_("机构代码(&C)："), self.code)
        form.addRow(_("类别(&K)："), self.category)
        self.fields_: dict[str, QLineEdit] = {}
        headers = {f.key: f.header for f in SCALARS}
        for key in ASKED:
            edit = QLineEdit()
            self.fields_[key] = edit
            form.addRow(_("{field}：").format(field=headers[key]), edit)
        form.addRow(buttons(self, _("登记")))

    def values(self) -> tuple[str, str | None, dict[str, Any]]:
        fields: dict[str, Any] = {k: e.text() for k, e in self.fields_.items() if e.text().strip()}
        if self.category.currentData():
            fields["category"] = self.category.currentData()
        return self.name.text(), self.code.text() or None, fields

"""A new organisation put on the register from the window: its name, code and the register
fields a centre has at hand; the rest of the form comes with the next workbook import. The core
checks every value (``inspector.register.add_registered``) before anything is stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QWidget

from inspector.i18n import _
from inspector.register import CATEGORIES, SCALARS
from ui.centre.plan_dialogs import buttons
from ui.worker import open_folder

# The register fields asked for here, in the form's order (the category has its own list).
ASKED = ("region", "sponsor", "address", "post_code", "head", "contact", "phone", "approval_no")


def add_org_task(
    progress: Callable[[int, int], None], data: Path, name: str, code: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    from inspector.register import add_registered

    db = open_folder(data)
    try:
        return add_registered(db, name, code, fields)
    finally:
        db.conn.close()


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

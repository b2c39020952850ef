"""机构登记: the register of organisations with the fields of the Sichuan 登记表, its lists per
organisation, and the workbook the centre keeps (import refuses the whole file on any problem,
naming the sheet and cell; export writes the layout import reads back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget

from inspector.centre.applicants import applicant_type_name
from inspector.centre.register import LISTS, SCALARS, ImportSummary
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.common import (
    CentreContext,
    CentrePage,
    Column,
    RowsModel,
    Table,
    ask_open_path,
    pane,
    text,
    xlsx_kind,
)
from ui.centre.corrections_view import CorrectionsPane

Entry = dict[str, Any]


def load_register(progress: Callable[[int, int], None], data: Path) -> dict[str, list[Entry]]:
    """The register and the corrections stations proposed that wait for the centre's decision."""
    from inspector.centre.corrections import pending
    from inspector.centre.register import register_entries

    with opened_folder(data) as db:
        return {"entries": register_entries(db), "pending": pending(db)}


def export_register_task(progress: Callable[[int, int], None], data: Path, path: Path) -> dict[str, int]:
    from inspector.centre.register import register_entries
    from inspector.centre.workbooks import register_sheets, write_workbook

    with opened_folder(data) as db:
        progress(0, 2)
        entries = register_entries(db)
        progress(1, 2)
        counts = write_workbook(path, register_sheets(entries))
        progress(2, 2)
        return counts


def import_register_task(progress: Callable[[int, int], None], data: Path, path: Path) -> ImportSummary:
    from inspector.centre.register import import_register

    with opened_folder(data) as db:
        return import_register(db, path)


def _key(key: str) -> Callable[[Entry], Any]:
    return lambda row: row.get(key)


def _count(key: str) -> Callable[[Entry], int]:
    return lambda e: len(e[key])


def category_text(e: Entry) -> str:
    return f"{e['category']} {e['category_name']}" if e["category"] else ""


def register_columns() -> list[Column[Entry]]:
    return [
        Column(_("机构名称"), lambda e: e["name"]),
        Column(_("机构代码"), lambda e: e["code"]),
        Column(_("类别"), lambda e: e["category"], tip=lambda e: e["category_name"]),
        Column(_("地区"), lambda e: e["region"]),
        Column(_("举办单位"), lambda e: e["sponsor"]),
        Column(_("负责人"), lambda e: e["head"]),
        Column(_("联系人"), lambda e: e["contact"]),
        Column(_("联系电话"), lambda e: e["phone"]),
        Column(_("审批文号"), lambda e: e["approval_no"]),
        Column(_("场地面积（m²）"), lambda e: e["site_area"], numeric=True),
        Column(_("考评人员"), _count("assessors"), numeric=True),
        Column(_("督导人员"), _count("supervisors"), numeric=True),
        Column(_("设备设施"), _count("equipment"), numeric=True),
        Column(
            _("重新登记"),
            lambda e: _("需重新登记") if e["reregistration"] else "",
            tip=lambda e: reregistration_text(e) or None,
            alarm=lambda e: bool(e["reregistration"]),
        ),
    ]


def reregistration_text(e: Entry) -> str:
    """Why the entry needs re-registration: the fields changed and the clause that says so."""
    if not e["reregistration"]:
        return ""
    fields = "、".join(dict.fromkeys(m["header"] for m in e["reregistration"]))
    rule = e["reregistration"][0]["rule"]
    return _("{fields}已变更，须重新登记并换发许可证（{doc} {art}“{quote}”）").format(
        fields=fields, doc=rule["document"], art=rule["article"], quote=rule["quote"]
    )


def field_value(e: Entry, key: str, kind: str) -> str:
    value = e.get(key)
    if kind == "category":
        return category_text(e) or text(None)
    if kind == "bool" and value is not None:
        return _("是") if value else _("否")
    if kind == "applicant" and value is not None:
        return text(applicant_type_name(value))
    return text(value)


class RegisterPage(CentrePage):
    title_text = _("机构登记")

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__(ctx)
        self.table = Table(RowsModel(register_columns()))
        self.tools.addWidget(self.search_box(self.table))
        self.tools.addStretch(1)
        later = _("其余登记信息可随后用工作簿导入补全")
        self.add_button = self.button(_("登记机构(&N)…"), self.add_org, later, area="register")
        self.edit_button = self.button(
            _("修改(&M)…"), self.edit_org, _("修改所选机构的登记信息；人员、设备等名单随工作簿导入")
        )
        self.button(
            _("导入 .xlsx(&I)…"),
            self.import_workbook,
            _("按机构代码合并；有任何问题则整份不导入"),
            area="register",
        )
        self.gate(self.edit_button, "register")
        self.button(_("导出 .xlsx(&X)…"), self.export_workbook)

        # The form's single fields as (field, value) rows, then one tab per list on the form.
        self.fields = Table(RowsModel([Column(_("项目"), lambda r: r[0]), Column(_("内容"), lambda r: r[1])]))
        self.fields.setSortingEnabled(False)
        self.details = QTabWidget()
        self.details.addTab(self.fields, _("登记信息"))
        self.lists: dict[str, Table] = {}
        for spec in LISTS:
            table = Table(
                RowsModel(
                    [Column(f.header, _key(f.key), numeric=f.kind in ("int", "year")) for f in spec.columns]
                )
            )
            self.lists[spec.key] = table
            self.details.addTab(table, spec.sheet)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(pane(self.table))
        split.addWidget(pane(self.details))
        self.corrections = CorrectionsPane(self)
        self.corrections.setVisible(False)
        split.addWidget(self.corrections)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 1)
        split.setChildrenCollapsible(False)
        self.layout_.addWidget(split, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_entry())

    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        return _("读取机构登记"), load_register, ()

    def show_data(self, data: dict[str, list[Entry]]) -> None:
        self.table.set_rows(data["entries"])
        self.corrections.set_rows(data["pending"])
        self._show_entry()

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_entry(self) -> None:
        e = self.table.current()
        self.edit_button.setEnabled(e is not None)
        if e is None:
            self.fields.set_rows([])
            for table in self.lists.values():
                table.set_rows([])
            return
        rows = [(_("机构名称"), e["name"]), (_("机构代码"), text(e["code"]))]
        rows += [(f.header, field_value(e, f.key, f.kind)) for f in SCALARS]
        if e["reregistration"]:
            rows.append((_("需重新登记"), reregistration_text(e)))
        self.fields.set_rows(rows)
        for spec in LISTS:
            self.lists[spec.key].set_rows(e[spec.key])
            self.details.setTabText(
                1 + LISTS.index(spec), f"{spec.sheet} {len(e[spec.key])}" if e[spec.key] else spec.sheet
            )

    def export_workbook(self) -> None:
        self.export(_("导出机构登记"), _("机构登记.xlsx"), export_register_task)

    def import_workbook(self) -> None:
        path = ask_open_path(self, _("导入机构登记"), Path.home(), xlsx_kind())
        if path is None:
            return

        def done(s: ImportSummary) -> None:
            self.status.emit(
                _("已导入 {name}：新增 {c}，更新 {u}，未变 {n}").format(
                    name=path.name, c=s.created, u=s.updated, n=s.unchanged
                )
            )
            self.reload()

        self.run(_("导入 {name}").format(name=path.name), import_register_task, path, done=done)

    def add_org(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.register_dialogs import AddOrgDialog, add_org_task

        dialog = AddOrgDialog(self)
        if not accepted(dialog):
            return
        name, code, fields = dialog.values()

        done = self._then_show(_("已登记机构：{name}"))
        self.run(_("登记机构"), add_org_task, name, code, fields, done=done)

    def edit_org(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.register_dialogs import EditOrgDialog, edit_org_task

        entry = self.table.current()
        if entry is None:
            return
        dialog = EditOrgDialog(entry, self)
        if not accepted(dialog):
            return
        changed = dialog.changed()
        if not changed:
            return

        done = self._then_show(_("已保存登记信息：{name}"))
        self.run(_("保存登记信息"), edit_org_task, entry["id"], entry["name"], changed, done=done)

    def _then_show(self, message: str) -> Callable[[Entry], None]:
        """After a write: say so (``message`` names the organisation), read again, select it."""

        def done(entry: Entry) -> None:
            self.status.emit(message.format(name=entry["name"]))
            self.loaded.connect(
                lambda: self.table.select(lambda e: e["id"] == entry["id"]),
                Qt.ConnectionType.SingleShotConnection,
            )
            self.reload()

        return done

"""The roster's forms: a supervisor put on the roster, the review after a task, the year's
assessment, a suspension. They collect values; the core checks them (``inspector.centre.people``), and a
refused value comes back as one message with nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from inspector.centre.common import today
from inspector.centre.people import ANNUAL_RESULTS, RATINGS, ROLES, annual_name, rating_name, role_name
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.plan_dialogs import buttons, date_edit, iso_of, optional_date

Org = tuple[str, str, str | None]  # id, name, code


def people_task(progress: Callable[[int, int], None], data: Path, action: str, args: dict[str, Any]) -> Any:
    """Worker task: one write through ``inspector.centre.people`` (``action`` names the function)."""
    from inspector.centre import people

    allowed = {
        "add_person",
        "add_review",
        "set_annual",
        "set_active",
        "set_roles",
        "renew_card",
        "cancel_person",
        "add_ground",
    }
    if action not in allowed:
        raise ValueError(action)  # a bug, not a user's mistake
    with opened_folder(data) as db:
        return getattr(people, action)(db, **args)


def org_box(orgs: list[Org], *, blank: str | None = None) -> QComboBox:
    """Organisations by name, typed to find among hundreds; ``blank`` adds a first "none" entry."""
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if blank is not None:
        box.addItem(blank, None)
    for org_id, name, code in sorted(orgs, key=lambda o: o[1]):
        box.addItem(f"{name}（{code}）" if code else name, org_id)
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance("中") * 24)
    line = box.lineEdit()
    if line is not None:  # show a long name from its start, not its end
        box.currentIndexChanged.connect(lambda _i: line.setCursorPosition(0))
        line.setCursorPosition(0)
    return box


def note_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field of the form
    box.setFixedHeight(box.fontMetrics().height() * 4)
    return box


class AddPersonDialog(QDialog):
    def __init__(self, orgs: list[Org], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("登记质量督导员"))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItem(_("内督"), "internal")
        self.kind.addItem(_("外督"), "external")
        self.cert_no = QLineEdit()
        self.cert_no.setPlaceholderText(_("质量督导员证卡编号"))
        self.cert_issued = date_edit(today())
        self.employer = org_box(orgs, blank=_("（不是登记机构的职工）"))
        self.phone = QLineEdit()
        form.addRow(_("姓名(&N)："), self.name)
        form.addRow(_("类别(&K)："), self.kind)
        form.addRow(_("证卡编号(&C)："), self.cert_no)
        form.addRow(_("颁发日期(&D)："), self.cert_issued)
        form.addRow(_("工作单位(&E)："), self.employer)
        form.addRow(_("电话(&P)："), self.phone)
        form.addRow(buttons(self, _("登记")))

    def fields(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "kind": self.kind.currentData(),
            "cert_no": self.cert_no.text(),
            "cert_issued": iso_of(self.cert_issued),
            "employer_org": self.employer.currentData(),
            "phone": self.phone.text() or None,
        }


class ReviewDialog(QDialog):
    """The centre's review of one task: chosen among the person's tasks, or a date and a station."""

    def __init__(
        self, name: str, tasks: list[dict[str, Any]], orgs: list[Org], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("督导任务评价：{name}").format(name=name))
        form = QFormLayout(self)
        self.task = QComboBox()
        for t in reversed(tasks):  # the latest first: the usual review is of the task just done
            self.task.addItem(f"{t['date']}  {t['org_name'] or t['org']}", t)
        self.task.addItem(_("其他任务（填写日期和机构）"), None)
        self.day = date_edit(today())
        self.org = org_box(orgs)
        self.rating = QComboBox()
        for r in RATINGS:
            self.rating.addItem(rating_name(r), r)
        # 郑州办法 第十一条's four points, each recorded apart; the grade is the centre's own
        self.completion = QLineEdit()
        self.attitude = QLineEdit()
        self.objectivity = QLineEdit()
        self.violation = QCheckBox(_("（四）有违纪行为"))
        self.comment = note_box(_("评价说明（违纪时写明情况）"))
        form.addRow(_("督导任务(&T)："), self.task)
        form.addRow(_("日期(&D)："), self.day)
        form.addRow(_("机构(&O)："), self.org)
        form.addRow(_("（一）任务完成情况："), self.completion)
        form.addRow(_("（二）工作态度与执行政策的水平："), self.attitude)
        form.addRow(_("（三）督导报告的客观真实性："), self.objectivity)
        form.addRow("", self.violation)
        form.addRow(_("评价(&R)："), self.rating)
        form.addRow(_("说明(&C)："), self.comment)
        form.addRow(buttons(self, _("保存评价")))
        self.task.currentIndexChanged.connect(lambda _i: self._other())
        self._other()

    def _other(self) -> None:
        other = self.task.currentData() is None
        self.day.setEnabled(other)
        self.org.setEnabled(other)

    def fields(self) -> dict[str, Any]:
        task = self.task.currentData()
        out: dict[str, Any] = {
            "rating": self.rating.currentData(),
            "violation": self.violation.isChecked(),
            "comment": self.comment.toPlainText() or None,
            "completion": self.completion.text() or None,
            "attitude": self.attitude.text() or None,
            "objectivity": self.objectivity.text() or None,
        }
        if task is None:
            return out | {"task_date": iso_of(self.day), "org_id": self.org.currentData()}
        ref = "plan_id" if task["source"] == "dispatch" else "eval_id"
        return out | {"task_date": task["date"], "org_id": task["org"], ref: task["ref"]}


class AnnualDialog(QDialog):
    def __init__(self, name: str, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("年度考核：{name}").format(name=name))
        form = QFormLayout(self)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today().year)
        self.outcome = QComboBox()
        for r in ANNUAL_RESULTS:
            self.outcome.addItem(annual_name(r), r)
        self.comment = note_box(_("考核说明"))
        if summary:
            form.addRow(_("已有记录："), QLabel(summary))
        form.addRow(_("年度(&Y)："), self.year)
        form.addRow(_("考核结果(&R)："), self.outcome)
        form.addRow(_("说明(&C)："), self.comment)
        form.addRow(buttons(self, _("保存考核")))

    def fields(self) -> dict[str, Any]:
        return {
            "year": self.year.value(),
            "result": self.outcome.currentData(),
            "comment": self.comment.toPlainText() or None,
        }


class RenewCardDialog(QDialog):
    """A new card for the same person (renewed every three years, or one entered wrongly); the card
    it replaces stays on record with the reason."""

    def __init__(self, name: str, cert_no: str, last_day: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("换发证卡：{name}").format(name=name))
        form = QFormLayout(self)
        form.addRow(QLabel(_("现有证卡：{no}，有效至 {last}").format(no=cert_no, last=last_day)))
        self.cert_no = QLineEdit(cert_no)
        self.cert_no.setPlaceholderText(_("质量督导员证卡编号"))
        self.cert_issued = date_edit(today())
        box, self.has_until, self.until = optional_date(_("证卡印有有效期止日"), today(), False)
        self.reason = QLineEdit(_("换发证卡"))
        form.addRow(_("证卡编号(&C)："), self.cert_no)
        form.addRow(_("颁发日期(&D)："), self.cert_issued)
        form.addRow(_("有效期(&V)："), box)
        form.addRow(_("理由(&R)："), self.reason)
        form.addRow(buttons(self, _("换发")))

    def fields(self) -> dict[str, Any]:
        return {
            "cert_no": self.cert_no.text(),
            "cert_issued": iso_of(self.cert_issued),
            "cert_valid_until": iso_of(self.until) if self.has_until.isChecked() else None,
            "reason": self.reason.text() or None,
        }


class SuspendDialog(QDialog):
    """Suspend with a reason on record, or reinstate; the draw skips a suspended supervisor."""

    def __init__(self, name: str, active: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.active = active
        form = QFormLayout(self)
        self.reason = note_box(_("理由（如：年度考核不合格、证卡过期未换发、本人申请）"))
        box, self.has_until, self.until = optional_date(_("暂停至（含当日）"), today(), False)
        self.cancel = QCheckBox(_("取消资格（终局：不得再抽取、恢复或换证）"))
        self.cancel.toggled.connect(lambda on: box.setEnabled(not on))
        if active:
            self.setWindowTitle(_("暂停督导员资格：{name}").format(name=name))
            form.addRow(
                QLabel(_("暂停后抽取督导组时不再抽到此人（有期限的，期满后可再抽取）；理由记入名册。"))
            )
            form.addRow(_("理由(&R)："), self.reason)
            form.addRow(_("期限："), box)
            form.addRow("", self.cancel)
            form.addRow(buttons(self, _("确定")))
        else:
            self.setWindowTitle(_("恢复督导员资格：{name}").format(name=name))
            form.addRow(QLabel(_("恢复后此人重新参加抽取。")))
            self.reason.hide()
            form.addRow(buttons(self, _("恢复")))

    def fields(self) -> dict[str, Any]:
        if self.active and self.cancel.isChecked():
            return {"cancel": True, "reason": self.reason.toPlainText()}
        if self.active:
            until = iso_of(self.until) if self.has_until.isChecked() else None
            return {"active": False, "reason": self.reason.toPlainText(), "until": until}
        return {"active": True}


class GroundDialog(QDialog):
    """A ground for recusal beyond employer and posts, with its dates (福建办法 第三章六
    "不能参加可能影响其客观公正督导的工作"); the draw applies it within those dates where the plan's
    rulebook has recusal_grounds."""

    def __init__(self, name: str, orgs: list[Org], parent: QWidget | None = None) -> None:
        from inspector.centre.dispatch import ground_name
        from inspector.centre.people import GROUNDS

        super().__init__(parent)
        self.setWindowTitle(_("回避事由：{name}").format(name=name))
        form = QFormLayout(self)
        self.org = org_box(orgs)
        self.ground = QComboBox()
        for g in GROUNDS:
            self.ground.addItem(ground_name(g), g)
        since_box, self.has_since, self.since = optional_date(_("自"), today(), False)
        until_box, self.has_until, self.until = optional_date(_("至（含当日）"), today(), False)
        self.note = note_box(_("情形说明（“其他”必填）"))
        form.addRow(_("机构(&O)："), self.org)
        form.addRow(_("事由(&G)："), self.ground)
        form.addRow(_("期间："), since_box)
        form.addRow("", until_box)
        form.addRow(_("说明(&C)："), self.note)
        form.addRow(buttons(self, _("登记")))

    def fields(self) -> dict[str, Any]:
        return {
            "org_id": self.org.currentData(),
            "ground": self.ground.currentData(),
            "since": iso_of(self.since) if self.has_since.isChecked() else None,
            "until": iso_of(self.until) if self.has_until.isChecked() else None,
            "note": self.note.toPlainText() or None,
        }


class RolesDialog(QDialog):
    """Where the person acts as internal supervisor, assessor or exam staff: the draw never sends
    them to supervise those organisations (回避)."""

    def __init__(
        self, name: str, roles: tuple[tuple[str, str], ...], orgs: list[Org], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("任职机构（回避）：{name}").format(name=name))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)
        self.names = {org_id: org_name for org_id, org_name, _code in orgs}
        form = QFormLayout(self)
        form.addRow(QLabel(_("抽取督导组时，不会派此人去督导下列机构。")))
        self.list = QListWidget()
        for org_id, role in roles:
            self._add(org_id, role)
        form.addRow(self.list)
        self.org = org_box(orgs)
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(role_name(r), r)
        row = QHBoxLayout()
        row.addWidget(self.org, 1)
        row.addWidget(self.role)
        add = QPushButton(_("添加(&A)"))
        add.clicked.connect(lambda _c=False: self._add(self.org.currentData(), self.role.currentData()))
        row.addWidget(add)
        label = QLabel(_("机构(&O)："))
        label.setBuddy(self.org)  # the row is a layout: the mnemonic needs its widget
        form.addRow(label, row)
        remove = QPushButton(_("删除所选(&D)"))
        remove.clicked.connect(lambda _c=False: self._remove())
        form.addRow("", remove)
        form.addRow(buttons(self, _("保存")))

    def _add(self, org_id: str | None, role: str) -> None:
        if org_id is None or (org_id, role) in self.roles():
            return
        item = QListWidgetItem(f"{self.names.get(org_id, org_id)}（{role_name(role)}）")
        item.setData(Qt.ItemDataRole.UserRole, (org_id, role))
        self.list.addItem(item)

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def roles(self) -> list[tuple[str, str]]:
        return [tuple(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

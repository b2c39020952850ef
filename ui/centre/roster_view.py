"""督导员名册: the supervisors with their cards (read as the dispatch reads them), recusal grounds,
and, for the one selected, the history of tasks, the reviews after each task and the annual
assessments. From here the centre puts a supervisor on the roster, reviews a task, records the
year's assessment and suspends or reinstates (the forms are in ``roster_dialogs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QTabWidget

from inspector.centre.dispatch import kind_name
from inspector.centre.people import Person, assessed_years, role_name
from inspector.folder import opened_folder
from inspector.i18n import _
from inspector.store.orgs import list_orgs, org_names
from ui.centre.common import CentreContext, CentrePage, Column, RowsModel, Table, pane


@dataclass(frozen=True)
class RosterRow:
    person: Person
    employer: str | None
    roles: str  # "机构（考评员）；…": where the person must not supervise
    tasks: int
    card: str  # valid | expired | not_yet

    @property
    def card_text(self) -> str:
        return {"valid": _("有效"), "expired": _("已过期"), "not_yet": _("未生效")}[self.card]

    @property
    def status_text(self) -> str:
        p = self.person
        if p.cancelled_at:
            return _("已取消资格：{why}").format(why=p.inactive_reason or "")
        if p.active:
            return _("在册")
        if p.suspended_until:
            return _("暂停至 {d}：{why}").format(d=p.suspended_until.isoformat(), why=p.inactive_reason or "")
        return _("暂停：{why}").format(why=p.inactive_reason or "")


@dataclass(frozen=True)
class RosterData:
    rows: list[RosterRow]
    orgs: list[tuple[str, str, str | None]]  # id, name, code: for the forms' choices


@dataclass(frozen=True)
class PersonDetails:
    person_id: str
    history: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    annual: list[dict[str, Any]]


def load_roster(progress: Callable[[int, int], None], data: Path, day: dt.date) -> RosterData:
    from inspector.centre.dispatch import ground_name
    from inspector.centre.people import list_people, past_tasks, recusal_grounds

    with opened_folder(data) as db:
        listed = [(o["id"], o["name"], o["code"]) for o in list_orgs(db)]
        orgs = {org_id: name for org_id, name, _code in listed}
        tasks: dict[str, int] = {}
        for t in past_tasks(db):
            tasks[t.person_id] = tasks.get(t.person_id, 0) + 1
        grounds: dict[str, list[str]] = {}
        for pid, org, ground, since, until in recusal_grounds(db):
            span = f"{since or '…'}–{until or '…'}"
            grounds.setdefault(pid, []).append(f"{orgs.get(org, org)}（{ground_name(ground)}，{span}）")
        rows = []
        for p in list_people(db):
            card = "not_yet" if day < p.cert_issued else "valid" if p.cert_valid_on(day) else "expired"
            rows.append(
                RosterRow(
                    person=p,
                    employer=orgs.get(p.employer_org or "", p.employer_org),
                    roles="；".join(
                        [f"{orgs.get(o, o)}（{role_name(r)}）" for o, r in p.roles] + grounds.get(p.id, [])
                    ),
                    tasks=tasks.get(p.id, 0),
                    card=card,
                )
            )
        return RosterData(rows, listed)


def load_person(progress: Callable[[int, int], None], data: Path, person_id: str) -> PersonDetails:
    from inspector.centre.people import annual_summary, history, reviews

    with opened_folder(data) as db:
        tasks = history(db, person_id)
        mine = reviews(db, person_id)
        orgs = org_names(db)
        for r in mine:
            r["org_name"] = orgs.get(r["org"] or "", r["org"])
        years = {int(t["date"][:4]) for t in tasks} | {int(r["task_date"][:4]) for r in mine}
        years |= set(assessed_years(db, person_id))
        annual = [annual_summary(db, person_id, y) for y in sorted(years, reverse=True)]
        return PersonDetails(person_id, tasks, mine, annual)


def export_roster_task(progress: Callable[[int, int], None], data: Path, path: Path) -> dict[str, int]:
    from inspector.centre.workbooks import export_roster

    with opened_folder(data) as db:
        return export_roster(db, path)


def slip_task(progress: Callable[[int, int], None], data: Path, person_id: str, path: Path) -> Path:
    """The person's assignment slip (the CA fingerprint to compare on the first import), written."""
    from inspector.documents.slip import render_slip
    from inspector.documents.style import write_pdf

    with opened_folder(data) as db:
        write_pdf(path, render_slip(db, data, person_id))
    return path


def roster_columns() -> list[Column[RosterRow]]:
    return [
        Column(_("姓名"), lambda r: r.person.name),
        Column(_("类别"), lambda r: kind_name(r.person.kind)),
        Column(_("证卡编号"), lambda r: r.person.cert_no),
        Column(_("颁发日期"), lambda r: r.person.cert_issued.isoformat()),
        Column(_("有效期至"), lambda r: r.person.cert_last_day.isoformat()),
        Column(_("证卡"), lambda r: r.card_text, alarm=lambda r: r.card != "valid"),
        Column(_("状态"), lambda r: r.status_text, alarm=lambda r: not r.person.active),
        Column(_("督导次数"), lambda r: r.tasks, numeric=True),
        Column(_("工作单位"), lambda r: r.employer),
        Column(_("任职机构（回避）"), lambda r: r.roles, tip=lambda r: r.roles or None),
        Column(_("电话"), lambda r: r.person.phone),
    ]


def _annual_reviews(a: dict[str, Any]) -> str:
    counts = a["reviews"]
    return _("优秀 {e}，良好 {g}，合格 {p}，不合格 {f}").format(
        e=counts["excellent"], g=counts["good"], p=counts["pass"], f=counts["fail"]
    )


class RosterPage(CentrePage):
    title_text = _("督导员名册")
    person_shown = Signal(str)  # the id of the person whose records are now on screen

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__(ctx)
        self.shown: str | None = None  # whose tasks, reviews and assessments are on screen
        self.details_shown: PersonDetails | None = None
        self.orgs: list[tuple[str, str, str | None]] = []
        self.table = Table(RowsModel(roster_columns()), stretch=9)
        self.tools.addWidget(self.search_box(self.table))
        self.tools.addStretch(1)
        self.add_button = self.button(_("登记督导员(&N)…"), self.add_person)
        self.review_button = self.button(_("任务评价(&R)…"), self.review, _("中心对督导员一次督导任务的评价"))
        self.annual_button = self.button(_("年度考核(&Y)…"), self.annual_assessment)
        self.suspend_button = self.button(_("暂停/恢复(&S)…"), self.suspend_or_reinstate)
        self.renew_button = self.button(
            _("换发证卡(&C)…"), self.renew_card, _("三年期满换发或更正证卡；原证卡留存记录，督导经历不变")
        )
        self.roles_button = self.button(
            _("回避机构(&O)…"), self.edit_roles, _("此人担任内督、考评员或考务人员的机构：抽取时回避")
        )
        self.slip_button = self.button(
            _("打印派发单(&P)…"),
            self.print_slip,
            _("一页 PDF：中心 CA 证书指纹与此人的证书，当面交给本人，供首次导入时核对"),
        )
        self.ground_button = self.button(
            _("回避事由(&G)…"),
            self.add_ground,
            _("登记其他回避事由（亲属、曾任职、咨询服务、其他可能影响客观公正的情形）及其起止日期"),
        )
        self.button(_("导出 .xlsx(&X)…"), self.export_workbook)
        for b in (
            self.add_button,
            self.suspend_button,
            self.renew_button,
            self.roles_button,
            self.ground_button,
        ):
            self.gate(b, "roster")
        self.gate(self.review_button, "reviews")
        self.gate(self.annual_button, "reviews")
        self.history = Table(
            RowsModel(
                [
                    Column(_("督导日期"), lambda h: h["date"]),
                    Column(_("机构"), lambda h: h["org_name"]),
                    Column(
                        _("来源"),
                        lambda h: _("抽取派组") if h["source"] == "dispatch" else _("评估记录"),
                    ),
                ]
            )
        )
        self.reviews = Table(
            RowsModel(
                [
                    Column(_("督导日期"), lambda r: r["task_date"]),
                    Column(_("机构"), lambda r: r["org_name"]),
                    Column(_("评价"), lambda r: r["rating_name"], alarm=lambda r: r["rating"] == "fail"),
                    Column(_("违纪"), lambda r: r["violation"], alarm=lambda r: r["violation"]),
                    Column(_("说明"), lambda r: r["comment"]),
                    Column(_("评价人"), lambda r: r["reviewer"]),
                ]
            )
        )
        self.annual = Table(
            RowsModel(
                [
                    Column(_("年度"), lambda a: a["year"], numeric=True),
                    Column(_("督导次数"), lambda a: a["tasks"], numeric=True),
                    Column(_("任务评价"), _annual_reviews),
                    Column(
                        _("违纪"), lambda a: a["violations"], numeric=True, alarm=lambda a: a["violations"]
                    ),
                    Column(_("考核结果"), lambda a: a["result_name"], alarm=lambda a: a["result"] == "fail"),
                    Column(_("说明"), lambda a: a["comment"]),
                ]
            )
        )
        self.details = QTabWidget()
        self.details.addTab(self.history, _("督导任务"))
        self.details.addTab(self.reviews, _("任务评价"))
        self.details.addTab(self.annual, _("年度考核"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(pane(self.table))
        split.addWidget(pane(self.details))
        split.setChildrenCollapsible(False)
        self.layout_.addWidget(split, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._load_person())

    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        from inspector.centre.common import today

        return _("读取督导员名册"), load_roster, (today(),)

    def show_data(self, data: RosterData) -> None:
        self.orgs = data.orgs
        self.table.set_rows(data.rows)
        self.more_to_load = self.table.current() is not None
        self._load_person()

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load_person(self) -> None:
        row = self.table.current()
        if row is None:
            self._show_person(None)
            return
        self.run(_("读取督导员记录"), load_person, row.person.id, done=self._show_person)

    def _show_person(self, details: PersonDetails | None) -> None:
        row = self.table.current()
        if details is not None and (row is None or row.person.id != details.person_id):
            return  # the selection moved on while this was read
        self.history.set_rows(details.history if details else [])
        self.reviews.set_rows(details.reviews if details else [])
        self.annual.set_rows(details.annual if details else [])
        for i, rows in enumerate(
            (details.history, details.reviews, details.annual) if details else ([], [], [])
        ):
            base = (_("督导任务"), _("任务评价"), _("年度考核"))[i]
            self.details.setTabText(i, f"{base} {len(rows)}" if rows else base)
        self.shown = details.person_id if details else None
        self.details_shown = details
        for b in (
            self.review_button,
            self.annual_button,
            self.suspend_button,
            self.roles_button,
            self.ground_button,
            self.renew_button,
        ):
            b.setEnabled(details is not None)
        if details is not None:
            self.person_shown.emit(details.person_id)
        if self.more_to_load and details is not None:
            self.more_to_load = False
            self.loaded.emit()

    def export_workbook(self) -> None:
        self.export(_("导出督导员名册"), _("督导员名册.xlsx"), export_roster_task)

    # -- writing ------------------------------------------------------------------------------------
    def _write(self, label: str, action: str, args: dict[str, Any], message: str) -> None:
        """One write on the worker; then the status bar says so and the page reads itself again."""
        from ui.centre.roster_dialogs import people_task

        keep = self.table.current()

        def done(_result: Any) -> None:
            self.status.emit(message)
            if keep is not None:
                person_id = keep.person.id
                self.loaded.connect(
                    lambda: self.table.select(lambda r: r.person.id == person_id),
                    Qt.ConnectionType.SingleShotConnection,
                )
            self.reload()

        self.run(label, people_task, action, args, done=done)

    def add_person(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import AddPersonDialog

        dialog = AddPersonDialog(self.orgs, self)
        if not accepted(dialog):
            return
        fields = dialog.fields()
        self._write(
            _("登记督导员"),
            "add_person",
            fields,
            _("已登记督导员：{name}").format(name=fields["name"].strip()),
        )

    def _selected(self) -> tuple[RosterRow, PersonDetails] | None:
        row, details = self.table.current(), self.details_shown
        if row is None or details is None or details.person_id != row.person.id:
            return None
        return row, details

    def review(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import ReviewDialog

        chosen = self._selected()
        if chosen is None:
            return
        row, details = chosen
        dialog = ReviewDialog(row.person.name, details.history, self.orgs, self)
        if not accepted(dialog):
            return
        args = {"person_id": row.person.id, "reviewer": self.ctx.user, **dialog.fields()}
        message = _("已保存对 {name} 的任务评价").format(name=row.person.name)
        self._write(_("保存任务评价"), "add_review", args, message)

    def annual_assessment(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import AnnualDialog

        chosen = self._selected()
        if chosen is None:
            return
        row, details = chosen
        recorded = "；".join(
            f"{a['year']} {a['result_name']}" for a in details.annual if a.get("result_name")
        )
        dialog = AnnualDialog(row.person.name, recorded, self)
        if not accepted(dialog):
            return
        args = {"person_id": row.person.id, "assessed_by": self.ctx.user, **dialog.fields()}
        message = _("已保存 {name} 的年度考核").format(name=row.person.name)
        self._write(_("保存年度考核"), "set_annual", args, message)

    def suspend_or_reinstate(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import SuspendDialog

        chosen = self._selected()
        if chosen is None:
            return
        person = chosen[0].person
        dialog = SuspendDialog(person.name, person.active, self)
        if not accepted(dialog):
            return
        fields = dialog.fields()
        if fields.pop("cancel", False):  # 取消资格: final (福建办法 第四章一)
            message = _("已取消 {name} 的督导员资格").format(name=person.name)
            args = {"person_id": person.id, "reason": fields["reason"]}
            self._write(_("取消督导员资格"), "cancel_person", args, message)
            return
        message = (
            _("已恢复 {name} 的督导员资格") if fields["active"] else _("已暂停 {name} 的督导员资格")
        ).format(name=person.name)
        self._write(_("更改督导员资格"), "set_active", {"person_id": person.id, **fields}, message)

    def edit_roles(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import RolesDialog

        chosen = self._selected()
        if chosen is None:
            return
        person = chosen[0].person
        dialog = RolesDialog(person.name, person.roles, self.orgs, self)
        if not accepted(dialog):
            return
        args = {"person_id": person.id, "roles": dialog.roles()}
        message = _("已保存 {name} 的回避机构").format(name=person.name)
        self._write(_("保存回避机构"), "set_roles", args, message)

    def print_slip(self) -> None:
        from ui.centre.common import ask_save_path
        from ui.centre.rectify_dialogs import pdf_kind

        chosen = self._selected()
        if chosen is None:
            return
        person = chosen[0].person
        path = ask_save_path(
            self, _("打印派发单"), _("派发单-{name}.pdf").format(name=person.name), pdf_kind(), ".pdf"
        )
        if path is None:
            return
        self.run(
            _("打印派发单"),
            slip_task,
            person.id,
            path,
            done=lambda written: self.status.emit(_("已写入派发单：{path}").format(path=written)),
        )

    def add_ground(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import GroundDialog

        chosen = self._selected()
        if chosen is None:
            return
        person = chosen[0].person
        dialog = GroundDialog(person.name, self.orgs, self)
        if not accepted(dialog):
            return
        args = {"person_id": person.id, "by": self.ctx.user, **dialog.fields()}
        message = _("已登记 {name} 的回避事由").format(name=person.name)
        self._write(_("登记回避事由"), "add_ground", args, message)

    def renew_card(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.roster_dialogs import RenewCardDialog

        chosen = self._selected()
        if chosen is None:
            return
        person = chosen[0].person
        dialog = RenewCardDialog(person.name, person.cert_no, person.cert_last_day.isoformat(), self)
        if not accepted(dialog):
            return
        args = {"person_id": person.id, "by": self.ctx.user, **dialog.fields()}
        # a credential never outlives the card it was issued for: the old one ends with the old card
        message = _("已为 {name} 换发证卡；如已签发证书，请按新证卡重新签发（keys issue）").format(
            name=person.name
        )
        self._write(_("换发证卡"), "renew_card", args, message)

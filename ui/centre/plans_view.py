"""督导计划: the plans (campaigns), the selected plan's targets with their drawn teams, and the
ways in: a new plan, a target added, the random dispatch (ui/centre/dispatch_dialog.py), the
published record of every draw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QSplitter, QTabWidget

from inspector.centre.milestones import MilestoneState
from inspector.centre.overview import PlanRow, TargetRow, plan_kind_name, target_state_name
from inspector.centre.plans import Plan
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.common import CentreContext, CentrePage, Column, RowsModel, Table, ask_open_path, heading, pane

if TYPE_CHECKING:
    from inspector.centre.holidays import HolidayNotice


@dataclass(frozen=True)
class PlansData:
    plans: list[PlanRow]
    orgs: list[tuple[str, str, str | None]]  # id, name, code: the choices for a new target
    rubrics: list[tuple[str, str]]  # id, title: the choices for a new plan
    rulebooks: list[tuple[str, str, tuple[str, ...]]]  # id, title, the rubrics it belongs with


def load_plans(progress: Callable[[int, int], None], data: Path) -> PlansData:
    from inspector.centre.overview import plan_rows
    from inspector.centre.register import register_entries
    from inspector.centre.rulebooks import list_rulebooks
    from inspector.store.rubrics import list_rubrics

    with opened_folder(data) as db:
        register = {e["id"]: e for e in register_entries(db)}
        rubrics = {r.id: r.title for r in list_rubrics(db)}
        rows = plan_rows(db)
        orgs = [(e["id"], e["name"], e["code"]) for e in register.values()]
        books = [(rb.id, rb.title, rb.rubrics) for rb, _origin in list_rulebooks(db)]
        return PlansData(rows, orgs, sorted(rubrics.items(), key=lambda kv: kv[1]), books)


def new_plan_task(progress: Callable[[int, int], None], data: Path, fields: dict[str, Any]) -> Plan:
    from inspector.centre.plans import new_plan

    with opened_folder(data) as db:
        return new_plan(db, **fields)


def mark_milestone_task(
    progress: Callable[[int, int], None], data: Path, plan_id: str, name: str, day: str, user: str | None
) -> MilestoneState:
    from inspector.centre.milestones import mark_milestone

    with opened_folder(data) as db:
        return mark_milestone(db, plan_id, name, day, user)


def add_target_task(
    progress: Callable[[int, int], None], data: Path, plan_id: str, org_id: str, day: str | None
) -> str:
    from inspector.centre.plans import add_target

    with opened_folder(data) as db:
        return add_target(db, plan_id, org_id, day).org_id


def export_plan_task(
    progress: Callable[[int, int], None], data: Path, path: Path, plan_id: str
) -> dict[str, int]:
    from inspector.centre.results import plan_results
    from inspector.centre.workbooks import export_results

    with opened_folder(data) as db:
        progress(0, 2)
        results = plan_results(db, plan_id)
        progress(1, 2)
        return export_results(results, path)


def read_notice_task(
    progress: Callable[[int, int], None], data: Path, path: Path
) -> tuple[HolidayNotice, bytes, dict[str, Any] | None]:
    """A holiday-arrangement file, checked, and what this folder already holds for its year."""
    from inspector.centre.holidays import read_notice_file, stored_notices

    notice, raw = read_notice_file(path)
    with opened_folder(data) as db:
        existing = next((n for n in stored_notices(db) if n["year"] == notice.year), None)
    return notice, raw, existing


def add_notice_task(
    progress: Callable[[int, int], None],
    data: Path,
    notice: HolidayNotice,
    raw: bytes,
    replace: bool,
    user: str | None,
) -> dict[str, Any]:
    from inspector.centre.holidays import add_notice

    with opened_folder(data) as db:
        return add_notice(db, notice, raw, replace=replace, user=user)


def plan_columns() -> list[Column[PlanRow]]:
    return [
        Column(_("计划"), lambda r: r.plan.title, tip=lambda r: r.rubric_title),
        Column(_("类型"), lambda r: plan_kind_name(r.plan.kind)),
        Column(_("年度"), lambda r: r.plan.year, numeric=True),
        Column(_("地区"), lambda r: r.plan.region),
        Column(_("期间"), lambda r: r.period),
        # the rulebook by its title, as the plan dialog and the rulebook tab name it (the id is a file name)
        Column(
            _("规则册"), lambda r: r.rulebook.title, tip=lambda r: f"{r.rulebook.document}（{r.rulebook.id}）"
        ),
        Column(_("对象"), lambda r: len(r.targets), numeric=True),
        Column(
            _("待派组"), lambda r: r.count("planned"), numeric=True, alarm=lambda r: r.count("planned") > 0
        ),
    ]


def target_columns() -> list[Column[TargetRow]]:
    return [
        Column(_("机构"), lambda t: t.org_name),
        Column(_("地区"), lambda t: t.region),
        Column(_("督导日期"), lambda t: t.visit_date),
        Column(_("状态"), lambda t: target_state_name(t.state), alarm=lambda t: t.state == "planned"),
        Column(_("督导组"), lambda t: "、".join(t.team_names)),
        Column(_("记录截止"), lambda t: t.record_due),
        Column(_("督导程序"), lambda t: t.step),
        Column(_("机构代码"), lambda t: t.org_code),
    ]


class PlansPage(CentrePage):
    title_text = _("督导计划")
    results_requested = Signal(str)

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__(ctx)
        self.data: PlansData | None = None
        self._last_dialog: QDialog | None = None
        self.button(_("新建计划(&N)…"), self.new_plan, area="plans")
        self.add_button = self.button(_("添加机构(&A)…"), self.add_target)
        self.dispatch_button = self.button(
            _("随机抽取(&D)…"), self.dispatch, _("为尚无督导组的机构随机抽取督导组，并公布抽取记录")
        )
        self.gate(self.add_button, "plans")
        self.gate(self.dispatch_button, "draws")
        self.record_button = self.button(_("公布记录(&R)…"), self.show_records)
        self.step_button = self.button(
            _("督导程序(&G)…"),
            self.record_step,
            _("所选对象的督导程序（如福建专项督导）：各步骤的日期，记录下一步"),
        )
        self.button(
            _("节假日安排(&J)…"),
            self.add_holidays,
            _("录入国务院办公厅公布的新一年节假日安排（程序尚未自带时），用于计算工作日期限"),
        )
        self.tools.addStretch(1)
        self.results_button = self.button(_("查看结果(&S)"), self.show_results)
        self.export_button = self.button(_("导出 .xlsx(&X)…"), self.export_workbook)
        self.plans = Table(RowsModel(plan_columns()), stretch=0)
        self.targets = Table(RowsModel(target_columns()))
        self.targets_title = heading(_("督导对象"))
        from ui.centre.rulebook_view import RulebookBrowser, milestone_table

        self.rulebook = RulebookBrowser()
        self.milestones = milestone_table()
        self.done_button = self.button(
            _("阶段完成(&M)…"), self.mark_milestone, _("记录时间表中某一阶段的完成日期")
        )
        for b in (self.step_button, self.done_button):
            self.gate(b, "plans")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.targets, _("督导对象"))
        self.tabs.addTab(self.rulebook, _("规则册"))
        self.tabs.addTab(self.milestones, _("时间表"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(pane(self.plans))
        split.addWidget(pane(self.targets_title, self.tabs))
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.layout_.addWidget(split, 1)
        self.plans.selectionModel().currentRowChanged.connect(lambda *_a: self._show_plan())
        self._show_plan()

    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        return _("读取督导计划"), load_plans, ()

    def show_data(self, data: PlansData) -> None:
        current = self._plan_id()
        self.data = data
        self.plans.set_rows(data.plans)
        if current:
            self.select_plan(current)
        self._show_plan()

    def focus_first(self) -> None:
        self.plans.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_plan(self, plan_id: str) -> bool:
        return self.plans.select(lambda r: r.plan.id == plan_id)

    def _plan(self) -> PlanRow | None:
        row: PlanRow | None = self.plans.current()
        return row

    def _plan_id(self) -> str:
        row = self._plan()
        return row.plan.id if row else ""

    def _show_plan(self) -> None:
        row = self._plan()
        self.targets.set_rows(list(row.targets) if row else [])
        self.rulebook.show_rulebook(row.rulebook if row else None)
        self.milestones.set_rows(list(row.milestones) if row else [])
        late = sum(1 for m in row.milestones if m.state == "late") if row else 0
        self.tabs.setTabText(2, _("时间表（{n} 项逾期）").format(n=late) if late else _("时间表"))
        self.done_button.setEnabled(bool(row and row.milestones))
        for b in (
            self.add_button,
            self.dispatch_button,
            self.record_button,
            self.step_button,
            self.results_button,
            self.export_button,
        ):
            b.setEnabled(row is not None)
        if row is None:
            self.targets_title.setText(_("督导对象"))
            return
        self.targets_title.setText(
            _("{title}（{rubric}；规则册 {book}；已派组 {d} / {n}，抽取 {k} 次）").format(
                title=row.plan.title,
                rubric=row.rubric_title,
                book=row.rulebook.title,
                d=row.count("dispatched"),
                n=len(row.targets),
                k=row.dispatches,
            )
        )

    # -- actions ------------------------------------------------------------------------------------
    def new_plan(self) -> None:
        from ui.centre.plan_dialogs import NewPlanDialog, accepted

        if self.data is None:
            return
        dialog = NewPlanDialog(self.data.rubrics, self, self.data.rulebooks)
        if not accepted(dialog):
            return
        fields = dialog.fields()

        def done(plan: Plan) -> None:
            self.status.emit(_("已新建计划：{title}").format(title=plan.title))
            self.loaded.connect(lambda: self.select_plan(plan.id), Qt.ConnectionType.SingleShotConnection)
            self.reload()

        self.run(_("新建计划"), new_plan_task, fields, done=done)

    def add_target(self) -> None:
        from ui.centre.plan_dialogs import AddTargetDialog, accepted

        row = self._plan()
        if row is None or self.data is None:
            return
        taken = {t.org_id for t in row.targets}
        choices = [o for o in self.data.orgs if o[0] not in taken]
        dialog = AddTargetDialog(row.plan, choices, self)
        if not accepted(dialog):
            return
        org_id, day = dialog.choice()
        self.run(
            _("添加督导对象"),
            add_target_task,
            row.plan.id,
            org_id,
            day,
            done=lambda _org: self.reload(),
        )

    def dispatch(self) -> None:
        from ui.centre.dispatch_dialog import DispatchDialog

        row = self._plan()
        if row is None:
            return
        dialog = DispatchDialog(self.ctx, row.plan, row.count("planned"), self, row.rules)
        dialog.dispatched.connect(lambda _id: self.reload())
        self._keep(dialog)
        dialog.exec()

    def mark_milestone(self) -> None:
        from ui.centre.plan_dialogs import MilestoneDialog, accepted

        row = self._plan()
        if row is None or not row.milestones:
            return
        dialog = MilestoneDialog(list(row.milestones), self)
        if not accepted(dialog):
            return
        name, day = dialog.choice()
        self.run(
            _("记录阶段完成"),
            mark_milestone_task,
            row.plan.id,
            name,
            day,
            self.ctx.user,
            done=lambda _m: self.reload(),
        )

    def record_step(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.step_dialog import StepDialog, load_steps_task, record_step_task

        row = self._plan()
        target: TargetRow | None = self.targets.current()
        if row is None or target is None:
            self.status.emit(_("请先在“督导对象”中选择一个机构"))
            return

        def chosen(steps: list[Any]) -> None:
            if not steps:
                self.status.emit(_("本计划的规则册没有规定督导程序"))
                return
            dialog = StepDialog(target.org_name, steps, self)
            if not accepted(dialog) or (choice := dialog.choice()) is None:
                return
            self.run(
                _("记录督导程序"),
                record_step_task,
                row.plan.id,
                target.org_id,
                *choice,
                self.ctx.user,
                done=lambda _steps: self.reload(),
            )

        self.run(_("读取督导程序"), load_steps_task, row.plan.id, target.org_id, done=chosen)

    def show_records(self) -> None:
        from ui.centre.dispatch_dialog import RecordDialog

        row = self._plan()
        if row is None:
            return
        dialog = RecordDialog(self.ctx, row.plan, self)
        self._keep(dialog)
        dialog.exec()

    def _keep(self, dialog: QDialog) -> None:
        """One closed dialog stays (its result may still be read); the one before it goes."""
        if self._last_dialog is not None:
            self._last_dialog.deleteLater()
        self._last_dialog = dialog

    def show_results(self) -> None:
        if self._plan_id():
            self.results_requested.emit(self._plan_id())

    def add_holidays(self) -> None:
        """Next year's arrangement, from a TOML file typed from the notice (``calendar template``)."""
        path = ask_open_path(self, _("选择节假日安排文件"), Path.home(), _("节假日安排 (*.toml)"))
        if path is None:
            return

        def checked(found: tuple[HolidayNotice, bytes, dict[str, Any] | None]) -> None:
            notice, raw, existing = found
            if existing is not None:
                answer = QMessageBox.question(
                    self,
                    _("更正节假日安排"),
                    _("{year} 年的节假日安排已于 {at} 由 {by} 录入。用这个文件更正吗？原记录会保留。").format(
                        year=notice.year, at=existing["added_at"], by=existing["added_by"]
                    ),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
            self.run(
                _("录入节假日安排"),
                add_notice_task,
                notice,
                raw,
                existing is not None,
                self.ctx.user,
                done=added,
            )

        def added(record: dict[str, Any]) -> None:
            self.status.emit(
                _("已录入 {year} 年节假日安排：{n} 个放假时段，调休上班 {w} 天").format(
                    year=record["year"], n=len(record["holidays"]), w=len(record["workdays"])
                )
            )
            self.reload()  # deadlines that were unknown may now be counted

        self.run(_("读取节假日安排"), read_notice_task, path, done=checked)

    def export_workbook(self) -> None:
        row = self._plan()
        if row is not None:
            self.export(
                _("导出计划结果"),
                _("{title}.xlsx").format(title=row.plan.title),
                export_plan_task,
                row.plan.id,
            )

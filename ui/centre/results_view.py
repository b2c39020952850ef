"""结果汇总: one plan's results desk — every target's state, score, outcome, vetoes and the gap to
its self-assessment — and, in tabs, the lists the centre works from: self-assessment differences,
the spot re-check, rectification tracking (with the notice, the re-evaluation and the close, see
ui/centre/rectify_dialogs.py), demonstration recommendations, the public announcement list and
the overdue supervision records. The "as of" day decides what is overdue (today by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QTabWidget, QWidget

from inspector.centre.applicants import applicant_type_name
from inspector.centre.common import today
from inspector.centre.plans import Plan
from inspector.centre.results import (
    NEEDS_RECTIFICATION,
    Announcement,
    Difference,
    OverdueRecord,
    PlanResults,
    RecheckPick,
    Recommendation,
    RectificationRow,
    TargetResult,
)
from inspector.centre.self_requests import RequestState, state_name
from inspector.folder import opened_folder
from inspector.i18n import _
from inspector.rubric.points import fmt
from ui.centre.common import CentreContext, CentrePage, Column, RowsModel, Table, chars, hint, pane


@dataclass(frozen=True)
class ResultsData:
    plans: list[Plan]
    results: PlanResults | None
    requests: list[RequestState] = field(default_factory=list)  # self-assessment requests (issue 19)


def load_results(
    progress: Callable[[int, int], None], data: Path, plan_id: str | None, day: dt.date
) -> ResultsData:
    from inspector.centre.plans import list_plans
    from inspector.centre.results import plan_results

    with opened_folder(data) as db:
        plans = list_plans(db)
        if plan_id is None or plan_id not in {p.id for p in plans}:
            plan_id = plans[0].id if plans else None
        if plan_id is None:
            return ResultsData(plans, None)
        from inspector.centre.self_requests import requests_for_plan

        return ResultsData(plans, plan_results(db, plan_id, on=day), requests_for_plan(db, plan_id, on=day))


def export_results_task(
    progress: Callable[[int, int], None], data: Path, path: Path, plan_id: str, day: dt.date
) -> dict[str, int]:
    from inspector.centre.results import plan_results
    from inspector.centre.workbooks import export_results

    with opened_folder(data) as db:
        progress(0, 2)
        results = plan_results(db, plan_id, on=day)
        progress(1, 2)
        counts = export_results(results, path)
        progress(2, 2)
        return counts


def names() -> dict[str | None, str | None]:
    from inspector.centre.workbooks import state_names  # the workbook's words for the same codes

    return state_names()


def score(total: Decimal | None, most: Decimal | None) -> str | None:
    if total is None:
        return None
    return f"{fmt(total)} / {fmt(most)}" if most is not None else fmt(total)


def desk_score(t: TargetResult) -> str | None:
    """A draft's figure is provisional and says so, as on the home list (43 / 100（暂）)."""
    said = score(t.total, t.max_points)
    return said + _("（暂）") if said and t.state == "draft" else said


def signed(d: Decimal | None) -> str | None:
    """A difference with its sign: +14 when the station scored itself higher."""
    if d is None:
        return None
    return ("+" if d > 0 else "") + fmt(d)


def outcome_text(t: TargetResult) -> str | None:
    if t.outcome_label is None:
        if t.vetoes:
            return _("否决")
        # a draft under way has no conclusion yet: say so as the home list and eval list do
        return _("未完成") if t.state == "draft" and t.total is not None else None
    return t.outcome_label + (_("（否决）") if t.vetoes else "")


def target_columns() -> list[Column[TargetResult]]:
    n = names()
    return [
        Column(_("机构"), lambda t: t.org_name, tip=lambda t: t.org_code),
        Column(_("地区"), lambda t: t.region),
        Column(_("督导日期"), lambda t: t.visit_date),
        Column(_("督导组"), lambda t: "、".join(t.team_names)),
        Column(_("状态"), lambda t: n.get(t.state, t.state)),
        Column(
            _("得分"),
            desk_score,
            numeric=True,
        ),
        Column(
            _("结论"),
            outcome_text,
            alarm=lambda t: bool(t.vetoes) or t.outcome_code in NEEDS_RECTIFICATION,
        ),
        Column(_("否决项"), lambda t: "、".join(t.vetoes), alarm=lambda t: bool(t.vetoes)),
        Column(
            _("自评得分"), lambda t: fmt(t.self_total) if t.self_total is not None else None, numeric=True
        ),
        Column(_("自评−检查"), lambda t: signed(t.self_difference), numeric=True),
        Column(_("差异项"), lambda t: t.differing_items or None, numeric=True),
        Column(_("自评来源"), self_source, tip=lambda t: t.self_signed_by),
        Column(_("整改"), lambda t: n.get(t.rectification, t.rectification)),
        Column(
            _("记录截止"),
            lambda t: (t.record_due or "") + (_("（逾期）") if t.record_overdue else "") or None,
            alarm=lambda t: t.record_overdue,
        ),
        Column(
            _("延续申请截止"),
            lambda t: (t.renewal_apply_by or "") + (_("（逾期）") if t.renewal_overdue else "") or None,
            alarm=lambda t: t.renewal_overdue,
        ),
        # 重庆 三（二）: 用人单位 reviewed (审核意见, no score), the others scored; 10 / 20 working days
        Column(
            _("评价机构类型"),
            lambda t: applicant_type_name(t.applicant_type),
            tip=lambda t: _("只审核、不评分") if t.review_only else None,
        ),
        Column(
            _("处理期限"),
            lambda t: (t.decision_due or "") + (_("（逾期）") if t.decision_overdue else "") or None,
            alarm=lambda t: t.decision_overdue,
            tip=lambda t: t.review_opinion,
        ),
    ]


def self_source(t: TargetResult) -> str | None:
    """Whose self-assessment figures these are: the station's own signed ones, or typed at the centre."""
    from inspector.centre.workbooks import self_source as source  # one wording: window and workbook

    return source(t.self_eval_id, t.self_signed_by is not None)


def difference_source(d: Difference) -> str | None:
    from inspector.centre.workbooks import self_source as source

    return source(d.org_id, d.station_signed)


def difference_columns() -> list[Column[Difference]]:
    return [
        Column(_("机构"), lambda d: d.org_name),
        Column(_("小项"), lambda d: d.item_id),
        Column(_("内容"), lambda d: d.item_text, tip=lambda d: d.item_text),
        Column(_("自评"), lambda d: fmt(d.self_points), numeric=True),
        Column(_("检查"), lambda d: fmt(d.inspection_points), numeric=True),
        Column(_("自评−检查"), lambda d: signed(d.difference), numeric=True),
        Column(_("自评来源"), difference_source),
    ]


def request_columns() -> list[Column[RequestState]]:
    """The self-assessment requests sent for the plan: returned, waiting, late against the deadline
    the plan's rulebook sets (with its clause in the tip)."""

    def clause(r: RequestState) -> str | None:
        src = r.deadline_source or {}
        return f"{src.get('document', '')} {src.get('article', '')}：{src.get('quote', '')}" if src else None

    return [
        Column(_("机构"), lambda r: r.org_name),
        Column(_("鉴定站代表"), lambda r: r.representative),
        Column(_("截止日期"), lambda r: r.deadline.isoformat() if r.deadline else _("未规定"), tip=clause),
        Column(_("发出"), lambda r: r.sent_at[:10]),
        Column(_("返回"), lambda r: r.returned_at[:10] if r.returned_at else None),
        Column(_("状态"), lambda r: state_name(r.state), alarm=lambda r: r.late),
        Column(_("签署"), lambda r: r.signed_by, tip=lambda r: r.signed_by),
    ]


def recheck_columns() -> list[Column[RecheckPick]]:
    n = names()
    return [
        Column(_("机构"), lambda r: r.org_name),
        Column(_("得分"), lambda r: fmt(r.total) if r.total is not None else None, numeric=True),
        Column(_("列入原因"), lambda r: n.get(r.reason, r.reason)),
    ]


def rectification_columns() -> list[Column[RectificationRow]]:
    n = names()
    return [
        Column(_("机构"), lambda r: r.org_name),
        Column(
            _("状态"), lambda r: n.get(r.state, r.state), alarm=lambda r: r.state in ("overdue", "notice_due")
        ),
        Column(_("通知书编号"), lambda r: r.notice_no),
        Column(_("通知日期"), lambda r: r.notice_sent),
        Column(_("整改期限"), lambda r: r.deadline),
        Column(
            _("剩余天数"),
            lambda r: r.days_left if r.state in ("open", "overdue") else None,
            numeric=True,
            alarm=lambda r: r.state == "overdue",
        ),
        Column(_("复评"), lambda r: n.get(r.recheck_state, r.recheck_state)),
        Column(
            _("复评得分"),
            lambda r: fmt(r.recheck_total) if r.recheck_total is not None else None,
            numeric=True,
        ),
        Column(_("结案日期"), lambda r: r.closed_on),
        Column(_("结案结论"), lambda r: n.get(r.result, r.result), alarm=lambda r: r.result == "failed"),
    ]


def demonstration_columns() -> list[Column[Recommendation]]:
    return [
        Column(_("名次"), lambda r: r.rank, numeric=True),
        Column(_("机构"), lambda r: r.org_name),
        Column(_("得分"), lambda r: score(r.total, r.max_points), numeric=True),
        Column(_("自评−检查"), lambda r: signed(r.self_difference), numeric=True),
    ]


def announcement_columns() -> list[Column[Announcement]]:
    return [
        Column(_("机构"), lambda a: a.org_name),
        Column(_("机构代码"), lambda a: a.org_code),
        Column(_("类别"), lambda a: a.category),
        Column(_("地区"), lambda a: a.region),
        Column(_("结论"), lambda a: a.outcome_label),
        Column(_("鉴定范围（近三年）"), lambda a: a.scope, tip=lambda a: a.scope),
    ]


def overdue_columns() -> list[Column[OverdueRecord]]:
    n = names()
    return [
        Column(_("机构"), lambda o: o.org_name),
        Column(_("督导日期"), lambda o: o.visit_date),
        Column(_("记录截止"), lambda o: o.record_due),
        Column(_("逾期工作日"), lambda o: o.working_days_late, numeric=True, alarm=lambda o: True),
        Column(_("督导组"), lambda o: "、".join(o.team_names)),
        Column(_("评估状态"), lambda o: n.get(o.eval_state, o.eval_state) or _("未开始")),
    ]


class ResultsPage(CentrePage):
    title_text = _("结果汇总")

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__(ctx)
        self.data: ResultsData | None = None
        self.wanted_plan: str | None = None
        self.request_dialog: Any = None  # the open 发出自评通知 dialog (tests reach it here)
        self.plan = QComboBox()
        self.plan.setMinimumWidth(chars(self, 22))
        self.plan.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.plan.activated.connect(lambda _i: self._plan_chosen())
        plan_label = QLabel(_("计划(&P)："))
        plan_label.setBuddy(self.plan)
        day = today()
        self.day = QDateEdit(QDate(day.year, day.month, day.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setToolTip(_("逾期与整改期限按这一天计算"))
        self.day.dateChanged.connect(lambda _d: self.reload())
        day_label = QLabel(_("截至(&T)："))
        day_label.setBuddy(self.day)
        for w in (plan_label, self.plan, day_label, self.day):
            self.tools.addWidget(w)
        self.tools.addStretch(1)
        self.review_button = self.button(
            _("审核意见(&A)…"),
            self.review_current,
            _("用人单位只审核、不评分（重庆 延续备案通知 三（二）1）：记录所选机构的审核意见"),
        )
        self.review_button.setEnabled(False)
        self.gate(self.review_button, "decisions")
        self.export_button = self.button(_("导出 .xlsx(&X)…"), self.export_workbook)
        self.request_button = self.button(
            _("发出自评通知(&S)…"),
            self.send_request,
            _("给所选鉴定站（所）签发代表证书（如需要），把自评通知写入 U 盘"),
            area="credentials",
        )
        self.summary = hint("")
        self.layout_.addWidget(self.summary)

        self.targets = Table(RowsModel(target_columns()))
        self.targets.activated.connect(lambda _i: self._open_current())
        self.targets.selectionModel().currentRowChanged.connect(lambda *_a: self._target_chosen())
        self.targets.setToolTip(_("Enter 或双击：打开这次评估"))
        self.differences = Table(RowsModel(difference_columns()))
        self.requests = Table(RowsModel(request_columns()))
        self.recheck = Table(RowsModel(recheck_columns()), stretch=0)
        self.recheck_note = hint("")
        self.rects = Table(RowsModel(rectification_columns()))
        self.demonstration = Table(RowsModel(demonstration_columns()), stretch=1)
        self.announcement = Table(RowsModel(announcement_columns()))
        self.overdue = Table(RowsModel(overdue_columns()))
        self.tabs = QTabWidget()
        from ui.centre.rectify_dialogs import RectificationPanel

        self.rect_panel = RectificationPanel(self, self.rects)
        self.pages: list[tuple[str, QWidget, Table]] = [
            (_("结果汇总"), self.targets, self.targets),
            (_("自评差异"), self.differences, self.differences),
            (_("抽查复核"), pane(self.recheck_note, self.recheck), self.recheck),
            (_("整改跟踪"), self.rect_panel, self.rects),
            (_("示范推荐"), self.demonstration, self.demonstration),
            (_("公告名单"), self.announcement, self.announcement),
            (_("逾期督导记录"), self.overdue, self.overdue),
            (_("自评通知"), self.requests, self.requests),
        ]
        for title, widget, _table in self.pages:
            self.tabs.addTab(widget, title)
        self.layout_.addWidget(self.tabs, 1)

    # -- loading ------------------------------------------------------------------------------------
    def as_of(self) -> dt.date:
        d = self.day.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_as_of(self, day: dt.date) -> None:
        """Count overdue and deadlines as on ``day``, and reload (even if it was that day already)."""
        self.day.blockSignals(True)
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.day.blockSignals(False)
        self.reload()

    def show_plan(self, plan_id: str) -> None:
        """Show this plan's results (from the plans view's 查看结果)."""
        self.wanted_plan = plan_id
        self.reload()

    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        return _("汇总计划结果"), load_results, (self.wanted_plan, self.as_of())

    def _plan_chosen(self) -> None:
        self.wanted_plan = self.plan.currentData()
        self.reload()

    def show_data(self, data: ResultsData) -> None:
        self.data = data
        self.plan.clear()
        for p in data.plans:
            self.plan.addItem(p.title, p.id)
        r = data.results
        self.export_button.setEnabled(r is not None)
        self.request_button.setEnabled(r is not None)
        self.rect_panel.set_plan(r)
        if r is None:
            self.summary.setText(_("还没有督导计划：请先在“督导计划”中新建。"))
            for _title, _widget, table in self.pages:
                table.set_rows([])
            self._titles()
            return
        self.wanted_plan = r.plan.id
        self.plan.setCurrentIndex(self.plan.findData(r.plan.id))
        n = names()
        counts: dict[str, int] = {}
        for t in r.targets:
            counts[t.state] = counts.get(t.state, 0) + 1
        parts = "，".join(f"{n.get(s, s)} {k}" for s, k in counts.items())
        self.summary.setText(
            _("{n} 个督导对象：{parts}。截至 {day}。").format(n=len(r.targets), parts=parts, day=r.today)
        )
        self.recheck_note.setText(
            _("随机抽取用种子“{seed}”（可复现）；自评高出检查 10 分及以上的一并列入。").format(
                seed=r.recheck_seed
            )
        )
        self.targets.set_rows(r.targets)
        # the deadlines a plan's rulebook sets: a column stays hidden where it sets none (Sichuan
        # has no record deadline, only Chongqing a renewal window)
        for header, shown in (
            (_("记录截止"), any(t.record_due for t in r.targets)),
            (_("延续申请截止"), any(t.renewal_apply_by for t in r.targets)),
            (_("评价机构类型"), any(t.applicant_type for t in r.targets)),
            (_("处理期限"), any(t.decision_due for t in r.targets)),
        ):
            column = [c.header for c in self.targets.rows_model.columns].index(header)
            self.targets.setColumnHidden(column, not shown)
        self.differences.set_rows(r.differences)
        self.recheck.set_rows(r.recheck)
        self.rects.set_rows(r.rectifications)
        self.demonstration.set_rows(r.demonstration)
        self.announcement.set_rows(r.announcement)
        self.overdue.set_rows(r.overdue)
        self.requests.set_rows(data.requests)
        self._titles()

    def _titles(self) -> None:
        for i, (title, _widget, table) in enumerate(self.pages):
            count = table.rows_model.rowCount()
            self.tabs.setTabText(i, f"{title} {count}" if count and i else title)

    def focus_first(self) -> None:
        self.targets.setFocus(Qt.FocusReason.OtherFocusReason)

    def tab(self, title: str) -> Table:
        """The table of the tab with this title (tests, and the plans view's links)."""
        for i, (name, _widget, table) in enumerate(self.pages):
            if name == title:
                self.tabs.setCurrentIndex(i)
                return table
        raise KeyError(title)

    # -- actions ------------------------------------------------------------------------------------
    def _target_chosen(self) -> None:
        t: TargetResult | None = self.targets.current()
        self.review_button.setEnabled(bool(t and t.review_only and t.state != "cancelled"))

    def _open_current(self) -> None:
        t: TargetResult | None = self.targets.current()
        if t is not None and t.review_only:
            self.review_current()  # an employer has no evaluation to open: its review is the act
        elif t is not None and t.eval_id:
            self.ctx.open_evaluation(t.eval_id)

    def _reviewed(self, org: str, label: str) -> None:
        self.status.emit(_("已记录审核意见：{org} {label}").format(org=org, label=label))
        self.reload()

    def review_current(self) -> None:
        from ui.centre.plan_dialogs import accepted
        from ui.centre.review_dialog import ReviewDialog, record_review_task

        t: TargetResult | None = self.targets.current()
        r = self.data.results if self.data else None
        if t is None or r is None or not t.review_only:
            return
        dialog = ReviewDialog(t, self)
        if not accepted(dialog):
            return
        self.run(
            _("记录审核意见"),
            record_review_task,
            r.plan.id,
            t.org_id,
            dialog.fields(),
            self.ctx.user,
            done=lambda review: self._reviewed(t.org_name, review.label),
        )

    def send_request(self) -> None:
        """The request dialog for this plan, the organisation of the selected row chosen."""
        from ui.centre.request_dialog import station_targets

        r = self.data.results if self.data else None
        if r is None:
            return
        table = self.pages[self.tabs.currentIndex()][2]
        row = table.current()
        current = getattr(row, "org_id", None)

        def load(_progress: Callable[[int, int], None], data: Path, plan_id: str) -> Any:
            with opened_folder(data) as db:
                return station_targets(db, plan_id)

        self.run(
            _("读取受检机构"), load, r.plan.id, done=lambda choices: self._request_dialog(choices, current)
        )

    def _request_dialog(self, choices: list[Any], current: str | None) -> None:
        from ui.centre.request_dialog import RequestDialog

        r = self.data.results if self.data else None
        if r is None:
            return
        dialog = RequestDialog(
            self.ctx.data_dir(), self.ctx.worker, r.plan.id, choices, self.ctx.user, current, self
        )
        dialog.sent.connect(lambda _report: self.reload())
        self.request_dialog = dialog
        dialog.open()

    def export_workbook(self) -> None:
        r = self.data.results if self.data else None
        if r is not None:
            self.export(
                _("导出结果汇总"),
                _("{title} 结果汇总.xlsx").format(title=r.plan.title),
                export_results_task,
                r.plan.id,
                self.as_of(),
            )

"""The random dispatch ("双随机、一公开") and its published record.

:class:`DispatchDialog` asks for the seed and the team size (and the day of targets without one,
and a required kind), then draws and stores in one step on the worker. There is deliberately no
"preview": trying seeds until a draw pleases would defeat the point of a published random draw.
When no valid team exists the core stores nothing, and the dialog explains: the one-line reason
per blocked target and, under each rule, who it excluded and why (``explain_dispatch``, the same
draw run again without storing).

:class:`RecordDialog` shows what was published for a plan (seed, algorithm, each team with the
pool it was drawn from), re-runs a draw from its record alone (``verify_dispatch``) and saves
the records as JSON, the shape ``inspector plan record`` prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.centre.dispatch import (
    LEGACY_RULES,
    Blocked,
    DrawRules,
    Rule,
    kind_name,
    rule_label,
    rule_title,
)
from inspector.centre.overview import DispatchRow, dispatch_rows
from inspector.centre.plans import DispatchRecord, Plan
from inspector.errors import DispatchError, InspectorError
from inspector.folder import opened_folder
from inspector.i18n import _
from inspector.store.orgs import org_names
from ui.centre.common import CentreContext, Column, RowsModel, Table, ask_save_path, hint, pane
from ui.centre.plan_dialogs import iso_of, optional_date


@dataclass(frozen=True)
class DispatchOutcome:
    record: DispatchRecord | None  # stored and published; None when blocked
    blocked: list[Blocked]
    orgs: dict[str, str]
    rows: list[DispatchRow]  # the draw's teams, by name (empty when blocked)


def dispatch_task(
    progress: Callable[[int, int], None],
    data: Path,
    plan_id: str,
    arguments: dict[str, Any],
    author: str | None,
) -> DispatchOutcome:
    from inspector.centre.plans import explain_dispatch, run_dispatch

    with opened_folder(data) as db:
        orgs = org_names(db)
        try:
            record = run_dispatch(db, plan_id, author=author, **arguments)
        except DispatchError:
            why = explain_dispatch(db, plan_id, **arguments)
            if not why.blocked:  # the roster changed in between: say what the dispatch said
                raise
            return DispatchOutcome(None, why.blocked, orgs, [])
        return DispatchOutcome(record, [], orgs, dispatch_rows(db, record))


def team_table() -> Table:
    return Table(
        RowsModel(
            [
                Column(_("机构"), lambda t: t.org_name),
                Column(_("督导日期"), lambda t: t.date),
                Column(_("督导组（首位为组长，随机抽取产生）"), lambda t: "、".join(t.team_names)),
                Column(_("记录截止"), lambda t: t.record_due),
                Column(
                    _("合格人数"), lambda t: len(t.pool), numeric=True, tip=lambda t: "、".join(t.pool_names)
                ),
                Column(_("注意"), lambda t: t.flag_text() or None, alarm=lambda t: bool(t.flags)),
            ]
        ),
        stretch=2,
    )


def blocked_line(b: Blocked, orgs: dict[str, str]) -> str:
    """The core's one-line reason, with the organisation's name where it has the id."""
    return dataclasses.replace(b, org_id=orgs.get(b.org_id, b.org_id)).message()


def fill_exclusions(tree: QTreeWidget, blocked: list[Blocked], orgs: dict[str, str]) -> None:
    """Per blocked target, per rule: the people it excluded, each with the sentence saying why."""
    tree.clear()
    for b in blocked:
        top = QTreeWidgetItem(
            [
                _("{org}（{date}）：合格 {n} 人，需要 {k} 人").format(
                    org=orgs.get(b.org_id, b.org_id), date=b.date.isoformat(), n=len(b.pool), k=b.needed
                )
            ]
        )
        tree.addTopLevelItem(top)
        for rule in Rule:
            people = [(e.name, text) for e in b.excluded for r, text in e.reasons if r is rule]
            if not people:
                continue
            node = QTreeWidgetItem([_("{rule}：{n} 人").format(rule=rule_label(rule), n=len(people))])
            node.setToolTip(0, rule_title(rule))
            top.addChild(node)
            for name, why in people:
                node.addChild(QTreeWidgetItem([f"{name} — {why}"]))
    tree.expandAll()


class DispatchDialog(QDialog):
    dispatched = Signal(str)  # the record's id
    finished_work = Signal()  # a run ended, drawn or blocked (tests wait for it)

    def __init__(
        self,
        ctx: CentreContext,
        plan: Plan,
        planned: int,
        parent: QWidget | None = None,
        rules: DrawRules = LEGACY_RULES,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan = plan
        self.rules = rules
        self.outcome: DispatchOutcome | None = None
        self.setWindowTitle(_("随机抽取督导组：{title}").format(title=plan.title))
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                _(
                    "为本计划中尚无督导组的 {n} 个机构抽取督导组。种子与名册、抽取结果一并公布，"
                    "任何人可用同一种子复现；请在抽取前确定种子（例如公开摇号的结果）。"
                ).format(n=planned)
            )
        )
        form = QFormLayout()
        self.seed = QLineEdit()
        self.seed.setPlaceholderText(_("例如：2026-H2"))
        self.team_size = QSpinBox()
        # the plan's rulebook: a minimum it commands is the spin box's floor; one it sets only in
        # principle (原则上, 福建办法 第三章四) may be gone below with a reason, which is published
        least = rules.team_min_for(plan.kind)
        self.team_min = least if least is not None and rules.team_min_principle else None
        self.team_size.setRange(least if least is not None and not rules.team_min_principle else 1, 20)
        self.team_size.setValue(least or 2)
        self.team_size.setSuffix(_(" 人"))
        self.override = QLineEdit()
        self.override.setPlaceholderText(
            _("原则上每组 {n} 人及以上；少于此数须写明理由（记入公开记录）").format(n=least or 0)
        )
        self.team_size.valueChanged.connect(lambda _v: self._override_state())
        self.kind = QComboBox()
        if rules.default_kind is not None:  # e.g. 福建: the centre dispatches 外督 (第一章三)
            self.kind.addItem(_("按规则册：{kind}").format(kind=kind_name(rules.default_kind)), None)
        else:
            self.kind.addItem(_("不限"), None)
        self.kind.addItem(_("仅外督"), "external")
        self.kind.addItem(_("仅内督"), "internal")
        start = plan.starts or dt.date.today()
        box, self.has_day, self.day = optional_date(_("未定日期的机构于"), start, False)
        if plan.starts:
            self.day.setMinimumDate(QDate(plan.starts.year, plan.starts.month, plan.starts.day))
        if plan.ends:
            self.day.setMaximumDate(QDate(plan.ends.year, plan.ends.month, plan.ends.day))
        form.addRow(_("随机种子(&S)："), self.seed)
        form.addRow(_("每组人数(&N)："), self.team_size)
        form.addRow(_("督导员类别(&K)："), self.kind)
        form.addRow(_("越过“原则上”的理由(&O)："), self.override)
        form.addRow(_("督导日期："), box)
        layout.addLayout(form)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.results = QStackedWidget()
        self.teams = team_table()
        self.exclusions = QTreeWidget()
        self.exclusions.setHeaderLabels([_("被排除的督导员（按规则）")])
        self.results.addWidget(QWidget())
        self.results.addWidget(self.teams)
        self.results.addWidget(self.exclusions)
        layout.addWidget(self.results, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.draw_button = QPushButton(_("抽取并公布(&D)"))
        self.draw_button.setDefault(True)
        self.buttons.addButton(self.draw_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.draw_button.clicked.connect(self.draw)
        self.seed.textChanged.connect(lambda _t: self._override_state())
        self.override.textChanged.connect(lambda _t: self._override_state())
        self.draw_button.setEnabled(False)
        self._override_state()
        layout.addWidget(self.buttons)
        line = self.fontMetrics().height()
        self.resize(line * 52, line * 34)

    def _below_principle(self) -> bool:
        return self.team_min is not None and self.team_size.value() < self.team_min

    def _override_state(self) -> None:
        below = self._below_principle()
        self.override.setEnabled(below)
        ready = bool(self.seed.text().strip()) and (not below or bool(self.override.text().strip()))
        self.draw_button.setEnabled(ready)

    def arguments(self) -> dict[str, Any]:
        return {
            "override_reason": self.override.text().strip() if self._below_principle() else None,
            "team_size": self.team_size.value(),
            "seed": self.seed.text().strip(),
            "date": iso_of(self.day) if self.has_day.isChecked() else None,
            "kind_required": self.kind.currentData(),
        }

    def confirm(self) -> bool:
        """The record is public and can never be changed or withdrawn: say so, and say a visit
        day already past, before the one click that makes it."""
        lines = [
            _(
                "抽取结果将与种子“{seed}”、名册一并保存为公开记录，之后不能修改或撤回。确定抽取并公布？"
            ).format(seed=self.seed.text().strip())
        ]
        if self.has_day.isChecked():
            day = dt.date.fromisoformat(iso_of(self.day))
            if day < dt.date.today():
                lines.append(
                    "⚠ "
                    + _("督导日期 {day} 已经过去（今天是 {today}）。").format(
                        day=day.isoformat(), today=dt.date.today().isoformat()
                    )
                )
        if self.ctx.quiet():
            return True
        answer = QMessageBox.question(
            self,
            _("抽取并公布"),
            "\n\n".join(lines),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def draw(self) -> None:
        if not self.confirm():
            return
        self.draw_button.setEnabled(False)
        self.result_label.setText(_("正在抽取…"))
        self.ctx.worker.run(
            _("随机抽取督导组"),
            dispatch_task,
            self.ctx.data_dir(),
            self.plan.id,
            self.arguments(),
            self.ctx.user,
            on_done=self._done,
            on_error=self._refused,
            owner=self,
        )

    def _refused(self, error: InspectorError) -> None:
        # Shown in the dialog itself, beside the values to change: one message, no second box.
        self.result_label.setText(_("无法抽取：") + str(error))
        self.results.setCurrentIndex(0)
        self.draw_button.setEnabled(True)
        self.finished_work.emit()

    def _done(self, outcome: DispatchOutcome) -> None:
        self.outcome = outcome
        if outcome.record is None:
            lines = [blocked_line(b, outcome.orgs) for b in outcome.blocked]
            self.result_label.setText(
                _("无法组队，未抽取也未保存任何督导组：") + "\n" + "\n".join(f"• {x}" for x in lines)
            )
            fill_exclusions(self.exclusions, outcome.blocked, outcome.orgs)
            self.results.setCurrentWidget(self.exclusions)
            self.draw_button.setEnabled(True)
        else:
            rec = outcome.record
            self.result_label.setText(
                _("已抽取并公布：种子“{seed}”，{n} 个机构，每组 {k} 人。记录编号 {id}").format(
                    seed=rec.seed, n=len(rec.record["assignments"]), k=rec.team_size, id=rec.id
                )
            )
            self.teams.set_rows(outcome.rows)
            self.results.setCurrentWidget(self.teams)
            self.dispatched.emit(rec.id)
        self.finished_work.emit()


# -- the published record ----------------------------------------------------------------------------


def local_time(stamp: str) -> str:
    """A stored UTC time stamp as the clock on this machine read then."""
    return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Records:
    records: list[DispatchRecord]
    rows: dict[str, list[DispatchRow]]  # each record's teams by name, by record id


def load_records(progress: Callable[[int, int], None], data: Path, plan_id: str) -> Records:
    from inspector.centre.plans import dispatches

    with opened_folder(data) as db:
        records = dispatches(db, plan_id)
        return Records(records, {r.id: dispatch_rows(db, r) for r in records})


def verify_task(progress: Callable[[int, int], None], data: Path, dispatch_id: str) -> list[str]:
    from inspector.centre.plans import verify_dispatch

    with opened_folder(data) as db:
        return verify_dispatch(db, dispatch_id)


def save_records_task(progress: Callable[[int, int], None], data: Path, path: Path, plan_id: str) -> int:
    from inspector.centre.plans import dispatches
    from inspector.fileio import write_text_atomic

    with opened_folder(data) as db:
        records = [{**d.record, "id": d.id, "assignments": d.assignments} for d in dispatches(db, plan_id)]
        write_text_atomic(path, json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return len(records)


class RecordDialog(QDialog):
    loaded = Signal()
    verified = Signal(list)

    def __init__(self, ctx: CentreContext, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan = plan
        self.data: Records | None = None
        self.setWindowTitle(_("抽取公布记录：{title}").format(title=plan.title))
        layout = QVBoxLayout(self)
        self.list = Table(
            RowsModel(
                [
                    Column(_("抽取时间"), lambda d: local_time(d.created_at)),
                    Column(_("操作人"), lambda d: d.created_by),
                    Column(_("随机种子"), lambda d: d.seed),
                    Column(_("每组人数"), lambda d: d.team_size, numeric=True),
                    Column(_("机构数"), lambda d: len(d.record["assignments"]), numeric=True),
                    Column(_("名册人数"), lambda d: len(d.record["roster"]), numeric=True),
                ]
            ),
            stretch=1,
        )
        self.algorithm = hint("")
        self.algorithm.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.teams = team_table()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(pane(self.list))
        split.addWidget(pane(self.algorithm, self.teams))
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        layout.addWidget(self.verdict)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = QPushButton(_("复核：按记录重新抽取(&V)"))
        self.save_button = QPushButton(_("保存为 JSON(&S)…"))
        box.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.rejected.connect(self.reject)
        self.verify_button.clicked.connect(self.verify)
        self.save_button.clicked.connect(self.save)
        layout.addWidget(box)
        self.list.selectionModel().currentRowChanged.connect(lambda *_a: self._show())
        line = self.fontMetrics().height()
        self.resize(line * 56, line * 36)
        ctx.worker.run(
            _("读取抽取记录"),
            load_records,
            ctx.data_dir(),
            plan.id,
            on_done=self._loaded,
            owner=self,
        )

    def _loaded(self, data: Records) -> None:
        self.data = data
        self.list.set_rows(data.records)
        if not data.records:
            self.algorithm.setText(_("本计划还没有抽取记录。"))
        self._show()
        self.loaded.emit()

    def _show(self) -> None:
        rec: DispatchRecord | None = self.list.current()
        for b in (self.verify_button, self.save_button):
            b.setEnabled(rec is not None)
        if rec is None or self.data is None:
            self.teams.set_rows([])
            return
        self.algorithm.setText(_("算法：{algorithm}").format(algorithm=rec.record["algorithm"]))
        self.teams.set_rows(self.data.rows[rec.id])

    def verify(self) -> None:
        rec: DispatchRecord | None = self.list.current()
        if rec is None:
            return

        def done(problems: list[str]) -> None:
            if problems:
                self.verdict.setText(_("复核不一致：") + "；".join(problems))
            else:
                self.verdict.setText(_("复核一致：按公布的种子、名册与对象重新抽取，结果与公布的完全相同。"))
            self.verified.emit(problems)

        self.ctx.worker.run(
            _("复核抽取记录"), verify_task, self.ctx.data_dir(), rec.id, on_done=done, owner=self
        )

    def save(self) -> None:
        path = ask_save_path(self, _("保存抽取记录"), _("抽取记录.json"), _("JSON 文件 (*.json)"), ".json")
        if path is None:
            return
        self.ctx.worker.run(
            _("保存抽取记录"),
            save_records_task,
            self.ctx.data_dir(),
            path,
            self.plan.id,
            on_done=lambda n: self.verdict.setText(_("已保存 {n} 次抽取记录：{path}").format(n=n, path=path)),
            owner=self,
        )

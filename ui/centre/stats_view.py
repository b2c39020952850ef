"""统计: which requirements fail most, the distribution of scores with the pass line, and the
figures by region, category and year — each a chart (ui/centre/charts.py) above the table of the
same numbers. One rubric at a time: totals of different forms neither average nor share bins.
Counted as the core counts (inspector/centre/stats.py): inspections and re-checks, signed only unless
asked, the latest revision of an amended evaluation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QTabWidget, QWidget

from inspector.centre.register import CATEGORIES
from inspector.centre.stats import Distribution, GroupStats, ItemFailure, Statistics
from inspector.errors import StoreError
from inspector.folder import opened_folder
from inspector.i18n import _
from inspector.rubric.points import fmt
from ui.centre.charts import Chart, ChartView, Marker, Series
from ui.centre.common import (
    CentreContext,
    CentrePage,
    Column,
    RowsModel,
    Table,
    ask_save_path,
    chars,
    hint,
    pane,
)
from ui.errors import show_user_error

TOP_ITEMS = 10  # bars in the chart of failing requirements; the table lists them all


@dataclass(frozen=True)
class RubricChoice:
    id: str
    title: str
    evaluations: int
    pass_line: Decimal | None  # the least total reaching the best outcome
    pass_label: str | None


@dataclass(frozen=True)
class StatsData:
    rubrics: list[RubricChoice]
    years: list[str]
    rubric: RubricChoice | None
    stats: Statistics | None


def load_stats(
    progress: Callable[[int, int], None],
    data: Path,
    rubric_id: str | None,
    year: int | None,
    signed_only: bool,
) -> StatsData:
    from inspector.centre.stats import statistics
    from inspector.store.rubrics import get_rubric

    with opened_folder(data) as db:
        progress(0, 2)
        everything = statistics(db, signed_only=signed_only)
        choices = []
        for d in sorted(everything.distributions, key=lambda d: (-d.count, d.title)):
            rubric = get_rubric(db, d.rubric_id)
            best = rubric.outcomes[0] if rubric.outcomes else None
            line = best.min if best is not None and best.min is not None else None
            choices.append(RubricChoice(d.rubric_id, d.title, d.count, line, best.label if best else None))
        chosen = next((c for c in choices if c.id == rubric_id), None)
        if chosen is None and choices:  # the form with the most evaluations that has points at all
            scored = [c for c in choices if get_rubric(db, c.id).max_points]
            chosen = (scored or choices)[0]
        if chosen is None:
            return StatsData(choices, [], None, None)
        years = sorted((g.value for g in everything.by("year") if g.rubric_id == chosen.id), reverse=True)
        if year is not None and str(year) not in years:
            year = None
        progress(1, 2)
        stats = statistics(db, rubric_id=chosen.id, year=year, signed_only=signed_only)
        progress(2, 2)
        return StatsData(choices, years, chosen, stats)


def export_stats_task(
    progress: Callable[[int, int], None],
    data: Path,
    path: Path,
    rubric_id: str | None,
    year: int | None,
    signed_only: bool,
) -> dict[str, int]:
    from inspector.centre.stats import statistics
    from inspector.centre.workbooks import export_stats

    with opened_folder(data) as db:
        progress(0, 2)
        stats = statistics(db, rubric_id=rubric_id, year=year, signed_only=signed_only)
        progress(1, 2)
        counts = export_stats(stats, path)
        progress(2, 2)
        return counts


def percent(d: Decimal | None) -> str | None:
    return None if d is None else f"{fmt((d * 100).quantize(Decimal('0.1')))}%"


def failures_chart(items: list[ItemFailure]) -> Chart:
    top = items[:TOP_ITEMS]
    top = [i for i in top if i.failed]
    return Chart(
        kind="hbar",
        title=_("失分最多的要求（前 {n} 项）").format(n=len(top)),
        categories=tuple(f"{i.item_id} {i.text}" for i in top),
        series=(
            Series(
                _("失分次数"),
                tuple(float(i.failed) for i in top),
                tuple(_("{n} 次（{rate}）").format(n=i.failed, rate=percent(i.rate)) for i in top),
            ),
        ),
        value_title=_("失分次数（括号内为失分率）"),
        empty_text=_("所选范围内没有失分的小项"),
        tips=tuple(f"{i.item_id} {i.text}\n{i.section} · {i.group}" for i in top),
    )


def histogram_chart(d: Distribution | None, choice: RubricChoice) -> Chart:
    if d is None or not d.max_points:
        return Chart("histogram", _("分数分布"), (), (), empty_text=_("该评估表不计分，没有分数分布"))
    labels = [label for label, _n in d.bins]
    edges = tuple([label.split("–")[0] for label in labels] + [labels[-1].split("–")[1]])
    marker = None
    if choice.pass_line is not None:
        marker = Marker(
            float(choice.pass_line / d.max_points),
            _("{label}线 {points} 分").format(label=choice.pass_label, points=fmt(choice.pass_line)),
        )
    return Chart(
        kind="histogram",
        title=_("分数分布：{n} 次评估，平均 {mean}，中位数 {median}").format(
            n=d.count,
            mean=fmt(d.mean) if d.mean is not None else "—",
            median=fmt(d.median) if d.median is not None else "—",
        ),
        categories=tuple(labels),
        series=(Series(_("评估次数"), tuple(float(n) for _label, n in d.bins)),),
        value_title=_("评估次数"),
        edges=edges,
        marker=marker,
        empty_text=_("所选范围内没有评估"),
    )


def group_name(g: GroupStats) -> str:
    if not g.value:
        return _("（未填）")
    if g.key == "category":
        return f"{g.value} {CATEGORIES.get(g.value, '')}".strip()
    return g.value


def groups_chart(groups: list[GroupStats], key_title: str, choice: RubricChoice) -> Chart:
    series = [Series(_("评估次数"), tuple(float(g.evaluations) for g in groups))]
    if groups and groups[0].passed is not None:
        series.append(
            Series(
                _("达到“{label}”").format(label=choice.pass_label),
                tuple(float(g.passed or 0) for g in groups),
            )
        )
    series.append(Series(_("有否决项"), tuple(float(g.vetoed) for g in groups)))
    return Chart(
        kind="grouped",
        title=_("按{key}").format(key=key_title),
        categories=tuple(group_name(g) for g in groups),
        series=tuple(series),
        value_title=_("评估次数"),
        empty_text=_("所选范围内没有评估"),
        tips=tuple(
            _("{name}：平均 {mean} 分").format(
                name=group_name(g), mean=fmt(g.mean) if g.mean is not None else "—"
            )
            for g in groups
        ),
    )


def item_columns() -> list[Column[ItemFailure]]:
    return [
        Column(_("小项"), lambda i: i.item_id),
        Column(_("内容"), lambda i: i.text, tip=lambda i: f"{i.section} · {i.group}\n{i.text}"),
        Column(_("失分次数"), lambda i: i.failed, numeric=True),
        Column(_("评估次数"), lambda i: i.evaluated, numeric=True),
        Column(_("失分率"), lambda i: percent(i.rate), numeric=True),
        Column(_("失分合计"), lambda i: fmt(i.points_lost), numeric=True),
        Column(_("满分"), lambda i: fmt(i.max_points), numeric=True),
    ]


def group_columns() -> list[Column[GroupStats]]:
    return [
        Column(_("分组"), group_name),
        Column(_("评估次数"), lambda g: g.evaluations, numeric=True),
        Column(_("平均分"), lambda g: fmt(g.mean) if g.mean is not None else None, numeric=True),
        Column(_("达到最好结论"), lambda g: g.passed, numeric=True),
        Column(_("比例"), lambda g: percent(g.pass_rate), numeric=True),
        Column(_("有否决项"), lambda g: g.vetoed, numeric=True),
    ]


def chart_tab(chart: ChartView, table: Table, note: QLabel | None = None) -> QWidget:
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(chart)
    split.addWidget(pane(*(w for w in (note, table) if w is not None)))
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    split.setChildrenCollapsible(False)
    return split


class StatsPage(CentrePage):
    title_text = _("统计")

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__(ctx)
        self.data: StatsData | None = None
        self.rubric = QComboBox()
        self.rubric.setMinimumWidth(chars(self, 18))
        self.rubric.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year = QComboBox()
        self.year.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.unsigned = QCheckBox(_("包括未签署(&U)"))
        rubric_label, year_label = QLabel(_("评估表(&B)：")), QLabel(_("年度(&Y)："))
        rubric_label.setBuddy(self.rubric)
        year_label.setBuddy(self.year)
        for w in (rubric_label, self.rubric, year_label, self.year, self.unsigned):
            self.tools.addWidget(w)
        self.rubric.activated.connect(lambda _i: self.reload())
        self.year.activated.connect(lambda _i: self.reload())
        self.unsigned.toggled.connect(lambda _c: self.reload())
        self.tools.addStretch(1)
        self.image_button = self.button(
            _("保存图表(&I)…"), self.save_image, _("当前图表存为 PNG，可插入报告或打印")
        )
        self.export_button = self.button(_("导出 .xlsx(&X)…"), self.export_workbook)
        self.summary = hint("")
        self.layout_.addWidget(self.summary)

        self.failures_chart, self.histogram, self.groups_view = ChartView(), ChartView(), ChartView()
        self.items = Table(RowsModel(item_columns()), stretch=1)
        self.vetoes_note = hint("")
        self.bins = Table(
            RowsModel(
                [Column(_("分数段"), lambda b: b[0]), Column(_("评估次数"), lambda b: b[1], numeric=True)]
            ),
            stretch=0,
        )
        self.key = QComboBox()
        for key, title in (("region", _("地区")), ("category", _("类别")), ("year", _("年度"))):
            self.key.addItem(title, key)
        self.key.activated.connect(lambda _i: self._show_groups())
        key_label = QLabel(_("分组(&G)："))
        key_label.setBuddy(self.key)
        self.groups = Table(RowsModel(group_columns()), stretch=0)
        self.tabs = QTabWidget()
        self.tabs.addTab(chart_tab(self.failures_chart, self.items, self.vetoes_note), _("失分最多的要求"))
        self.tabs.addTab(chart_tab(self.histogram, self.bins), _("分数分布"))
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(key_label)
        row.addWidget(self.key)
        row.addStretch(1)
        groups_box = pane(bar, self.groups)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.groups_view)
        split.addWidget(groups_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.tabs.addTab(split, _("按地区 / 类别 / 年度"))
        self.layout_.addWidget(self.tabs, 1)
        self.charts = (self.failures_chart, self.histogram, self.groups_view)

    # -- loading ------------------------------------------------------------------------------------
    def scope(self) -> tuple[str | None, int | None, bool]:
        year = self.year.currentData()
        return self.rubric.currentData(), int(year) if year else None, not self.unsigned.isChecked()

    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        return _("计算统计"), load_stats, self.scope()

    def show_data(self, data: StatsData) -> None:
        self.data = data
        wanted_year = self.year.currentData()
        self.rubric.clear()
        for c in data.rubrics:
            self.rubric.addItem(_("{title}（{n} 次）").format(title=c.title, n=c.evaluations), c.id)
        self.year.clear()
        self.year.addItem(_("全部年度"), None)
        for y in data.years:
            self.year.addItem(y, y)
        self.export_button.setEnabled(data.stats is not None)
        self.image_button.setEnabled(data.stats is not None)
        if data.rubric is None or data.stats is None:
            self.summary.setText(_("没有可统计的评估（统计只计检查和复查，默认只计已签署的）。"))
            empty = Chart("hbar", _("统计"), (), (), empty_text=_("暂无数据"))
            for view in self.charts:
                view.set_chart(empty)
            for table in (self.items, self.bins, self.groups):
                table.set_rows([])
            return
        self.rubric.setCurrentIndex(self.rubric.findData(data.rubric.id))
        if wanted_year in data.years:
            self.year.setCurrentIndex(self.year.findData(wanted_year))
        s = data.stats
        scope = _("已签署的") if s.signed_only else _("全部（含未签署）")
        self.summary.setText(
            _("{rubric}：计入{scope}检查和复查 {n} 次{year}。").format(
                rubric=data.rubric.title,
                scope=scope,
                n=s.evaluations,
                year=_("（{y} 年）").format(y=s.year) if s.year else "",
            )
        )
        self.vetoes_note.setText(
            _("否决项：")
            + "；".join(
                _("{id} {text} {n} 次").format(id=v.veto_id, text=v.text, n=v.count) for v in s.vetoes
            )
            if s.vetoes
            else _("否决项：无")
        )
        self.failures_chart.set_chart(failures_chart(s.items))
        self.items.set_rows(s.items)
        dist = s.distributions[0] if s.distributions else None
        self.histogram.set_chart(histogram_chart(dist, data.rubric))
        self.bins.set_rows(list(dist.bins) if dist else [])
        self._show_groups()

    def _show_groups(self) -> None:
        if self.data is None or self.data.stats is None or self.data.rubric is None:
            return
        key = self.key.currentData()
        groups = self.data.stats.by(key)
        self.groups_view.set_chart(groups_chart(groups, self.key.currentText(), self.data.rubric))
        self.groups.set_rows(groups)

    def focus_first(self) -> None:
        self.items.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- output -------------------------------------------------------------------------------------
    def current_chart(self) -> ChartView:
        return self.charts[self.tabs.currentIndex()]

    def save_image(self) -> None:
        view = self.current_chart()
        if view.chart is None:
            return
        path = ask_save_path(
            self,
            _("保存图表"),
            _("{title}.png").format(title=view.chart.title[:20]),
            _("PNG 图片 (*.png)"),
            ".png",
        )
        if path is None:
            return
        # Rendered here (painting belongs to the GUI thread); a chart is a few hundred thousand pixels.
        # The format comes from the .png suffix (ask_save_path adds it).
        if view.render_image().save(str(path)):
            self.status.emit(_("已保存图表：{path}").format(path=path))
        else:
            show_user_error(self, StoreError(_("无法写入图片文件"), str(path)))

    def export_workbook(self) -> None:
        rubric, year, signed_only = self.scope()
        self.export(_("导出统计"), _("统计.xlsx"), export_stats_task, rubric, year, signed_only)

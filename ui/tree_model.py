"""The rubric as a tree: 大项 (sections) → 中项 (groups) → 小项 (items), with progress and points.

Columns: the name, the points (section subtotal and item points, from the session's report) and
the progress or marks (answered/all for sections and groups; for items: unanswered ○, override ⚑,
not applicable ⊘, conflict ⚠, differs from the self-assessment ≠, rectified ✓ or not ✗ on a
re-check, a deduction lacking the evidence its rubric requires ！, and the evidence count 证n: a
character a reader knows at a glance, where ▣ drew a dot at the tree's size).
Marks are symbols (explained in the tooltip and the legend), never colour alone. The model does
no arithmetic on points: it shows the report's numbers.

A ``QStandardItemModel`` kept in step with the session, rather than a Python
``QAbstractItemModel``: a view asks a dozen roles of every visible cell on every paint, and each
question answered in Python costs a crossing from C++ (measured: 34 ms to paint the tree that
way, against a few ms with the data held in C++). A change touches only its item's row, its
group's and the section totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel

from inspector.i18n import _
from inspector.rubric.comparison import NOT_RECTIFIED, RECTIFIED
from inspector.rubric.model import Group, Section
from inspector.rubric.points import fmt
from ui.session import EvaluationSession

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2

CONFLICT_COLOUR = QColor("#b3261e")
OVERRIDE_COLOUR = QColor("#9a5b00")
MUTED_COLOUR = QColor("#6b6b6b")
RECTIFIED_COLOUR = QColor("#1b6e20")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def legend_entries() -> list[str]:
    """Each mark with its word ("○ 未评"): a legend wraps between entries, never inside one."""
    return list(
        [
            "○ " + _("未评"),
            "⚑ " + _("人工调整"),
            "⊘ " + _("不适用"),
            "⚠ " + _("冲突"),
            "≠ " + _("与自评不同"),
            "✓ " + _("已整改"),
            "✗ " + _("未整改"),
            "？ " + _("待核实"),
            "！ " + _("缺要求的证据"),
            _("证") + "n " + _("证据个数"),
        ]
    )


def legend() -> str:
    return "　".join(legend_entries())


@dataclass
class _Row:
    cells: list[QStandardItem]
    items: list[str]  # the items under a section or group (just itself for an item)


def _cells(kind: str, item_id: str | None = None) -> list[QStandardItem]:
    cells = [QStandardItem() for _n in range(3)]
    for cell in cells:
        cell.setEditable(False)
        cell.setData(kind, KIND_ROLE)
        if item_id is not None:
            cell.setData(item_id, ITEM_ID_ROLE)
    cells[1].setTextAlignment(RIGHT)
    return cells


class RubricTreeModel(QStandardItemModel):
    def __init__(self, session: EvaluationSession) -> None:
        super().__init__(0, 3)
        self.session = session
        self.setHorizontalHeaderLabels([_("评估项目"), _("得分"), _("进度")])
        self.sections: dict[str, tuple[Section, _Row]] = {}
        self.groups: list[tuple[Group, str, _Row]] = []
        self.group_of: dict[str, int] = {}
        self.rows: dict[str, _Row] = {}
        bold = QFont()
        bold.setBold(True)
        root = self.invisibleRootItem()
        for s in session.rubric.sections:
            srow = _Row(_cells("section"), [])
            for cell in srow.cells:
                cell.setFont(bold)
            root.appendRow(srow.cells)
            self.sections[s.code] = (s, srow)
            for g in s.groups:
                grow = _Row(_cells("group"), [])
                srow.cells[0].appendRow(grow.cells)
                grow.cells[0].setText(g.label)
                grow.cells[1].setText(fmt(g.points) if g.points is not None else "")
                self.groups.append((g, s.code, grow))
                for item in g.items:
                    row = _Row(_cells("item", item.id), [item.id])
                    row.cells[0].setText(f"{item.id} {item.text}")
                    grow.cells[0].appendRow(row.cells)
                    self.rows[item.id] = row
                    self.group_of[item.id] = len(self.groups) - 1
                    grow.items.append(item.id)
                    srow.items.append(item.id)
        self.refresh_all()
        session.changed.connect(self._changed)

    def index_of(self, item_id: str, column: int = 0) -> QModelIndex:
        return self.rows[item_id].cells[column].index()

    # -- contents -------------------------------------------------------------------------------
    def _answered(self, items: list[str]) -> int:
        results = self.session.results
        return sum(1 for i in items if results[i].answered)

    def marks(self, item_id: str) -> list[tuple[str, str, QColor | None]]:
        """(symbol, meaning, colour) of an item's marks."""
        s = self.session
        r = s.results[item_id]
        marks: list[tuple[str, str, QColor | None]] = []
        if s.conflict(item_id):
            marks.append(("⚠", _("冲突"), CONFLICT_COLOUR))
        if not r.answered:
            marks.append(("○", _("未评"), MUTED_COLOUR))
        if r.override:
            marks.append(("⚑", _("人工调整"), OVERRIDE_COLOUR))
        if r.na:
            marks.append(("⊘", _("不适用"), MUTED_COLOUR))
        comparison = s.self_result(item_id)
        if comparison is not None and comparison.differs:
            marks.append(("≠", _("与自评不同"), OVERRIDE_COLOUR))
        if item_id in s.flags:
            marks.append(("？", _("待核实"), CONFLICT_COLOUR))
        lacks = s.missing_evidence(item_id)
        if lacks:
            marks.append(("！", lacks, CONFLICT_COLOUR))
        rect = s.rectified(item_id)
        if rect == RECTIFIED:
            marks.append(("✓", _("已整改"), RECTIFIED_COLOUR))
        elif rect == NOT_RECTIFIED:
            marks.append(("✗", _("未整改"), CONFLICT_COLOUR))
        return marks

    def _refresh_item(self, item_id: str) -> None:
        item = self.session.item(item_id)
        r = self.session.results[item_id]
        name, points, marks_cell = self.rows[item_id].cells
        marks = self.marks(item_id)
        tip = [f"{item.id} {item.text}"]
        if r.reason:
            tip.append(r.reason)
        tip += [f"{symbol} {meaning}" for symbol, meaning, _c in marks]
        if r.irregular:  # a mark the form disallows: no points shown, only the mark and why
            tip.append(_("评估表不允许的记录：{why}").format(why=r.irregular))
        name.setToolTip("\n".join(tip))
        points.setToolTip(tip[-1] if r.irregular else "")
        if r.irregular and item.rule.scored:
            points.setText(f"—/{fmt(r.max_points)}")
            points.setForeground(QBrush(CONFLICT_COLOUR))
        elif not item.rule.scored:  # a record form's line: what was recorded, not 0/0
            unmet = r.answered and not r.na and bool(r.reason)
            points.setText(
                "—" if not r.answered else _("不适用") if r.na else _("不符合") if unmet else _("符合")
            )
            points.setForeground(QBrush(CONFLICT_COLOUR) if unmet else QBrush())
        else:
            points.setText(f"{fmt(r.points) if r.answered else '—'}/{fmt(r.max_points)}")
            points.setForeground(QBrush(MUTED_COLOUR) if not r.answered else QBrush())
        colours = [c for _s, _t, c in marks if c is not None]
        count = self.session.evidence_count(item_id)
        if count:  # after the colours: a count is not a warning
            marks.append((_("证") + str(count), _("证据 {n} 个").format(n=count), None))
        marks_cell.setText("".join(symbol for symbol, _t, _c in marks))
        marks_cell.setForeground(QBrush(colours[0]) if colours else QBrush())
        marks_cell.setToolTip("\n".join(f"{symbol} {meaning}" for symbol, meaning, _c in marks))

    def _refresh_group(self, index: int) -> None:
        _g, _code, row = self.groups[index]
        row.cells[2].setText(f"{self._answered(row.items)}/{len(row.items)}")

    def _refresh_sections(self) -> None:
        results = {r.code: r for r in self.session.report.sections}
        # a section holding a mark the form disallows has no sum, as the evaluation has no total
        disallowed = {self.session.locate(i.id)[0].code for i in self.session.report.irregular}
        for code, (section, row) in self.sections.items():
            owners = self.session.owners(code)
            title = f"{section.code} {section.title}" + (_("（加分）") if section.bonus else "")
            row.cells[0].setText(title + (f" · {'、'.join(owners)}" if owners else ""))
            row.cells[0].setToolTip(
                _("负责：{names}").format(names="、".join(owners)) if owners else section.title
            )
            r = results[code]
            if self.session.rubric.scored and code in disallowed:
                row.cells[1].setText(f"—/{fmt(r.max_points)}")
            elif self.session.rubric.scored:
                row.cells[1].setText(f"{fmt(r.points)}/{fmt(r.max_points)}")
            else:
                unmet = sum(
                    1
                    for i in row.items
                    if self.session.results[i].answered and self.session.results[i].reason
                )
                row.cells[1].setText(_("不符合 {n}").format(n=unmet) if unmet else "")
            row.cells[2].setText(f"{self._answered(row.items)}/{len(row.items)}")

    def refresh_all(self) -> None:
        for item_id in self.rows:
            self._refresh_item(item_id)
        for n in range(len(self.groups)):
            self._refresh_group(n)
        self._refresh_sections()

    def _changed(self, ids: tuple[str, ...]) -> None:
        if not ids:  # reload or team change
            self.refresh_all()
            return
        for item_id in ids:
            if item_id in self.rows:  # not a veto
                self._refresh_item(item_id)
                self._refresh_group(self.group_of[item_id])
        self._refresh_sections()  # subtotals, bonus caps: a handful of rows

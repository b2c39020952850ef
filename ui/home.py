"""Home: the visits in this data folder, by phase (to do, in progress, complete, signed), with
search; Enter or a double click opens one where its work stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from ui.models.evaluations_model import (
    ID_ROLE,
    PHASES,
    PROGRESS_ROLE,
    EvaluationsFilter,
    EvaluationsModel,
    HomeRow,
    phase_label,
)
from ui.shortcuts import PROPOSE_KEY, shown

if TYPE_CHECKING:
    from ui.station_register import StationRegister


class ProgressDelegate(QStyledItemDelegate):
    """Answered/all as text with a thin bar under it (a full progress bar crowds the numbers)."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        answered, items = index.data(PROGRESS_ROLE)
        rect = option.rect
        height = max(3, rect.height() // 10)
        left, width = rect.left() + 4, rect.width() - 8
        y = rect.bottom() - height - 2
        painter.save()
        painter.fillRect(left, y, width, height, QColor("#dadce0"))
        if items:
            done = QColor("#1b6e20") if answered >= items else QColor("#1a73e8")
            painter.fillRect(left, y, width * answered // items, height, done)
        painter.restore()


class _Table(QTableView):
    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter opens (the view emits activated); keep it from travelling up to the window
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class _Search(QLineEdit):
    down = Signal()
    enter = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter.emit()
            return
        super().keyPressEvent(event)


class HomePage(QWidget):
    open_requested = Signal(str)
    #: an action offered on the empty home: "new", "import", "demo" (the window's menu entries)
    action_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        title = QLabel(_("我的评估"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.station = QLabel()  # a station's folder: its request and deadline (issue 19)
        self.station.setWordWrap(True)
        self.station.hide()
        layout.addWidget(self.station)
        # a station's register entry and its corrections (issue 19): made when a station's folder
        # shows it (ui/station_register.py), in this place of the layout; the other folders (an
        # inspector's laptop, the centre) never build its two tables, nor before the first paint
        self._register: StationRegister | None = None
        self._register_at = layout.count()
        propose = QShortcut(QKeySequence(PROPOSE_KEY), self)  # anywhere on this page, not only the panel
        propose.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        propose.activated.connect(self._propose)
        bar = QHBoxLayout()
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for _phase in (None, *PHASES):
            self.tabs.addTab("")
        self.tabs.currentChanged.connect(self._phase_changed)
        bar.addWidget(self.tabs)
        bar.addStretch(1)
        self.search = _Search()
        self.search.setPlaceholderText(_("搜索机构、评估表、日期…") + f"  ({shown('search')})")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        self.search.textChanged.connect(self._search)
        self.search.down.connect(self._to_table)
        self.search.enter.connect(self._search_enter)
        bar.addWidget(self.search)
        layout.addLayout(bar)

        self.model = EvaluationsModel()
        self.proxy = EvaluationsFilter()
        self.proxy.setSourceModel(self.model)
        self.table = _Table()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(
            EvaluationsModel.COLUMNS.index("progress"), ProgressDelegate(self.table)
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(int(self.fontMetrics().height() * 2.2))
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)
        self.empty = QLabel()
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        self.empty_actions = QWidget()  # what to do on an empty folder: buttons, not commands
        actions = QHBoxLayout(self.empty_actions)
        actions.setContentsMargins(0, 0, 0, 0)
        for key, label in (
            ("new", _("新建评估（含本站自查自评）…")),
            ("import", _("导入数据包（U 盘）…")),
            ("demo", _("填入示例数据，先看看")),
            # the first-run question again, once answered "later": the centre's CA has no other button
            ("roles", _("这台电脑做什么用…（指导中心、督导员、鉴定站）")),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _c=False, k=key: self.action_requested.emit(k))
            actions.addWidget(button)
        actions.addStretch(1)
        self.empty_actions.hide()
        layout.addWidget(self.empty_actions)
        hint = QLabel(
            _(
                "↑↓ 选择，Enter 打开（从上次停下的小项继续）；"
                "{search} 搜索；Ctrl+1…5 按状态筛选；{help} 快捷键"
            ).format(search=shown("search"), help=shown("help"))
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        for n in range(5):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=n: self.tabs.setCurrentIndex(n))
        self._update_tabs()

    @property
    def register(self) -> StationRegister:
        if self._register is None:
            from ui.station_register import StationRegister

            self._register = StationRegister()
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(self._register_at, self._register)
        return self._register

    def _propose(self) -> None:
        if self._register is not None and self._register.isVisible():
            self._register.ask()

    def load_register(self, db: Any, org_id: str | None, user: str | None) -> None:
        """A station's register panel (:meth:`StationRegister.load`); nothing is made for a folder
        that is not a station's."""
        if org_id is None and self._register is None:
            return
        self.register.load(db, org_id, user)

    def set_station(self, status: dict[str, Any] | None) -> None:
        """Show a station's request: the plan, the deadline with its clause, what to do next."""
        if status is None:
            self.station.hide()
            return
        src = status.get("deadline_source") or {}
        due = (
            _("截止日期：{day}（{doc} {art}：“{quote}”）").format(
                day=status["deadline"],
                doc=src.get("document", ""),
                art=src.get("article", ""),
                quote=src.get("quote", ""),
            )
            if status.get("deadline")
            else _("本次自评通知未设截止日期")
        )
        state = status.get("eval_state")
        step = {
            None: _("按 {key} 开始填写本站的自查自评").format(key=shown("new_evaluation")),
            "open": _("填写完毕后签署，再用“文件 → 导出数据包”发给中心"),
            "signed": _("已签署：用“文件 → 导出数据包”发给中心"),
        }.get(state, "")
        late = ("⚠ " + _("已逾期") + "  ") if status.get("overdue") else ""
        self.station.setText(
            _("鉴定站（所）自评：{org} — {plan}").format(org=status["org_name"], plan=status["plan_title"])
            + "\n"
            + late
            + due
            + "\n"
            + step
        )
        self.station.show()

    def set_rows(self, rows: list[HomeRow]) -> None:
        current = self.selected_id()
        self.model.set_rows(rows)
        self._update_tabs()
        self._update_empty()
        if current:
            self.select(current)
        elif self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def select(self, eval_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ID_ROLE) == eval_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.proxy.index(row, 0))
                return

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.selectRow(0)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _to_table(self) -> None:
        self.focus_list()

    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_empty()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _phase_changed(self, index: int) -> None:
        self.proxy.set_phase(None if index <= 0 else PHASES[index - 1])
        self._update_empty()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _update_tabs(self) -> None:
        counts = {p: 0 for p in PHASES}
        for r in self.model.rows:
            counts[r.phase] += 1
        self.tabs.setTabText(0, _("全部 {n}").format(n=len(self.model.rows)))
        for k, phase in enumerate(PHASES, 1):
            self.tabs.setTabText(k, f"{phase_label(phase)} {counts[phase]}")

    def _update_empty(self) -> None:
        if not self.model.rows:
            self.empty.setText(
                _(
                    "这个数据文件夹里还没有评估。评估任务由中心下发（导入数据包）；本站自查自评可直接新建；也可先填入示例数据看看。"
                )
            )
        elif not self.proxy.rowCount():
            self.empty.setText(_("没有符合条件的评估。"))
        self.empty.setVisible(not self.proxy.rowCount())
        self.empty_actions.setVisible(not self.model.rows)

    def _search_enter(self) -> None:
        """Enter in the search: one match opens at once; several, the list takes the keys."""
        if self.proxy.rowCount() == 1:
            self._activated(self.proxy.index(0, 0))
        else:
            self._to_table()

    def _activated(self, index: QModelIndex) -> None:
        eval_id = index.data(ID_ROLE)
        if eval_id:
            self.open_requested.emit(eval_id)

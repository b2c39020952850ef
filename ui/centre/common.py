"""What the centre's views share: a table model over the core's typed rows, the page frame
(loading on the worker, exports through a file dialog), and small helpers.

Every page shows plain rows the core returns (frozen dataclasses, dicts); it keeps no state of
the domain itself. Loads and writes run on the worker on a connection of their own
(:func:`inspector.folder.opened_folder`), the window's status bar shows their progress.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.fileio import saved_beside_message
from inspector.i18n import _
from ui.errors import show_user_error
from ui.qt_compat import rows_filter_change
from ui.worker import Worker

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ALARM = QColor("#b3261e")
DASH = "—"


def text(value: Any) -> str:
    """A cell as the user reads it: blanks as a dash, numbers without trailing zeros."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    get: Callable[[T], Any]
    numeric: bool = False
    tip: Callable[[T], str | None] | None = None
    #: drawn in red and bold (and the text itself says why: colour is never the only sign)
    alarm: Callable[[T], bool] | None = None


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of one type, one column per :class:`Column`; ``ROW_ROLE`` gives the row itself."""

    def __init__(self, columns: Sequence[Column[T]]) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(column.get(row))
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            value = column.get(row)
            if column.numeric:
                return float(value) if value is not None else float("-inf")
            return text(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip(row) if column.tip else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column.alarm is not None and column.alarm(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return ALARM
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None


class SearchFilter(QSortFilterProxyModel):
    """Keeps the rows whose cells contain every word typed (any order, any case)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_search(self, value: str) -> None:
        with rows_filter_change(self):
            self.words = value.casefold().split()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.words:
            return True
        model = self.sourceModel()
        cells = " ".join(
            str(model.index(source_row, c, source_parent).data()) for c in range(model.columnCount())
        ).casefold()
        return all(w in cells for w in self.words)


class Table(QTableView):
    """A read-only, sortable table; Enter activates the current row like a double click."""

    def __init__(self, model: RowsModel[Any], *, stretch: int | None = None) -> None:
        super().__init__()
        self.rows_model = model
        self.proxy = SearchFilter()
        self.proxy.setSourceModel(model)
        self.setModel(self.proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(int(self.fontMetrics().height() * 1.7))
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The spare width goes to a text column (the last one unless told): a stretched column of
        # numbers would push them far from their labels.
        if stretch is None:
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.setTabKeyNavigation(False)  # Tab leaves the table: the buttons are one key away

    def set_rows(self, rows: Sequence[Any]) -> None:
        current = self.current()
        self.rows_model.set_rows(rows)
        self.fit()
        if current is not None and current in self.rows_model.rows:
            self.select(lambda r: r == current)
        elif self.proxy.rowCount():
            self.selectRow(0)

    def fit(self, widest: int = 34) -> None:
        """Columns as wide as their content, none wider than ``widest`` characters (the rest elided)."""
        self.resizeColumnsToContents()
        cap = self.fontMetrics().horizontalAdvance("中") * widest
        for c in range(self.rows_model.columnCount()):
            if self.columnWidth(c) > cap:
                self.setColumnWidth(c, cap)

    def current(self) -> Any:
        index = self.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def select(self, match: Callable[[Any], bool]) -> bool:
        for row in range(self.proxy.rowCount()):
            if match(self.proxy.index(row, 0).data(ROW_ROLE)):
                self.selectRow(row)
                self.scrollTo(self.proxy.index(row, 0))
                return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


@dataclass
class CentreContext:
    """What a page needs from the window: worker, data folder, user, a way to open an evaluation."""

    worker: Worker
    data_dir: Callable[[], Path]
    user: str | None
    open_evaluation: Callable[[str], Any]
    quiet: Callable[[], bool] = lambda: False  # --screenshot: nobody to answer a message box


_NOT_IN_NAMES = str.maketrans({c: "_" for c in '\\/:*?"<>|'})


def ask_save_path(parent: QWidget, title: str, suggested: str, kind: str, suffix: str) -> Path | None:
    """The file to write, from the platform's save dialog (in the home folder at first); the
    suffix added when left off.

    ``suggested`` is a file name made from users' text (a plan's title): a "/" would be a folder
    and Windows refuses more, so those characters become "_".
    """
    start = Path.home() / suggested.translate(_NOT_IN_NAMES)
    name, _chosen = QFileDialog.getSaveFileName(parent, title, str(start), kind)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def ask_open_path(parent: QWidget, title: str, folder: Path, kind: str) -> Path | None:
    name, _chosen = QFileDialog.getOpenFileName(parent, title, str(folder), kind)
    return Path(name) if name else None


def xlsx_kind() -> str:
    return _("Excel 工作簿 (*.xlsx)")


class DeskButton(QPushButton):
    """A page's tool button that a desk's grants may grey out, whatever the page's own state says
    (the page's ``setEnabled`` says what it would allow; the grants have the last word)."""

    def __init__(self, label: str, area: str | None = None) -> None:
        super().__init__(label)
        self.area = area
        self.allowed = True
        self._wanted = True
        self._tip = ""

    def setEnabled(self, enabled: bool) -> None:
        self._wanted = enabled
        super().setEnabled(enabled and self.allowed)

    def allow(self, allowed: bool, why: str) -> None:
        if self.allowed and not allowed:
            self._tip = self.toolTip()
            self.setToolTip("\n".join(t for t in (self._tip, "⚠ " + why) if t))
        elif allowed and not self.allowed:
            self.setToolTip(self._tip)
        self.allowed = allowed
        super().setEnabled(self._wanted and allowed)


class CentrePage(QWidget):
    """A centre view: a title, a tool row, the content; data loaded on the worker when shown.

    Subclasses give :meth:`loader` (the worker's function and its arguments) and :meth:`show_data`.
    ``loaded`` is emitted once the data is on screen (tests and ``--screenshot`` wait for it).
    """

    loaded = Signal()
    status = Signal(str)
    failed = Signal(str)
    title_text = ""

    def __init__(self, ctx: CentreContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._generation = 0
        self.more_to_load = False  # show_data started a second read (the selected row's details)
        self._running = 0  # tasks of this page's (run) on the worker, not yet done
        self._stale = False  # another connection committed while one ran: reload once it is done
        self.layout_ = QVBoxLayout(self)
        title = QLabel(self.title_text)
        title.setObjectName("pageTitle")
        self.layout_.addWidget(title)
        self.tools = QHBoxLayout()
        self.layout_.addLayout(self.tools)
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.reload)

    # -- building helpers ---------------------------------------------------------------------------
    def button(
        self, label: str, slot: Callable[[], Any], tip: str = "", area: str | None = None
    ) -> QPushButton:
        """A tool button; ``area``: what it changes (store/desk_grants.py AREAS), greyed out at a desk
        whose server grants do not cover it."""
        b = DeskButton(label, area)
        b.clicked.connect(lambda _checked=False: slot())
        if tip:
            b.setToolTip(tip)
        self.tools.addWidget(b)
        return b

    def gate(self, button: QPushButton, area: str) -> None:
        """Mark a button made by :meth:`button` as changing ``area``."""
        assert isinstance(button, DeskButton)
        button.area = area

    def apply_grants(self, grants: Any) -> None:
        """Grey out what this desk's database user may not change (a courtesy: the server's grants
        are the enforcement, and a refusal is still one message)."""
        for b in self.findChildren(DeskButton):
            if b.area is not None:
                b.allow(grants.may(b.area), grants.why_not(b.area))

    def search_box(self, table: Table) -> QLineEdit:
        box = QLineEdit()
        box.setPlaceholderText(_("筛选…"))
        box.setClearButtonEnabled(True)
        box.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 18)
        box.textChanged.connect(table.proxy.set_search)
        box.returnPressed.connect(lambda: table.setFocus(Qt.FocusReason.OtherFocusReason))
        return box

    # -- loading ------------------------------------------------------------------------------------
    def loader(self) -> tuple[str, Callable[..., Any], tuple[Any, ...]]:
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        label, fn, args = self.loader()
        self.ctx.worker.run(
            label,
            fn,
            self.ctx.data_dir(),
            *args,
            on_done=lambda data: self._loaded(generation, data),
            on_error=self._load_failed,
            owner=self,
        )

    def _loaded(self, generation: int, data: Any) -> None:
        if generation != self._generation:  # an older load finishing after a newer one began
            return
        self.more_to_load = False
        self.show_data(data)
        if not self.more_to_load:  # else the page emits ``loaded`` once the rest is in
            self.loaded.emit()

    def _load_failed(self, error: InspectorError) -> None:
        self.failed.emit(str(error))
        if not self.ctx.quiet():
            show_user_error(self, error)

    def focus_first(self) -> None:
        """Where the keyboard starts when the page is shown."""

    # -- writing ------------------------------------------------------------------------------------
    def run(
        self,
        label: str,
        fn: Callable[..., Any],
        *args: Any,
        done: Callable[[Any], None],
        error: Callable[[InspectorError], None] | None = None,
    ) -> None:
        """``fn(progress, data_dir, *args)`` on the worker; ``done`` with its result on this thread."""
        failed = error or (lambda e: show_user_error(self, e))
        self._running += 1

        def finished(result: Any) -> None:
            self._running -= 1
            done(result)
            self._catch_up()

        def refused(e: InspectorError) -> None:
            self._running -= 1
            failed(e)
            self._catch_up()

        self.ctx.worker.run(
            label, fn, self.ctx.data_dir(), *args, on_done=finished, on_error=refused, owner=self
        )

    def committed_elsewhere(self) -> None:
        """Another connection committed (another desk, the command line, or this page's own task on
        its worker connection): show the store as it is now, unless a task of this page is still
        running, whose end shows it (a load begun before that task ends would show the past)."""
        self._stale = True
        self._catch_up()

    def _catch_up(self) -> None:
        if self._stale and self._running == 0:
            self._stale = False
            self.reload()

    def export(self, title: str, suggested: str, fn: Callable[..., dict[str, int]], *args: Any) -> None:
        """Ask where, then write the workbook on the worker; the status bar says how many rows."""
        path = ask_save_path(self, title, suggested, xlsx_kind(), ".xlsx")
        if path is None:
            return

        def done(counts: dict[str, int]) -> None:
            written: Path = getattr(counts, "path", path)  # beside it when Excel held the file open
            message = _("已导出：{path}（{n} 行）").format(path=written, n=sum(counts.values()))
            if written != path:
                message += "（" + saved_beside_message(path, written) + "）"
            self.status.emit(message)

        self.run(_("导出 {name}").format(name=path.name), fn, path, *args, done=done)


def pane(*widgets: QWidget) -> QWidget:
    """Widgets stacked in a margin-less column (a splitter's side)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box


def chars(widget: QWidget, n: int) -> int:
    """The width of ``n`` Chinese characters in the widget's font (Latin-based hints are too narrow)."""
    return widget.fontMetrics().horizontalAdvance("中" * n)


def heading(value: str) -> QLabel:
    label = QLabel(value)
    label.setObjectName("heading")
    return label


def hint(value: str) -> QLabel:
    label = QLabel(value)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label

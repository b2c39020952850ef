"""Item titles in the rubric tree on up to two lines, cut at the end of the second with "…".

On one line a 1366-pixel laptop showed some 14 characters of a title and a 1024-pixel one 4 or
5: "6.3.1 考生登记表应完整地…" is not enough to know which item it is. Item rows wrap to a second
line where the title needs it (by the Chinese line-breaking rules of the printed documents), and
only the second line is elided; the full title stands in the item's heading beside the tree and
in the row's tooltip. Section and group rows stay one line. The row height follows the name
column's width: when the splitter or the window changes it, the rows are laid out again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)

from inspector.documents.linebreak import split_widths
from ui.tree_model import KIND_ROLE

MAX_LINES = 2
PAD = 3  # pixels left and right of the text, as the style's own item text margin


def title_lines(text: str, fm: QFontMetrics, width: int, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``width`` pixels, the last elided."""
    if width <= 0 or not text:
        return [text]
    chars = list(text)
    widths = [float(fm.horizontalAdvance(c)) for c in chars]
    ends = split_widths(chars, widths, [float(width)])
    out: list[str] = []
    start = 0
    for end in ends[: max_lines - 1]:
        out.append(text[start:end].rstrip())
        start = end
    if start < len(text):
        rest = text[start:]
        out.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return out


class Legend(QLabel):
    """Entries ("○ 未评") packed into lines by width: Qt's own wrap cuts "待核实" after 待核."""

    def __init__(self, entries: list[str]) -> None:
        super().__init__()
        self.entries = entries
        self.setWordWrap(False)
        self.setMinimumWidth(1)
        self._width = -1

    def _relayout(self) -> None:
        fm = self.fontMetrics()
        width = max(1, self.contentsRect().width())
        gap = "　"
        lines: list[str] = []
        for entry in self.entries:
            if lines and fm.horizontalAdvance(lines[-1] + gap + entry) <= width:
                lines[-1] += gap + entry
            else:
                lines.append(entry)
        self.setText("\n".join(lines))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._relayout()

    def minimumSizeHint(self) -> QSize:
        return QSize(1, super().minimumSizeHint().height())


class TitleDelegate(QStyledItemDelegate):
    """Paints the name column of item rows on two lines; asks the tree for the column's width."""

    def __init__(self, tree: QTreeView) -> None:
        super().__init__(tree)
        self.tree = tree
        # (text, width, font) → lines: the view asks for every row's height on each layout, and a
        # title's lines are measured character by character (a 2,500-item form is 60,000 glyphs)
        self._cache: dict[tuple[str, int, str], list[str]] = {}
        tree.header().sectionResized.connect(self._resized)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column == 0:
            self.tree.doItemsLayout()  # the heights of wrapped rows follow the new width

    def text_width(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The pixels the title has in the name column at this row's depth."""
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        indent = self.tree.indentation() * (depth + (1 if self.tree.rootIsDecorated() else 0))
        return self.tree.header().sectionSize(0) - indent - 2 * PAD

    def lines(self, index: QModelIndex | QPersistentModelIndex, fm: QFontMetrics | None = None) -> list[str]:
        """The lines the row's title shows (what a test reads, and what is painted)."""
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.column() != 0 or index.data(KIND_ROLE) != "item":
            return [text]
        fm = fm or self.tree.fontMetrics()
        width = self.text_width(index)
        key = (text, width, f"{fm.height()}:{fm.averageCharWidth()}:{fm.horizontalAdvance('中')}")
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 20000:
                self._cache.clear()
            found = self._cache[key] = title_lines(text, fm, width)
        return found

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() == 0 and index.data(KIND_ROLE) == "item":
            n = len(self.lines(index, option.fontMetrics))
            extra = (n - 1) * option.fontMetrics.lineSpacing()
            size.setHeight(size.height() + extra)
        return size

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if index.column() != 0 or index.data(KIND_ROLE) != "item":
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        fm: QFontMetrics = opt.fontMetrics
        lines = self.lines(index, fm)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect: QRect = opt.rect
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(role))
        height = fm.lineSpacing() * len(lines)
        y = rect.top() + max(0, (rect.height() - height) // 2)
        for line in lines:
            painter.drawText(
                QRect(rect.left() + PAD, y, rect.width() - 2 * PAD, fm.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += fm.lineSpacing()
        painter.restore()

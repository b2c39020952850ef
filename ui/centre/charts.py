"""The statistics charts, drawn with QPainter: bars of the most-failed requirements, a histogram
of scores with the pass line, grouped bars by region / category / year.

Why not QtCharts: it is in PySide6-Addons (a 168–175 MB wheel, 420–440 MiB installed, pinned to
the exact Essentials version) and deprecated since Qt 6.10; three plain chart kinds are a few
hundred lines. The geometry (:func:`layout`) is computed apart from the painting so that tests
can check it (bars inside the plot, lengths proportional, labels not overlapping), and the same
:func:`paint` draws the widget and the image for printing (:func:`render_image`).

Printed on a black-and-white office printer, colour says nothing: every bar carries its value as
text, series differ by fill pattern (solid grey, hatching, cross-hatching) shown in the legend,
and the ink is black on white. Text uses the application font, whose fallback is the shipped
CJK font (ui/app.py), so Chinese labels never turn into boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolTip, QWidget

ChartKind = Literal["hbar", "histogram", "grouped"]

INK = QColor("#000000")
PAPER = QColor("#ffffff")
GRID = QColor("#b0b0b0")
# Series fills that stay apart in black and white: solid grey, then hatchings.
FILLS: tuple[tuple[Qt.BrushStyle, QColor], ...] = (
    (Qt.BrushStyle.SolidPattern, QColor("#5a5a5a")),
    (Qt.BrushStyle.BDiagPattern, INK),
    (Qt.BrushStyle.DiagCrossPattern, INK),
    (Qt.BrushStyle.Dense5Pattern, INK),
    (Qt.BrushStyle.HorPattern, INK),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    # the text on each bar; the value itself when empty
    labels: tuple[str, ...] = ()

    def label(self, i: int) -> str:
        if self.labels:
            return self.labels[i]
        v = self.values[i]
        return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


@dataclass(frozen=True)
class Marker:
    """A vertical line across a histogram at ``position`` (0 = left edge, 1 = right edge)."""

    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_title: str = ""  # the value axis, e.g. "不合格次数"
    edges: tuple[str, ...] = ()  # histogram: the bin edges, one more than the bins
    marker: Marker | None = None
    empty_text: str = ""
    tips: tuple[str, ...] = ()  # per category: the full text shown on hover

    @property
    def empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)


@dataclass
class Bar:
    rect: QRectF
    series: int
    category: int
    text: str
    text_rect: QRectF


@dataclass
class Layout:
    title: QRectF
    title_text: str
    plot: QRectF
    bars: list[Bar] = field(default_factory=list)
    categories: list[tuple[QRectF, str]] = field(default_factory=list)  # the axis labels, elided
    ticks: list[tuple[QRectF, str, QPointF, QPointF]] = field(default_factory=list)  # label, grid line
    legend: list[tuple[QRectF, QRectF, str, int]] = field(default_factory=list)  # swatch, text, series
    value_title: tuple[QRectF, str] | None = None
    marker: tuple[QPointF, QPointF, QRectF, str] | None = None
    empty: QRectF | None = None


def nice_step(top: float, most: int = 6) -> float:
    """A round step (1, 2, 5 × 10ⁿ; whole numbers at least) giving at most ``most`` ticks up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / most
    power = float(10 ** math.floor(math.log10(raw)))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return max(1.0, m * power)
    return max(1.0, 10 * power)  # pragma: no cover - the loop always returns


def _axis(vmax: float) -> tuple[float, float]:
    """The value axis' top and step for values up to ``vmax`` (room above the tallest bar)."""
    step = nice_step(vmax)
    top = step * math.ceil(vmax / step) if vmax > 0 else step
    if top <= vmax:  # the tallest bar's label needs room: never end the axis on it
        top += step
    return top, step


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def fonts(base: QFont) -> tuple[QFont, QFont]:
    """The chart's text font and its bold title font (the same families: the CJK fallback kept)."""
    bold = QFont(base)
    bold.setBold(True)
    return QFont(base), bold


def layout(chart: Chart, rect: QRectF, font: QFont) -> Layout:
    """Where everything goes in ``rect``: pure geometry, no painting."""
    normal, bold = fonts(font)
    fm, fb = QFontMetricsF(normal), QFontMetricsF(bold)
    line = fm.height()
    pad = line * 0.5
    inner = rect.adjusted(pad, pad, -pad, -pad)
    title_rect = QRectF(inner.left(), inner.top(), inner.width(), fb.height() * 1.3)
    out = Layout(
        title=title_rect,
        title_text=fb.elidedText(chart.title, Qt.TextElideMode.ElideRight, inner.width()),
        plot=QRectF(),
    )
    top = title_rect.bottom() + pad * 0.5
    if len(chart.series) > 1 and not chart.empty:
        top = _legend(out, chart, fm, QRectF(inner.left(), top, inner.width(), 0)) + pad * 0.5
    body = QRectF(inner.left(), top, inner.width(), max(0.0, inner.bottom() - top))
    if chart.empty:
        out.plot = body
        out.empty = body
        return out
    if chart.kind == "hbar":
        _hbar(out, chart, fm, body)
    else:
        _columns(out, chart, fm, body)
    return out


def _legend(out: Layout, chart: Chart, fm: QFontMetricsF, area: QRectF) -> float:
    """Swatches and names in rows; returns the bottom of the legend."""
    line = fm.height()
    x, y = area.left(), area.top()
    for i, s in enumerate(chart.series):
        width = line * 1.2 + line * 0.4 + fm.horizontalAdvance(s.name) + line
        if x > area.left() and x + width > area.right():
            x, y = area.left(), y + line * 1.3
        swatch = QRectF(x, y + line * 0.1, line * 1.2, line * 0.9)
        text = QRectF(swatch.right() + line * 0.4, y, fm.horizontalAdvance(s.name) + 2, line)
        out.legend.append((swatch, text, s.name, i))
        x += width
    return y + line * 1.2


def _hbar(out: Layout, chart: Chart, fm: QFontMetricsF, body: QRectF) -> None:
    """Horizontal bars: category labels on the left, the value axis along the bottom."""
    line = fm.height()
    values = chart.series[0].values
    n = len(chart.categories)
    label_w = min(max(fm.horizontalAdvance(c) for c in chart.categories) + line * 0.6, body.width() * 0.45)
    value_w = max(fm.horizontalAdvance(chart.series[0].label(i)) for i in range(n)) + line * 0.6
    axis_h = line * 1.3 + (line * 1.2 if chart.value_title else 0)
    plot = QRectF(
        body.left() + label_w, body.top(), max(1.0, body.width() - label_w - value_w), body.height() - axis_h
    )
    out.plot = plot
    vmax, step = _axis(max(values))
    row = plot.height() / n
    bar_h = min(row * 0.7, line * 1.4)
    for i, (name, v) in enumerate(zip(chart.categories, values, strict=True)):
        cy = plot.top() + row * (i + 0.5)
        length = plot.width() * v / vmax
        bar = QRectF(plot.left(), cy - bar_h / 2, length, bar_h)
        text = chart.series[0].label(i)
        text_rect = QRectF(bar.right() + line * 0.3, cy - line / 2, fm.horizontalAdvance(text) + 2, line)
        out.bars.append(Bar(bar, 0, i, text, text_rect))
        label = fm.elidedText(name, Qt.TextElideMode.ElideRight, label_w - line * 0.6)
        out.categories.append((QRectF(body.left(), cy - line / 2, label_w - line * 0.6, line), label))
    _value_ticks(out, fm, plot, vmax, step, horizontal=True)
    if chart.value_title:
        r = QRectF(plot.left(), plot.bottom() + line * 1.3, plot.width(), line)
        out.value_title = (r, fm.elidedText(chart.value_title, Qt.TextElideMode.ElideRight, r.width()))


def _columns(out: Layout, chart: Chart, fm: QFontMetricsF, body: QRectF) -> None:
    """Vertical bars: a histogram (adjacent bins, edges labelled) or groups of bars per category."""
    line = fm.height()
    vmax, step = _axis(max(v for s in chart.series for v in s.values))
    ticks = [step * k for k in range(round(vmax / step) + 1)]
    axis_w = max(fm.horizontalAdvance(_fmt(t)) for t in ticks) + line * 0.6
    title_w = line * 1.3 if chart.value_title else 0
    plot = QRectF(
        body.left() + axis_w + title_w,
        body.top() + line * 0.3,
        max(1.0, body.width() - axis_w - title_w - line * 0.8),
        max(1.0, body.height() - line * 1.6 - line * 0.3),
    )
    out.plot = plot
    n, k = len(chart.categories), len(chart.series)
    slot = plot.width() / n
    histogram = chart.kind == "histogram"
    bar_w = slot if histogram else min(slot * 0.8 / k, line * 3)
    for c in range(n):
        group_left = plot.left() + slot * c + (0 if histogram else (slot - bar_w * k) / 2)
        for s, series in enumerate(chart.series):
            v = series.values[c]
            h = plot.height() * v / vmax
            bar = QRectF(group_left + bar_w * s, plot.bottom() - h, bar_w, h)
            text = series.label(c)
            tw = fm.horizontalAdvance(text) + 2
            text_rect = QRectF(bar.center().x() - tw / 2, bar.top() - line * 1.05, tw, line)
            out.bars.append(Bar(bar, s, c, text if v or not histogram else "", text_rect))
    below = plot.bottom() + line * 0.3
    if histogram and len(chart.edges) == n + 1:
        # Edges, not bins, under a histogram: "80" is shorter than "80–90" and sits where it belongs.
        widest = max(fm.horizontalAdvance(e) for e in chart.edges) + line * 0.5
        every = max(1, math.ceil(widest / slot))
        for i, edge in enumerate(chart.edges):
            if i % every and i != n:
                continue
            x = plot.left() + slot * i
            w = fm.horizontalAdvance(edge) + 2
            out.categories.append((QRectF(x - w / 2, below, w, line), edge))
    else:
        for c, name in enumerate(chart.categories):
            text = fm.elidedText(name, Qt.TextElideMode.ElideRight, slot - line * 0.3)
            w = fm.horizontalAdvance(text) + 2
            x = plot.left() + slot * (c + 0.5)
            out.categories.append((QRectF(x - w / 2, below, w, line), text))
    _value_ticks(out, fm, plot, vmax, step, horizontal=False)
    if chart.value_title:
        r = QRectF(body.left(), plot.top(), line * 1.2, plot.height())
        out.value_title = (r, chart.value_title)
    if chart.marker is not None:
        x = plot.left() + plot.width() * min(1.0, max(0.0, chart.marker.position))
        w = fm.horizontalAdvance(chart.marker.label) + line * 0.6
        left = x + line * 0.3 if x + line * 0.3 + w <= plot.right() else x - line * 0.3 - w
        out.marker = (
            QPointF(x, plot.top()),
            QPointF(x, plot.bottom()),
            QRectF(left, plot.top(), w, line * 1.2),
            chart.marker.label,
        )


def _value_ticks(
    out: Layout, fm: QFontMetricsF, plot: QRectF, vmax: float, step: float, *, horizontal: bool
) -> None:
    line = fm.height()
    count = round(vmax / step)
    for k in range(count + 1):
        v = step * k
        text = _fmt(v)
        w = fm.horizontalAdvance(text) + 2
        if horizontal:
            x = plot.left() + plot.width() * v / vmax
            rect = QRectF(x - w / 2, plot.bottom() + line * 0.2, w, line)
            out.ticks.append((rect, text, QPointF(x, plot.top()), QPointF(x, plot.bottom())))
        else:
            y = plot.bottom() - plot.height() * v / vmax
            rect = QRectF(plot.left() - w - line * 0.3, y - line / 2, w, line)
            out.ticks.append((rect, text, QPointF(plot.left(), y), QPointF(plot.right(), y)))


def brush(series: int) -> QBrush:
    style, colour = FILLS[series % len(FILLS)]
    return QBrush(colour, style)


def paint(painter: QPainter, chart: Chart, rect: QRectF, font: QFont) -> Layout:
    """Draw ``chart`` in ``rect`` (black on white) and return its layout (for hover tips)."""
    normal, bold = fonts(font)
    out = layout(chart, rect, font)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp bars and hatching
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(rect, PAPER)
    painter.setPen(INK)
    painter.setFont(bold)
    painter.drawText(out.title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, out.title_text)
    painter.setFont(normal)
    if out.empty is not None:
        painter.drawText(out.empty, Qt.AlignmentFlag.AlignCenter, chart.empty_text)
        painter.restore()
        return out
    grid = QPen(GRID, 0, Qt.PenStyle.DashLine)
    for label_rect, text, a, b in out.ticks:
        painter.setPen(grid)
        painter.drawLine(a, b)
        painter.setPen(INK)
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, text)
    outline = QPen(INK, 0)
    for bar in out.bars:
        if bar.rect.width() > 0 and bar.rect.height() > 0:
            painter.setPen(outline)
            painter.setBrush(PAPER)
            painter.drawRect(bar.rect)
            painter.setBrush(brush(bar.series))
            painter.drawRect(bar.rect)
        if bar.text:
            painter.setPen(INK)
            painter.drawText(bar.text_rect, Qt.AlignmentFlag.AlignCenter, bar.text)
    painter.setPen(QPen(INK, 0))
    plot = out.plot
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.topLeft(), plot.bottomLeft())
    align = (
        Qt.AlignmentFlag.AlignRight if chart.kind == "hbar" else Qt.AlignmentFlag.AlignHCenter
    ) | Qt.AlignmentFlag.AlignVCenter
    for label_rect, text in out.categories:
        painter.drawText(label_rect, align, text)
    for swatch, text_rect, name, series in out.legend:
        painter.setBrush(PAPER)
        painter.drawRect(swatch)
        painter.setBrush(brush(series))
        painter.drawRect(swatch)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
    if out.value_title is not None:
        r, text = out.value_title
        if chart.kind == "hbar":
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        else:  # written up the y axis
            painter.save()
            painter.translate(r.center())
            painter.rotate(-90)
            fm = QFontMetricsF(normal)
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, r.height())
            painter.drawText(
                QRectF(-r.height() / 2, -r.width() / 2, r.height(), r.width()),
                Qt.AlignmentFlag.AlignCenter,
                shown,
            )
            painter.restore()
    if out.marker is not None:
        a, b, label_rect, text = out.marker
        painter.setPen(QPen(INK, max(2.0, QFontMetricsF(normal).height() / 8), Qt.PenStyle.DashLine))
        painter.drawLine(a, b)
        painter.setPen(QPen(INK, 0))
        painter.setBrush(PAPER)  # a box of paper: the line and the bars never show through the text
        painter.drawRect(label_rect)
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
    return out


def render_image(chart: Chart, size: QSize, ratio: float = 2.0, font: QFont | None = None) -> QImage:
    """The chart as an image of ``size`` logical pixels at ``ratio`` (2: sharp on paper and hi-DPI)."""
    image = QImage(
        max(1, round(size.width() * ratio)), max(1, round(size.height() * ratio)), QImage.Format.Format_RGB32
    )
    image.setDevicePixelRatio(ratio)
    image.fill(PAPER)
    painter = QPainter(image)
    try:
        paint(painter, chart, QRectF(0, 0, size.width(), size.height()), font or QApplication.font())
    finally:
        painter.end()
    return image


class ChartView(QWidget):
    """A chart on screen. The numbers are in the table beside it (the keyboard's way in)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self._layout: Layout | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_chart(self, chart: Chart) -> None:
        self.chart = chart
        self.setAccessibleName(chart.title)
        self.update()

    def minimumSizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 20, line * 12)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 45, line * 22)

    def render_image(self, ratio: float = 2.0) -> QImage:
        assert self.chart is not None
        return render_image(self.chart, self.size(), ratio, self.font())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), PAPER)
            if self.chart is not None:
                self._layout = paint(painter, self.chart, QRectF(self.rect()), self.font())
        finally:
            painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self._layout is not None and self.chart is not None:
            assert isinstance(event, QHelpEvent)
            tip = self.tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tip_at(self, pos: QPointF) -> str:
        """The category's full name, each series' name and value, for the bar under ``pos``."""
        if self._layout is None or self.chart is None:
            return ""
        for bar in self._layout.bars:
            hit = (
                bar.rect.adjusted(0, -bar.text_rect.height(), 0, 0) if self.chart.kind != "hbar" else bar.rect
            )
            if hit.contains(pos):
                c = bar.category
                name = self.chart.tips[c] if self.chart.tips else self.chart.categories[c]
                values = [f"{s.name}：{s.label(c)}" for s in self.chart.series]
                return "\n".join([name, *values])
        return ""

"""A signature pad: mouse, pen or finger, drawn as QPainterPath strokes, saved as a PNG.

The pad keeps the strokes in its own coordinates and renders them anew at any scale, so the
saved image is sharp on a hi-DPI screen and in a PDF. Pen pressure is not used (signatures on a
laptop trackpad have none): a steady line reads better when printed small.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from inspector.i18n import _

INK = QColor("#10243e")


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[QPainterPath] = []
        self._drawing: QPainterPath | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.fontMetrics().height() * 6)
        self.setAccessibleName(_("签名框"))

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance("M") * 36, fm.height() * 6)

    # -- strokes --------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not any(p.elementCount() > 1 for p in self.strokes)

    def clear(self) -> None:
        self.strokes = []
        self._drawing = None
        self.update()
        self.changed.emit()

    def begin(self, point: QPointF) -> None:
        self._drawing = QPainterPath(point)
        self.strokes.append(self._drawing)

    def extend(self, point: QPointF) -> None:
        if self._drawing is not None:
            self._drawing.lineTo(point)
            self.update()

    def end(self) -> None:
        if self._drawing is not None:
            if self._drawing.elementCount() == 1:  # a dot: make it visible
                self._drawing.lineTo(self._drawing.currentPosition() + QPointF(0.5, 0.5))
            self._drawing = None
            self.update()
            self.changed.emit()

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a stroke from code (scripted demos, tests of the image)."""
        if not points:
            return
        self.begin(QPointF(*points[0]))
        for p in points[1:]:
            self.extend(QPointF(*p))
        self.end()

    # -- input ----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        # handled here (accepted), so Qt does not also synthesise mouse events from the pen
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self.begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._drawing is not None:
            self.extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self.end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                where = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self.begin(where)
                elif kind == QEvent.Type.TouchUpdate:
                    self.extend(where)
                else:
                    self.end()
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:
            self.end()
            return True
        return super().event(event)

    # -- drawing --------------------------------------------------------------------------------
    def pen_width(self) -> float:
        return max(2.0, self.height() / 55)

    def _paint_strokes(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(
            INK, self.pen_width(), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path in self.strokes:
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect().adjusted(0, 0, -1, -1)
        painter.fillRect(rect, QColor("white"))
        painter.setPen(QPen(QColor("#8a8a8a"), 1, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        baseline = int(self.height() * 0.75)
        margin = self.fontMetrics().height()
        painter.setPen(QPen(QColor("#b0b0b0"), 1))
        painter.drawLine(margin, baseline, self.width() - margin, baseline)
        if self.is_empty() and self._drawing is None:
            painter.setPen(QColor("#9a9a9a"))
            painter.drawText(
                self.rect().adjusted(margin, 0, 0, -(self.height() - baseline) - 4),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                _("请在此签名（鼠标、手写笔或手指）"),
            )
        self._paint_strokes(painter)
        painter.end()

    def to_image(self, scale: float = 2.0) -> QImage:
        """The strokes alone, on a transparent background, ``scale`` times the pad's size."""
        size = self.size() * scale
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.scale(scale, scale)
        self._paint_strokes(painter)
        painter.end()
        return image

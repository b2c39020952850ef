"""The QPainter charts (ui/centre/charts.py): their geometry, checked without looking, and their
images, checked for size and ink. Screenshots of them in the window: test_centre_views.py."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QApplication

from ui.centre.charts import FILLS, Chart, ChartView, Marker, Series, layout, nice_step, render_image

RECT = QRectF(0, 0, 900, 420)


def font() -> QFont:
    return QApplication.font()


def inside(inner: QRectF, outer: QRectF, slack: float = 0.5) -> bool:
    """By the edges: a bar of zero height (a zero value) is inside too."""
    return (
        inner.left() >= outer.left() - slack
        and inner.right() <= outer.right() + slack
        and inner.top() >= outer.top() - slack
        and inner.bottom() <= outer.bottom() + slack
    )


def overlap(a: QRectF, b: QRectF) -> bool:
    return a.intersected(b).width() > 0.5 and a.intersected(b).height() > 0.5


def ink(image: QImage) -> int:
    """Pixels that are not paper white (sampled every 2 pixels each way)."""
    white = QColor("#ffffff").rgb()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixel(x, y) != white
    )


def failures() -> Chart:
    names = [
        "1.2.1 综合管理岗位职责明确",
        "5.2.1 " + "设立满足需要的候考室、抽考室等相关场地" * 4,
        "3.5.2 理论考场安排表",
    ]
    return Chart(
        "hbar",
        "失分最多的要求",
        tuple(names),
        (Series("失分次数", (4.0, 2.0, 1.0), ("4 次（50%）", "2 次（25%）", "1 次（12.5%）")),),
        value_title="失分次数",
    )


def histogram() -> Chart:
    counts = (0.0, 0, 0, 1, 1, 1, 0, 0, 3, 2)
    labels = tuple(f"{10 * i}–{10 * (i + 1)}" for i in range(10))
    edges = tuple(str(10 * i) for i in range(11))
    return Chart(
        "histogram",
        "分数分布",
        labels,
        (Series("评估次数", tuple(float(c) for c in counts)),),
        value_title="评估次数",
        edges=edges,
        marker=Marker(0.8, "合格线 80 分"),
    )


def grouped() -> Chart:
    return Chart(
        "grouped",
        "按地区",
        ("乐山市", "宜宾市", "德阳市", "自贡市"),
        (
            Series("评估次数", (1.0, 1, 1, 2)),
            Series("达到“合格”", (1.0, 1, 1, 0)),
            Series("有否决项", (0.0, 0, 0, 1)),
        ),
        value_title="评估次数",
    )


def test_nice_steps() -> None:
    assert [nice_step(t) for t in (1, 4, 6, 13, 40, 170, 2400)] == [1, 1, 1, 5, 10, 50, 500]


def test_horizontal_bars_are_proportional_labelled_and_inside() -> None:
    chart = failures()
    out = layout(chart, RECT, font())
    assert len(out.bars) == 3
    widths = [b.rect.width() for b in out.bars]
    assert abs(widths[0] / widths[1] - 2) < 0.01 and abs(widths[0] / widths[2] - 4) < 0.01
    for bar in out.bars:
        assert inside(bar.rect, out.plot)
        assert inside(bar.text_rect, RECT)  # the value beside the bar is never cut off
        assert bar.text_rect.left() >= bar.rect.right()
    # A label too long for its column is elided, not spilled over the bars.
    long_label = out.categories[1][1]
    assert long_label.endswith("…") and long_label.startswith("5.2.1")
    for rect, _text in out.categories:
        assert rect.right() <= out.plot.left() and rect.left() >= RECT.left()
    tops = [rect.top() for rect, _t in out.categories]
    assert tops == sorted(tops) and len(set(tops)) == 3
    assert out.value_title is not None and inside(out.value_title[0], RECT)


def test_histogram_bins_edges_and_pass_line() -> None:
    chart = histogram()
    out = layout(chart, RECT, font())
    assert len(out.bars) == 10
    for left, right in zip(out.bars, out.bars[1:], strict=False):
        assert abs(left.rect.right() - right.rect.left()) < 0.01  # adjacent: a histogram, not a bar chart
    assert abs(out.bars[8].rect.height() / out.bars[3].rect.height() - 3) < 0.01
    assert [b.text for b in out.bars][:3] == ["", "", ""]  # empty bins carry no "0"
    assert out.bars[8].text == "3"
    assert out.marker is not None
    top, bottom, label, text = out.marker
    assert abs(top.x() - (out.plot.left() + 0.8 * out.plot.width())) < 0.01
    assert bottom.y() == out.plot.bottom() and text == "合格线 80 分"
    assert inside(label, out.plot)
    edges = [r for r, _t in out.categories]
    assert len(edges) == 11
    for a, b in itertools.pairwise(edges):
        assert not overlap(a, b)


def test_narrow_histogram_thins_its_edge_labels() -> None:
    out = layout(histogram(), QRectF(0, 0, 260, 300), font())
    edges = [r for r, _t in out.categories]
    assert 2 <= len(edges) < 11
    for a, b in itertools.pairwise(edges):
        assert not overlap(a, b)


def test_grouped_bars_have_a_legend_and_stay_apart() -> None:
    chart = grouped()
    out = layout(chart, RECT, font())
    assert len(out.bars) == 12
    assert [name for _s, _t, name, _i in out.legend] == ["评估次数", "达到“合格”", "有否决项"]
    for bar in out.bars:
        assert inside(bar.rect, out.plot)
        assert bar.text  # every bar says its value, zero too: colour never carries the number alone
    for a in out.bars:
        for b in out.bars:
            if a is not b:
                assert not overlap(a.rect, b.rect)
    labels = [r for r, _t in out.categories]
    for a, b in itertools.pairwise(labels):
        assert not overlap(a, b)
    assert out.legend[-1][0].bottom() < out.plot.top()


def test_series_differ_by_pattern_not_colour_alone() -> None:
    styles = [style for style, _colour in FILLS[:3]]
    assert len(set(styles)) == 3
    assert all(QColor(c).saturation() == 0 for _s, c in FILLS)  # greys and black: prints the same


def test_empty_chart_says_so() -> None:
    chart = Chart("histogram", "分数分布", (), (), empty_text="所选范围内没有评估")
    out = layout(chart, RECT, font())
    assert out.empty is not None and not out.bars
    zero = Chart("hbar", "失分", ("a",), (Series("n", (0.0,)),), empty_text="无")
    assert layout(zero, RECT, font()).empty is not None


def test_images_have_the_size_asked_and_ink() -> None:
    for chart in (failures(), histogram(), grouped()):
        image = render_image(chart, QSize(640, 360), 2.0)
        assert (image.width(), image.height()) == (1280, 720)
        assert image.devicePixelRatio() == 2.0
        assert ink(image) > 2000, chart.kind
    blank = render_image(Chart("hbar", "", (), ()), QSize(200, 100), 1.0)
    assert ink(blank) == 0


def test_chart_view_paints_and_tells_the_bar_under_the_pointer(qtbot: object) -> None:
    view = ChartView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.set_chart(grouped())
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)  # type: ignore[attr-defined]
    image = view.grab().toImage()
    assert ink(image) > 1000
    assert view.accessibleName() == "按地区"
    out = layout(view.chart, QRectF(view.rect()), view.font())  # type: ignore[arg-type]
    bar = out.bars[3 * 3]  # 自贡市, its first series
    tip = view.tip_at(bar.rect.center())
    assert tip.startswith("自贡市") and "评估次数：2" in tip and "有否决项：1" in tip
    assert view.tip_at(out.title.center()) == ""
    assert view.render_image(1.0).size() == view.size()
    assert Qt.WidgetAttribute.WA_OpaquePaintEvent and view.minimumSizeHint().width() > 0

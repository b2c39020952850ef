"""The look every printed document shares: font, pages, footer, watermark, QR code, photos.

Why these choices:

* The CJK font is the shipped WenQuanYi Micro Hei (``resources/fonts``), registered once per
  process and embedded as a subset. reportlab's CID fonts (``STSong-Light``) are never used: they
  are not embedded and print blank on a machine without the matching font. The canvas's initial
  font is the same font, so that no unembedded Helvetica is referenced either.
* Everything must read in black-and-white print: a meaning is carried by a word or a mark
  (※, △, √), and grey shading is only a second cue.
* "第 x 页 共 y 页" needs the page count before the last page exists: :class:`_NumberedCanvas`
  keeps each finished page's state and draws the footers when the document is saved (the usual
  two-pass canvas of reportlab).
* The draft watermark is drawn when a page begins, so it lies under the content, not over it; it
  is drawn as outlines (:mod:`inspector.documents.outline`), so that pdftotext and copy-and-paste
  do not read "草稿" into the content.
* Sizes: official forms are read at a desk and signed, so no body text is smaller than 9 pt
  (小五); table cells with room print at 10.5 pt (五号), the score table's dense columns at 9–10 pt,
  and a long table runs over more pages rather than shrinking. Line breaks follow the Chinese
  rules (:mod:`inspector.documents.linebreak`).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from inspector.documents.cjk_paragraph import CJKParagraph
from inspector.documents.outline import draw_outlined
from inspector.errors import StoreError
from inspector.fileio import atomic_document
from inspector.i18n import _, os_reason
from inspector.paths import font_path

FONT = "WQY"
PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN = 15 * mm
BLACK = colors.black
SHADE = colors.Color(0.88, 0.88, 0.88)  # header and subtotal rows: a second cue only
WATERMARK_GREY = colors.Color(0.85, 0.85, 0.85)  # not SHADE: a test tells them apart


@functools.cache
def font() -> str:
    """Register the CJK TrueType font (once per process) and return its name."""
    path = font_path()
    try:
        pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    except OSError as e:
        raise StoreError(_("无法读取字体文件：{e}").format(e=os_reason(e)), str(path)) from None
    # <b> and <i> in a paragraph must not fall back to a standard (unembedded) font.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles by name; CJK word wrap everywhere, or long Chinese runs overflow."""
    name = font()
    base = ParagraphStyle("body", fontName=name, fontSize=10, leading=15, wordWrap="CJK")

    def derive(key: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(key, parent=base, **kw)

    return {
        "body": base,
        "title": derive("title", fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=2 * mm),
        "subtitle": derive("subtitle", fontSize=10, leading=14, alignment=TA_CENTER),
        "h2": derive("h2", fontSize=13, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm),
        "small": derive("small", fontSize=9, leading=12.5),
        "small_center": derive("small_center", fontSize=9, leading=12.5, alignment=TA_CENTER),
        "cell": derive("cell", fontSize=10.5, leading=14),
        "cell_center": derive("cell_center", fontSize=10.5, leading=14, alignment=TA_CENTER),
        "cell_right": derive("cell_right", fontSize=10.5, leading=14, alignment=TA_RIGHT),
        "cell_small": derive("cell_small", fontSize=9, leading=12.5),
        # the score table's label and item columns: narrow, so 10 pt, not 五号
        "dense": derive("dense", fontSize=10, leading=13.5),
        "dense_center": derive("dense_center", fontSize=10, leading=13.5, alignment=TA_CENTER),
        "head": derive("head", fontSize=10.5, leading=14, alignment=TA_CENTER),
        "label": derive("label", fontSize=10.5, leading=14),
        "value": derive("value", fontSize=10.5, leading=14),
        "letter": derive("letter", fontSize=12, leading=22, firstLineIndent=24),
        "letter_flat": derive("letter_flat", fontSize=12, leading=22),
        "list": derive("list", fontSize=12, leading=20, leftIndent=24, firstLineIndent=-16),
        "right": derive("right", fontSize=12, leading=22, alignment=TA_RIGHT),
        "footnote": derive("footnote", fontSize=9, leading=12.5),
    }


def p(text: str, style: str = "body", markup: str | None = None) -> Paragraph:
    """A paragraph of the user's text, escaped; ``markup`` is trusted markup to use instead."""
    text = markup if markup is not None else escape(text).replace("\n", "<br/>")
    return CJKParagraph(text, styles()[style])


def lines(text: str, style: str = "cell") -> list[Paragraph]:
    """The paragraph of a table cell, its lines kept ("\\n" → a hard break).

    One paragraph per cell, not one per line (issue 18, P3): reportlab parses every paragraph's
    markup in Python, and a 61-item sheet had 780 of them. The breaks are :class:`CJKParagraph`'s
    own, so a line that exactly fills the cell adds no empty line after it (reportlab's own CJK
    wrap did: why this was once one paragraph per line). Each line is cleaned as reportlab cleans
    a paragraph's text (runs of spaces become one, none at either end), and a line left empty
    prints nothing, as its paragraph of its own did: a note of a thousand empty lines stays one line.
    """
    cleaned = (" ".join(line.split()) for line in text.split("\n"))
    return [p("\n".join(line for line in cleaned if line), style)]


def grid(header_rows: int = 1) -> list[tuple[Any, ...]]:
    """Table commands: thin black grid, middle-aligned, header rows shaded (and labelled by words)."""
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font(), 10),
        ("GRID", (0, 0), (-1, -1), 0.5, BLACK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),  # room for hanging CJK punctuation (“）”)
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        cmds.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
    return cmds


# -- words shared by the documents -------------------------------------------------------------


def kind_label(kind: str) -> str:
    return {"inspection": _("检查评估"), "self": _("自查自评"), "recheck": _("复查")}.get(kind, kind)


def state_label(state: str) -> str:
    return {"draft": _("进行中，未签署（草稿）"), "complete": _("已完成，未签署"), "signed": _("已签署")}.get(
        state, state
    )


def cn_date(value: str | dt.date | None) -> str:
    """``2026年11月20日`` from an ISO date or timestamp; an empty line when unknown."""
    if value is None or value == "":
        return _("____年__月__日")
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return _("{y}年{m}月{d}日").format(y=d.year, m=d.month, d=d.day)


def short_hash(digest: str) -> str:
    """The first 16 hex digits in groups of four: enough to tell two sheets apart by eye."""
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


# -- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What every page of one document carries besides its content."""

    size: tuple[float, float]
    title: str
    footer_left: str
    footer_right: str
    draft: bool
    subject: str = ""
    author: str = ""


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Keeps each page until the end, then draws "第 x 页 共 y 页" with the real total."""

    page: Page  # set on the per-document subclass made by :func:`build`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(number, total)
            super().showPage()
        super().save()

    def _footer(self, number: int, total: int) -> None:
        width, _height = self.page.size
        y = 8 * mm
        self.saveState()
        self.setFont(font(), 9)
        self.setFillColor(BLACK)
        self.drawCentredString(width / 2, y, _("第 {n} 页 共 {total} 页").format(n=number, total=total))
        self.drawString(MARGIN, y, self.page.footer_left)
        self.drawRightString(width - MARGIN, y, self.page.footer_right)
        self.setLineWidth(0.4)
        self.line(MARGIN, y + 3.5 * mm, width - MARGIN, y + 3.5 * mm)
        self.restoreState()


WATERMARK_FORM = "draft_watermark"


def _watermark(canvas: Canvas, page: Page) -> None:
    """The draft watermark on this page: drawn once per document as a form (a PDF XObject) that
    every page shows. Its outlines are some 4,000 path segments: drawn anew on each page they were
    a tenth of a nine-page sheet's time (issue 18, P3), and repeated in every page's content."""
    if not canvas.hasForm(WATERMARK_FORM):
        width, height = page.size
        canvas.beginForm(WATERMARK_FORM)  # its box: the page
        canvas.saveState()
        canvas.setFillColor(WATERMARK_GREY)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35 if width < height else 25)
        draw_outlined(canvas, _("草稿"), 0, -20, 96)
        draw_outlined(canvas, _("未签署，不作为正式评估结果"), 0, -52, 15)
        canvas.restoreState()
        canvas.endForm()
    canvas.doForm(WATERMARK_FORM)


def build(story: Sequence[Flowable], page: Page) -> bytes:
    """Lay the story out on numbered A4 pages; returns the PDF bytes (unsigned)."""
    buf = io.BytesIO()
    canvas_class = type("NumberedCanvas", (_NumberedCanvas,), {"page": page})
    doc = BaseDocTemplate(
        buf,
        pagesize=page.size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,  # room for the footer line
        title=page.title,
        subject=page.subject,
        author=page.author,
        creator="inspector",
        initialFontName=font(),
        initialFontSize=10,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")

    def on_page(canvas: Canvas, _doc: Any) -> None:
        if page.draft:
            _watermark(canvas, page)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    # Binary streams instead of ASCII85: a fifth smaller, and without reportlab's C accelerator its
    # pure-Python ASCII85 encoder costs about 0.3 s per embedded photo.
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(list(story), canvasmaker=canvas_class)
    finally:
        rl_config.useA85 = saved
    return buf.getvalue()


def content_width(page_size: tuple[float, float]) -> float:
    return float(page_size[0] - 2 * MARGIN)


def write_pdf(path: Path, data: bytes) -> Path:
    """Write through a temporary file: a pulled stick never leaves half a PDF under the name. The
    path written: "name (2).pdf" when the last one is still open in a reader (tell the user)."""
    with atomic_document(Path(path)) as saving:
        saving.tmp.write_bytes(data)
    return saving.path


# -- QR code --------------------------------------------------------------------------


def qr_code(text: str, size: float) -> Flowable:
    """A QR code from reportlab's own barcode module, drawn straight on the canvas (no font).

    Its ``QrCode`` flowable, not the ``QrCodeWidget`` in a ``Drawing``: the widget builds a shape
    per dark run and costs some 0.35 s per code, the flowable about 0.05 s.
    """
    return QrCode(text, width=size, height=size, qrLevel="M")

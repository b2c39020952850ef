"""reportlab's ``Paragraph`` with the Chinese line-breaking rules of :mod:`inspector.documents.linebreak`."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

from inspector.documents.linebreak import split_widths


class CJKParagraph(Paragraph):  # type: ignore[misc]
    """A ``Paragraph`` whose CJK wrap follows :func:`break_at` (the style's ``wordWrap`` is "CJK")."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        # A table cell is wrapped again at the same width each time its table is measured (a
        # MergedTable measures the whole table, then each page's part, then the part that fits):
        # the lines are the same, so they are made once per width (issue 18, P3).
        widths_key = tuple(maxWidths)
        made = self.__dict__.get("_lines_at")
        if made is not None and made[0] == widths_key:
            return made[1]
        self.height = 0
        frags = self.frags
        if not frags or getattr(self.style, "endDots", None) or getattr(self, "bulletText", None):
            return super().breakLinesCJK(maxWidths)
        glyphs: list[Any] = []
        for f in frags:
            text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
            glyphs.extend(cjkU(t, f, "utf8") for t in text) if text else glyphs.append(cjkU(text, f, "utf8"))
        if any(not isinstance(g.width, (int, float)) for g in glyphs):
            return super().breakLinesCJK(maxWidths)  # reportlab's own width objects: leave to it
        # a <br/> is a frag with lineBreak: mark it as a hard break after its glyph
        chars = ["\n" if hasattr(g.frag, "lineBreak") else (str(g) or "\u0000") for g in glyphs]
        widths = [0.0 if c == "\n" else float(g.width) for c, g in zip(chars, glyphs, strict=True)]
        calc_bounds = getattr(self, "autoLeading", getattr(self.style, "autoLeading", "")) not in ("", "off")
        lines = []
        start = 0
        for number, end in enumerate(split_widths(chars, widths, list(maxWidths))):
            max_w = maxWidths[min(number, len(maxWidths) - 1)]
            hard = end > start and chars[end - 1] == "\n"
            line = glyphs[start:end]
            used = sum(widths[start:end])
            lines.append(makeCJKParaLine(line, max_w, used, max_w - used, hard, calc_bounds))
            start = end
        result = ParaLines(kind=1, lines=lines)
        self._lines_at = (widths_key, result)
        return result

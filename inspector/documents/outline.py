"""Text drawn as outlines (paths), not as text: for the draft watermark.

A watermark drawn with ``drawString`` is text: pdftotext, a screen reader and copy-and-paste read
"草稿 DRAFT" into the middle of the content. Drawn as the glyphs' outlines it is a picture of the
words. reportlab can turn text into paths only with its optional pycairo backend (not installed),
so the outlines are read here from the shipped TrueType font's ``glyf`` table (the same font the
documents embed): simple glyphs of quadratic contours and composite glyphs of those.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

from reportlab.pdfbase.ttfonts import TTFontFile

from inspector.paths import font_path

Contour = list[tuple[float, float, bool]]  # (x, y, on-curve)


@functools.cache
def _font() -> TTFontFile:
    return TTFontFile(str(font_path()), subfontIndex=0)


def _glyph_contours(f: TTFontFile, glyph: int, depth: int = 0) -> list[Contour]:
    data: bytes = f._ttf_data
    start, end = f.glyphPos[glyph], f.glyphPos[glyph + 1]
    if end <= start or depth > 4:
        return []
    base = f.table["glyf"]["offset"] + start
    (n_contours,) = struct.unpack(">h", data[base : base + 2])
    pos = base + 10
    if n_contours < 0:
        return _composite(f, data, pos, depth)
    ends = struct.unpack(f">{n_contours}H", data[pos : pos + 2 * n_contours])
    pos += 2 * n_contours
    (n_instr,) = struct.unpack(">H", data[pos : pos + 2])
    pos += 2 + n_instr
    n_points = ends[-1] + 1 if ends else 0
    flags: list[int] = []
    while len(flags) < n_points:
        flag = data[pos]
        pos += 1
        flags.append(flag)
        if flag & 8:
            repeat = data[pos]
            pos += 1
            flags.extend([flag] * repeat)
    coords: list[list[int]] = [[], []]
    for axis, (short, same) in enumerate(((2, 16), (4, 32))):
        value = 0
        for flag in flags[:n_points]:
            if flag & short:
                delta = data[pos]
                pos += 1
                value += delta if flag & same else -delta
            elif not flag & same:
                (delta,) = struct.unpack(">h", data[pos : pos + 2])
                pos += 2
                value += delta
            coords[axis].append(value)
    contours: list[Contour] = []
    first = 0
    for last in ends:
        contours.append(
            [(float(coords[0][k]), float(coords[1][k]), bool(flags[k] & 1)) for k in range(first, last + 1)]
        )
        first = last + 1
    return contours


def _composite(f: TTFontFile, data: bytes, pos: int, depth: int) -> list[Contour]:
    out: list[Contour] = []
    while True:
        flags, glyph = struct.unpack(">HH", data[pos : pos + 4])
        pos += 4
        if flags & 1:
            dx, dy = struct.unpack(">hh", data[pos : pos + 4])
            pos += 4
        else:
            dx, dy = struct.unpack(">bb", data[pos : pos + 2])
            pos += 2
        a = d = 1.0
        b = c = 0.0
        if flags & 8:
            (a,) = struct.unpack(">h", data[pos : pos + 2])
            a = d = a / 16384
            pos += 2
        elif flags & 0x40:
            a, d = (v / 16384 for v in struct.unpack(">hh", data[pos : pos + 4]))
            pos += 4
        elif flags & 0x80:
            a, b, c, d = (v / 16384 for v in struct.unpack(">hhhh", data[pos : pos + 8]))
            pos += 8
        for contour in _glyph_contours(f, glyph, depth + 1):
            out.append([(a * x + c * y + dx, b * x + d * y + dy, on) for x, y, on in contour])
        if not flags & 0x20:
            return out


def text_width(text: str, size: float) -> float:
    f = _font()
    scale = size / float(f.unitsPerEm)
    advances: list[int] = [f.hmetrics[f.charToGlyph.get(ord(ch), 0)][0] for ch in text]
    return float(sum(advances) * scale)


def draw_outlined(canvas: Any, text: str, x: float, y: float, size: float, *, centred: bool = True) -> None:
    """Fill ``text``'s outlines at (x, y) (its baseline's centre if ``centred``) on the canvas."""
    f = _font()
    scale = size / float(f.unitsPerEm)
    if centred:
        x -= text_width(text, size) / 2
    path = canvas.beginPath()
    for ch in text:
        glyph = f.charToGlyph.get(ord(ch), 0)
        for contour in _glyph_contours(f, glyph):
            _add_contour(path, [(x + px * scale, y + py * scale, on) for px, py, on in contour])
        x += f.hmetrics[glyph][0] * scale
    canvas.drawPath(path, stroke=0, fill=1, fillMode=0)  # non-zero winding, as TrueType fills


def _add_contour(path: Any, pts: Contour) -> None:
    if not pts:
        return
    # start on an on-curve point (or the midpoint of two off-curve ones)
    k = next((i for i, pt in enumerate(pts) if pt[2]), None)
    if k is None:
        x0, y0 = (pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2
        pts = [(x0, y0, True), *pts]
        k = 0
    pts = pts[k:] + pts[:k]
    cx, cy = pts[0][0], pts[0][1]
    path.moveTo(cx, cy)
    ctrl: tuple[float, float] | None = None
    for x, y, on in [*pts[1:], pts[0]]:
        if on:
            if ctrl is None:
                path.lineTo(x, y)
            else:
                _quad(path, (cx, cy), ctrl, (x, y))
                ctrl = None
            cx, cy = x, y
        else:
            if ctrl is not None:  # two off-curve points: an implied on-curve point between them
                mx, my = (ctrl[0] + x) / 2, (ctrl[1] + y) / 2
                _quad(path, (cx, cy), ctrl, (mx, my))
                cx, cy = mx, my
            ctrl = (x, y)
    path.close()


def _quad(path: Any, p0: tuple[float, float], c: tuple[float, float], p1: tuple[float, float]) -> None:
    """A quadratic Bézier as the cubic PDF draws."""
    c1 = (p0[0] + 2 / 3 * (c[0] - p0[0]), p0[1] + 2 / 3 * (c[1] - p0[1]))
    c2 = (p1[0] + 2 / 3 * (c[0] - p1[0]), p1[1] + 2 / 3 * (c[1] - p1[1]))
    path.curveTo(c1[0], c1[1], c2[0], c2[1], p1[0], p1[1])

"""Drawn signatures for the demo's signed sheets, as a real team's would carry.

A signer in the window draws on the pad, and the PNG is stored as an evidence file whose SHA-256
goes into the signer's record. The demo signs without a pad, so each name is written here: the
name in ink, slanted and a little uneven as a hand writes it, with a stroke under it, on a
transparent background, at the pad's proportions (3 : 1). Deterministic per name: the same demo
folder twice holds the same files.
"""

from __future__ import annotations

import hashlib
import io
import random
import tempfile
from pathlib import Path
from typing import Any

import sqlite_utils

from inspector.paths import font_path
from inspector.store.evidence import add_evidence

WIDTH, HEIGHT = 600, 200  # the signature pad's proportions
INK = (22, 34, 92, 255)  # blue-black ballpoint


def drawn_signature_png(name: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big"))
    size = 112 if len(name) <= 3 else 88
    canvas = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    x = 40
    for char in name:  # each character a little off the line and of its own size, as written
        glyph = ImageFont.truetype(str(font_path()), int(size * rng.uniform(0.9, 1.08)))
        y = 22 + rng.randint(-8, 8)
        for dx, dy in ((0, 0), (1, 0), (0, 1)):  # a ballpoint's stroke, not a hairline
            draw.text((x + dx, y + dy), char, font=glyph, fill=INK)
        x += int(glyph.getlength(char) * rng.uniform(0.78, 0.92))
    # the stroke a hand adds under its name
    y0 = 168 + rng.randint(-6, 6)
    points = [(30 + k * (x - 10) / 12, y0 - 10 * (k / 12) ** 2 + rng.uniform(-2, 2)) for k in range(13)]
    draw.line(points, fill=INK, width=4, joint="curve")
    slant = rng.uniform(0.18, 0.28)  # handwriting leans right
    shear = (1, slant, -slant * HEIGHT / 2, 0, 1, 0)
    canvas = canvas.transform(canvas.size, Image.Transform.AFFINE, shear, Image.Resampling.BICUBIC)
    canvas = canvas.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def data_folder(db: sqlite_utils.Database) -> Path | None:
    """The data folder whose database this is (None for one in memory)."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]).parent if row and row[2] else None


def store_signature(db: sqlite_utils.Database, data: Path, name: str) -> str:
    """The drawn signature stored as an evidence file; its SHA-256."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signature.png"
        path.write_bytes(drawn_signature_png(name))
        return add_evidence(db, data, path)


def with_signatures(db: sqlite_utils.Database, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each signer with the drawn signature the window's pad would have stored."""
    data = data_folder(db)
    if data is None:
        return people
    return [{**p, "signature": store_signature(db, data, str(p["name"]))} for p in people]

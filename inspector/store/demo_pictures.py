"""The demo's pictures: drawn signatures for its signed sheets, as a real team's would carry, and
a site photo beside some of its deductions (the tree's 证n count, the sheet's evidence list).

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


def site_photo_jpeg(caption: str, taken: str) -> bytes:
    """A stand-in site photo (a grey wall, a cabinet, the caption on a card) whose EXIF says it was
    taken on ``taken`` ("2026-05-12 10:03:15", China time), as a phone's photo on the visit day."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(int.from_bytes(hashlib.sha256(caption.encode("utf-8")).digest()[:8], "big"))
    img = Image.new("RGB", (640, 480), (196 + rng.randint(-12, 12), 200, 204))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 360, 640, 480), fill=(150, 140, 128))  # the floor
    x = rng.randint(60, 300)
    draw.rectangle((x, 90, x + 220, 380), fill=(92, 104, 118), outline=(40, 44, 50), width=3)  # a cabinet
    draw.line((x + 110, 90, x + 110, 380), fill=(40, 44, 50), width=3)
    font = ImageFont.truetype(str(font_path()), 22)
    draw.rectangle((24, 24, 616, 64), fill=(250, 250, 246))
    draw.text((34, 30), caption[:26], font=font, fill=(30, 30, 30))
    exif = Image.Exif()
    stamp = taken.replace("-", ":")
    exif[0x010F], exif[0x0110], exif[0x0132] = "HUAWEI", "P40", stamp  # Make, Model, DateTime
    sub = exif.get_ifd(0x8769)  # the Exif IFD: when the picture was taken, and in which zone
    sub[0x9003], sub[0x9011] = stamp, "+08:00"  # DateTimeOriginal, OffsetTimeOriginal
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def store_site_photo(db: sqlite_utils.Database, caption: str, taken: str) -> str | None:
    """A site photo stored as evidence (None for a database in memory); its SHA-256."""
    data = data_folder(db)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "现场照片.jpg"
        path.write_bytes(site_photo_jpeg(caption, taken))
        return add_evidence(db, data, path)

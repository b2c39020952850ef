"""Pictures for print: evidence photos and drawn signatures, downscaled before they are embedded.

A phone photo is 12 megapixels and 3–5 MB; printed as a 6 cm thumbnail it needs 800 pixels. Each
photo is decoded at reduced size (JPEG DCT scaling), turned upright by its EXIF orientation and
re-encoded as an 800-pixel JPEG of about 100 kB, so that a sheet with ten photos stays near a
megabyte. Decoding still costs some 80 ms per photo, so the print copies are kept in the data
folder's ``cache/print/`` under the evidence file's SHA-256 (evidence never changes under its hash;
the cache is disposable, not backed up, and a cache that cannot be written is simply skipped), and
a sheet's photos are decoded on all cores at once.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reportlab.platypus import Flowable, Image

from inspector.errors import StoreError
from inspector.fileio import write_bytes_atomic

PHOTO_PX = 800  # photos are downscaled to this many pixels on the long side before embedding
CACHE_VERSION = 1  # part of the cache file name: bump when the print copy is made differently


@dataclass(frozen=True)
class Picture:
    """An image ready to embed: bytes re-encoded at print size, and its pixel size."""

    data: bytes
    width: int
    height: int
    path: Path | None = None  # the same bytes as a cached JPEG file

    def flowable(self, max_w: float, max_h: float) -> Image:
        scale = min(max_w / self.width, max_h / self.height)
        # Given a JPEG file name, reportlab copies the file's bytes as they are; given bytes, it
        # decodes them to pixels and hashes those for its image cache (some 8 ms per photo).
        source = str(self.path) if self.path is not None else io.BytesIO(self.data)
        return Image(source, width=self.width * scale, height=self.height * scale)


def print_cache(data: Path, sha256: str, max_px: int = PHOTO_PX) -> Path:
    """Where the print copy of an evidence file is kept."""
    return data / "cache" / "print" / sha256[:2] / f"{sha256}-{max_px}-v{CACHE_VERSION}.jpg"


def _cached(cache: Path) -> Picture | None:
    from PIL import Image as PILImage

    try:
        blob = cache.read_bytes()
        with PILImage.open(io.BytesIO(blob)) as img:  # reads the header only
            return Picture(blob, img.width, img.height, cache)
    except (OSError, ValueError, SyntaxError):
        return None


def load_picture(
    path: Path, *, max_px: int = PHOTO_PX, line_art: bool = False, cache: Path | None = None
) -> Picture | None:
    """A photo (or a drawn signature, ``line_art``) downscaled for print; None when not an image.

    Photos go in as JPEG; line art as PNG on white, where JPEG would blur the strokes. The EXIF
    orientation is applied, or portrait phone photos print lying on their side.
    """
    try:
        from PIL import Image as PILImage
        from PIL import ImageOps
    except ImportError:  # pragma: no cover - reportlab brings Pillow
        return None
    if cache is not None and cache.is_file() and (hit := _cached(cache)) is not None:
        return hit
    try:
        with PILImage.open(path) as img:
            if img.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 size right away: many times faster
                scale = max_px / max(img.size)
                img.draft("RGB", (int(img.width * scale) + 1, int(img.height * scale) + 1))
            img.load()
            shown = ImageOps.exif_transpose(img) or img
    except (OSError, ValueError, PILImage.DecompressionBombError, SyntaxError):
        return None
    shown.thumbnail((max_px, max_px))
    if shown.mode in ("RGBA", "LA", "P", "PA"):
        shown = shown.convert("RGBA")
        flat = PILImage.new("RGB", shown.size, "white")
        flat.paste(shown, mask=shown.getchannel("A"))
        shown = flat
    elif shown.mode != "RGB":
        shown = shown.convert("RGB")
    out = io.BytesIO()
    if line_art:
        shown.save(out, format="PNG", optimize=True)
    else:
        shown.save(out, format="JPEG", quality=80, optimize=True)
    picture = Picture(out.getvalue(), shown.width, shown.height)
    if cache is not None and not line_art:
        # a read-only data folder still prints, only slower next time
        with contextlib.suppress(StoreError, OSError):
            write_bytes_atomic(cache, picture.data)
            picture = Picture(picture.data, picture.width, picture.height, cache)
    return picture


def load_pictures(sources: Sequence[tuple[Path, Path | None] | None]) -> list[Picture | None]:
    """:func:`load_picture` for many (file, cache) pairs on all cores; Pillow decodes without the GIL."""

    def one(source: tuple[Path, Path | None] | None) -> Picture | None:
        return load_picture(source[0], cache=source[1]) if source else None

    workers = min(len(sources), os.cpu_count() or 1, 8)
    if workers <= 1:
        return [one(x) for x in sources]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, sources))


class Boxed(Flowable):  # type: ignore[misc]
    """A fixed-size box holding one flowable centred in it (thumbnails of different shapes)."""

    def __init__(self, inner: Flowable, width: float, height: float) -> None:
        super().__init__()
        self.inner = inner
        self.width = width
        self.height = height

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        w, h = self.inner.wrap(self.width, self.height)
        self.inner.drawOn(self.canv, (self.width - w) / 2, (self.height - h) / 2)


def prepare_print_copy(data: Path, sha256: str) -> bool:
    """Make an evidence photo's print copy now (e.g. in the background when it is attached), so that
    the first sheet does not pay the decoding; False when the file is not a picture."""
    from inspector.store.evidence import evidence_path

    return load_picture(evidence_path(data, sha256), cache=print_cache(data, sha256)) is not None


SIGNATURE_STROKE_MM = 0.45  # a ballpoint's line: thinner prints as a hairline after downscaling


def load_signature(path: Path, width_mm: float, height_mm: float) -> Picture | None:
    """A drawn signature cropped to its ink and given a pen's stroke at its printed size.

    The pad saves its whole area, mostly empty, at screen scale: printed in a signature cell as it
    was, the name came out some 15 mm wide in hairlines. Cropped to the ink (with a small margin)
    it fills a signature's width on paper, and the strokes are thickened (dilated) until they are
    about :data:`SIGNATURE_STROKE_MM` wide at that size. The ink is kept as it was drawn otherwise.
    """
    try:
        from PIL import Image as PILImage
        from PIL import ImageFilter
    except ImportError:  # pragma: no cover - reportlab brings Pillow
        return None
    try:
        with PILImage.open(path) as img:
            img.load()
            rgba = img.convert("RGBA")
    except (OSError, ValueError, PILImage.DecompressionBombError, SyntaxError):
        return None
    flat = PILImage.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    ink = flat.convert("L").point(lambda v: 255 if v < 160 else 0)  # white where there is ink
    box = ink.getbbox()
    if box is None:
        return load_picture(path, max_px=600, line_art=True)
    margin = max(4, (box[3] - box[1]) // 12)
    box = (
        max(0, box[0] - margin),
        max(0, box[1] - margin),
        min(ink.width, box[2] + margin),
        min(ink.height, box[3] + margin),
    )
    ink = ink.crop(box)
    # the printed scale: pixels per millimetre once the crop is fitted into the cell
    px_per_mm = max(ink.width / width_mm, ink.height / height_mm)
    if px_per_mm > 12:  # more pixels than print needs: downscale first (600 dpi is ~24 px/mm)
        factor = 12 / px_per_mm
        ink = ink.resize((max(1, round(ink.width * factor)), max(1, round(ink.height * factor))))
        ink = ink.point(lambda v: 255 if v > 90 else 0)
        px_per_mm = 12
    # the stroke's width now: erode until the ink is gone (each pass takes a pixel off each side)
    passes, probe = 0, ink
    while probe.getbbox() is not None and passes < 20:
        probe = probe.filter(ImageFilter.MinFilter(3))
        passes += 1
    stroke_px = 2 * passes
    want_px = SIGNATURE_STROKE_MM * px_per_mm
    grow = round((want_px - stroke_px) / 2)
    for _n in range(max(0, grow)):
        ink = ink.filter(ImageFilter.MaxFilter(3))
    shown = PILImage.new("RGB", ink.size, "white")
    shown.paste(PILImage.new("RGB", ink.size, (0, 0, 0)), mask=ink)
    out = io.BytesIO()
    shown.save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), shown.width, shown.height)

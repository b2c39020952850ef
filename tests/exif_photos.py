"""Real JPEGs with EXIF written by Pillow (``Image.Exif``), for the capture-time tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector.store.exif import (
    DATETIME,
    DATETIME_DIGITIZED,
    DATETIME_ORIGINAL,
    EXIF_IFD,
    GPS_IFD,
    MAKE,
    MODEL,
    OFFSET_TIME_ORIGINAL,
    SOFTWARE,
)


def exif_photo(
    path: Path,
    *,
    taken: str | None = "2026:05:12 10:03:15",
    offset: str | None = "+08:00",
    modified: str | None = None,
    software: str | bytes | None = None,
    gps: tuple[Any, Any, Any, Any] | None = ("N", (30.0, 39.0, 25.2), "E", (104.0, 4.0, 0.0)),
    digitized: str | None = None,
    make: str | None = "HUAWEI",
    model: str | None = "P40",
    size: tuple[int, int] = (320, 240),
    colour: str = "#3a7bd5",
) -> Path:
    """A JPEG whose EXIF says what it is given (None leaves a tag out)."""
    from PIL import Image

    exif = Image.Exif()
    for tag, value in ((MAKE, make), (MODEL, model), (SOFTWARE, software), (DATETIME, modified or taken)):
        if value is not None:
            exif[tag] = value
    sub = exif.get_ifd(EXIF_IFD)
    for tag, value in (
        (DATETIME_ORIGINAL, taken),
        (DATETIME_DIGITIZED, digitized),
        (OFFSET_TIME_ORIGINAL, offset),
    ):
        if value is not None:
            sub[tag] = value
    if gps is not None:
        g = exif.get_ifd(GPS_IFD)
        g[1], g[2], g[3], g[4] = gps
    Image.new("RGB", size, colour).save(path, exif=exif, quality=85)
    return path

"""What a photo's EXIF says about when, where and with what it was taken, read with Pillow.

Read (EXIF 2.32 / CIPA DC-008 tag names):

- the capture time: ``DateTimeOriginal`` (0x9003), else ``DateTimeDigitized`` (0x9004), with
  ``OffsetTimeOriginal`` / ``OffsetTimeDigitized`` (0x9011 / 0x9012) when present. Without an
  offset the time is the camera's wall clock in an unknown zone: it is read as the laptop's local
  time and marked so (:attr:`Capture.offset_assumed`);
- the last-modified time ``DateTime`` (0x0132, with ``OffsetTime`` 0x9010) and ``Software``
  (0x0131): a file whose ``DateTime`` is later than its capture time (by more than
  :data:`SAVE_SLACK`, the seconds a phone takes to finish an HDR or night shot), or whose
  ``Software`` names a picture editor (:data:`EDITORS`), was edited after capture;
- the position from the GPS IFD (latitude, longitude and their N/S, E/W references) in decimal
  degrees; the camera's ``Make`` and ``Model``.

Limits, said plainly: EXIF is written by whatever last saved the file and can be forged or stripped
by anyone; these readings find the ordinary cases (a photo from another day, one passed through an
editor that says so), not a determined forger. A file whose EXIF was stripped (most messaging apps
do it) has no capture time: that is "no capture time", never "edited". An editor that keeps the
original tags and writes no ``Software`` goes unseen.

Every file is hostile: a truncated EXIF block, a date like ``0000:00:00``, a zero denominator or a
huge value never raises; the tag is reported in :attr:`Capture.unreadable` and treated as absent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# EXIF tag numbers (CIPA DC-008-2019)
DATETIME = 0x0132
SOFTWARE = 0x0131
MAKE = 0x010F
MODEL = 0x0110
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
DATETIME_DIGITIZED = 0x9004
OFFSET_TIME = 0x9010
OFFSET_TIME_ORIGINAL = 0x9011
OFFSET_TIME_DIGITIZED = 0x9012
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4

#: a DateTime this many seconds after the capture still counts as the camera's own save
SAVE_SLACK = dt.timedelta(seconds=60)
#: years outside these are not a photo's date (a camera whose clock was never set says 0000 or 1970)
FIRST_YEAR, LAST_YEAR = 1990, 2100
#: words in ``Software`` that name a picture editor (lower case); camera firmware and phone
#: system versions ("Ver.1.01", "17.4.1", "HDR+ 1.0") are not in it
EDITORS = (
    "photoshop", "lightroom", "adobe", "gimp", "snapseed", "picsart", "paint.net", "pixelmator",
    "affinity", "capture one", "luminar", "darktable", "rawtherapee", "acdsee", "faststone",
    "irfanview", "photoscape", "fotor", "canva", "photo editor", "photos editor", "picasa",
    "photoworks", "inshot", "vsco", "美图", "meitu", "醒图", "黄油相机", "轻颜", "美颜", "photodirector",
    "polarr", "泼辣",
)  # fmt: skip
MAX_TEXT = 64  # a camera's make or model, a program's name: longer is clipped

_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class Capture:
    """What a file's EXIF says; all None when it says nothing (or is not a picture)."""

    is_picture: bool  # Pillow could open it as an image
    taken: dt.datetime | None = None  # aware: with the recorded offset, or the laptop's (assumed)
    offset_assumed: bool = False  # no offset recorded: the laptop's local time zone was assumed
    taken_tag: str | None = None  # "DateTimeOriginal" or "DateTimeDigitized"
    modified: dt.datetime | None = None  # the DateTime tag, in the same reading
    software: str | None = None
    make: str | None = None
    model: str | None = None
    gps: tuple[float, float] | None = None  # latitude, longitude in decimal degrees
    #: DateTime later than the capture by more than SAVE_SLACK (beyond the camera's own save)
    modified_after: bool = False
    unreadable: tuple[str, ...] = field(default=())  # tags present but not readable

    @property
    def edited_by(self) -> str | None:
        """The editor ``Software`` names, if it names one."""
        low = (self.software or "").lower()
        return self.software if any(word in low for word in EDITORS) else None

    @property
    def edited(self) -> bool:
        return self.modified_after or self.edited_by is not None

    @property
    def camera(self) -> str | None:
        make, model = self.make or "", self.model or ""
        text = model if make and model.lower().startswith(make.lower()) else f"{make} {model}"
        return text.strip() or None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        # Pillow reads EXIF's ASCII as Latin-1; Chinese apps write UTF-8 there (美图秀秀)
        with contextlib.suppress(UnicodeError):
            value = value.encode("latin-1").decode("utf-8")
    elif isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    else:
        raise ValueError("not text")
    text = "".join(c for c in value if c.isprintable()).strip()
    return text[:MAX_TEXT] or None


def _date(value: Any) -> dt.datetime | None:
    """A naive wall-clock time; None when blank (EXIF's "unknown"); ValueError when not a date."""
    text = _text(value)
    if text is None or not text.strip(" :0"):
        return None  # blank or all zeros: the camera did not know
    m = _DATE.fullmatch(text[:19]) if len(text) >= 19 else None
    if m is None:
        raise ValueError("not an EXIF date")
    year = int(m.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("absurd year")
    month, day, hour, minute, second = (int(g) for g in m.groups()[1:])
    return dt.datetime(year, month, day, hour, minute, second)


def _offset(value: Any) -> dt.timezone | None:
    text = _text(value)
    if text is None or not text.strip(" :"):
        return None
    m = _OFFSET.fullmatch(text)
    if m is None:
        raise ValueError("not an offset")
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 14 * 60 or int(m.group(3)) >= 60:  # UTC-12:00 to UTC+14:00 are the zones there are
        raise ValueError("absurd offset")
    return dt.timezone(dt.timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def _degrees(value: Any, ref: Any, limit: float, negative: str) -> float:
    parts = [float(x) for x in value]
    if not 1 <= len(parts) <= 3:
        raise ValueError("not degrees, minutes, seconds")
    parts += [0.0] * (3 - len(parts))
    deg = parts[0] + parts[1] / 60 + parts[2] / 3600
    if not all(math.isfinite(x) and x >= 0 for x in parts) or max(parts[1:]) >= 60 or deg > limit:
        raise ValueError("absurd position")
    return -deg if (_text(ref) or "").upper().startswith(negative) else deg


class _Reader:
    """Reads tags one at a time, collecting the names of those that cannot be read."""

    def __init__(self) -> None:
        self.unreadable: list[str] = []

    def get(self, ifd: Any, tag: int, name: str, read: Any) -> Any:
        try:
            value = ifd.get(tag) if ifd is not None else None
            return None if value is None else read(value)
        except Exception:  # a hostile tag may fail in any way inside Pillow or here: it is unreadable
            self.unreadable.append(name)
            return None

    def ifd(self, exif: Any, tag: int, name: str) -> Any:
        try:
            return exif.get_ifd(tag)
        except Exception:  # a broken pointer to a sub-IFD (truncated file, loop, bad offset)
            self.unreadable.append(name)
            return None


def _read(exif: Any) -> Capture:
    r = _Reader()
    sub = r.ifd(exif, EXIF_IFD, "ExifIFD")
    gps_ifd = r.ifd(exif, GPS_IFD, "GPSInfo")
    taken, tag, offset = r.get(sub, DATETIME_ORIGINAL, "DateTimeOriginal", _date), "DateTimeOriginal", None
    if taken is not None:
        offset = r.get(sub, OFFSET_TIME_ORIGINAL, "OffsetTimeOriginal", _offset)
    else:
        taken, tag = r.get(sub, DATETIME_DIGITIZED, "DateTimeDigitized", _date), "DateTimeDigitized"
        if taken is not None:
            offset = r.get(sub, OFFSET_TIME_DIGITIZED, "OffsetTimeDigitized", _offset)
    modified = r.get(exif, DATETIME, "DateTime", _date)
    modified_offset = r.get(sub, OFFSET_TIME, "OffsetTime", _offset) if modified is not None else None
    gps = None
    if gps_ifd:
        lat = r.get(gps_ifd, GPS_LATITUDE, "GPSLatitude", lambda v: _degrees(v, gps_ifd.get(1), 90, "S"))
        lon = r.get(gps_ifd, GPS_LONGITUDE, "GPSLongitude", lambda v: _degrees(v, gps_ifd.get(3), 180, "W"))
        gps = (round(lat, 6), round(lon, 6)) if lat is not None and lon is not None else None
    assumed = taken is not None and offset is None
    local = _local_zone(taken) if taken is not None else None
    aware = taken.replace(tzinfo=offset or local) if taken is not None else None
    # the DateTime tag is in the camera's clock too: with no offset of its own, the capture's reading
    mod_zone = modified_offset or offset or (local if taken is not None else None) or dt.UTC
    later = False
    if taken is not None and modified is not None:
        if offset is not None and modified_offset is not None:  # both recorded: compare instants
            later = modified.replace(tzinfo=modified_offset) - taken.replace(tzinfo=offset) > SAVE_SLACK
        else:  # one camera clock, zone unknown for at least one: compare the wall-clock times
            later = modified - taken > SAVE_SLACK
    return Capture(
        is_picture=True,
        taken=aware,
        modified_after=later,
        offset_assumed=assumed,
        taken_tag=tag if taken is not None else None,
        modified=modified.replace(tzinfo=mod_zone) if modified is not None else None,
        software=r.get(exif, SOFTWARE, "Software", _text),
        make=r.get(exif, MAKE, "Make", _text),
        model=r.get(exif, MODEL, "Model", _text),
        gps=gps,
        unreadable=tuple(dict.fromkeys(r.unreadable)),
    )


def _local_zone(wall: dt.datetime) -> dt.tzinfo:
    """The laptop's offset at that wall-clock time (summer time included where there is one)."""
    try:
        zone = wall.astimezone().tzinfo
    except (OverflowError, OSError, ValueError):
        zone = None
    return zone or dt.UTC


def read_capture(path: Path) -> Capture:
    """The EXIF reading of a file; ``Capture(is_picture=False)`` when Pillow cannot open it."""
    from PIL import Image

    try:
        with Image.open(path) as img:  # reads the headers, not the pixels
            try:
                exif = _exif_of(img)
            except Exception:  # a truncated or garbled EXIF block in a picture that opens
                return Capture(is_picture=True, unreadable=("EXIF",))
    except Exception:  # a hostile or foreign file may fail in any way inside Pillow
        # Pillow's JPEG opener reads the EXIF too and gives up on a garbled one: read it alone
        segment = _jpeg_exif(path)
        if segment is None:
            return Capture(is_picture=False)
        try:
            exif = Image.Exif()
            exif.load(segment)
        except Exception:  # the EXIF block itself is beyond reading
            return Capture(is_picture=True, unreadable=("EXIF",))
    try:
        return _read(exif)
    except Exception:  # the per-tag guards should catch all; a reading never stops the caller
        return Capture(is_picture=True, unreadable=("EXIF",))


def _exif_of(img: Any) -> Any:
    """The image's EXIF without decoding its pixels.

    Pillow looks for a PNG's eXIf chunk after the pixel data by decoding the whole picture (a
    hostile 80-megapixel PNG costs seconds and a quarter of a gigabyte); PNG 1.5 puts eXIf before
    the pixels, so a PNG with none there has none."""
    from PIL import Image

    if img.format == "PNG" and "exif" not in img.info:
        return Image.Exif()
    return img.getexif()


def _jpeg_exif(path: Path, limit: int = 1 << 20) -> bytes | None:
    """The EXIF (APP1) segment of a JPEG found by walking its markers; None when not a JPEG."""
    try:
        with path.open("rb") as f:
            head = f.read(limit)
    except OSError:
        return None
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 4 <= len(head) and head[at] == 0xFF:
        marker = head[at + 1]
        length = int.from_bytes(head[at + 2 : at + 4], "big")
        if marker == 0xDA or length < 2:  # start of scan: no EXIF comes after it
            return b""
        body = head[at + 4 : at + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\0\0"):
            return body[6:]
        at += 2 + length
    return b""

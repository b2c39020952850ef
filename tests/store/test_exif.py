"""A photo's EXIF capture time, position and edit marks, and the flags they raise for a visit.

Photos are real JPEGs written by Pillow with ``Image.Exif``; hostile ones are seeded mutations and
truncations of those, and Hypothesis-chosen tag values: reading them must never raise."""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL.TiffImagePlugin import IFDRational

from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.exif import (
    DATETIME,
    DATETIME_DIGITIZED,
    DATETIME_ORIGINAL,
    EXIF_IFD,
    FIRST_YEAR,
    GPS_IFD,
    LAST_YEAR,
    MAKE,
    MODEL,
    SOFTWARE,
    Capture,
    read_capture,
)
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from inspector.store.visit_evidence import EDITED, NO_CAPTURE_TIME, OTHER_DAY, judge, visit_evidence
from tests.exif_photos import exif_photo

RUBRIC = "sichuan-2017-inspection"


@pytest.fixture
def utc_laptop() -> Iterator[None]:
    """The laptop's zone set to UTC, so that 'read as local time' is visibly not +08:00."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_capture_time_with_its_offset_position_and_camera(tmp_path: Path) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg"))
    assert c.is_picture and c.taken_tag == "DateTimeOriginal"
    assert c.taken == dt.datetime(2026, 5, 12, 10, 3, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert not c.offset_assumed
    assert c.gps == (pytest.approx(30.657), pytest.approx(104.066667))
    assert c.camera == "HUAWEI P40" and not c.edited and c.unreadable == ()


def test_southern_western_position_is_negative(tmp_path: Path) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", gps=("S", (33.0, 52.0, 0.0), "W", (151.0, 12.0, 36.0))))
    assert c.gps == (pytest.approx(-33.866667), pytest.approx(-151.21))


def test_no_offset_is_read_as_the_laptops_time_and_says_so(tmp_path: Path, utc_laptop: None) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", offset=None))
    assert c.offset_assumed and c.taken is not None
    assert c.taken.utcoffset() == dt.timedelta(0) and c.taken.hour == 10


def test_digitized_time_when_there_is_no_original(tmp_path: Path) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", taken=None, digitized="2026:05:12 08:00:00"))
    assert c.taken_tag == "DateTimeDigitized" and c.taken is not None and c.taken.hour == 8


def test_edited_after_capture_by_time_or_by_editor(tmp_path: Path) -> None:
    later = read_capture(exif_photo(tmp_path / "a.jpg", modified="2026:05:13 21:40:00"))
    assert later.modified_after and later.edited and later.edited_by is None
    camera_save = read_capture(exif_photo(tmp_path / "b.jpg", modified="2026:05:12 10:03:20"))
    assert not camera_save.edited  # the camera's own save, seconds after the shutter
    ps = read_capture(exif_photo(tmp_path / "c.jpg", software="Adobe Photoshop 25.0 (Windows)"))
    assert ps.edited and ps.edited_by == "Adobe Photoshop 25.0 (Windows)" and not ps.modified_after
    # UTF-8 in an ASCII tag, as Chinese apps write it
    meitu = read_capture(exif_photo(tmp_path / "d.jpg", software="美图秀秀".encode()))
    assert meitu.edited
    firmware = read_capture(exif_photo(tmp_path / "e.jpg", software="ELS-AN00 3.0.0.120(C00E110R5P2)"))
    assert not firmware.edited


def test_modified_time_compared_on_the_cameras_clock(tmp_path: Path, utc_laptop: None) -> None:
    """DateTime with an offset, DateTimeOriginal without: the laptop's zone (UTC here) must not
    make a camera's own save at the same wall-clock time look eight hours later."""
    from PIL import Image

    exif = Image.Exif()
    exif[MAKE] = "OPPO"
    exif[DATETIME] = "2026:05:12 10:03:15"
    sub = exif.get_ifd(EXIF_IFD)
    sub[DATETIME_ORIGINAL] = "2026:05:12 10:03:15"
    sub[0x9010] = "-08:00"  # OffsetTime, for DateTime only
    path = tmp_path / "a.jpg"
    Image.new("RGB", (32, 32)).save(path, exif=exif)
    c = read_capture(path)
    assert c.offset_assumed and not c.modified_after and not c.edited


def test_stripped_exif_is_no_capture_time_not_edited(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "wechat.jpg"
    Image.new("RGB", (64, 48), "white").save(path)
    c = read_capture(path)
    assert c == Capture(is_picture=True)
    assert judge(c, "2026-05-12", picture=True) == (NO_CAPTURE_TIME,)


def test_flags_compare_calendar_days_in_the_photos_own_offset(tmp_path: Path, utc_laptop: None) -> None:
    late = read_capture(exif_photo(tmp_path / "a.jpg", taken="2026:05:12 23:30:00", offset="+08:00"))
    assert judge(late, "2026-05-12", picture=True) == ()  # 15:30 UTC, still the 12th in Chengdu
    assert judge(late, "2026-05-13", picture=True) == (OTHER_DAY,)
    assert judge(late, None, picture=True) == ()  # no visit date: nothing to compare with
    early = read_capture(exif_photo(tmp_path / "b.jpg", taken="2026:05:11 18:00:00", offset=None))
    assert judge(early, "2026-05-12", picture=True) == (OTHER_DAY,)
    both = read_capture(exif_photo(tmp_path / "c.jpg", taken="2026:05:11 18:00:00", software="GIMP 2.10"))
    assert judge(both, "2026-05-12", picture=True) == (OTHER_DAY, EDITED)


def test_a_document_is_not_flagged(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4 scan")
    c = read_capture(pdf)
    assert not c.is_picture and judge(c, "2026-05-12", picture=False) == ()
    # a phone's HEIC that Pillow cannot open is still a picture by its name: no capture time read
    assert judge(c, "2026-05-12", picture=True) == (NO_CAPTURE_TIME,)


@pytest.mark.parametrize(
    ("value", "unreadable"),
    [
        ("0000:00:00 00:00:00", False),  # a camera whose clock was never set: absent
        ("    :  :     :  :  ", False),  # EXIF's own "unknown"
        ("2026:13:45 99:00:00", True),
        ("1900:01:01 00:00:00", True),
        ("9999:12:31 23:59:59", True),
        ("yesterday", True),
        ("2026:05:12", True),
    ],
)
def test_absurd_dates_are_no_capture_time(tmp_path: Path, value: str, unreadable: bool) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", taken=value, modified="2026:05:12 10:00:00"))
    assert c.taken is None and not c.edited
    assert ("DateTimeOriginal" in c.unreadable) is unreadable
    assert judge(c, "2026-05-12", picture=True) == (NO_CAPTURE_TIME,)


@pytest.mark.parametrize(
    "gps",
    [
        ("N", (30.0, 39.0, IFDRational(25, 0)), "E", (104.0, 4.0, 0.0)),  # a zero denominator
        ("N", (300.0, 0.0, 0.0), "E", (104.0, 4.0, 0.0)),
        ("N", (30.0,) * 5, "E", (104.0, 4.0, 0.0)),
        ("N", (IFDRational(0, 0),) * 3, "E", (104.0, 4.0, 0.0)),
        ("N", (30.0, 75.0, 0.0), "E", (104.0, 4.0, 0.0)),  # 75 minutes
    ],
)
def test_absurd_positions_are_unreadable(tmp_path: Path, gps: Any) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", gps=gps))
    assert c.gps is None and "GPSLatitude" in c.unreadable
    assert c.taken is not None  # the rest of the reading stands


def test_huge_and_binary_text_tags(tmp_path: Path) -> None:
    c = read_capture(exif_photo(tmp_path / "a.jpg", make="X" * 60_000, model="\x00\x01bad\x7f"))
    assert c.make == "X" * 64 and c.model == "bad"


def test_seeded_mutations_of_real_photos_never_raise(tmp_path: Path) -> None:
    rng = random.Random(19)
    good = exif_photo(tmp_path / "g.jpg", software="Lightroom", modified="2026:05:12 12:00:00").read_bytes()
    start = good.index(b"Exif")
    end = start + int.from_bytes(good[start - 2 : start], "big")  # the APP1 segment holds the EXIF
    seen = set()
    for n in range(400):
        blob = bytearray(good)
        if n % 4 == 0:
            blob = blob[: rng.randrange(2, end + 16)]  # truncated in or just after the EXIF
        else:
            for _k in range(rng.randrange(1, 12)):
                blob[rng.randrange(start, end)] = rng.randrange(256)
        path = tmp_path / "m.jpg"
        path.write_bytes(bytes(blob))
        c = read_capture(path)
        assert isinstance(c, Capture)
        seen.add((c.is_picture, c.taken is not None, bool(c.unreadable)))
        judge(c, "2026-05-12", picture=True)
    assert len(seen) >= 3  # the mutations reached good, unreadable and unopenable readings


TAGS = [DATETIME, SOFTWARE, MAKE, MODEL, DATETIME_ORIGINAL, DATETIME_DIGITIZED, 0x9010, 0x9011, 1, 2, 3, 4]
_entry = st.tuples(
    st.one_of(st.sampled_from(TAGS), st.integers(0, 0xFFFF)),
    st.integers(0, 13),  # field types, 0 and 13 not among the valid ones
    st.one_of(st.integers(0, 24), st.integers(0, 2**32 - 1)),  # counts, sane and huge
    st.one_of(st.binary(min_size=4, max_size=4), st.integers(0, 400).map(lambda n: n.to_bytes(4, "big"))),
)


def raw_tiff(ifd0: list[Any], sub: list[Any], gps: list[Any], blob: bytes) -> bytes:
    """A big-endian TIFF structure: IFD0 (pointing at the Exif and GPS IFDs), the two IFDs, a blob
    that values and offsets may point into. Nothing is checked: this is what a forger can write."""

    def ifd(entries: list[Any], at: int) -> bytes:
        out = len(entries).to_bytes(2, "big")
        for tag, typ, count, value in entries:
            out += tag.to_bytes(2, "big") + typ.to_bytes(2, "big") + count.to_bytes(4, "big") + value
        return out + b"\0\0\0\0"

    at0 = 8
    at_sub = at0 + 2 + 12 * (len(ifd0) + 2) + 4
    at_gps = at_sub + 2 + 12 * len(sub) + 4
    pointers = [(EXIF_IFD, 4, 1, at_sub.to_bytes(4, "big")), (GPS_IFD, 4, 1, at_gps.to_bytes(4, "big"))]
    return (
        b"MM\0\x2a"
        + at0.to_bytes(4, "big")
        + ifd(ifd0 + pointers, at0)
        + ifd(sub, at_sub)
        + ifd(gps, at_gps)
        + blob
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ifd0=st.lists(_entry, max_size=8),
    sub=st.lists(_entry, max_size=8),
    gps=st.lists(_entry, max_size=6),
    blob=st.binary(max_size=300),
)
def test_any_raw_exif_never_raises(
    tmp_path: Path, ifd0: list[Any], sub: list[Any], gps: list[Any], blob: bytes
) -> None:
    from PIL import Image

    path = tmp_path / "h.jpg"
    Image.new("RGB", (16, 16)).save(path, exif=b"Exif\0\0" + raw_tiff(ifd0, sub, gps, blob))
    c = read_capture(path)
    assert c.is_picture
    if c.taken is not None:
        assert FIRST_YEAR <= c.taken.year <= LAST_YEAR
    if c.gps is not None:
        assert abs(c.gps[0]) <= 90 and abs(c.gps[1]) <= 180
    judge(c, "2026-05-12", picture=True)


def test_raw_exif_builder_makes_readable_exif(tmp_path: Path) -> None:
    """The hostile builder above reaches the reader: a well-formed entry made with it is read."""
    from PIL import Image

    when = b"2026:05:12 10:03:15\0"
    at_blob = 8 + 2 + 12 * 2 + 4 + 2 + 12 * 1 + 4 + 2 + 4
    tiff = raw_tiff([], [(DATETIME_ORIGINAL, 2, len(when), at_blob.to_bytes(4, "big"))], [], when)
    path = tmp_path / "ok.jpg"
    Image.new("RGB", (16, 16)).save(path, exif=b"Exif\0\0" + tiff)
    assert read_capture(path).taken == dt.datetime(2026, 5, 12, 10, 3, 15).astimezone()


def test_an_evaluations_evidence_numbered_with_flags(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = open_database(data)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张三")
    org = add_org(db, "成都市第一技工学校鉴定站", "51A001")["id"]
    e = store.create(RUBRIC, org, visit_date="2026-05-12")
    on_day = add_evidence(db, data, exif_photo(tmp_path / "现场.jpg"))
    old = add_evidence(db, data, exif_photo(tmp_path / "旧照.jpg", taken="2026:04:30 09:00:00", colour="red"))
    (tmp_path / "台账.pdf").write_bytes(b"%PDF-1.4 ledger")
    pdf = add_evidence(db, data, tmp_path / "台账.pdf")
    store.record(e.id, "1.1.1", {"met": False, "evidence": [{"sha256": on_day, "name": "现场.jpg"}]})
    store.record(
        e.id, "1.2.1", {"met": False, "evidence": [{"sha256": old, "name": "旧照.jpg"}, {"sha256": pdf}]}
    )
    found = visit_evidence(store, data, e.id)
    assert [(x.number, x.item_id, x.facts.flags) for x in found] == [
        ("E1", "1.1.1", ()),
        ("E2", "1.2.1", (OTHER_DAY,)),
        ("E3", "1.2.1", ()),
    ]
    assert found[1].facts.why(OTHER_DAY) == "拍摄于 2026-04-30，督导日为 2026-05-12"
    assert found[0].to_json()["captured_at"] == "2026-05-12T10:03:15+08:00"
    assert found[0].to_json()["gps"] == {"lat": 30.657, "lon": 104.066667}


def test_png_exif_is_read_without_decoding_pixels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image, PngImagePlugin

    with_exif, without = tmp_path / "a.png", tmp_path / "b.png"
    exif = Image.Exif()
    exif[MAKE] = "Xiaomi"  # Pillow writes the Exif IFD only beside some IFD0 tag
    exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = "2026:05:12 10:03:15"
    Image.new("RGB", (64, 48)).save(with_exif, exif=exif)
    Image.new("RGB", (64, 48)).save(without)
    assert read_capture(with_exif).taken is not None
    decoded: list[object] = []
    load = PngImagePlugin.PngImageFile.load

    def counted(self: PngImagePlugin.PngImageFile) -> object:
        decoded.append(self)
        return load(self)

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", counted)
    assert read_capture(without) == Capture(is_picture=True)
    assert decoded == []  # Pillow alone would decode the pixels looking for a late eXIf chunk

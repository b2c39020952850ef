"""Evidence on an item: a photo stored by hash, a thumbnail, a caption, removal; all recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from inspector.store.evaluations import Evaluation, EvaluationStore
from inspector.store.evidence import evidence_path, file_sha256
from tests.ui.conftest import Window


def test_attach_a_photo_with_a_caption(
    window: Window, store: EvaluationStore, fresh: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = tmp_path / "现场照片.jpg"
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7bd5"))
    assert image.save(str(photo))  # JPEG, from the name
    monkeypatch.setattr("ui.item_view.ask_caption", lambda *_a, **_k: "档案柜未上锁")

    window.start(fresh.id, "scoring")
    view = window.w.scoring.item_view
    assert view is not None
    view.attach([photo])  # before any mark: refused, nothing stored
    assert "先为本项评分" in view.message.text()
    window.type("1")
    view.attach([photo])  # the draft is recorded first, then the file
    window.settle()
    payload = store.observations(fresh.id)[0]["1.1.1"]
    assert payload.problems == 1
    assert len(payload.evidence) == 1
    ref = payload.evidence[0]
    assert ref.sha256 == file_sha256(photo) and ref.name == "现场照片.jpg" and ref.caption == "档案柜未上锁"
    assert evidence_path(window.w.data_dir, ref.sha256).exists()
    window.settle()
    item = view.evidence.list.item(0)
    assert item.text() == "档案柜未上锁\n※ 无拍摄时间"  # Qt writes no EXIF: nothing says when
    assert item.icon().availableSizes(), "no thumbnail"
    assert ref.sha256 in view.evidence.cache

    view.evidence.list.setFocus()
    view.evidence.list.setCurrentRow(0)
    window.key(Qt.Key.Key_Delete)
    assert not store.observations(fresh.id)[0]["1.1.1"].evidence
    assert store.observations(fresh.id)[0]["1.1.1"].problems == 1


def test_photos_show_capture_time_and_flags_in_words(
    window: Window, store: EvaluationStore, fresh: Evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The visit was on 2026-11-30: a photo from another day and an edited one are marked with
    words (and ※) under the thumbnail, not by colour; the tooltip says what raised the flag."""
    from tests.exif_photos import exif_photo

    on_day = exif_photo(tmp_path / "档案室.jpg", taken="2026:11:30 10:03:15")
    other_day = exif_photo(tmp_path / "旧照.jpg", taken="2026:10:08 16:20:00", gps=None, colour="#aa3333")
    edited = exif_photo(tmp_path / "修过.jpg", taken="2026:11:30 09:00:00", software="美图秀秀".encode())
    monkeypatch.setattr("ui.item_view.ask_caption", lambda *_a, **_k: "")
    window.start(fresh.id, "scoring")
    view = window.w.scoring.item_view
    assert view is not None
    window.type("1")
    view.attach([on_day, other_day, edited])
    window.settle()
    strip = view.evidence
    texts = [strip.list.item(row).text() for row in range(strip.list.count())]
    assert texts == [
        "档案室.jpg\n2026-11-30 10:03",
        "旧照.jpg\n※ 拍摄日期不是督导当日",
        "修过.jpg\n※ 拍摄后经过编辑",
    ]
    assert [strip.flags_of(row) for row in range(3)] == [(), ("other_day",), ("edited",)]
    tip = strip.list.item(1).toolTip()
    assert "拍摄时间：2026-10-08 16:20:00 UTC+08:00" in tip
    assert "※ 注意：拍摄日期不是督导当日（拍摄于 2026-10-08，督导日为 2026-11-30）" in tip
    assert "拍摄位置：北纬 30.657000°，东经 104.066667°" in strip.list.item(0).toolTip()
    assert "由编辑软件保存：美图秀秀" in strip.list.item(2).toolTip()
    # moving away and back shows the same at once, from the cache, with no re-reading
    window.key(Qt.Key.Key_Down)
    window.key(Qt.Key.Key_Up)
    window.settle()
    assert strip.list.item(1).text() == "旧照.jpg\n※ 拍摄日期不是督导当日"
    window.shot("evidence-capture-flags")

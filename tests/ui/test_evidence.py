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
    assert item.text() == "档案柜未上锁"
    assert item.icon().availableSizes(), "no thumbnail"
    assert ref.sha256 in view.evidence.cache

    view.evidence.list.setFocus()
    view.evidence.list.setCurrentRow(0)
    window.key(Qt.Key.Key_Delete)
    assert not store.observations(fresh.id)[0]["1.1.1"].evidence
    assert store.observations(fresh.id)[0]["1.1.1"].problems == 1

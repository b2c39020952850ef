"""Evidence on an item: thumbnails of photos, an icon for other files, a caption under each.

Thumbnails are decoded on the worker thread (a phone photo takes tens of milliseconds to
decode; QImage may be made off the GUI thread, QPixmap may not) and kept in a small cache, so
moving back to an item shows its photos at once. Files are stored by
:func:`inspector.store.evidence.add_evidence`, also on the worker thread.
"""

from __future__ import annotations

import mimetypes
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QImageReader, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from inspector.i18n import _
from inspector.store.evidence import evidence_path
from inspector.store.visit_evidence import FLAG_MARK, EvidenceFacts, file_facts, flag_text
from ui.worker import Worker

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
SHA_ROLE = Qt.ItemDataRole.UserRole + 1


def read_thumbnails(
    progress: Callable[[int, int], None], files: list[tuple[str, Path]], side: int
) -> dict[str, QImage]:
    """Scaled images of the files that are pictures (worker thread)."""
    out: dict[str, QImage] = {}
    for n, (sha, path) in enumerate(files, 1):
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)  # phones store portrait photos sideways with an EXIF tag
        size = reader.size()
        if size.isValid() and size.width() > 0 and size.height() > 0:
            reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            out[sha] = image
        progress(n, len(files))
    return out


def read_facts(
    progress: Callable[[int, int], None], data: Path, refs: list[tuple[str, str]], visit_date: str | None
) -> dict[str, EvidenceFacts]:
    """Capture time, position and flags of (sha256, name) files (worker thread): EXIF headers only."""
    out: dict[str, EvidenceFacts] = {}
    for n, (sha, name) in enumerate(refs, 1):
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"  # as add_evidence stores it
        out[sha] = file_facts(data, sha, name, mime, visit_date)
        progress(n, len(refs))
    return out


def facts_line(facts: EvidenceFacts | None) -> str:
    """The second line under a thumbnail: the first flag (marked in words), else the capture time."""
    if facts is None:
        return ""
    if facts.flags:
        more = len(facts.flags) - 1
        return f"{FLAG_MARK} {flag_text(facts.flags[0])}" + (f" +{more}" if more else "")
    taken = facts.capture.taken
    return taken.strftime("%Y-%m-%d %H:%M") if taken is not None else ""


def store_files(progress: Callable[[int, int], None], data: Path, files: list[Path]) -> list[dict[str, str]]:
    """Store files as evidence (worker thread, own connection); their references, in order."""
    from inspector.folder import opened_folder
    from inspector.store.evidence import add_evidence

    with opened_folder(data) as db:
        refs = []
        for n, path in enumerate(files, 1):
            refs.append({"sha256": add_evidence(db, data, path), "name": path.name})
            progress(n, len(files))
        return refs


class _List(QListWidget):
    remove = Signal(int)
    caption = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.currentRow()
        if row >= 0 and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove.emit(row)
        elif row >= 0 and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.caption.emit(row)
        else:
            super().keyPressEvent(event)


class EvidenceStrip(QWidget):
    attach = Signal()
    edit_caption = Signal(int)
    remove = Signal(int)

    CACHE = 64

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker
        self.cache: OrderedDict[str, QPixmap] = OrderedDict()
        self.refs: list[dict[str, Any]] = []
        self.data: Path | None = None
        self.visit_date: str | None = None
        #: (sha256, visit date) → the EXIF reading and its flags (evidence never changes under its hash)
        self.facts: OrderedDict[tuple[str, str | None], EvidenceFacts] = OrderedDict()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title = QLabel(_("证据"))
        head.addWidget(self.title)
        head.addStretch(1)
        self.button = QPushButton(_("附加照片或文件…"))
        self.button.clicked.connect(self.attach.emit)
        head.addWidget(self.button)
        layout.addLayout(head)
        self.list = _List()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setWrapping(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.list.setToolTip(_("Enter 编辑说明，Delete 移除，双击编辑说明"))
        side = self.side()
        self.list.setIconSize(QSize(side, side))
        # a fixed cell, its text wrapped in it: a flag's words under a thumbnail must not run into
        # the next one's (caption, capture time or flag, up to three lines)
        line = self.fontMetrics().height()
        self.list.setWordWrap(True)
        self.list.setGridSize(QSize(side + 3 * line, side + 4 * line))
        self.list.setFixedHeight(side + 5 * line + self.list.horizontalScrollBar().sizeHint().height())
        self.list.itemDoubleClicked.connect(lambda it: self.edit_caption.emit(self.list.row(it)))
        self.list.caption.connect(self.edit_caption.emit)
        self.list.remove.connect(self.remove.emit)
        layout.addWidget(self.list)
        self.empty = QLabel(_("尚无证据。Ctrl+Shift+A 附加。"))
        self.empty.setObjectName("hint")
        layout.addWidget(self.empty)

    def side(self) -> int:
        return 6 * self.fontMetrics().height()

    def show_refs(
        self, data: Path, refs: list[dict[str, Any]], enabled: bool, visit_date: str | None = None
    ) -> None:
        """Show an item's evidence; ``visit_date`` (the evaluation's) for the capture-date flag."""
        self.data = data
        self.refs = refs
        self.visit_date = visit_date
        self.button.setEnabled(enabled)
        self.list.clear()
        self.list.setVisible(bool(refs))
        self.empty.setVisible(not refs)
        self.title.setText(_("证据（{n}）").format(n=len(refs)) if refs else _("证据"))
        wanted: list[tuple[str, Path]] = []
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        unread: list[tuple[str, str]] = []
        for ref in refs:
            sha = ref["sha256"]
            item = QListWidgetItem()
            item.setData(SHA_ROLE, sha)
            facts = self.facts.get((sha, visit_date))
            if facts is None:
                unread.append((sha, str(ref.get("name", ""))))
            self._describe(item, ref, facts)
            if sha in self.cache:
                item.setIcon(QIcon(self.cache[sha]))
            else:
                item.setIcon(file_icon)
                if Path(ref.get("name", "")).suffix.lower() in IMAGE_SUFFIXES:
                    wanted.append((sha, evidence_path(data, sha)))
            self.list.addItem(item)
        if wanted:
            self.worker.run(
                _("读取缩略图"), read_thumbnails, wanted, self.side(), on_done=self._thumbnails, owner=self
            )
        if unread:
            self.worker.run(
                _("读取拍摄信息"), read_facts, data, unread, visit_date, on_done=self._facts, owner=self
            )

    def _describe(self, item: QListWidgetItem, ref: dict[str, Any], facts: EvidenceFacts | None) -> None:
        sha = ref["sha256"]
        caption = ref.get("caption") or ref.get("name") or sha[:8]
        item.setText("\n".join(x for x in (caption, facts_line(facts)) if x))
        # the file name once: the caption only when there is one of its own
        lines = [
            ref.get("name", ""),
            *([ref["caption"]] if ref.get("caption") else []),
            *(facts.lines() if facts is not None else []),
            f"SHA-256 {sha}",
        ]
        item.setToolTip("\n".join(x for x in lines if x))

    def _facts(self, found: dict[str, EvidenceFacts]) -> None:
        for sha, facts in found.items():
            self.facts[(sha, facts.visit_date)] = facts
            self.facts.move_to_end((sha, facts.visit_date))
        while len(self.facts) > 4 * self.CACHE:
            self.facts.popitem(last=False)
        for row in range(min(self.list.count(), len(self.refs))):
            item = self.list.item(row)
            sha = item.data(SHA_ROLE)
            if sha in found and found[sha].visit_date == self.visit_date:
                self._describe(item, self.refs[row], found[sha])

    def flags_of(self, row: int) -> tuple[str, ...]:
        """The flags shown on a row (empty until the file's EXIF has been read)."""
        ref = self.refs[row]
        facts = self.facts.get((ref["sha256"], self.visit_date))
        return facts.flags if facts is not None else ()

    def _thumbnails(self, images: dict[str, QImage]) -> None:
        for sha, image in images.items():
            self.cache[sha] = QPixmap.fromImage(image)
            self.cache.move_to_end(sha)
        while len(self.cache) > self.CACHE:
            self.cache.popitem(last=False)
        for row in range(self.list.count()):
            item = self.list.item(row)
            sha = item.data(SHA_ROLE)
            if sha in images:
                item.setIcon(QIcon(self.cache[sha]))


def ask_caption(parent: QWidget, anchor: QWidget, label: str, text: str) -> str | None:
    """The caption typed, or None when cancelled. The dialog opens just below the evidence strip
    (``anchor``), as wide as it, not in the middle of the item where it hid the score's reason."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(_("证据说明"))
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    hint = dialog.sizeHint()
    dialog.resize(max(hint.width(), anchor.width()), hint.height())
    below = anchor.mapToGlobal(anchor.rect().bottomLeft())
    screen = anchor.screen().availableGeometry()
    x = min(max(below.x(), screen.left()), max(screen.left(), screen.right() - dialog.width()))
    y = min(below.y() + 4, max(screen.top(), screen.bottom() - dialog.height()))
    dialog.move(x, y)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()

"""Evidence on an item: thumbnails of photos, an icon for other files, a caption under each.

Thumbnails are decoded on the worker thread (a phone photo takes tens of milliseconds to
decode; QImage may be made off the GUI thread, QPixmap may not) and kept in a small cache, so
moving back to an item shows its photos at once. Files are stored by
:func:`inspector.store.evidence.add_evidence`, also on the worker thread.
"""

from __future__ import annotations

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
        self.list.setFixedHeight(side + 3 * self.fontMetrics().height())
        self.list.itemDoubleClicked.connect(lambda it: self.edit_caption.emit(self.list.row(it)))
        self.list.caption.connect(self.edit_caption.emit)
        self.list.remove.connect(self.remove.emit)
        layout.addWidget(self.list)
        self.empty = QLabel(_("尚无证据。Ctrl+Shift+A 附加。"))
        self.empty.setObjectName("hint")
        layout.addWidget(self.empty)

    def side(self) -> int:
        return 6 * self.fontMetrics().height()

    def show_refs(self, data: Path, refs: list[dict[str, Any]], enabled: bool) -> None:
        self.data = data
        self.refs = refs
        self.button.setEnabled(enabled)
        self.list.clear()
        self.list.setVisible(bool(refs))
        self.empty.setVisible(not refs)
        self.title.setText(_("证据（{n}）").format(n=len(refs)) if refs else _("证据"))
        wanted: list[tuple[str, Path]] = []
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for ref in refs:
            sha = ref["sha256"]
            caption = ref.get("caption") or ref.get("name") or sha[:8]
            item = QListWidgetItem(caption)
            item.setData(SHA_ROLE, sha)
            # the file name once: the caption only when there is one of its own
            lines = [ref.get("name", ""), *([ref["caption"]] if ref.get("caption") else []), f"SHA-256 {sha}"]
            item.setToolTip("\n".join(x for x in lines if x))
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

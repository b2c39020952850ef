"""USB sync bundles in the window: export and import dialogs, the drive picker, the import report.

Both dialogs do their work on the worker thread (:mod:`ui.worker`) with a progress bar; the
passphrase is asked in the dialog and handed to the task, never stored. The import dialog takes
every ``*.inspbundle`` on the chosen drive (or the files picked), imports each in turn (one refused
file does not stop the others), and lists what was added and every conflict; activating a conflict
asks the window to open the scoring view at that item (:attr:`ImportDialog.open_item`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.drives import Drive, removable_drives
from inspector.errors import InspectorError
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.models.evaluations_model import kind_label
from ui.worker import Progress, Worker

SUFFIX = ".inspbundle"


# --- drives --------------------------------------------------------------------------------------------


def drives_task(progress: Progress) -> list[Drive]:
    """Worker task: the removable drives (asking Windows can block on an offline network drive)."""
    return removable_drives()


def drive_label(drive: Drive) -> str:
    if drive.free is None:
        return drive.label
    return _("{name}（可用 {mb} MB）").format(name=drive.label, mb=drive.free // (1 << 20))


def default_name(kind: str, who: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", who)[:40] or "bundle"
    return f"{dt.date.today().isoformat()}_{kind}_{safe}{SUFFIX}"


class DriveCombo(QComboBox):
    """A combo box that says when its list is about to open (to list the drives again)."""

    opening = Signal()

    def showPopup(self) -> None:
        self.opening.emit()
        super().showPopup()


class DrivePicker(QWidget):
    """A combo of the removable drives plus "other folder…"; ``folder()`` is the choice.

    Only sticks, cards and USB disks are listed (:mod:`inspector.drives`: the system says which),
    never the laptop's own partitions or a network drive; the list is made on the worker thread
    and made again each time it is opened, so a stick put in after the dialog opened appears. A
    drive is chosen for the user only when it is the one stick there is; otherwise the user picks.
    """

    #: the list was (re)made: (number of drives)
    listed = Signal(int)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.drives: list[Drive] = []
        self.chosen: Path | None = None  # a folder picked with "other folder…"
        self.listing = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = DriveCombo()
        self.combo.opening.connect(self.refresh)
        layout.addWidget(self.combo, 1)
        self.other = QPushButton(_("其他文件夹…"))
        self.other.clicked.connect(self._choose)
        layout.addWidget(self.other)
        self._fill(_("正在查找 U 盘…"))
        self.refresh()

    def refresh(self) -> None:
        if self.listing:
            return
        self.listing = True
        self.worker.run(_("查找 U 盘"), drives_task, on_done=self._listed, on_error=self._failed, owner=self)

    def _listed(self, drives: list[Drive]) -> None:
        self.listing = False
        self.drives = drives
        self._fill(None)
        self.listed.emit(len(drives))

    def _failed(self, _error: Exception) -> None:  # pragma: no cover - list_drives raises no user error
        self.listing = False

    def _fill(self, placeholder: str | None, want: str | None = None) -> None:
        """The list, keeping the choice (a drive or a folder) across a refresh if it is still there."""
        current = self.combo.currentData()
        if placeholder is None and self.listing:
            placeholder = _("正在查找 U 盘…")
        self.combo.blockSignals(True)
        self.combo.clear()
        if self.chosen is not None:
            self.combo.addItem(str(self.chosen), str(self.chosen))
        for d in self.drives:
            self.combo.addItem(drive_label(d), str(d.root))
        if placeholder is None:
            placeholder = _("请选择 U 盘") if self.drives else _("未发现 U 盘：请插入，或选择其他文件夹")
        self.combo.insertItem(0, placeholder, "")
        values = [self.combo.itemData(i) for i in range(self.combo.count())]
        if want is not None:
            index = values.index(want)
        elif current and current in values:
            index = values.index(current)
        elif self.chosen is None and len(self.drives) == 1 and not current:
            index = 1  # the one stick there is
        else:
            index = 0
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if self.combo.currentData() != current:
            self.combo.currentIndexChanged.emit(index)

    def set_folder(self, folder: Path) -> None:
        self.chosen = folder
        self._fill(None, want=str(folder))

    def folder(self) -> Path | None:
        value = self.combo.currentData()
        return Path(value) if value else None

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("选择文件夹"))
        if chosen:
            self.set_folder(Path(chosen))


# --- worker tasks (own database connection each) ---------------------------------------------------


def export_task(progress: Progress, data: Path, passphrase: str, out: Path, options: dict[str, Any]) -> Any:
    from inspector.bundles.export import export_bundle
    from inspector.crypto.identity import unlock_identity

    keyring = unlock_identity(data, passphrase)
    with opened_folder(data) as db:
        return export_bundle(db, data, keyring, options.pop("kind"), out, progress=progress, **options)


@dataclass
class Outcome:
    path: Path
    report: Any | None  # ImportReport
    error: str | None


def import_task(
    progress: Progress, data: Path, passphrase: str, paths: list[Path], ca_fingerprint: str | None = None
) -> list[Outcome]:
    from inspector.bundles.importer import import_bundle

    out = []
    with opened_folder(data) as db:
        for n, path in enumerate(paths):
            progress(n, len(paths))
            try:
                report = import_bundle(db, data, path, passphrase=passphrase, ca_fingerprint=ca_fingerprint)
                out.append(Outcome(path, report, None))
            except InspectorError as e:
                out.append(Outcome(path, None, str(e)))
        progress(len(paths), len(paths))
    return out


# --- the dialogs ---------------------------------------------------------------------------------------


class _BundleDialog(QDialog):
    def __init__(self, data: Path, worker: Worker, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.data = data
        self.worker = worker
        self._listening = False  # to the worker's progress
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.go = self.buttons.addButton(_("开始"), QDialogButtonBox.ButtonRole.ActionRole)
        self.go.clicked.connect(self.start)
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("M") * 56, fm.height() * 26)

    def finish_layout(self) -> None:
        self.form.addRow(_("本机证书口令"), self.passphrase)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.message)

    def add_buttons(self) -> None:
        self.layout_.addWidget(self.buttons)
        self.passphrase.returnPressed.connect(self.start)

    def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _progress(self, label: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1) if total else 0)
        self.progress.setValue(done)

    def _busy(self, busy: bool) -> None:
        self.go.setEnabled(not busy)
        if busy and not self._listening:
            self.worker.progress.connect(self._progress)
        elif not busy and self._listening:
            self.worker.progress.disconnect(self._progress)
        self._listening = busy
        if not busy:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)

    def _failed(self, error: InspectorError) -> None:
        self._busy(False)
        self.progress.setValue(0)
        self.message.setText(_("未完成：{e}").format(e=error))


class ExportDialog(_BundleDialog):
    """Results to the centre or the lead (a laptop); assignments to a supervisor (the centre)."""

    exported = Signal(object)

    def __init__(self, data: Path, db: Any, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(data, worker, parent)
        from inspector.crypto import keys
        from inspector.crypto.identity import issued_recipients, load_identity, team_recipients
        from inspector.store.evaluations import evaluation_choices

        identity = load_identity(data)
        self.role = identity.role if identity is not None else None
        self.setWindowTitle(_("导出数据包"))
        self.recipient = QComboBox()
        self.evals = QListWidget()
        self.full = QCheckBox(_("完整导出（重发全部内容，而不只是对方还没有的）"))
        self.drive = DrivePicker(worker)
        self.name = QLineEdit()
        self.short: list[str] = []  # each recipient's name, for the file name
        if self.role == "centre":
            self.kind = "assignment"
            for who, name, card in issued_recipients(db):
                self.recipient.addItem(f"{name}（{card}）", who)
                self.short.append(name)
            self.form.addRow(_("督导员"), self.recipient)
        elif self.role == "station":  # issue 19: a station sends its signed self-assessment to the centre
            self.kind = "self-assessment"
            self.recipient.addItem(_("中心（默认）"), None)
            self.short.append(_("中心"))
            self.form.addRow(_("收件人"), self.recipient)
            self.form.addRow("", self.full)
        else:
            self.kind = "results"
            self.recipient.addItem(_("中心（默认）"), None)
            self.short.append(_("中心"))
            own = keys.fingerprint(identity.encryption) if identity and identity.encryption else ""
            for who, name in team_recipients(db, own):
                self.recipient.addItem(_("组长或组员：{name}").format(name=name), who)
                self.short.append(name)
            self.form.addRow(_("收件人"), self.recipient)
            self.form.addRow("", self.full)
        for eval_id, org_name, visit_date, kind in evaluation_choices(db):
            item = QListWidgetItem(f"{org_name}  {visit_date or ''}  {kind_label(kind)}")
            item.setData(Qt.ItemDataRole.UserRole, eval_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Unchecked if self.kind == "assignment" else Qt.CheckState.Checked
            )
            self.evals.addItem(item)
        self.form.addRow(_("评估"), self.evals)
        self.form.addRow(_("写入"), self.drive)
        self._rename()
        self.recipient.currentIndexChanged.connect(lambda _i: self._rename())
        self.form.addRow(_("文件名"), self.name)
        self.go.setText(_("导出"))
        self.finish_layout()
        self.add_buttons()
        if self.role is None:
            self.go.setEnabled(False)
            self.message.setText(_("本机尚未安装证书：请先导入中心的派发数据包"))

    def _rename(self) -> None:
        i = self.recipient.currentIndex()
        self.name.setText(default_name(self.kind, self.short[i] if 0 <= i < len(self.short) else ""))

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.evals.count()):
            item = self.evals.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def target(self) -> Path | None:
        folder = self.drive.folder()
        name = self.name.text().strip()
        if folder is None or not name:
            return None
        return folder / (name if name.endswith(SUFFIX) else name + SUFFIX)

    def start(self) -> None:
        out = self.target()
        if out is None:
            self.message.setText(_("请选择 U 盘或文件夹，并填写文件名"))
            return
        chosen = self.chosen()
        options: dict[str, Any] = {"kind": self.kind, "to": self.recipient.currentData()}
        if self.kind in ("results", "self-assessment"):
            options["full"] = self.full.isChecked()
            options["eval_ids"] = chosen if len(chosen) < self.evals.count() else None
        else:
            if not chosen:
                self.message.setText(_("请勾选要派发的评估"))
                return
            options["eval_ids"] = chosen
        self._busy(True)
        self.message.setText(_("正在导出…"))
        self.worker.run(
            _("导出数据包"),
            export_task,
            self.data,
            self.passphrase.text(),
            out,
            options,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, report: Any) -> None:
        self._busy(False)
        c = report.counts
        text = _("已写入并校验：{path}\n{n} 个评估，{ch} 条更改，{ev} 个证据文件，{kb} KB").format(
            path=report.file,
            n=c["evaluations"],
            ch=c["changes"],
            ev=c["evidence"],
            kb=max(1, report.size // 1024),
        )
        for w in report.warnings:
            text += "\n" + _("注意：") + w
        self.message.setText(text)
        self.exported.emit(report)


class ImportDialog(_BundleDialog):
    """Every bundle on a drive (or the files chosen), verified and imported; the report and conflicts."""

    #: (eval_id, item_id) of a conflict the user wants to resolve
    open_item = Signal(str, str)
    imported = Signal(object)

    def __init__(self, data: Path, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(data, worker, parent)
        self.setWindowTitle(_("导入数据包"))
        self.drive = DrivePicker(worker)
        self.drive.combo.currentIndexChanged.connect(lambda _i: self.scan())
        self.files = QListWidget()
        pick = QPushButton(_("选择文件…"))
        pick.clicked.connect(self._pick)
        self.form.addRow(_("来自"), self.drive)
        self.form.addRow(_("数据包"), self.files)
        self.form.addRow("", pick)
        self.report = QLabel()
        self.report.setWordWrap(True)
        self.conflicts = QListWidget()
        self.conflicts.itemActivated.connect(self._activate)
        self.go.setText(_("导入"))
        self.finish_layout()
        self.layout_.addWidget(self.report)
        self.layout_.addWidget(QLabel(_("冲突（两人对同一小项评分不同；双击打开该小项处理）")))
        self.layout_.addWidget(self.conflicts)
        self.add_buttons()
        self.scan()

    def set_files(self, paths: list[Path]) -> None:
        self.files.clear()
        for p in paths:
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, str(p))
            item.setToolTip(str(p))
            self.files.addItem(item)

    def scan(self) -> None:
        folder = self.drive.folder()
        found: list[Path] = []
        if folder is not None and folder.is_dir():
            try:
                found = sorted(p for p in folder.glob("*" + SUFFIX) if p.is_file())
            except OSError:
                found = []
        self.set_files(found)

    def _pick(self) -> None:
        names, _f = QFileDialog.getOpenFileNames(self, _("选择数据包"), "", _("数据包 (*.inspbundle)"))
        if names:
            self.set_files([Path(n) for n in names])

    def paths(self) -> list[Path]:
        return [Path(self.files.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.files.count())]

    def first_anchor(self, paths: list[Path]) -> str | None:
        """The CA fingerprint a first assignment among ``paths`` would make this laptop trust."""
        from inspector.bundles.opening import first_anchor, read_checked

        for path in paths:
            try:
                anchor = first_anchor(read_checked(path), self.data)
            except InspectorError:
                continue  # refused by the import itself, with its reason
            if anchor is not None:
                return anchor
        return None

    def confirm_anchor(self, fingerprint: str) -> bool:
        """Ask the user to compare the CA fingerprint with the one on the centre's assignment slip."""
        from inspector.crypto.keys import group_fingerprint

        answer = QMessageBox.question(
            self,
            _("核对中心证书"),
            _(
                "本机尚未信任任何中心。数据包中的中心 CA 证书指纹为：\n\n{fp}\n\n"
                "请与中心给您的派发单上印的指纹逐字核对。完全一致吗？\n"
                "不一致时请选“否”，并与中心联系：这个数据包可能不是中心发出的。"
            ).format(fp=group_fingerprint(fingerprint, per_line=8)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def start(self) -> None:
        paths = self.paths()
        if not paths:
            self.message.setText(_("没有找到数据包（*.inspbundle）"))
            return
        anchor = self.first_anchor(paths)
        if anchor is not None and not self.confirm_anchor(anchor):
            self.message.setText(_("未导入：中心 CA 证书指纹未经确认，本机不信任这个数据包"))
            return
        self._busy(True)
        self.message.setText(_("正在校验并导入…"))
        self.worker.run(
            _("导入数据包"),
            import_task,
            self.data,
            self.passphrase.text(),
            paths,
            anchor,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, outcomes: list[Outcome]) -> None:
        self._busy(False)
        from inspector.bundles.importer import conflict_line

        lines = []
        self.conflicts.clear()
        for o in outcomes:
            if o.error is not None:
                lines.append(_("✗ {name}：拒绝导入，未做任何更改。{e}").format(name=o.path.name, e=o.error))
                continue
            r = o.report
            assert r is not None
            lines.append(f"✓ {o.path.name}")
            lines += r.summary()
            for c in r.conflicts:
                item = QListWidgetItem(conflict_line(c))
                item.setData(Qt.ItemDataRole.UserRole, (c["eval"], c["item"]))
                self.conflicts.addItem(item)
        self.message.setText("")
        self.report.setText("\n".join(lines))
        self.imported.emit(outcomes)

    def _activate(self, item: QListWidgetItem) -> None:
        eval_id, item_id = item.data(Qt.ItemDataRole.UserRole)
        self.open_item.emit(eval_id, item_id)


# --- the window's File menu ------------------------------------------------------------------------


def open_dialog(window: Any, kind: str) -> QDialog | None:
    """Show the export or import dialog over the main window (once its data folder is open)."""
    if window.db is None:
        return None
    dialog: QDialog
    if kind == "export":
        dialog = ExportDialog(window.data_dir, window.db, window.worker, window)
    else:
        imp = ImportDialog(window.data_dir, window.worker, window)
        imp.open_item.connect(lambda eval_id, item_id: _open_item(window, imp, eval_id, item_id))
        imp.imported.connect(lambda _outcomes: window.refresh_home())
        dialog = imp
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _open_item(window: Any, dialog: QDialog, eval_id: str, item_id: str) -> None:
    """A conflict chosen in the report: the scoring view at that item, where recording resolves it."""
    dialog.close()
    if window.open_evaluation(eval_id):
        window.scoring.go_to(item_id, commit=False)

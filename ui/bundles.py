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

from PySide6.QtCore import QStorageInfo, Qt, Signal
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
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import InspectorError
from inspector.folder import opened_folder
from inspector.i18n import _
from ui.models.evaluations_model import kind_label
from ui.worker import Progress, Worker

SUFFIX = ".inspbundle"
_REMOVABLE = re.compile(r"^(/media/|/run/media/|/mnt/|/Volumes/|[A-BD-Za-bd-z]:[\\/]?$)")


# --- drives --------------------------------------------------------------------------------------------


def removable_looking(root: str) -> bool:
    """A mount that looks like a USB stick: under /media, /run/media, /mnt, /Volumes, or a drive
    letter other than C:. (Qt cannot tell "removable" on every platform; the path can.)"""
    return bool(_REMOVABLE.match(root))


def removable_drives() -> list[tuple[str, Path]]:
    """(label, root) of the mounted, ready, writable volumes that look removable."""
    out = []
    for volume in QStorageInfo.mountedVolumes():
        root = volume.rootPath()
        if volume.isValid() and volume.isReady() and not volume.isReadOnly() and removable_looking(root):
            name = volume.displayName() or root
            free = volume.bytesAvailable() // (1 << 20)
            out.append((_("{name}（可用 {mb} MB）").format(name=name, mb=free), Path(root)))
    return out


def default_name(kind: str, who: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", who)[:40] or "bundle"
    return f"{dt.date.today().isoformat()}_{kind}_{safe}{SUFFIX}"


class DrivePicker(QWidget):
    """A combo of removable drives plus "other folder…"; ``folder()`` is the choice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        layout.addWidget(self.combo, 1)
        self.other = QPushButton(_("其他文件夹…"))
        self.other.clicked.connect(self._choose)
        layout.addWidget(self.other)
        self.refresh()

    def refresh(self) -> None:
        self.combo.clear()
        for label, root in removable_drives():
            self.combo.addItem(label, str(root))
        if self.combo.count() == 0:
            self.combo.addItem(_("未发现 U 盘：请插入，或选择其他文件夹"), "")

    def set_folder(self, folder: Path) -> None:
        self.combo.insertItem(0, str(folder), str(folder))
        self.combo.setCurrentIndex(0)

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


def import_task(progress: Progress, data: Path, passphrase: str, paths: list[Path]) -> list[Outcome]:
    from inspector.bundles.importer import import_bundle

    out = []
    with opened_folder(data) as db:
        for n, path in enumerate(paths):
            progress(n, len(paths))
            try:
                out.append(Outcome(path, import_bundle(db, data, path, passphrase=passphrase), None))
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
        from inspector.crypto.identity import load_identity

        identity = load_identity(data)
        self.role = identity.role if identity is not None else None
        self.setWindowTitle(_("导出数据包"))
        self.recipient = QComboBox()
        self.evals = QListWidget()
        self.full = QCheckBox(_("完整导出（重发全部内容，而不只是对方还没有的）"))
        self.drive = DrivePicker()
        self.name = QLineEdit()
        self.short: list[str] = []  # each recipient's name, for the file name
        if self.role == "centre":
            self.kind = "assignment"
            for row in db.conn.execute(
                "SELECT c.roster_id, c.name, c.person_id FROM credentials c WHERE c.revoked_at IS NULL"
                " ORDER BY c.name"
            ):
                self.recipient.addItem(f"{row[1]}（{row[2]}）", row[0] or row[2])
                self.short.append(row[1])
            self.form.addRow(_("督导员"), self.recipient)
        else:
            self.kind = "results"
            self.recipient.addItem(_("中心（默认）"), None)
            self.short.append(_("中心"))
            own = keys.fingerprint(identity.encryption) if identity and identity.encryption else ""
            for row in db.conn.execute(
                "SELECT name, roster_id, person_id FROM peers WHERE purpose = 'encryption' AND centre = 0"
                " AND fingerprint != ? ORDER BY name",
                (own,),
            ):
                self.recipient.addItem(_("组长或组员：{name}").format(name=row[0]), row[1] or row[2])
                self.short.append(row[0])
            self.form.addRow(_("收件人"), self.recipient)
            self.form.addRow("", self.full)
        for e in db.conn.execute(
            "SELECT e.id, o.name, e.visit_date, e.kind FROM evaluations e JOIN orgs o ON o.id = e.org_id"
            " ORDER BY e.updated_at DESC"
        ):
            item = QListWidgetItem(f"{e[1]}  {e[2] or ''}  {kind_label(e[3])}")
            item.setData(Qt.ItemDataRole.UserRole, e[0])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if self.kind == "results" else Qt.CheckState.Unchecked)
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
        if self.kind == "results":
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
        self.drive = DrivePicker()
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

    def start(self) -> None:
        paths = self.paths()
        if not paths:
            self.message.setText(_("没有找到数据包（*.inspbundle）"))
            return
        self._busy(True)
        self.message.setText(_("正在校验并导入…"))
        self.worker.run(
            _("导入数据包"),
            import_task,
            self.data,
            self.passphrase.text(),
            paths,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, outcomes: list[Outcome]) -> None:
        self._busy(False)
        lines = []
        self.conflicts.clear()
        for o in outcomes:
            if o.error is not None:
                lines.append(_("✗ {name}：拒绝导入，未做任何更改。{e}").format(name=o.path.name, e=o.error))
                continue
            r = o.report
            assert r is not None
            if r.already:
                lines.append(_("✓ {name}：已导入过，未做任何更改").format(name=o.path.name))
                continue
            a = r.added
            lines.append(
                _("✓ {name}（{who}）：新增 {c} 条更改、{n} 个评估、{e} 个证据文件，跳过已有 {s} 条").format(
                    name=o.path.name,
                    who=r.sender.get("name"),
                    c=a["changes"],
                    n=a["evaluations"],
                    e=a["evidence"],
                    s=r.skipped,
                )
            )
            if r.identity:
                lines.append(_("已安装 {name} 的证书").format(name=r.identity))
            if r.held:
                lines.append(
                    _("搁置 {n} 条不合规则的更改，未并入评估：见“文件 → 被搁置的更改”").format(n=len(r.held))
                )
            lines += [_("注意：") + w for w in r.warnings]
            for c in r.conflicts:
                item = QListWidgetItem(
                    _("{org}：小项 {item}").format(org=c["org_name"] or c["eval"][:8], item=c["item"])
                )
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

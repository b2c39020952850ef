"""发出自评通知: the centre asks one station of a plan for its self-assessment, from the window.

The same core functions as ``inspector keys issue-station`` and ``inspector bundle export --kind
self-assessment-request`` (issue 19): when the station has no valid representative's credential,
the centre's CA issues one first (:func:`inspector.bundles.credentials.issue_for_station`, which
asks the CA passphrase and a passphrase for the representative, told to the station apart from the
stick); then :func:`inspector.bundles.export.export_bundle` writes the request to the chosen stick.
Both run on the worker (:mod:`ui.worker`) with their own connection; the passphrases live in the
dialog's fields only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from inspector.folder import opened_folder
from inspector.i18n import _
from ui.bundles import DrivePicker, _BundleDialog, default_name
from ui.worker import Progress, Worker

MIN_PASSPHRASE = 8  # as the first run asks of the CA's


@dataclass(frozen=True)
class StationTarget:
    """One organisation of the plan a request can go to, and the credential it holds (if any)."""

    org_id: str
    org_name: str
    representative: str | None  # of the valid credential issued to the station, None: none yet
    valid_until: str | None
    sent: bool  # a request already went out for this plan


def station_credential(db: Any, org_id: str, on: dt.datetime | None = None) -> tuple[str, str] | None:
    """(representative, last day) of the station's unrevoked, unexpired credential, or None: then
    the request needs one issued first (the same lookup the export makes, plus the expiry)."""
    from inspector.bundles.self_assessment import station_person
    from inspector.crypto.identity import credentials_for
    from inspector.errors import NotFoundError

    try:
        row = credentials_for(db, station_person(org_id))
    except NotFoundError:
        return None
    end = dt.datetime.fromisoformat(str(row["not_after"]))
    if end <= (on or dt.datetime.now(dt.UTC)):
        return None
    return str(row["name"]), end.date().isoformat()


def station_targets(db: Any, plan_id: str) -> list[StationTarget]:
    """The plan's organisations, each with its credential and whether a request went out."""
    from inspector.centre.plans import targets
    from inspector.centre.self_requests import requests_for_plan
    from inspector.store.orgs import get_org

    sent = {r.org_id for r in requests_for_plan(db, plan_id)}
    out = []
    for t in targets(db, plan_id):
        name = get_org(db, t.org_id)["name"]
        cred = station_credential(db, t.org_id)
        out.append(
            StationTarget(
                t.org_id, str(name), cred[0] if cred else None, cred[1] if cred else None, t.org_id in sent
            )
        )
    return out


@dataclass(frozen=True)
class Issue:
    """What issuing the representative's credential needs (only when the station has none)."""

    representative: str
    ca_passphrase: str
    passphrase: str


def send_request_task(
    progress: Progress,
    data: Path,
    plan_id: str,
    org_id: str,
    issue: Issue | None,
    passphrase: str,
    out: Path,
    author: str | None,
) -> Any:
    """Worker task: unlock this folder's key first (a wrong passphrase issues nothing), issue the
    representative's credential when asked, then export the request bundle to ``out``."""
    from inspector.bundles.credentials import issue_for_station
    from inspector.bundles.export import export_bundle
    from inspector.bundles.format import SELF_REQUEST
    from inspector.crypto.identity import CA_FOLDER, unlock_identity

    keyring = unlock_identity(data, passphrase)
    with opened_folder(data) as db:
        if issue is not None:
            issue_for_station(
                db, data / CA_FOLDER, issue.ca_passphrase, org_id, issue.representative, issue.passphrase
            )
        return export_bundle(
            db,
            data,
            keyring,
            SELF_REQUEST,
            out,
            plan_id=plan_id,
            org=org_id,
            author=author,
            progress=progress,
        )


class RequestDialog(_BundleDialog):
    """The organisation, its representative's credential (issued here when it has none), the stick."""

    sent = Signal(object)

    def __init__(
        self,
        data: Path,
        worker: Worker,
        plan_id: str,
        choices: list[StationTarget],
        user: str | None,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(data, worker, parent)
        self.plan_id = plan_id
        self.choices = choices
        self.user = user
        self.setWindowTitle(_("发出自评通知"))
        self.org = QComboBox()
        for c in choices:
            said = _("已发出") if c.sent else _("未发出")
            self.org.addItem(f"{c.org_name}（{said}）", c.org_id)
        self.form.addRow(self._label(_("鉴定站（所）(&O)"), self.org), self.org)
        self.credential = QLabel()
        self.credential.setWordWrap(True)
        self.form.addRow(_("代表证书"), self.credential)
        self.representative = QLineEdit()
        self.rep_secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.rep_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.ca_secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.rep_secret.setToolTip(_("鉴定站代表证书口令：不随 U 盘，另行告知鉴定站"))
        self.form.addRow(self._label(_("代表姓名(&N)"), self.representative), self.representative)
        self.form.addRow(self._label(_("代表证书口令(&W)"), self.rep_secret), self.rep_secret)
        self.form.addRow(_("再输入一次"), self.rep_again)
        self.form.addRow(self._label(_("CA 口令(&C)"), self.ca_secret), self.ca_secret)
        self.drive = DrivePicker(worker)
        self.name = QLineEdit()
        self.form.addRow(_("写入"), self.drive)
        self.form.addRow(_("文件名"), self.name)
        self.go.setText(_("签发并导出"))
        self.finish_layout()
        self.add_buttons()
        self.org.currentIndexChanged.connect(lambda _i: self._chosen())
        if current is not None and self.org.findData(current) >= 0:
            self.org.setCurrentIndex(self.org.findData(current))
        self._chosen()
        if not choices:
            self.go.setEnabled(False)
            self.message.setText(_("本计划还没有受检机构"))
        self.org.setFocus()

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def target(self) -> StationTarget | None:
        i = self.org.currentIndex()
        return self.choices[i] if 0 <= i < len(self.choices) else None

    def needs_issue(self) -> bool:
        t = self.target()
        return t is not None and t.representative is None

    def _chosen(self) -> None:
        t = self.target()
        need = self.needs_issue()
        for w in (self.representative, self.rep_secret, self.rep_again, self.ca_secret):
            w.setEnabled(need)
        if t is None:
            return
        if need:
            self.credential.setText(_("尚未签发（或已过期、已撤销）：导出前由中心 CA 签发"))
        else:
            self.credential.setText(
                _("已签发给 {name}，有效期至 {day}").format(name=t.representative, day=t.valid_until)
            )
        self.name.setText(default_name("self-assessment-request", t.org_name))
        self.go.setText(_("签发并导出") if need else _("导出"))

    def out_path(self) -> Path | None:
        from ui.bundles import SUFFIX

        folder = self.drive.folder()
        name = self.name.text().strip()
        if folder is None or not name:
            return None
        return folder / (name if name.endswith(SUFFIX) else name + SUFFIX)

    def checked_issue(self) -> Issue | str | None:
        """The issue to make, None when the station has a credential, or a message saying what is missing."""
        if not self.needs_issue():
            return None
        rep = self.representative.text().strip()
        if not rep:
            return _("请写明鉴定站（所）代表的姓名")
        secret = self.rep_secret.text()
        if len(secret) < MIN_PASSPHRASE:
            return _("代表证书口令至少 {n} 个字符").format(n=MIN_PASSPHRASE)
        if secret != self.rep_again.text():
            return _("两次输入的代表证书口令不一致")
        if not self.ca_secret.text():
            return _("请输入 CA 口令")
        return Issue(rep, self.ca_secret.text(), secret)

    def start(self) -> None:
        t = self.target()
        out = self.out_path()
        if t is None:
            return
        if out is None:
            self.message.setText(_("请选择 U 盘或文件夹，并填写文件名"))
            return
        issue = self.checked_issue()
        if isinstance(issue, str):
            self.message.setText(issue)
            return
        self._busy(True)
        self.message.setText(_("正在签发证书并导出…") if issue else _("正在导出…"))
        self.worker.run(
            _("发出自评通知"),
            send_request_task,
            self.data,
            self.plan_id,
            t.org_id,
            issue,
            self.passphrase.text(),
            out,
            self.user,
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, report: Any) -> None:
        self._busy(False)
        t = self.target()
        text = _("已写入并校验：{path}（{kb} KB）").format(path=report.file, kb=max(1, report.size // 1024))
        if t is not None and t.representative is None:
            text += "\n" + _("代表证书已签发：请另行把代表证书口令告知鉴定站")
        for w in report.warnings:
            text += "\n" + _("注意：") + w
        self.message.setText(text)
        i = self.org.currentIndex()
        if t is not None:  # issued now and sent: another export for it issues nothing again
            rep = t.representative or self.representative.text().strip()
            until = t.valid_until or ""
            self.choices[i] = StationTarget(t.org_id, t.org_name, rep, until, True)
            self.org.setItemText(i, f"{t.org_name}（{_('已发出')}）")
            self._chosen()
        self.sent.emit(report)

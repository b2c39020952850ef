"""The register page's corrections: what stations proposed to change in their 登记表, each shown as
old → new with who proposed it and when, for the centre to accept or reject one by one
(inspector.centre.corrections). Rejecting asks the reason; accepting says beforehand when the
plan's rulebook makes the change call for re-registration (四川 297号 三（一）)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.folder import opened_folder
from inspector.i18n import _
from ui.centre.common import Column, DeskButton, RowsModel, Table, heading, text

if TYPE_CHECKING:
    from ui.centre.register_view import RegisterPage

Proposal = dict[str, Any]


def decide_task(
    progress: Callable[[int, int], None],
    data: Path,
    proposal_id: str,
    accept: bool,
    by: str | None,
    reason: str | None,
) -> Proposal:
    from inspector.centre.corrections import decide
    from inspector.store.evaluations import default_author

    with opened_folder(data) as db:
        return decide(db, proposal_id, accept, by or default_author(), reason)


def when(p: Proposal) -> str:
    return str(p["proposed_at"])[:16].replace("T", " ")


def change_text(p: Proposal) -> str:
    return f"{text(p['old'])} → {text(p['new'])}"


def rule_text(rule: dict[str, Any] | None) -> str:
    if not rule:
        return ""
    return _("需重新登记：{doc} {art}“{quote}”").format(
        doc=rule["document"], art=rule["article"], quote=rule["quote"]
    )


def correction_columns() -> list[Column[Proposal]]:
    return [
        Column(_("机构名称"), lambda p: p["org_name"]),
        Column(_("项目"), lambda p: p["header"]),
        Column(_("原值 → 新值"), change_text),
        Column(
            _("中心现登记"),
            lambda p: p["current"],
            # the station's old value is not what the centre holds: the text says so, not only colour
            tip=lambda p: _("与机构所填原值不同") if p["current"] != p["old"] else None,
            alarm=lambda p: p["current"] != p["old"],
        ),
        Column(_("理由"), lambda p: p["reason"]),
        Column(_("提出人"), lambda p: p["by"]),
        Column(_("提出时间"), when),
        Column(_("签名人"), lambda p: p["signer"]),
        Column(
            _("接受后"),
            lambda p: _("需重新登记") if p["reregistration"] else "",
            tip=lambda p: rule_text(p["reregistration"]) or None,
        ),
    ]


class DecisionDialog(QDialog):
    """One proposal and the decision about it: what changes, and why (required to reject)."""

    def __init__(self, p: Proposal, accept: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accepting = accept
        self.setWindowTitle(_("接受更正") if accept else _("拒绝更正"))
        layout = QVBoxLayout(self)
        summary = _("{org}　{field}：{change}\n{by} 于 {at} 提出：{reason}").format(
            org=p["org_name"],
            field=p["header"],
            change=change_text(p),
            by=p["by"],
            at=when(p),
            reason=p["reason"],
        )
        what = QLabel(summary)
        what.setWordWrap(True)
        layout.addWidget(what)
        self.note: QLabel | None = None
        if accept and p["reregistration"]:
            self.note = QLabel(
                rule_text(p["reregistration"]) + _("\n接受后，该机构在登记中标为“需重新登记”。")
            )
            self.note.setWordWrap(True)
            layout.addWidget(self.note)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("说明（可不填）") if accept else _("拒绝的理由（必填）"))
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("接受") if accept else _("拒绝"))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.reason.textChanged.connect(self._enable)
        self._enable()
        fm = self.fontMetrics()
        self.resize(fm.horizontalAdvance("中") * 32, fm.height() * 14)

    def _enable(self) -> None:
        self.ok.setEnabled(self.accepting or bool(self.text()))

    def text(self) -> str:
        return self.reason.toPlainText().strip()


class CorrectionsPane(QWidget):
    """The pending corrections under the register, with 接受 and 拒绝 for the one selected."""

    def __init__(self, page: RegisterPage) -> None:
        super().__init__()
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = heading(_("待决定的登记表更正"))
        top.addWidget(self.title)
        top.addStretch(1)
        self.accept_button = DeskButton(_("接受更正(&A)…"), "register")  # greyed at a desk without it
        self.accept_button.setToolTip(_("写入登记并记入变更历史"))
        self.reject_button = DeskButton(_("拒绝更正(&J)…"), "register")
        self.reject_button.setToolTip(_("登记不变，须写明理由"))
        self.accept_button.clicked.connect(lambda _c=False: self.decide(True))
        self.reject_button.clicked.connect(lambda _c=False: self.decide(False))
        top.addWidget(self.accept_button)
        top.addWidget(self.reject_button)
        layout.addLayout(top)
        self.table = Table(RowsModel(correction_columns()), stretch=4)
        layout.addWidget(self.table)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._chosen())

    def set_rows(self, rows: list[Proposal]) -> None:
        self.table.set_rows(rows)
        self.title.setText(_("待决定的登记表更正（{n}）").format(n=len(rows)))
        self.setVisible(bool(rows))
        self._enable()

    def _chosen(self) -> None:
        """The organisation of the correction chosen is shown above it, with its whole entry."""
        p = self.table.current()
        if p is not None:
            self.page.table.select(lambda e: e["id"] == p["org_id"])
        self._enable()

    def _enable(self) -> None:
        chosen = self.table.current() is not None
        self.accept_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    def decide(self, accept: bool) -> None:
        from ui.centre.plan_dialogs import accepted

        p = self.table.current()
        if p is None:
            return
        dialog = DecisionDialog(p, accept, self)
        if not accepted(dialog):
            return
        reason = dialog.text() or None

        def done(result: Proposal) -> None:
            if result["decision"] == "accepted":
                message = _("已接受更正：{org} {field} → {new}").format(
                    org=result["org_name"], field=result["header"], new=text(result["new"])
                )
                if result["reregistration"]:
                    message += _("；该机构需重新登记")
            else:
                message = _("已拒绝更正：{org} {field}").format(
                    org=result["org_name"], field=result["header"]
                )
            self.page.status.emit(message)
            self.page.reload()

        label = _("接受更正") if accept else _("拒绝更正")
        self.page.run(label, decide_task, p["id"], accept, self.page.ctx.user, reason, done=done)

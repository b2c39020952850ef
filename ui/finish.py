"""The finish page: the summary an inspector checks before anyone signs.

Totals by section, the outcome ("未完成" and a provisional total until every item is scored and
every conflict resolved), every lost point with its reason and the note saying what was found
(overrides and not-applicable marks flagged), a record form's 不符合 lines, what blocks signing
(:func:`inspector.store.signing_checks.sign_check`, each a link back to the item), vetoes, and the
differences from the station's self-assessment and the previous inspection (with its notes).
Everything comes from the session's report and the store's check; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from inspector.i18n import _
from inspector.rubric.comparison import NOT_RECTIFIED, RECTIFIED
from inspector.rubric.points import fmt
from inspector.rubric.scoring import disallowed
from inspector.store.signing_checks import SignCheck, sign_check
from inspector.store.signing_checks import kind_label as deduction_label
from ui.models.evaluations_model import kind_label
from ui.session import EvaluationSession
from ui.shortcuts import shown

RED = "#b3261e"
AMBER = "#9a5b00"
GREEN = "#1b6e20"


def h3(text: str, colour: str = "") -> str:
    style = f" style='color:{colour}'" if colour else ""
    return f"<h3{style}>{escape(text)}</h3>"


def para(text: str, colour: str = "", *, bold: bool = False) -> str:
    style = (f"color:{colour};" if colour else "") + ("font-weight:bold;" if bold else "")
    return f"<p style='{style}'>{escape(text)}</p>" if style else f"<p>{escape(text)}</p>"


def link(item_id: str, text: str = "") -> str:
    return f"<a href='item:{escape(item_id)}'>{escape(text or item_id)}</a>"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    right: Sequence[int] = (),
    widths: Sequence[int] = (),
) -> str:
    """Cells are HTML already (escape what needs it before). ``widths``: each column's share of
    the page in per cent; the table then fills the page and its text wraps in the cells instead of
    running past the right edge (the reasons and notes were clipped at 1366 and 1024 px)."""
    fill = " width='100%'" if widths else ""
    out = [f"<table{fill} cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse'><tr>"]
    out += [f"<th{f' width={widths[n]}%' if widths else ''}>{escape(h)}</th>" for n, h in enumerate(headers)]
    out.append("</tr>")
    for row in rows:
        cells = [f"<td{' align=right' if n in right else ''}>{c}</td>" for n, c in enumerate(row)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def signed(d: Decimal) -> str:
    return ("+" if d > 0 else "") + fmt(d)


def _header(s: EvaluationSession) -> list[str]:
    e, r, rubric = s.evaluation, s.report, s.rubric
    meta = [rubric.title, kind_label(e.kind)] + ([e.visit_date] if e.visit_date else [])
    if e.team:
        names = "、".join(
            _("{name}（{role}）").format(name=m.get("name", ""), role=m.get("role", "")) for m in e.team
        )
        meta.append(_("评估组：{names}").format(names=names))
    out = [f"<h2>{escape(e.org_name)}</h2>", para("　·　".join(meta))]
    total = f"{fmt(r.total)} / {fmt(rubric.max_points)}"
    provisional = bool(r.unanswered or s.conflicted())
    if not rubric.scored:
        out.append(h3(_("记录表：逐项记录是否符合，不计分")))
    elif s.refused is not None:  # what signing refuses is no total (scoring.disallowed)
        out.append(h3(_("无总分：{why}").format(why=s.refused), RED))
        return out + _fixed_at_signing(s)
    elif provisional:
        out.append(h3(_("暂计得分：{total}（尚未评完或有冲突，不是评估结果）").format(total=total), AMBER))
    else:
        out.append(h3(_("总分：{total}").format(total=total)))
    if rubric.bonus_points:
        out.append(para(_("其中加分 {b} / {m} 分").format(b=fmt(r.bonus), m=fmt(rubric.bonus_points))))
    if r.outcome is not None:
        text = _("评估结论：{label}").format(label=s.outcome_text()[0])
        out.append(para(("⊗ " if r.vetoed else "") + text, RED if r.vetoed else "", bold=True))
    return out + _fixed_at_signing(s)


def _fixed_at_signing(s: EvaluationSession) -> list[str]:
    """A signed evaluation's figures are those fixed at signing; a recomputation that differs (a
    corrected program, a changed form) is flagged here, never shown silently in their place."""
    if s.evaluation.state != "signed":
        return []
    check = s.store.signed_check(s.eval_id)
    if check.fixed is None:  # signed before figures were kept at signing: nothing to compare
        return []
    out = [
        para(
            _("签署时确定：总分 {t}，结论 {o}（以此为准）").format(
                t=fmt(check.fixed.total), o=check.fixed.outcome_label or "—"
            ),
            bold=True,
        )
    ]
    if check.differs:
        out.append(para("⚠ " + _("重新计算与签署时不同：{why}").format(why=check.differs), AMBER, bold=True))
    return out


def _blocking(s: EvaluationSession, check: SignCheck) -> list[str]:
    if s.read_only:
        return []
    if check.ok:
        return [para("✓ " + _("全部小项已评分，可以签署（{key}）。").format(key=shown("finish")), GREEN)]
    out = [h3("⚠ " + _("尚不能签署"), RED)]
    if check.unanswered:
        out.append(para(_("{n} 项未评分（点击或 Tab + Enter 跳转）：").format(n=len(check.unanswered))))
        out.append("<p>" + "　".join(link(i) for i in check.unanswered) + "</p>")
    if check.conflicts:
        out.append(para(_("{n} 项有冲突待解决：").format(n=len(check.conflicts))))
        out.append("<p>" + "　".join(link(i, "⚠ " + i) for i in check.conflicts) + "</p>")
    if check.unexplained:
        out.append(para(_("{n} 项扣分未写明发现的情况（在备注中写明）：").format(n=len(check.unexplained))))
        out.append(
            "<p>"
            + "　".join(
                link(u.item_id, f"✎ {u.item_id}（{deduction_label(u.kind)}）") for u in check.unexplained
            )
            + "</p>"
        )
    if check.without_evidence:
        out.append(para(_("{n} 项扣分缺评估表要求的证据：").format(n=len(check.without_evidence))))
        out.append(
            "<p>"
            + "　".join(link(m.item_id, f"！ {m.item_id}（{m.label}）") for m in check.without_evidence)
            + "</p>"
        )
    if check.vetoes_without_note:
        out.append(
            para(_("否决项未写明发现的情况：{ids}").format(ids="、".join(check.vetoes_without_note)), RED)
        )
    return out


def _owners_text(s: EvaluationSession, code: str) -> str:
    """Who answers for a 大项: the members assigned to it; with no 大项 assigned to anyone the whole
    team does (评估组, led by its 组长), not an empty cell; a station's self-assessment: the station."""
    owners = s.owners(code)
    if owners:
        return "、".join(owners)
    team = s.evaluation.team
    if any(m.get("sections") for m in team):
        return "—"  # others were assigned their 大项; nobody this one
    if team:
        leaders = [str(m.get("name", "")) for m in team if m.get("role") == "组长"]
        return _("全组（组长 {name}）").format(name="、".join(leaders)) if leaders else _("全组")
    return _("本机构") if s.evaluation.kind == "self" else "—"


def _sections(s: EvaluationSession) -> list[str]:
    rows = []
    disallowed = {s.locate(i.id)[0].code for i in s.report.irregular}  # no sum, as no total
    for section, result in zip(s.rubric.sections, s.report.sections, strict=True):
        ids = [i.id for i in section.items()]
        answered = sum(1 for i in ids if s.results[i].answered)
        title = f"{section.code} {section.title}" + (_("（加分）") if section.bonus else "")
        unmet = sum(1 for i in ids if s.results[i].answered and s.results[i].reason)
        rows.append(
            [
                escape(title),
                (
                    f"— / {fmt(result.max_points)}"
                    if section.code in disallowed
                    else f"{fmt(result.points)} / {fmt(result.max_points)}"
                )
                if s.rubric.scored
                else str(unmet),
                f"{answered}/{len(ids)}",
                escape(_owners_text(s, section.code)),
            ]
        )
    if not s.rubric.scored:  # a record form: its lines not met, never points
        return [
            h3(_("各大项记录")),
            table([_("大项"), _("不符合"), _("已评"), _("负责")], rows, right=(1, 2)),
        ]
    return [h3(_("各大项得分")), table([_("大项"), _("得分"), _("已评"), _("负责")], rows, right=(1, 2))]


def _vetoes(s: EvaluationSession) -> list[str]:
    out = [h3(_("否决项"))]
    if not s.rubric.vetoes:
        return [*out, para(_("本表没有否决项。"))]
    if not s.report.vetoed:
        return [*out, para(_("未发现否决情形。"))]
    for v in s.report.vetoed:
        veto = s.rubric.veto(v.id)
        line = f"{v.id} {veto.text if veto else ''}".strip()
        if v.note:
            line = _("{veto}：{note}").format(veto=line, note=v.note)
        out.append(para("⊗ " + line, RED))
    return out


def _note_cell(s: EvaluationSession, item_id: str, unexplained: set[str]) -> str:
    if item_id in unexplained:
        return f"<span style='color:{RED}'>⚠ {escape(_('未写明发现的情况'))}</span>"
    return escape(s.note(item_id))


def _unmet_lines(s: EvaluationSession) -> list[str]:
    """A record form's own summary: the lines recorded 不符合, with what was found."""
    unmet = [i for i in s.report.items if i.answered and i.reason]
    out = [h3(_("不符合项（{n} 项）").format(n=len(unmet)))]
    if not unmet:
        return [*out, para(_("已记录的各项均符合。"))]
    rows = [[f"{link(i.id)} {escape(s.item(i.id).text)}", escape(s.note(i.id))] for i in unmet]
    out.append(table([_("记录项"), _("发现的情况")], rows, widths=(50, 50)))
    return out


def _lost(s: EvaluationSession, check: SignCheck) -> list[str]:
    if not s.rubric.scored:
        return _unmet_lines(s)
    r = s.report
    lost = tuple(i for i in r.lost if not i.irregular)  # a mark the form disallows has no points
    flagged = [i for i in r.items if i.answered and (i.override or i.na) and i not in lost]
    out = [h3(_("失分明细（{n} 项）").format(n=len(lost)))]
    if not lost and not flagged:
        return [*out, para(_("没有失分。"))]
    unexplained = {u.item_id for u in check.unexplained}
    rows = []
    for i in (*lost, *flagged):
        mark = "⚑ " if i.override else "⊘ " if i.na else ""
        why = "；" + _("评估表不允许的记录：{why}").format(why=i.irregular) if i.irregular else ""
        reason = escape(mark + (i.reason or "") + why)
        if mark:
            reason = f"<span style='color:{AMBER}'>{reason}</span>"
        rows.append(
            [
                f"{link(i.id)} {escape(s.item(i.id).text)}",
                f"{'—' if i.irregular else fmt(i.points)} / {fmt(i.max_points)}",
                reason,
                _note_cell(s, i.id, unexplained),
            ]
        )
    out.append(
        table(
            [_("小项"), _("得分"), _("理由"), _("发现的情况（备注）")],
            rows,
            right=(1,),
            widths=(34, 8, 29, 29),
        )
    )
    overrides = sum(1 for i in r.items if i.override)
    if overrides:
        out.append(para("⚑ " + _("人工调整 {n} 项，均已写明理由。").format(n=overrides), AMBER))
    return out


def _self_assessment(s: EvaluationSession) -> list[str]:
    c = s.self_comparison
    if c is None or s.self_report is None:
        return []
    text = _("自评 {a} 分，督导 {b} 分；{k} 项不同，合计相差 {d} 分（自评减督导）。").format(
        a=fmt(s.self_report.total), b=fmt(s.report.total), k=len(c.differing), d=signed(c.total_difference)
    )
    if s.refused is not None or disallowed(s.self_report) is not None:  # no totals to compare
        text = _("有评估表不允许的记录，不比较总分；{k} 项不同。").format(k=len(c.differing))
    out = [h3(_("与自评对照")), para(text)]
    if c.differing:
        rows = [
            [
                link(d.item_id, "≠ " + d.item_id),
                fmt(d.theirs.points),
                fmt(d.mine.points),
                f"<span style='color:{AMBER}'>{signed(d.difference or Decimal(0))}</span>",
            ]
            for d in c.differing
        ]
        out.append(table([_("小项"), _("自评"), _("督导"), _("相差")], rows, right=(1, 2, 3)))
    return out


def _recheck(s: EvaluationSession) -> list[str]:
    if s.previous_report is None or s.previous is None:
        return []
    out = [h3(_("复查：整改情况"))]
    rows = [(i, s.rectified(i)) for i in s.previous_comparison]
    rows = [(i, status) for i, status in rows if status is not None]
    if not rows:
        out.append(para(_("尚无可对照的失分项。")))
    for item_id, status in rows:
        text = escape(s.item(item_id).text)
        before = s.previous_notes.get(item_id)
        if before:  # what was found last time, so the re-check can say whether it is put right
            text += "<br/>　　" + escape(_("上次发现：{note}").format(note=before))
        now = s.note(item_id)
        if now:
            text += "<br/>　　" + escape(_("本次：{note}").format(note=now))
        if status == RECTIFIED:
            out.append(f"<p>✓ {escape(_('已整改'))}　{link(item_id)} {text}</p>")
        elif status == NOT_RECTIFIED:
            out.append(f"<p style='color:{RED}'>✗ {escape(_('未整改'))}　{link(item_id)} {text}</p>")
    return out


def _signatures(s: EvaluationSession) -> list[str]:
    changes = s.store.signatures(s.eval_id) if s.read_only else []
    if not changes:
        return []
    out = [h3(_("签署"))]
    for c in changes:
        who = _("{name}（{role}）").format(name=c.payload.get("name", ""), role=c.payload.get("role", ""))
        out.append(para(f"✍ {who}　{c.wall_time[:16].replace('T', ' ')}"))
    return out


def summary_html(s: EvaluationSession) -> str:
    check = sign_check(s.store, s.eval_id)
    parts = [
        *_header(s),
        *_blocking(s, check),
        *_sections(s),
        *_vetoes(s),
        *_lost(s, check),
        *_self_assessment(s),
        *_recheck(s),
        *_signatures(s),
    ]
    return "".join(parts)


class FinishPage(QWidget):
    jump = Signal(str)
    back = Signal()
    sign_requested = Signal()
    amend_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.session: EvaluationSession | None = None
        layout = QVBoxLayout(self)
        title = QLabel(_("汇总"))
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._anchor)
        layout.addWidget(self.browser, 1)
        bar = QHBoxLayout()
        back = QPushButton(_("返回评分") + f"  {shown('home')}")
        back.clicked.connect(self.back.emit)
        bar.addWidget(back)
        bar.addStretch(1)
        self.amend = QPushButton(_("修订…") + f"  {shown('amend')}")
        self.amend.clicked.connect(self.amend_requested.emit)
        bar.addWidget(self.amend)
        self.sign = QPushButton(_("签署…") + f"  {shown('finish').split(' / ')[0]}")
        self.sign.clicked.connect(self.sign_requested.emit)
        bar.addWidget(self.sign)
        layout.addLayout(bar)

    def show_session(self, session: EvaluationSession) -> None:
        self.session = session
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        if s is None:
            return
        self.browser.setHtml(summary_html(s))
        self.sign.setEnabled(s.evaluation.state == "complete")
        self.sign.setVisible(not s.read_only)
        self.amend.setVisible(s.read_only)

    def focus_first_link(self) -> None:
        self.browser.setFocus()

    def _anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("item:"):
            self.jump.emit(text[len("item:") :])

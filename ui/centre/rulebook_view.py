"""A plan's rulebook as the centre reads it: every rule with its strength, its clause (article and
quote) and how the text is read; the rules the document states that the program does not enforce,
with why; and the plan's timetable (the rulebook's milestones, what is late)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from inspector.centre.milestones import MilestoneState, milestone_state_name
from inspector.centre.rulebook import Rulebook, strength_name
from inspector.i18n import _
from ui.centre.common import Column, RowsModel, Table


def rulebook_html(rb: Rulebook) -> str:
    """The rulebook as simple HTML for a QTextBrowser (escaped: the text comes from a file)."""
    parts = [
        f"<h3>{escape(rb.title)}</h3>",
        "<p>"
        + escape(
            _("{issuer}　{document}　规则册 {id}").format(issuer=rb.issuer, document=rb.document, id=rb.id)
        )
        + "</p>",
    ]
    if rb.based_on:
        parts.append("<p>" + escape(_("组合自：{ids}").format(ids="、".join(rb.based_on))) + "</p>")
    if not rb.rules:
        parts.append("<p>" + escape(_("本规则册没有可执行的规则。")) + "</p>")
    for rule in rb.rules:
        strength = strength_name(rule.strength)
        color = {"must": "#1b5e20", "principle": "#8a5a00", "centre": "#0d47a1"}.get(rule.strength, "#000")
        parts.append(
            f"<p><b>{escape(rule.title)}</b> <span style='color:{color}'>［{escape(strength)}］</span>"
        )
        if rule.params:
            params = "，".join(f"{k} = {v}" for k, v in sorted(rule.params.items()))
            parts.append(f"<br/><small>{escape(params)}</small>")
        if rule.clause:
            parts.append(
                "<br/>"
                + escape(f"{rule.clause.document} {rule.clause.article}：")
                + f"<i>“{escape(rule.clause.quote)}”</i>"
            )
        if rule.reading:
            parts.append("<br/>" + escape(_("理解：{r}").format(r=rule.reading)))
        if rule.note:
            parts.append("<br/>" + escape(_("说明：{n}").format(n=rule.note)))
        for m in rule.milestones:
            parts.append("<br/>" + escape(f"{m.due}　{m.name}"))
        parts.append("</p>")
    if rb.not_modelled:
        parts.append("<h4>" + escape(_("文件中未由程序执行的规定")) + "</h4>")
        for n in rb.not_modelled:
            parts.append(
                f"<p>{escape(n.article)}：<i>“{escape(n.quote)}”</i><br/>"
                + escape(_("原因：{r}").format(r=n.reason))
                + "</p>"
            )
    return "".join(parts)


class RulebookBrowser(QTextBrowser):
    def show_rulebook(self, rb: Rulebook | None) -> None:
        self.setHtml(rulebook_html(rb) if rb else "")


def milestone_table() -> Table:
    return Table(
        RowsModel(
            [
                Column(_("阶段"), lambda m: m.name, tip=lambda m: m.quote),
                Column(_("截止日期"), lambda m: m.due.isoformat()),
                Column(
                    _("状态"),
                    lambda m: milestone_state_name(m.state),
                    alarm=lambda m: m.state in ("late", "done_late"),
                ),
                Column(_("完成日期"), lambda m: m.done_on.isoformat() if m.done_on else None),
                Column(_("记录人"), lambda m: m.recorded_by),
            ]
        )
    )


__all__ = ["MilestoneState", "RulebookBrowser", "milestone_table", "rulebook_html"]

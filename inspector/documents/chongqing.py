"""The Chongqing renewal form's own table and closing block (seed 003, 附件3).

The form's table is 评估类别 | 评估项目 | 评估内容 | 评估办法 | 评分标准 | 得分 | 备注, the points of each
评估内容 in brackets after its text ("（4分）"), and it closes with the 评估组意见 block: 机构评估得分
and the team's signatures, then 综合评价 with the form's thresholds, "本次评估结论为：" and the experts'
signatures (组长, 成员). The score sheet prints that, not the Sichuan layout, for a Chongqing form.

The rubric keeps the form's two method columns as one text, "评估办法。评分标准" (see the rubric
file's notes): it is split again here by sentence, the scoring standard beginning with the first
sentence that deducts or awards points (扣 / 得 / 不得分). The words are printed as transcribed,
in their order; only the cell they stand in is chosen.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from inspector.documents.parts import RECONSTRUCTED_MARK, outcome_rule
from inspector.documents.sheet_data import SheetData
from inspector.documents.style import SHADE, cn_date, grid, lines, p
from inspector.documents.tables import MergedTable, Row
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.points import fmt

# 评估类别 评估项目 评估内容 评估办法 评分标准 得分 备注
COLUMNS = (0.075, 0.095, 0.235, 0.17, 0.19, 0.06, 0.175)
_SCORING = re.compile(r"扣|得\d|得分|不得分|不扣分")


def is_chongqing(rubric: Rubric) -> bool:
    """A form of the Chongqing renewal family (its id, as shipped: ``chongqing-…``)."""
    return rubric.id.startswith("chongqing-")


def split_method(method: str) -> tuple[str, str]:
    """(评估办法, 评分标准) from the rubric's joined text, split at the first scoring sentence."""
    sentences = [s for s in re.split(r"(?<=。)", method) if s]
    for k, sentence in enumerate(sentences):
        if _SCORING.search(sentence):
            return "".join(sentences[:k]), "".join(sentences[k:])
    return method, ""


def chongqing_table(sheet: SheetData, width: float, reason: Any, points: Any) -> MergedTable:
    """The form's table. ``reason`` and ``points`` make the 备注 and 得分 cells (the score sheet's)."""
    widths = [width * c for c in COLUMNS]
    head = [
        Row(
            [
                p(_("评估类别"), "head"),
                p(_("评估项目"), "head"),
                p(_("评估内容"), "head"),
                p(_("评估办法"), "head"),
                p(_("评分标准"), "head"),
                p(_("得分"), "head"),
                p(_("备注"), "head"),
            ]
        )
    ]
    rows: list[Row] = []
    cont = _("（续）")
    for s_index, section in enumerate(sheet.rubric.sections):
        s_label = section.title + "\n" + _("（{points}分）").format(points=fmt(section.points))
        method_key = 0
        for g_index, group in enumerate(section.groups):
            g_label = group.title + (_("（{p}分）").format(p=fmt(group.points)) if group.points else "")
            if group.points:  # the form prints the 中项's maximum; the points scored go beside it
                scored = [sheet.results[i.id] for i in group.items]
                got = sum((r.points for r in scored if r.answered), Decimal(0))
                g_label += (
                    _("得{p}分").format(p=fmt(got))
                    if all(r.answered for r in scored)
                    else _("已评部分得{p}分").format(p=fmt(got))
                )
            for item in group.items:
                r = sheet.results[item.id]
                how, standard = split_method(item.method)
                if item.sampling:
                    how = "\n".join(x for x in (how, _("抽查：{s}").format(s=item.sampling)) if x)
                if not item.shares_method:
                    method_key += 1
                key = (s_index, g_index, method_key)
                recon = RECONSTRUCTED_MARK if item.reconstructed else ""  # rebuilt from a garbled source
                text = f"{item.id}{recon}　{item.text}" + _("（{p}分）").format(p=fmt(item.points))
                rows.append(
                    Row(
                        [
                            lines(s_label, "dense_center"),
                            p(g_label, "dense"),
                            p(text, "dense"),
                            lines(how, "cell_small"),
                            lines(standard, "cell_small"),
                            points(r),
                            lines(reason(sheet, item, r), "cell_small"),
                        ],
                        merge={0: s_index, 1: (s_index, g_index), 3: key, 4: key},
                        continued={
                            0: lines(s_label + cont, "dense_center"),
                            1: p(g_label + cont, "dense"),
                            3: lines(how, "cell_small"),
                            4: lines(standard, "cell_small"),
                        },
                    )
                )
        sres = sheet.report.sections[s_index]
        lost = sres.max_points - sres.points
        label = _("{label} 小计（{m}分）").format(label=section.title, m=fmt(section.points))
        # a bonus not earned is not a loss (the form: 不得分、不扣分)
        lost_text = _("失{n}分").format(n=fmt(lost)) if lost and not section.bonus else ""
        rows.append(_total(label, fmt(sres.points), lost_text))
    report = sheet.report
    if sheet.rubric.bonus_points:
        rows.append(
            _total(_("基本分合计（{m}分）").format(m=fmt(sheet.rubric.max_points)), fmt(report.base), "")
        )
        rows.append(
            _total(_("加分（{m}分）").format(m=fmt(sheet.rubric.bonus_points)), fmt(report.bonus), "")
        )
    rows.append(_total(_("机构评估得分"), fmt(report.total), ""))
    style = [*grid(header_rows=1), ("ALIGN", (5, 1), (5, -1), "CENTER")]
    return MergedTable(head, rows, widths, style)


def _total(label: str, points: str, note: str) -> Row:
    return Row(
        [p(label, "cell_right"), "", "", "", "", p(points, "cell_center"), p(note, "cell_small")],
        hspan=[(0, 4)],
        commands=[("BACKGROUND", (0, 0), (-1, 0), SHADE)],
    )


def opinion_block(sheet: SheetData, width: float) -> Flowable:
    """评估组意见 and 综合评价, as the form closes: score, conclusion, the thresholds, signing lines."""
    report, e = sheet.report, sheet.evaluation
    signed = e.state == "signed"
    date = cn_date(e.signed_at if signed else None)
    names = "、".join(str(m.get("name", "")) for m in e.team if m.get("name"))
    leader = next((str(m.get("name", "")) for m in e.team if m.get("role") == _("组长")), "")
    members = "、".join(
        str(m.get("name", "")) for m in e.team if m.get("name") and m.get("role") != _("组长")
    )
    fixed = sheet.fixed  # a signed evaluation's figures are those fixed at signing
    total = _("{p} 分").format(p=fmt(fixed.total if fixed else report.total))
    if report.unanswered:
        total += _("（{n} 项未评分）").format(n=len(report.unanswered))
    if fixed and fixed.outcome_label:
        outcome = fixed.outcome_label
    elif report.outcome and not report.unanswered:
        outcome = report.outcome.label
        if e.conflicts:
            outcome = _("暂为“{label}”（暂定）").format(label=outcome)
    else:
        outcome = _("（尚未评完）")
    thresholds = outcome_rule(sheet.rubric)  # from the rubric's outcomes, where they cite the form
    sign_note = _("（已在程序中签署，见“签署”）") if signed else ""
    rows: list[list[Any]] = [
        [
            p(_("评估组意见"), "label"),
            lines(
                "\n".join(
                    [
                        _("机构评估得分：{total}").format(total=total),
                        _("评估组成员签字：{names}{note}").format(names=names, note=sign_note),
                        date,
                    ]
                ),
                "value",
            ),
        ],
        [
            p(_("综合评价"), "label"),
            lines(
                "\n".join(
                    [
                        _("评估结论：{rule}。").format(rule=thresholds),
                        _("本次评估结论为：{outcome}").format(outcome=outcome),
                        _("评估专家签字：组长（签名）：{leader}　成员（签名）：{members}{note}").format(
                            leader=leader, members=members, note=sign_note
                        ),
                        date,
                    ]
                ),
                "value",
            ),
        ],
    ]
    t = Table(rows, colWidths=[26 * mm, width - 26 * mm])
    cmds = grid(header_rows=0)
    cmds += [("BACKGROUND", (0, 0), (0, -1), SHADE), ("TOPPADDING", (0, 0), (-1, -1), 5)]
    t.setStyle(TableStyle(cmds))
    return KeepTogether([t])

"""The score sheet (评分表) of one evaluation as a PDF, laid out like the official form.

Header (form, issuer and document number, station and code, date, kind, team, revision, QR code),
the form's table 大项 | 中项 | 小项 | 分值 | 评估方法和标准 | 得分 | 扣分理由 with the 大项 and 中项
cells spanning their rows, subtotals and totals, the result (bonus, vetoes, outcome in words), the
findings, the self-assessment comparison (and, for a re-check, what was rectified), an appendix of
evidence and the signature block. The QR code's content hash is defined in
:mod:`inspector.documents.sheet_data`.

The bytes returned are unsigned: the cryptographic signature (:mod:`inspector.crypto.pdfsign`) is added
afterwards as an incremental update and is invisible; the handwritten signatures drawn here are the
visible ones.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from inspector.documents.chongqing import chongqing_table, is_chongqing, opinion_block
from inspector.documents.parts import (
    RECONSTRUCTED_MARK,
    comparison_flowables,
    evidence_appendix,
    findings,
    header_block,
    outcome_rule,
    signature_block,
    title_block,
)
from inspector.documents.sheet_data import SheetData, load_sheet
from inspector.documents.style import (
    PORTRAIT,
    SHADE,
    Page,
    build,
    content_width,
    grid,
    kind_label,
    lines,
    p,
    short_hash,
)
from inspector.documents.tables import MergedTable, Row
from inspector.i18n import _
from inspector.rubric.model import Item
from inspector.rubric.points import fmt
from inspector.rubric.scoring import ItemResult
from inspector.store.evaluations import EvaluationStore

OVERRIDE_MARK = "※"
NA_MARK = "△"
UNANSWERED_MARK = "—"
# Column shares of the content width: 大项 中项 小项 分值 评估方法和标准 得分 扣分理由.
SIZE = PORTRAIT  # the official forms are portrait; the table runs over more pages at 9-10 pt
COLUMNS = (0.085, 0.105, 0.22, 0.06, 0.25, 0.06, 0.22)


def mark(r: ItemResult) -> str:
    return OVERRIDE_MARK if r.override else NA_MARK if r.na else ""


def points_cell(r: ItemResult) -> str:
    if not r.answered:
        return UNANSWERED_MARK
    if r.irregular:  # a mark the form disallows gives no points (scoring.disallowed): none printed
        return UNANSWERED_MARK + mark(r)
    return fmt(r.points) + mark(r)


def points_flowable(r: ItemResult) -> Any:
    """The 得分 cell: a plain string, or with its mark drawn large (the font draws ※ and △ small)."""
    if not r.answered or not mark(r):
        return points_cell(r)
    shown = UNANSWERED_MARK if r.irregular else fmt(r.points)
    return p("", "cell_center", markup=f'{shown}<font size="12">{mark(r)}</font>')


def reason_text(sheet: SheetData, item: Item, r: ItemResult) -> str:
    """What the 扣分理由 cell says: the reason, the inspector's note, the evidence numbers."""
    parts = []
    if r.irregular:
        parts.append(_("评估表不允许的记录：{why}").format(why=r.irregular))
    if r.reason and (r.points < r.max_points or r.override or r.na or not r.answered):
        # The rule's own wording, which the reason ends with, is already in the method column.
        parts.append(r.reason.removesuffix(f"（{item.rule.describe()}）"))
    note = (sheet.payloads.get(item.id) or {}).get("note")
    if note:
        parts.append(_("备注：{note}").format(note=note_excerpt(note)))
    ev = sheet.evidence_for(item.id)
    if ev:
        parts.append(_("证据：{numbers}").format(numbers="、".join(x.number for x in ev)))
    return "\n".join(parts)


#: How much of a note the table's 扣分理由 cell holds. A row of the score table cannot break across
#: pages (its merged cells hold it together), so a long note (up to 2,000 characters may be
#: recorded) would not fit a page (reportlab's LayoutError); its full text is printed below, in the
#: findings, whose rows may break.
NOTE_IN_CELL = 120


def note_excerpt(note: str) -> str:
    flat = " ".join(note.split())
    if len(flat) <= NOTE_IN_CELL and "\n" not in note.strip():
        return note
    return flat[:NOTE_IN_CELL] + _("……（全文见扣分情况汇总）")


def _section_label(code: str, title: str, points: Decimal) -> str:
    """``1.岗位设置情况`` over ``（11分）``, as the form prints it (the points never split)."""
    head = f"{code}.{title}" if code else title
    return head + "\n" + _("（{points}分）").format(points=fmt(points))


def score_table(sheet: SheetData, width: float) -> MergedTable:
    """The form's table; ``width`` is the content width it fills."""
    widths = [width * c for c in COLUMNS]
    head = [
        Row(
            [
                p(_("评估内容"), "head"),
                "",
                "",
                p(_("分值"), "head"),
                p(_("评估方法和标准"), "head"),
                p(_("评估结果"), "head"),
                "",
            ],
            hspan=[(0, 2), (5, 6)],
            commands=[("SPAN", (3, 0), (3, 1)), ("SPAN", (4, 0), (4, 1))],
        ),
        Row(
            [
                p(_("大项"), "head"),
                p(_("中项"), "head"),
                p(_("小项"), "head"),
                "",
                "",
                p(_("得分"), "head"),
                p(_("扣分理由"), "head"),
            ]
        ),
    ]
    results = sheet.results
    rows: list[Row] = []
    shown: dict[int, object] = {}  # the merge keys of the row above
    cont = _("（续）")
    for s_index, section in enumerate(sheet.rubric.sections):
        s_label = _section_label(section.code, section.title, section.points)
        method_key = 0
        for g_index, group in enumerate(section.groups):
            g_label = group.label + (_("（{p}分）").format(p=fmt(group.points)) if group.points else "")
            scored = [results[i.id] for i in group.items]
            # the form prints the 中项's maximum; the points scored go beside it (none over a mark
            # the form disallows, as no section sum and no total)
            if group.points and not any(r.irregular for r in scored):
                got = sum((r.points for r in scored if r.answered), Decimal(0))
                g_label += "\n" + (
                    _("得{p}分").format(p=fmt(got))
                    if all(r.answered for r in scored)
                    else _("已评部分得{p}分").format(p=fmt(got))
                )
            if group.table:  # the form's own table label (表2-1) above the 中项 its table starts with
                rows.append(
                    Row([p(group.table, "head"), "", "", "", "", "", ""], hspan=[(0, 6)], keep_with_next=True)
                )
            subgroup = None
            for item in group.items:
                r = results[item.id]
                text = item.text
                if item.subgroup and item.subgroup != subgroup:
                    text = f"【{item.subgroup}】{text}"
                subgroup = item.subgroup
                method = "\n".join(
                    [item.method, *([_("抽查：{s}").format(s=item.sampling)] if item.sampling else [])]
                )
                if not item.shares_method:
                    method_key += 1
                recon = RECONSTRUCTED_MARK if item.reconstructed else ""
                merge = {0: s_index, 1: (s_index, g_index), 4: (s_index, g_index, method_key)}
                # A merged cell shows its block's first row (MergedTable blanks the others): only
                # that row's is made, and the "（续）" labels only when a page break calls for one.
                first = {col: merge[col] != shown.get(col) for col in merge}
                shown = merge
                rows.append(
                    Row(
                        [
                            lines(s_label, "dense_center") if first[0] else "",
                            lines(g_label, "dense") if first[1] else "",
                            p(f"{item.id}{recon}　{text}", "dense"),
                            fmt(item.points),  # plain strings: no paragraph to wrap
                            lines(method, "cell_small") if first[4] else "",
                            points_flowable(r),
                            lines(reason_text(sheet, item, r), "cell_small"),
                        ],
                        merge=merge,
                        continued={
                            0: partial(lines, s_label + cont, "dense_center"),
                            1: partial(
                                lines,
                                g_label.replace("\n", cont + "\n", 1) if "\n" in g_label else g_label + cont,
                                "dense",
                            ),
                            4: partial(lines, method, "cell_small"),
                        },
                    )
                )
        sres = sheet.report.sections[s_index]
        lost = sres.max_points - sres.points
        label = _("{label} 小计").format(label=section.title) + (_("（加分项）") if section.bonus else "")
        lost_text = _("失{n}分").format(n=fmt(lost)) if lost and not section.bonus else ""
        if any(results[i.id].irregular for i in section.items()):  # no sum over a disallowed mark
            rows.append(_total_row(label, fmt(section.points), UNANSWERED_MARK, ""))
        else:
            rows.append(_total_row(label, fmt(section.points), fmt(sres.points), lost_text))
    report = sheet.report
    none = sheet.refused is not None  # a mark the form disallows: no total printed (signing's check)
    if sheet.rubric.bonus_points:
        base, bonus = (UNANSWERED_MARK, UNANSWERED_MARK) if none else (fmt(report.base), fmt(report.bonus))
        rows.append(_total_row(_("基本分合计"), fmt(sheet.rubric.max_points), base, ""))
        rows.append(_total_row(_("加分"), fmt(sheet.rubric.bonus_points), bonus, ""))
    rows.append(
        _total_row(
            _("总分"),
            fmt(sheet.rubric.max_points + sheet.rubric.bonus_points),
            UNANSWERED_MARK if none else fmt(report.total),
            _("无总分") if none else _("失{n}分").format(n=fmt(_lost(sheet))),
        )
    )
    style = [*grid(header_rows=2), ("ALIGN", (3, 2), (3, -1), "CENTER"), ("ALIGN", (5, 2), (5, -1), "CENTER")]
    return MergedTable(head, rows, widths, style)


def _lost(sheet: SheetData) -> Decimal:
    """Points lost on base items: an unmet bonus item loses nothing ("不得分、不扣分")."""
    return sum(
        (
            r.max_points - r.points
            for r in sheet.report.items
            if r.answered and not sheet.rubric.item(r.id).in_bonus
        ),
        Decimal(0),
    )


def _total_row(label: str, max_points: str, points: str, note: str) -> Row:
    return Row(
        [
            p(label, "cell_right"),
            "",
            "",
            p(max_points, "cell_center"),
            "",
            p(points, "cell_center"),
            p(note, "cell_small"),
        ],
        hspan=[(0, 2)],
        commands=[("BACKGROUND", (0, 0), (-1, 0), SHADE)],
    )


def marks_footnote(sheet: SheetData, column: str | None = None) -> Paragraph:
    """The marks explained; ``column`` names where the reasons stand (the form's own word)."""
    where = column or _("扣分理由")

    def big(m: str) -> str:  # drawn as large as in the 得分 column
        return f'<font size="11">{m}</font>'

    parts = [
        escape(_("{mark} 评估人员人工调整的分数，理由见“{column}”栏")).format(
            mark=big(OVERRIDE_MARK), column=escape(where)
        ),
        escape(_("{mark} 评估表允许不适用的小项，按评估表规定计分，理由见“{column}”栏")).format(
            mark=big(NA_MARK), column=escape(where)
        ),
    ]
    recon = [i for i in sheet.rubric.items() if i.reconstructed]
    if recon:
        parts.append(
            escape(_("{mark} 原文无法辨认、由评估表复原的内容：{lines}")).format(
                mark=big(RECONSTRUCTED_MARK),
                lines=escape("；".join(f"{i.id} {i.reconstructed}" for i in recon)),
            )
        )
    if sheet.report.unanswered:
        parts.append(escape(_("{mark} 尚未评分")).format(mark=UNANSWERED_MARK))
    return p("", "footnote", markup=escape(_("注：")) + "；".join(parts) + "。")


def result_block(sheet: SheetData, width: float) -> Flowable:
    """Total, bonus, vetoes and the outcome in words, as a two-column table."""
    report, rubric = sheet.report, sheet.rubric
    rows: list[list[Any]] = []

    def add(label: str, value: str) -> None:
        rows.append([p(label, "label"), lines(value, "value")])

    fixed = sheet.fixed
    base, bonus, total = (
        (fixed.base, fixed.bonus, fixed.total) if fixed else (report.base, report.bonus, report.total)
    )
    if fixed is None and sheet.refused is not None:  # a mark the form disallows: no total, no outcome
        add(_("总分"), _("无总分：{why}").format(why=sheet.refused))
        add(_("评估结论"), _("无总分，暂无结论"))
        return _result_table(rows, width)
    add(_("基本分"), _("{p} 分（满分 {m} 分）").format(p=fmt(base), m=fmt(rubric.max_points)))
    if rubric.bonus_points:
        add(
            _("加分"),
            _("{p} 分（加分项上限 {m} 分）").format(p=fmt(bonus), m=fmt(rubric.bonus_points)),
        )
        add(
            _("总分"),
            _("基本分 {b} + 加分 {y} = 总分 {t} 分（评估结论按总分判定）").format(
                b=fmt(base), y=fmt(bonus), t=fmt(total)
            ),
        )
    else:
        add(_("总分"), _("{p} 分").format(p=fmt(total)))
    if fixed:
        add(_("签署时确定"), _("总分与结论在签署时确定，此后不再变动"))
    if sheet.differs:
        add(_("重新计算"), sheet.differs)
    if rubric.vetoes:
        if report.vetoed:
            found = []
            for v in report.vetoed:
                veto = rubric.veto(v.id)
                line = f"{v.id} {veto.text if veto else ''}"
                found.append(line + (_("：{note}").format(note=v.note) if v.note else ""))
            add(_("否决情形"), _("发现 {n} 项：").format(n=len(found)) + "\n" + "\n".join(found))
        else:
            add(_("否决情形"), _("未发现（共 {n} 项否决情形逐项核查）").format(n=len(rubric.vetoes)))
    if report.unanswered:
        add(_("未评分"), _("尚有 {n} 个小项未评分，结论不是最终结论").format(n=len(report.unanswered)))
    conflicts = sheet.evaluation.conflicts
    if conflicts:
        add(
            _("待定"),
            _("评估组成员对 {n} 个小项的记录不一致，尚未解决：总分与结论为暂定").format(n=conflicts),
        )
    reached = report.outcome
    if fixed and fixed.outcome_label:
        outcome = fixed.outcome_label
    else:
        outcome = reached.label if reached else _("文件未规定评估结论")
    if (report.unanswered or conflicts) and reached and not fixed:
        outcome = _("暂为“{label}”（暂定）").format(label=outcome)
    rule = outcome_rule(rubric)
    basis = ""
    if reached and reached.clause and not (fixed and fixed.outcome_code != reached.code):
        basis = "\n" + _("依据：{clause}").format(clause=reached.clause)
    add(_("评估结论"), outcome + (f"\n（{rule}）" if rule else "") + basis)
    return _result_table(rows, width)


def _result_table(rows: list[list[Any]], width: float) -> Flowable:
    t = Table(rows, colWidths=[28 * mm, width - 28 * mm])
    cmds = grid(header_rows=0)
    cmds += [("BACKGROUND", (0, 0), (0, -1), SHADE), ("FONTSIZE", (0, -1), (-1, -1), 11)]
    t.setStyle(TableStyle(cmds))
    return KeepTogether([p(_("评估结果"), "h2"), t])


def sheet_story(sheet: SheetData, size: tuple[float, float]) -> list[Flowable]:
    width = content_width(size)
    story: list[Flowable] = [*title_block(sheet, _("评分表")), header_block(sheet, width), Spacer(1, 4 * mm)]
    if is_chongqing(sheet.rubric):  # the form's own columns and its 评估组意见 block
        story.append(chongqing_table(sheet, width, reason_text, points_flowable))
        story.append(Spacer(1, 1.5 * mm))
        story.append(marks_footnote(sheet, _("备注")))
        story.append(result_block(sheet, width))  # 基本分 + 加分 = 总分, the band's clause, 暂定
        story.append(Spacer(1, 3 * mm))
        story.append(opinion_block(sheet, width))
    else:
        story.append(score_table(sheet, width))
        story.append(Spacer(1, 1.5 * mm))
        story.append(marks_footnote(sheet))
        story.append(result_block(sheet, width))
    story += findings(sheet, width)
    story += comparison_flowables(sheet, width)
    # Chongqing's form (附件3) has no line for the station's representative: its 评估组意见 block
    # carries the group's signatures; the other forms print one for the 机构代表
    story += signature_block(sheet, width, blank_roles=() if is_chongqing(sheet.rubric) else None)
    story += evidence_appendix(sheet, width)
    return story


def page_for(sheet: SheetData, size: tuple[float, float], what: str, draft: bool | None) -> Page:
    e = sheet.evaluation
    return Page(
        size=size,
        title=f"{sheet.rubric.title} — {e.org_name}",
        subject=_("{what}（{kind}）").format(what=what, kind=kind_label(e.kind)),
        author="、".join(str(m.get("name", "")) for m in e.team),
        footer_left=e.org_name,
        footer_right=_("内容摘要 {h}").format(h=short_hash(sheet.digest)),
        draft=(e.state != "signed") if draft is None else draft,
    )


def render_sheet_data(sheet: SheetData, *, draft: bool | None = None) -> bytes:
    """The score sheet's PDF bytes; ``draft`` forces the watermark on (or off), else unsigned → on."""
    size = SIZE
    return build(sheet_story(sheet, size), page_for(sheet, size, _("评分表"), draft))


def render_sheet(store: EvaluationStore, data: Path, eval_id: str, *, draft: bool | None = None) -> bytes:
    return render_sheet_data(load_sheet(store, data, eval_id), draft=draft)

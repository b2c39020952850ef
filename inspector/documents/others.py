"""The other printed documents of an evaluation, in the score sheet's style.

* 整改通知书 (rectification notice) — the Chongqing template (seed 003, 附件 "整改通知书（模板）"):
  addressee, the date and kind of the evaluation, the problems found (every lost item with its
  reason, every veto found), the demand, issuer and date. Only for an outcome that calls for it
  (``rectify``, or ``fail``). The demand is the issuing document's own: Chongqing's "整改期为6个月，
  整改期内暂停职业技能等级认定工作…" for its renewal form; for a form whose document says only
  "限期整改，整改期间不得开展鉴定工作" (Sichuan) that sentence, and no invented period.
* 督导情况记录表 (supervision record) — for checklist forms (``fujian-2021-supervision-record``):
  符合 / 不符合 / 情况说明 per line, the supervisors, the date, and the due date of "外督应在督导工作
  结束后5个工作日内提交" counted on the Chinese working-day calendar.
* 自查自评报告 (self-assessment report) — for a station's own evaluation (kind ``self``): the total,
  each 大项, the problems the station found itself, the veto conditions, room for its measures.
* 质量督导意见书 (supervision opinion) — of a Fujian 专项督导 target: :mod:`inspector.documents.opinion`.

:func:`render_document` picks one by name; every document carries the QR code and content hash of
:mod:`inspector.documents.sheet_data`, page numbers and, unless signed, the draft watermark.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from inspector.documents.parts import (
    findings,
    header_block,
    outcome_rule,
    qr_cell,
    signature_block,
    title_block,
)
from inspector.documents.score_sheet import note_excerpt, page_for, render_sheet_data
from inspector.documents.sheet_data import SheetData, load_sheet
from inspector.documents.style import (
    PORTRAIT,
    SHADE,
    build,
    cn_date,
    content_width,
    font,
    grid,
    kind_label,
    lines,
    p,
)
from inspector.documents.tables import MergedTable, Row
from inspector.errors import UsageError
from inspector.i18n import _
from inspector.rubric.points import ZERO, fmt
from inspector.store.evaluations import EvaluationStore

DOCUMENTS = ("sheet", "notice", "record", "self", "opinion")
TICK = "√"
RECORD_DAYS = 5  # 外督应在督导工作结束后5个工作日内提交督导情况记录表（福建 实施办法 第三章七）


def _qr_footer(sheet: SheetData) -> Table:
    """The QR code and hash at the end of a one-page document, right-aligned and unboxed."""
    t = Table([["", qr_cell(sheet)]], colWidths=[None, 40 * mm])
    # FONT: even an empty string cell selects the table's font, by default an unembedded Helvetica
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font()),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return t


# -- 整改通知书 -----------------------------------------------------------------------------------


def finding(sheet: SheetData, item_id: str) -> str:
    """What the station must act on for one lost item: the inspector's note of what was found, else
    the rule's own reason (an override: the reason the inspector wrote), never internal wording."""
    r = sheet.results[item_id]
    item = sheet.rubric.item(item_id)
    payload = sheet.payloads.get(item_id) or {}
    note = str(payload.get("note") or "").strip()
    if note:
        return note
    if r.override or (payload.get("points") is not None and payload.get("reason")):
        return str(payload.get("reason") or "").strip()
    reason = (r.reason or "").removesuffix(f"（{item.rule.describe()}）")
    return re.sub(r"，扣[0-9.]+分$", "", reason)  # the amount is said once, after the finding


def problems(sheet: SheetData) -> list[str]:
    """The problems found, one sentence each: vetoes first, then every lost base item with what was
    found. An unmet bonus item is not a problem ("不满足的，不得分、不扣分")."""
    out = []
    for v in sheet.report.vetoed:
        veto = sheet.rubric.veto(v.id)
        text = _("存在否决情形：{text}").format(text=veto.text if veto else v.id)
        out.append(text + (_("：{note}").format(note=v.note) if v.note else ""))
    for r in sheet.report.lost:
        item = sheet.rubric.item(r.id)
        if item.in_bonus:
            continue
        out.append(
            _("{text}：{finding}（扣{lost}分）").format(
                text=item.text.rstrip("。"), finding=finding(sheet, r.id), lost=fmt(r.max_points - r.points)
            )
        )
    return out


def notice_record(sheet: SheetData, db: Any) -> Any:
    """The rectification entered in 整改跟踪 for this evaluation (its number and deadline), if any."""
    from inspector.centre.rectifications import list_rectifications

    found = list_rectifications(db, {sheet.evaluation.id})
    return found[-1] if found else None


def notice_story(sheet: SheetData, issued: dt.date, record: Any = None) -> list[Flowable]:
    report, rubric, e = sheet.report, sheet.rubric, sheet.evaluation
    outcome = report.outcome
    if outcome is None:
        raise UsageError(_("该评估表未规定评估结论，不能生成整改通知书"), e.id)
    if report.unanswered:
        raise UsageError(
            _("评估尚未完成（{n} 个小项未评分），结论未定，不能生成整改通知书").format(
                n=len(report.unanswered)
            ),
            e.id,
        )
    if outcome.code not in ("rectify", "fail") and not report.vetoed:
        raise UsageError(_("评估结论为“{label}”，不需要整改通知书").format(label=outcome.label), e.id)
    chongqing = any(o.code == "rectify" for o in rubric.outcomes)
    what = _("延续备案评估") if chongqing else kind_label(e.kind)
    story: list[Flowable] = [p(_("整改通知书"), "title")]
    if record is not None and record.notice_no:
        story.append(p(record.notice_no, "subtitle"))
    story.append(Spacer(1, 6 * mm))
    story.append(p(_("{org}：").format(org=e.org_name), "letter_flat"))
    story.append(
        p(
            _("{date}，经对你单位开展{what}，发现存在以下问题：").format(
                date=cn_date(e.visit_date), what=what
            ),
            "letter",
        )
    )
    for n, line in enumerate(problems(sheet), start=1):
        story.append(p(f"（{n}）{line}", "list"))
    story.append(
        p(
            _("本次评估依据《{title}》，得分 {total} 分，评估结论：{label}。").format(
                title=rubric.title, total=fmt(report.total), label=outcome.label
            ),
            "letter",
        )
    )
    if chongqing:
        demand = _(
            "即日起，你单位须立即对上述存在的问题进行整改，整改期为6个月，整改期内暂停职业技能等级认定工作。"
            "整改完成后，经评估合格再进行续期备案。若逾期未整改或未按要求完成整改，"
            "将视情况对你单位采取终止职业技能等级评价机构备案等措施。"
        )
    else:
        demand = _(
            "即日起，你单位须对上述存在的问题限期整改，整改期间不得开展鉴定工作。"
            "经整改仍不合格的，由审批机关按规定撤销其鉴定资质。"
        )
    if record is not None:
        demand += _("整改期限至{date}。").format(date=cn_date(record.deadline))
    story += [p(demand, "letter"), p(_("特此通知。"), "letter")]
    closing = [
        Spacer(1, 14 * mm),
        p(_("{issuer}（盖章）").format(issuer=rubric.issuer or _("评估机关")), "right"),
        p(cn_date(issued), "right"),
        Spacer(1, 8 * mm),
        _qr_footer(sheet),
        p(_("评估编号：{id}").format(id=e.id), "small"),
    ]
    story.append(KeepTogether(closing))  # the issuer, date and code never stand alone on a page
    return story


# -- 督导情况记录表 -------------------------------------------------------------------------------


def due_text(visit_date: str | None) -> str:
    """ "应于 2026年11月28日 前提交", or the rule in words when the calendar cannot say."""
    if not visit_date:
        return _("督导工作结束后{n}个工作日内").format(n=RECORD_DAYS)
    visit = dt.date.fromisoformat(visit_date)
    try:
        from inspector.centre.workdays import add_working_days

        due = add_working_days(visit, RECORD_DAYS)
    except (ImportError, UsageError):  # no calendar data for that year: say the rule, not a guess
        return _("{date}后{n}个工作日内").format(date=cn_date(visit), n=RECORD_DAYS)
    return _("{due}前（督导日期后第{n}个工作日，节假日及调休已计入）").format(due=cn_date(due), n=RECORD_DAYS)


def record_table(sheet: SheetData, width: float) -> MergedTable:
    shares = (0.11, 0.13, 0.22, 0.18, 0.06, 0.09, 0.21)  # 不符合 on one line in the head
    head = [
        Row(
            [
                p(x, "head")
                for x in (
                    _("类别"),
                    _("事项"),
                    _("督导内容"),
                    _("督导方式"),
                    _("符合"),
                    _("不符合"),
                    _("情况说明"),
                )
            ]
        )
    ]
    rows: list[Row] = []
    for s_index, section in enumerate(sheet.rubric.sections):
        s_label = f"{section.code}. {section.title}" if section.code else section.title
        for g_index, group in enumerate(section.groups):
            for item in group.items:
                r = sheet.results[item.id]
                payload = sheet.payloads.get(item.id) or {}
                met = payload.get("met")
                if not r.answered:
                    marks, text = ("", ""), _("未记录")
                elif r.na:
                    marks, text = ("—", "—"), r.reason or ""
                else:
                    marks = (TICK, "") if met else ("", TICK)
                    text = note_excerpt(str(payload.get("note") or ""))
                ev = sheet.evidence_for(item.id)
                if ev:
                    text = "\n".join(
                        x for x in (text, _("证据：{n}").format(n="、".join(x.number for x in ev))) if x
                    )
                rows.append(
                    Row(
                        [
                            p(s_label, "cell_center"),
                            p(group.label, "cell"),
                            p(f"{item.id}　{item.text}", "cell"),
                            p(item.method, "cell_small"),
                            p(marks[0], "cell_center"),
                            p(marks[1], "cell_center"),
                            lines(text, "cell_small"),
                        ],
                        merge={0: s_index, 1: (s_index, g_index)},
                        continued={
                            0: p(s_label + _("（续）"), "cell_center"),
                            1: p(group.label + _("（续）"), "cell"),
                        },
                    )
                )
    return MergedTable(head, rows, [width * s for s in shares], grid())


def record_story(sheet: SheetData, width: float) -> list[Flowable]:
    e = sheet.evaluation
    story = [*title_block(sheet, _("督导情况记录表")), header_block(sheet, width, with_result=False)]
    if sheet.rubric.derived:
        story.append(p(_("注：本表据实施办法正文派生，不是官方附件原表；各行注明所据条款。"), "footnote"))
    story += [Spacer(1, 3 * mm), record_table(sheet, width), Spacer(1, 2 * mm)]
    long_notes = [
        (r.id, note)
        for r in sheet.report.items
        if (note := str((sheet.payloads.get(r.id) or {}).get("note") or "")) and note_excerpt(note) != note
    ]
    if long_notes:  # in full below the table, whose rows cannot break across pages
        story.append(p(_("说明全文"), "h2"))
        story += [p(_("{item}：{note}").format(item=item_id, note=note)) for item_id, note in long_notes]
    counts = {"met": 0, "unmet": 0, "na": 0, "open": 0}
    for r in sheet.report.items:
        payload = sheet.payloads.get(r.id) or {}
        key = "open" if not r.answered else "na" if r.na else "met" if payload.get("met") else "unmet"
        counts[key] += 1
    story.append(
        p(
            _("共 {n} 项：符合 {met} 项，不符合 {unmet} 项，不适用 {na} 项，未记录 {open} 项。").format(
                n=len(sheet.report.items), **counts
            )
        )
    )
    rows = [
        [
            p(_("督导员"), "label"),
            p("、".join(str(m.get("name", "")) for m in e.team) or _("（未登记）"), "value"),
        ],
        [p(_("督导日期"), "label"), p(cn_date(e.visit_date), "value")],
        [p(_("提交期限"), "label"), p(due_text(e.visit_date), "value")],
        [p(_("提交要求"), "label"), p(_("外督应在督导工作结束后5个工作日内提交督导情况记录表。"), "value")],
    ]
    t = Table(rows, colWidths=[28 * mm, width - 28 * mm])
    t.setStyle(TableStyle([*grid(header_rows=0), ("BACKGROUND", (0, 0), (0, -1), SHADE)]))
    story += [Spacer(1, 3 * mm), KeepTogether([t])]
    story += signature_block(sheet, width, blank_roles=(_("评价机构负责人"),))
    return story


# -- 自查自评报告 ---------------------------------------------------------------------------------


def self_story(sheet: SheetData, width: float) -> list[Flowable]:
    e, report, rubric = sheet.evaluation, sheet.report, sheet.rubric
    if e.kind != "self":
        raise UsageError(_("自查自评报告只适用于机构自查自评（评估类型 self）"), e.id)
    basis = "　".join(x for x in (rubric.issuer, rubric.document) if x)
    story: list[Flowable] = [
        p(_("自查自评报告"), "title"),
        p(e.org_name, "subtitle"),
        p(_("依据：《{title}》（{basis}）").format(title=rubric.title, basis=basis), "subtitle"),
        Spacer(1, 4 * mm),
        header_block(sheet, width),
    ]
    heads = iter(_("一二三四五六"))
    story.append(p(_("{n}、自评总体情况").format(n=next(heads)), "h2"))
    outcome = report.outcome.label if report.outcome else _("文件未规定评估结论")
    story.append(
        p(
            _(
                "本机构于{date}对照《{title}》逐项逐条进行了自查自评，共 {n} 个小项，"
                "自评总分 {total} 分（满分 {max} 分），自评结论：{outcome}。"
            ).format(
                date=cn_date(e.visit_date),
                title=rubric.title,
                n=len(report.items),
                total=fmt(report.total),
                max=fmt(rubric.max_points),
                outcome=outcome,
            ),
            "letter",
        )
    )
    if (rule := outcome_rule(rubric)) and rule:
        story.append(p(_("评估结论标准：{rule}。").format(rule=rule), "small"))
    if report.unanswered:
        story.append(p(_("尚有 {n} 个小项未自评。").format(n=len(report.unanswered)), "letter"))
    story.append(p(_("{n}、各大项自评得分").format(n=next(heads)), "h2"))
    rows: list[list[Any]] = [[p(x, "head") for x in (_("大项"), _("分值"), _("自评得分"), _("失分"))]]
    for s in report.sections:
        rows.append(
            [
                p(f"{s.code}. {s.title}" if s.code else s.title, "cell"),
                p(fmt(s.max_points), "cell_center"),
                p(fmt(s.points), "cell_center"),
                p(fmt(s.max_points - s.points), "cell_center"),
            ]
        )
    lost = sum((s.max_points - s.points for s in report.sections), ZERO)
    rows.append(
        [
            p(_("合计"), "cell_right"),
            p(fmt(rubric.max_points + rubric.bonus_points), "cell_center"),
            p(fmt(report.total), "cell_center"),
            p(fmt(lost), "cell_center"),
        ]
    )
    t = Table(rows, colWidths=[width - 3 * 25 * mm, 25 * mm, 25 * mm, 25 * mm], repeatRows=1)
    t.setStyle(TableStyle([*grid(), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]))
    story.append(t)
    story.append(p(_("{n}、自查发现的问题").format(n=next(heads)), "h2"))
    story += findings(sheet, width)[1:]  # without its own heading
    if rubric.vetoes:
        story.append(p(_("{n}、否决情形自查").format(n=next(heads)), "h2"))
        found = {v.id: v for v in report.vetoed}
        vrows = [[p(x, "head") for x in (_("编号"), _("否决情形"), _("自查结果"))]]
        for v in rubric.vetoes:
            mark = found.get(v.id)
            text = (
                (_("存在") + (_("：{note}").format(note=mark.note) if mark.note else ""))
                if mark
                else _("不存在")
            )
            vrows.append([p(v.id, "cell"), p(v.text, "cell"), p(text, "cell")])
        vt = Table(vrows, colWidths=[16 * mm, width - 16 * mm - 50 * mm, 50 * mm], repeatRows=1)
        vt.setStyle(TableStyle(grid()))
        story.append(vt)
    story.append(p(_("{n}、整改措施").format(n=next(heads)), "h2"))
    box = Table(
        [[p(_("（由机构填写针对上述问题的整改措施和完成时限）"), "small")]],
        colWidths=[width],
        rowHeights=[40 * mm],
    )
    box.setStyle(TableStyle([*grid(header_rows=0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(box)
    story += signature_block(sheet, width, blank_roles=(_("机构负责人"), _("填表人")))
    story.append(p(_("机构（盖章）"), "right"))
    return story


# -- choosing ---------------------------------------------------------------------------------------


def render_document(
    store: EvaluationStore,
    data: Path,
    eval_id: str,
    kind: str = "sheet",
    *,
    draft: bool | None = None,
    issued: dt.date | None = None,
    opinion: str | None = None,
) -> bytes:
    """The named document's PDF bytes (unsigned). A checklist form's "sheet" is its record.
    ``opinion``: the centre's own words for the 质量督导意见书, beside the findings (optional)."""
    if kind not in DOCUMENTS:
        raise UsageError(_("文书类型应为 {kinds} 之一").format(kinds="、".join(DOCUMENTS)), kind)
    sheet = load_sheet(store, data, eval_id)
    if kind == "sheet" and not sheet.rubric.scored:
        kind = "record"
    if kind == "sheet":
        return render_sheet_data(sheet, draft=draft)
    size = PORTRAIT
    width = content_width(size)
    if kind == "notice":
        record = notice_record(sheet, store.db)
        what, story = (
            _("整改通知书"),
            notice_story(
                sheet, issued or (record.notice_sent if record is not None else dt.date.today()), record
            ),
        )
    elif kind == "record":
        if sheet.rubric.scored:
            raise UsageError(_("督导情况记录表只适用于记录类评估表（如福建督导情况记录表）"), sheet.rubric.id)
        what, story = _("督导情况记录表"), record_story(sheet, width)
    elif kind == "opinion":
        from inspector.documents.opinion import opinion_facts, opinion_story

        facts = opinion_facts(store.db, data, sheet.evaluation.id, issued)
        what, story = _("质量督导意见书"), opinion_story(sheet, facts, width, opinion)
    else:
        what, story = _("自查自评报告"), self_story(sheet, width)
    # the file's title is the document's own name (a reader's title bar, a printer queue)
    title = f"{what} — {sheet.evaluation.org_name}"
    return build(story, dataclasses.replace(page_for(sheet, size, what, draft), title=title))

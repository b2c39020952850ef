"""质量督导意见书 — the supervision opinion of a Fujian 专项督导 (seed 001, 第三章四):

    "（二）督导小组对评价机构的自评（自查）报告、现场考察（核查）情况进行评议，形成初步督导意见，
    并向评价机构反馈；（三）委派机构根据督导小组初步督导意见，综合分析评价机构的申辩意见，向评价机构
    发出质量督导意见书；（四）评价机构应根据质量督导意见书完善或整改相关工作，并提交整改工作报告。"

What the text names is what the document holds: the 委派机构 that issues it (the centre, the CA's
name in this folder), the 评价机构 it is sent to, the 督导事项 and the 督导小组 (第三章四 "督导前，应当
明确督导事项，成立督导小组"), the day of the 现场考察, the 初步督导意见 and its day, the 申辩意见 and its
day (as recorded on the target's procedure, inspector/centre/procedure.py), the opinion itself (the
lines the supervision record found 不符合, with what was found, and the centre's own words when it
adds any), and the demand of （四）. The text sets no term for the 整改工作报告, so none is printed.

It is one of an evaluation's documents (``render_document(…, "opinion")``): the evaluation is the
supervision record of the plan target it is linked to; the plan's rulebook must have the
procedure step, and the steps before it must be recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from inspector.documents.parts import qr_cell
from inspector.documents.sheet_data import SheetData
from inspector.documents.style import SHADE, cn_date, font, grid, p
from inspector.errors import UsageError
from inspector.i18n import _

STEP = "质量督导意见书"  # the procedure step this document is (福建办法 第三章四（三）)


@dataclass(frozen=True)
class OpinionFacts:
    """What the plan and its target's procedure add to the evaluation for the 意见书."""

    plan_title: str
    rulebook_title: str
    article: str
    issuer: str | None  # the 委派机构: the centre's name, when this folder knows it
    order: tuple[str, ...]  # the procedure's steps up to and including this one
    steps: dict[str, tuple[dt.date, str | None]]  # step → (day, note) as recorded
    issued: dt.date


def opinion_facts(
    db: sqlite_utils.Database, data: Path, eval_id: str, issued: dt.date | None
) -> OpinionFacts:
    """The plan target the evaluation records, its rulebook's procedure and the recorded steps;
    refused (changing nothing) when the document cannot yet be issued."""
    from inspector.centre.plans import get_plan, plan_rulebook
    from inspector.centre.procedure import target_steps

    row = None
    seen: str | None = eval_id
    while row is None and seen is not None:  # an amended record: the target names its first revision
        row = db.conn.execute(
            "SELECT plan_id, org_id FROM plan_targets WHERE eval_id = ? AND state != 'cancelled'", (seen,)
        ).fetchone()
        before = db.conn.execute("SELECT previous_id FROM evaluations WHERE id = ?", (seen,)).fetchone()
        seen = before[0] if before is not None else None
    if row is None:
        raise UsageError(_("该评估不属于任何督导计划，不能生成质量督导意见书"), eval_id)
    plan = get_plan(db, row[0])
    book = plan_rulebook(db, plan)
    steps = target_steps(db, plan.id, row[1])
    names = [s.name for s in steps]
    if STEP not in names:
        raise UsageError(
            _(
                "计划“{plan}”的规则册（{book}）没有“质量督导意见书”这一程序（福建办法第三章四，专项督导）"
            ).format(plan=plan.title, book=book.title),
            eval_id,
        )
    recorded = {s.name: (s.done_on, s.note) for s in steps if s.done_on is not None}
    before = names[: names.index(STEP)]
    for name in before:
        if name not in recorded:
            raise UsageError(
                _("请先在督导程序中记录“{step}”（plan step），再生成质量督导意见书").format(step=name),
                eval_id,
            )
    last = max(recorded[n][0] for n in before) if before else None
    own = recorded.get(STEP)
    day = own[0] if own is not None else (issued or dt.date.today())
    if last is not None and day < last:
        raise UsageError(
            _("意见书日期 {d} 早于上一步的日期 {prev}").format(d=day.isoformat(), prev=last.isoformat()),
            eval_id,
        )
    rule = book.get("procedure")
    return OpinionFacts(
        plan_title=plan.title,
        rulebook_title=book.title,
        article=rule.clause.article if rule is not None and rule.clause is not None else "",
        issuer=centre_name(data),
        order=(*before, STEP),
        steps={k: (v[0], v[1]) for k, v in recorded.items() if v[0] is not None},
        issued=day,
    )


def centre_name(data: Path) -> str | None:
    """The 委派机构: the name the centre gave its CA (``keys init-ca --name``), on its own folder and on
    every laptop it issued a credential to; None on a folder without one."""
    from inspector.crypto.identity import load_identity
    from inspector.crypto.keys import common_name

    try:
        identity = load_identity(data)
    except Exception:  # an unreadable key folder must not stop a paper document: the line stays blank
        return None
    return common_name(identity.ca.subject) if identity is not None else None


def unmet(sheet: SheetData) -> list[str]:
    """The lines the supervision record found 不符合 (or a scored form's lost items), each with what
    was found; the record's own 情况说明, never internal wording."""
    out = []
    for r in sheet.report.items:
        payload = sheet.payloads.get(r.id) or {}
        item = sheet.rubric.item(r.id)
        if not r.answered or r.na:
            continue
        if (r.points >= r.max_points or item.in_bonus) if sheet.rubric.scored else payload.get("met"):
            continue
        note = str(payload.get("note") or payload.get("reason") or "").strip()
        text = item.text.rstrip("。")
        out.append(_("{text}：{finding}").format(text=text, finding=note) if note else text)
    for v in sheet.report.vetoed:  # a record form has none today; said if one ever does
        veto = sheet.rubric.veto(v.id)
        out.append(_("存在否决情形：{text}").format(text=veto.text if veto else v.id))
    return out


def matters(sheet: SheetData) -> str:
    """督导事项: the parts of the form the team looked at (a section with any line answered and not
    不适用), in the form's order."""
    seen = []
    for section in sheet.rubric.sections:
        ids = [i.id for g in section.groups for i in g.items]
        if any(sheet.results[i].answered and not sheet.results[i].na for i in ids):
            seen.append(section.title)
    return "、".join(seen) or _("（未记录）")


def team_words(team: list[dict[str, Any]]) -> str:
    leader = [str(m.get("name", "")) for m in team if m.get("role") == "组长"]
    others = [str(m.get("name", "")) for m in team if m.get("role") != "组长"]
    if leader and others:
        return _("组长{leader}，成员{members}").format(leader="、".join(leader), members="、".join(others))
    return "、".join(leader + others) or _("（未登记）")


def opinion_story(
    sheet: SheetData, facts: OpinionFacts, width: float, extra: str | None = None
) -> list[Flowable]:
    e = sheet.evaluation
    if sheet.report.unanswered:
        raise UsageError(
            _("督导记录尚未完成（{n} 项未记录），不能生成质量督导意见书").format(
                n=len(sheet.report.unanswered)
            ),
            e.id,
        )
    s = facts.steps
    none: tuple[dt.date | None, str | None] = (None, None)
    visit = s.get("现场考察", none)[0] or e.visit_date
    first, first_note = s.get("初步督导意见", none)
    plea, plea_note = s.get("申辩意见", none)
    own_note = s.get(STEP, none)[1]
    story: list[Flowable] = [p(_("质量督导意见书"), "title")]
    if own_note:
        story.append(p(own_note, "subtitle"))  # the document number recorded with the step
    story += [Spacer(1, 6 * mm), p(_("{org}：").format(org=e.org_name), "letter_flat")]
    story.append(
        p(
            _(
                "根据《{book}》{article}，{issuer}委派督导小组（{team}）于{date}对你单位开展专项督导"
                "（{plan}），督导事项：{matters}。"
            ).format(
                book=facts.rulebook_title,
                article=facts.article,
                issuer=facts.issuer or _("本中心"),
                team=team_words(e.team),
                date=cn_date(visit),
                plan=facts.plan_title,
                matters=matters(sheet),
            ),
            "letter",
        )
    )
    fed_back = _("督导小组于{date}形成初步督导意见并向你单位反馈").format(date=cn_date(first))
    if first_note:
        fed_back += _("（{note}）").format(note=first_note)
    plea_text = _("你单位于{date}提出申辩意见").format(date=cn_date(plea))
    if plea_note:
        plea_text += _("：{note}").format(note=plea_note.rstrip("。"))
    story.append(
        p(
            _(
                "{fed_back}；{plea}。根据督导小组初步督导意见，综合分析你单位的申辩意见，提出质量督导意见如下："
            ).format(fed_back=fed_back, plea=plea_text),
            "letter",
        )
    )
    found = unmet(sheet)
    story.append(p(_("一、督导发现的问题"), "h2"))
    if found:
        story += [p(f"（{n}）{line}", "list") for n, line in enumerate(found, start=1)]
    else:
        story.append(p(_("督导记录各项均为符合或不适用，未发现问题。"), "letter"))
    if extra and extra.strip():
        story += [p(_("二、督导意见"), "h2"), p(extra.strip(), "letter")]
    story.append(p(_("三、工作要求") if extra and extra.strip() else _("二、工作要求"), "h2"))
    story.append(
        p(
            _(
                "你单位应根据本质量督导意见书完善或整改相关工作，并提交整改工作报告（第三章四（四））。"
                "对督导意见拒不采取改进措施的，按第四章二处理。"
            ),
            "letter",
        )
    )
    # the code at the left, the issuer and date at the right, on one band: a letter of one page
    # keeps its seal line with its text
    seal = Table(
        [[qr_cell(sheet), [p(_("{issuer}（盖章）").format(issuer=facts.issuer or _("委派机构")), "right"),
                           p(cn_date(facts.issued), "right")]]],
        colWidths=[40 * mm, width - 40 * mm],
    )  # fmt: skip
    # FONT: even an empty string cell selects the table's font, by default an unembedded Helvetica
    seal.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font()), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    closing = [Spacer(1, 8 * mm), seal, p(_("督导记录编号：{id}").format(id=e.id), "small")]
    story.append(KeepTogether(closing))
    rows: list[list[Any]] = [[p(x, "head") for x in (_("程序"), _("日期"), _("说明"))]]
    for name in facts.order:
        day, note = s.get(name, (facts.issued, None) if name == STEP else none)
        rows.append([p(name, "cell"), p(cn_date(day), "cell"), p(note or "", "cell_small")])
    basis = Table(rows, colWidths=[32 * mm, 36 * mm, width - 68 * mm])
    basis.setStyle(TableStyle([*grid(), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]))
    # after the seal, as an annex: the days each step of 第三章四 was taken
    story += [Spacer(1, 4 * mm), KeepTogether([p(_("附：专项督导程序记录"), "small"), basis])]
    return story

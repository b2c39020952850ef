"""Blocks the score sheet and the other documents share: title, header with QR code, findings,
comparisons, signatures and the evidence appendix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from inspector.documents.images import Boxed, load_pictures, load_signature, print_cache
from inspector.documents.sheet_data import EvidenceEntry, SheetData
from inspector.documents.style import (
    BLACK,
    SHADE,
    cn_date,
    grid,
    kind_label,
    lines,
    p,
    qr_code,
    short_hash,
    state_label,
)
from inspector.i18n import _
from inspector.rubric.comparison import rectification
from inspector.rubric.model import Rubric
from inspector.rubric.points import ZERO, fmt
from inspector.rubric.scoring import disallowed
from inspector.store.visit_evidence import FLAG_MARK

QR_SIZE = 30 * mm


# a line rebuilt from a garbled source (the rubric file says which and how), marked on print
RECONSTRUCTED_MARK = "◇"


def kind_text(sheet: SheetData) -> str:
    """检查评估 / 自查自评 / 复查: the words of ``eval list`` and the window's home list
    (inspector.store.wording), on every form, a record form's too (its title already says 督导)."""
    return kind_label(sheet.evaluation.kind)


def title_block(sheet: SheetData, what: str) -> list[Flowable]:
    r = sheet.rubric
    sub = "　".join(x for x in (r.issuer, r.document) if x)
    return [
        p(r.title, "title"),
        p(sub, "subtitle"),
        p(_("（{kind} · {what}）").format(kind=kind_text(sheet), what=what), "subtitle"),
        Spacer(1, 4 * mm),
    ]


def team_text(team: list[dict[str, Any]]) -> str:
    people = []
    for m in team:
        extra = [str(m["role"])] if m.get("role") else []
        if m.get("sections"):
            extra.append(_("负责大项 {codes}").format(codes="、".join(map(str, m["sections"]))))
        people.append(str(m.get("name", "")) + (f"（{'，'.join(extra)}）" if extra else ""))
    return "；".join(people) or _("（未登记）")


def team_cell(kind: str, team: list[dict[str, Any]]) -> str:
    # a station's self-assessment has no inspection team: "（未登记）" read as if one were missing
    return _("（本机构自查自评）") if kind == "self" and not team else team_text(team)


def qr_cell(sheet: SheetData) -> list[Flowable]:
    return [
        qr_code(sheet.qr_text, QR_SIZE),
        p(_("内容摘要 SHA-256"), "small_center"),
        p(short_hash(sheet.digest), "small_center"),
    ]


def header_block(sheet: SheetData, width: float, *, with_result: bool = True) -> Table:
    """Station, date, kind, team, revision and (optionally) the result, with the QR code beside."""
    e, report = sheet.evaluation, sheet.report
    label_w, qr_w = 20 * mm, QR_SIZE + 6 * mm
    value_w = (width - 2 * label_w - qr_w) / 2
    record = not sheet.rubric.scored  # a supervision record names its people and date so
    state = state_label(e.state)
    team = team_cell(e.kind, e.team)
    if e.signed_at:
        state += _("（{date}）").format(date=cn_date(e.signed_at))
    rows: list[list[Any]] = [
        [p(_("机构名称"), "label"), p(e.org_name, "value"), "", "", qr_cell(sheet)],
        [
            p(_("机构代码"), "label"),
            p(sheet.org_code or _("（未登记）"), "value"),
            p(_("督导日期") if record else _("评估日期"), "label"),
            p(cn_date(e.visit_date), "value"),
            "",
        ],
        [p(_("类型"), "label"), p(kind_text(sheet), "value"), p(_("状态"), "label"), p(state, "value"), ""],
        [p(_("督导员") if record else _("评估组"), "label"), p(team, "value"), "", "", ""],
        # the 32-character id on one line: a half-width cell broke it (issue 21); the form's version beside it
        [
            p(_("评估编号"), "label"),
            p(e.id + "　" + _("（评估表第{v}版）").format(v=e.rubric_version), "value"),
            "",
            "",
            "",
        ],
    ]
    spans = [0, 3, 4]
    if e.revision > 1 or e.amend_reason:
        text = _("第{n}次修订").format(n=e.revision - 1)
        if e.amend_reason:
            text += _("；修订理由：{r}").format(r=e.amend_reason)
        spans.append(len(rows))
        rows.append([p(_("修订"), "label"), p(text, "value"), "", "", ""])
    if with_result and sheet.rubric.scored:
        outcome = report.outcome.label if report.outcome else _("文件未规定评估结论")
        total = _("{p} 分").format(p=fmt(report.total))
        if sheet.fixed is not None:  # what was fixed at signing is the result
            total = _("{p} 分").format(p=fmt(sheet.fixed.total))
            outcome = sheet.fixed.outcome_label or outcome
        if sheet.fixed is None and sheet.refused is not None:  # a mark the form disallows: none
            total, outcome = _("无总分"), _("无总分，暂无结论")
        elif report.unanswered:  # a running total is not a result
            total += _("（{n} 项未评分）").format(n=len(report.unanswered))
            outcome = _("尚未评完，暂无结论")
        elif e.conflicts:
            total += _("（暂定：{n} 处记录冲突未解决）").format(n=e.conflicts)
            outcome = _("暂定：{label}").format(label=outcome)
        rows.append(
            [p(_("总分"), "label"), p(total, "value"), p(_("评估结论"), "label"), p(outcome, "value"), ""]
        )
    cmds = grid(header_rows=0)
    cmds += [("SPAN", (1, r), (3, r)) for r in spans]
    cmds += [
        ("SPAN", (4, 0), (4, len(rows) - 1)),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("ALIGN", (4, 0), (4, 0), "CENTER"),
    ]
    # the second label column is shaded only where a row has a second label
    cmds += [("BACKGROUND", (2, r), (2, r), SHADE) for r in range(len(rows)) if r not in spans]
    t = Table(rows, colWidths=[label_w, value_w, label_w, value_w, qr_w])
    t.setStyle(TableStyle(cmds))
    return t


def outcome_rule(rubric: Rubric) -> str:
    """The form's thresholds in words ("合格：60分及以上；不合格：不满60分"; 民法典 1259)."""
    parts: list[str] = []
    upper: Decimal | None = None
    for o in rubric.outcomes:
        if o.min is not None and upper is None:
            parts.append(_("{label}：{min}分及以上").format(label=o.label, min=fmt(o.min)))
        elif o.min is not None and upper is not None:
            parts.append(
                _("{label}：{min}分及以上、不满{upper}分").format(
                    label=o.label, min=fmt(o.min), upper=fmt(upper)
                )
            )
        elif upper is not None:
            parts.append(_("{label}：不满{upper}分").format(label=o.label, upper=fmt(upper)))
        upper = o.min if o.min is not None else upper
    if rubric.veto_outcome and rubric.vetoes:
        label = next((o.label for o in rubric.outcomes if o.code == rubric.veto_outcome), rubric.veto_outcome)
        parts.append(_("存在否决情形之一的，直接评为“{label}”").format(label=label))
    return "；".join(parts)


def _table(rows: list[list[Any]], widths: list[float], center: tuple[int, int] | None = None) -> Table:
    """A grid table with a header row; ``center``: the (first, last) columns of plain-string numbers
    (strings, not paragraphs: nothing to wrap, which matters in a 60-row table)."""
    # splitInRow: a row with a long note (up to 2,000 characters) may run over a page break
    t = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)
    style = grid(1)
    if center:
        style.append(("ALIGN", (center[0], 1), (center[1], -1), "CENTER"))
    t.setStyle(TableStyle(style))
    return t


def _head(*labels: str) -> list[Any]:
    return [p(x, "head") for x in labels]


def findings(sheet: SheetData, width: float) -> list[Flowable]:
    """Every lost point with its reason and note; then notes recorded on items without a loss."""
    report, rubric = sheet.report, sheet.rubric
    # 不得分、不扣分; a mark the form disallows loses no points either: it has none (listed below)
    lost = tuple(r for r in report.lost if not rubric.item(r.id).in_bonus and not r.irregular)
    out: list[Flowable] = [p(_("扣分情况汇总"), "h2")]
    if not lost:
        out.append(p(_("未发现扣分的小项。")))
    else:
        total = sum((r.max_points - r.points for r in lost), ZERO)
        out.append(p(_("共 {n} 个小项扣分，合计扣 {x} 分：").format(n=len(lost), x=fmt(total))))
        out.append(Spacer(1, 1.5 * mm))
        rows = [_head(_("编号"), _("小项"), _("分值"), _("得分"), _("扣分"), _("扣分理由与备注"))]
        for r in lost:
            item = rubric.item(r.id)
            note = (sheet.payloads.get(r.id) or {}).get("note")
            why = (r.reason or "") + ("\n" + _("备注：{note}").format(note=note) if note else "")
            rows.append(
                [
                    r.id,
                    p(item.text, "cell"),
                    fmt(r.max_points),
                    fmt(r.points),
                    fmt(r.max_points - r.points),
                    lines(why, "cell_small"),
                ]
            )
        w = [16 * mm, 0.32 * width, 11 * mm, 11 * mm, 11 * mm]
        out.append(_table(rows, [*w, width - sum(w)], center=(2, 4)))
    flagged = [r for r in report.items if (r.override or r.na or r.irregular) and r not in lost]
    noted = [
        r
        for r in report.items
        if r not in lost and r not in flagged and (sheet.payloads.get(r.id) or {}).get("note")
    ]
    if flagged or noted:
        out.append(p(_("其他记录"), "h2"))
        rows = [_head(_("编号"), _("小项"), _("记录"))]
        for r in [*flagged, *noted]:
            note = (sheet.payloads.get(r.id) or {}).get("note")
            disallowed = _("评估表不允许的记录：{why}").format(why=r.irregular) if r.irregular else None
            text = "\n".join(x for x in (disallowed, (r.reason if (r.override or r.na) else None), note) if x)
            rows.append([p(r.id, "cell"), p(rubric.item(r.id).text, "cell"), lines(text, "cell_small")])
        out.append(_table(rows, [16 * mm, 0.4 * width, width - 16 * mm - 0.4 * width]))
    return out


def comparison_flowables(sheet: SheetData, width: float) -> list[Flowable]:
    """The station's self-assessment beside this evaluation; for a re-check, what was rectified."""
    out: list[Flowable] = []
    cmp, self_eval, self_report = sheet.self_comparison, sheet.self_eval, sheet.self_report
    if cmp is not None and self_eval is not None and self_report is not None:
        out.append(p(_("自查自评对照"), "h2"))
        if sheet.refused is not None or disallowed(self_report) is not None:
            out.append(p(_("有评估表不允许的记录，无总分可对照。")))
    totals = sheet.refused is None and self_report is not None and disallowed(self_report) is None
    if cmp is not None and self_eval is not None and self_report is not None and totals:
        diff = cmp.total_difference
        out.append(
            p(
                _(
                    "机构自评（{date}）总分 {mine} 分，本次评估总分 {theirs} 分；"
                    "两者均已评分的 {n} 个小项中，{k} 项不一致，自评比本次评估合计{word} {d} 分。"
                ).format(
                    date=cn_date(self_eval.visit_date),
                    mine=fmt(self_report.total),
                    theirs=fmt(sheet.report.total),
                    n=cmp.compared,
                    k=len(cmp.differing),
                    word=_("高") if diff >= 0 else _("低"),
                    d=fmt(abs(diff)),
                )
            )
        )
        if cmp.differing:
            out.append(Spacer(1, 1.5 * mm))
            rows = [_head(_("编号"), _("小项"), _("分值"), _("自评"), _("评估"), _("差异"))]
            for c in cmp.differing:
                d = c.difference or ZERO
                rows.append(
                    [
                        c.item_id,
                        p(sheet.rubric.item(c.item_id).text, "cell"),
                        fmt(c.mine.max_points),
                        fmt(c.theirs.points),
                        fmt(c.mine.points),
                        ("+" if d > 0 else "") + fmt(d),
                    ]
                )
            both = [c for c in cmp.items.values() if c.comparable]
            theirs = sum((c.theirs.points for c in both), ZERO)
            mine = sum((c.mine.points for c in both), ZERO)
            rows.append(
                [
                    p(_("合计（{n} 个共同评分的小项）").format(n=len(both)), "cell_right"),
                    "",
                    "",
                    fmt(theirs),
                    fmt(mine),
                    ("+" if diff > 0 else "") + fmt(diff),
                ]
            )
            w = [16 * mm, width - 16 * mm - 4 * 15 * mm, 15 * mm, 15 * mm, 15 * mm, 15 * mm]
            t = _table(rows, w, center=(2, 5))
            t.setStyle(TableStyle([("SPAN", (0, -1), (2, -1)), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]))
            out.append(t)
            out.append(p(_("差异 = 自评得分 − 本次评估得分。"), "footnote"))
    if sheet.previous is not None and sheet.previous_eval is not None:
        out.append(p(_("整改情况（对照上次检查评估）"), "h2"))
        rows = [_head(_("编号"), _("小项"), _("上次得分"), _("本次得分"), _("整改情况"))]
        words = {"rectified": _("已整改"), "not_rectified": _("未整改")}
        for c in sheet.previous.values():
            if not c.theirs.answered or c.theirs.points >= c.theirs.max_points:
                continue
            state = rectification(c.theirs, c.mine)
            rows.append(
                [
                    p(c.item_id, "cell"),
                    p(sheet.rubric.item(c.item_id).text, "cell"),
                    p(fmt(c.theirs.points), "cell_center"),
                    p(fmt(c.mine.points) if c.mine.answered else "—", "cell_center"),
                    p(words.get(state or "", _("尚未复查")), "cell_center"),
                ]
            )
        out.append(
            p(
                _("上次检查评估：{date}，总分 {t} 分。").format(
                    date=cn_date(sheet.previous_eval.visit_date),
                    t=fmt(sum((c.theirs.points for c in sheet.previous.values()), ZERO)),
                )
            )
        )
        if len(rows) > 1:
            w = [16 * mm, width - 16 * mm - 3 * 20 * mm, 20 * mm, 20 * mm, 20 * mm]
            out.append(_table(rows, w))
    return out


def signature_block(
    sheet: SheetData, width: float, *, blank_roles: tuple[str, ...] | None = None
) -> list[Flowable]:
    """Each signer: the drawn signature (if any), printed name, role, date; blank lines if unsigned."""
    rows = [_head(_("角色"), _("姓名"), _("签名"), _("日期"))]
    # a signature on paper is some 40-50 mm wide: the box lets a long name reach 48 mm
    sig_w, sig_h = 48 * mm, 18 * mm
    if sheet.signatures:
        for c in sheet.signatures:
            payload = c.payload or {}
            drawn: Any = ""
            digest = payload.get("signature")
            if isinstance(digest, str):
                from inspector.store.evidence import evidence_path

                pic = load_signature(evidence_path(sheet.data, digest), sig_w / mm, sig_h / mm)
                drawn = (
                    Boxed(pic.flowable(sig_w, sig_h), sig_w, sig_h)
                    if pic
                    else p(_("（签名图像缺失）"), "cell")
                )
            rows.append(
                [
                    p(str(payload.get("role", "")), "cell_center"),
                    p(str(payload.get("name", "")), "cell_center"),
                    drawn,
                    p(cn_date(c.wall_time), "cell_center"),
                ]
            )
    else:
        people = [(str(m.get("role", _("评估人员"))), str(m.get("name", ""))) for m in sheet.evaluation.team]
        # the lines a form has for others than the team: the station's representative by default;
        # none where the form has none (Chongqing's 附件3 closes with the group's signatures only)
        people += [(role, "") for role in (blank_roles if blank_roles is not None else (_("机构代表"),))]
        for role, name in people:
            rows.append([p(role, "cell_center"), p(name, "cell_center"), "", p(cn_date(None), "cell_center")])
    w = [26 * mm, 30 * mm, 0.0, 40 * mm]
    w[2] = max(sig_w + 8 * mm, width - sum(w))
    t = Table(rows, colWidths=w, rowHeights=[None] + [sig_h + 4 * mm] * (len(rows) - 1))
    t.setStyle(TableStyle(grid()))
    intro = (
        _("以上评估结果经下列人员确认并签署。")
        if sheet.signatures
        else _("尚未签署：打印后由下列人员手写签名，或在程序中签署后重新生成。")
    )
    return [KeepTogether([p(_("签署"), "h2"), p(intro, "small"), Spacer(1, 1.5 * mm), t])]


def capture_lines(x: EvidenceEntry) -> str:
    """拍摄时间, 拍摄位置 and each flag (why it was raised) of one evidence file, one per line."""
    return "\n".join(x.facts.lines()) if x.facts is not None else ""


def evidence_appendix(sheet: SheetData, width: float, columns: int = 3) -> list[Flowable]:
    """Thumbnails of the photos (downscaled), then the other files; each with caption and SHA-256,
    and a photo's capture time, position and flags (inspector.store.visit_evidence)."""
    if not sheet.evidence:
        return []
    out: list[Flowable] = [PageBreak(), p(_("附录：证据材料"), "h2")]
    out.append(
        p(
            _(
                "共 {n} 件。图片已缩小以便打印；原件存于评估数据中，以 SHA-256 校验值为准。"
                "编号 E1、E2……与评分表“扣分理由”栏所注一致。"
            ).format(n=len(sheet.evidence)),
            "small",
        )
    )
    flagged = sum(1 for x in sheet.evidence if x.facts is not None and x.facts.flags)
    if flagged:
        out.append(
            p(
                _(
                    "其中 {n} 件标有“{mark} 注意”：拍摄日期不是督导当日、拍摄后经过编辑或无拍摄时间"
                    "（依照片 EXIF 信息判断），请核对。"
                ).format(n=flagged, mark=FLAG_MARK),
                "small",
            )
        )
    out.append(Spacer(1, 2 * mm))
    cell_w = width / columns
    box_w, box_h = cell_w - 6 * mm, (cell_w - 6 * mm) * 0.75
    cells: list[list[Flowable]] = []
    others = []
    pictures = load_pictures(
        [
            (sheet.evidence_file(x), print_cache(sheet.data, x.sha256))
            if x.is_image and not x.problem
            else None
            for x in sheet.evidence
        ]
    )
    for x, pic in zip(sheet.evidence, pictures, strict=True):
        if pic is None:
            others.append(x)
            continue
        cells.append(
            [
                Boxed(pic.flowable(box_w, box_h), box_w, box_h),
                p(_("{no}　小项 {item}").format(no=x.number, item=x.item_id), "small"),
                p(x.caption or x.name or _("（无说明）"), "small"),
                p(_("添加时间：{t}").format(t=(x.added_at or "")[:19].replace("T", " ")), "cell_small"),
                *lines(capture_lines(x), "cell_small"),
                p("SHA-256：" + x.sha256, "cell_small"),
            ]
        )
    if cells:
        grid_rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
        grid_rows[-1] += [[] for _n in range(columns - len(grid_rows[-1]))]
        t = Table(grid_rows, colWidths=[cell_w] * columns)
        style = [cmd for cmd in grid(header_rows=0) if cmd[0] != "GRID"] + [
            ("VALIGN", (0, 0), (-1, -1), "TOP")
        ]
        style += [
            ("BOX", (k % columns, k // columns), (k % columns, k // columns), 0.5, BLACK)
            for k in range(len(cells))
        ]
        t.setStyle(TableStyle(style))
        out.append(t)
    if others:
        out.append(p(_("其他证据文件"), "h2"))
        rows = [_head(_("编号"), _("小项"), _("文件与说明"), _("SHA-256"), _("添加时间"))]
        for x in others:
            shown = x.problem or (_("（图片无法显示，原件见数据文件夹）") if x.is_image else None)
            what = "\n".join(dict.fromkeys(v for v in (x.name, x.caption, shown, capture_lines(x)) if v))
            rows.append(
                [
                    p(x.number, "cell"),
                    p(x.item_id, "cell"),
                    lines(what, "cell_small"),
                    p(x.sha256, "cell_small"),
                    p((x.added_at or "")[:19].replace("T", " "), "cell_small"),
                ]
            )
        w = [12 * mm, 16 * mm, 0.3 * width, 0.32 * width]
        out.append(_table(rows, [*w, width - sum(w)]))
    return out

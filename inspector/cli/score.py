"""``inspector score RUBRIC_ID --answers FILE``: pure scoring, nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspector.cli.common import Context, answers_file, emit_json, pass_context, read_json_file
from inspector.i18n import _
from inspector.rubric.points import fmt

if TYPE_CHECKING:
    from inspector.rubric.scoring import Report


def print_report(report: Report, *, provisional: bool = False) -> None:
    """``provisional``: a draft, whose figure can still change: its total is labelled 暂计 and it has
    no conclusion but 未完成 before the last item (a veto decides whatever the points), as the
    window says."""
    from inspector.rubric.scoring import disallowed

    r = report.rubric
    click.echo(f"{r.title}  ({r.id} v{r.version})")
    why = disallowed(report)
    if why is not None:  # no total where signing would refuse it (the kept figures say the same)
        click.echo(_("总分：无（{why}）").format(why=why))
        for i in report.irregular:
            click.echo(_("［记录不合评估表］{id}：{why}").format(id=i.id, why=i.irregular))
        if report.unanswered:
            click.echo(_("未评分：{n}项").format(n=len(report.unanswered)))
        click.echo(_("结论：{label}").format(label=_("无")))
        return
    bonus = _("（含加分 {b}）").format(b=fmt(report.bonus)) if r.bonus_points else ""
    total_line = _("总分（暂计）：{t} / {m}{bonus}") if provisional else _("总分：{t} / {m}{bonus}")
    if not r.scored:  # a record form: the window's words, not "总分 0 / 0" and a 0 / 0 per section
        click.echo(_("记录表：逐项记录是否符合，不计分"))
    else:
        click.echo(total_line.format(t=fmt(report.total), m=fmt(r.max_points), bonus=bonus))
    if r.bonus_points:
        click.echo(
            _("基本分 {b} + 加分 {y} = 总分 {t} 分（评估结论按总分判定）").format(
                b=fmt(report.base), y=fmt(report.bonus), t=fmt(report.total)
            )
        )
    for s in report.sections:
        click.echo(
            f"  {s.code}. {s.title}: {fmt(s.points)} / {fmt(s.max_points)}"
            if r.scored
            else f"  {s.code}. {s.title}"
        )
    lost = tuple(i for i in report.lost if not r.item(i.id).in_bonus)  # a bonus unmet: 不得分、不扣分
    unearned = [i.id for i in report.lost if r.item(i.id).in_bonus]
    if unearned:
        click.echo(_("加分项未得分（不得分、不扣分）：{ids}").format(ids="、".join(unearned)))
    for i in report.irregular:
        click.echo(_("［记录不合评估表］{id}：{why}").format(id=i.id, why=i.irregular))
    if lost:
        click.echo(_("失分项："))
        for i in lost:
            flag = _("［人工调整］") if i.override else ""
            click.echo(f"  [{i.id}] -{fmt(i.max_points - i.points)} {flag}{i.reason}")
    for v in report.vetoed:
        veto = r.veto(v.id)
        click.echo(_("否决：{id} {text}").format(id=v.id, text=veto.text if veto else ""))
    if report.unanswered:
        click.echo(_("未评分：{n}项").format(n=len(report.unanswered)))
    label = report.outcome.label if report.outcome else _("文件未规定评估结论")
    if report.outcome and provisional and not report.vetoed:
        label = _("未完成")
    click.echo(_("结论：{label}").format(label=label))


@click.command()
@click.argument("rubric_id")
@click.option("--answers", "answers", required=True, type=click.Path(path_type=Path), help="答案文件（JSON）")
@click.option("--version", "version", type=int, default=None, help="评估表版本（默认最新）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def score(ctx: Context, rubric_id: str, answers: Path, version: int | None, as_json: bool) -> None:
    """按评估表计算一组观察结果的得分（不保存）。"""
    from inspector.rubric.scoring import parse_answers
    from inspector.rubric.scoring import score as score_answers
    from inspector.store.rubrics import get_rubric

    r = get_rubric(ctx.db, rubric_id, version)
    with answers_file(answers):
        observations, vetoes = parse_answers(read_json_file(answers), r, str(answers))
    report = score_answers(r, observations, vetoes)
    if as_json:
        emit_json(report.to_json())
    else:
        print_report(report)

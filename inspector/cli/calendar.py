"""``inspector calendar show | add | template``: the years working-day deadlines can be counted for."""

from __future__ import annotations

from pathlib import Path

import click

from inspector.cli.common import Context, emit_json, pass_context
from inspector.i18n import _


@click.group()
def calendar() -> None:
    """节假日安排：查看已有年份，录入国务院办公厅公布的新一年安排。"""


@calendar.command()
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def show(ctx: Context, as_json: bool) -> None:
    """哪些年份可以计算工作日期限。"""
    from inspector.centre.holidays import calendar_summary

    summary = calendar_summary(ctx.db)
    if as_json:
        emit_json(summary)
        return
    p = summary["package"]
    click.echo(
        _("随程序提供：{first}–{last} 年（chinesecalendar {v}）").format(
            first=p["first"], last=p["last"], v=p["version"] or "?"
        )
    )
    for a in summary["added"]:
        state = "" if a["used"] else _("（程序已自带该年，未使用）")
        click.echo(
            _(
                "已录入：{year} 年，{n} 个放假时段共 {off} 天，调休上班 {w} 天；{source}；{by} 录入于 {at}"
            ).format(
                year=a["year"],
                n=a["holidays"],
                off=a["days_off"],
                w=a["workdays"],
                source=a["source"],
                by=a["added_by"],
                at=a["added_at"],
            )
            + state
        )


@calendar.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="更正已录入的年份（原记录保留）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def add(ctx: Context, file: Path, replace: bool, as_json: bool) -> None:
    """录入一年的节假日安排（TOML 文件，格式见 calendar template）。"""
    from inspector.centre.holidays import add_notice, read_notice_file

    notice, raw = read_notice_file(file)
    record = add_notice(ctx.db, notice, raw, replace=replace, user=ctx.user)
    if as_json:
        emit_json(record)
    else:
        click.echo(
            _("已录入 {year} 年节假日安排：{n} 个放假时段，调休上班 {w} 天").format(
                year=record["year"], n=len(record["holidays"]), w=len(record["workdays"])
            )
        )


@calendar.command("template")
@click.argument("year", type=click.IntRange(2000, 2200))
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), default=None, help="写入文件（默认输出到屏幕）"
)
def template_(year: int, out: Path | None) -> None:
    """输出一年节假日安排的填写模板。"""
    from inspector.centre.holidays import template
    from inspector.fileio import write_text_atomic

    text = template(year)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        click.echo(_("已写入 {path}").format(path=out))

"""``inspector rubric list | show | validate | import | export``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspector.cli.common import Context, emit_json, pass_context
from inspector.i18n import _
from inspector.rubric.points import fmt

if TYPE_CHECKING:
    from inspector.rubric.model import Rubric


@click.group()
def rubric() -> None:
    """评估表：列出、查看、校验、导入、导出。"""


@rubric.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def list_(ctx: Context, as_json: bool) -> None:
    """列出已有的评估表。"""
    from inspector.rubric.model import rubric_summary
    from inspector.store.rubrics import list_rubrics

    rubrics = list_rubrics(ctx.db)
    if as_json:
        emit_json([rubric_summary(r) for r in rubrics])
        return
    for r in rubrics:
        bonus = f" +{fmt(r.bonus_points)}" if r.bonus_points else ""
        click.echo(f"{r.id}  v{r.version}  {fmt(r.max_points)}{bonus}{_('分')}  {r.title}")


def _print_rubric(r: Rubric, notes: bool = False) -> None:
    click.echo(f"{r.title}  ({r.id} v{r.version})")
    if r.document:
        click.echo(f"{r.issuer} {r.document}")
    for s in r.sections:
        tag = _("（加分项）") if s.bonus else ""
        click.echo(f"\n{s.code}. {s.title}  {fmt(s.points)}{_('分')}{tag}")
        for g in s.groups:
            click.echo(f"  {g.label}" + (f"  {fmt(g.points)}{_('分')}" if g.points is not None else ""))
            for i in g.items:
                mark = "◇" if i.reconstructed else ""
                click.echo(f"    [{i.id}]{mark} {i.text}  {fmt(i.points)}{_('分')}")
                click.echo(f"        {_('规则')}: {i.rule.describe()}")
                if i.reconstructed:
                    click.echo("        " + _("◇ 原文无法辨认，复原：{what}").format(what=i.reconstructed))
                if i.na is not None:
                    click.echo("        " + _("可不适用：{clause}").format(clause=i.na.clause))
                if notes and i.note:
                    click.echo("        " + _("说明：{text}").format(text=i.note))
                if notes and i.editor_note:
                    click.echo("        " + _("转录注：{text}").format(text=i.editor_note))
    if r.vetoes:
        click.echo("\n" + _("否决项："))
        for v in r.vetoes:
            click.echo(f"  {v.id} {v.text}")
    if r.outcomes:
        click.echo("\n" + _("评估结论："))
        for o in r.outcomes:
            click.echo(f"  {o.label}" + (f"  ≥{fmt(o.min)}" if o.min is not None else ""))
            if o.clause:
                click.echo("    " + _("依据：{clause}").format(clause=o.clause))
            if o.reading:
                click.echo("    " + _("读法：{reading}").format(reading=o.reading))
    if notes and r.notes:
        click.echo("\n" + _("转录说明：") + "\n" + r.notes.strip())


@rubric.command()
@click.argument("rubric_id")
@click.option("--version", "version", type=int, default=None, help="版本（默认最新）")
@click.option("--notes", "notes", is_flag=True, help="同时显示转录说明（原文OCR更正等）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def show(ctx: Context, rubric_id: str, version: int | None, notes: bool, as_json: bool) -> None:
    """查看一个评估表的全部内容。"""
    from inspector.rubric.model import rubric_json
    from inspector.store.rubrics import get_rubric

    r = get_rubric(ctx.db, rubric_id, version)
    if as_json:
        out = rubric_json(r)
        if notes:  # the transcriber's notes: only when asked for
            for section in out["sections"]:
                for entry in section["items"]:
                    editor = r.item(entry["id"]).editor_note
                    if editor:
                        entry["editor_note"] = editor
        emit_json(out)
    else:
        _print_rubric(r, notes)


@rubric.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def validate(file: Path, as_json: bool) -> None:
    """校验评估表文件（.toml 或 .xlsx），不导入。"""
    from inspector.rubric.files import read_rubric
    from inspector.rubric.model import rubric_summary

    r = read_rubric(file)
    if as_json:
        emit_json({"valid": True, **rubric_summary(r)})
    else:
        click.echo(
            _("有效：{id} 第{v}版，{n}个小项，{m}分").format(
                id=r.id, v=r.version, n=sum(1 for _i in r.items()), m=fmt(r.max_points)
            )
        )


@rubric.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def import_(ctx: Context, file: Path, as_json: bool) -> None:
    """导入评估表文件（.toml 或 .xlsx）。"""
    from inspector.rubric.files import read_rubric
    from inspector.rubric.model import rubric_summary
    from inspector.store.rubrics import store_rubric

    result = store_rubric(ctx.db, read_rubric(file), str(file))
    r = result.rubric
    if as_json:
        emit_json({"added": result.added, **rubric_summary(r)})
    elif result.added:
        click.echo(_("已导入：{id} 第{v}版").format(id=r.id, v=r.version))
    else:
        click.echo(_("已存在相同内容，未作改动：{id} 第{v}版").format(id=r.id, v=r.version))


@rubric.command()
@click.argument("rubric_id")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="输出文件（.toml 或 .xlsx）"
)
@click.option("--version", "version", type=int, default=None, help="版本（默认最新）")
@pass_context
def export(ctx: Context, rubric_id: str, out: Path, version: int | None) -> None:
    """导出评估表为 .toml 或 .xlsx（正式表格式）。"""
    from inspector.rubric.files import write_rubric
    from inspector.store.rubrics import get_rubric

    r = get_rubric(ctx.db, rubric_id, version)
    write_rubric(r, out)
    click.echo(_("已导出：{path}").format(path=out))

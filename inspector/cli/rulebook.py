"""``inspector rulebook list|show|validate|add``: each jurisdiction's rules with their clauses."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inspector.cli.common import Context, emit_json, pass_context
from inspector.i18n import _

if TYPE_CHECKING:
    from inspector.centre.rulebook import Rulebook


@click.group()
def rulebook() -> None:
    """规则册：各地文件规定的督导人员与程序规则（每条附条款原文）。"""


def _summary(rb: Rulebook, origin: str) -> dict[str, object]:
    return {
        "id": rb.id,
        "title": rb.title,
        "document": rb.document,
        "issuer": rb.issuer,
        "year": rb.year,
        "rubrics": list(rb.rubrics),
        "based_on": list(rb.based_on),
        "rules": len(rb.rules),
        "origin": origin,
        "hash": rb.content_hash,
    }


@rulebook.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def rulebook_list(ctx: Context, as_json: bool) -> None:
    """列出随程序提供的规则册和本中心添加的规则册。"""
    from inspector.centre import rulebooks as books

    found = books.list_rulebooks(ctx.db)
    if as_json:
        emit_json([_summary(rb, origin) for rb, origin in found])
        return
    for rb, origin in found:
        mark = _("（本中心）") if origin == "centre" else ""
        click.echo(f"{rb.id}  {rb.year}  {rb.title}{mark}  {len(rb.rules)}")


def print_rulebook(rb: Rulebook) -> None:
    from inspector.centre.rulebook import strength_name

    click.echo(f"{rb.title}（{rb.document}）")
    for rule in rb.rules:
        click.echo(f"- {rule.key}  [{strength_name(rule.strength)}]  {rule.title}")
        if rule.params:
            click.echo("    " + "  ".join(f"{k}={v}" for k, v in sorted(rule.params.items())))
        if rule.clause:
            click.echo(f"    {rule.clause.article}：“{rule.clause.quote}”")
        if rule.reading:
            click.echo(_("    理解：{r}").format(r=rule.reading))
        if rule.note:
            click.echo(_("    说明：{n}").format(n=rule.note))
        for m in rule.milestones:
            click.echo(f"    {m.due}  {m.name}")
    for n in rb.not_modelled:
        click.echo(_("未建模 {a}：{r}").format(a=n.article, r=n.reason))


@rulebook.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def rulebook_show(ctx: Context, key: str, as_json: bool) -> None:
    """显示一个规则册（编号或内容哈希）的每条规则、强度和条款原文。"""
    from inspector.centre import rulebooks as books

    rb = books.find_rulebook(ctx.db, key)
    if as_json:
        emit_json({**rb.as_json(), "hash": rb.content_hash})
        return
    print_rulebook(rb)


@rulebook.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def rulebook_validate(ctx: Context, file: Path, as_json: bool) -> None:
    """检查规则册文件（出错时指明文件和行）。"""
    from inspector.centre import rulebooks as books

    rb = books.validate_file(file, ctx.db)
    if as_json:
        emit_json(_summary(rb, "file"))
        return
    click.echo(
        _("规则册有效：{id}（{n} 条规则，哈希 {h}）").format(
            id=rb.id, n=len(rb.rules), h=rb.content_hash[:16]
        )
    )


@rulebook.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def rulebook_add(ctx: Context, file: Path, as_json: bool) -> None:
    """添加本中心的规则册（可 based_on 随程序提供的规则册，并加上本地规则）。"""
    from inspector.centre import rulebooks as books

    rb = books.add_rulebook(ctx.db, file, ctx.user)
    if as_json:
        emit_json(_summary(rb, "centre"))
        return
    click.echo(_("已添加规则册：{id}（哈希 {h}）").format(id=rb.id, h=rb.content_hash[:16]))

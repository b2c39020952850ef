"""``inspector centre …``: the centre's database itself — moving it onto a PostgreSQL server and back
(docs/centre-on-postgresql.md)."""

from __future__ import annotations

import click

from inspector.cli.common import Context, Group, emit_json, pass_context
from inspector.errors import StoreError
from inspector.i18n import _


@click.group(cls=Group)
def centre() -> None:
    """中心数据库：迁到 PostgreSQL 服务器或迁回数据文件夹。"""


@centre.command("move")
@click.option(
    "--to", "to", required=True, help="目标：postgresql://… 地址（迁到服务器），或一个新的空文件夹（迁回）"
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def centre_move(ctx: Context, to: str, as_json: bool) -> None:
    """复制中心的全部数据（每条更改、抽取记录、人员、证书等）到目标，核对副本无误后才切换。"""
    from inspector.store.move import move_centre
    from inspector.store.pg import is_server_url, shown

    report = move_centre(ctx.refuse_missing(), to)
    label = shown(to) if is_server_url(to) else to  # never the password
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(
            _("已复制 {t} 个数据表共 {r} 行，核对 {e} 份评估").format(
                t=len(report.tables), r=sum(report.tables.values()), e=report.evaluations
            )
        )
        for problem in report.problems:
            click.echo("  " + problem)
    if not report.ok:
        raise StoreError(_("副本核对未通过：未切换，原数据未动"), label)
    if not as_json:
        click.echo(_("核对无误，已切换到：{to}").format(to=label))

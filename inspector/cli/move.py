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
        raise StoreError(
            _(
                "副本核对未通过，已整个撤销：目标仍是空的，不会被当作中心打开；"
                "未切换，原数据未动，可排除问题后重新迁移"
            ),
            label,
        )
    if not as_json:
        if report.desk_acts:
            click.echo(_("岗位操作记录 {n} 条已一并复制").format(n=report.desk_acts))
        click.echo(_("核对无误，已切换到：{to}").format(to=label))
        if is_server_url(to):  # logins and grants are the server's, not the copied database's
            click.echo(
                _(
                    "注意：数据库用户（登录角色）和岗位权限属于服务器，不随数据复制：请由数据库所有者运行 "
                    "inspector centre roles --db {to} --user 用户=clerk|dispatcher|head …，"
                    "各工作台再用 inspector centre connect 连接"
                ).format(to=label)
            )


@centre.command("connect")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@pass_context
def centre_connect(ctx: Context, url: str, as_json: bool) -> None:
    """把这个工作台的数据文件夹连接到服务器上的中心数据库（先试连接，成功才记住；新库则建表）。"""
    from inspector.folder import connect_centre
    from inspector.store.db import schema_version
    from inspector.store.desk_grants import area_titles, desk_grants
    from inspector.store.pg import shown

    db = connect_centre(ctx.data, url)
    try:
        grants = desk_grants(db.conn)
        version = schema_version(db.conn)
    finally:
        db.conn.close()
    if as_json:
        emit_json(
            {"server": shown(url), "schema": version, "user": grants.user, "areas": sorted(grants.areas)}
        )
        return
    click.echo(
        _("已连接到：{where}（结构版本 {v}）；此后本文件夹的数据库在服务器上").format(
            where=shown(url), v=version
        )
    )
    click.echo(
        _("数据库用户 {user} 可修改：{areas}").format(
            user=grants.user, areas="、".join(t for a, t in area_titles().items() if grants.may(a)) or "—"
        )
    )


@centre.command("roles")
@click.option(
    "--db",
    "url",
    envvar="INSPECTOR_DB",
    required=True,
    help="中心的 PostgreSQL 数据库（用数据库所有者的连接）；也可用环境变量 INSPECTOR_DB",
)
@click.option(
    "--user",
    "users",
    multiple=True,
    metavar="USER=DESK",
    help="把数据库用户放到一个岗位：clerk（登记员）、dispatcher（调度员）或 head（负责人）；可重复",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def centre_roles(url: str, users: tuple[str, ...], as_json: bool) -> None:
    """建立或更新工作岗位（登记员、调度员、负责人）的数据库角色与权限，由服务器强制执行；可重复运行。"""
    from inspector.store.pg import is_server_url
    from inspector.store.pg_roles import GROUP, install

    if not is_server_url(url):
        raise click.BadParameter(_("应为 postgresql://… 形式的地址"), param_hint="--db")
    members: dict[str, str] = {}
    for entry in users:
        person, sep, desk = entry.partition("=")
        if not sep:
            raise click.BadParameter(_("应为 用户=岗位，收到 {v}").format(v=entry), param_hint="--user")
        members[person.strip()] = desk.strip()
    report = install(url, members)
    if as_json:
        emit_json(report.as_json())
        return
    click.echo(_("已设置 {n} 个数据表的岗位权限与操作记录").format(n=report.tables))
    for desk, group in GROUP.items():
        people = sorted(p for p, d in report.members.items() if d == desk)
        click.echo(
            _("  {desk}（角色 {group}）：{people}").format(
                desk=desk, group=group, people="、".join(people) or "—"
            )
        )
